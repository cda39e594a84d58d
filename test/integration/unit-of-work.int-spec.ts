import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '../../src/shared/database/unit-of-work';
import { metric, metricTotal } from '../support/metrics';
import { createTestApp, type TestApp } from '../support/test-app';

/** Fails the current statement with a real PostgreSQL error of this SQLSTATE. */
const raise = (em: EntityManager, sqlstate: string) =>
  em.query(`DO $$ BEGIN RAISE EXCEPTION 'probe' USING ERRCODE = '${sqlstate}'; END $$`);

describe('UnitOfWork retries (integration)', () => {
  let t: TestApp;
  let uow: UnitOfWork;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    uow = t.app.get(UnitOfWork);
    db = t.app.get(DataSource);
    // The file's own database: a scratch table that only this file sees.
    await db.query('CREATE TABLE uow_probe (id int PRIMARY KEY, attempt int NOT NULL)');
  });
  afterAll(() => t.close());
  beforeEach(() => db.query('TRUNCATE uow_probe'));

  const retries = (sqlstate: string) => metric(t, 'db_transaction_retries_total', { sqlstate });
  const rows = async () =>
    (await db.query('SELECT id, attempt FROM uow_probe ORDER BY id')) as Array<{
      id: number;
      attempt: number;
    }>;

  it.each(['40001', '40P01'])(
    'a transaction failing once with %s is run again, from the start, and only the second attempt commits',
    async (sqlstate) => {
      const before = await retries(sqlstate);
      let attempts = 0;
      const result = await uow.run(async (em) => {
        attempts += 1;
        await em.query('INSERT INTO uow_probe (id, attempt) VALUES ($1, $1)', [attempts]);
        if (attempts === 1) await raise(em, sqlstate);
        return 'done';
      });
      expect({ result, attempts }).toEqual({ result: 'done', attempts: 2 });
      expect(await rows()).toEqual([{ id: 2, attempt: 2 }]);
      expect((await retries(sqlstate)) - before).toBe(1);
    },
  );

  it('a real deadlock between two transactions: one is retried, both commit, once each', async () => {
    await db.query('INSERT INTO uow_probe (id, attempt) VALUES (1, 0), (2, 0)');
    const before = await retries('40P01');
    // Each takes its first row, waits until the other has its own, then asks for the other's.
    let arrived = 0;
    let bothLocked!: () => void;
    const barrier = new Promise<void>((resolve) => (bothLocked = resolve));
    const attempts = { first: 0, second: 0 };
    const contender = (name: 'first' | 'second', mine: number, theirs: number) =>
      uow.run(async (em) => {
        attempts[name] += 1;
        await em.query('UPDATE uow_probe SET attempt = attempt + 1 WHERE id = $1', [mine]);
        if (attempts[name] === 1) {
          if (++arrived === 2) bothLocked();
          await barrier;
        }
        await em.query('UPDATE uow_probe SET attempt = attempt + 1 WHERE id = $1', [theirs]);
        return name;
      });
    const results = await Promise.all([contender('first', 1, 2), contender('second', 2, 1)]);
    expect(results).toEqual(['first', 'second']);
    // One of them was chosen as the deadlock victim and ran again; its first attempt left nothing. On a
    // loaded machine both backends' deadlock checks may fire before the first victim's locks are gone,
    // and both are retried: each retry is counted, and each transaction still commits once.
    const retried = attempts.first + attempts.second - 2;
    expect([1, 2]).toContain(retried);
    expect(await rows()).toEqual([
      { id: 1, attempt: 2 },
      { id: 2, attempt: 2 },
    ]);
    expect((await retries('40P01')) - before).toBe(retried);
  });

  it('gives up after five attempts and throws the last serialization failure', async () => {
    const before = await retries('40001');
    let attempts = 0;
    const failure = await uow
      .run(async (em) => {
        attempts += 1;
        await em.query('INSERT INTO uow_probe (id, attempt) VALUES ($1, $1)', [attempts]);
        await raise(em, '40001');
      })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ driverError: { code: '40001' } });
    expect(attempts).toBe(5);
    expect(await rows()).toEqual([]);
    expect((await retries('40001')) - before).toBe(4);
  });

  it('does not retry other errors', async () => {
    // Whatever the SQLSTATE: a retry of this one would be counted under a label nothing else sets.
    const before = await metricTotal(t, 'db_transaction_retries_total');
    let attempts = 0;
    const failure = await uow
      .run(async (em) => {
        attempts += 1;
        await em.query('INSERT INTO uow_probe (id, attempt) VALUES (7, 1), (7, 2)');
      })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ driverError: { code: '23505' } });
    expect(attempts).toBe(1);
    expect(await metricTotal(t, 'db_transaction_retries_total')).toBe(before);
    expect(await rows()).toEqual([]);
  });
});
