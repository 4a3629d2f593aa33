import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyError,
  createErrorClassifier,
  errorCodeOf,
  httpStatusOf,
  isThrottlingError,
} from '../../src/resilience/error-classification.js';
import { RateLimitTimeoutError, RetryExhaustedError } from '../../src/resilience/errors.js';
import { errorCase, SPEC_NETWORK, specSaysRetry, toError } from './helpers/error-cases.js';
import { nodeError, sdkError } from './helpers/sdk-errors.js';

describe('resilience: default retryable set', () => {
  it('retries exactly the throttling and transient errors of the requirement, never 402/409', () => {
    fc.assert(
      fc.property(errorCase, (c) => {
        expect(classifyError(toError(c)).retryable).toBe(specSaysRetry(c));
      }),
      { numRuns: 500 },
    );
  });

  it.each(SPEC_NETWORK)('retries Node network error %s (by code, not message)', (code) => {
    const decision = classifyError(nodeError(code));
    expect(decision).toMatchObject({ retryable: true, kind: 'transient', code });
  });

  it('does not retry a connection error described only in its message', () => {
    expect(classifyError(new Error('socket hang up ECONNRESET')).retryable).toBe(false);
  });

  it('labels throttling by code, by 429 and by the throttling trait', () => {
    expect(classifyError(sdkError({ name: 'SlowDown', status: 503 })).kind).toBe('throttling');
    expect(classifyError(sdkError({ name: 'Whatever', status: 429 })).kind).toBe('throttling');
    const trait = sdkError({ name: 'Busy', status: 400, retryable: { throttling: true } });
    expect(classifyError(trait)).toMatchObject({ retryable: true, kind: 'throttling' });
    expect(isThrottlingError(trait)).toBe(true);
    expect(classifyError(sdkError({ name: 'InternalFailure', status: 500 })).kind).toBe(
      'transient',
    );
  });

  it('never retries 402 ServiceQuotaExceeded or 409 Conflict, even with a retryable trait', () => {
    const quota = sdkError({ name: 'ServiceQuotaExceededException', status: 402, retryable: {} });
    const conflict = sdkError({ name: 'ConflictException', status: 409 });
    expect(classifyError(quota)).toMatchObject({ retryable: false, kind: 'non-retryable' });
    expect(classifyError(conflict).retryable).toBe(false);
  });

  it('retries after the SDK corrected its clock skew', () => {
    const skew = sdkError({ name: 'InvalidSignatureException', status: 403 });
    expect(classifyError(skew).retryable).toBe(false);
    Object.assign(skew.$metadata, { clockSkewCorrected: true });
    expect(classifyError(skew).retryable).toBe(true);
  });

  it('retries a wrapper whose cause is a network error, up to a depth', () => {
    const wrapped = new TypeError('fetch failed', { cause: nodeError('ECONNRESET') });
    expect(classifyError(wrapped).retryable).toBe(true);
    let deep: unknown = nodeError('EPIPE');
    for (let i = 0; i < 10; i += 1) deep = new Error('wrapper', { cause: deep });
    expect(classifyError(deep).retryable).toBe(false);
  });

  it("never retries the kit's own errors or aborts, whatever their cause", () => {
    const exhausted = new RetryExhaustedError({
      operation: 'DescribeRules',
      attempts: 6,
      totalRetryDelayMs: 10,
      lastErrorCode: 'ThrottlingException',
      lastError: sdkError({ name: 'ThrottlingException', status: 429 }),
    });
    const timeout = new RateLimitTimeoutError({
      limiterName: 'x',
      timeoutMs: 1,
      waitedMs: 1,
      tokens: 1,
    });
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ECONNRESET' });
    const retryAll = createErrorClassifier({ predicate: () => true });

    for (const error of [exhausted, timeout, abort]) {
      expect(classifyError(error).retryable).toBe(false);
      expect(retryAll(error).retryable).toBe(false);
    }
  });

  it('does not retry values that are not errors', () => {
    for (const value of [undefined, null, 'ThrottlingException', 429]) {
      expect(classifyError(value)).toEqual({
        retryable: false,
        kind: 'non-retryable',
        code: undefined,
        httpStatusCode: undefined,
      });
    }
  });
});

describe('resilience: configurable retryable set', () => {
  it('adds codes and statuses, including the default exclusions', () => {
    const classify = createErrorClassifier({
      retryCodes: ['ConflictException', 'ResourceInUseException'],
      retryStatusCodes: [402],
    });

    expect(classify(sdkError({ name: 'ConflictException', status: 409 })).retryable).toBe(true);
    expect(classify(sdkError({ name: 'ResourceInUseException', status: 400 })).retryable).toBe(
      true,
    );
    expect(classify(sdkError({ name: 'PaymentRequired', status: 402 })).retryable).toBe(true);
    expect(classify(sdkError({ name: 'ValidationException', status: 400 })).retryable).toBe(false);
  });

  it('removes codes and statuses; a removal beats an addition', () => {
    const classify = createErrorClassifier({
      doNotRetryCodes: ['ThrottlingException'],
      doNotRetryStatusCodes: [503],
      retryCodes: ['SlowDown'],
    });

    expect(classify(sdkError({ name: 'ThrottlingException', status: 429 })).retryable).toBe(false);
    expect(classify(sdkError({ name: 'SlowDown', status: 503 })).retryable).toBe(false);
    expect(classify(sdkError({ name: 'InternalFailure', status: 500 })).retryable).toBe(true);
  });

  it('lets a predicate have the last word, or defer with undefined', () => {
    const classify = createErrorClassifier({
      predicate: (error, decision) =>
        errorCodeOf(error) === 'ValidationException'
          ? true
          : decision.code === 'InternalFailure'
            ? false
            : undefined,
    });

    expect(classify(sdkError({ name: 'ValidationException', status: 400 }))).toMatchObject({
      retryable: true,
      kind: 'transient',
    });
    expect(classify(sdkError({ name: 'InternalFailure', status: 500 }))).toMatchObject({
      retryable: false,
      kind: 'non-retryable',
    });
    expect(classify(sdkError({ name: 'ThrottlingException', status: 429 })).retryable).toBe(true);
  });

  it('does not revive a removed code through the cause chain', () => {
    const classify = createErrorClassifier({ doNotRetryCodes: ['ECONNRESET'] });
    expect(classify(new Error('wrapped', { cause: nodeError('ECONNRESET') })).retryable).toBe(
      false,
    );
  });
});

describe('resilience: error identity', () => {
  it('takes the SDK exception name, else the Node code, else the SDK Code member', () => {
    expect(errorCodeOf(sdkError({ name: 'ThrottlingException', status: 429 }))).toBe(
      'ThrottlingException',
    );
    expect(errorCodeOf(nodeError('EPIPE'))).toBe('EPIPE');
    expect(errorCodeOf({ Code: 'SlowDown' })).toBe('SlowDown');
    expect(errorCodeOf(new TypeError('x'))).toBe('TypeError');
    expect(errorCodeOf('text')).toBeUndefined();
  });

  it('reads the HTTP status only from $metadata', () => {
    expect(httpStatusOf(sdkError({ name: 'X', status: 503 }))).toBe(503);
    expect(httpStatusOf({ statusCode: 503 })).toBeUndefined();
    expect(httpStatusOf(undefined)).toBeUndefined();
    expect(isThrottlingError('ThrottlingException')).toBe(false);
  });
});
