import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  SimulationConfigError,
  SimulationDeadlockError,
  SimulationError,
  SimulationLimitError,
} from '../../src/simulation/errors.js';
import { createRandom, randomInt } from '../../src/simulation/random.js';
import { DEFAULT_START_TIME, VirtualClock } from '../../src/simulation/virtual-clock.js';

describe('simulation: VirtualClock basics', () => {
  it('starts at a fixed instant, or where told', () => {
    expect(VirtualClock.create().now()).toBe(DEFAULT_START_TIME);
    expect(VirtualClock.create({ start: 5_000 }).now()).toBe(5_000);
    expect(VirtualClock.create({ start: new Date(7_000) }).now()).toBe(7_000);
    expect(() => VirtualClock.create({ start: Number.NaN })).toThrow(SimulationConfigError);
    expect(() => VirtualClock.create({ drainTurns: 0 })).toThrow(/drainTurns/);
  });

  it('is isolated: global timers and Date stay real', () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });

    // Assess
    expect(clock.mode).toBe('isolated');
    expect(clock.installed).toBe(false);
    expect(Date.now()).toBeGreaterThan(1_600_000_000_000);
    clock.uninstall(); // nothing to restore, still usable
    expect(clock.now()).toBe(0);
  });

  it('advance moves time and fires due timers only', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    const fired: number[] = [];
    clock.schedule(100, () => fired.push(clock.now()));
    clock.schedule(250, () => fired.push(clock.now()));

    // Act
    await clock.advance(200);

    // Assess
    expect(fired).toEqual([100]);
    expect(clock.now()).toBe(200);
    expect(clock.pendingTimers()).toBe(1);
    await clock.advance(50);
    expect(fired).toEqual([100, 250]);
  });

  it('advance also fires timers created on the way for the target time', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    const fired: string[] = [];
    clock.schedule(500, () => {
      fired.push('first');
      clock.schedule(500, () => fired.push('at-target'));
      clock.schedule(501, () => fired.push('after-target'));
    });

    // Act
    await clock.advance(1_000);

    // Assess
    expect(fired).toEqual(['first', 'at-target']);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('advanceTo goes to an absolute time and refuses the past', async () => {
    const clock = VirtualClock.create({ start: 1_000 });
    await clock.advanceTo(new Date(3_000));
    expect(clock.now()).toBe(3_000);
    await expect(clock.advanceTo(2_000)).rejects.toThrow(/at or after now/);
  });

  it('sleep resolves at the virtual deadline, rounding fractions up', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    let wokeAt: number | undefined;
    void clock.sleep(333.3).then(() => (wokeAt = clock.now()));

    // Act
    await clock.advance(333);
    const early = wokeAt;
    await clock.advance(1);

    // Assess
    expect(early).toBeUndefined();
    expect(wokeAt).toBe(334);
  });

  it('sleep(0) and negative sleeps resolve without time passing once driven', async () => {
    const clock = VirtualClock.create({ start: 0 });
    await clock.run(async () => {
      await clock.sleep(0);
      await clock.sleep(-5);
    });
    expect(clock.now()).toBe(0);
  });

  it('sleep rejects with the abort reason, before or during the wait', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    const early = new AbortController();
    early.abort(new Error('cancelled before'));
    const late = new AbortController();
    const sleeping = clock.sleep(1_000, late.signal);

    // Act
    await clock.advance(400);
    late.abort(new Error('cancelled during'));

    // Assess
    await expect(clock.sleep(10, early.signal)).rejects.toThrow('cancelled before');
    await expect(sleeping).rejects.toThrow('cancelled during');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('sleep(Infinity) ends only by abort; invalid sleeps reject', async () => {
    const clock = VirtualClock.create({ start: 0 });
    const controller = new AbortController();
    const forever = clock.sleep(Infinity, controller.signal);
    expect(clock.pendingTimers()).toBe(0);
    controller.abort(new Error('stop'));
    await expect(forever).rejects.toThrow('stop');
    await expect(clock.sleep(2 ** 31)).rejects.toThrow(RangeError);
  });

  it('a sleep that completes ignores a later abort', async () => {
    const clock = VirtualClock.create({ start: 0 });
    const controller = new AbortController();
    const sleeping = clock.sleep(10, controller.signal);
    await clock.advance(10);
    controller.abort(new Error('too late'));
    await expect(sleeping).resolves.toBeUndefined();
  });

  it('schedule and at validate their time; cancel is idempotent', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 100 });
    const fired: string[] = [];
    const handle = clock.at(150, () => fired.push('cancelled'));
    clock.at(new Date(150), () => fired.push('kept'));

    // Act
    handle.cancel();
    handle.cancel();
    await clock.advance(100);

    // Assess
    expect(handle.time).toBe(150);
    expect(fired).toEqual(['kept']);
    expect(() => clock.at(50, () => undefined)).toThrow(/the past/);
    expect(() => clock.schedule(-1, () => undefined)).toThrow(RangeError);
    expect(() => clock.schedule(Number.NaN, () => undefined)).toThrow(RangeError);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
  });

  it('lets promise chains woken by a timer run before time moves on', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    const trace: string[] = [];
    const worker = async (): Promise<void> => {
      await clock.sleep(10);
      trace.push(`a@${clock.now()}`);
      await Promise.resolve();
      await new Promise<void>((resolve) => process.nextTick(resolve));
      trace.push(`b@${clock.now()}`);
      await clock.sleep(10);
      trace.push(`c@${clock.now()}`);
    };
    clock.schedule(15, () => trace.push(`timer@${clock.now()}`));

    // Act
    await clock.run(worker);

    // Assess
    expect(trace).toEqual(['a@10', 'b@10', 'timer@15', 'c@20']);
  });

  it('waits for real file reads instead of calling them a deadlock', async () => {
    // Prepare: one drain turn, so only the I/O wait can carry main across the reads.
    const clock = VirtualClock.create({ start: 0, drainTurns: 1 });

    // Act
    const lengths = await clock.run(async () => {
      const read: number[] = [];
      for (let i = 0; i < 20; i++) {
        read.push((await readFile(new URL(import.meta.url), 'utf8')).length);
        await clock.sleep(5);
      }
      return read;
    });

    // Assess
    expect(lengths).toHaveLength(20);
    expect(clock.now()).toBe(100);
  });
});

describe('simulation: VirtualClock ordering', () => {
  it('fires timers in non-decreasing time, ties in insertion order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ delay: fc.integer({ min: 0, max: 50 }), nested: fc.nat(30) }), {
          minLength: 1,
          maxLength: 40,
        }),
        async (specs) => {
          // Prepare: timers, some of which schedule more timers when they fire.
          const clock = VirtualClock.create({ start: 0, drainTurns: 1 });
          const fired: { time: number; due: number; seq: number }[] = [];
          let seq = 0;
          const add = (delay: number, nested: number | undefined): void => {
            const mySeq = seq++;
            const due = clock.now() + delay;
            clock.schedule(delay, () => {
              fired.push({ time: clock.now(), due, seq: mySeq });
              if (nested !== undefined) add(nested % 7, undefined);
            });
          };
          specs.forEach((spec, i) => add(spec.delay, i % 2 === 0 ? spec.nested : undefined));

          // Act
          await clock.runUntilIdle();

          // Assess
          expect(fired).toHaveLength(seq);
          for (const [i, event] of fired.entries()) {
            expect(event.time).toBe(event.due);
            const previous = fired[i - 1];
            if (previous === undefined) continue;
            expect(event.time).toBeGreaterThanOrEqual(previous.time);
            if (event.time === previous.time) expect(event.seq).toBeGreaterThan(previous.seq);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('produces the same trace for the same seed', async () => {
    const scenario = async (seed: number): Promise<string[]> => {
      const clock = VirtualClock.create();
      const random = createRandom(seed);
      const trace: string[] = [];
      const worker = async (id: number): Promise<void> => {
        for (let step = 0; step < 5; step++) {
          await clock.sleep(randomInt(random, 0, 100));
          trace.push(`${id}:${step}@${clock.now() - DEFAULT_START_TIME}`);
        }
      };
      await clock.run(() => Promise.all([worker(1), worker(2), worker(3)]));
      return trace;
    };
    const first = await scenario(99);
    expect(await scenario(99)).toEqual(first);
    expect(await scenario(100)).not.toEqual(first);
  });
});

describe('simulation: VirtualClock run', () => {
  it('returns the result of main and leaves later timers pending', async () => {
    const clock = VirtualClock.create({ start: 0 });
    clock.schedule(10_000, () => undefined);
    const value = await clock.run(async () => {
      await clock.sleep(1_000);
      return 'done';
    });
    expect(value).toBe('done');
    expect(clock.now()).toBe(1_000);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('accepts a synchronous main and rethrows its error', async () => {
    const clock = VirtualClock.create();
    expect(await clock.run(() => 42)).toBe(42);
    await expect(
      clock.run(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  it('fails with a deadlock error when nothing can wake main', async () => {
    const clock = VirtualClock.create();
    const never = new Promise<void>(() => undefined);
    await expect(clock.run(() => never)).rejects.toThrow(SimulationDeadlockError);
    await expect(clock.run(() => never)).rejects.toThrow(/no virtual timer is left/);
  });

  it('fails with a limit error past maxVirtualMs', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    const poll = async (): Promise<void> => {
      for (;;) await clock.sleep(1_000);
    };

    // Act
    const running = clock.run(poll, { maxVirtualMs: 60_000 });

    // Assess
    await expect(running).rejects.toThrow(SimulationLimitError);
    await expect(running).rejects.toThrow(/within 60000 ms of virtual time/);
    expect(clock.now()).toBe(60_000);
  });

  it('fails with a limit error past maxTimers', async () => {
    const clock = VirtualClock.create({ start: 0 });
    const busy = async (): Promise<void> => {
      for (;;) await clock.sleep(1);
    };
    await expect(clock.run(busy, { maxTimers: 50 })).rejects.toThrow(/limit of timers/);
    await expect(clock.run(busy, { maxTimers: 0 })).rejects.toThrow(SimulationConfigError);
    await expect(clock.run(busy, { maxVirtualMs: -1 })).rejects.toThrow(RangeError);
  });

  it('surfaces a failing scheduled callback through the driving call', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    clock.schedule(10, () => {
      throw new Error('sync failure');
    });
    clock.schedule(20, () => Promise.reject(new Error('async failure')));

    // Act + Assess
    await expect(clock.advance(15)).rejects.toThrow('sync failure');
    expect(clock.pendingTimers()).toBe(1); // only the 20 ms callback, no leftover marker
    await expect(clock.runUntilIdle()).rejects.toThrow('async failure');
  });

  it('refuses overlapping drives', async () => {
    const clock = VirtualClock.create({ start: 0 });
    clock.schedule(10, () => undefined);
    const first = clock.advance(100);
    await expect(clock.advance(10)).rejects.toThrow(SimulationError);
    await expect(clock.advance(10)).rejects.toThrow(/already being driven/);
    await first;
  });

  it('runUntilIdle stops a never-ending interval at maxTimers', async () => {
    const clock = VirtualClock.create({ start: 0 });
    const tick = (): void => {
      clock.schedule(10, tick);
    };
    tick();
    await expect(clock.runUntilIdle({ maxTimers: 100 })).rejects.toThrow(/never stops/);
    expect(clock.now()).toBe(1_000);
  });

  it('advance stops a zero-delay loop at maxTimers', async () => {
    const clock = VirtualClock.create({ start: 0 });
    const spin = (): void => {
      clock.schedule(0, spin);
    };
    clock.schedule(5, spin);
    await expect(clock.advance(10, { maxTimers: 100 })).rejects.toThrow(SimulationLimitError);
  });
});
