import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResilienceConfigError } from '../../src/resilience/errors.js';
import {
  DEFAULT_RETRY_CONFIG,
  RETRY_ENV_VARS,
  resolveRetryConfig,
  retryConfigFromEnv,
} from '../../src/resilience/retry-config.js';

describe('resilience: retry config defaults', () => {
  it('documents maxRetries 5, base 100 ms, cap 20 s and full jitter', () => {
    expect(DEFAULT_RETRY_CONFIG).toEqual({
      maxRetries: 5,
      baseDelayMs: 100,
      maxDelayMs: 20_000,
      jitter: 1,
    });
    expect(resolveRetryConfig({}, {})).toEqual(DEFAULT_RETRY_CONFIG);
  });

  it('reads process.env when no environment is given', () => {
    const previous = process.env.OPSKIT_RETRY_MAX_RETRIES;
    process.env.OPSKIT_RETRY_MAX_RETRIES = '2';
    try {
      expect(resolveRetryConfig().maxRetries).toBe(2);
    } finally {
      if (previous === undefined) delete process.env.OPSKIT_RETRY_MAX_RETRIES;
      else process.env.OPSKIT_RETRY_MAX_RETRIES = previous;
    }
  });
});

describe('resilience: retry config from the environment', () => {
  it('reads every OPSKIT_RETRY_* variable', () => {
    const env = {
      OPSKIT_RETRY_MAX_RETRIES: '3',
      OPSKIT_RETRY_BASE_DELAY_MS: '50',
      OPSKIT_RETRY_MAX_DELAY_MS: ' 1000 ',
      OPSKIT_RETRY_JITTER: '0.5',
    };

    expect(retryConfigFromEnv(env)).toEqual({
      maxRetries: 3,
      baseDelayMs: 50,
      maxDelayMs: 1000,
      jitter: 0.5,
    });
  });

  it('ignores unset and blank variables', () => {
    expect(retryConfigFromEnv({ OPSKIT_RETRY_JITTER: '  ' })).toEqual({});
  });

  it.each([
    [
      'OPSKIT_RETRY_MAX_RETRIES',
      '1.5',
      /OPSKIT_RETRY_MAX_RETRIES must be a whole number, got '1.5'/,
    ],
    ['OPSKIT_RETRY_MAX_RETRIES', '-1', /OPSKIT_RETRY_MAX_RETRIES must be >= 0, got '-1'/],
    ['OPSKIT_RETRY_MAX_RETRIES', 'five', /OPSKIT_RETRY_MAX_RETRIES must be a number, got 'five'/],
    ['OPSKIT_RETRY_BASE_DELAY_MS', '-10', /OPSKIT_RETRY_BASE_DELAY_MS must be >= 0/],
    ['OPSKIT_RETRY_MAX_DELAY_MS', 'Infinity', /OPSKIT_RETRY_MAX_DELAY_MS must be a finite number/],
    ['OPSKIT_RETRY_JITTER', '1.5', /OPSKIT_RETRY_JITTER must be between 0 and 1, got '1.5'/],
  ])('names %s when it is %s', (variable, value, message) => {
    expect(() => retryConfigFromEnv({ [variable]: value })).toThrow(ResilienceConfigError);
    expect(() => retryConfigFromEnv({ [variable]: value })).toThrow(message);
    expect(() => retryConfigFromEnv({ [variable]: value })).toThrow(/unset it to use the default/);
  });

  it('lets explicit options beat the environment, and the environment beat the defaults', () => {
    const env = { OPSKIT_RETRY_MAX_RETRIES: '3', OPSKIT_RETRY_JITTER: '0' };

    const config = resolveRetryConfig({ maxRetries: 7 }, env);

    expect(config).toEqual({ ...DEFAULT_RETRY_CONFIG, maxRetries: 7, jitter: 0 });
  });

  it('names both sources when the maximum delay is below the base delay', () => {
    const env = { [RETRY_ENV_VARS.maxDelayMs]: '50' };

    expect(() => resolveRetryConfig({ baseDelayMs: 100 }, env)).toThrow(
      /maxDelayMs \(50, from OPSKIT_RETRY_MAX_DELAY_MS\) must be >= baseDelayMs \(100, from option baseDelayMs\)/,
    );
  });
});

describe('resilience: retry config validation', () => {
  it('accepts every well-formed config and returns it unchanged', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 50 }),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.double({ min: 0, max: 100_000, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (maxRetries, a, b, jitter) => {
          const [baseDelayMs, maxDelayMs] = a <= b ? [a, b] : [b, a];
          const config = { maxRetries, baseDelayMs, maxDelayMs, jitter };
          expect(resolveRetryConfig(config, {})).toEqual(config);
        },
      ),
    );
  });

  it.each([
    [{ maxRetries: -1 }, /maxRetries must be >= 0, got -1/],
    [{ maxRetries: 2.5 }, /maxRetries must be a whole number, got 2.5/],
    [{ baseDelayMs: -1 }, /baseDelayMs must be >= 0/],
    [{ maxDelayMs: Number.NaN }, /maxDelayMs must be a finite number/],
    [{ jitter: -0.1 }, /jitter must be between 0 and 1/],
    [{ jitter: 2 }, /jitter must be between 0 and 1/],
    [
      { baseDelayMs: 500, maxDelayMs: 100 },
      /maxDelayMs \(100, from option maxDelayMs\) must be >= baseDelayMs/,
    ],
  ])('rejects %o with a clear message', (options, message) => {
    expect(() => resolveRetryConfig(options, {})).toThrow(ResilienceConfigError);
    expect(() => resolveRetryConfig(options, {})).toThrow(message);
  });
});
