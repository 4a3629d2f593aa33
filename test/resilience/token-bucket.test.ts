import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/resilience/clock.js';
import { RateLimitTimeoutError, ResilienceConfigError } from '../../src/resilience/errors.js';
import { TokenBucket } from '../../src/resilience/token-bucket.js';
import { flushMicrotasks, TestClock } from './helpers/test-clock.js';

const TOLERANCE = 1e-6;

interface Grant {
  readonly at: number;
  readonly tokens: number;
}

/** Largest number of tokens granted inside any closed window, minus what the bound allows. */
function worstWindowExcess(grants: Grant[], capacity: number, ratePerSecond: number): number {
  const sorted = [...grants].sort((a, b) => a.at - b.at);
  let worst = -Infinity;
  for (let i = 0; i < sorted.length; i += 1) {
    let sum = 0;
    for (let j = i; j < sorted.length; j += 1) {
      sum += sorted[j].tokens;
      const span = sorted[j].at - sorted[i].at;
      worst = Math.max(worst, sum - (capacity + (ratePerSecond * span) / 1000));
    }
  }
  return worst;
}

const bucketShape = fc.record({
  ratePerSecond: fc.double({ min: 0.5, max: 50, noNaN: true }),
  capacity: fc.integer({ min: 1, max: 20 }),
});

type Op =
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'try'; readonly share: number }
  | { readonly kind: 'acquire'; readonly share: number; readonly timeoutMs: number | undefined };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3_000 }) }),
  fc.record({
    kind: fc.constant('try' as const),
    share: fc.double({ min: 0.01, max: 1, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('acquire' as const),
    share: fc.double({ min: 0.01, max: 1, noNaN: true }),
    timeoutMs: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: undefined }),
  }),
);

describe('resilience: TokenBucket invariants', () => {
  it('never holds fewer than 0 or more than capacity tokens, and grants at most capacity + rate·t in any window t', async () => {
    await fc.assert(
      fc.asyncProperty(bucketShape, fc.array(op, { maxLength: 40 }), async (shape, ops) => {
        // Prepare
        const clock = new TestClock();
        const bucket = new TokenBucket({ ...shape, clock });
        const grants: Grant[] = [];
        const pending: Promise<unknown>[] = [];
        const check = (): void => {
          const tokens = bucket.availableTokens();
          expect(tokens).toBeGreaterThanOrEqual(0);
          expect(tokens).toBeLessThanOrEqual(shape.capacity);
        };

        // Act
        for (const step of ops) {
          if (step.kind === 'advance') {
            await clock.advance(step.ms);
          } else {
            const tokens = Math.max(0.01, step.share * shape.capacity);
            if (step.kind === 'try') {
              if (bucket.tryAcquire(tokens)) grants.push({ at: clock.now(), tokens });
            } else {
              const startedAt = clock.now();
              pending.push(
                bucket.acquire({ tokens, timeoutMs: step.timeoutMs }).then(
                  (waitedMs) => grants.push({ at: startedAt + waitedMs, tokens }),
                  (error: unknown) => expect(error).toBeInstanceOf(RateLimitTimeoutError),
                ),
              );
            }
          }
          check();
        }
        await clock.runAll();
        await Promise.all(pending);

        // Assess
        check();
        expect(bucket.queueLength).toBe(0);
        expect(worstWindowExcess(grants, shape.capacity, shape.ratePerSecond)).toBeLessThanOrEqual(
          TOLERANCE,
        );
      }),
      { numRuns: 150 },
    );
  });
});

describe('resilience: TokenBucket fairness', () => {
  it('serves concurrent acquirers in FIFO order, sleeping at most once per waiter', async () => {
    await fc.assert(
      fc.asyncProperty(
        bucketShape,
        fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 1, maxLength: 25 }),
        async (shape, shares) => {
          // Prepare: an empty bucket, so everybody must queue.
          const clock = new TestClock();
          const bucket = new TokenBucket({ ...shape, clock, initialTokens: 0 });
          const served: number[] = [];

          // Act: the first waiter asks for the whole bucket, so the queue outlives 1 ms.
          const all = [1, ...shares].map((share, index) =>
            bucket
              .acquire({ tokens: share * shape.capacity })
              .then((waitedMs) => served.push(index) && waitedMs),
          );
          // Nobody may jump the queue, even for a tiny request, while tokens accumulate.
          await clock.advance(1);
          const jumped = bucket.tryAcquire(0.001);
          await clock.runAll();
          const waited = await Promise.all(all);

          // Assess
          expect(jumped).toBe(false);
          expect(served).toEqual([1, ...shares].map((_, index) => index));
          expect(waited).toEqual([...waited].sort((a, b) => a - b));
          expect(clock.sleeps.length).toBeLessThanOrEqual(shares.length + 1);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('lets tryAcquire succeed again once the queue is empty', async () => {
    // Prepare
    const clock = new TestClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 2, clock, initialTokens: 0 });
    const waiter = bucket.acquire({ tokens: 2 });

    // Act
    await clock.advance(1_000);
    const whileQueued = bucket.tryAcquire(1);
    await clock.advance(1_000);
    const waitedMs = await waiter;
    await clock.advance(1_000);
    const afterwards = bucket.tryAcquire(1);

    // Assess
    expect(whileQueued).toBe(false);
    expect(waitedMs).toBe(2_000);
    expect(afterwards).toBe(true);
  });
});

describe('resilience: TokenBucket timeouts and aborts', () => {
  it('rejects a waiter at its timeout, removes it from the queue and serves the others in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        bucketShape,
        fc.array(
          fc.record({
            share: fc.double({ min: 0.01, max: 1, noNaN: true }),
            timeoutMs: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        async (shape, waiters) => {
          // Prepare
          const clock = new TestClock();
          const bucket = new TokenBucket({
            ...shape,
            clock,
            initialTokens: 0,
            name: 'drs:eu-west-1',
          });
          const served: number[] = [];
          const timedOut: number[] = [];

          // Act
          const all = waiters.map(({ share, timeoutMs }, index) =>
            bucket.acquire({ tokens: share * shape.capacity, timeoutMs }).then(
              () => served.push(index),
              (error: unknown) => {
                expect(error).toBeInstanceOf(RateLimitTimeoutError);
                const timeout = error as RateLimitTimeoutError;
                expect(timeout.name).toBe('RateLimitTimeoutError');
                expect(timeout.limiterName).toBe('drs:eu-west-1');
                expect(timeout.timeoutMs).toBe(timeoutMs);
                expect(timeout.waitedMs).toBe(timeoutMs);
                timedOut.push(index);
              },
            ),
          );
          await clock.runAll();
          await Promise.all(all);

          // Assess
          expect(bucket.queueLength).toBe(0);
          expect(clock.pendingTimers()).toBe(0);
          expect([...served, ...timedOut].sort((a, b) => a - b)).toEqual(waiters.map((_, i) => i));
          expect(served).toEqual([...served].sort((a, b) => a - b));
          for (const index of timedOut) expect(waiters[index]?.timeoutMs).toBeDefined();
        },
      ),
      { numRuns: 100 },
    );
  });

  it('does not consume the tokens of a waiter that timed out', async () => {
    // Prepare
    const clock = new TestClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 1, clock, initialTokens: 0 });
    const gaveUp = bucket.acquire({ timeoutMs: 500 }).catch((error: unknown) => error);

    // Act
    await clock.advance(500);
    const error = await gaveUp;
    await clock.advance(500);

    // Assess
    expect(error).toBeInstanceOf(RateLimitTimeoutError);
    expect(bucket.queueLength).toBe(0);
    expect(bucket.availableTokens()).toBeCloseTo(1, 9);
    expect(bucket.tryAcquire()).toBe(true);
  });

  it('serves the next waiter as soon as the head leaves, not when the head would have been served', async () => {
    // Prepare: head needs the full bucket (10 s), the second only one token (1 s).
    const clock = new TestClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 10, clock, initialTokens: 0 });
    const head = bucket.acquire({ tokens: 10, timeoutMs: 2_000 }).catch(() => 'timed out');
    const second = bucket.acquire({ tokens: 1 });

    // Act
    await clock.advance(2_000);

    // Assess: at the head's timeout two tokens were there, so the second is served at once.
    await expect(head).resolves.toBe('timed out');
    await expect(second).resolves.toBe(2_000);
  });

  it('fails at once with timeoutMs 0 when no token is free, and succeeds when one is', async () => {
    const clock = new TestClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 1, clock });

    await expect(bucket.acquire({ timeoutMs: 0 })).resolves.toBe(0);
    const error = await bucket.acquire({ timeoutMs: 0 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RateLimitTimeoutError);
    expect((error as RateLimitTimeoutError).waitedMs).toBe(0);
    expect(bucket.queueLength).toBe(0);
  });

  it('removes an aborted waiter and rejects it with the abort reason', async () => {
    // Prepare
    const clock = new TestClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 1, clock, initialTokens: 0 });
    const controller = new AbortController();
    const aborted = bucket.acquire({ signal: controller.signal }).catch((e: unknown) => e);
    const next = bucket.acquire();

    // Act
    await clock.advance(400);
    controller.abort(new Error('caller gave up'));
    await clock.advance(600);

    // Assess
    expect(((await aborted) as Error).message).toBe('caller gave up');
    await expect(next).resolves.toBe(1_000);
    expect(bucket.queueLength).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 1, clock: new TestClock() });
    const signal = AbortSignal.abort(new Error('already'));

    await expect(bucket.acquire({ signal })).rejects.toThrow('already');
    expect(bucket.availableTokens()).toBe(1);
  });

  it('rejects every waiter if the clock itself fails while the bucket waits', async () => {
    // Prepare: a clock whose sleep breaks.
    const broken: Clock = {
      now: () => 0,
      sleep: () => Promise.reject(new Error('clock is gone')),
    };
    const bucket = new TokenBucket({
      ratePerSecond: 1,
      capacity: 1,
      clock: broken,
      initialTokens: 0,
    });

    // Act
    const results = await Promise.allSettled([bucket.acquire(), bucket.acquire()]);
    await flushMicrotasks();

    // Assess
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(bucket.queueLength).toBe(0);
  });
  it('tolerates a clock that resolves sleeps even after their signal aborted', async () => {
    // Prepare: the clock never cancels a timer, so the served waiter's timeout still fires.
    const inner = new TestClock();
    const deaf: Clock = { now: () => inner.now(), sleep: (ms) => inner.sleep(ms) };
    const bucket = new TokenBucket({
      ratePerSecond: 1,
      capacity: 1,
      clock: deaf,
      initialTokens: 0,
    });
    const served = bucket.acquire({ timeoutMs: 5_000 });

    // Act
    await inner.runAll();

    // Assess
    await expect(served).resolves.toBe(1_000);
    expect(bucket.queueLength).toBe(0);
  });
});

describe('resilience: TokenBucket refill', () => {
  it('refills from elapsed clock time, up to capacity', async () => {
    const clock = new TestClock();
    const bucket = new TokenBucket({ ratePerSecond: 4, capacity: 10, clock, initialTokens: 0 });

    await clock.advance(500);
    expect(bucket.availableTokens()).toBeCloseTo(2, 9);
    await clock.advance(60_000);
    expect(bucket.availableTokens()).toBe(10);
  });

  it('adds nothing when the clock steps backwards', () => {
    let now = 10_000;
    const clock: Clock = { now: () => now, sleep: () => Promise.resolve() };
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 5, clock, initialTokens: 1 });

    now = 5_000;
    expect(bucket.availableTokens()).toBe(1);
    now = 11_000;
    expect(bucket.availableTokens()).toBe(2);
  });

  it('starts full by default and is named', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 3, clock: new TestClock() });
    expect(bucket.availableTokens()).toBe(3);
    expect(bucket.name).toBe('token-bucket');
  });
});

describe('resilience: TokenBucket validation', () => {
  it.each([
    [{ ratePerSecond: 0, capacity: 1 }, /ratePerSecond must be a finite number > 0, got 0/],
    [{ ratePerSecond: Number.NaN, capacity: 1 }, /ratePerSecond/],
    [{ ratePerSecond: 1, capacity: -1 }, /capacity must be a finite number > 0, got -1/],
    [{ ratePerSecond: 1, capacity: Infinity }, /capacity/],
    [
      { ratePerSecond: 1, capacity: 2, initialTokens: 3 },
      /initialTokens must be between 0 and capacity \(2\), got 3/,
    ],
    [{ ratePerSecond: 1, capacity: 2, initialTokens: -1 }, /initialTokens/],
  ])('rejects %o', (options, message) => {
    expect(() => new TokenBucket(options)).toThrow(ResilienceConfigError);
    expect(() => new TokenBucket(options)).toThrow(message);
  });

  it('rejects requests that could never be granted or make no sense', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 2, clock: new TestClock() });

    expect(() => bucket.tryAcquire(3)).toThrow(/tokens must be > 0 and <= capacity \(2\), got 3/);
    expect(() => bucket.tryAcquire(0)).toThrow(ResilienceConfigError);
    await expect(bucket.acquire({ tokens: Number.NaN })).rejects.toThrow(ResilienceConfigError);
    await expect(bucket.acquire({ timeoutMs: -5 })).rejects.toThrow(
      /timeoutMs must be a finite number >= 0, got -5/,
    );
  });
});
