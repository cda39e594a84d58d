import { isoTime } from './iso-time';

describe('isoTime', () => {
  it('answers as toISOString for every instant, remembered or not', () => {
    const instants = [
      0, 1, -1, 1_765_000_000_123, 253_402_300_799_999, -62_198_755_200_000, 8.64e15, -8.64e15,
    ];
    for (let round = 0; round < 3; round++) {
      for (const time of instants) expect(isoTime(new Date(time))).toBe(new Date(time).toISOString());
    }
  });

  it('keys by instant, so a Date changed after a call is formatted anew', () => {
    const date = new Date(1_765_000_000_000);
    expect(isoTime(date)).toBe('2025-12-06T05:46:40.000Z');
    date.setTime(1_765_000_001_000);
    expect(isoTime(date)).toBe('2025-12-06T05:46:41.000Z');
  });

  it('stays right while more instants pass than it remembers, each slot reused in turn', () => {
    const times = Array.from({ length: 50 }, (_, i) => 1_700_000_000_000 + i * 1000);
    for (const time of [...times, ...times.reverse()]) {
      expect(isoTime(new Date(time))).toBe(new Date(time).toISOString());
    }
  });

  it('throws for an invalid date, as toISOString does', () => {
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
