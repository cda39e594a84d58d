import { MigrationInterface, QueryRunner } from 'typeorm';

export class Orders1763800200001 implements MigrationInterface {
  name = 'Orders1763800200001';

  async up(q: QueryRunner): Promise<void> {
    // UNIQUE (hold_id): a hold makes at most one order, whatever the code above it does.
    await q.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        hold_id uuid NOT NULL CONSTRAINT orders_hold_id_unique UNIQUE REFERENCES holds (id),
        product_id uuid NOT NULL REFERENCES products (id),
        quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
        unit_price bigint NOT NULL CHECK (unit_price BETWEEN 1 AND 9007199254740991),
        amount bigint NOT NULL CHECK (amount BETWEEN 1 AND 9007199254740991 AND amount = unit_price * quantity),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        status varchar(20) NOT NULL CHECK (status IN ('pending_payment', 'paid', 'refunded', 'cancelled')),
        payment_due_at timestamptz NOT NULL,
        payment_id varchar(255),
        payment_method varchar(16) CHECK (payment_method IN ('wallet', 'external')),
        payment_status varchar(20) CHECK (payment_status IN ('succeeded', 'refund_required')),
        payment_wallet_transaction_id uuid,
        payment_amount bigint CHECK (payment_amount BETWEEN 1 AND 9007199254740991),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT orders_payment_complete CHECK (
          (payment_id IS NULL AND payment_method IS NULL AND payment_status IS NULL
            AND payment_amount IS NULL AND payment_wallet_transaction_id IS NULL)
          OR (payment_id IS NOT NULL AND payment_method IS NOT NULL AND payment_status IS NOT NULL
            AND payment_amount IS NOT NULL)
        ),
        CONSTRAINT orders_paid_has_payment CHECK (status NOT IN ('paid', 'refunded') OR payment_id IS NOT NULL)
      )`);
    await q.query(
      `CREATE INDEX orders_pending_payment_due_at ON orders (payment_due_at) WHERE status = 'pending_payment'`,
    );
    await q.query(`CREATE INDEX orders_account_id ON orders (account_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE orders`);
  }
}
