/**
 * The execution handler's three actions over its deps: start a wave (split into jobs within the
 * per-job quota, each start idempotent and behind the job throttler's lease), report a wave's
 * status, and terminate recovery instances.
 */
import type { Job, ParticipatingServer } from '@aws-sdk/client-drs';
import { errorCodeOf } from '../../resilience/error-classification.js';
import { splitIntoJobs } from '../capacity.js';
import {
  START_RECOVERY_MAX_SERVERS,
  type StartWaveEvent,
  type TerminateEvent,
  type WaveStatusEvent,
} from '../contract.js';
import { DisasterRecoveryError, type DrsTarget } from '../errors.js';
import type { DrsLogger } from '../observability.js';
import { startWasRejected } from '../start-outcome.js';
import type { CapacityRequest } from '../throttler.js';
import type { DisasterRecoveryDeps } from './deps.js';
import {
  IDEMPOTENCY_TAG,
  IdempotencyRecordError,
  WAVE_TAG,
  chunkPlanOf,
  idempotencyKey,
  terminateIdempotencyKey,
  terminatePlanKey,
  wavePlanKey,
} from './idempotency.js';

export { startWasRejected };

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

/** A wave id (or terminate request) seen before with different ids. */
export class ChunkPlanMismatchError extends DisasterRecoveryError {
  constructor(what: string) {
    super(
      `${what} was first started with a different set of ids: one id names one set of servers ` +
        'for good, so that a redelivery never starts a server twice. Use a new wave id for a ' +
        'different set.',
    );
    this.name = 'ChunkPlanMismatchError';
  }
}

/**
 * The ids sorted and split into jobs the way the request's first delivery split them: the job
 * size is recorded with the first delivery, so a redelivery under other quotas puts each id in
 * the same job (a job's key is made of its ids).
 */
async function plannedChunks(
  deps: DisasterRecoveryDeps,
  planKey: string,
  what: string,
  ids: readonly string[],
  proposedSize: number,
  logger: DrsLogger,
): Promise<string[][]> {
  const sorted = [...ids].sort();
  const proposed = chunkPlanOf(sorted, proposedSize);
  const plan = await deps.idempotency.plan(planKey, proposed, deps.clock.now());
  if (plan.digest !== proposed.digest) throw new ChunkPlanMismatchError(what);
  if (plan.chunkSize !== proposedSize) {
    logger.info('Splitting into jobs as the first delivery did (the quotas changed since)', {
      planKey,
      chunkSize: plan.chunkSize,
      chunkSizeNow: proposedSize,
    });
  }
  return splitIntoJobs(sorted, plan.chunkSize);
}

/**
 * Starts a wave: sorted, in chunks of at most the servers-per-job quota (as the wave's first
 * delivery chose), one after another (each waits for capacity). A chunk whose job was started
 * before (idempotency record, or a DRS job tagged with its key) is not started again.
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
  const chunks = await plannedChunks(
    deps,
    wavePlanKey(target, event.waveId),
    `Wave '${event.waveId}'`,
    event.sourceServerIds,
    perJob,
    logger,
  );
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
  const key = idempotencyKey(target, event.waveId, sourceServerIds);
  const drs = deps.services.drs(target);
  const outcome = await startOnce(deps, {
    key,
    target,
    owner: `${invocationId}#${chunkIndex}`,
    logFields: { waveId: event.waveId, chunkIndex },
    logger,
    request: { sourceServerIds, waveId: event.waveId, key },
    find: () => findTaggedJob(deps, target, key),
    create: async () =>
      (
        await drs.startRecovery({
          sourceServers: sourceServerIds.map((sourceServerID) => ({ sourceServerID })),
          isDrill: event.isDrill,
          tags: { [IDEMPOTENCY_TAG]: key, [WAVE_TAG]: event.waveId },
        })
      ).job?.jobID,
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
  readonly target: DrsTarget;
  /** Unique per invocation (and chunk). */
  readonly owner: string;
  readonly logFields: Readonly<Record<string, unknown>>;
  readonly logger: DrsLogger;
  /** The capacity the job takes (the throttler waits for it). */
  readonly request: CapacityRequest;
  /** The job DRS has for this key, if any (a start whose outcome was not recorded). */
  find(): Promise<string | undefined>;
  /** The one DRS call that creates the job; the id DRS answered. */
  create(): Promise<string | undefined>;
}

interface OnceOutcome {
  readonly jobId: string;
  /** Started by an earlier invocation (recorded, or found in DRS). */
  readonly reused: boolean;
  readonly waitedMs?: number;
}

/** What the DRS call that creates the job did, as seen from inside the throttler. */
interface CreateAttempt {
  calls: number;
  /** The id DRS answered: from here on the job exists. */
  jobId?: string;
  /** The last DRS call's own error (not the throttler's, not the record's). */
  error?: unknown;
}

/**
 * Starts a job at most once per key: claims the key (a done record answers at once), looks for
 * the job in DRS (always: a record can be gone while the job exists), starts it behind the
 * throttler, records it.
 *
 * Only the DRS call's own error decides whether the claim may be dropped, and only on a claim
 * this invocation created: a 4xx or throttling on every attempt proves DRS created nothing.
 * Anything else (a 500, a lost answer, a failed lookup, a taken-over claim) ends the claim
 * without deleting it; the next delivery looks again before it starts. Once DRS answered a job
 * id, failures to record it are retried, then logged: the job id is returned and the claim
 * ended, never dropped.
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
  let found: string | undefined;
  try {
    found = await spec.find();
  } catch (error) {
    await endClaim(deps, spec, claim.takeover ? 'expire' : 'abandon');
    throw error;
  }
  if (found !== undefined) {
    logger.warn('Found the job of an unfinished start in DRS: not starting it again', {
      ...logFields,
      jobId: found,
      takeover: claim.takeover,
    });
    await record(deps, spec, found);
    return { jobId: found, reused: true };
  }
  const attempt: CreateAttempt = { calls: 0 };
  try {
    const { jobId, lease } = await deps.services
      .throttler(spec.target)
      .startJob(spec.request, () => createOnce(spec, attempt));
    await record(deps, spec, jobId);
    return { jobId, reused: false, waitedMs: lease.waitedMs };
  } catch (error) {
    if (attempt.jobId !== undefined) {
      // The job exists (a later step failed): record it, never drop the claim.
      await record(deps, spec, attempt.jobId);
      return { jobId: attempt.jobId, reused: false };
    }
    if (attempt.calls === 0 || startWasRejected(attempt.error)) {
      await endClaim(deps, spec, claim.takeover ? 'expire' : 'abandon');
      throw error;
    }
    return recoverUnknownStart(deps, spec, error);
  }
}

/** The DRS call, keeping its own outcome apart from the throttler's and the record's. */
async function createOnce(spec: OnceSpec, attempt: CreateAttempt): Promise<string> {
  attempt.calls += 1;
  attempt.error = undefined;
  let id: string | undefined;
  try {
    id = await spec.create();
  } catch (error) {
    attempt.error = error;
    throw error;
  }
  if (id === undefined) {
    attempt.error = new MissingJobIdError(spec.target);
    throw attempt.error;
  }
  attempt.jobId = id;
  return id;
}

/** Attempts at recording a started job (DynamoDB retries its own throttling too). */
const RECORD_ATTEMPTS = 3;

/**
 * Records the job of `spec.key`, retrying; if it cannot, ends the claim (keeping the record)
 * and logs: the job is tagged with the key, so the next delivery finds it before starting.
 */
async function record(deps: DisasterRecoveryDeps, spec: OnceSpec, jobId: string): Promise<void> {
  const { key, owner, logger, logFields } = spec;
  let lastError: unknown;
  for (let attempt = 1; attempt <= RECORD_ATTEMPTS; attempt += 1) {
    try {
      await deps.idempotency.complete(key, owner, jobId, deps.clock.now());
      return;
    } catch (error) {
      lastError = error;
      // The claim was taken over: its new holder finds the job by its tag.
      if (error instanceof IdempotencyRecordError || attempt === RECORD_ATTEMPTS) break;
      await deps.clock.sleep(deps.config.pollIntervalSeconds * 1000 * attempt);
    }
  }
  logger.warn('Could not record the started job: the next delivery finds it by its tag', {
    ...logFields,
    jobId,
    errorCode: errorNameOf(lastError),
  });
  await endClaim(deps, spec, 'expire');
}

/** Ends the claim; a failure is logged, never thrown over the error that led here. */
async function endClaim(
  deps: DisasterRecoveryDeps,
  spec: OnceSpec,
  how: 'abandon' | 'expire',
): Promise<void> {
  try {
    if (how === 'abandon') await deps.idempotency.abandon(spec.key, spec.owner);
    else await deps.idempotency.expire(spec.key, spec.owner, deps.clock.now());
  } catch (error) {
    spec.logger.warn('Could not end the claim: it lapses after the lease TTL', {
      ...spec.logFields,
      how,
      errorCode: errorNameOf(error),
    });
  }
}

const errorNameOf = (error: unknown): string | undefined =>
  errorCodeOf(error) ?? (error instanceof Error ? error.name : undefined);

/** After a start whose outcome is unknown: the job DRS has for the key, else the error. */
async function recoverUnknownStart(
  deps: DisasterRecoveryDeps,
  spec: OnceSpec,
  error: unknown,
): Promise<OnceOutcome> {
  const { logger, logFields } = spec;
  logger.warn('The start of a job had an unknown outcome: looking for the job in DRS', {
    ...logFields,
    errorCode: errorNameOf(error),
  });
  let found: string | undefined;
  try {
    found = await spec.find();
  } catch (lookupError) {
    logger.warn('Could not look for the job: the next delivery looks again', {
      ...logFields,
      errorCode: errorNameOf(lookupError),
    });
  }
  if (found !== undefined) {
    logger.warn('Found the job the failed start created: recorded it', {
      ...logFields,
      jobId: found,
    });
    await record(deps, spec, found);
    return { jobId: found, reused: false };
  }
  // Not found (or not looked): the next delivery takes the claim over and looks again.
  await endClaim(deps, spec, 'expire');
  throw error;
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
 * Terminates recovery instances in jobs of at most 200 (and the per-job quota), sorted and split
 * as the request's first delivery split them. Terminate jobs
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
  const chunks = await plannedChunks(
    deps,
    terminatePlanKey(target, event.recoveryInstanceIds),
    'This terminate request',
    event.recoveryInstanceIds,
    perJob,
    logger,
  );
  const jobIds: string[] = [];
  let reusedJobs = 0;
  for (const [chunkIndex, ids] of chunks.entries()) {
    const servers = [...new Set(ids.map((id) => sourceOf.get(id) ?? id))];
    const key = terminateIdempotencyKey(target, ids);
    const outcome = await startOnce(deps, {
      key,
      target,
      owner: `${invocationId}#terminate#${chunkIndex}`,
      logFields: { waveId: event.waveId, chunkIndex, instances: ids.length },
      logger,
      request: {
        sourceServerIds: servers,
        key,
        ...(event.waveId === undefined ? {} : { waveId: event.waveId }),
      },
      find: () => findTerminateJob(deps, target, ids),
      create: async () =>
        (await drs.terminateRecoveryInstances({ recoveryInstanceIDs: ids })).job?.jobID,
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
