import type { Clock } from '../../src/shared/domain/clock';

/**
 * The clock of a test app: it stands still from the moment the app is made and moves only when the
 * test moves it, so that a test about a window or a deadline of the service's clock says how much
 * time passes instead of waiting for it, and no window ends behind its back. Only forward: what
 * Redis expires at a time of this clock (a rate-limit window) is then kept at least as long as the
 * real time it stands for.
 */
export class TestClock implements Clock {
  private current = Date.now();

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    if (ms < 0) throw new Error('a test clock only moves forward');
    this.current += ms;
  }
}
