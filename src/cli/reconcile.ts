import { existsSync } from 'fs';
import { join } from 'path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../shared/database/data-source-options';
import {
  CHECK_NAMES,
  runReconciliation,
  type ReconciliationRun,
} from '../modules/payment/infrastructure/sql-reconciliation-checks';

/** The checkout: this file runs as dist/src/cli/reconcile.js. */
const ROOT = join(__dirname, '..', '..', '..');

const USAGE = `Usage: npm run reconcile [-- --since-checkpoint] [-- --json]
  (no option)          every check on everything; a clean run records a checkpoint
  --since-checkpoint   only what changed after the newest checkpoint, on its totals
  --json               the report as JSON (as GET /api/admin/reconciliation returns it), nothing else`;

class UsageError extends Error {}

/**
 * The database `npm start` uses: DATABASE_URL from the environment or `.env`, else the embedded
 * PostgreSQL that scripts/dev.js runs in .data/pg (database `checkout`), if it is running.
 */
function databaseUrl(): string {
  const dotenv = join(ROOT, '.env');
  if (!process.env.DATABASE_URL && existsSync(dotenv)) process.loadEnvFile(dotenv);
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const embedded = join(ROOT, 'scripts', 'embedded-services.js');
  if (existsSync(embedded)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runningPostgresUrl } = require(embedded) as {
      runningPostgresUrl(options: { dir: string; database: string }): string | null;
    };
    const url = runningPostgresUrl({ dir: join(ROOT, '.data', 'pg'), database: 'checkout' });
    if (url) return url;
    if (existsSync(join(ROOT, '.data', 'pg')))
      throw new UsageError(
        'DATABASE_URL is not set and the embedded PostgreSQL of .data/ is not running: start it with ' +
          '`npm start`, or set DATABASE_URL (in the environment or .env) to the PostgreSQL URL to check',
      );
  }
  throw new UsageError(
    'DATABASE_URL is not set (in the environment or .env) and there is no embedded database of `npm start`: ' +
      'give the PostgreSQL URL to check, e.g. postgres://user@host:5432/db',
  );
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;

function age(iso: string, now: Date): string {
  const minutes = Math.floor((now.getTime() - Date.parse(iso)) / 60000);
  if (minutes < 1) return 'under a minute old';
  if (minutes < 120) return `${minutes} min old`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h old` : `${Math.floor(hours / 24)} days old`;
}

/** The one-line verdict that ends the human output. */
function verdict(run: ReconciliationRun, ms: number): string {
  const failed = run.checks.filter((c) => !c.ok).map((c) => c.name);
  const now = new Date(run.checked_at);
  const scope =
    run.mode === 'full'
      ? `full run; ${
          run.recorded_checkpoint
            ? `checkpoint ${run.recorded_checkpoint.id} recorded`
            : 'no checkpoint recorded'
        }; previous checkpoint ${run.base_checkpoint ? age(run.base_checkpoint.created_at, now) : 'none'}`
      : `since checkpoint ${run.base_checkpoint?.id} (${age(run.base_checkpoint?.created_at ?? '', now)})`;
  return failed.length
    ? `Reconciliation FAILED: ${failed.length} of ${run.checks.length} checks broken (${failed.join(', ')}) in ${seconds(ms)}; ${scope}`
    : `Reconciliation OK: ${run.checks.length} checks in ${seconds(ms)}; ${scope}`;
}

/**
 * `npm run reconcile`: one line per check as it completes (name, time, ok, and the rows that break
 * it), then a one-line verdict. Exits 0 when every check holds, 1 when one is broken, 2 when the
 * run could not be made.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--since-checkpoint' && a !== '--json');
  if (unknown.length) throw new UsageError(`Unknown option ${unknown.join(' ')}\n${USAGE}`);
  const json = args.includes('--json');
  const mode = args.includes('--since-checkpoint') ? 'since-checkpoint' : 'full';

  const url = databaseUrl();
  // One connection, and no per-query timeout of the service's requests: a full run on a large
  // ledger may legitimately read for longer than a request may wait (the connection timeout stays).
  const options = dataSourceOptions(url, 1);
  const dataSource = new DataSource({
    ...options,
    extra: { ...options.extra, query_timeout: undefined, application_name: 'reconcile' },
  });
  await dataSource.initialize();
  try {
    const width = Math.max(...CHECK_NAMES.map((name) => name.length));
    if (!json)
      console.log(`Reconciling (${mode === 'full' ? 'full run' : 'since the newest checkpoint'}) ...`);
    const started = performance.now();
    const run = await runReconciliation(dataSource, {
      mode,
      recordCheckpoint: mode === 'full',
      onCheck: json
        ? undefined
        : (check, ms) => {
            console.log(
              `${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(width)}  ${ms.toFixed(0).padStart(6)} ms`,
            );
            for (const row of check.details) console.log(`        ${JSON.stringify(row)}`);
          },
    });
    const ms = performance.now() - started;
    if (json) {
      const { ok, checked_at, checks } = run;
      console.log(JSON.stringify({ ok, checked_at, checks }, null, 2));
    } else {
      console.log(verdict(run, ms));
    }
    process.exitCode = run.ok ? 0 : 1;
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof UsageError ? error.message : `Reconciliation failed: ${(error as Error).message}`,
  );
  process.exit(2);
});
