import { MigrationInterface, QueryRunner } from 'typeorm';

export class Inventory1763800200000 implements MigrationInterface {
  name = 'Inventory1763800200000';

  async up(q: QueryRunner): Promise<void> {
    // The stock split is held by the database itself, so that no code path can oversell.
    await q.query(`
      CREATE TABLE products (
        id uuid PRIMARY KEY,
        name varchar(200) NOT NULL,
        price bigint NOT NULL CHECK (price BETWEEN 1 AND 9007199254740991),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        total_stock integer NOT NULL CHECK (total_stock >= 0),
        available_stock integer NOT NULL CHECK (available_stock >= 0),
        reserved_stock integer NOT NULL CHECK (reserved_stock >= 0),
        sold_stock integer NOT NULL CHECK (sold_stock >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT products_stock_split CHECK (total_stock = available_stock + reserved_stock + sold_stock)
      )`);
    await q.query(`CREATE INDEX products_created_at_id ON products (created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE holds (
        id uuid PRIMARY KEY,
        product_id uuid NOT NULL REFERENCES products (id),
        account_id uuid NOT NULL REFERENCES accounts (id),
        quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
        status varchar(16) NOT NULL CHECK (status IN ('active', 'released', 'expired', 'consumed')),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The sweeper scans only the active holds, by deadline.
    await q.query(`CREATE INDEX holds_active_expires_at ON holds (expires_at) WHERE status = 'active'`);
    await q.query(`CREATE INDEX holds_product_id ON holds (product_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE holds`);
    await q.query(`DROP TABLE products`);
  }
}
