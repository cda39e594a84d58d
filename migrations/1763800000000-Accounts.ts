import { MigrationInterface, QueryRunner } from 'typeorm';

export class Accounts1763800000000 implements MigrationInterface {
  name = 'Accounts1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        id uuid PRIMARY KEY,
        name varchar(100) NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('admin', 'customer')),
        api_key_hash char(64) UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The admin authenticates with ADMIN_API_KEY from the environment; this row gives it an
    // account id so that what it does (idempotency keys, wallets it is given) has an owner.
    await q.query(
      `INSERT INTO accounts (id, name, role) VALUES ('00000000-0000-4000-8000-000000000000', 'admin', 'admin')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE accounts`);
  }
}
