import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulationError } from '../../src/simulation/errors.js';
import { createRandom } from '../../src/simulation/random.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realSetInterval = globalThis.setInterval;
const RealDate = globalThis.Date;
const realRandom = Math.random;

let clock: VirtualClock | undefined;

afterEach(() => {
  clock?.uninstall();
  clock = undefined;
});

describe('simulation: VirtualClock global mode', () => {
  it('patches setTimeout, setInterval and Date, and restores them on uninstall', async () => {
    // Prepare
    clock = VirtualClock.install({ start: Date.UTC(2030, 0, 1) });
    const fired: number[] = [];

    // Act
    setTimeout(() => fired.push(Date.now()), 1_500);
    const interval = setInterval(() => fired.push(new Date().getTime()), 1_000);
    await clock.advance(2_000);
    clearInterval(interval);

    // Assess
    expect(clock.mode).toBe('global');
    expect(clock.installed).toBe(true);
    expect(globalThis.setTimeout).not.toBe(realSetTimeout);
    expect(globalThis.Date).not.toBe(RealDate);
    expect(new Date().toISOString()).toBe('2030-01-01T00:00:02.000Z');
    expect(fired.map((t) => t - Date.UTC(2030, 0, 1))).toEqual([1_000, 1_500, 2_000]);

    clock.uninstall();
    expect(clock.installed).toBe(false);
    expect(globalThis.setTimeout).toBe(realSetTimeout);
    expect(globalThis.clearTimeout).toBe(realClearTimeout);
    expect(globalThis.setInterval).toBe(realSetInterval);
    expect(globalThis.Date).toBe(RealDate);
    expect(Date.now()).toBeGreaterThan(Date.UTC(2024, 0, 1));
  });

  it('leaves setImmediate, nextTick and queueMicrotask real', async () => {
    clock = VirtualClock.install();
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => process.nextTick(resolve));
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    expect(clock.pendingTimers()).toBe(0);
  });

  it('replaces Math.random with a seeded source while installed, only if asked', () => {
    // Prepare
    const expected = createRandom(7);

    // Act
    clock = VirtualClock.install({ random: 7 });
    const drawn = [Math.random(), Math.random()];
    clock.uninstall();
    clock = VirtualClock.install();
    const untouched = Math.random;
    clock.uninstall();

    // Assess
    expect(drawn).toEqual([expected(), expected()]);
    expect(untouched).toBe(realRandom);
    expect(Math.random).toBe(realRandom);
  });

  it('takes a RandomSource for Math.random too', () => {
    clock = VirtualClock.install({ random: () => 0.25 });
    expect(Math.random()).toBe(0.25);
  });

  it('drives code that waits on global timers with run()', async () => {
    // Prepare
    clock = VirtualClock.install({ start: 0 });
    const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

    // Act
    const elapsed = await clock.run(async () => {
      const started = Date.now();
      await wait(20_000);
      await clock?.sleep(5_000);
      return Date.now() - started;
    });

    // Assess
    expect(elapsed).toBe(25_000);
  });

  it('allows one installed clock at a time', () => {
    clock = VirtualClock.install();
    expect(() => VirtualClock.install()).toThrow(SimulationError);
    expect(() => VirtualClock.install()).toThrow(/already installed/);
  });

  it('refuses to install over timers another library already fakes', () => {
    vi.useFakeTimers();
    try {
      expect(() => VirtualClock.install()).toThrow(/already faked/);
    } finally {
      vi.useRealTimers();
    }
    expect(globalThis.setTimeout).toBe(realSetTimeout);
  });

  it('leaves the globals untouched when an option is invalid', () => {
    expect(() => VirtualClock.install({ drainTurns: -1 })).toThrow(/drainTurns/);
    expect(globalThis.setTimeout).toBe(realSetTimeout);
  });

  it('refuses to drive after uninstall; uninstall is idempotent', async () => {
    clock = VirtualClock.install();
    clock.uninstall();
    clock.uninstall();
    await expect(clock.advance(1)).rejects.toThrow(/uninstalled/);
  });
});
