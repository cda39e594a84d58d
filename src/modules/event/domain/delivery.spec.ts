import { afterAttempt, failedTooLong, MAX_ATTEMPTS, retryDelay } from './delivery';

const failed = { ok: false, responseStatus: 500, durationMs: 12, error: 'answered 500' };
const ok = { ok: true, responseStatus: 204, durationMs: 9, error: null };
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('the delivery schedule', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after the failed attempts 1 to 7, and none after the 8th', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(retryDelay)).toEqual([
      5_000,
      5 * MIN,
      30 * MIN,
      2 * HOUR,
      5 * HOUR,
      10 * HOUR,
      10 * HOUR,
      undefined,
    ]);
    expect(MAX_ATTEMPTS).toBe(8);
    expect(retryDelay(0)).toBeUndefined();
  });

  it('makes a failed attempt pending again at its next time, until the 8th fails for good', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    expect(afterAttempt({ manual: false }, 1, failed, now)).toEqual({
      status: 'pending',
      nextAttemptAt: new Date(now + 5_000),
      deliveredAt: null,
    });
    expect(afterAttempt({ manual: false }, 7, failed, now).nextAttemptAt).toEqual(new Date(now + 10 * HOUR));
    expect(afterAttempt({ manual: false }, 8, failed, now)).toEqual({
      status: 'failed',
      nextAttemptAt: null,
      deliveredAt: null,
    });
  });

  it('settles a 2xx as delivered at that time, whatever the attempt', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    for (const attempt of [1, 8, 9]) {
      expect(afterAttempt({ manual: false }, attempt, ok, now)).toEqual({
        status: 'delivered',
        nextAttemptAt: null,
        deliveredAt: new Date(now),
      });
    }
  });

  it('gives a delivery reopened by hand one attempt, outside the schedule', () => {
    expect(afterAttempt({ manual: true }, 2, failed, 0)).toEqual({
      status: 'failed',
      nextAttemptAt: null,
      deliveredAt: null,
    });
  });

  it('disables an endpoint only once it has failed for 5 full days', () => {
    const since = new Date('2026-01-01T00:00:00.000Z');
    expect(failedTooLong(null, since.getTime() + 10 * 86400_000)).toBe(false);
    expect(failedTooLong(since, since.getTime() + 5 * 86400_000 - 1)).toBe(false);
    expect(failedTooLong(since, since.getTime() + 5 * 86400_000)).toBe(true);
  });
});
