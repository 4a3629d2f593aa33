import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { InMemoryMetricRecorder } from '../../src/observability/metrics.js';
import { ResilienceConfigError, RetryExhaustedError } from '../../src/resilience/errors.js';
import { ResilienceMetricNames } from '../../src/resilience/metric-names.js';
import { runWithRetry, withRetry, type RetryEvent } from '../../src/resilience/retry.js';
import { drive } from './helpers/drive.js';
import { errorCase, specSaysRetry, toError } from './helpers/error-cases.js';
import { recordingLogger } from './helpers/recording-logger.js';
import { nodeError, sdkError } from './helpers/sdk-errors.js';
import { TestClock } from './helpers/test-clock.js';

const throttle = (): Error => sdkError({ name: 'ThrottlingException', status: 429 });

/** A function that fails with `errors[i]` on attempt i + 1, then returns 'ok'. */
function failing(errors: unknown[]) {
  const fn = vi.fn((attempt: number) =>
    attempt <= errors.length ? Promise.reject(errors[attempt - 1] as Error) : Promise.resolve('ok'),
  );
  return fn;
}

const retryConfig = fc
  .record({
    maxRetries: fc.nat({ max: 8 }),
    baseDelayMs: fc.integer({ min: 0, max: 2_000 }),
    extra: fc.integer({ min: 0, max: 30_000 }),
    jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ extra, ...rest }) => ({ ...rest, maxDelayMs: rest.baseDelayMs + extra }));

describe('resilience: withRetry decides by error', () => {
  it('retries exactly the retryable errors, and rethrows the others unchanged at once', async () => {
    await fc.assert(
      fc.asyncProperty(errorCase, fc.integer({ min: 1, max: 3 }), async (c, failures) => {
        // Prepare
        const clock = new TestClock();
        const errors = Array.from({ length: failures }, () => toError(c));
        const fn = failing(errors);

        // Act
        const result = await drive(
          clock,
          withRetry('Op', fn, { clock, env: {}, maxRetries: 3 }).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          ),
        );

        // Assess
        if (specSaysRetry(c)) {
          expect(result).toEqual({ value: 'ok' });
          expect(fn).toHaveBeenCalledTimes(failures + 1);
          expect(clock.sleeps).toHaveLength(failures);
        } else {
          expect(result).toEqual({ error: errors[0] });
          expect((result as { error: unknown }).error).toBe(errors[0]);
          expect(fn).toHaveBeenCalledTimes(1);
          expect(clock.sleeps).toHaveLength(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hands the attempt number to the function', async () => {
    const clock = new TestClock();
    const fn = failing([throttle(), nodeError('ECONNRESET')]);

    await drive(clock, withRetry('Op', fn, { clock, env: {} }));

    expect(fn.mock.calls.map(([attempt]) => attempt)).toEqual([1, 2, 3]);
  });

  it('lets isRetryable replace the decision', async () => {
    const clock = new TestClock();
    const validation = sdkError({ name: 'ValidationException', status: 400 });

    const retried = failing([validation]);
    await drive(clock, withRetry('Op', retried, { clock, env: {}, isRetryable: () => true }));
    const notRetried = failing([throttle()]);
    const error = await withRetry('Op', notRetried, {
      clock,
      env: {},
      isRetryable: () => false,
    }).catch((e: unknown) => e);

    expect(retried).toHaveBeenCalledTimes(2);
    expect(notRetried).toHaveBeenCalledTimes(1);
    expect(errorName(error)).toBe('ThrottlingException');
  });

  it('applies additions to the retryable set', async () => {
    const clock = new TestClock();
    const fn = failing([sdkError({ name: 'ConflictException', status: 409 })]);

    await drive(
      clock,
      withRetry('Op', fn, { clock, env: {}, retryable: { retryCodes: ['ConflictException'] } }),
    );

    expect(fn).toHaveBeenCalledTimes(2);
  });
  it('recognises plain-object errors (e.g. deserialised) by name or status', async () => {
    // Prepare
    const clock = new TestClock();
    const metrics = new InMemoryMetricRecorder();
    const logger = recordingLogger();
    const fn = failing([{ name: 'ThrottlingException' }, { $metadata: { httpStatusCode: 429 } }]);

    // Act
    const error = await drive(
      clock,
      withRetry('Op', fn, { clock, metrics, logger, env: {}, maxRetries: 1 }).catch(
        (e: unknown) => e,
      ),
    );

    // Assess
    expect(fn).toHaveBeenCalledTimes(2);
    expect(metrics.sum(ResilienceMetricNames.throttles, { ErrorCode: 'ThrottlingException' })).toBe(
      1,
    );
    expect(metrics.sum(ResilienceMetricNames.throttles, { ErrorCode: 'Unknown' })).toBe(1);
    expect((error as RetryExhaustedError).lastErrorCode).toBeUndefined();
    expect((error as Error).message).toMatch(/after 2 attempt\(s\); last error: unknown/);
    expect(logger.lines.at(-1)?.fields.errorMessage).toBe('[object Object]');
  });
});

describe('resilience: withRetry backoff and exhaustion', () => {
  it('makes maxRetries + 1 attempts, sleeps within the backoff bounds, then raises RetryExhaustedError with the last error', async () => {
    await fc.assert(
      fc.asyncProperty(
        retryConfig,
        fc.infiniteStream(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })),
        async (config, randoms) => {
          // Prepare
          const clock = new TestClock();
          const thrown: Error[] = [];
          const fn = vi.fn(() => {
            const error = sdkError({ name: 'ServiceUnavailable', status: 503 });
            thrown.push(error);
            return Promise.reject(error);
          });
          const iterator = randoms[Symbol.iterator]();
          const random = (): number => iterator.next().value as number;

          // Act
          const error = await drive(
            clock,
            withRetry('DescribeJobs', fn, { ...config, clock, random, env: {} }).catch(
              (e: unknown) => e,
            ),
          );

          // Assess
          expect(fn).toHaveBeenCalledTimes(config.maxRetries + 1);
          expect(clock.sleeps).toHaveLength(config.maxRetries);
          clock.sleeps.forEach((delay, i) => {
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThanOrEqual(
              Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** i),
            );
          });
          expect(error).toBeInstanceOf(RetryExhaustedError);
          const exhausted = error as RetryExhaustedError;
          expect(exhausted.name).toBe('RetryExhaustedError');
          expect(exhausted.operation).toBe('DescribeJobs');
          expect(exhausted.attempts).toBe(config.maxRetries + 1);
          expect(exhausted.cause).toBe(thrown.at(-1));
          expect(exhausted.lastErrorCode).toBe('ServiceUnavailable');
          expect(exhausted.totalRetryDelayMs).toBe(clock.sleeps.reduce((a, b) => a + b, 0));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reports attempts and total backoff of a call that succeeded after retries', async () => {
    const clock = new TestClock();
    const fn = failing([throttle(), throttle()]);

    const outcome = await drive(
      clock,
      runWithRetry('Op', fn, { clock, env: {}, jitter: 0, baseDelayMs: 100 }),
    );

    expect(outcome).toEqual({ value: 'ok', attempts: 3, totalRetryDelayMs: 300 });
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it('waits what the service asked (retry-after), within the cap', async () => {
    const clock = new TestClock();
    const fn = failing([
      sdkError({ name: 'ThrottlingException', status: 429, retryAfterSeconds: '2' }),
      sdkError({ name: 'ThrottlingException', status: 429, retryAfterSeconds: '3600' }),
    ]);

    await drive(clock, withRetry('StartRecovery', fn, { clock, env: {}, maxDelayMs: 20_000 }));

    expect(clock.sleeps).toEqual([2_000, 20_000]);
  });

  it('takes its config from the environment when no option is given', async () => {
    const clock = new TestClock();
    const fn = failing([throttle(), throttle(), throttle()]);

    const error = await drive(
      clock,
      withRetry('Op', fn, { clock, env: { OPSKIT_RETRY_MAX_RETRIES: '1' } }).catch(
        (e: unknown) => e,
      ),
    );

    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('rejects an invalid config before calling the function', async () => {
    const fn = failing([]);

    await expect(withRetry('Op', fn, { maxRetries: -1, env: {} })).rejects.toThrow(
      ResilienceConfigError,
    );
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('resilience: withRetry observability', () => {
  it('logs each retry at WARN and the exhaustion at ERROR, with structured fields', async () => {
    // Prepare
    const clock = new TestClock();
    const logger = recordingLogger();
    const fn = failing([throttle(), throttle(), throttle()]);

    // Act
    await drive(
      clock,
      withRetry('DescribeRules', fn, {
        clock,
        logger,
        env: {},
        maxRetries: 2,
        jitter: 0,
        logFields: { service: 'elbv2' },
      }).catch(() => undefined),
    );

    // Assess
    expect(logger.lines.map((line) => line.level)).toEqual(['warn', 'warn', 'error']);
    expect(logger.lines[0]?.fields).toMatchObject({
      service: 'elbv2',
      operation: 'DescribeRules',
      attempt: 1,
      maxAttempts: 3,
      delayMs: 100,
      errorCode: 'ThrottlingException',
      errorCategory: 'throttling',
      httpStatusCode: 429,
      requestId: 'req-1',
    });
    expect(logger.lines[1]?.fields).toMatchObject({ attempt: 2, delayMs: 200 });
    expect(logger.lines[2]?.fields).toMatchObject({
      operation: 'DescribeRules',
      attempts: 3,
      totalRetryDelayMs: 300,
      errorCode: 'ThrottlingException',
      errorMessage: 'ThrottlingException (test)',
    });
  });

  it('counts throttles by code, retries by attempt and exhaustions', async () => {
    // Prepare
    const clock = new TestClock();
    const metrics = new InMemoryMetricRecorder();
    const fn = failing([
      throttle(),
      sdkError({ name: 'SlowDown', status: 503 }),
      nodeError('ECONNRESET'),
    ]);

    // Act
    await drive(
      clock,
      withRetry('Op', fn, {
        clock,
        metrics,
        env: {},
        maxRetries: 2,
        metricDimensions: { Service: 'drs' },
      }).catch(() => undefined),
    );

    // Assess
    const { throttles, retries, retriesExhausted } = ResilienceMetricNames;
    expect(metrics.sum(throttles, { Service: 'drs', ErrorCode: 'ThrottlingException' })).toBe(1);
    expect(metrics.sum(throttles, { ErrorCode: 'SlowDown' })).toBe(1);
    expect(metrics.sum(throttles)).toBe(2);
    expect(metrics.sum(retries, { Service: 'drs', Attempt: '1' })).toBe(1);
    expect(metrics.sum(retries, { Attempt: '2' })).toBe(1);
    expect(metrics.sum(retries)).toBe(2);
    expect(metrics.sum(retriesExhausted, { Service: 'drs' })).toBe(1);
  });

  it('counts a throttle that is not retried, and does not count it as a retry', async () => {
    const metrics = new InMemoryMetricRecorder();
    const fn = failing([throttle()]);

    await withRetry('Op', fn, { metrics, env: {}, maxRetries: 0 }).catch(() => undefined);

    expect(metrics.sum(ResilienceMetricNames.throttles)).toBe(1);
    expect(metrics.sum(ResilienceMetricNames.retries)).toBe(0);
    expect(metrics.sum(ResilienceMetricNames.retriesExhausted)).toBe(1);
  });

  it('tells onRetry about each retry before sleeping', async () => {
    const clock = new TestClock();
    const events: RetryEvent[] = [];
    const first = throttle();
    const fn = failing([first]);

    await drive(
      clock,
      withRetry('Op', fn, { clock, env: {}, jitter: 0, onRetry: (e) => events.push(e) }),
    );

    expect(events).toEqual([
      {
        operation: 'Op',
        attempt: 1,
        delayMs: 100,
        retryAfterMs: undefined,
        error: first,
        classification: {
          retryable: true,
          kind: 'throttling',
          code: 'ThrottlingException',
          httpStatusCode: 429,
        },
      },
    ]);
  });
});

describe('resilience: withRetry cancellation', () => {
  it('stops during the backoff sleep when the signal aborts', async () => {
    // Prepare
    const clock = new TestClock();
    const controller = new AbortController();
    const fn = failing([throttle(), throttle()]);
    const result = withRetry('Op', fn, {
      clock,
      env: {},
      signal: controller.signal,
      jitter: 0,
      baseDelayMs: 1_000,
    }).catch((e: unknown) => e);

    // Act
    await clock.advance(500);
    controller.abort(new Error('handler timed out'));
    const error = await result;

    // Assess
    expect((error as Error).message).toBe('handler timed out');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('does not start when the signal is already aborted', async () => {
    const fn = failing([]);

    await expect(
      withRetry('Op', fn, { env: {}, signal: AbortSignal.abort(new Error('gone')) }),
    ).rejects.toThrow('gone');
    expect(fn).not.toHaveBeenCalled();
  });

  it('rethrows the error, not a RetryExhaustedError, when aborted during an attempt', async () => {
    const controller = new AbortController();
    const failure = throttle();
    const fn = vi.fn(() => {
      controller.abort(new Error('stop'));
      return Promise.reject(failure);
    });

    await expect(withRetry('Op', fn, { env: {}, signal: controller.signal })).rejects.toBe(failure);
  });
});

function errorName(error: unknown): unknown {
  return (error as { name?: unknown }).name;
}
