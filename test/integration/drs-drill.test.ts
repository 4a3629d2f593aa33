import { beforeAll, describe, expect, it } from 'vitest';
import { runDrill, type DrillResult } from '../../src/disaster-recovery/simulator/drill.js';

describe('integration: a 600-server DR drill from 5 concurrent invocations', () => {
  let result: DrillResult;

  beforeAll(async () => {
    // 600 servers in 5 waves, 5 concurrent invocations; the first wave is delivered twice at
    // once and once more after the drill. DRS: AWS's quotas (20 jobs, 100 per job, 500 in all
    // jobs) and its account rate (10/s, burst 10) below the clients' burst of 20.
    result = await runDrill({ servers: 600, waves: 5, concurrency: 5 });
  }, 60_000);

  it('launches all 600 servers with zero quota errors and zero failed calls', () => {
    expect(result.launched).toBe(600);
    expect(result.launchFailed).toBe(0);
    expect(result.quotaErrors).toBe(0);
    expect(result.failedCalls).toBe(0);
    expect(result.failedInvocations).toBe(0);
  });

  it('never starts a chunk twice: duplicate and late deliveries reuse the jobs', () => {
    expect(result.jobsStarted).toBe(result.jobsExpected);
    // Wave 1 has two jobs: reused by the concurrent duplicate and by the late redelivery.
    expect(result.jobsReused).toBe(4);
  });

  it('was throttled by DRS, and every throttled call was retried to success', () => {
    expect(result.throttles).toBeGreaterThan(0);
    expect(result.retries).toBeGreaterThanOrEqual(result.throttles);
    expect(result.rateLimitErrors).toBe(result.throttles);
    expect(result.escalations).toBe(0);
  });

  it('kept DRS within its job quotas, waiting for capacity instead of failing', () => {
    expect(result.peakConcurrentJobs).toBeLessThanOrEqual(20);
    expect(result.peakServersInActiveJobs).toBeLessThanOrEqual(500);
    // 600 servers cannot all be in jobs at once (500): the last wave waited for the first.
    expect(result.durationMs).toBeGreaterThan(2 * 310_000);
    const completions = result.timeline.filter((e) => e.kind === 'wave-completed');
    expect(new Set(completions.map((e) => e.waveId)).size).toBe(5);
  });
});

describe('integration: drills under tighter limits', () => {
  it('with 3 concurrent jobs and per-container limiters, still no quota error or failure', async () => {
    const result = await runDrill({
      servers: 90,
      waves: 6,
      concurrency: 4,
      duplicateDeliveries: 2,
      terminate: true,
      world: {
        drs: { quotas: { concurrentJobs: 3, serversPerJob: 10 } },
        // Waves queue for 3 job slots far longer than the default 10 minutes.
        config: { limiterMode: 'local', pollIntervalSeconds: 10, throttlerTimeoutSeconds: 3600 },
      },
    });
    expect(result).toMatchObject({
      launched: 90,
      quotaErrors: 0,
      failedCalls: 0,
      failedInvocations: 0,
    });
    // The model counts recovery jobs (terminate jobs are not launches).
    expect(result.jobsStarted).toBe(result.jobsExpected);
    expect(result.peakConcurrentJobs).toBeLessThanOrEqual(3);
    expect(result.timeline.filter((e) => e.kind === 'wave-terminating')).toHaveLength(6);
  }, 60_000);

  it('escalates to SNS when a wave cannot get capacity in time, still without a quota error', async () => {
    const result = await runDrill({
      servers: 40,
      waves: 4,
      concurrency: 4,
      duplicateDeliveries: 0,
      redeliverAfterDrill: false,
      world: {
        drs: { quotas: { concurrentJobs: 1 } },
        config: { pollIntervalSeconds: 30, throttlerTimeoutSeconds: 120 },
      },
    });
    expect(result.quotaErrors).toBe(0);
    expect(result.failedCalls).toBe(0);
    expect(result.failedInvocations).toBe(3);
    expect(result.escalations).toBe(3);
    const failures = result.timeline.filter((e) => e.kind === 'invocation-failed');
    expect(failures.map((e) => e.detail)).toEqual(
      Array(3).fill(expect.stringMatching(/^JobThrottlerTimeoutError: No DRS job capacity/)),
    );
    expect(result.launched).toBe(10);
  }, 60_000);
});
