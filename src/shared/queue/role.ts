/**
 * Whether this process runs queue consumers (ROLE=all or worker). Modules list their processors
 * through `workerProviders` so that an API-only process enqueues jobs but never runs them.
 */
export function runsWorkers(env: NodeJS.ProcessEnv = process.env): boolean {
  const role = env.ROLE || 'all';
  return role === 'all' || role === 'worker';
}

export function workerProviders<T>(...providers: T[]): T[] {
  return runsWorkers() ? providers : [];
}
