import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * One registry per application instance (not prom-client's global one), so that several apps in
 * one process, as in tests, do not collide. Modules inject it and register their own metrics.
 */
@Injectable()
export class MetricsRegistry extends Registry {
  constructor() {
    super();
    collectDefaultMetrics({ register: this });
  }

  /** Get-or-create, so that a metric shared by several providers is registered once. */
  counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
    return (
      (this.getSingleMetric(name) as Counter<string>) ??
      new Counter({ name, help, labelNames, registers: [this] })
    );
  }

  histogram(name: string, help: string, labelNames: string[] = [], buckets?: number[]): Histogram<string> {
    return (
      (this.getSingleMetric(name) as Histogram<string>) ??
      new Histogram({ name, help, labelNames, registers: [this], ...(buckets ? { buckets } : {}) })
    );
  }

  /** Seconds spent waiting for a row lock, from 1 ms to the longest LOCK_TIMEOUT_MS worth telling apart. */
  lockWait(name: string, help: string): Histogram<string> {
    return this.histogram(name, help, [], [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  }
}

/** A counter by its name, help and label names. */
export type CounterSpec = readonly [name: string, help: string, labelNames?: string[]];

/**
 * The base of a module's metrics provider: one counter per field, described in one table and
 * registered in the application's registry when the provider is made.
 */
export function countersOf<F extends string>(specs: Record<F, CounterSpec>) {
  @Injectable()
  class Counters {
    constructor(registry: MetricsRegistry) {
      for (const [field, [name, help, labelNames]] of Object.entries<CounterSpec>(specs)) {
        (this as Record<string, unknown>)[field] = registry.counter(name, help, labelNames);
      }
    }
  }
  return Counters as new (registry: MetricsRegistry) => { readonly [K in F]: Counter<string> };
}
