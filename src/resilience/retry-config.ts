import { z } from 'zod';
import { ResilienceConfigError } from './errors.js';

/** How persistent the retry layer is. */
export interface RetryConfig {
  /** Retries after the first attempt; attempts in total = maxRetries + 1. @default 5 */
  readonly maxRetries: number;
  /** Ceiling of the first backoff delay, doubled for each later retry. @default 100 */
  readonly baseDelayMs: number;
  /** No backoff delay (not even a service's retry-after hint) exceeds this. @default 20000 */
  readonly maxDelayMs: number;
  /**
   * Fraction (0..1) of the backoff ceiling that is randomised: delay = ceiling·(1 − jitter·r),
   * r uniform in [0, 1). 1 is "full jitter", 0 is plain exponential backoff. @default 1
   */
  readonly jitter: number;
}

export const DEFAULT_RETRY_CONFIG: RetryConfig = Object.freeze({
  maxRetries: 5,
  baseDelayMs: 100,
  maxDelayMs: 20_000,
  jitter: 1,
});

/** Environment variables that override the defaults (explicit options override them). */
export const RETRY_ENV_VARS = Object.freeze({
  maxRetries: 'OPSKIT_RETRY_MAX_RETRIES',
  baseDelayMs: 'OPSKIT_RETRY_BASE_DELAY_MS',
  maxDelayMs: 'OPSKIT_RETRY_MAX_DELAY_MS',
  jitter: 'OPSKIT_RETRY_JITTER',
} as const satisfies Record<keyof RetryConfig, string>);

export type Environment = Readonly<Record<string, string | undefined>>;

const FIELD_SCHEMAS: Record<keyof RetryConfig, z.ZodNumber> = {
  maxRetries: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(0, { error: 'must be >= 0' }),
  baseDelayMs: z.number({ error: 'must be a finite number' }).min(0, { error: 'must be >= 0' }),
  maxDelayMs: z.number({ error: 'must be a finite number' }).min(0, { error: 'must be >= 0' }),
  jitter: z
    .number({ error: 'must be a number' })
    .min(0, { error: 'must be between 0 and 1' })
    .max(1, { error: 'must be between 0 and 1' }),
};

const FIELDS = Object.keys(FIELD_SCHEMAS) as (keyof RetryConfig)[];

/**
 * Reads the `OPSKIT_RETRY_*` variables that are set. Throws a `ResilienceConfigError` naming the
 * variable when one is not a valid value.
 */
export function retryConfigFromEnv(env: Environment): Partial<RetryConfig> {
  const result: Partial<Record<keyof RetryConfig, number>> = {};
  for (const field of FIELDS) {
    const variable = RETRY_ENV_VARS[field];
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const parsed = FIELD_SCHEMAS[field].safeParse(Number(raw.trim()));
    if (!parsed.success) {
      throw new ResilienceConfigError(
        `${variable} ${parsed.error.issues[0]?.message ?? 'is invalid'}, got '${raw}'. ` +
          `Fix it or unset it to use the default (${DEFAULT_RETRY_CONFIG[field]}).`,
      );
    }
    result[field] = parsed.data;
  }
  return result;
}

/**
 * The effective config: defaults, then the environment, then explicit options (the SDK's own
 * precedence for `maxAttempts`). Pass `env: {}` to ignore the environment.
 */
export function resolveRetryConfig(
  options: Partial<RetryConfig> = {},
  env: Environment = process.env,
): RetryConfig {
  const fromEnv = retryConfigFromEnv(env);
  const merged: Record<keyof RetryConfig, number> = { ...DEFAULT_RETRY_CONFIG };
  const sources: Record<keyof RetryConfig, string> = {
    maxRetries: 'default',
    baseDelayMs: 'default',
    maxDelayMs: 'default',
    jitter: 'default',
  };
  for (const field of FIELDS) {
    const fromOption = options[field];
    if (fromOption !== undefined) {
      const parsed = FIELD_SCHEMAS[field].safeParse(fromOption);
      if (!parsed.success) {
        throw new ResilienceConfigError(
          `Retry option ${field} ${parsed.error.issues[0]?.message ?? 'is invalid'}, ` +
            `got ${String(fromOption)}.`,
        );
      }
      merged[field] = parsed.data;
      sources[field] = `option ${field}`;
    } else if (fromEnv[field] !== undefined) {
      merged[field] = fromEnv[field];
      sources[field] = RETRY_ENV_VARS[field];
    }
  }
  if (merged.maxDelayMs < merged.baseDelayMs) {
    throw new ResilienceConfigError(
      `Retry maxDelayMs (${merged.maxDelayMs}, from ${sources.maxDelayMs}) must be >= ` +
        `baseDelayMs (${merged.baseDelayMs}, from ${sources.baseDelayMs}): raise the maximum ` +
        'or lower the base delay.',
    );
  }
  return Object.freeze(merged);
}
