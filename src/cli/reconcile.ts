import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../shared/database/data-source-options';
import { runReconciliation } from '../modules/payment/infrastructure/reconciliation.checks';

/** `npm run reconcile`: prints the reconciliation report; exits 1 when an invariant is broken. */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(
      'DATABASE_URL is not set: give the PostgreSQL URL to check, e.g. postgres://user@host:5432/db',
    );
    process.exit(2);
  }
  const dataSource = new DataSource(dataSourceOptions(url, 1));
  await dataSource.initialize();
  try {
    const report = await runReconciliation(dataSource);
    console.log(JSON.stringify(report, null, 2));
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`Reconciliation failed: ${(error as Error).message}`);
  process.exit(2);
});
