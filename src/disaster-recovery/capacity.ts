/**
 * Pure capacity arithmetic of the job throttler: what DescribeJobs and the leases say is in use,
 * what the quotas allow, and whether one more job fits. No AWS import, no clock.
 */
import type { Job } from '@aws-sdk/client-drs';
import { START_RECOVERY_MAX_SERVERS, type DrsQuotas } from './contract.js';
import { DisasterRecoveryError } from './errors.js';

/** Job statuses that hold DRS capacity (DescribeJobs cannot filter by status). */
export const ACTIVE_JOB_STATUSES: readonly string[] = Object.freeze(['PENDING', 'STARTED']);

/** The active part of a list of jobs. */
export interface JobSummary {
  readonly activeJobIds: ReadonlySet<string>;
  readonly completedJobIds: ReadonlySet<string>;
  /** Source servers in active launch jobs, counted once per job they are in. */
  readonly serversInActiveJobs: number;
  /** Source servers in at least one active job. */
  readonly busyServerIds: ReadonlySet<string>;
}

export function summarizeJobs(jobs: readonly Job[]): JobSummary {
  const activeJobIds = new Set<string>();
  const completedJobIds = new Set<string>();
  const busyServerIds = new Set<string>();
  let serversInActiveJobs = 0;
  for (const job of jobs) {
    if (job.jobID === undefined) continue;
    if (!ACTIVE_JOB_STATUSES.includes(job.status ?? '')) {
      completedJobIds.add(job.jobID);
      continue;
    }
    if (activeJobIds.has(job.jobID)) continue; // a job repeated across pages counts once
    activeJobIds.add(job.jobID);
    // A terminate job holds a concurrent-job slot but not the per-server quotas.
    if (job.type === 'TERMINATE') continue;
    for (const server of job.participatingServers ?? []) {
      serversInActiveJobs += 1;
      if (server.sourceServerID !== undefined) busyServerIds.add(server.sourceServerID);
    }
  }
  return { activeJobIds, completedJobIds, serversInActiveJobs, busyServerIds };
}

/**
 * Capacity one invocation holds between "count" and "the job shows up in DescribeJobs": without
 * it, two invocations that count at the same time both see room for the last job.
 */
export interface Lease {
  readonly id: string;
  readonly sourceServerIds: readonly string[];
  /** Epoch ms after which the lease no longer counts (a crashed holder's lease lapses). */
  readonly expiresAtMs: number;
  /** Set once StartRecovery answered; the lease is dropped when the job is seen done. */
  readonly jobId?: string;
  /**
   * The idempotency key of the job it holds capacity for. A start of the same key (which owns
   * the key's claim and looked for its job first) replaces it: the lease an unknown-outcome
   * start kept must not block the redelivery of that very job until it lapses.
   */
  readonly key?: string;
}

/** The limits in force: the configured threshold capped by the quotas. */
export interface CapacityLimits {
  readonly jobLimit: number;
  readonly serverLimit: number;
  readonly maxServersPerJob: number;
  readonly maxJobsPerServer: number;
}

export function effectiveLimits(quotas: DrsQuotas, jobThreshold: number): CapacityLimits {
  return {
    jobLimit: Math.min(jobThreshold, quotas.maxConcurrentJobs),
    serverLimit: quotas.maxServersInActiveJobs,
    maxServersPerJob: Math.min(quotas.maxServersPerJob, START_RECOVERY_MAX_SERVERS),
    maxJobsPerServer: quotas.maxJobsPerServer,
  };
}

/** Capacity in use: DRS's jobs plus the leases DRS does not show yet. */
export interface CapacityUsage {
  readonly jobs: number;
  readonly servers: number;
  /** Of `jobs`, those only known from a lease. */
  readonly leasedJobs: number;
  readonly leasedServers: number;
  readonly busyServerIds: ReadonlySet<string>;
  /** Leases that still count. */
  readonly liveLeases: readonly Lease[];
  /** Leases to drop: expired, or their job is seen done. */
  readonly staleLeaseIds: readonly string[];
}

export function capacityUsage(
  summary: JobSummary,
  leases: readonly Lease[],
  nowMs: number,
): CapacityUsage {
  const busyServerIds = new Set(summary.busyServerIds);
  const liveLeases: Lease[] = [];
  const staleLeaseIds: string[] = [];
  let leasedJobs = 0;
  let leasedServers = 0;
  for (const lease of leases) {
    const done = lease.jobId !== undefined && summary.completedJobIds.has(lease.jobId);
    if (lease.expiresAtMs <= nowMs || done) {
      staleLeaseIds.push(lease.id);
      continue;
    }
    liveLeases.push(lease);
    // A lease whose job DescribeJobs already lists is counted there, not twice.
    if (lease.jobId !== undefined && summary.activeJobIds.has(lease.jobId)) continue;
    leasedJobs += 1;
    leasedServers += lease.sourceServerIds.length;
    for (const id of lease.sourceServerIds) busyServerIds.add(id);
  }
  return {
    jobs: summary.activeJobIds.size + leasedJobs,
    servers: summary.serversInActiveJobs + leasedServers,
    leasedJobs,
    leasedServers,
    busyServerIds,
    liveLeases,
    staleLeaseIds,
  };
}

/** Why a job does not fit now. */
export type CapacityShortage = 'jobs' | 'servers' | 'busy-servers';

export interface CapacityDecision {
  readonly fits: boolean;
  /** Set when it does not fit. */
  readonly shortage?: CapacityShortage;
  /** Requested servers already in an active job (only when one job per server is allowed). */
  readonly busyServerIds: readonly string[];
}

/** A request that no amount of waiting can satisfy. */
export class CapacityRequestError extends DisasterRecoveryError {
  constructor(message: string) {
    super(message);
    this.name = 'CapacityRequestError';
  }
}

/**
 * Whether one more job of `sourceServerIds` fits beside `usage`.
 * @throws {CapacityRequestError} when the job could never fit (too many servers for one job).
 */
export function decideCapacity(
  usage: CapacityUsage,
  limits: CapacityLimits,
  sourceServerIds: readonly string[],
): CapacityDecision {
  checkJobSize(sourceServerIds.length, limits);
  const busy =
    limits.maxJobsPerServer <= 1 ? sourceServerIds.filter((id) => usage.busyServerIds.has(id)) : [];
  if (usage.jobs + 1 > limits.jobLimit)
    return { fits: false, shortage: 'jobs', busyServerIds: busy };
  if (usage.servers + sourceServerIds.length > limits.serverLimit) {
    return { fits: false, shortage: 'servers', busyServerIds: busy };
  }
  if (busy.length > 0) return { fits: false, shortage: 'busy-servers', busyServerIds: busy };
  return { fits: true, busyServerIds: [] };
}

/** @throws {CapacityRequestError} when `servers` can never be one job. */
export function checkJobSize(servers: number, limits: CapacityLimits): void {
  if (servers < 1) {
    throw new CapacityRequestError('A DRS job needs at least one source server.');
  }
  const max = Math.min(limits.maxServersPerJob, limits.serverLimit);
  if (servers > max) {
    throw new CapacityRequestError(
      `A job of ${servers} source servers can never start: at most ${max} fit in one job ` +
        '(servers-per-job and servers-in-all-jobs quotas). Split the wave with splitIntoJobs.',
    );
  }
}

/**
 * Splits a wave into jobs of at most `maxPerJob` servers, as evenly as possible (7 servers at 3
 * per job → 3, 2, 2), keeping the given order.
 */
export function splitIntoJobs<T>(items: readonly T[], maxPerJob: number): T[][] {
  if (!Number.isInteger(maxPerJob) || maxPerJob < 1) {
    throw new CapacityRequestError(`maxPerJob must be a whole number >= 1, got ${maxPerJob}.`);
  }
  if (items.length === 0) return [];
  const jobs = Math.ceil(items.length / maxPerJob);
  const base = Math.floor(items.length / jobs);
  const extra = items.length % jobs;
  const result: T[][] = [];
  let start = 0;
  for (let i = 0; i < jobs; i += 1) {
    const size = base + (i < extra ? 1 : 0);
    result.push(items.slice(start, start + size));
    start += size;
  }
  return result;
}
