import { Global, Module } from '@nestjs/common';
import { workerProviders } from '../queue/role';
import { IDEMPOTENCY_QUEUE, IdempotencyPurgeProcessor } from './idempotency-purge.processor';
import { IdempotencyStore } from './idempotency.store';
import { queueWithDashboard } from '../queue/queue-dashboard.module';

/** The key store behind the global IdempotencyInterceptor (registered in AppModule) and every UnitOfWork. */
@Global()
@Module({
  imports: [...queueWithDashboard(IDEMPOTENCY_QUEUE)],
  providers: [IdempotencyStore, ...workerProviders(IdempotencyPurgeProcessor)],
  exports: [IdempotencyStore],
})
export class IdempotencyModule {}
