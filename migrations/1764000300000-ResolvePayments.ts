import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Settling refund_required payments: a refund row may record money returned at the provider (an
 * external reference) instead of a wallet credit; admins list payments by status.
 */
export class ResolvePayments1764000300000 implements MigrationInterface {
  name = 'ResolvePayments1764000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE refunds
        ADD COLUMN external_reference varchar(255),
        ADD CONSTRAINT refunds_one_way_back CHECK (wallet_transaction_id IS NULL OR external_reference IS NULL)`);
    await q.query(`CREATE INDEX payments_status_created ON payments (status, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX payments_created ON payments (created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX payments_created`);
    await q.query(`DROP INDEX payments_status_created`);
    await q.query(`ALTER TABLE refunds DROP CONSTRAINT refunds_one_way_back, DROP COLUMN external_reference`);
  }
}
