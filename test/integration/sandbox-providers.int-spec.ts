import Redis from 'ioredis';
import { loadConfig } from '../../src/config/app-config';
import { AmadeusSandboxAdapter } from '../../src/modules/provider/infrastructure/sandbox/amadeus-sandbox.adapter';
import { BookingComSandboxAdapter } from '../../src/modules/provider/infrastructure/sandbox/booking-com-sandbox.adapter';
import { SandboxBookings } from '../../src/modules/provider/infrastructure/sandbox/sandbox-bookings';
import { encodeOfferId, sandboxOfferIdKey } from '../../src/modules/provider/infrastructure/offer-id';

const traveler = (lastName: string) => ({ firstName: 'Ada', lastName, email: 'ada@example.com' });

describe('sandbox providers (real Redis)', () => {
  const config = loadConfig();
  const redis = new Redis(config.REDIS_URL);
  /** Two "workers": separate adapter instances sharing only Redis. */
  const key = sandboxOfferIdKey(config.SIGNING_SECRET);
  const workerA = new AmadeusSandboxAdapter(new SandboxBookings(redis, config, 'amadeus'), key);
  const workerB = new AmadeusSandboxAdapter(new SandboxBookings(redis, config, 'amadeus'), key);
  const hotels = new BookingComSandboxAdapter(new SandboxBookings(redis, config, 'booking-com'), key);
  let offerId: string;

  beforeAll(async () => {
    [{ id: offerId }] = await workerA.search({
      kind: 'flight',
      origin: 'CDG',
      destination: 'JFK',
      departureDate: '2099-03-01',
      adults: 1,
    });
  });
  afterAll(() => redis.quit());

  it('re-prices an offer from its id alone, and refuses ids it did not issue', async () => {
    const offer = await workerB.checkOffer(offerId);
    expect(offer.id).toBe(offerId);
    expect(offer.price.currency).toBe('EUR');
    await expect(workerB.checkOffer('ama-sbx.garbage')).rejects.toMatchObject({ code: 'offer_unavailable' });
    await expect(hotels.checkOffer(offerId)).rejects.toMatchObject({ code: 'offer_unavailable' });
  });

  it('refuses a hand-made offer id, even one shaped like its own, and one signed with another key', async () => {
    const forge = (payload: object) =>
      `ama-sbx.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const [prefix, payload, mac] = offerId.split('.');
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
      await expect(workerB.checkOffer(id)).rejects.toMatchObject({ code: 'offer_unavailable' });
      await expect(
        workerB.book({ reference: `ref-forged-${id.length}`, offerId: id, traveler: traveler('Lovelace') }),
      ).rejects.toMatchObject({ code: 'offer_unavailable' });
    }
  });

  it('"Decline" is refused for good, every time', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(
        workerA.book({ reference: 'ref-decline', offerId, traveler: traveler('Decline') }),
      ).rejects.toMatchObject({
        code: 'booking_refused',
      });
    }
    expect(await workerA.findBooking('ref-decline')).toBeNull();
  });

  it('"Flaky" fails twice with a transient error across workers, then books once', async () => {
    const request = { reference: 'ref-flaky', offerId, traveler: traveler('Flaky') };
    await expect(workerA.book(request)).rejects.toMatchObject({
      code: 'provider_unavailable',
      ambiguous: false,
    });
    await expect(workerB.book(request)).rejects.toMatchObject({ code: 'provider_unavailable' });
    const booked = await workerA.book(request);
    expect(booked).toEqual({
      reference: 'ref-flaky',
      providerBookingId: 'sbx-ref-flaky',
      confirmationCode: expect.stringMatching(/^[A-Z2-9]{6}$/),
    });
    expect(await workerB.book(request)).toEqual(booked);
    expect(await workerB.findBooking('ref-flaky')).toEqual(booked);
  });

  it('an ordinary traveller is confirmed at once, and the other worker finds the booking', async () => {
    const booked = await workerA.book({ reference: 'ref-ok', offerId, traveler: traveler('Lovelace') });
    expect(booked.confirmationCode).toMatch(/^[A-Z2-9]{6}$/);
    expect(await workerB.findBooking('ref-ok')).toEqual(booked);
  });
});
