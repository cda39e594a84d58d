import { createHash } from 'crypto';
import type Redis from 'ioredis';
import { AppConfig } from '../../../../config/app-config';
import { redisKey } from '../../../../shared/redis/redis-keys';
import { BookingRefusedError, ProviderUnavailableError } from '../../domain/provider.errors';
import type { BookingRequest, ProviderBooking } from '../../domain/travel-provider';

const RETENTION_SECONDS = 30 * 86400;
const FLAKY_FAILURES = 2;

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

  async book(request: BookingRequest, codeLength: number): Promise<ProviderBooking> {
    const lastName = request.traveler.lastName;
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
    const existing = await this.find(request.reference);
    if (existing) return existing;
    const booking: ProviderBooking = {
      reference: request.reference,
      providerBookingId: `sbx-${request.reference}`,
      confirmationCode: confirmationCode(request.reference, codeLength),
    };
    await this.redis.set(
      this.key('booking', request.reference),
      JSON.stringify(booking),
      'EX',
      RETENTION_SECONDS,
    );
    return booking;
  }

  async find(reference: string): Promise<ProviderBooking | null> {
    const stored = await this.redis.get(this.key('booking', reference));
    return stored ? (JSON.parse(stored) as ProviderBooking) : null;
  }

  private key(kind: string, reference: string): string {
    return redisKey(this.config, 'sandbox', this.provider, kind, reference);
  }
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
