import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, backoffDelayMs } from '../../src/resilience/backoff.js';
import type { RetryConfig } from '../../src/resilience/retry-config.js';

const config: fc.Arbitrary<RetryConfig> = fc
  .record({
    maxRetries: fc.nat({ max: 20 }),
    baseDelayMs: fc.integer({ min: 0, max: 5_000 }),
    extra: fc.integer({ min: 0, max: 60_000 }),
    jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ extra, ...rest }) => ({ ...rest, maxDelayMs: rest.baseDelayMs + extra }));

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('resilience: backoff delay', () => {
  it('every delay lies within [0, min(maxDelay, base·2^attempt)] when there is no hint', () => {
    fc.assert(
      fc.property(config, fc.nat({ max: 1_000 }), unit, (cfg, retryIndex, r) => {
        const delay = backoffDelayMs(retryIndex, cfg, () => r);
        const ceiling = Math.min(cfg.maxDelayMs, cfg.baseDelayMs * 2 ** retryIndex);

        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(Number.isInteger(delay)).toBe(true);
      }),
    );
  });

  it('randomises only the jitter fraction of the ceiling', () => {
    fc.assert(
      fc.property(config, fc.nat({ max: 30 }), unit, (cfg, retryIndex, r) => {
        const ceiling = backoffCeilingMs(retryIndex, cfg);
        const delay = backoffDelayMs(retryIndex, cfg, () => r);

        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling * (1 - cfg.jitter)));
        expect(delay).toBe(Math.floor(ceiling * (1 - cfg.jitter * r)));
      }),
    );
  });

  it('grows exponentially up to the cap', () => {
    const cfg = { maxRetries: 10, baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0 };

    expect([0, 1, 2, 3, 4, 5].map((i) => backoffDelayMs(i, cfg, () => 0.5))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('is never NaN, even with a zero base and a huge attempt number', () => {
    const cfg = { maxRetries: 10, baseDelayMs: 0, maxDelayMs: 0, jitter: 1 };
    expect(backoffDelayMs(5_000, cfg, () => 0.3)).toBe(0);
  });

  it('honours a retry-after hint but never beyond maxDelay', () => {
    fc.assert(
      fc.property(
        config,
        fc.nat({ max: 30 }),
        unit,
        fc.double({ min: 0, max: 600_000, noNaN: true }),
        (cfg, retryIndex, r, hint) => {
          const jittered = backoffDelayMs(retryIndex, cfg, () => r);
          const delay = backoffDelayMs(retryIndex, cfg, () => r, hint);

          expect(delay).toBeLessThanOrEqual(cfg.maxDelayMs);
          expect(delay).toBeGreaterThanOrEqual(jittered);
          expect(delay).toBe(Math.min(cfg.maxDelayMs, Math.max(Math.ceil(hint), jittered)));
        },
      ),
    );
  });

  it('clamps a misbehaving random source into [0, 1]', () => {
    const cfg = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000, jitter: 1 };
    expect(backoffDelayMs(0, cfg, () => 7)).toBe(0);
    expect(backoffDelayMs(0, cfg, () => -3)).toBe(100);
  });
});
