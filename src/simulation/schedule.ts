import type { Clock } from '../resilience/clock.js';

/**
 * Runs `fn` after `delayMs` on `clock`; returns a function that cancels it. On a VirtualClock
 * this is a timer, so a failure of `fn` surfaces where the clock is driven (`run`, `advance`);
 * any other Clock gets a sleep, so models also work on the system clock.
 */
export function scheduleOn(clock: Clock, delayMs: number, fn: () => unknown): () => void {
  const virtual = clock as Clock & {
    schedule?: (ms: number, fn: () => unknown) => { cancel(): void };
  };
  if (typeof virtual.schedule === 'function') {
    const handle = virtual.schedule(delayMs, fn);
    return () => handle.cancel();
  }
  const controller = new AbortController();
  clock.sleep(delayMs, controller.signal).then(fn, () => undefined);
  return () => controller.abort();
}
