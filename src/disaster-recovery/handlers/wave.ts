/**
 * The execution handler's three actions over its deps: start a wave (split into jobs within the
 * per-job quota, each start idempotent and behind the job throttler's lease), report a wave's
 * status, and terminate recovery instances.
 */
import type { Job, ParticipatingServer } from '@aws-sdk/client-drs';
import {
  errorCodeOf,
  httpStatusOf,
  isThrottlingError,
} from '../../resilience/error-classification.js';
import { RetryExhaustedError } from '../../resilience/errors.js';
import { CapacityRequestError, splitIntoJobs } from '../capacity.js';
import {
  START_RECOVERY_MAX_SERVERS,
  type StartWaveEvent,
  type TerminateEvent,
  type WaveStatusEvent,
} from '../contract.js';
import {
  DisasterRecoveryError,
  DrsConflictError,
  DrsQuotaExceededError,
  JobThrottlerTimeoutError,
  type DrsTarget,
} from '../errors.js';
import type { DrsLogger } from '../observability.js';
import type { DisasterRecoveryDeps } from './deps.js';
import {
  IDEMPOTENCY_TAG,
  WAVE_TAG,
  idempotencyKey,
  terminateIdempotencyKey,
} from './idempotency.js';

/** DRS takes at most this many recovery instances per TerminateRecoveryInstances call. */
export const TERMINATE_MAX_INSTANCES = 200;

/** One job of a wave. */
export interface WaveJob {
  readonly chunkIndex: number;
  readonly jobId: string;
  readonly sourceServerIds: readonly string[];
  /** The job was started by an earlier (retried or redelivered) invocation. */
  readonly reused: boolean;
}

export interface StartWaveResult {
  readonly action: 'startWave';
  readonly waveId: string;
  readonly jobs: readonly WaveJob[];
  readonly startedJobs: number;
  readonly reusedJobs: number;
}

/** Launch status counts of a wave's servers. */
export interface LaunchCounts {
  readonly pending: number;
  readonly inProgress: number;
  readonly launched: number;
  readonly failed: number;
  readonly terminated: number;
}

export interface WaveStatusResult {
  readonly action: 'waveStatus';
  readonly waveId: string;
  /** COMPLETED when every job is, STARTED when any started, else PENDING. */
  readonly status: 'PENDING' | 'STARTED' | 'COMPLETED';
  readonly jobs: readonly { readonly jobId: string; readonly status: string }[];
  readonly servers: LaunchCounts;
  readonly recoveryInstanceIds: readonly string[];
  /** Job ids asked for that DRS does not know (yet). */
  readonly missingJobIds: readonly string[];
}

export interface TerminateResult {
  readonly action: 'terminate';
  readonly jobIds: readonly string[];
  readonly recoveryInstanceIds: readonly string[];
  /** Terminate jobs started by an earlier (retried or redelivered) invocation. */
  readonly reusedJobs: number;
}

/** Another invocation holds the chunk's claim for longer than the throttler may wait. */
export class WaveChunkBusyError extends DisasterRecoveryError {
  constructor(key: string, owner: string) {
    super(
      `Chunk '${key}' is being started by another invocation ('${owner}') that did not finish ` +
        'within the throttler timeout. Nothing was started here; retry later — the chunk is ' +
        'started at most once whatever happens.',
    );
    this.name = 'WaveChunkBusyError';
  }
}

/** StartRecovery answered without a job id. */
export class MissingJobIdError extends DisasterRecoveryError {
  constructor(target: DrsTarget) {
    super(`StartRecovery in ${target.region} answered without a job id.`);
    this.name = 'MissingJobIdError';
  }
}

const targetOf = (event: { region: string; accountId?: string | undefined }): DrsTarget =>
  event.accountId === undefined
    ? { region: event.region }
    : { region: event.region, accountId: event.accountId };

/**
 * Starts a wave: chunks of at most the servers-per-job quota, one after another (each waits
 * for capacity). A chunk whose job was started before (idempotency record, or a DRS job tagged
 * with its key) is not started again.
 */
export async function startWave(
  deps: DisasterRecoveryDeps,
  event: StartWaveEvent,
  invocationId: string,
  logger: DrsLogger,
): Promise<StartWaveResult> {
  const target = targetOf(event);
  const quotas = await deps.services.quotas(target);
  const perJob = Math.min(
    quotas.maxServersPerJob,
    quotas.maxServersInActiveJobs,
    START_RECOVERY_MAX_SERVERS,
  );
  const chunks = splitIntoJobs(event.sourceServerIds, perJob);
  logger.info('Starting a recovery wave', {
    waveId: event.waveId,
    region: target.region,
    accountId: target.accountId,
    servers: event.sourceServerIds.length,
    jobs: chunks.length,
    isDrill: event.isDrill,
  });
  const jobs: WaveJob[] = [];
  for (const [chunkIndex, servers] of chunks.entries()) {
    jobs.push(await startChunk(deps, event, target, chunkIndex, servers, invocationId, logger));
  }
  const reusedJobs = jobs.filter((job) => job.reused).length;
  return {
    action: 'startWave',
    waveId: event.waveId,
    jobs,
    startedJobs: jobs.length - reusedJobs,
    reusedJobs,
  };
}

async function startChunk(
  deps: DisasterRecoveryDeps,
  event: StartWaveEvent,
  target: DrsTarget,
  chunkIndex: number,
  sourceServerIds: readonly string[],
  invocationId: string,
  logger: DrsLogger,
): Promise<WaveJob> {
  const key = idempotencyKey(target, event.waveId, chunkIndex);
  const drs = deps.services.drs(target);
  const outcome = await startOnce(deps, {
    key,
    owner: `${invocationId}#${chunkIndex}`,
    logFields: { waveId: event.waveId, chunkIndex },
    logger,
    find: () => findTaggedJob(deps, target, key),
    start: (attempting) =>
      deps.services
        .throttler(target)
        .startJob({ sourceServerIds, waveId: event.waveId }, async () => {
          attempting();
          const output = await drs.startRecovery({
            sourceServers: sourceServerIds.map((sourceServerID) => ({ sourceServerID })),
            isDrill: event.isDrill,
            tags: { [IDEMPOTENCY_TAG]: key, [WAVE_TAG]: event.waveId },
          });
          const id = output.job?.jobID;
          if (id === undefined) throw new MissingJobIdError(target);
          return id;
        }),
  });
  if (!outcome.reused) {
    logger.info('Recovery job started', {
      waveId: event.waveId,
      chunkIndex,
      jobId: outcome.jobId,
      servers: sourceServerIds.length,
      waitedMs: outcome.waitedMs,
    });
  }
  return { chunkIndex, sourceServerIds, jobId: outcome.jobId, reused: outcome.reused };
}

/** One DRS job to start at most once, whatever the retries and redeliveries. */
interface OnceSpec {
  /** The idempotency key of the job. */
  readonly key: string;
  /** Unique per invocation (and chunk). */
  readonly owner: string;
  readonly logFields: Readonly<Record<string, unknown>>;
  readonly logger: DrsLogger;
  /** The job DRS has for this key, if any (a start whose outcome was not recorded). */
  find(): Promise<string | undefined>;
  /** Starts the job; calls `attempting()` right before the DRS call that creates it. */
  start(attempting: () => void): Promise<{ jobId: string; lease: { waitedMs: number } }>;
}

interface OnceOutcome {
  readonly jobId: string;
  /** Started by an earlier invocation (recorded, or found in DRS). */
  readonly reused: boolean;
  readonly waitedMs?: number;
}

/**
 * Starts a job at most once per key. Claims the key (a done record answers at once), looks
 * for the job in DRS when it takes over an expired claim, starts, records.
 *
 * Once the DRS call that creates the job was attempted, the claim is never dropped unless DRS
 * provably rejected the call: the job may exist (a 500 or a lost answer after DRS created it,
 * or a record that failed to write). The job is looked for at once; if not found, the claim is
 * expired, not deleted, so the next delivery takes it over and looks again before starting.
 */
async function startOnce(deps: DisasterRecoveryDeps, spec: OnceSpec): Promise<OnceOutcome> {
  const { key, owner, logger, logFields } = spec;
  const claim = await claimChunk(deps, key, owner);
  if (claim.kind === 'done') {
    logger.info('Job already started by an earlier invocation: not starting it again', {
      ...logFields,
      jobId: claim.jobId,
    });
    return { jobId: claim.jobId, reused: true };
  }
  let attempted = false;
  try {
    if (claim.takeover) {
      // The previous holder may have started the job and failed before recording it.
      const found = await spec.find();
      if (found !== undefined) {
        await deps.idempotency.complete(key, owner, found, deps.clock.now());
        logger.warn('Found the job of an unfinished claim in DRS: not starting it again', {
          ...logFields,
          jobId: found,
        });
        return { jobId: found, reused: true };
      }
    }
    const { jobId, lease } = await spec.start(() => {
      attempted = true;
    });
    await deps.idempotency.complete(key, owner, jobId, deps.clock.now());
    return { jobId, reused: false, waitedMs: lease.waitedMs };
  } catch (error) {
    if (!attempted || startWasRejected(error)) {
      await deps.idempotency.abandon(key, owner);
      throw error;
    }
    return recoverUnknownStart(deps, spec, error);
  }
}

/** After a start whose outcome is unknown: the job DRS has for the key, else the error. */
async function recoverUnknownStart(
  deps: DisasterRecoveryDeps,
  spec: OnceSpec,
  error: unknown,
): Promise<OnceOutcome> {
  const { key, owner, logger, logFields } = spec;
  logger.warn('The start of a job had an unknown outcome: looking for the job in DRS', {
    ...logFields,
    errorCode: errorCodeOf(error) ?? (error instanceof Error ? error.name : undefined),
  });
  try {
    const found = await spec.find();
    if (found !== undefined) {
      await deps.idempotency.complete(key, owner, found, deps.clock.now());
      logger.warn('Found the job the failed start created: recorded it', {
        ...logFields,
        jobId: found,
      });
      return { jobId: found, reused: false };
    }
  } catch (lookupError) {
    logger.warn('Could not look for or record the job: the next delivery looks again', {
      ...logFields,
      errorCode: errorCodeOf(lookupError),
    });
  }
  // Not found (or not recorded): the next delivery takes the claim over and looks again.
  await deps.idempotency.expire(key, owner, deps.clock.now()).catch(() => undefined);
  throw error;
}

/**
 * Whether `error` proves that DRS created no job: it answered a client error (4xx), only ever
 * throttled, or the throttler never let the call through. A 5xx, a timeout or a lost answer
 * proves nothing: DRS may have created the job.
 */
export function startWasRejected(error: unknown): boolean {
  if (
    error instanceof JobThrottlerTimeoutError ||
    error instanceof CapacityRequestError ||
    error instanceof DrsQuotaExceededError ||
    error instanceof DrsConflictError
  ) {
    return true;
  }
  // The write client retries throttling only: out of retries means DRS throttled every call.
  if (error instanceof RetryExhaustedError) return isThrottlingError(error.cause);
  const status = httpStatusOf(error);
  return status !== undefined && status >= 400 && status < 500;
}

/**
 * Claims the chunk, waiting while another invocation holds a live claim (a concurrent
 * duplicate delivery): it either finishes (done) or its claim lapses (taken over).
 */
async function claimChunk(deps: DisasterRecoveryDeps, key: string, owner: string) {
  const ttlMs = deps.config.leaseTtlSeconds * 1000;
  const deadline = deps.clock.now() + deps.config.throttlerTimeoutSeconds * 1000;
  for (;;) {
    const now = deps.clock.now();
    const claim = await deps.idempotency.claim(key, owner, now, ttlMs);
    if (claim.kind !== 'busy') return claim;
    if (now >= deadline) throw new WaveChunkBusyError(key, claim.owner);
    const pause = Math.min(
      deps.config.pollIntervalSeconds * 1000,
      Math.max(1, claim.claimExpiresAtMs - now),
      Math.max(1, deadline - now),
    );
    await deps.clock.sleep(pause);
  }
}

/** The id of a recent job tagged with `key`, if DRS has one. */
async function findTaggedJob(
  deps: DisasterRecoveryDeps,
  target: DrsTarget,
  key: string,
): Promise<string | undefined> {
  const fromDate = new Date(
    deps.clock.now() - deps.config.jobWindowHours * 3600 * 1000,
  ).toISOString();
  const jobs = await deps.services.drs(target).listAll('DescribeJobs', { filters: { fromDate } });
  return jobs.find((job) => job.tags?.[IDEMPOTENCY_TAG] === key)?.jobID;
}

/** The status of a wave's jobs and of their servers' launches. */
export async function waveStatus(
  deps: DisasterRecoveryDeps,
  event: WaveStatusEvent,
): Promise<WaveStatusResult> {
  const target = targetOf(event);
  const drs = deps.services.drs(target);
  const jobs: Job[] = [];
  // DescribeJobs filters by at most 200 job ids at a time.
  for (const ids of splitIntoJobs(event.jobIds, START_RECOVERY_MAX_SERVERS)) {
    jobs.push(...(await drs.listAll('DescribeJobs', { filters: { jobIDs: ids } })));
  }
  const byId = new Map(jobs.map((job) => [job.jobID, job]));
  const found = event.jobIds.flatMap((id) => {
    const job = byId.get(id);
    return job === undefined ? [] : [job];
  });
  const servers = found.flatMap((job) => job.participatingServers ?? []);
  return {
    action: 'waveStatus',
    waveId: event.waveId,
    status: waveStatusOf(
      found.map((job) => job.status ?? 'PENDING'),
      event.jobIds.length,
    ),
    jobs: found.map((job) => ({ jobId: job.jobID ?? '', status: job.status ?? 'PENDING' })),
    servers: launchCounts(servers),
    recoveryInstanceIds: servers.flatMap((s) =>
      s.recoveryInstanceID === undefined ? [] : [s.recoveryInstanceID],
    ),
    missingJobIds: event.jobIds.filter((id) => !byId.has(id)),
  };
}

/** COMPLETED when all asked-for jobs are, STARTED when any started, else PENDING. */
export function waveStatusOf(
  statuses: readonly string[],
  expected: number,
): WaveStatusResult['status'] {
  if (statuses.length === expected && statuses.every((s) => s === 'COMPLETED')) {
    return 'COMPLETED';
  }
  return statuses.some((s) => s === 'STARTED' || s === 'COMPLETED') ? 'STARTED' : 'PENDING';
}

/** Counts of the servers' launch statuses (unknown counts as pending). */
export function launchCounts(servers: readonly ParticipatingServer[]): LaunchCounts {
  const counts = { pending: 0, inProgress: 0, launched: 0, failed: 0, terminated: 0 };
  for (const server of servers) {
    switch (server.launchStatus) {
      case 'IN_PROGRESS':
        counts.inProgress += 1;
        break;
      case 'LAUNCHED':
        counts.launched += 1;
        break;
      case 'FAILED':
        counts.failed += 1;
        break;
      case 'TERMINATED':
        counts.terminated += 1;
        break;
      default:
        counts.pending += 1;
    }
  }
  return counts;
}

/**
 * Terminates recovery instances in jobs of at most 200 (and the per-job quota). Terminate jobs
 * count against the concurrent-job quota, so each goes through the throttler like a recovery
 * job, with the instances' source servers as its servers. Each job is started at most once:
 * its idempotency key is made of its instances (TerminateRecoveryInstances takes no tags, so
 * an unrecorded job is found by its instances instead).
 */
export async function terminateInstances(
  deps: DisasterRecoveryDeps,
  event: TerminateEvent,
  invocationId: string,
  logger: DrsLogger,
): Promise<TerminateResult> {
  const target = targetOf(event);
  const drs = deps.services.drs(target);
  const instances = await drs.listAll('DescribeRecoveryInstances', {
    filters: { recoveryInstanceIDs: [...event.recoveryInstanceIds] },
  });
  const sourceOf = new Map(
    instances.map((instance) => [instance.recoveryInstanceID, instance.sourceServerID]),
  );
  // The throttler sizes a terminate job like a recovery job (its servers count the same way).
  const quotas = await deps.services.quotas(target);
  const perJob = Math.min(
    TERMINATE_MAX_INSTANCES,
    quotas.maxServersPerJob,
    quotas.maxServersInActiveJobs,
  );
  const jobIds: string[] = [];
  let reusedJobs = 0;
  for (const [chunkIndex, ids] of splitIntoJobs(event.recoveryInstanceIds, perJob).entries()) {
    const servers = [...new Set(ids.map((id) => sourceOf.get(id) ?? id))];
    const outcome = await startOnce(deps, {
      key: terminateIdempotencyKey(target, ids),
      owner: `${invocationId}#terminate#${chunkIndex}`,
      logFields: { waveId: event.waveId, chunkIndex, instances: ids.length },
      logger,
      find: () => findTerminateJob(deps, target, ids),
      start: (attempting) =>
        deps.services.throttler(target).startJob(
          {
            sourceServerIds: servers,
            ...(event.waveId === undefined ? {} : { waveId: event.waveId }),
          },
          async () => {
            attempting();
            const output = await drs.terminateRecoveryInstances({ recoveryInstanceIDs: ids });
            const id = output.job?.jobID;
            if (id === undefined) throw new MissingJobIdError(target);
            return id;
          },
        ),
    });
    jobIds.push(outcome.jobId);
    if (outcome.reused) reusedJobs += 1;
  }
  logger.info('Recovery instances terminating', {
    waveId: event.waveId,
    region: target.region,
    instances: event.recoveryInstanceIds.length,
    jobIds,
    reusedJobs,
  });
  return {
    action: 'terminate',
    jobIds,
    recoveryInstanceIds: event.recoveryInstanceIds,
    reusedJobs,
  };
}

/** The id of a recent terminate job of exactly these recovery instances, if DRS has one. */
async function findTerminateJob(
  deps: DisasterRecoveryDeps,
  target: DrsTarget,
  recoveryInstanceIds: readonly string[],
): Promise<string | undefined> {
  const fromDate = new Date(
    deps.clock.now() - deps.config.jobWindowHours * 3600 * 1000,
  ).toISOString();
  const wanted = [...recoveryInstanceIds].sort().join(',');
  const jobs = await deps.services.drs(target).listAll('DescribeJobs', { filters: { fromDate } });
  return jobs.find(
    (job) =>
      job.initiatedBy === 'TERMINATE_RECOVERY_INSTANCES' &&
      (job.participatingServers ?? [])
        .flatMap((server) =>
          server.recoveryInstanceID === undefined ? [] : [server.recoveryInstanceID],
        )
        .sort()
        .join(',') === wanted,
  )?.jobID;
}
