import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Purchase limits: a product may cap the units one account has of it in active holds, pending and
 * paid orders together. The indexes serve the count made under the product's lock.
 */
export class PurchaseLimits1764000200000 implements MigrationInterface {
  name = 'PurchaseLimits1764000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE products ADD COLUMN max_per_account integer
        CONSTRAINT products_max_per_account_check CHECK (max_per_account BETWEEN 1 AND 1000)`);
    await q.query(
      `CREATE INDEX holds_active_product_account ON holds (product_id, account_id) WHERE status = 'active'`,
    );
    await q.query(`CREATE INDEX orders_product_account ON orders (product_id, account_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX orders_product_account`);
    await q.query(`DROP INDEX holds_active_product_account`);
    await q.query(`ALTER TABLE products DROP COLUMN max_per_account`);
  }
}
