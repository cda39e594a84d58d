import type { EntityManager, QueryRunner } from 'typeorm';
import { collectingSideWrites, flushSideWrites, rideAlong, withSideWrites } from './side-write';

/** An EntityManager whose queries are recorded, in a unit of work collecting side-writes. */
function transaction() {
  const queries: Array<{ sql: string; params: unknown[] }> = [];
  const runner = {} as QueryRunner;
  const em = {
    queryRunner: runner,
    query: async (sql: string, params: unknown[]) => void queries.push({ sql, params }),
  } as unknown as EntityManager;
  return { em, runner, queries };
}

const answers = {
  name: 'answers',
  sql: 'UPDATE keys SET body = a.body FROM unnest($keys::text[], $bodies::jsonb[]) AS a(key, body) WHERE keys.key = a.key',
  params: { keys: ['k1'], bodies: ['{}'] },
};

describe('side-writes', () => {
  it('ride as the last WITH items of the host statement, their parameters numbered after the host’s by name', async () => {
    const { em, runner } = transaction();
    await collectingSideWrites(runner, async () => {
      rideAlong(em, answers);
      rideAlong(em, {
        name: 'events',
        sql: 'INSERT INTO events (id, data) VALUES ($id, $id::text)',
        params: { id: 'e1' },
      });
      const host = `WITH w AS (UPDATE wallets SET balance = $2 WHERE id = $1), t AS (INSERT INTO t SELECT ')' FROM w)
       SELECT count(*) FROM t`;
      const { sql, params } = withSideWrites(em, host, ['w1', 100]);
      expect(sql).toBe(
        `WITH w AS (UPDATE wallets SET balance = $2 WHERE id = $1), t AS (INSERT INTO t SELECT ')' FROM w),\n` +
          'answers AS (UPDATE keys SET body = a.body FROM unnest($3::text[], $4::jsonb[]) AS a(key, body) WHERE keys.key = a.key),\n' +
          'events AS (INSERT INTO events (id, data) VALUES ($5, $5::text))\n       SELECT count(*) FROM t',
      );
      expect(params).toEqual(['w1', 100, ['k1'], ['{}'], 'e1']);
      // Carried once: the next statement carries nothing.
      expect(withSideWrites(em, host, ['w1', 100]).params).toEqual(['w1', 100]);
    });
  });

  it('run alone before commit when no statement carried them, with a suffix for a repeated name', async () => {
    const { em, runner, queries } = transaction();
    await collectingSideWrites(runner, async () => {
      rideAlong(em, answers);
      rideAlong(em, { ...answers, params: { keys: ['k2'], bodies: ['[]'] } });
      await flushSideWrites(em);
      await flushSideWrites(em);
    });
    expect(queries).toHaveLength(1);
    expect(queries[0].sql).toMatch(
      /^WITH answers AS \(.*\$1::text\[\], \$2::jsonb.*\),\nanswers_2 AS \(.*\$3::text\[\], \$4::jsonb.*\) SELECT 1$/s,
    );
    expect(queries[0].params).toEqual([['k1'], ['{}'], ['k2'], ['[]']]);
  });

  it('refuses a parameter the write does not bind, and a side-write outside a unit of work', () => {
    const { em, runner } = transaction();
    expect(() => rideAlong(em, answers)).toThrow(/running unit of work/);
    return collectingSideWrites(runner, async () => {
      rideAlong(em, { name: 'broken', sql: 'DELETE FROM x WHERE id = $missing', params: {} });
      expect(() => withSideWrites(em, 'WITH a AS (SELECT 1) SELECT 1', [])).toThrow(/no parameter missing/);
    });
  });
});
