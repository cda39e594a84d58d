import type { Logger } from '@nestjs/common';
import type { Job, Queue } from 'bull';

/** The name Bull gives a job added without one. */
export const UNNAMED_JOB = '__default__';

/**
 * Runs `handler` for the queue's `name` jobs in this process. Bull's `process()` returns a promise
 * that rejects, with a Redis client's bare connection error, when the queue cannot start or is
 * closed before its clients ever connected (Redis down). `@nestjs/bull`'s `@Process` drops that
 * promise, which made it an unhandled rejection (lint forbids `@Process`); here it is a warning.
 * Jobs wait in Redis meanwhile, and every job is backed by a sweeper.
 */
export function processJobs<T>(
  queue: Queue<T>,
  name: string,
  handler: (job: Job<T>) => Promise<unknown>,
  logger: Logger,
): void {
  queue
    .process(name, handler)
    .catch((error: Error) => logger.warn(`${queue.name} ${name} jobs not processed: ${error.message}`));
}
