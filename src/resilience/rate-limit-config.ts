import { z } from 'zod';
import { ResilienceConfigError } from './errors.js';
import type { Environment } from './retry-config.js';

/** A token-bucket limit for one (service, region). */
export interface RateLimit {
  /** Sustained calls per second. @default 10 */
  readonly ratePerSecond: number;
  /** Burst: calls allowed at once after a quiet period. @default 20 */
  readonly capacity: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = Object.freeze({ ratePerSecond: 10, capacity: 20 });

/**
 * Per-limiter overrides. Keys: `*` (every limiter), a service key (`drs`), or
 * `service:region` (`drs:us-east-1`); the most specific key wins, field by field.
 */
export type RateLimitOverrides = Readonly<Record<string, Partial<RateLimit>>>;

/** JSON object of `RateLimitOverrides`, e.g. `{"drs":{"ratePerSecond":5},"*":{"capacity":10}}`. */
export const RATE_LIMITS_ENV_VAR = 'OPSKIT_RATE_LIMITS';

const EXAMPLE = '{"drs":{"ratePerSecond":5,"capacity":10},"drs:us-east-1":{"ratePerSecond":2}}';

/**
 * The registry key of a service: its SDK `serviceId` lower-cased with spaces as hyphens
 * ('Elastic Load Balancing v2' → 'elastic-load-balancing-v2', 'drs' → 'drs'), which is also the
 * suffix of its `@aws-sdk/client-*` package for most services.
 */
export function serviceKey(serviceId: string): string {
  return serviceId
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

const KEY_PATTERN = /^(\*|[a-z0-9][a-z0-9-]*(:[a-z0-9][a-z0-9-]*)?)$/;

const limitSchema = z.strictObject(
  {
    ratePerSecond: z
      .number({ error: 'must be a number' })
      .positive({ error: 'must be > 0' })
      .optional(),
    capacity: z.number({ error: 'must be a number' }).min(1, { error: 'must be >= 1' }).optional(),
  },
  { error: 'must be an object with ratePerSecond and/or capacity (numbers)' },
);

const overridesSchema = z.record(
  z.string().refine((key) => KEY_PATTERN.test(normaliseKey(key)), {
    error: 'keys must be "*", "service" or "service:region"',
  }),
  limitSchema,
  { error: 'must be a JSON object' },
);

function normaliseKey(key: string): string {
  return key.split(':').map(serviceKey).join(':');
}

/**
 * Validates overrides and normalises their keys. `source` names the origin in errors
 * (`OPSKIT_RATE_LIMITS` or `limits option`).
 */
export function parseRateLimitOverrides(value: unknown, source: string): RateLimitOverrides {
  const parsed = overridesSchema.safeParse(value);
  if (!parsed.success) throw configError(parsed.error, source, EXAMPLE);
  const result: Record<string, Partial<RateLimit>> = {};
  for (const [key, limit] of Object.entries(parsed.data)) {
    const normalised = normaliseKey(key);
    result[normalised] = { ...result[normalised], ...definedFields(limit) };
  }
  return result;
}

/** Validates one (partial) limit, e.g. a registry's `defaults`. */
export function parseRateLimit(value: unknown, source: string): Partial<RateLimit> {
  const parsed = limitSchema.safeParse(value);
  if (!parsed.success) throw configError(parsed.error, source, '{"ratePerSecond":5,"capacity":10}');
  return definedFields(parsed.data);
}

function definedFields(limit: Partial<RateLimit>): Partial<RateLimit> {
  return Object.fromEntries(Object.entries(limit).filter(([, field]) => field !== undefined));
}

function configError(error: z.ZodError, source: string, example: string): ResilienceConfigError {
  const problems = error.issues
    .map((issue) => {
      const path = issue.path.map((part) => `[${JSON.stringify(String(part))}]`).join('');
      // A bad key is reported by zod as "Invalid key in record" with the reason nested.
      const message =
        issue.code === 'invalid_key'
          ? issue.issues.map((inner) => inner.message).join(', ')
          : issue.message;
      return `${source}${path} ${message}`;
    })
    .join('; ');
  return new ResilienceConfigError(`${problems}. Example: ${example}`);
}

/** Reads `OPSKIT_RATE_LIMITS`; an unset or blank variable means no overrides. */
export function rateLimitsFromEnv(env: Environment): RateLimitOverrides {
  const raw = env[RATE_LIMITS_ENV_VAR];
  if (raw === undefined || raw.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ResilienceConfigError(
      `${RATE_LIMITS_ENV_VAR} is not valid JSON (${(error as Error).message}). Example: ${EXAMPLE}`,
      { cause: error },
    );
  }
  return parseRateLimitOverrides(json, RATE_LIMITS_ENV_VAR);
}

/** The limit for (service, region): defaults ← `*` ← `service` ← `service:region`. */
export function resolveRateLimit(
  service: string,
  region: string,
  overrides: RateLimitOverrides,
  defaults: RateLimit = DEFAULT_RATE_LIMIT,
): RateLimit {
  const key = serviceKey(service);
  return {
    ...defaults,
    ...overrides['*'],
    ...overrides[key],
    ...overrides[`${key}:${serviceKey(region)}`],
  };
}
