import { createClock, install } from '@sinonjs/fake-timers';
import type { Clock as FakeClock, TimerId } from '@sinonjs/fake-timers';
import type { Clock, RandomSource } from '../resilience/clock.js';
import {
  SimulationConfigError,
  SimulationDeadlockError,
  SimulationError,
  SimulationLimitError,
} from './errors.js';
import { createRandom, type Seed } from './random.js';

/**
 * Node runs a timer whose delay is below 1 ms (or not a number, or above the maximum) after
 * 1 ms; fake-timers, outside its own tick, runs it at once. Code that polls with fractional
 * delays (the SDK's adaptive rate limiter sleeps `deficit / rate` seconds) would then spin at
 * one instant without ever moving time, so the faked globals get Node's rule back.
 */
export function nodeTimerDelay(delay: unknown): number {
  const ms = Number(delay);
  return ms >= 1 && ms <= MAX_TIMER_DELAY_MS ? ms : 1;
}

function applyNodeTimerDelays(): void {
  const fakeSetTimeout = globalThis.setTimeout as (...args: unknown[]) => unknown;
  const fakeSetInterval = globalThis.setInterval as (...args: unknown[]) => unknown;
  const wrappedTimeout = (handler: unknown, delay?: unknown, ...args: unknown[]): unknown =>
    fakeSetTimeout(handler, nodeTimerDelay(delay), ...args);
  const wrappedInterval = (handler: unknown, delay?: unknown, ...args: unknown[]): unknown =>
    fakeSetInterval(handler, nodeTimerDelay(delay), ...args);
  globalThis.setTimeout = wrappedTimeout as unknown as typeof setTimeout;
  globalThis.setInterval = wrappedInterval as unknown as typeof setInterval;
}

/**
 * Virtual time for the simulation, built on @sinonjs/fake-timers so that the same timer heap can
 * serve two modes:
 *
 * - isolated (`VirtualClock.create()`): only code that is handed this Clock sees virtual time.
 *   Global `setTimeout` and `Date` stay real. Use it for the kit's own code, which takes a Clock.
 * - global (`VirtualClock.install()`): `setTimeout`/`setInterval`/their clears and `Date` are
 *   replaced while installed, and optionally `Math.random`. Use it when code you do not own
 *   waits on global timers, e.g. the AWS SDK's own retry strategies, so they run in virtual time.
 *   `uninstall()` restores the real ones. `setImmediate`, `process.nextTick` and
 *   `queueMicrotask` are never faked: the clock uses them to let promise chains progress.
 *
 * The clock only moves when driven (`advance`, `runUntilIdle`, `run`). Timers fire one at a time
 * in (time, insertion) order, and after each one the pending promise jobs are drained, so an
 * async chain woken by a timer reaches its next wait before time moves on. Pending real file and
 * DNS requests (the SDK reading its config files) are waited for too, so the disk's speed cannot
 * reorder virtual events.
 *
 * The driving loop is ours (fake-timers' `next()` plus our own drain) rather than fake-timers'
 * `tickAsync`/`runAllAsync`: we need a virtual-time limit and deadlock detection for `run`, and
 * callbacks scheduled through this clock must run outside fake-timers' tick so that a zero delay
 * means "now" (inside its tick fake-timers turns 0 into 1 ms, as browsers do).
 */

/** Where virtual time starts unless told otherwise: a fixed instant, so traces are identical. */
export const DEFAULT_START_TIME = Date.UTC(2025, 0, 1);
/** Default bound of `run()` in virtual time: one day. */
export const DEFAULT_MAX_VIRTUAL_MS = 24 * 60 * 60 * 1000;
/** Default bound on timers fired by one `run()`/`advance()`/`runUntilIdle()` call. */
export const DEFAULT_MAX_TIMERS = 100_000;
/** Largest delay a timer can have (Node and fake-timers turn anything above into 1 ms). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** Methods faked in global mode. Never nextTick/setImmediate/queueMicrotask (see above). */
const FAKED_GLOBALS = [
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'Date',
] as const;

// Captured at load so draining keeps working whatever is installed later.
const realSetImmediate = globalThis.setImmediate;

/** How long `settle` waits in real time for file or DNS requests before giving up. */
export const MAX_REAL_IO_WAIT_MS = 10_000;

/**
 * Pending file-system, DNS and crypto-job requests (names as `process.getActiveResourcesInfo`
 * reports them; `CloseReq` is a file handle closing, the last step of `fs.promises.readFile`).
 * The SDK reads shared config files on a client's first call; until they are read, the code
 * waits on real I/O, and virtual time must not move meanwhile, or the order of events would
 * depend on the disk. Sockets, pipes and other long-lived handles are not counted.
 */
const REAL_IO_REQUEST =
  /^(FSReq\w*|CloseReq|FileHandleCloseReq|GetAddrInfoReqWrap|GetNameInfoReqWrap|QueryReqWrap|\w+Job)$/;

function activeResources(): string {
  if (typeof process.getActiveResourcesInfo !== 'function') return 'unknown';
  return process.getActiveResourcesInfo().join(', ') || 'none';
}

function hasPendingRealIo(): boolean {
  // Experimental in Node 20/22 but present since 17.3; without it we cannot see I/O to wait for.
  if (typeof process.getActiveResourcesInfo !== 'function') return false;
  return process.getActiveResourcesInfo().some((resource) => REAL_IO_REQUEST.test(resource));
}

/** The one clock installed on the globals, if any (two would fight over `setTimeout`). */
let installedClock: VirtualClock | undefined;

export interface VirtualClockOptions {
  /**
   * Virtual time at start, in ms since the epoch or as a Date.
   * @default DEFAULT_START_TIME (2025-01-01T00:00:00Z)
   */
  readonly start?: number | Date;
  /**
   * Event-loop turns (`setImmediate`) granted after each timer for promise jobs to run. One turn
   * runs every pending promise job and `nextTick`; raise it only for code that itself yields
   * with `setImmediate` several times in a row.
   * @default 2
   */
  readonly drainTurns?: number;
}

export interface GlobalVirtualClockOptions extends VirtualClockOptions {
  /**
   * Replace `Math.random` while installed, with a seeded source (give a seed) or your own, so
   * the jitter of code you do not own (the SDK's backoff) is deterministic too.
   * @default - `Math.random` is left alone
   */
  readonly random?: Seed | RandomSource;
}

export interface RunOptions {
  /**
   * Fail with `SimulationLimitError` if `main` has not settled after this much virtual time.
   * @default DEFAULT_MAX_VIRTUAL_MS (one day)
   */
  readonly maxVirtualMs?: number;
  /**
   * Fail with `SimulationLimitError` after firing this many timers (a runaway interval).
   * @default DEFAULT_MAX_TIMERS
   */
  readonly maxTimers?: number;
}

export interface DriveOptions {
  /** @default DEFAULT_MAX_TIMERS */
  readonly maxTimers?: number;
}

/** A scheduled callback; `cancel()` is idempotent and harmless after the timer fired. */
export interface TimerHandle {
  /** Virtual time at which the callback is due. */
  readonly time: number;
  cancel(): void;
}

export type VirtualClockMode = 'isolated' | 'global';

function toEpochMs(start: number | Date | undefined): number {
  const value = start instanceof Date ? start.getTime() : (start ?? DEFAULT_START_TIME);
  if (!Number.isFinite(value)) {
    throw new SimulationConfigError(`VirtualClock start must be a finite time, got ${value}.`);
  }
  return value;
}

function resolveOptions(options: VirtualClockOptions): { start: number; drainTurns: number } {
  return {
    start: toEpochMs(options.start),
    drainTurns: checkLimit('drainTurns', options.drainTurns ?? 2),
  };
}

function checkDelay(what: string, delayMs: number): number {
  if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > MAX_TIMER_DELAY_MS) {
    throw new RangeError(
      `${what} needs a delay in [0, ${MAX_TIMER_DELAY_MS}] ms, got ${delayMs}; ` +
        'split longer waits into steps.',
    );
  }
  // Round up: a timer must never fire before its time (a token bucket's 333.3 ms refill wait
  // rounded down would find 0.999 tokens and spin).
  return Math.ceil(delayMs);
}

function checkLimit(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SimulationConfigError(`${name} must be a positive integer, got ${value}.`);
  }
  return value;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export class VirtualClock implements Clock {
  /** A clock that only code holding it sees; global timers and `Date` stay real. */
  static create(options: VirtualClockOptions = {}): VirtualClock {
    const { start, drainTurns } = resolveOptions(options);
    return new VirtualClock(createClock(start), 'isolated', drainTurns, () => undefined);
  }

  /**
   * Installs virtual time on the globals (`setTimeout`, `setInterval`, their clears, `Date`, and
   * `Math.random` if `random` is given). Call `uninstall()` when done, e.g. in `afterEach`.
   */
  static install(options: GlobalVirtualClockOptions = {}): VirtualClock {
    if (installedClock !== undefined) {
      throw new SimulationError(
        'A global VirtualClock is already installed; call uninstall() on it before installing another.',
      );
    }
    // Validate everything before touching the globals, so a bad option leaves nothing faked.
    const { start, drainTurns } = resolveOptions(options);
    const random =
      options.random === undefined || typeof options.random === 'function'
        ? options.random
        : createRandom(options.random);
    let fake: FakeClock & { uninstall: () => void };
    try {
      fake = install({ now: start, toFake: [...FAKED_GLOBALS] });
    } catch (error) {
      throw new SimulationError(
        'Could not install the global VirtualClock: the timers are already faked ' +
          '(another fake-timers install, or vi.useFakeTimers()); restore them first.',
        { cause: error },
      );
    }
    applyNodeTimerDelays();
    const originalRandom = Math.random;
    if (random !== undefined) Math.random = random;
    const clock = new VirtualClock(fake, 'global', drainTurns, () => {
      // fake-timers restores the real setTimeout/setInterval, replacing our wrappers too.
      fake.uninstall();
      Math.random = originalRandom;
    });
    installedClock = clock;
    return clock;
  }

  readonly mode: VirtualClockMode;
  private readonly drainTurns: number;
  /** Callback due from the timer that `fake.next()` just fired, run outside fake-timers' tick. */
  private dueTask: (() => unknown) | undefined;
  private readonly failures: unknown[] = [];
  private driving = false;
  private uninstalled = false;

  private constructor(
    private readonly fake: FakeClock,
    mode: VirtualClockMode,
    drainTurns: number,
    private readonly restore: () => void,
  ) {
    this.mode = mode;
    this.drainTurns = drainTurns;
  }

  /** Virtual milliseconds since the epoch. */
  now(): number {
    return this.fake.now;
  }

  /** True for a global clock until `uninstall()`; an isolated clock is never installed. */
  get installed(): boolean {
    return this.mode === 'global' && !this.uninstalled;
  }

  /**
   * Resolves when virtual time reaches now + `ms`; rejects with `signal.reason` on abort.
   * `Infinity` waits for the abort alone. Fractions of a millisecond round up.
   */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const delay = ms === Infinity ? Infinity : checkDelay('sleep', Math.max(0, ms));
    return new Promise<void>((resolve, reject) => {
      let id: TimerId | undefined;
      const onAbort = (): void => {
        if (id !== undefined) this.fake.clearTimeout(id);
        reject(signal?.reason as Error);
      };
      if (delay !== Infinity) {
        id = this.fake.setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, delay);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Calls `fn` after `delayMs` of virtual time. If `fn` throws or its promise rejects, the call
   * that is driving the clock (`advance`, `run`, `runUntilIdle`) fails with that error.
   */
  schedule(delayMs: number, fn: () => unknown): TimerHandle {
    const delay = checkDelay('schedule', delayMs);
    const id = this.fake.setTimeout(() => {
      this.dueTask = fn;
    }, delay);
    let cancelled = false;
    return {
      time: this.fake.now + delay,
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        this.fake.clearTimeout(id);
      },
    };
  }

  /** Calls `fn` at virtual time `time` (not in the past). */
  at(time: number | Date, fn: () => unknown): TimerHandle {
    const when = time instanceof Date ? time.getTime() : time;
    if (!(when >= this.fake.now)) {
      throw new RangeError(
        `at() needs a time at or after now (${this.fake.now}), got ${when}: the past cannot be scheduled.`,
      );
    }
    return this.schedule(when - this.fake.now, fn);
  }

  /** Timers waiting to fire (in global mode, every faked global timer counts). */
  pendingTimers(): number {
    return this.fake.countTimers();
  }

  /**
   * Moves virtual time forward by `ms`, firing every timer due by then in order, including the
   * ones that callbacks schedule on the way, and draining promise jobs after each.
   */
  async advance(ms: number, options: DriveOptions = {}): Promise<void> {
    const delay = checkDelay('advance', ms);
    const maxTimers = checkLimit('maxTimers', options.maxTimers ?? DEFAULT_MAX_TIMERS);
    await this.drive(async () => {
      const budget = { left: maxTimers, what: `advance(${ms})` };
      await this.settle();
      // A marker timer at the target: every timer before it (time, then insertion) is due.
      await this.fireThroughMarker(delay, budget);
      // Then the ones created during the advance for exactly the target time, which sort after
      // the marker. Repeat until a pass finds none.
      for (;;) {
        const fired = await this.fireThroughMarker(0, budget);
        if (fired === 0) return;
      }
    });
  }

  /** Moves virtual time forward to `time` (see `advance`). */
  async advanceTo(time: number | Date, options: DriveOptions = {}): Promise<void> {
    const when = time instanceof Date ? time.getTime() : time;
    if (!(when >= this.fake.now)) {
      throw new RangeError(
        `advanceTo() needs a time at or after now (${this.fake.now}), got ${when}.`,
      );
    }
    await this.advance(when - this.fake.now, options);
  }

  /** Fires timers until none is left. Fails on a never-ending interval (see `maxTimers`). */
  async runUntilIdle(options: DriveOptions = {}): Promise<void> {
    const maxTimers = checkLimit('maxTimers', options.maxTimers ?? DEFAULT_MAX_TIMERS);
    await this.drive(async () => {
      const budget = { left: maxTimers, what: 'runUntilIdle()' };
      await this.settle();
      while (this.fake.countTimers() > 0) {
        await this.fireNext(budget);
      }
    });
  }

  /**
   * Runs `main` and drives virtual time until it settles, then returns its result (or throws
   * its error). Fails with `SimulationDeadlockError` if `main` is pending with no timer left to
   * wake it (it waits on something that is not virtual: real I/O, a real timer, a promise that
   * nothing resolves), and with `SimulationLimitError` past `maxVirtualMs` or `maxTimers`.
   * Timers still pending when `main` settles stay pending.
   */
  async run<T>(main: () => T | Promise<T>, options: RunOptions = {}): Promise<T> {
    const maxVirtualMs = options.maxVirtualMs ?? DEFAULT_MAX_VIRTUAL_MS;
    checkDelay('run maxVirtualMs', maxVirtualMs);
    const maxTimers = checkLimit('maxTimers', options.maxTimers ?? DEFAULT_MAX_TIMERS);
    return this.drive(async () => {
      const startedAt = this.fake.now;
      let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
      void Promise.resolve()
        .then(main)
        .then(
          (value) => (outcome = { ok: true, value }),
          (error: unknown) => (outcome = { ok: false, error }),
        );
      let limitReached = false;
      const limitTimer = this.fake.setTimeout(() => {
        limitReached = true;
      }, Math.ceil(maxVirtualMs));
      const budget = { left: maxTimers, what: 'run()' };
      try {
        for (;;) {
          await this.settle();
          const result = outcome;
          if (result !== undefined) {
            if (result.ok) return result.value;
            throw result.error;
          }
          if (limitReached) {
            throw new SimulationLimitError(
              `run(): main did not settle within ${maxVirtualMs} ms of virtual time ` +
                `(from ${new Date(startedAt).toISOString()}); ${this.fake.countTimers()} timers ` +
                'still pending. Raise maxVirtualMs if the scenario really takes that long.',
            );
          }
          if (this.fake.countTimers() <= 1) {
            throw new SimulationDeadlockError(
              `run(): main is still pending at ${new Date(this.fake.now).toISOString()} but no ` +
                'virtual timer is left to wake it. It waits on something the VirtualClock does ' +
                'not drive: a promise nothing resolves, a real timer (isolated mode), or the ' +
                'network (an SDK client resolving region or credentials from instance metadata: ' +
                `use createSimulatedClient or mountModel). Node resources: ${activeResources()}.`,
            );
          }
          this.fireOne(budget);
        }
      } finally {
        this.fake.clearTimeout(limitTimer);
      }
    });
  }

  /**
   * Restores the real globals (global mode). Idempotent; an isolated clock has nothing to
   * restore. Pending virtual timers are dropped with the fake clock.
   */
  uninstall(): void {
    if (!this.installed) return;
    this.uninstalled = true;
    if (installedClock === this) installedClock = undefined;
    this.restore();
  }

  private async drive<T>(body: () => Promise<T>): Promise<T> {
    if (this.uninstalled) {
      throw new SimulationError('This VirtualClock was uninstalled; create or install a new one.');
    }
    if (this.driving) {
      throw new SimulationError(
        'The VirtualClock is already being driven (advance/run/runUntilIdle cannot overlap): ' +
          'await the previous call, and do not drive the clock from a timer callback.',
      );
    }
    this.driving = true;
    try {
      return await body();
    } finally {
      this.driving = false;
    }
  }

  /** Fires timers until a marker placed `delay` ms ahead fires; returns how many others fired. */
  private async fireThroughMarker(
    delay: number,
    budget: { left: number; what: string },
  ): Promise<number> {
    let reached = false;
    const marker = this.fake.setTimeout(() => {
      reached = true;
    }, delay);
    let fired = 0;
    try {
      for (;;) {
        await this.fireNext(budget);
        if (reached) return fired;
        fired++;
      }
    } finally {
      // When a callback failed on the way, the marker must not linger as a pending timer.
      if (!reached) this.fake.clearTimeout(marker);
    }
  }

  private async fireNext(budget: { left: number; what: string }): Promise<void> {
    this.fireOne(budget);
    await this.settle();
  }

  /** Fires the earliest timer; a callback scheduled through `schedule`/`at` runs right after. */
  private fireOne(budget: { left: number; what: string }): void {
    if (budget.left <= 0) {
      throw new SimulationLimitError(
        `${budget.what} fired its limit of timers and timers remain at ` +
          `${new Date(this.fake.now).toISOString()}: an interval or a self-rescheduling timer ` +
          'never stops. Bound the scenario in time (advance, run with maxVirtualMs) or raise maxTimers.',
      );
    }
    budget.left--;
    this.dueTask = undefined;
    this.fake.next();
    const task = this.dueTask as (() => unknown) | undefined;
    this.dueTask = undefined;
    if (task === undefined) return;
    try {
      const result = task();
      if (isPromiseLike(result)) {
        void Promise.resolve(result).catch((error: unknown) => this.failures.push(error));
      }
    } catch (error) {
      this.failures.push(error);
    }
  }

  /**
   * Lets pending promise jobs run, and waits (in real time) for pending file/DNS requests and
   * what they wake, then surfaces the first callback failure, if any.
   */
  private async settle(): Promise<void> {
    const giveUpAt = performance.now() + MAX_REAL_IO_WAIT_MS;
    for (;;) {
      for (let turn = 0; turn < this.drainTurns; turn++) {
        await new Promise<void>((resolve) => realSetImmediate(resolve));
      }
      if (!hasPendingRealIo()) break;
      if (performance.now() > giveUpAt) {
        throw new SimulationError(
          `Waited ${MAX_REAL_IO_WAIT_MS} ms of real time for file or DNS requests to finish; ` +
            'the simulation expects no slow real I/O.',
        );
      }
    }
    if (this.failures.length > 0) {
      const [first] = this.failures.splice(0, this.failures.length);
      throw first;
    }
  }
}
