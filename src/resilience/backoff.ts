import type { RandomSource } from './clock.js';
import type { RetryConfig } from './retry-config.js';

/**
 * Upper bound of the delay before retry number `retryIndex + 1` (retryIndex 0 is the first
 * retry): min(maxDelayMs, baseDelayMs · 2^retryIndex).
 */
export function backoffCeilingMs(retryIndex: number, config: RetryConfig): number {
  // 0 · 2^1100 would be 0 · Infinity = NaN.
  if (config.baseDelayMs === 0) return 0;
  return Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** retryIndex);
}

/**
 * Capped exponential backoff with (by default full) jitter, in whole milliseconds:
 * ceiling · (1 − jitter · r). A service's retry-after hint raises the delay to the hint but
 * never above maxDelayMs, so one bad hint cannot stall a Lambda for minutes.
 */
export function backoffDelayMs(
  retryIndex: number,
  config: RetryConfig,
  random: RandomSource,
  retryAfterMs?: number,
): number {
  const ceiling = backoffCeilingMs(retryIndex, config);
  const r = Math.min(1, Math.max(0, random()));
  const jittered = Math.floor(ceiling * (1 - config.jitter * r));
  if (retryAfterMs === undefined) return jittered;
  return Math.min(config.maxDelayMs, Math.max(Math.ceil(retryAfterMs), jittered));
}
