import { createHash } from 'crypto';
import { type EntityManager, QueryFailedError } from 'typeorm';

/** What `queryPrepared` needs of TypeORM's PostgreSQL query runner: its `pg` client. */
interface PgRunner {
  isReleased: boolean;
  connect(): Promise<{
    query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
  }>;
}

const names = new Map<string, string>();

/** One name per text, the same in every process and on every connection. */
function nameOf(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `cw_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name;
}

/**
 * Runs `sql` in `em`'s transaction as a named prepared statement of its connection: PostgreSQL
 * parses and analyses it once per connection instead of at every run, and after its first five
 * runs keeps a generic plan instead of planning it again (when that plan costs no more). For the
 * hot paths' statements, whose texts are a fixed set (a composed statement's side-writes
 * included): each distinct text stays prepared on every pooled connection for the connection's
 * life, so a text built from data (an IN list of varying length) must not come here. Outside a
 * unit of work it is `em.query`. Rows come back as `em.query` gives them for a SELECT (or a
 * WITH … SELECT), and a failure as the same QueryFailedError.
 */
export async function queryPrepared<T>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  const runner = em.queryRunner as unknown as PgRunner | undefined;
  if (!runner || runner.isReleased) return em.query(sql, [...params]);
  const client = await runner.connect();
  try {
    return (await client.query({ name: nameOf(sql), text: sql, values: params })).rows as T[];
  } catch (error) {
    throw new QueryFailedError(sql, [...params], error as Error);
  }
}
