import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

export interface SweepTiming {
  intervalMs: number;
  /**
   * A sweep that handled this many items is followed at once by another. Only for sweeps that
   * change what they read (an expired row is not read again); without it, one sweep per tick.
   */
  batchSize?: number;
}

/**
 * Runs `sweep` every `intervalMs` in each worker process, one run at a time, while the process
 * lives. Sweepers back up delayed queue jobs: they read their work from PostgreSQL
 * (`FOR UPDATE SKIP LOCKED`), so they go on working when Redis is down or has lost its jobs, and
 * any number of workers can sweep at once without doing anything twice.
 */
export abstract class PeriodicSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private failing = false;

  constructor(
    private readonly timing: SweepTiming,
    name: string = new.target.name,
  ) {
    this.logger = new Logger(name);
  }

  /** One batch; returns how many items it handled. */
  protected abstract sweep(): Promise<number>;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.drain().finally(() => (this.running = undefined));
    }, this.timing.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async drain(): Promise<void> {
    const { batchSize } = this.timing;
    try {
      let handled: number;
      do handled = await this.sweep();
      while (batchSize !== undefined && handled >= batchSize && this.timer);
      if (this.failing) this.logger.log('sweeping again');
      this.failing = false;
    } catch (error) {
      // Logged once per outage: the next tick retries.
      if (!this.failing) this.logger.warn(`sweep failed: ${(error as Error).message}`);
      this.failing = true;
    }
  }
}
