import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock, nodeTimerDelay } from '../../src/simulation/virtual-clock.js';

describe('simulation: Node timer delays in global mode', () => {
  let clock: VirtualClock | undefined;
  afterEach(() => {
    clock?.uninstall();
    clock = undefined;
  });

  it('applies Node rules: below 1 ms, not a number or above the maximum becomes 1 ms', () => {
    expect(nodeTimerDelay(0)).toBe(1);
    expect(nodeTimerDelay(0.3)).toBe(1);
    expect(nodeTimerDelay(-5)).toBe(1);
    expect(nodeTimerDelay(undefined)).toBe(1);
    expect(nodeTimerDelay('abc')).toBe(1);
    expect(nodeTimerDelay(2 ** 31)).toBe(1);
    expect(nodeTimerDelay(1)).toBe(1);
    expect(nodeTimerDelay(250)).toBe(250);
    expect(nodeTimerDelay('40')).toBe(40);
  });

  it('a fractional-delay poller moves virtual time instead of spinning at one instant', async () => {
    // Prepare: a poller like the SDK's adaptive limiter, sleeping deficit/rate seconds.
    clock = VirtualClock.install();
    const start = clock.now();
    let polls = 0;
    const poll = async (): Promise<number> => {
      while (Date.now() - start < 5) {
        polls += 1;
        await new Promise((resolve) => setTimeout(resolve, 0.25));
      }
      return Date.now() - start;
    };

    // Act
    const elapsed = await clock.run(poll, { maxTimers: 100 });

    // Assess: each sleep took 1 virtual ms, as on Node.
    expect(elapsed).toBe(5);
    expect(polls).toBe(5);
  });

  it('setInterval with a zero delay ticks every virtual millisecond', async () => {
    clock = VirtualClock.install();
    const ticks: number[] = [];
    const start = clock.now();
    const id = setInterval(() => ticks.push(Date.now() - start), 0);
    await clock.advance(3);
    clearInterval(id);
    expect(ticks).toEqual([1, 2, 3]);
  });

  it('uninstall restores the real timers', () => {
    const realSetTimeout = globalThis.setTimeout;
    clock = VirtualClock.install();
    expect(globalThis.setTimeout).not.toBe(realSetTimeout);
    clock.uninstall();
    expect(globalThis.setTimeout).toBe(realSetTimeout);
  });
});
