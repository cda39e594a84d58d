import { DataSource } from 'typeorm';
import { BookingOutcomes1764000500000 } from '../../migrations/1764000500000-BookingOutcomes';
import { bookFlight, flightOfferId } from '../support/booking-fixtures';
import { eventually } from '../support/inventory-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { bearer, customerWithWallet } from '../support/wallet-fixtures';

/** The migration that gives bookings their travellers, priced offer and new outcomes, both ways. */
describe('BookingOutcomes migration (integration)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp({ config: { BOOKING_JOB_BACKOFF_MS: 20 } });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  async function booking(lastName: string, status: string): Promise<string> {
    const { customer, walletId } = await customerWithWallet(t, 1_000_000, 'EUR');
    const res = await bookFlight(t, customer.key, await flightOfferId(t), walletId, lastName).expect(202);
    await eventually(
      async () => (await t.http().get(`/api/bookings/${res.body.id}`).set(bearer(customer.key))).body.status,
      (s) => s === status,
      20_000,
    );
    return res.body.id as string;
  }

  /** Runs `work` on a query runner inside a transaction that is rolled back, so the schema is left as it was. */
  async function rolledBack<T>(
    work: (runner: ReturnType<DataSource['createQueryRunner']>) => Promise<T>,
  ): Promise<T> {
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      return await work(runner);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  it('down() keeps the lead traveller in the older columns, and up() brings them back as travelers', async () => {
    const id = await booking('Lovelace', 'confirmed');
    const migration = new BookingOutcomes1764000500000();

    const [before, after] = await rolledBack(async (runner) => {
      await migration.down(runner);
      const [old] = await runner.query(
        `SELECT status, traveler_first_name, traveler_last_name, traveler_email FROM bookings WHERE id = $1`,
        [id],
      );
      await migration.up(runner);
      const [restored] = await runner.query(
        `SELECT status, travelers, priced_offer FROM bookings WHERE id = $1`,
        [id],
      );
      return [old, restored];
    });

    expect(before).toEqual({
      status: 'confirmed',
      traveler_first_name: 'Ada',
      traveler_last_name: 'Lovelace',
      traveler_email: 'ada@example.com',
    });
    expect(after).toEqual({
      status: 'confirmed',
      travelers: [{ first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' }],
      priced_offer: null,
    });
  });

  it('down() refuses while a booking is action_required or cancelled, which the older schema cannot hold', async () => {
    await booking('Timeout', 'action_required');
    await expect(rolledBack((runner) => new BookingOutcomes1764000500000().down(runner))).rejects.toThrow(
      /action_required or cancelled, which the older schema cannot hold/,
    );
  });
});
