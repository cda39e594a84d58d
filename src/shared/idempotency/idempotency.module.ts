import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { IDEMPOTENCY_KEYS } from '../database/idempotent-request';
import { unkeyedPostHandlers } from './idempotent-routes';
import { workerProviders } from '../queue/role';
import { IDEMPOTENCY_QUEUE, IdempotencyPurgeProcessor } from './idempotency-purge.processor';
import { IdempotencyStore } from './idempotency.store';
import { IdempotentCalls } from './idempotent-calls';
import { queueWithDashboard } from '../queue/queue-dashboard.module';

/**
 * The key store behind IdempotentCalls (around every `@Idempotent()` handler, served to requests by
 * `serveIdempotentCalls`) and every UnitOfWork (as IDEMPOTENCY_KEYS). At start it refuses any POST
 * handler that would take an Idempotency-Key without handing it to its use case.
 */
@Global()
@Module({
  imports: [DiscoveryModule, ...queueWithDashboard(IDEMPOTENCY_QUEUE)],
  providers: [
    IdempotencyStore,
    IdempotentCalls,
    { provide: IDEMPOTENCY_KEYS, useExisting: IdempotencyStore },
    ...workerProviders(IdempotencyPurgeProcessor),
  ],
  exports: [IdempotencyStore, IdempotentCalls, IDEMPOTENCY_KEYS],
})
export class IdempotencyModule implements OnModuleInit {
  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const controllers = this.discovery
      .getControllers()
      .map((wrapper) => wrapper.metatype)
      .filter((type): type is NonNullable<typeof type> => typeof type === 'function');
    const problems = unkeyedPostHandlers(controllers as Array<abstract new (...args: never[]) => unknown>);
    if (problems.length > 0) {
      throw new Error(`POST handlers that would drop their Idempotency-Key:\n${problems.join('\n')}`);
    }
  }
}
