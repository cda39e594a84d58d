import { MigrationInterface, QueryRunner } from 'typeorm';

export class Payments1763800300000 implements MigrationInterface {
  name = 'Payments1763800300000';

  async up(q: QueryRunner): Promise<void> {
    // One payment per order, ever (UNIQUE order_id): whatever the code above does, an order is
    // charged at most once. A wallet payment points at its debit, and at its refund credit once refunded.
    await q.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL CONSTRAINT payments_order_id_unique UNIQUE REFERENCES orders (id),
        method varchar(16) NOT NULL CHECK (method IN ('wallet', 'external')),
        status varchar(20) NOT NULL CHECK (status IN ('succeeded', 'refund_required', 'refunded')),
        amount bigint NOT NULL CHECK (amount BETWEEN 1 AND 9007199254740991),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        wallet_id uuid REFERENCES wallets (id),
        wallet_transaction_id uuid REFERENCES wallet_transactions (id),
        refund_transaction_id uuid REFERENCES wallet_transactions (id),
        external_payment_id varchar(255),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payments_method_fields CHECK (
          (method = 'wallet' AND wallet_id IS NOT NULL AND wallet_transaction_id IS NOT NULL AND external_payment_id IS NULL)
          OR (method = 'external' AND external_payment_id IS NOT NULL AND wallet_id IS NULL
            AND wallet_transaction_id IS NULL AND refund_transaction_id IS NULL)
        )
      )`);

    // The webhook inbox: unique on the sender's webhook-id, so a repeated delivery finds the first
    // one's answer and concurrent deliveries of one id wait for the first to commit.
    await q.query(`
      CREATE TABLE payment_webhook_events (
        id varchar(255) PRIMARY KEY,
        type varchar(32) NOT NULL CHECK (type IN ('payment.succeeded', 'payment.failed')),
        payment_id varchar(255) NOT NULL,
        order_id uuid,
        hold_id uuid,
        amount bigint NOT NULL,
        currency char(3) NOT NULL,
        payload jsonb NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('pending', 'processed', 'ignored')),
        reason varchar(64),
        applied_order_id uuid,
        response_status smallint NOT NULL,
        response_body jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        applied_at timestamptz,
        CONSTRAINT payment_webhook_events_target CHECK (order_id IS NOT NULL OR hold_id IS NOT NULL)
      )`);
    await q.query(
      `CREATE INDEX payment_webhook_events_pending_order ON payment_webhook_events (order_id) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX payment_webhook_events_pending_hold ON payment_webhook_events (hold_id) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_webhook_events`);
    await q.query(`DROP TABLE payments`);
  }
}
