/**
 * The application services read the time as `new Date()`. A unit test about a deadline stops that
 * time and moves it itself: only Date is faked (jest's modern timers with every other timer, tick
 * and queue left real), so that promises, Nest and the batchers run as they do. The in-memory
 * deadline scheduler reads the same Date.now(). Call jest.useRealTimers() after.
 */
export function stopTime(at = new Date()): {
  advance: (ms: number) => void;
  now: () => number;
} {
  jest.useFakeTimers({
    now: at,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  return {
    advance: (ms) => jest.setSystemTime(Date.now() + ms),
    now: () => Date.now(),
  };
}
