import Redis from 'ioredis';
import { loadConfig } from '../../src/config/app-config';
import { AmadeusSandboxAdapter } from '../../src/modules/provider/infrastructure/sandbox/amadeus-sandbox.adapter';
import { BookingComSandboxAdapter } from '../../src/modules/provider/infrastructure/sandbox/booking-com-sandbox.adapter';
import { SandboxBookings } from '../../src/modules/provider/infrastructure/sandbox/sandbox-bookings';
import { encodeOfferId, sandboxOfferIdKey } from '../../src/modules/provider/infrastructure/offer-id';

const traveler = (lastName: string) => ({ firstName: 'Ada', lastName, email: 'ada@example.com' });
/** The sandbox's priced form of an offer id, as a hand-made one would be sent. */
const pricedForm = (offerId: string) =>
  JSON.stringify({ offerId, total: { amount: '100', currency: 'EUR' } });

describe('sandbox providers (real Redis)', () => {
  const config = loadConfig();
  const redis = new Redis(config.REDIS_URL);
  /** Two "workers": separate adapter instances sharing only Redis. */
  const key = sandboxOfferIdKey(config.SIGNING_SECRET);
  const workerA = new AmadeusSandboxAdapter(new SandboxBookings(redis, config, 'amadeus'), key);
  const workerB = new AmadeusSandboxAdapter(new SandboxBookings(redis, config, 'amadeus'), key);
  const hotels = new BookingComSandboxAdapter(new SandboxBookings(redis, config, 'booking-com'), key);
  let day = 0;
  /** An offer of the test's own (a day of its own), priced by one worker. */
  const newOffer = async () => {
    day += 1;
    const [{ id }] = await workerA.search({
      kind: 'flight',
      origin: 'CDG',
      destination: 'JFK',
      departureDate: `2099-03-${String(day).padStart(2, '0')}`,
      adults: 1,
    });
    const pricing = await workerA.price(id);
    return { id, priced: pricing.priced, price: pricing.offer.price.amount };
  };
  const request = (offer: { priced: string }, reference: string, lastName: string) => ({
    reference,
    priced: offer.priced,
    travelers: [traveler(lastName)],
  });

  afterAll(() => redis.quit());

  it('prices an offer from its id alone, with what a booking of it needs, and refuses ids it did not issue', async () => {
    const { id: offerId } = await newOffer();
    const pricing = await workerB.price(offerId);
    expect(pricing.offer.id).toBe(offerId);
    expect(pricing.offer.price.currency).toBe('EUR');
    expect(pricing.travelers).toEqual({ min: 1, max: 1 });
    expect(pricing.requiredFields).toEqual([['date_of_birth']]);
    await expect(workerB.price('ama-sbx.garbage')).rejects.toMatchObject({ code: 'offer_unavailable' });
    await expect(hotels.price(offerId)).rejects.toMatchObject({ code: 'offer_unavailable' });
  });

  it('refuses a hand-made offer id, even one shaped like its own, and one signed with another key', async () => {
    const forge = (payload: object) =>
      `ama-sbx.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const [prefix, payload, mac] = (await newOffer()).id.split('.');
    const bogus = { origin: 'CDG', destination: 'JFK', departureDate: '2026-99-99', adults: 1, carrier: 0 };
    const bogusDate = forge(bogus);
    // Signed with the real key, as a leaked key would allow: the date is still checked.
    const signedBogusDate = encodeOfferId('ama-sbx', bogus, key);
    const stranger = new AmadeusSandboxAdapter(
      new SandboxBookings(redis, config, 'amadeus'),
      Buffer.alloc(32, 7),
    );
    const [strangerOffer] = await stranger.search({
      kind: 'flight',
      origin: 'CDG',
      destination: 'JFK',
      departureDate: '2099-03-01',
      adults: 1,
    });
    for (const id of [
      bogusDate,
      signedBogusDate,
      `${bogusDate}.${mac}`,
      `${prefix}.${payload}`,
      `${prefix}.${payload}.x`,
      strangerOffer.id,
    ]) {
      await expect(workerB.price(id)).rejects.toMatchObject({ code: 'offer_unavailable' });
      await expect(
        workerB.book({
          reference: `ref-forged-${id.length}`,
          priced: pricedForm(id),
          travelers: [traveler('Lovelace')],
        }),
      ).rejects.toMatchObject({ code: 'offer_unavailable' });
    }
  });

  it('"Decline" is refused for good, every time', async () => {
    const offer = await newOffer();
    for (let i = 0; i < 3; i++) {
      await expect(workerA.book(request(offer, 'ref-decline', 'Decline'))).rejects.toMatchObject({
        code: 'booking_refused',
      });
    }
    expect(await workerA.findBooking('ref-decline')).toBeNull();
  });

  it('"Flaky" fails twice with a transient error across workers, then books once', async () => {
    const offer = await newOffer();
    const flaky = request(offer, 'ref-flaky', 'Flaky');
    await expect(workerA.book(flaky)).rejects.toMatchObject({
      code: 'provider_unavailable',
      ambiguous: false,
    });
    await expect(workerB.book(flaky)).rejects.toMatchObject({ code: 'provider_unavailable' });
    const booked = await workerA.book(flaky);
    expect(booked).toEqual({
      reference: 'ref-flaky',
      providerBookingId: 'sbx-ref-flaky',
      confirmationCode: expect.stringMatching(/^[A-Z2-9]{6}$/),
      total: { amount: offer.price, currency: 'EUR' },
    });
    expect(await workerB.book(flaky)).toEqual(booked);
    expect(await workerB.findBooking('ref-flaky')).toEqual(booked);
  });

  it('an ordinary traveller is confirmed at once, and the other worker finds the booking', async () => {
    const booked = await workerA.book(request(await newOffer(), 'ref-ok', 'Lovelace'));
    expect(booked.confirmationCode).toMatch(/^[A-Z2-9]{6}$/);
    expect(await workerB.findBooking('ref-ok')).toEqual(booked);
  });

  it('"Timeout" books, then times out; nobody can then say what became of it', async () => {
    await expect(workerA.book(request(await newOffer(), 'ref-timeout', 'Timeout'))).rejects.toMatchObject({
      code: 'provider_unavailable',
      ambiguous: true,
    });
    await expect(workerB.findBooking('ref-timeout')).rejects.toMatchObject({ name: 'OutcomeUnknownError' });
  });

  it('"Pricey" books at a higher total than priced', async () => {
    const offer = await newOffer();
    const booked = await workerA.book(request(offer, 'ref-pricey', 'Pricey'));
    expect(booked.total).toEqual({ amount: offer.price + offer.price / 10n, currency: 'EUR' });
  });

  it('a booking is cancelled once; then there is nothing to cancel', async () => {
    const booked = await workerA.book(request(await newOffer(), 'ref-cancel', 'Lovelace'));
    await workerB.cancel(booked);
    await expect(workerA.cancel(booked)).rejects.toMatchObject({ code: 'booking_not_cancellable' });
    expect(await workerA.findBooking('ref-cancel')).toBeNull();
  });
});
