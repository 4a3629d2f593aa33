import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/resilience/clock.js';

// systemClock uses the global timers; vitest's fake timers stand in for them, so nothing sleeps.
beforeEach(() => {
  vi.useFakeTimers({ now: 1_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('resilience: systemClock', () => {
  it('reads the wall clock and resolves a sleep when its time has passed', async () => {
    // Prepare
    let done = false;
    const sleeping = systemClock.sleep(500).then(() => (done = true));

    // Act
    await vi.advanceTimersByTimeAsync(499);
    const early = done;
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;

    // Assess
    expect(early).toBe(false);
    expect(done).toBe(true);
    expect(systemClock.now()).toBe(1_500);
  });

  it('rejects with the reason when the signal aborts, and clears its timer', async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(10_000, controller.signal).catch((e: unknown) => e);

    controller.abort(new Error('stop'));

    expect(((await sleeping) as Error).message).toBe('stop');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once for an aborted signal and treats negative times as 0', async () => {
    await expect(systemClock.sleep(5, AbortSignal.abort(new Error('gone')))).rejects.toThrow(
      'gone',
    );
    const sleeping = systemClock.sleep(-5);
    await vi.advanceTimersByTimeAsync(0);
    await expect(sleeping).resolves.toBeUndefined();
  });
});
