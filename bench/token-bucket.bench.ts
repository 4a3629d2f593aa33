import { performance } from 'node:perf_hooks';
import { systemClock } from '../src/resilience/clock.js';
import { TokenBucket } from '../src/resilience/token-bucket.js';

export interface TokenBucketBenchResult {
  readonly tryAcquirePerSecond: number;
  readonly acquirePerSecond: number;
  readonly rounds: number;
  readonly callsPerRound: number;
}

const ROUNDS = 5;
const CALLS = 200_000;

/** The median of `ROUNDS` timed rounds, so one slow round (GC, the other core busy) does not skew it. */
async function opsPerSecond(run: () => Promise<void> | void): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = performance.now();
    await run();
    const seconds = (performance.now() - start) / 1000;
    rates.push(CALLS / seconds);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] ?? 0;
}

/**
 * Raw cost of the limiter itself: a bucket whose rate never runs dry, on the wall clock (refill
 * reads the clock on every call, as it does in production).
 */
export async function benchTokenBucket(): Promise<TokenBucketBenchResult> {
  const newBucket = (): TokenBucket =>
    new TokenBucket({ ratePerSecond: 1e12, capacity: 1e12, clock: systemClock, name: 'bench' });

  const syncBucket = newBucket();
  const tryAcquirePerSecond = await opsPerSecond(() => {
    for (let i = 0; i < CALLS; i += 1) {
      if (!syncBucket.tryAcquire()) throw new Error('bench bucket ran dry');
    }
  });

  const asyncBucket = newBucket();
  const acquirePerSecond = await opsPerSecond(async () => {
    for (let i = 0; i < CALLS; i += 1) {
      await asyncBucket.acquire();
    }
  });

  return { tryAcquirePerSecond, acquirePerSecond, rounds: ROUNDS, callsPerRound: CALLS };
}
