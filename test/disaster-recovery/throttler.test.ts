import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CapacityRequestError } from '../../src/disaster-recovery/capacity.js';
import { JobThrottlerTimeoutError } from '../../src/disaster-recovery/errors.js';
import {
  InMemoryLeaseBackend,
  type LeaseBackend,
} from '../../src/disaster-recovery/lease-store.js';
import { JobThrottler } from '../../src/disaster-recovery/throttler.js';
import { HOME_REGION, createLibraryWorld, type LibraryWorld } from './library-support.js';

const target = { region: HOME_REGION };

/** Starts `count` one-server jobs directly on the model (another orchestrator's jobs). */
async function startJobsOutside(world: LibraryWorld, count: number): Promise<void> {
  const model = world.drs();
  const ids = model.seedSourceServers(count);
  const client = world.runtime().drs(target);
  await world.clock.run(async () => {
    for (const id of ids) await client.startRecovery({ sourceServers: [{ sourceServerID: id }] });
  });
}

describe('throttler: Property 10 — job throttler capacity check', () => {
  it('has capacity exactly when active jobs are below min(threshold, quota)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 1, max: 15 }),
        async (active, threshold, quota) => {
          // Prepare: `active` jobs already running, quotas as given.
          const world = createLibraryWorld({
            drs: {
              throttling: { account: 'none' },
              quotas: { concurrentJobs: 20 },
              timings: { jobStartDelayMs: 3_600_000 },
            },
            env: {
              DRS_JOB_THRESHOLD: String(threshold),
              DRS_QUOTA_MAX_CONCURRENT_JOBS: String(quota),
            },
          });
          world.serviceQuotas.denyAccess(); // the fallbacks (env) are the quotas
          await startJobsOutside(world, active);
          const throttler = world.runtime().throttler(target);

          // Act
          const snapshot = await world.clock.run(() => throttler.checkCapacity());

          // Assess
          const limit = Math.min(threshold, quota);
          expect(snapshot.activeJobs).toBe(active);
          expect(snapshot.limits.jobLimit).toBe(limit);
          expect(snapshot.hasCapacity).toBe(active < limit);
          expect(snapshot.availableJobs).toBe(Math.max(0, limit - active));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('counts servers in active jobs against the servers-in-all-jobs quota', async () => {
    // Prepare: 8 servers busy, a quota of 10.
    const world = createLibraryWorld({
      drs: { throttling: { account: 'none' }, timings: { jobStartDelayMs: 3_600_000 } },
      env: { DRS_QUOTA_MAX_SERVERS_IN_ACTIVE_JOBS: '10' },
    });
    world.serviceQuotas.denyAccess();
    const model = world.drs();
    const busy = model.seedSourceServers(8);
    const client = world.runtime().drs(target);
    await world.clock.run(() =>
      client.startRecovery({ sourceServers: busy.map((sourceServerID) => ({ sourceServerID })) }),
    );
    const throttler = world.runtime().throttler(target);

    // Act
    const two = await world.clock.run(() =>
      throttler.checkCapacity({ sourceServerIds: model.seedSourceServers(2) }),
    );
    const three = await world.clock.run(() =>
      throttler.checkCapacity({ sourceServerIds: model.seedSourceServers(3) }),
    );
    const again = await world.clock.run(() =>
      throttler.checkCapacity({ sourceServerIds: [busy[0] ?? ''] }),
    );

    // Assess
    expect(two.serversInActiveJobs).toBe(8);
    expect(two.hasCapacity).toBe(true);
    expect(three).toMatchObject({ hasCapacity: false, decision: { shortage: 'servers' } });
    expect(again).toMatchObject({ hasCapacity: false, decision: { shortage: 'busy-servers' } });
  });

  it('pages through every job of the window (DescribeJobs cannot filter by status)', async () => {
    // Prepare: 5 active jobs, pages of 2 jobs.
    const world = createLibraryWorld({
      drs: {
        throttling: { account: 'none' },
        defaultPageSize: 2,
        timings: { jobStartDelayMs: 3_600_000 },
      },
    });
    await startJobsOutside(world, 5);
    const throttler = world.runtime().throttler(target);
    world.drs().resetStats();

    // Act
    const snapshot = await world.clock.run(() => throttler.checkCapacity());

    // Assess: 3 pages of DescribeJobs.
    expect(snapshot.activeJobs).toBe(5);
    expect(world.drs().stats().byOperation.DescribeJobs?.calls).toBe(3);
  });

  it('rejects a job that could never fit at once', async () => {
    // Prepare
    const world = createLibraryWorld();
    const throttler = world.runtime().throttler(target);
    const ids = world.drs().seedSourceServers(101);

    // Act
    const error = await world.clock
      .run(() => throttler.waitForCapacity({ sourceServerIds: ids }))
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(CapacityRequestError);
  });
});

describe('throttler: Property 11 — job throttler timeout', () => {
  it('raises after the timeout with the job count and the time waited', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 20 }),
        async (timeoutSeconds, pollSeconds) => {
          // Prepare: the one allowed job is taken and never finishes within the test.
          const world = createLibraryWorld({
            drs: {
              throttling: { account: 'none' },
              quotas: { concurrentJobs: 1 },
              timings: { jobStartDelayMs: 3_600_000 },
            },
            env: {
              DRS_THROTTLER_TIMEOUT_SECONDS: String(Math.max(timeoutSeconds, pollSeconds)),
              DRS_POLL_INTERVAL_SECONDS: String(pollSeconds),
            },
          });
          await startJobsOutside(world, 1);
          const throttler = world.runtime().throttler(target);
          const timeoutMs = Math.max(timeoutSeconds, pollSeconds) * 1000;
          const startedAt = world.clock.now();

          // Act
          const error = await world.clock
            .run(() =>
              throttler.waitForCapacity({ sourceServerIds: world.drs().seedSourceServers(1) }),
            )
            .catch((e: unknown) => e);

          // Assess: not before the timeout, and not more than a few calls' latency after it.
          expect(error).toBeInstanceOf(JobThrottlerTimeoutError);
          const details = (error as JobThrottlerTimeoutError).details;
          expect(details.activeJobs).toBe(1);
          expect(details.jobLimit).toBe(1);
          expect(details.timeoutMs).toBe(timeoutMs);
          expect(details.waitedMs).toBeGreaterThanOrEqual(timeoutMs);
          expect(details.waitedMs).toBeLessThan(timeoutMs + 1000);
          expect(world.clock.now() - startedAt).toBe(details.waitedMs);
          expect((error as Error).message).toContain('1 active job(s) of 1 allowed');
        },
      ),
      { numRuns: 15 },
    );
  });

  it('defaults to a 10-minute timeout, then escalates and counts', async () => {
    // Prepare
    const world = createLibraryWorld({
      drs: {
        throttling: { account: 'none' },
        quotas: { concurrentJobs: 1 },
        timings: { jobStartDelayMs: 3_600_000 },
      },
    });
    await startJobsOutside(world, 1);
    const throttler = world.runtime().throttler(target);

    // Act
    const error = await world.clock
      .run(() =>
        throttler.waitForCapacity({
          sourceServerIds: world.drs().seedSourceServers(1),
          waveId: 'w1',
        }),
      )
      .catch((e: unknown) => e);

    // Assess
    expect((error as JobThrottlerTimeoutError).details.timeoutMs).toBe(600_000);
    expect(world.metrics.sum('ThrottlerTimeouts', { Service: 'drs' })).toBe(1);
    const body = JSON.parse(world.sns.published(world.topicArn)[0]?.message ?? '{}') as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject({
      kind: 'throttler-timeout',
      waveId: 'w1',
      capacity: { activeJobs: 1, jobLimit: 1 },
    });
  });

  it('returns as soon as a job finishes within the timeout', async () => {
    // Prepare: the running job completes after ~70 s.
    const world = createLibraryWorld({
      drs: {
        throttling: { account: 'none' },
        quotas: { concurrentJobs: 1 },
        timings: { jobStartDelayMs: 10_000, launchDurationMs: 60_000 },
      },
    });
    await startJobsOutside(world, 1);
    const throttler = world.runtime().throttler(target);

    // Act
    const lease = await world.clock.run(() =>
      throttler.waitForCapacity({ sourceServerIds: world.drs().seedSourceServers(1) }),
    );

    // Assess: waited at least until the job ended, at most one poll interval (30 s) more.
    expect(lease.waitedMs).toBeGreaterThanOrEqual(60_000);
    expect(lease.waitedMs).toBeLessThanOrEqual(70_000 + 30_000);
  });
});

describe('throttler: leases under concurrent acquirers', () => {
  it('never lets concurrent containers exceed the concurrent-jobs quota', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        async (containers, quota) => {
          // Prepare: each container starts 3 one-server jobs under the throttler at once.
          const world = createLibraryWorld({
            drs: {
              throttling: { account: 'none' },
              quotas: { concurrentJobs: quota },
              timings: { jobStartDelayMs: 5_000, launchDurationMs: 20_000 },
            },
            env: { DRS_POLL_INTERVAL_SECONDS: '5' },
          });
          const servers = world.drs().seedSourceServers(containers * 3);
          const runtimes = Array.from({ length: containers }, () => world.runtime());

          // Act
          const jobIds = await world.clock.run(() =>
            Promise.all(
              runtimes.map(async (runtime, c) => {
                const throttler = runtime.throttler(target);
                const drs = runtime.drs(target);
                const started: string[] = [];
                for (let j = 0; j < 3; j += 1) {
                  const id = servers[c * 3 + j] ?? '';
                  const { jobId } = await throttler.startJob(
                    { sourceServerIds: [id] },
                    async () => {
                      const out = await drs.startRecovery({
                        sourceServers: [{ sourceServerID: id }],
                      });
                      return out.job?.jobID ?? '';
                    },
                  );
                  started.push(jobId);
                }
                return started;
              }),
            ),
          );

          // Assess: every job started, DRS never refused one, never more than the quota.
          expect(jobIds.flat()).toHaveLength(containers * 3);
          const counters = world.drs().counters();
          expect(counters.quotaErrors).toBe(0);
          expect(counters.peakConcurrentJobs).toBeLessThanOrEqual(quota);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('a lease left by a crashed container stops counting after its TTL', async () => {
    // Prepare: quota 1; a container takes the lease and never starts its job.
    const world = createLibraryWorld({
      drs: { throttling: { account: 'none' }, quotas: { concurrentJobs: 1 } },
      env: {
        DRS_LEASE_TTL_SECONDS: '120',
        // A lease TTL must outlive the wait plus the retries: no retries here.
        DRS_MAX_RETRIES: '0',
        DRS_THROTTLER_TIMEOUT_SECONDS: '120',
        DRS_POLL_INTERVAL_SECONDS: '10',
      },
    });
    const [a, b] = world.drs().seedSourceServers(2);
    await world.clock.run(() =>
      world
        .runtime()
        .throttler(target)
        .waitForCapacity({ sourceServerIds: [a ?? ''] }),
    );
    const other = world.runtime().throttler(target);

    // Act
    const before = await world.clock.run(() => other.checkCapacity());
    const lease = await world.clock.run(() =>
      other.waitForCapacity({ sourceServerIds: [b ?? ''] }),
    );

    // Assess
    expect(before).toMatchObject({ hasCapacity: false, leasedJobs: 1 });
    expect(lease.waitedMs).toBeGreaterThanOrEqual(110_000);
    expect(lease.waitedMs).toBeLessThanOrEqual(130_000);
  });

  it('a released lease frees its capacity at once; an attached one ends when the job is done', async () => {
    // Prepare
    const world = createLibraryWorld({
      drs: {
        throttling: { account: 'none' },
        quotas: { concurrentJobs: 1 },
        timings: { jobStartDelayMs: 1_000, launchDurationMs: 5_000 },
      },
    });
    const [a, b] = world.drs().seedSourceServers(2);
    const runtime = world.runtime();
    const throttler = runtime.throttler(target);

    // Act + Assess: released.
    const first = await world.clock.run(() =>
      throttler.waitForCapacity({ sourceServerIds: [a ?? ''] }),
    );
    await world.clock.run(() => first.release());
    const afterRelease = await world.clock.run(() => throttler.checkCapacity());
    expect(afterRelease).toMatchObject({ hasCapacity: true, activeJobs: 0 });

    // Act + Assess: attached to a job, counted once while DRS shows it, then dropped.
    const second = await world.clock.run(() =>
      throttler.waitForCapacity({ sourceServerIds: [b ?? ''] }),
    );
    const out = await world.clock.run(() =>
      runtime.drs(target).startRecovery({ sourceServers: [{ sourceServerID: b ?? '' }] }),
    );
    await world.clock.run(() => second.attach(out.job?.jobID ?? ''));
    const running = await world.clock.run(() => throttler.checkCapacity());
    expect(running).toMatchObject({ activeJobs: 1, leasedJobs: 0 });
    await world.clock.run(() => world.clock.sleep(60_000));
    const done = await world.clock.run(() => throttler.checkCapacity());
    expect(done).toMatchObject({ activeJobs: 0, hasCapacity: true });
  });

  it('startJob gives the lease back and waits again when DRS refuses for quota', async () => {
    // Prepare: our view allows 2 jobs, DRS allows 1 (a stale fallback), one job running.
    const world = createLibraryWorld({
      drs: {
        throttling: { account: 'none' },
        quotas: { concurrentJobs: 1 },
        timings: { jobStartDelayMs: 1_000, launchDurationMs: 30_000 },
      },
      env: { DRS_QUOTA_MAX_CONCURRENT_JOBS: '2', DRS_POLL_INTERVAL_SECONDS: '10' },
    });
    world.serviceQuotas.denyAccess();
    await startJobsOutside(world, 1);
    const runtime = world.runtime();
    const [id] = world.drs().seedSourceServers(1);
    let attempts = 0;

    // Act
    const { jobId } = await world.clock.run(() =>
      runtime.throttler(target).startJob({ sourceServerIds: [id ?? ''] }, async () => {
        attempts += 1;
        const out = await runtime
          .drs(target)
          .startRecovery({ sourceServers: [{ sourceServerID: id ?? '' }] });
        return out.job?.jobID ?? '';
      }),
    );

    // Assess
    expect(jobId).toMatch(/^drsjob-/);
    expect(attempts).toBeGreaterThan(1);
    expect(world.drs().counters().quotaErrors).toBe(attempts - 1);
  });

  const sdkError = (name: string, httpStatusCode: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });

  it.each([
    ['a 500 (the job may exist): the lease lapses by its TTL', sdkError('InternalError', 500), 1],
    ['a lost answer (the job may exist): the lease lapses', new Error('socket hang up'), 1],
    ['a 400 (DRS refused): the lease is given back', sdkError('ValidationException', 400), 0],
  ])('startJob rethrows the error of the start; %s', async (_name, failure, leased) => {
    // Prepare
    const world = createLibraryWorld();
    const throttler = world.runtime().throttler(target);
    const [id] = world.drs().seedSourceServers(1);

    // Act
    const error = await world.clock
      .run(() => throttler.startJob({ sourceServerIds: [id ?? ''] }, () => Promise.reject(failure)))
      .catch((e: unknown) => e);
    const after = await world.clock.run(() => throttler.checkCapacity());

    // Assess
    expect(error).toBe(failure);
    expect(after.leasedJobs).toBe(leased);
  });

  it('a failing lease update never hides the outcome of the start', async () => {
    // Prepare: a lease backend whose writes fail once a lease is held.
    const world = createLibraryWorld({ drs: { throttling: { account: 'none' } } });
    const runtime = world.runtime();
    const [a, b] = world.drs().seedSourceServers(2);
    const memory = new InMemoryLeaseBackend();
    let failWrites = false;
    const leases: LeaseBackend = {
      read: (key) => memory.read(key),
      write: (key, version, list) =>
        failWrites
          ? Promise.reject(sdkError('AccessDeniedException', 400))
          : memory.write(key, version, list),
    };
    const throttler = new JobThrottler({
      target,
      drs: runtime.drs(target),
      quotas: () => runtime.quotas(target),
      leases,
      leaseKey: 'lease#test',
      settings: {
        jobThreshold: 20,
        timeoutMs: 60_000,
        pollIntervalMs: 1_000,
        jobWindowMs: 3_600_000,
        leaseTtlMs: 120_000,
      },
      clock: world.clock,
    });
    const refused = sdkError('ValidationException', 400);

    // Act: a started job whose lease cannot be attached; a refused start whose lease cannot
    // be given back.
    const started = await world.clock.run(() =>
      throttler.startJob({ sourceServerIds: [a ?? ''] }, () => {
        failWrites = true;
        return Promise.resolve('drsjob-1');
      }),
    );
    failWrites = false;
    const error = await world.clock
      .run(() =>
        throttler.startJob({ sourceServerIds: [b ?? ''] }, () => {
          failWrites = true;
          return Promise.reject(refused);
        }),
      )
      .catch((e: unknown) => e);

    // Assess: the job id comes back; the refusal, not the lease error, is thrown.
    expect(started.jobId).toBe('drsjob-1');
    expect(error).toBe(refused);
  });
});
