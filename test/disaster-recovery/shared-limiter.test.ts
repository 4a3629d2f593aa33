import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DRS_TABLE_PARTITION_KEY } from '../../src/disaster-recovery/contract.js';
import { DrsStateCorruptError } from '../../src/disaster-recovery/errors.js';
import {
  SharedTokenBucket,
  limiterKey,
  refilled,
} from '../../src/disaster-recovery/shared-limiter.js';
import { RateLimitTimeoutError, ResilienceConfigError } from '../../src/resilience/errors.js';
import { DynamoDbModel } from '../../src/simulation/models/dynamodb.js';
import { createRandom } from '../../src/simulation/random.js';
import { createSimulatedClient } from '../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';
import { HOME_REGION, createLibraryWorld } from './library-support.js';

const TABLE = 'limiter';
const KEY = limiterKey('self', 'us-east-1');

function setup(latencyMs = 3) {
  const clock = VirtualClock.create();
  const model = new DynamoDbModel({
    clock,
    region: 'us-east-1',
    accountId: '123456789012',
    latencyMs,
    latencyJitterMs: latencyMs,
    random: 5,
  });
  model.createTable({ name: TABLE, partitionKey: { name: DRS_TABLE_PARTITION_KEY, type: 'S' } });
  const client = () =>
    createSimulatedClient(DynamoDBClient, { region: 'us-east-1' }, model, {
      exceptions: dynamodbSdk,
    });
  const bucket = (container: number, rate = 10, capacity = 10) =>
    new SharedTokenBucket({
      client: client(),
      tableName: TABLE,
      key: KEY,
      ratePerSecond: rate,
      capacity,
      clock,
      random: createRandom(container + 1),
    });
  return { clock, model, client, bucket };
}

describe('shared-limiter: refill arithmetic', () => {
  it('adds rate × elapsed, capped at capacity, never negative time', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.integer({ min: -10_000, max: 100_000 }),
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 100 }),
        (tokens, elapsed, rate, capacity) => {
          const start = Math.min(tokens, capacity);
          const value = refilled(
            { tokens: start, lastRefillMs: 1_000_000 },
            1_000_000 + elapsed,
            rate,
            capacity,
          );
          expect(value).toBeLessThanOrEqual(capacity);
          expect(value).toBeGreaterThanOrEqual(start - 1e-9);
          if (elapsed <= 0) expect(value).toBe(start);
        },
      ),
    );
  });
});

describe('shared-limiter: concurrent containers', () => {
  it('grants at most burst + rate × elapsed across every container together', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 5, max: 15 }),
        async (containers, perContainer) => {
          // Prepare: one bucket object per container, all on one item; 10/s, burst 10.
          const { clock, bucket } = setup();
          const buckets = Array.from({ length: containers }, (_, c) => bucket(c));
          const grants: number[] = [];
          const startedAt = clock.now();

          // Act
          await clock.run(() =>
            Promise.all(
              buckets.map(async (b) => {
                for (let i = 0; i < perContainer; i += 1) {
                  await b.acquire();
                  grants.push(clock.now() - startedAt);
                }
              }),
            ),
          );

          // Assess: in every window from the start, grants <= 10 + 10/s × window.
          const total = containers * perContainer;
          expect(grants).toHaveLength(total);
          grants.sort((a, b) => a - b);
          grants.forEach((at, i) => {
            expect(i + 1).toBeLessThanOrEqual(10 + (at * 10) / 1000 + 1e-6);
          });
          // And it is not needlessly slow: within 2 s of the ideal.
          const ideal = Math.max(0, ((total - 10) / 10) * 1000);
          expect(grants.at(-1) ?? 0).toBeLessThanOrEqual(ideal + 2000);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('computes the wait until the next token instead of polling', async () => {
    // Prepare: one container drains the bucket, then asks for 10 more at 1/s.
    const { clock, model, bucket } = setup(0);
    const b = bucket(0, 1, 1);

    // Act
    await clock.run(async () => {
      for (let i = 0; i < 11; i += 1) await b.acquire();
    });

    // Assess: one read + one write per grant, nothing in between (no polling, no contention).
    const stats = b.stats();
    expect(stats).toMatchObject({ grants: 11, contentions: 0, waits: 10 });
    expect(model.stats().byOperation.GetItem?.calls).toBe(21);
    expect(clock.now() - VirtualClock.create().now()).toBeGreaterThanOrEqual(10_000);
  });

  it('retries a lost conditional write after a random pause', async () => {
    // Prepare: two containers ask at the same instant with a full bucket.
    const { clock, bucket } = setup(5);
    const a = bucket(0);
    const b = bucket(1);

    // Act
    await clock.run(() => Promise.all([a.acquire(), b.acquire()]));

    // Assess: both granted; one of them lost a race first.
    expect(a.stats().grants + b.stats().grants).toBe(2);
    expect(a.stats().contentions + b.stats().contentions).toBeGreaterThanOrEqual(1);
  });

  it('fails fast with RateLimitTimeoutError when the next token comes after the timeout', async () => {
    // Prepare: empty bucket at 1/s.
    const { clock, bucket } = setup(0);
    const b = bucket(0, 1, 1);
    await clock.run(() => b.acquire());

    // Act
    const error = await clock.run(() => b.acquire({ timeoutMs: 200 })).catch((e: unknown) => e);

    // Assess: no sleep at all.
    expect(error).toBeInstanceOf(RateLimitTimeoutError);
    expect((error as RateLimitTimeoutError).waitedMs).toBeLessThan(200);
  });

  it('honours an abort signal and rejects bad token counts', async () => {
    // Prepare
    const { clock, bucket } = setup(0);
    const b = bucket(0, 1, 1);
    const controller = new AbortController();
    controller.abort(new Error('stop'));

    // Act
    const aborted = await clock
      .run(() => b.acquire({ signal: controller.signal }))
      .catch((e: unknown) => e);
    const tooMany = await b.acquire({ tokens: 5 }).catch((e: unknown) => e);

    // Assess
    expect((aborted as Error).message).toBe('stop');
    expect(tooMany).toBeInstanceOf(ResilienceConfigError);
    expect(() => bucket(0, 0, 1)).toThrow(ResilienceConfigError);
  });

  it('refuses an item it did not write', async () => {
    // Prepare
    const { clock, client, bucket } = setup(0);
    await clock.run(() =>
      client().send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { [DRS_TABLE_PARTITION_KEY]: { S: KEY }, version: { N: '1' }, tokens: { S: 'x' } },
        }),
      ),
    );

    // Act
    const error = await clock.run(() => bucket(0).acquire()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DrsStateCorruptError);
  });
});

describe('shared-limiter: in the resilience layer (limiter mode shared)', () => {
  it('20 containers at 10 TPS draw from one account-wide budget: no DRS throttles', async () => {
    // Prepare: DRS allows 10/s (burst 10); the shared limiter 9/s (headroom for the varying
    // latency between a grant and the call's arrival), burst 10.
    const world = createLibraryWorld({
      drs: { throttling: { account: { ratePerSecond: 10, burst: 10 } } },
      env: { DRS_LIMITER_MODE: 'shared', DRS_BURST: '10', DRS_RATE_PER_SECOND: '9' },
    });
    const clients = Array.from({ length: 20 }, () => world.runtime().drs({ region: HOME_REGION }));

    // Act: every container sends 2 calls at once.
    await world.clock.run(() =>
      Promise.all(clients.flatMap((c) => [c.describeJobs(), c.describeJobs()])),
    );

    // Assess
    expect(world.drs().counters().throttles).toBe(0);
    expect(world.drs().stats().total.calls).toBe(40);
  });

  it('the same load with local limiters gets throttled by DRS', async () => {
    // Prepare
    const world = createLibraryWorld({
      drs: { throttling: { account: { ratePerSecond: 10, burst: 10 } } },
      env: { DRS_LIMITER_MODE: 'local', DRS_BURST: '10' },
    });
    const clients = Array.from({ length: 20 }, () => world.runtime().drs({ region: HOME_REGION }));

    // Act
    await world.clock.run(() =>
      Promise.all(clients.flatMap((c) => [c.describeJobs(), c.describeJobs()])),
    );

    // Assess
    expect(world.drs().counters().throttles).toBeGreaterThan(0);
  });
});
