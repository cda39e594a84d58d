import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

/** Applies every pending migration; returns the names applied. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(url, 2));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Reverts the most recent migration; returns its name, if any. */
export async function revertLastMigration(url: string): Promise<string | undefined> {
  const dataSource = new DataSource(dataSourceOptions(url, 2));
  await dataSource.initialize();
  try {
    const executed = await dataSource
      .query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`)
      .catch(() => []);
    await dataSource.undoLastMigration({ transaction: 'each' });
    return executed[0]?.name;
  } finally {
    await dataSource.destroy();
  }
}
