import { DataSource, QueryFailedError } from 'typeorm';
import { pgCode, PG } from '../../src/shared/database/postgres-errors';
import { queryPrepared } from '../../src/shared/database/prepared-statement';
import { UnitOfWork } from '../../src/shared/database/unit-of-work';
import { createTestApp, type TestApp } from '../support/test-app';

describe('queryPrepared (integration)', () => {
  let t: TestApp;
  let uow: UnitOfWork;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    uow = t.app.get(UnitOfWork);
    db = t.app.get(DataSource);
    await db.query('CREATE TABLE prepared_probe (id int PRIMARY KEY, note text NOT NULL)');
  });
  afterAll(() => t.close());

  const INSERT = 'INSERT INTO prepared_probe (id, note) VALUES ($1, $2) RETURNING id, note';
  const SELECT = 'WITH p AS (SELECT id, note FROM prepared_probe WHERE id = $1) SELECT * FROM p';

  it('prepares a statement once per connection and runs it again by name', async () => {
    const seen = await uow.run(async (em) => {
      const inserted = await queryPrepared(em, INSERT, [1, 'one']);
      const first = await queryPrepared(em, SELECT, [1]);
      const again = await queryPrepared(em, SELECT, [1]);
      const prepared: Array<{ statement: string; generic_plans: number; custom_plans: number }> =
        await em.query(
          `SELECT statement, generic_plans::int, custom_plans::int FROM pg_prepared_statements
            WHERE NOT from_sql AND statement = ANY($1::text[]) ORDER BY statement`,
          [[INSERT, SELECT]],
        );
      return { inserted, first, again, prepared };
    });
    expect(seen.inserted).toEqual([{ id: 1, note: 'one' }]);
    expect(seen.first).toEqual([{ id: 1, note: 'one' }]);
    expect(seen.again).toEqual([{ id: 1, note: 'one' }]);
    // One protocol-level prepared statement per text, planned at each of its runs on this connection.
    expect(seen.prepared).toEqual([
      { statement: INSERT, generic_plans: 0, custom_plans: 1 },
      { statement: SELECT, generic_plans: 0, custom_plans: 2 },
    ]);
  });

  it('fails as em.query does: a QueryFailedError carrying the SQLSTATE, and the transaction rolls back', async () => {
    const failure = await uow
      .run(async (em) => {
        await queryPrepared(em, INSERT, [2, 'two']);
        await queryPrepared(em, INSERT, [2, 'again']);
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(pgCode(failure)).toBe(PG.uniqueViolation);
    expect(await db.query('SELECT id FROM prepared_probe WHERE id = 2')).toEqual([]);
  });

  it('outside a unit of work it is a plain query', async () => {
    expect(await queryPrepared(db.manager, SELECT, [1])).toEqual([{ id: 1, note: 'one' }]);
  });
});
