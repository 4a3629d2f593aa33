/**
 * The job throttler: keeps the number of active DRS jobs (and the servers in them) within the
 * configured threshold and the DRS quotas, across every concurrent invocation.
 *
 * Capacity in use = the PENDING/STARTED jobs DescribeJobs lists (paged over a date window: it
 * cannot filter by status) + the leases of jobs being started that DescribeJobs does not show
 * yet. Taking a lease is a conditional write on the (account, region) lease record, so "count
 * then start" is atomic across Lambdas; a lease lapses after its TTL (a crashed holder) and is
 * dropped once its job is seen done.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock, type RandomSource } from '../resilience/clock.js';
import {
  capacityUsage,
  checkJobSize,
  decideCapacity,
  effectiveLimits,
  summarizeJobs,
  type CapacityDecision,
  type CapacityLimits,
  type CapacityUsage,
  type Lease,
} from './capacity.js';
import type { DrsQuotas } from './contract.js';
import type { DrsClient } from './drs-client.js';
import {
  DisasterRecoveryError,
  DrsConflictError,
  DrsQuotaExceededError,
  JobThrottlerTimeoutError,
  type DrsTarget,
} from './errors.js';
import type { Escalator } from './escalation.js';
import type { LeaseBackend, LeaseState } from './lease-store.js';
import { DrsMetrics, silentDrsLogger, type DrsLogger } from './observability.js';
import { startWasRejected } from './start-outcome.js';
import { errorCodeOf } from '../resilience/error-classification.js';
import { noopMetricRecorder } from '../observability/metrics.js';

export interface JobThrottlerSettings {
  /** Most active jobs allowed (capped by the concurrent-jobs quota). */
  readonly jobThreshold: number;
  /** How long `waitForCapacity` waits. */
  readonly timeoutMs: number;
  /** Pause between capacity checks while waiting. */
  readonly pollIntervalMs: number;
  /** How far back DescribeJobs looks. */
  readonly jobWindowMs: number;
  /** Lifetime of a lease. */
  readonly leaseTtlMs: number;
}

export interface JobThrottlerOptions {
  readonly target: DrsTarget;
  readonly drs: DrsClient;
  /** The quotas in force (cached by the caller, e.g. `DrsQuotaReader.read`). */
  readonly quotas: () => Promise<DrsQuotas>;
  readonly leases: LeaseBackend;
  /** Key of this (account, region)'s lease record. */
  readonly leaseKey: string;
  readonly settings: JobThrottlerSettings;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Jitter after a lost lease race. @default Math.random */
  readonly random?: RandomSource;
  /** @default silentDrsLogger */
  readonly logger?: DrsLogger;
  readonly metrics?: DrsMetrics;
  /** Told when a wait times out. */
  readonly escalator?: Escalator;
}

/** A request for capacity: one job of these source servers. */
export interface CapacityRequest {
  readonly sourceServerIds: readonly string[];
  /**
   * The idempotency key of the job: a lease left under the same key (by a start whose outcome
   * was unknown) is replaced, not counted. Only the holder of the key's claim may pass it.
   */
  readonly key?: string;
  /** For logs and escalations. */
  readonly waveId?: string;
}

/** What `checkCapacity` saw. */
export interface CapacitySnapshot {
  readonly target: DrsTarget;
  readonly quotas: DrsQuotas;
  readonly limits: CapacityLimits;
  /** Active jobs, leased ones included. */
  readonly activeJobs: number;
  readonly serversInActiveJobs: number;
  /** Of those, only known from leases (starts in flight). */
  readonly leasedJobs: number;
  readonly leasedServers: number;
  readonly availableJobs: number;
  readonly availableServers: number;
  /** Whether `request` (or, without one, one job of one server) fits now. */
  readonly hasCapacity: boolean;
  readonly decision: CapacityDecision;
}

/** Capacity held for one job; attach the job id once started, release on failure. */
export interface CapacityLease {
  readonly id: string;
  readonly target: DrsTarget;
  readonly sourceServerIds: readonly string[];
  /** Milliseconds `waitForCapacity` waited for it. */
  readonly waitedMs: number;
  /** Records the started job: the lease then ends when DRS shows the job done. */
  attach(jobId: string): Promise<void>;
  /** Gives the capacity back (DRS refused the start). */
  release(): Promise<void>;
}

export interface WaitOptions {
  readonly signal?: AbortSignal;
  /** @default settings.timeoutMs */
  readonly timeoutMs?: number;
}

/** Lost lease races in a row before re-counting from DRS: contention means things moved. */
const MAX_LEASE_RACES = 8;

/** Leases and DRS job counts for one (account, region). */
export class JobThrottler {
  readonly target: DrsTarget;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly logger: DrsLogger;
  private readonly metrics: DrsMetrics;

  constructor(private readonly options: JobThrottlerOptions) {
    this.target = options.target;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentDrsLogger;
    this.metrics = options.metrics ?? new DrsMetrics(noopMetricRecorder);
  }

  /** The capacity now, and whether `request` (default: one server) would fit. Takes nothing. */
  async checkCapacity(request?: CapacityRequest): Promise<CapacitySnapshot> {
    const [quotas, summary, state] = await Promise.all([
      this.options.quotas(),
      this.activeJobs(),
      this.options.leases.read(this.options.leaseKey),
    ]);
    return this.snapshot(quotas, capacityUsage(summary, state.leases, this.clock.now()), request);
  }

  /**
   * Waits until one job of `request.sourceServerIds` fits, then holds the capacity with a
   * lease. Checks every `pollIntervalMs`.
   * @throws {JobThrottlerTimeoutError} after the timeout (escalated, counted)
   * @throws {CapacityRequestError} when the job could never fit (too many servers)
   */
  async waitForCapacity(
    request: CapacityRequest,
    options: WaitOptions = {},
  ): Promise<CapacityLease> {
    const timeoutMs = options.timeoutMs ?? this.options.settings.timeoutMs;
    const startedAt = this.clock.now();
    const deadline = startedAt + timeoutMs;
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason;
      const attempt = await this.tryLease(request);
      if ('lease' in attempt) {
        const waitedMs = this.clock.now() - startedAt;
        this.metrics.throttlerWait(waitedMs / 1000);
        return this.handle(attempt.lease, request, waitedMs);
      }
      const last = attempt.snapshot;
      const now = this.clock.now();
      if (now >= deadline) throw await this.timedOut(request, last, startedAt, timeoutMs);
      this.logger.info('No DRS job capacity yet: waiting', {
        region: this.target.region,
        accountId: this.target.accountId,
        waveId: request.waveId,
        activeJobs: last.activeJobs,
        jobLimit: last.limits.jobLimit,
        serversInActiveJobs: last.serversInActiveJobs,
        shortage: last.decision.shortage,
        waitedMs: now - startedAt,
      });
      await this.clock.sleep(
        Math.min(this.options.settings.pollIntervalMs, deadline - now),
        options.signal,
      );
    }
  }

  /**
   * Starts one job under a lease: waits for capacity, calls `start`, records the job id on the
   * lease. A quota or conflict error from `start` (another orchestrator, a stale count) gives
   * the lease back and waits again, within the same timeout.
   *
   * Any other error of `start` leaves the lease to lapse after its TTL unless it proves DRS
   * created no job (`startWasRejected`): the job may exist and DescribeJobs may not show it yet,
   * so dropping its capacity could let another start exceed a quota. Once the job id is known,
   * a failed lease update is logged, not thrown: the job exists, and the lease lapses.
   */
  async startJob(
    request: CapacityRequest,
    start: (lease: CapacityLease) => Promise<string>,
    options: WaitOptions = {},
  ): Promise<{ readonly jobId: string; readonly lease: CapacityLease }> {
    const timeoutMs = options.timeoutMs ?? this.options.settings.timeoutMs;
    const startedAt = this.clock.now();
    for (;;) {
      const remaining = Math.max(0, startedAt + timeoutMs - this.clock.now());
      const lease = await this.waitForCapacity(request, { ...options, timeoutMs: remaining });
      let jobId: string;
      try {
        jobId = await start(lease);
      } catch (error) {
        if (startWasRejected(error)) await this.quietly('release', request, () => lease.release());
        if (!(error instanceof DrsQuotaExceededError || error instanceof DrsConflictError))
          throw error;
        this.logger.warn('DRS refused the job for capacity: waiting and trying again', {
          region: this.target.region,
          accountId: this.target.accountId,
          waveId: request.waveId,
          errorCode: error.name,
        });
        const left = startedAt + timeoutMs - this.clock.now();
        // Our count says there is room but DRS keeps refusing: give up at the deadline.
        if (left <= 0) {
          const last = await this.checkCapacity(request);
          throw await this.timedOut(request, last, startedAt, timeoutMs);
        }
        await this.clock.sleep(
          Math.min(this.options.settings.pollIntervalMs, left),
          options.signal,
        );
        continue;
      }
      await this.quietly('attach', request, () => lease.attach(jobId));
      return { jobId, lease };
    }
  }

  /** A lease update whose failure must not hide the outcome: logged, the lease lapses. */
  private async quietly(
    step: 'release' | 'attach',
    request: CapacityRequest,
    update: () => Promise<void>,
  ): Promise<void> {
    try {
      await update();
    } catch (error) {
      this.logger.warn(`Could not ${step} a capacity lease: it lapses after its TTL`, {
        region: this.target.region,
        accountId: this.target.accountId,
        waveId: request.waveId,
        errorCode: errorCodeOf(error) ?? (error instanceof Error ? error.name : undefined),
      });
    }
  }

  /** One attempt: count, and take a lease if the job fits. */
  private async tryLease(
    request: CapacityRequest,
  ): Promise<{ lease: Lease } | { snapshot: CapacitySnapshot }> {
    const [quotas, summary] = await Promise.all([this.options.quotas(), this.activeJobs()]);
    checkJobSize(
      request.sourceServerIds.length,
      effectiveLimits(quotas, this.options.settings.jobThreshold),
    );
    for (let race = 0; ; race += 1) {
      const state = await this.options.leases.read(this.options.leaseKey);
      const now = this.clock.now();
      const leases =
        request.key === undefined
          ? state.leases
          : state.leases.filter((lease) => lease.key !== request.key);
      const usage = capacityUsage(summary, leases, now);
      const snapshot = this.snapshot(quotas, usage, request);
      if (!snapshot.hasCapacity) return { snapshot };
      const lease: Lease = {
        id: randomUUID(),
        sourceServerIds: [...request.sourceServerIds],
        expiresAtMs: now + this.options.settings.leaseTtlMs,
        ...(request.key === undefined ? {} : { key: request.key }),
      };
      if (
        await this.options.leases.write(this.options.leaseKey, state.version, [
          ...usage.liveLeases,
          lease,
        ])
      ) {
        return { lease };
      }
      if (race + 1 >= MAX_LEASE_RACES) return { snapshot };
      // Lost the race to another invocation: re-read after a short random pause.
      await this.clock.sleep(Math.ceil(this.random() * 50 * (race + 1)));
    }
  }

  private snapshot(
    quotas: DrsQuotas,
    usage: CapacityUsage,
    request: CapacityRequest | undefined,
  ): CapacitySnapshot {
    const limits = effectiveLimits(quotas, this.options.settings.jobThreshold);
    const decision = decideCapacity(usage, limits, request?.sourceServerIds ?? ['(one server)']);
    return {
      target: this.target,
      quotas,
      limits,
      activeJobs: usage.jobs,
      serversInActiveJobs: usage.servers,
      leasedJobs: usage.leasedJobs,
      leasedServers: usage.leasedServers,
      availableJobs: Math.max(0, limits.jobLimit - usage.jobs),
      availableServers: Math.max(0, limits.serverLimit - usage.servers),
      hasCapacity: decision.fits,
      decision,
    };
  }

  private async activeJobs() {
    const fromDate = new Date(this.clock.now() - this.options.settings.jobWindowMs).toISOString();
    const jobs = await this.options.drs.listAll('DescribeJobs', { filters: { fromDate } });
    return summarizeJobs(jobs);
  }

  private async timedOut(
    request: CapacityRequest,
    last: CapacitySnapshot,
    startedAt: number,
    timeoutMs: number,
  ): Promise<JobThrottlerTimeoutError> {
    const waitedMs = this.clock.now() - startedAt;
    const error = new JobThrottlerTimeoutError({
      target: this.target,
      activeJobs: last.activeJobs,
      serversInActiveJobs: last.serversInActiveJobs,
      jobLimit: last.limits.jobLimit,
      requestedServers: request.sourceServerIds.length,
      waitedMs,
      timeoutMs,
    });
    this.metrics.throttlerTimeout();
    this.logger.critical('No DRS job capacity within the timeout', {
      region: this.target.region,
      accountId: this.target.accountId,
      waveId: request.waveId,
      ...error.details,
      target: undefined,
    });
    await this.options.escalator?.escalate({
      kind: 'throttler-timeout',
      operation: 'StartRecovery',
      target: this.target,
      errorMessage: error.message,
      retryCount: 0,
      waitedMs,
      capacity: {
        activeJobs: last.activeJobs,
        jobLimit: last.limits.jobLimit,
        serversInActiveJobs: last.serversInActiveJobs,
        serverLimit: last.limits.serverLimit,
        requestedServers: request.sourceServerIds.length,
      },
      ...(request.waveId === undefined ? {} : { waveId: request.waveId }),
    });
    return error;
  }

  private handle(lease: Lease, request: CapacityRequest, waitedMs: number): CapacityLease {
    const backend = this.options.leases;
    const key = this.options.leaseKey;
    const update = (change: (leases: readonly Lease[]) => Lease[]) =>
      this.updateLeases(backend, key, change);
    return {
      id: lease.id,
      target: this.target,
      sourceServerIds: request.sourceServerIds,
      waitedMs,
      attach: (jobId) =>
        update((leases) => leases.map((l) => (l.id === lease.id ? { ...l, jobId } : l))),
      release: () => update((leases) => leases.filter((l) => l.id !== lease.id)),
    };
  }

  /** Read-modify-write of the lease record until the conditional write wins. */
  private async updateLeases(
    backend: LeaseBackend,
    key: string,
    change: (leases: readonly Lease[]) => Lease[],
  ): Promise<void> {
    for (let race = 0; race < 50; race += 1) {
      const state: LeaseState = await backend.read(key);
      if (await backend.write(key, state.version, change(state.leases))) return;
      await this.clock.sleep(Math.ceil(this.random() * 20 * (race + 1)));
    }
    throw new DisasterRecoveryError(
      `Could not update the lease record '${key}' after 50 attempts: too many concurrent ` +
        'invocations in this account and region; the lease lapses after its TTL.',
    );
  }
}
