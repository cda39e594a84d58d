import { createHash } from 'crypto';
import type Redis from 'ioredis';
import { AppConfig } from '../../../../config/app-config';
import { redisKey } from '../../../../shared/redis/redis-keys';
import {
  BookingNotCancellableError,
  BookingRefusedError,
  OutcomeUnknownError,
  ProviderUnavailableError,
} from '../../domain/provider.errors';
import type { BookingRequest, Price, ProviderBooking } from '../../domain/travel-provider';

const RETENTION_SECONDS = 30 * 86400;
const FLAKY_FAILURES = 2;

/** How much dearer a "Pricey" booking is than its pricing. */
const PRICEY_RISE_PERCENT = 10n;

interface StoredBooking {
  reference: string;
  providerBookingId: string;
  confirmationCode: string;
  total: { amount: string; currency: string };
  /** Made by a "Timeout" create: the sandbox plays a provider that cannot be asked about it. */
  unknowable: boolean;
}

/**
 * The sandbox's memory of bookings and of attempts per booking reference. It lives in Redis rather
 * than in the process so that the "Flaky" traveller fails exactly twice however many workers retry
 * the job, and a booking made by one attempt is found by the next one.
 */
export class SandboxBookings {
  constructor(
    private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly provider: string,
  ) {}

  /** Books at `priced` (Pricey: above it), or fails as the first traveller's last name asks. */
  async book(request: BookingRequest, priced: Price, codeLength: number): Promise<ProviderBooking> {
    const lastName = request.travelers[0].lastName;
    if (lastName === 'Decline') {
      throw new BookingRefusedError(`${this.provider} sandbox declined the booking for ${lastName}`);
    }
    if (lastName === 'Flaky') {
      const attempts = await this.redis.incr(this.key('attempts', request.reference));
      await this.redis.expire(this.key('attempts', request.reference), RETENTION_SECONDS);
      if (attempts <= FLAKY_FAILURES) {
        throw new ProviderUnavailableError(`${this.provider} sandbox failed attempt ${attempts} (Flaky)`);
      }
    }
    const stored = await this.stored(request.reference);
    if (stored) return toBooking(stored);
    const amount =
      lastName === 'Pricey' ? priced.amount + (priced.amount * PRICEY_RISE_PERCENT) / 100n : priced.amount;
    const booking: StoredBooking = {
      reference: request.reference,
      providerBookingId: `sbx-${request.reference}`,
      confirmationCode: confirmationCode(request.reference, codeLength),
      total: { amount: amount.toString(), currency: priced.currency },
      unknowable: lastName === 'Timeout',
    };
    await this.redis.set(
      this.key('booking', request.reference),
      JSON.stringify(booking),
      'EX',
      RETENTION_SECONDS,
    );
    if (booking.unknowable) {
      throw new ProviderUnavailableError(
        `${this.provider} sandbox create timed out after booking (Timeout)`,
        true,
      );
    }
    return toBooking(booking);
  }

  async find(reference: string): Promise<ProviderBooking | null> {
    const stored = await this.stored(reference);
    if (stored?.unknowable) {
      throw new OutcomeUnknownError(
        `${this.provider} sandbox cannot tell what became of ${reference} (Timeout)`,
      );
    }
    return stored && toBooking(stored);
  }

  async cancel(booking: ProviderBooking): Promise<void> {
    const deleted = await this.redis.del(this.key('booking', booking.reference));
    if (deleted !== 1) {
      throw new BookingNotCancellableError(
        `${this.provider} sandbox has no booking ${booking.providerBookingId}`,
      );
    }
  }

  private async stored(reference: string): Promise<StoredBooking | null> {
    const json = await this.redis.get(this.key('booking', reference));
    return json ? (JSON.parse(json) as StoredBooking) : null;
  }

  private key(kind: string, reference: string): string {
    return redisKey(this.config, 'sandbox', this.provider, kind, reference);
  }
}

function toBooking(stored: StoredBooking): ProviderBooking {
  return {
    reference: stored.reference,
    providerBookingId: stored.providerBookingId,
    confirmationCode: stored.confirmationCode,
    total: { amount: BigInt(stored.total.amount), currency: stored.total.currency },
  };
}

/** Deterministic, provider-looking code (an Amadeus record locator is 6 characters). */
function confirmationCode(reference: string, length: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const digest = createHash('sha256').update(reference).digest();
  return Array.from(digest.subarray(0, length), (byte) => alphabet[byte % alphabet.length]).join('');
}

/** A stable pseudo-random integer in [0, modulo) for the given text. */
export function stableNumber(text: string, modulo: number): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) % modulo;
}

export function isPastDate(isoDate: string, now = new Date()): boolean {
  return isoDate < now.toISOString().slice(0, 10);
}
