import { resolve } from 'path';
import type { DataSourceOptions } from 'typeorm';

/** Both `src/shared/database` (tests) and `dist/src/shared/database` (build) sit three levels below `migrations/`. */
export const MIGRATIONS_GLOB = resolve(__dirname, '../../../migrations/*.{ts,js}').replace(/\\/g, '/');

export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: [MIGRATIONS_GLOB.replace('{ts,js}', __filename.endsWith('.ts') ? 'ts' : 'js')],
    migrationsTransactionMode: 'each',
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 3000,
      // A query stuck behind a broken connection fails instead of hanging the request.
      query_timeout: 30000,
      application_name: 'checkout-wallet-service',
    },
  };
}
