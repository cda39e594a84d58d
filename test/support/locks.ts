import { Client } from 'pg';

/**
 * A connection of the test's own on the file's database, beside the app's pool, for holding locks
 * the app's requests must wait for. Its transaction is open from the start.
 */
export interface Locker {
  pid: number;
  query: Client['query'];
  /** Waits until `count` other backends of this database wait for a lock (the order they queued in). */
  waiters: (count: number) => Promise<void>;
  /** Ends the transaction, so that the waiters go on in the order they queued, and disconnects. */
  release: () => Promise<void>;
}

export async function locker(url = process.env.DATABASE_URL as string): Promise<Locker> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  await client.query('BEGIN');
  const watcher = new Client({ connectionString: url });
  await watcher.connect();
  let released = false;
  return {
    pid,
    query: client.query.bind(client) as Client['query'],
    waiters: async (count) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await watcher.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
          [pid],
        );
        if (rows[0].n >= count) return;
        if (Date.now() > deadline) throw new Error(`${rows[0].n} of ${count} requests wait for the lock`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    release: async () => {
      if (released) return;
      released = true;
      try {
        await client.query('COMMIT');
      } finally {
        await client.end();
        await watcher.end();
      }
    },
  };
}
