import type { Job, JobStatus } from '@aws-sdk/client-drs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CapacityRequestError,
  capacityUsage,
  decideCapacity,
  effectiveLimits,
  splitIntoJobs,
  summarizeJobs,
  type Lease,
} from '../../src/disaster-recovery/capacity.js';
import { DEFAULT_DRS_QUOTAS } from '../../src/disaster-recovery/contract.js';

const job = (id: string, status: JobStatus, servers: string[]): Job => ({
  jobID: id,
  status,
  participatingServers: servers.map((sourceServerID) => ({ sourceServerID })),
});

describe('capacity: summarizeJobs', () => {
  it('counts PENDING and STARTED jobs, and the servers of launch jobs, once per job id', () => {
    // Act
    const summary = summarizeJobs([
      job('j1', 'PENDING', ['a', 'b']),
      job('j2', 'STARTED', ['c']),
      job('j2', 'STARTED', ['c']), // repeated across pages
      job('j3', 'COMPLETED', ['d']),
      { jobID: undefined, status: 'STARTED' }, // no id: ignored
      { ...job('t1', 'STARTED', ['e']), type: 'TERMINATE' }, // a slot, no servers
    ]);

    // Assess
    expect([...summary.activeJobIds]).toEqual(['j1', 'j2', 't1']);
    expect([...summary.completedJobIds]).toEqual(['j3']);
    expect(summary.serversInActiveJobs).toBe(3);
    expect([...summary.busyServerIds]).toEqual(['a', 'b', 'c']);
  });
});

describe('capacity: capacityUsage', () => {
  const summary = summarizeJobs([job('j1', 'STARTED', ['a']), job('j9', 'COMPLETED', ['z'])]);
  const lease = (id: string, extra: Partial<Lease> = {}): Lease => ({
    id,
    sourceServerIds: ['x', 'y'],
    expiresAtMs: 1000,
    ...extra,
  });

  it('adds leases DRS does not show yet; drops expired ones and those whose job is done', () => {
    // Act
    const usage = capacityUsage(
      summary,
      [
        lease('pending'),
        lease('visible', { jobId: 'j1' }),
        lease('done', { jobId: 'j9' }),
        lease('expired', { expiresAtMs: 500 }),
        lease('unseen', { jobId: 'j5', sourceServerIds: ['q'] }),
      ],
      500,
    );

    // Assess
    expect(usage.jobs).toBe(3); // j1 + pending + unseen
    expect(usage.servers).toBe(1 + 2 + 1);
    expect(usage.leasedJobs).toBe(2);
    expect(usage.staleLeaseIds).toEqual(['done', 'expired']);
    expect(usage.liveLeases.map((l) => l.id)).toEqual(['pending', 'visible', 'unseen']);
    expect(usage.busyServerIds.has('q')).toBe(true);
  });
});

describe('capacity: decideCapacity', () => {
  it('fits exactly when jobs, servers and busy servers all allow it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        (jobs, servers, requested, threshold, busy) => {
          // Prepare
          const limits = effectiveLimits(DEFAULT_DRS_QUOTAS, threshold);
          const ids = Array.from({ length: requested }, (_, i) => `s${i}`);
          const usage = {
            jobs,
            servers,
            leasedJobs: 0,
            leasedServers: 0,
            busyServerIds: new Set(busy ? ['s0'] : []),
            liveLeases: [],
            staleLeaseIds: [],
          };

          // Act
          const decision = decideCapacity(usage, limits, ids);

          // Assess
          const fits = jobs < Math.min(threshold, 20) && servers + requested <= 500 && !busy;
          expect(decision.fits).toBe(fits);
          if (!fits) expect(decision.shortage).toBeDefined();
        },
      ),
    );
  });

  it('ignores busy servers when the quota allows several jobs per server', () => {
    const limits = effectiveLimits({ ...DEFAULT_DRS_QUOTAS, maxJobsPerServer: 2 }, 20);
    const usage = capacityUsage(summarizeJobs([job('j', 'STARTED', ['a'])]), [], 0);
    expect(decideCapacity(usage, limits, ['a']).fits).toBe(true);
  });

  it('rejects jobs that can never start', () => {
    const limits = effectiveLimits(DEFAULT_DRS_QUOTAS, 20);
    const usage = capacityUsage(summarizeJobs([]), [], 0);
    expect(() => decideCapacity(usage, limits, [])).toThrow(CapacityRequestError);
    const many = Array.from({ length: 101 }, (_, i) => `s${i}`);
    expect(() => decideCapacity(usage, limits, many)).toThrow(/splitIntoJobs/);
  });

  it('caps servers per job at the StartRecovery limit of 200', () => {
    expect(
      effectiveLimits({ ...DEFAULT_DRS_QUOTAS, maxServersPerJob: 500 }, 20).maxServersPerJob,
    ).toBe(200);
  });
});

describe('capacity: splitIntoJobs', () => {
  it('keeps every item in order, in jobs of at most maxPerJob that differ by at most one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { maxLength: 700 }),
        fc.integer({ min: 1, max: 200 }),
        (items, max) => {
          const jobs = splitIntoJobs(items, max);
          expect(jobs.flat()).toEqual(items);
          expect(jobs).toHaveLength(Math.ceil(items.length / max));
          const sizes = jobs.map((j) => j.length);
          expect(Math.max(0, ...sizes)).toBeLessThanOrEqual(max);
          if (sizes.length > 0)
            expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('rejects a job size below one', () => {
    expect(() => splitIntoJobs([1], 0)).toThrow(CapacityRequestError);
    expect(splitIntoJobs([1, 2, 3, 4, 5, 6, 7], 3).map((j) => j.length)).toEqual([3, 2, 2]);
  });
});
