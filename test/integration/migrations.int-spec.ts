import { readdirSync } from 'fs';
import { join } from 'path';
import { Client } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';
import { dataSourceOptions } from '../../src/shared/database/data-source-options';

type MigrationClass = new () => MigrationInterface;

/** Every migration class, oldest first, as TypeORM orders them (by the timestamp in the name). */
const MIGRATIONS: MigrationClass[] = readdirSync(join(__dirname, '..', '..', 'migrations'))
  .filter((file) => file.endsWith('.ts'))
  .sort()
  .map((file) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(join(__dirname, '..', '..', 'migrations', file)) as Record<string, unknown>;
    const classes = Object.values(exported).filter((value) => typeof value === 'function');
    expect(classes).toHaveLength(1);
    return classes[0] as MigrationClass;
  });

/** Everything a migration can make in the public schema, but TypeORM's own bookkeeping table. */
const SCHEMA = `
  SELECT 'column ' || c.table_name || '.' || c.column_name || ' ' || c.data_type || ' ' || c.is_nullable
         || ' ' || coalesce(c.column_default, '') AS item
    FROM information_schema.columns c WHERE c.table_schema = 'public' AND c.table_name <> 'migrations'
  UNION ALL
  SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'migrations'
  UNION ALL
  SELECT 'constraint ' || r.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
    FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid
   WHERE k.connamespace = 'public'::regnamespace AND r.relname <> 'migrations'
  UNION ALL
  SELECT 'relation ' || c.relkind::text || ' ' || c.relname FROM pg_class c
   WHERE c.relnamespace = 'public'::regnamespace AND c.relname NOT IN ('migrations', 'migrations_id_seq')
     AND NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class m ON m.oid = i.indrelid
                      WHERE i.indexrelid = c.oid AND m.relname = 'migrations')
  UNION ALL
  SELECT 'type ' || typname FROM pg_type
   WHERE typnamespace = 'public'::regnamespace AND typtype IN ('e', 'd', 'r')
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'trigger ' || tgname FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid
   WHERE r.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
  ORDER BY 1`;

describe('migrations (integration, on an empty database of their own)', () => {
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL as string;
  const database = `${process.env.TEST_TEMPLATE_DATABASE}_empty`.slice(0, 63);
  const url = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();

  const admin = async (sql: string) => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  /** A data source that knows the first `count` migrations only. */
  const withMigrations = async <T>(count: number, work: (ds: DataSource) => Promise<T>): Promise<T> => {
    const ds = new DataSource({ ...dataSourceOptions(url, 1), migrations: MIGRATIONS.slice(0, count) });
    await ds.initialize();
    try {
      return await work(ds);
    } finally {
      await ds.destroy();
    }
  };
  const schema = (ds: DataSource): Promise<string[]> =>
    ds.query(SCHEMA).then((rows: Array<{ item: string }>) => rows.map((r) => r.item));

  beforeAll(() => admin(`CREATE DATABASE "${database}"`));
  afterAll(() => admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));

  it('up one at a time, then every down() back to nothing, then up again: each down() undoes its up()', async () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(12);
    const empty = await withMigrations(0, schema);
    expect(empty).toEqual([]);

    // The schema after each up(), from the first migration to the last.
    const afterUp: string[][] = [empty];
    for (let count = 1; count <= MIGRATIONS.length; count++) {
      afterUp.push(
        await withMigrations(count, async (ds) => {
          const applied = await ds.runMigrations({ transaction: 'each' });
          expect(applied.map((m) => m.name)).toEqual([new MIGRATIONS[count - 1]().name]);
          return schema(ds);
        }),
      );
      expect(afterUp[count]).not.toEqual(afterUp[count - 1]);
    }

    // Each down() must bring back exactly the schema its up() started from.
    await withMigrations(MIGRATIONS.length, async (ds) => {
      for (let count = MIGRATIONS.length; count >= 1; count--) {
        await ds.undoLastMigration({ transaction: 'each' });
        expect([MIGRATIONS[count - 1].name, await schema(ds)]).toEqual([
          MIGRATIONS[count - 1].name,
          afterUp[count - 1],
        ]);
      }
      expect(await ds.query('SELECT count(*)::int AS n FROM migrations')).toEqual([{ n: 0 }]);
    });

    // And up again on what is left: the same schema as the first time.
    const again = await withMigrations(MIGRATIONS.length, async (ds) => {
      const applied = await ds.runMigrations({ transaction: 'each' });
      expect(applied).toHaveLength(MIGRATIONS.length);
      return schema(ds);
    });
    expect(again).toEqual(afterUp[MIGRATIONS.length]);
  });

  it('typing references as uuids refuses, changing nothing, a reference that is not an id', async () => {
    const retyping = MIGRATIONS.findIndex((m) => new m().name === 'ReconciliationAtScale1764100000000');
    expect(retyping).toBeGreaterThan(0);
    // Back to the schema it starts from (the test above left every migration applied).
    await withMigrations(MIGRATIONS.length, async (ds) => {
      for (let count = MIGRATIONS.length; count > retyping; count--) {
        await ds.undoLastMigration({ transaction: 'each' });
      }
    });
    const before = await withMigrations(retyping, async (ds) => {
      await ds.query(
        `INSERT INTO accounts (id, name, role) VALUES ('00000000-0000-4000-8000-000000000001', 'c', 'customer')`,
      );
      await ds.query(`
        INSERT INTO wallets (id, account_id, currency, balance)
        VALUES ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'USD', 5)`);
      await ds.query(`
        INSERT INTO wallet_transactions (id, wallet_id, type, amount, balance_before, balance_after, reference_type, reference_id)
        VALUES ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', 'credit', 5, 0, 5,
                'legacy', 'INV-2024-17')`);
      return schema(ds);
    });
    await expect(
      withMigrations(retyping + 1, (ds) => ds.runMigrations({ transaction: 'each' })),
    ).rejects.toThrow(
      'Cannot apply ReconciliationAtScale1764100000000: 1 row(s) of wallet_transactions.reference_id are not uuids ' +
        '(for example "INV-2024-17"). Nothing was changed.',
    );
    expect(await withMigrations(retyping, schema)).toEqual(before);

    await withMigrations(retyping, (ds) =>
      ds.query(`UPDATE wallet_transactions SET reference_id = '00000000-0000-4000-8000-000000000004'`),
    );
    const applied = await withMigrations(retyping + 1, (ds) => ds.runMigrations({ transaction: 'each' }));
    expect(applied.map((m) => m.name)).toEqual(['ReconciliationAtScale1764100000000']);
  });
  it('orders keep only the id of their payment: up refuses, changing nothing, a copy that disagrees; down rebuilds it', async () => {
    const naming = MIGRATIONS.findIndex((m) => new m().name === 'OrdersNameTheirPayment1764200000000');
    expect(naming).toBeGreaterThan(0);
    // Back to the schema it starts from, whatever the tests above left applied.
    await withMigrations(MIGRATIONS.length, async (ds) => {
      const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM migrations');
      for (let count = n; count > naming; count--) await ds.undoLastMigration({ transaction: 'each' });
    });
    const [account, product, hold, order, payment] = [11, 12, 13, 14, 15].map(
      (n) => `00000000-0000-4000-8000-0000000000${n}`,
    );
    const before = await withMigrations(naming, async (ds) => {
      await ds.query(`INSERT INTO accounts (id, name, role) VALUES ($1, 'c', 'customer')`, [account]);
      await ds.query(
        `INSERT INTO products (id, name, price, currency, total_stock, available_stock, reserved_stock, sold_stock)
         VALUES ($1, 'p', 100, 'USD', 1, 0, 0, 1)`,
        [product],
      );
      await ds.query(
        `INSERT INTO holds (id, product_id, account_id, quantity, status, expires_at)
         VALUES ($1, $2, $3, 1, 'consumed', now())`,
        [hold, product, account],
      );
      await ds.query(
        `INSERT INTO orders (id, account_id, hold_id, product_id, quantity, unit_price, amount, currency, status,
                             payment_due_at, payment_id, payment_method, payment_status, payment_amount)
         VALUES ($1, $2, $3, $4, 1, 100, 100, 'USD', 'paid', now(), $5, 'external', 'succeeded', 100)`,
        [order, account, hold, product, payment],
      );
      // The payment was refunded, but the order's copy was not told.
      await ds.query(
        `INSERT INTO payments (id, order_id, method, status, pays_order, amount, currency, external_payment_id)
         VALUES ($1, $2, 'external', 'refunded', true, 100, 'USD', 'pay_1')`,
        [payment, order],
      );
      return schema(ds);
    });
    await expect(
      withMigrations(naming + 1, (ds) => ds.runMigrations({ transaction: 'each' })),
    ).rejects.toThrow(
      'Cannot apply OrdersNameTheirPayment1764200000000: 1 order(s) show a payment that is not the payment row ' +
        'of that id for that order, or that differs from it in method, status, amount or wallet transaction ' +
        `(for example order ${order}, payment ${payment}). Settle them with the reconciliation report first. ` +
        'Nothing was changed.',
    );
    expect(await withMigrations(naming, schema)).toEqual(before);

    await withMigrations(naming, (ds) => ds.query(`UPDATE payments SET status = 'succeeded'`));
    await withMigrations(naming + 1, async (ds) => {
      await ds.runMigrations({ transaction: 'each' });
      await expect(
        ds.query(`UPDATE orders SET payment_id = '00000000-0000-4000-8000-000000000099'`),
      ).rejects.toThrow(/orders_payment_id_fkey/);
      // Refunded since: only the payment row records it.
      await ds.query(`UPDATE payments SET status = 'refunded'`);
      await ds.undoLastMigration({ transaction: 'each' });
      expect(
        await ds.query(
          `SELECT payment_id, payment_method, payment_status, payment_wallet_transaction_id,
                  payment_amount::int AS payment_amount FROM orders`,
        ),
      ).toEqual([
        {
          payment_id: payment,
          payment_method: 'external',
          payment_status: 'refunded',
          payment_wallet_transaction_id: null,
          payment_amount: 100,
        },
      ]);
    });
  });
});
