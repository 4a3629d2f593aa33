import { systemClock, type Clock } from './clock.js';
import { ResilienceConfigError } from './errors.js';
import {
  DEFAULT_RATE_LIMIT,
  parseRateLimit,
  parseRateLimitOverrides,
  rateLimitsFromEnv,
  resolveRateLimit,
  serviceKey,
  type RateLimit,
  type RateLimitOverrides,
} from './rate-limit-config.js';
import type { Environment } from './retry-config.js';
import { TokenBucket } from './token-bucket.js';

export interface LimiterRegistryOptions {
  /**
   * Overrides by `*`, `service` or `service:region` key; they beat the environment.
   * @default {}
   */
  readonly limits?: RateLimitOverrides;
  /** Limit for keys nobody overrides. @default { ratePerSecond: 10, capacity: 20 } */
  readonly defaults?: Partial<RateLimit>;
  /** Clock of every bucket. @default systemClock */
  readonly clock?: Clock;
  /** Source of `OPSKIT_RATE_LIMITS`; `{}` ignores the environment. @default process.env */
  readonly env?: Environment;
}

/**
 * One token bucket per (service, region), created on first use. AWS throttles per account and
 * region, so every client of a service in a region must draw from the same bucket: share one
 * registry per process (see `defaultLimiterRegistry`).
 */
export class LimiterRegistry {
  readonly clock: Clock;
  private readonly defaults: RateLimit;
  private readonly overrides: RateLimitOverrides;
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(options: LimiterRegistryOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.defaults = {
      ...DEFAULT_RATE_LIMIT,
      ...parseRateLimit(options.defaults ?? {}, 'defaults option'),
    };
    const fromEnv = rateLimitsFromEnv(options.env ?? process.env);
    const explicit = parseRateLimitOverrides(options.limits ?? {}, 'limits option');
    this.overrides = mergeOverrides(fromEnv, explicit);
  }

  /** The limiter of (service, region); `service` is a service key or an SDK serviceId. */
  get(service: string, region: string): TokenBucket {
    const key = limiterKey(service, region);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const limit = this.limitFor(service, region);
      bucket = new TokenBucket({ ...limit, clock: this.clock, name: key });
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** The limit that `get(service, region)` uses (or will use). */
  limitFor(service: string, region: string): RateLimit {
    limiterKey(service, region);
    return resolveRateLimit(service, region, this.overrides, this.defaults);
  }

  /** Limiters created so far, by `service:region` key. */
  limiters(): ReadonlyMap<string, TokenBucket> {
    return new Map(this.buckets);
  }
}

function limiterKey(service: string, region: string): string {
  const key = `${serviceKey(service)}:${serviceKey(region)}`;
  if (!/^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9-]*$/.test(key)) {
    throw new ResilienceConfigError(
      `LimiterRegistry.get: service and region must be non-empty names without ':' ` +
        `(e.g. 'drs', 'us-east-1'), got '${service}' and '${region}'.`,
    );
  }
  return key;
}

function mergeOverrides(low: RateLimitOverrides, high: RateLimitOverrides): RateLimitOverrides {
  const merged: Record<string, Partial<RateLimit>> = { ...low };
  for (const [key, limit] of Object.entries(high)) merged[key] = { ...merged[key], ...limit };
  return merged;
}

// One registry per clock: production code shares the system-clock one across every client in
// the Lambda container, while a simulation on a virtual clock gets its own.
let defaultRegistries = new WeakMap<Clock, LimiterRegistry>();

/**
 * The process-wide registry for `clock`, built on first use from `OPSKIT_RATE_LIMITS`.
 * A bad variable fails here, i.e. at cold start when clients are created.
 */
export function defaultLimiterRegistry(clock: Clock = systemClock): LimiterRegistry {
  let registry = defaultRegistries.get(clock);
  if (!registry) {
    registry = new LimiterRegistry({ clock });
    defaultRegistries.set(clock, registry);
  }
  return registry;
}

/** Makes `registry` the process-wide one for its clock (e.g. a simulation's). */
export function setDefaultLimiterRegistry(registry: LimiterRegistry): void {
  defaultRegistries.set(registry.clock, registry);
}

/** Forgets every process-wide registry (tests). */
export function resetDefaultLimiterRegistries(): void {
  defaultRegistries = new WeakMap();
}
