import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bookings that follow the providers' flows: every traveller (not only the first), the priced offer
 * the debit paid for (booked exactly, never found again), the outcomes `action_required` (the
 * provider may have booked and cannot say) and `cancelled` (refunded), and the claim of a cancel
 * in progress so that two cancels of one booking never both reach the provider.
 */
export class BookingOutcomes1764000500000 implements MigrationInterface {
  name = 'BookingOutcomes1764000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE bookings
        ADD COLUMN travelers jsonb,
        ADD COLUMN priced_offer text,
        ADD COLUMN cancel_requested_at timestamptz`);
    await q.query(`
      UPDATE bookings SET travelers = jsonb_build_array(jsonb_build_object(
        'first_name', traveler_first_name, 'last_name', traveler_last_name, 'email', traveler_email))`);
    await q.query(`
      ALTER TABLE bookings
        ALTER COLUMN travelers SET NOT NULL,
        ADD CONSTRAINT bookings_travelers_check CHECK (jsonb_typeof(travelers) = 'array' AND jsonb_array_length(travelers) BETWEEN 1 AND 30),
        DROP COLUMN traveler_first_name,
        DROP COLUMN traveler_last_name,
        DROP COLUMN traveler_email,
        DROP CONSTRAINT bookings_status_check,
        DROP CONSTRAINT bookings_confirmed_check,
        DROP CONSTRAINT bookings_failed_check,
        ALTER COLUMN status TYPE varchar(15)`);
    await q.query(`
      ALTER TABLE bookings
        ADD CONSTRAINT bookings_status_check
          CHECK (status IN ('pending', 'confirmed', 'failed', 'action_required', 'cancelled')),
        ADD CONSTRAINT bookings_confirmed_check
          CHECK ((status IN ('confirmed', 'cancelled')) = (confirmation_code IS NOT NULL)),
        ADD CONSTRAINT bookings_refunded_check
          CHECK ((status IN ('failed', 'cancelled')) = (refund_transaction_id IS NOT NULL)),
        ADD CONSTRAINT bookings_failed_check CHECK (status <> 'failed' OR failure_reason IS NOT NULL)`);
    await q.query(`CREATE INDEX bookings_status_created ON bookings (status, created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ count }] = (await q.query(
      `SELECT count(*)::int AS count FROM bookings WHERE status IN ('action_required', 'cancelled')`,
    )) as Array<{ count: number }>;
    if (count > 0) {
      throw new Error(
        `${count} bookings are action_required or cancelled, which the older schema cannot hold`,
      );
    }
    await q.query(`DROP INDEX bookings_status_created`);
    await q.query(`
      ALTER TABLE bookings
        DROP CONSTRAINT bookings_status_check,
        DROP CONSTRAINT bookings_confirmed_check,
        DROP CONSTRAINT bookings_refunded_check,
        DROP CONSTRAINT bookings_failed_check,
        DROP CONSTRAINT bookings_travelers_check,
        ADD COLUMN traveler_first_name varchar(100),
        ADD COLUMN traveler_last_name varchar(100),
        ADD COLUMN traveler_email varchar(254)`);
    await q.query(`
      UPDATE bookings SET traveler_first_name = travelers -> 0 ->> 'first_name',
                          traveler_last_name = travelers -> 0 ->> 'last_name',
                          traveler_email = travelers -> 0 ->> 'email'`);
    await q.query(`
      ALTER TABLE bookings
        ALTER COLUMN traveler_first_name SET NOT NULL,
        ALTER COLUMN traveler_last_name SET NOT NULL,
        ALTER COLUMN traveler_email SET NOT NULL,
        DROP COLUMN travelers,
        DROP COLUMN priced_offer,
        DROP COLUMN cancel_requested_at,
        ALTER COLUMN status TYPE varchar(9),
        ADD CONSTRAINT bookings_status_check CHECK (status IN ('pending', 'confirmed', 'failed')),
        ADD CONSTRAINT bookings_confirmed_check CHECK ((status = 'confirmed') = (confirmation_code IS NOT NULL)),
        ADD CONSTRAINT bookings_failed_check CHECK (
          (status = 'failed') = (refund_transaction_id IS NOT NULL AND failure_reason IS NOT NULL))`);
  }
}
