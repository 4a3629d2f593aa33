import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DrsPaginationError } from '../../src/disaster-recovery/drs-client.js';
import { DrsConflictError, DrsQuotaExceededError } from '../../src/disaster-recovery/errors.js';
import { RetryExhaustedError } from '../../src/resilience/errors.js';
import type { AcquireOptions, Limiter } from '../../src/resilience/token-bucket.js';
import { drsInternalServerError } from '../../src/simulation/models/drs.js';
import { CommonErrors } from '../../src/simulation/service-error.js';
import { HOME_REGION, createLibraryWorld } from './library-support.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Counts the tokens taken through the resilience layer, delegating to the real limiter. */
function countingLimiter(inner: Limiter): Limiter & { taken: number } {
  const counter = {
    name: inner.name,
    taken: 0,
    acquire: (options?: AcquireOptions) => {
      counter.taken += 1;
      return inner.acquire(options);
    },
  };
  return counter;
}

describe('drs-client: Property 7 — DRS client rate limiting integration', () => {
  it('every call, and every page, takes exactly one token of its limiter before reaching DRS', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constantFrom('sources' as const, 'jobs' as const, 'instances' as const),
            fc.integer({ min: 1, max: 7 }), // a paginated walk of the servers, this page size
          ),
          { minLength: 1, maxLength: 20 },
        ),
        fc.integer({ min: 0, max: 25 }),
        async (calls, servers) => {
          // Prepare: DRS itself does not throttle; the runtime's own (account, region) limiter
          // is wrapped to count what its clients take.
          const world = createLibraryWorld({ drs: { throttling: { account: 'none' } } });
          world.drs().seedSourceServers(servers);
          const runtime = world.runtime();
          const limiter = countingLimiter(runtime.limiter({ region: HOME_REGION }));
          vi.spyOn(runtime, 'limiter').mockReturnValue(limiter);
          const client = runtime.drs({ region: HOME_REGION });
          const startedAt = world.clock.now();

          // Act: each call's tokens, one by one.
          const tokensPerCall: number[] = [];
          await world.clock.run(async () => {
            for (const call of calls) {
              const before = limiter.taken;
              if (call === 'sources') await client.describeSourceServers();
              else if (call === 'jobs') await client.describeJobs();
              else if (call === 'instances') await client.describeRecoveryInstances();
              else await client.listAll('DescribeSourceServers', {}, { pageSize: call });
              tokensPerCall.push(limiter.taken - before);
            }
          });

          // Assess: one token per request DRS received (a call, or a page of a walk).
          const expected = calls.map((call) =>
            typeof call === 'number' ? Math.max(1, Math.ceil(servers / call)) : 1,
          );
          expect(tokensPerCall).toEqual(expected);
          const requests = expected.reduce((a, b) => a + b, 0);
          expect(world.drs().stats().total.calls).toBe(requests);
          expect(world.metrics.sum('ApiCalls', { Service: 'drs', Outcome: 'Success' })).toBe(
            requests,
          );
          // And the bucket paced them: beyond the burst of 20, one request per 100 ms.
          const elapsed = world.clock.now() - startedAt;
          expect(elapsed).toBeGreaterThanOrEqual(Math.max(0, requests - 20) * 100 - 1);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('takes one token per attempt for the calls that start jobs too', async () => {
    // Prepare: StartRecovery throttled once, then accepted.
    const world = createLibraryWorld({ drs: { throttling: { account: 'none' } } });
    const [server] = world.drs().seedSourceServers(1);
    world.drs().failNext(1, CommonErrors.throttlingException, { operation: 'StartRecovery' });
    const runtime = world.runtime();
    const limiter = countingLimiter(runtime.limiter({ region: HOME_REGION }));
    vi.spyOn(runtime, 'limiter').mockReturnValue(limiter);
    const client = runtime.drs({ region: HOME_REGION });

    // Act
    await world.clock.run(() =>
      client.startRecovery({ sourceServers: [{ sourceServerID: server }] }),
    );

    // Assess: two attempts, two tokens.
    expect(limiter.taken).toBe(2);
    expect(world.drs().stats().byOperation.StartRecovery?.calls).toBe(2);
  });

  it('keeps a DRS that allows 10 calls per second free of throttles under a burst of 60 calls', async () => {
    // Prepare: DRS's own account bucket is 10/s with a burst of 10; ours 10/s with burst 10.
    const world = createLibraryWorld({
      drs: { throttling: { account: { ratePerSecond: 10, burst: 10 } } },
      env: { DRS_BURST: '10' },
    });
    const client = world.runtime().drs({ region: HOME_REGION });

    // Act: 60 concurrent calls.
    await world.clock.run(() =>
      Promise.all(Array.from({ length: 60 }, () => client.describeJobs())),
    );

    // Assess
    expect(world.drs().counters().throttles).toBe(0);
    expect(world.metrics.sum('Retries')).toBe(0);
  });
});

describe('drs-client: error policy', () => {
  it('retries ThrottlingException after the retryAfterSeconds DRS gives', async () => {
    // Prepare: DRS allows one call per 2 s; our limiter would allow more.
    const world = createLibraryWorld({
      drs: { throttling: { account: { ratePerSecond: 0.5, burst: 1 } } },
    });
    const client = world.runtime().drs({ region: HOME_REGION });

    // Act
    const started = world.clock.now();
    await world.clock.run(() => client.describeJobs());
    const second = await world.clock.run(() => client.describeJobs());

    // Assess: the second call was throttled once and retried after the hint (>= 1 s).
    expect(second.$metadata.attempts).toBe(2);
    expect(world.clock.now() - started).toBeGreaterThanOrEqual(1000);
    expect(
      world.metrics.sum('RateLimitErrors', { Service: 'drs', ErrorType: 'ThrottlingException' }),
    ).toBe(1);
    expect(world.metrics.sum('Retries', { Service: 'drs', Attempt: '1' })).toBe(1);
  });

  it('retries InternalServerException', async () => {
    // Prepare
    const world = createLibraryWorld();
    const client = world.runtime().drs({ region: HOME_REGION });
    world.drs().failNext(2, drsInternalServerError(1));

    // Act
    const output = await world.clock.run(() => client.describeSourceServers());

    // Assess
    expect(output.$metadata.attempts).toBe(3);
    expect(world.drs().stats().total.calls).toBe(3);
  });

  it('does not retry ServiceQuotaExceededException: a typed error for the throttler', async () => {
    // Prepare: a quota of one concurrent job, and one job already running.
    const world = createLibraryWorld({ drs: { quotas: { concurrentJobs: 1 } } });
    const model = world.drs();
    const [a, b] = model.seedSourceServers(2);
    const client = world.runtime().drs({ region: HOME_REGION });
    await world.clock.run(() => client.startRecovery({ sourceServers: [{ sourceServerID: a }] }));
    const callsBefore = model.stats().total.calls;

    // Act
    const error = await world.clock
      .run(() => client.startRecovery({ sourceServers: [{ sourceServerID: b }] }))
      .catch((e: unknown) => e);

    // Assess: one attempt, a DrsQuotaExceededError with the quota code, counted.
    expect(error).toBeInstanceOf(DrsQuotaExceededError);
    expect((error as DrsQuotaExceededError).quotaCode).toBe('L-D88FAC3A');
    expect((error as DrsQuotaExceededError).target).toEqual({ region: HOME_REGION });
    expect(model.stats().total.calls - callsBefore).toBe(1);
    expect(
      world.metrics.sum('RateLimitErrors', {
        Service: 'drs',
        ErrorType: 'ServiceQuotaExceededException',
      }),
    ).toBe(1);
    expect(world.metrics.sum('Retries')).toBe(0);
  });

  it('does not retry ConflictException (a server already in an active job)', async () => {
    // Prepare
    const world = createLibraryWorld();
    const model = world.drs();
    const [a] = model.seedSourceServers(1);
    const client = world.runtime().drs({ region: HOME_REGION });
    await world.clock.run(() => client.startRecovery({ sourceServers: [{ sourceServerID: a }] }));
    const callsBefore = model.stats().total.calls;

    // Act
    const error = await world.clock
      .run(() => client.startRecovery({ sourceServers: [{ sourceServerID: a }] }))
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DrsConflictError);
    expect(model.stats().total.calls - callsBefore).toBe(1);
  });

  it('passes other client errors through unchanged, without retrying them', async () => {
    // Prepare
    const world = createLibraryWorld();
    const client = world.runtime().drs({ region: HOME_REGION });

    // Act: an unknown recovery instance.
    const error = await world.clock
      .run(() =>
        client.terminateRecoveryInstances({ recoveryInstanceIDs: ['i-0123456789abcdef0'] }),
      )
      .catch((e: unknown) => e);

    // Assess
    expect((error as Error).name).not.toMatch(/Drs(Quota|Conflict)/);
    expect(world.drs().stats().total.calls).toBe(1);
  });

  it('escalates exhausted retries to SNS with the retry count, then rethrows', async () => {
    // Prepare: DRS fails every call; 2 retries.
    const world = createLibraryWorld({ env: { DRS_MAX_RETRIES: '2' } });
    const client = world.runtime().drs({ region: HOME_REGION });
    world.drs().failNext(10, drsInternalServerError());

    // Act
    const error = await world.clock.run(() => client.describeJobs()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(world.metrics.sum('RetriesExhausted', { Service: 'drs' })).toBe(1);
    const [published] = world.sns.published(world.topicArn);
    expect(published).toBeDefined();
    const body = JSON.parse(published?.message ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({
      kind: 'retries-exhausted',
      operation: 'DescribeJobs',
      region: HOME_REGION,
      retryCount: 2,
      errorCode: 'InternalServerException',
    });
  });
});

describe('drs-client: rate-limited paginator', () => {
  it('takes one token per page and yields every item once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 10 }),
        async (servers, pageSize) => {
          // Prepare
          const world = createLibraryWorld({ drs: { throttling: { account: 'none' } } });
          world.drs().seedSourceServers(servers);
          const runtime = world.runtime();
          const client = runtime.drs({ region: HOME_REGION });
          const limiter = countingLimiter(runtime.limiter({ region: HOME_REGION }));
          // Re-attach with the counting limiter: same limiter underneath.
          const { attachResilience } = await import('../../src/resilience/resilient-client.js');
          attachResilience(client.sdk, {
            limiter,
            region: HOME_REGION,
            service: 'drs',
            clock: world.clock,
            env: {},
          });

          // Act
          const items = await world.clock.run(() =>
            client.listAll('DescribeSourceServers', {}, { pageSize }),
          );

          // Assess
          const pages = Math.max(1, Math.ceil(servers / pageSize));
          expect(items.map((s) => s.sourceServerID).sort()).toEqual(
            world.drs().sourceServerIds().sort(),
          );
          expect(limiter.taken).toBe(pages);
          expect(world.drs().stats().total.calls).toBe(pages);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('retries a throttled page alone, not the pages before it', async () => {
    // Prepare: 3 pages; the second page's first attempt is throttled.
    const world = createLibraryWorld({ drs: { throttling: { account: 'none' } } });
    world.drs().seedSourceServers(6);
    const client = world.runtime().drs({ region: HOME_REGION });
    const pages: number[] = [];

    // Act
    await world.clock.run(async () => {
      for await (const page of client.paginate('DescribeSourceServers', {}, { pageSize: 2 })) {
        pages.push(page.items?.length ?? 0);
        if (pages.length === 1) {
          world.drs().failNext(1, {
            name: 'ThrottlingException',
            httpStatusCode: 429,
            message: 'Rate exceeded',
            retryAfterSeconds: 1,
          });
        }
      }
    });

    // Assess: 3 pages + 1 retry = 4 calls.
    expect(pages).toEqual([2, 2, 2]);
    expect(world.drs().stats().total.calls).toBe(4);
  });

  it('stops after maxPages with an error while DRS still has pages', async () => {
    // Prepare
    const world = createLibraryWorld({ drs: { throttling: { account: 'none' } } });
    world.drs().seedSourceServers(5);
    const client = world.runtime().drs({ region: HOME_REGION });

    // Act
    const error = await world.clock
      .run(() => client.listAll('DescribeSourceServers', {}, { pageSize: 1, maxPages: 3 }))
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DrsPaginationError);
    expect(world.drs().stats().total.calls).toBe(3);
  });

  it('walks jobs and recovery instances too', async () => {
    // Prepare
    const world = createLibraryWorld({
      drs: {
        throttling: { account: 'none' },
        timings: { jobStartDelayMs: 1, launchDurationMs: 10 },
      },
    });
    const ids = world.drs().seedSourceServers(3);
    const client = world.runtime().drs({ region: HOME_REGION });
    await world.clock.run(async () => {
      await client.startRecovery({
        sourceServers: ids.map((sourceServerID) => ({ sourceServerID })),
      });
      await world.clock.sleep(1000);
    });

    // Act
    const jobs = await world.clock.run(() => client.listAll('DescribeJobs', {}, { pageSize: 1 }));
    const instances = await world.clock.run(() =>
      client.listAll('DescribeRecoveryInstances', {}, { pageSize: 2 }),
    );

    // Assess
    expect(jobs).toHaveLength(1);
    expect(instances).toHaveLength(3);
  });
});
