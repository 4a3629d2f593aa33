import { createClock, type Clock as FakeClock } from '@sinonjs/fake-timers';
import type { Clock } from '../../../src/resilience/clock.js';

/**
 * A virtual `Clock` for tests, on a private @sinonjs/fake-timers clock (no globals are faked).
 * Time moves only when a test calls `advance()` / `runAll()`; every `sleep()` is recorded.
 */
export class TestClock implements Clock {
  readonly fake: FakeClock = createClock(0);
  /** Every duration passed to `sleep()`, in call order. */
  readonly sleeps: number[] = [];

  constructor(start = 1_000_000) {
    this.fake.setSystemTime(start);
  }

  now(): number {
    return this.fake.now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = (): void => {
        this.fake.clearTimeout(id);
        reject(signal?.reason as Error);
      };
      const id = this.fake.setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Moves time forward, running due timers and the promise callbacks they release. */
  async advance(ms: number): Promise<void> {
    await this.fake.tickAsync(ms);
  }

  /** Runs every pending timer (and those they schedule) until none is left. */
  async runAll(): Promise<void> {
    await this.fake.runAllAsync();
  }

  /** Timers still scheduled (sleeps not yet due and not cancelled). */
  pendingTimers(): number {
    return this.fake.countTimers();
  }
}

/** Lets already-resolved promise callbacks run without moving time. */
export async function flushMicrotasks(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await Promise.resolve();
}
