import { revertLastMigration, runMigrations } from '../shared/database/migrate';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(
      'DATABASE_URL is not set: give the PostgreSQL URL to migrate, e.g. postgres://user@host:5432/db',
    );
    process.exit(2);
  }
  const direction = process.argv[2] ?? 'up';
  if (direction === 'up') {
    const applied = await runMigrations(url);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
  } else if (direction === 'down') {
    const reverted = await revertLastMigration(url);
    console.log(reverted ? `Reverted: ${reverted}` : 'No migration to revert');
  } else {
    console.error(`Unknown direction "${direction}": use "up" or "down"`);
    process.exit(2);
  }
}

main().catch((error: unknown) => {
  console.error(`Migration failed: ${(error as Error).message}`);
  process.exit(1);
});
