import type {
  DataReplicationState,
  DescribeJobsCommandInput,
  DescribeJobsCommandOutput,
  DescribeRecoveryInstancesCommandInput,
  DescribeRecoveryInstancesCommandOutput,
  DescribeSourceServersCommandInput,
  DescribeSourceServersCommandOutput,
  Job,
  RecoveryInstance,
  SourceServer,
  StartRecoveryCommandInput,
  StartRecoveryCommandOutput,
  TerminateRecoveryInstancesCommandInput,
  TerminateRecoveryInstancesCommandOutput,
} from '@aws-sdk/client-drs';
import { createHash } from 'node:crypto';
import { TokenBucket } from '../../resilience/token-bucket.js';
import { checkInteger, checkNonNegative } from '../config-checks.js';
import { SimulationConfigError } from '../errors.js';
import { scheduleOn } from '../schedule.js';
import { CommonErrors, SimulatedServiceError, type ServiceErrorSpec } from '../service-error.js';
import {
  OperationTable,
  type ModelCallContext,
  type ModelInput,
  type ModelResult,
} from '../service-model.js';
import { validateInput, validationError } from '../validation.js';
import {
  MAX_RESULTS,
  describeJobsInput,
  describeRecoveryInstancesInput,
  describeSourceServersInput,
  paginate,
  startRecoveryInput,
  terminateRecoveryInstancesInput,
} from './drs-inputs.js';
import {
  DRS_SERVICE_CODE,
  quotaExceeded,
  resolveDrsQuotas,
  serverInActiveJob,
  type DrsQuotaName,
  type DrsQuotas,
} from './drs-quotas.js';
import {
  isActive,
  jobOf,
  recoveryInstanceOf,
  sourceServerOf,
  type InstanceRecord,
  type JobRecord,
  type ServerRecord,
} from './drs-state.js';
import { ThrottledServiceModel, type CommonModelOptions } from './model-base.js';
import type { QuotaOptions, ThrottlingApiModel, ThrottlingApiStats } from './throttling-api.js';

/**
 * An in-memory AWS Elastic Disaster Recovery (DRS) for one account and region: source servers
 * with replication state, recovery jobs that go PENDING -> STARTED -> COMPLETED on the virtual
 * clock with a launch status per server, the recovery instances they launch, and termination
 * jobs. It answers StartRecovery, DescribeJobs, DescribeSourceServers,
 * DescribeRecoveryInstances and TerminateRecoveryInstances, enforcing what makes DRS hard to
 * drive at scale:
 *
 * - request rates: a token bucket per operation (optional) and one per account and region that
 *   every call draws from; an empty bucket answers `ThrottlingException` (HTTP 429) with
 *   `retryAfterSeconds` (a string member, as DRS models it) and a `Retry-After` header;
 * - the job quotas (see `drs-quotas.ts`): `ServiceQuotaExceededException` (402, with
 *   `serviceCode`, `quotaCode`, `resourceType`) and `ConflictException` (409) for a server
 *   already in an active job;
 * - input limits: 1–200 servers per StartRecovery, DescribeJobs filtering only by job ids and
 *   dates (never by status), maxResults 1–1000, cursor tokens; `ValidationException` otherwise.
 *
 * Injected faults (`failNext`, `faults`) answer `InternalServerException` (500) by default.
 * `counters()` gives what tests and benchmarks assert on: throttles per operation, quota
 * errors per quota, peaks of concurrent jobs and of servers in active jobs.
 *
 * Simplifications: no snapshots, launch configurations, failback, source networks or extended
 * servers (the `stagingAccountIDs` filter matches nothing; `hardwareId` matches the hostname); a launch fails only when scripted
 * (`failNextLaunchOf`) or when the server is not replicating (state other than CONTINUOUS);
 * terminate jobs count against the concurrent-job quota but not against the per-server ones;
 * launching a server again leaves its earlier recovery instance running. Use `DrsFleet` for
 * several accounts and regions.
 */

export type DrsOperation =
  | 'StartRecovery'
  | 'DescribeJobs'
  | 'DescribeSourceServers'
  | 'DescribeRecoveryInstances'
  | 'TerminateRecoveryInstances';

export const DRS_OPERATIONS: readonly DrsOperation[] = [
  'DescribeJobs',
  'DescribeRecoveryInstances',
  'DescribeSourceServers',
  'StartRecovery',
  'TerminateRecoveryInstances',
];

export interface DrsThrottlingOptions {
  /** Each operation's own request rate. @default - none */
  readonly operations?: Partial<Record<DrsOperation, QuotaOptions>>;
  /**
   * The rate every call of this account in this region draws from (after its operation's),
   * or `'none'`.
   * @default { ratePerSecond: 10, burst: 10 }
   */
  readonly account?: QuotaOptions | 'none';
}

export interface DrsTimings {
  /** PENDING -> STARTED. @default 10_000 */
  readonly jobStartDelayMs?: number;
  /** STARTED -> a server LAUNCHED (or FAILED). @default 300_000 */
  readonly launchDurationMs?: number;
  /** Extra delay per position in the job, so servers of a job finish one after another. @default 0 */
  readonly launchStaggerMs?: number;
  /** STARTED -> a terminate job COMPLETED (its instances gone). @default 60_000 */
  readonly terminateDurationMs?: number;
}

export interface DrsModelOptions extends CommonModelOptions {
  /** Quota values (see `DEFAULT_DRS_QUOTAS`). @default - AWS's defaults */
  readonly quotas?: Partial<DrsQuotas>;
  readonly throttling?: DrsThrottlingOptions;
  readonly timings?: DrsTimings;
  /** Page size of the Describe* calls when the caller gives no maxResults. @default 100 */
  readonly defaultPageSize?: number;
  /** @default 'drs' */
  readonly name?: string;
}

export interface AddSourceServerOptions {
  /** Also the `Name` tag. @default - `server-<n>` */
  readonly hostname?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** @default 'CONTINUOUS' (replicating, ready to recover) */
  readonly replicationState?: DataReplicationState;
}

export interface SeedOptions {
  /** Hostnames are `<prefix>-0001`, `<prefix>-0002`, ... @default 'server' */
  readonly hostnamePrefix?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** @default 'CONTINUOUS' */
  readonly replicationState?: DataReplicationState;
}

export interface DrsCounters {
  /** Throttled calls, by operation (all scopes). */
  readonly throttlesByOperation: Readonly<Record<string, number>>;
  readonly throttles: number;
  /** Of `throttles`, those refused by the account-wide rate. */
  readonly accountThrottles: number;
  /** ServiceQuotaExceededException and ConflictException answers. */
  readonly quotaErrors: number;
  readonly quotaErrorsByQuota: Readonly<Record<DrsQuotaName, number>>;
  /** Injected faults (InternalServerException unless configured otherwise). */
  readonly faults: number;
  readonly peakConcurrentJobs: number;
  readonly peakServersInActiveJobs: number;
  readonly jobsStarted: number;
  readonly launched: number;
  readonly launchFailed: number;
}

const DEFAULT_ACCOUNT_RATE: QuotaOptions = { ratePerSecond: 10, burst: 10 };

/** InternalServerException as DRS answers it, for `failNext` / `faults`; DRS models `retryAfterSeconds` on it. */
export function drsInternalServerError(retryAfterSeconds?: number): ServiceErrorSpec {
  return retryAfterSeconds === undefined
    ? CommonErrors.internalServerException
    : {
        ...CommonErrors.internalServerException,
        retryAfterSeconds,
        fields: { retryAfterSeconds },
      };
}

function notFound(resourceType: string, resourceId: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'ResourceNotFoundException',
    httpStatusCode: 404,
    message: `${resourceType === 'SOURCE_SERVER' ? 'Source server' : 'Recovery instance'} ${resourceId} not found.`,
    fields: { code: 'RESOURCE_NOT_FOUND', resourceId, resourceType },
  });
}

function checkQuotaOptions(where: string, quota: QuotaOptions): void {
  if (!(Number.isFinite(quota.ratePerSecond) && quota.ratePerSecond > 0)) {
    throw new SimulationConfigError(
      `${where}.ratePerSecond must be a number > 0, got ${String(quota.ratePerSecond)}.`,
    );
  }
  checkInteger(`${where}.burst`, quota.burst, 1, 1_000_000);
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => (seen.has(value) ? true : (seen.add(value), false)));
}

export class DrsModel extends ThrottledServiceModel {
  protected readonly api: ThrottlingApiModel;
  /** The quota values this model enforces. */
  readonly quotas: DrsQuotas;
  private readonly table: OperationTable;
  private readonly operationBuckets = new Map<string, TokenBucket>();
  private readonly accountBucket: TokenBucket | undefined;
  private readonly onCallHook: CommonModelOptions['onCall'];
  private readonly jobStartDelayMs: number;
  private readonly launchDurationMs: number;
  private readonly launchStaggerMs: number;
  private readonly terminateDurationMs: number;
  private readonly defaultPageSize: number;
  private readonly idPrefix: string;
  private readonly servers = new Map<string, ServerRecord>();
  private readonly jobs = new Map<string, JobRecord>();
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly failingLaunches = new Set<string>();
  private readonly lostAnswers: {
    operation: string;
    remaining: number;
    error: ServiceErrorSpec;
  }[] = [];
  private sequence = 0;
  private counts = this.zeroCounts();

  constructor(options: DrsModelOptions) {
    super('DrsModel', 'drs', options);
    this.quotas = resolveDrsQuotas(options.quotas);
    const timings = options.timings ?? {};
    this.jobStartDelayMs = checkNonNegative(
      'timings.jobStartDelayMs',
      timings.jobStartDelayMs,
      10_000,
    );
    this.launchDurationMs = checkNonNegative(
      'timings.launchDurationMs',
      timings.launchDurationMs,
      300_000,
    );
    this.launchStaggerMs = checkNonNegative('timings.launchStaggerMs', timings.launchStaggerMs, 0);
    this.terminateDurationMs = checkNonNegative(
      'timings.terminateDurationMs',
      timings.terminateDurationMs,
      60_000,
    );
    this.defaultPageSize = checkInteger(
      'defaultPageSize',
      options.defaultPageSize ?? 100,
      1,
      MAX_RESULTS,
    );
    // Ids differ between accounts and regions, as on AWS, so a fleet's ids never collide.
    this.idPrefix = createHash('sha256')
      .update(`${this.accountId}:${this.region}`)
      .digest('hex')
      .slice(0, 5);
    this.onCallHook = options.onCall;
    const throttling = options.throttling ?? {};
    for (const [operation, quota] of Object.entries(throttling.operations ?? {})) {
      if (!(DRS_OPERATIONS as readonly string[]).includes(operation)) {
        throw new SimulationConfigError(
          `throttling.operations: '${operation}' is not a DRS operation of the model (${DRS_OPERATIONS.join(', ')}).`,
        );
      }
      checkQuotaOptions(`throttling.operations.${operation}`, quota);
      this.operationBuckets.set(operation, this.bucket(operation, quota));
    }
    const account = throttling.account ?? DEFAULT_ACCOUNT_RATE;
    if (account !== 'none') {
      checkQuotaOptions('throttling.account', account);
      this.accountBucket = this.bucket('account', account);
    }
    this.table = this.operationTable();
    this.api = this.front(this.table, options);
  }

  /** Throttling happens here, before the front (faults, latency, counters) and the table. */
  override handle(
    operation: string,
    input: ModelInput,
    context: ModelCallContext,
  ): Promise<object> {
    const answer = this.answer(operation, input, context);
    const lost = this.lostAnswers.find((entry) => entry.operation === operation);
    if (lost === undefined) return answer;
    // A call that succeeded (took effect) answers the error instead; failures pass through.
    return answer.then(() => {
      lost.remaining -= 1;
      if (lost.remaining === 0) this.lostAnswers.splice(this.lostAnswers.indexOf(lost), 1);
      const { error } = lost;
      return Promise.reject(
        new SimulatedServiceError({
          ...error,
          message: error.message ?? `${error.name} (answer lost)`,
        }),
      );
    });
  }

  private answer(operation: string, input: ModelInput, context: ModelCallContext): Promise<object> {
    if (this.table.has(operation)) {
      const throttle = this.throttle(operation);
      if (throttle !== undefined) {
        this.onCallHook?.({
          time: this.clock.now(),
          operation,
          outcome: 'throttled',
          requestId: context.requestId,
          attempt: context.attempt,
          errorName: throttle.name,
        });
        return Promise.reject(throttle);
      }
    }
    return super.handle(operation, input, context);
  }

  /** Call counters, with the throttles this model answered itself merged in. */
  override stats(): ThrottlingApiStats {
    const stats = this.api.stats();
    const byOperation = Object.fromEntries(
      Object.entries(stats.byOperation).map(([operation, counters]) => [
        operation,
        { ...counters },
      ]),
    );
    const total = { ...stats.total };
    for (const [operation, throttled] of Object.entries(this.counts.throttlesByOperation)) {
      const counters = (byOperation[operation] ??= {
        calls: 0,
        succeeded: 0,
        throttled: 0,
        faulted: 0,
        failed: 0,
      });
      counters.calls += throttled;
      counters.throttled += throttled;
      total.calls += throttled;
      total.throttled += throttled;
    }
    return { total, byOperation };
  }

  /** What tests and benchmarks assert on (see `DrsCounters`). */
  counters(): DrsCounters {
    return {
      ...this.counts,
      throttlesByOperation: { ...this.counts.throttlesByOperation },
      quotaErrorsByQuota: { ...this.counts.quotaErrorsByQuota },
      faults: this.api.stats().total.faulted,
    };
  }

  resetStats(): void {
    this.api.resetStats();
    this.counts = this.zeroCounts();
  }

  // ---- setup and inspection, for tests and the demo ----

  /** Adds a source server; returns its id (`s-…`). */
  addSourceServer(options: AddSourceServerOptions = {}): string {
    const sequence = ++this.sequence;
    const id = `s-${this.idPrefix}${sequence.toString(16).padStart(12, '0')}`;
    const hostname = options.hostname ?? `server-${this.servers.size + 1}`;
    this.servers.set(id, {
      sequence,
      id,
      arn: `arn:aws:drs:${this.region}:${this.accountId}:source-server/${id}`,
      hostname,
      tags: { Name: hostname, ...options.tags },
      addedAt: this.clock.now(),
      replicationState: options.replicationState ?? 'CONTINUOUS',
      lastLaunch: undefined,
      lastLaunchResult: 'NOT_STARTED',
      recoveryInstanceId: undefined,
      activeJobs: new Set(),
    });
    return id;
  }

  /** Adds `count` replicating source servers (hostnames `<prefix>-0001`...); returns their ids. */
  seedSourceServers(count: number, options: SeedOptions = {}): string[] {
    checkInteger('seedSourceServers count', count, 0, 100_000);
    const prefix = options.hostnamePrefix ?? 'server';
    const first = this.servers.size + 1;
    return Array.from({ length: count }, (_, index) =>
      this.addSourceServer({
        hostname: `${prefix}-${String(first + index).padStart(4, '0')}`,
        ...(options.tags === undefined ? {} : { tags: options.tags }),
        ...(options.replicationState === undefined
          ? {}
          : { replicationState: options.replicationState }),
      }),
    );
  }

  setReplicationState(sourceServerID: string, state: DataReplicationState): void {
    this.serverRecord(sourceServerID).replicationState = state;
  }

  /**
   * The next `count` calls of `operation` take effect, then answer `error` instead of their
   * result: DRS acted but the answer was lost (a 500 after the job was created, a timeout).
   */
  loseNextAnswers(
    count: number,
    operation: string,
    error: ServiceErrorSpec = drsInternalServerError(),
  ): void {
    checkInteger('loseNextAnswers count', count, 1, 1_000_000);
    if (!this.table.has(operation)) {
      throw new SimulationConfigError(
        `loseNextAnswers operation '${operation}' is not one of DRS's operations.`,
      );
    }
    this.lostAnswers.push({ operation, remaining: count, error });
  }

  /** The next launch of each of these servers fails (launchStatus FAILED, no instance). */
  failNextLaunchOf(sourceServerIDs: readonly string[]): void {
    for (const id of sourceServerIDs) {
      this.serverRecord(id);
      this.failingLaunches.add(id);
    }
  }

  sourceServer(sourceServerID: string): SourceServer {
    return sourceServerOf(this.serverRecord(sourceServerID), this.clock.now());
  }

  sourceServerIds(): string[] {
    return [...this.servers.keys()];
  }

  /** A job as DescribeJobs answers it, or undefined. */
  job(jobID: string): Job | undefined {
    const job = this.jobs.get(jobID);
    return job === undefined ? undefined : jobOf(job);
  }

  /** Every job, newest first. */
  allJobs(): Job[] {
    return this.jobsNewestFirst().map(jobOf);
  }

  /** Jobs in PENDING or STARTED. */
  activeJobCount(): number {
    return [...this.jobs.values()].filter(isActive).length;
  }

  /** Source servers in active launch jobs (what the 500-server quota counts). */
  serversInActiveJobs(): number {
    let count = 0;
    for (const job of this.jobs.values()) {
      if (isActive(job) && job.type === 'LAUNCH') count += job.participants.length;
    }
    return count;
  }

  recoveryInstances(): RecoveryInstance[] {
    return [...this.instances.values()].map(recoveryInstanceOf);
  }

  // ---- operations ----

  private operationTable(): OperationTable {
    return new OperationTable(this.name)
      .on<StartRecoveryCommandInput, StartRecoveryCommandOutput>('StartRecovery', (raw) =>
        this.startRecovery(raw),
      )
      .on<TerminateRecoveryInstancesCommandInput, TerminateRecoveryInstancesCommandOutput>(
        'TerminateRecoveryInstances',
        (raw) => this.terminateRecoveryInstances(raw),
      )
      .on<DescribeJobsCommandInput, DescribeJobsCommandOutput>('DescribeJobs', (raw) =>
        this.describeJobs(raw),
      )
      .on<DescribeSourceServersCommandInput, DescribeSourceServersCommandOutput>(
        'DescribeSourceServers',
        (raw) => this.describeSourceServers(raw),
      )
      .on<DescribeRecoveryInstancesCommandInput, DescribeRecoveryInstancesCommandOutput>(
        'DescribeRecoveryInstances',
        (raw) => this.describeRecoveryInstances(raw),
      );
  }

  private startRecovery(raw: unknown): ModelResult<StartRecoveryCommandOutput> {
    const input = validateInput(startRecoveryInput, raw);
    const ids = input.sourceServers.map((server) => server.sourceServerID);
    const repeated = duplicates(ids);
    if (repeated.length > 0) {
      throw validationError(`Duplicate sourceServerID in sourceServers: ${repeated.join(', ')}.`);
    }
    const servers = ids.map((id) => {
      const server = this.servers.get(id);
      if (server === undefined) throw notFound('SOURCE_SERVER', id);
      return server;
    });
    this.checkLaunchQuotas(servers);
    const job = this.createJob('LAUNCH', input.isDrill ?? false, input.tags ?? {}, ids);
    for (const server of servers) {
      server.activeJobs.add(job.id);
      server.lastLaunch = {
        jobID: job.id,
        at: job.createdAt,
        drill: job.isDrill,
        status: 'PENDING',
      };
      server.lastLaunchResult = 'PENDING';
    }
    this.counts.jobsStarted++;
    this.notePeaks();
    scheduleOn(this.clock, this.jobStartDelayMs, () => this.beginLaunch(job));
    return { job: jobOf(job) };
  }

  private checkLaunchQuotas(servers: readonly ServerRecord[]): void {
    const quotas = this.quotas;
    if (servers.length > quotas.serversPerJob) {
      this.countQuotaError('serversPerJob');
      throw quotaExceeded(
        'serversPerJob',
        `A job can include at most ${quotas.serversPerJob} source servers; got ${servers.length}.`,
      );
    }
    const busy = servers.find((server) => server.activeJobs.size >= quotas.jobsPerServer);
    if (busy !== undefined) {
      this.countQuotaError('jobsPerServer');
      throw serverInActiveJob(busy.id, [...busy.activeJobs][0] ?? '');
    }
    const active = this.activeJobCount();
    if (active >= quotas.concurrentJobs) {
      this.countQuotaError('concurrentJobs');
      throw quotaExceeded(
        'concurrentJobs',
        `Maximum number of concurrent jobs (${quotas.concurrentJobs}) reached.`,
      );
    }
    const inJobs = this.serversInActiveJobs();
    if (inJobs + servers.length > quotas.serversInActiveJobs) {
      this.countQuotaError('serversInActiveJobs');
      throw quotaExceeded(
        'serversInActiveJobs',
        `At most ${quotas.serversInActiveJobs} source servers can be in active jobs; ` +
          `${inJobs} are, and this job adds ${servers.length}.`,
      );
    }
  }

  private terminateRecoveryInstances(
    raw: unknown,
  ): ModelResult<TerminateRecoveryInstancesCommandOutput> {
    const input = validateInput(terminateRecoveryInstancesInput, raw);
    const repeated = duplicates(input.recoveryInstanceIDs);
    if (repeated.length > 0) {
      throw validationError(`Duplicate recoveryInstanceIDs: ${repeated.join(', ')}.`);
    }
    const instances = input.recoveryInstanceIDs.map((id) => {
      const instance = this.instances.get(id);
      if (instance === undefined) throw notFound('RECOVERY_INSTANCE', id);
      if (instance.state !== 'RUNNING') {
        throw new SimulatedServiceError({
          name: 'ConflictException',
          httpStatusCode: 409,
          message: `Recovery instance ${id} is already being terminated.`,
          fields: { code: 'CONFLICT', resourceId: id, resourceType: 'RECOVERY_INSTANCE' },
        });
      }
      return instance;
    });
    if (this.activeJobCount() >= this.quotas.concurrentJobs) {
      this.countQuotaError('concurrentJobs');
      throw quotaExceeded(
        'concurrentJobs',
        `Maximum number of concurrent jobs (${this.quotas.concurrentJobs}) reached.`,
      );
    }
    const job = this.createJob(
      'TERMINATE',
      instances.every((instance) => instance.isDrill),
      {},
      instances.map((instance) => instance.sourceServerID),
    );
    job.participants.forEach((participant, index) => {
      participant.recoveryInstanceID = instances[index]?.id;
    });
    for (const instance of instances) instance.state = 'SHUTTING-DOWN';
    this.notePeaks();
    scheduleOn(this.clock, this.jobStartDelayMs, () => this.beginTermination(job));
    return { job: jobOf(job) };
  }

  private describeJobs(raw: unknown): ModelResult<DescribeJobsCommandOutput> {
    const input = validateInput(describeJobsInput, raw);
    const filters = input.filters ?? {};
    const ids =
      filters.jobIDs !== undefined && filters.jobIDs.length > 0
        ? new Set(filters.jobIDs)
        : undefined;
    const from = filters.fromDate === undefined ? undefined : Date.parse(filters.fromDate);
    const to = filters.toDate === undefined ? undefined : Date.parse(filters.toDate);
    const matching = this.jobsNewestFirst().filter(
      (job) =>
        (ids === undefined || ids.has(job.id)) &&
        (from === undefined || job.createdAt >= from) &&
        (to === undefined || job.createdAt <= to),
    );
    const page = paginate(
      matching,
      (job) => job.sequence,
      `jobs:${JSON.stringify(filters)}`,
      input.nextToken,
      input.maxResults ?? this.defaultPageSize,
      true,
    );
    return {
      items: page.items.map(jobOf),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  }

  private describeSourceServers(raw: unknown): ModelResult<DescribeSourceServersCommandOutput> {
    const input = validateInput(describeSourceServersInput, raw);
    const filters = input.filters ?? {};
    const ids =
      filters.sourceServerIDs !== undefined && filters.sourceServerIDs.length > 0
        ? new Set(filters.sourceServerIDs)
        : undefined;
    const staging = filters.stagingAccountIDs !== undefined && filters.stagingAccountIDs.length > 0;
    const matching = [...this.servers.values()].filter(
      (server) =>
        !staging &&
        (ids === undefined || ids.has(server.id)) &&
        (filters.hardwareId === undefined || filters.hardwareId === server.hostname),
    );
    const page = paginate(
      matching,
      (server) => server.sequence,
      `servers:${JSON.stringify(filters)}`,
      input.nextToken,
      input.maxResults ?? this.defaultPageSize,
      false,
    );
    const now = this.clock.now();
    return {
      items: page.items.map((server) => sourceServerOf(server, now)),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  }

  private describeRecoveryInstances(
    raw: unknown,
  ): ModelResult<DescribeRecoveryInstancesCommandOutput> {
    const input = validateInput(describeRecoveryInstancesInput, raw);
    const filters = input.filters ?? {};
    const ids = nonEmptySet(filters.recoveryInstanceIDs);
    const servers = nonEmptySet(filters.sourceServerIDs);
    const matching = [...this.instances.values()].filter(
      (instance) =>
        (ids === undefined || ids.has(instance.id)) &&
        (servers === undefined || servers.has(instance.sourceServerID)),
    );
    const page = paginate(
      matching,
      (instance) => instance.sequence,
      `instances:${JSON.stringify(filters)}`,
      input.nextToken,
      input.maxResults ?? this.defaultPageSize,
      false,
    );
    return {
      items: page.items.map(recoveryInstanceOf),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  }

  // ---- lifecycles on the clock ----

  private createJob(
    type: 'LAUNCH' | 'TERMINATE',
    isDrill: boolean,
    tags: Record<string, string>,
    sourceServerIDs: readonly string[],
  ): JobRecord {
    const sequence = ++this.sequence;
    const id = `drsjob-${this.idPrefix}${sequence.toString(16).padStart(12, '0')}`;
    const job: JobRecord = {
      sequence,
      id,
      arn: `arn:aws:drs:${this.region}:${this.accountId}:job/${id}`,
      type,
      initiatedBy:
        type === 'TERMINATE'
          ? 'TERMINATE_RECOVERY_INSTANCES'
          : isDrill
            ? 'START_DRILL'
            : 'START_RECOVERY',
      createdAt: this.clock.now(),
      isDrill,
      tags: { ...tags },
      participants: sourceServerIDs.map((sourceServerID) => ({
        sourceServerID,
        launchStatus: 'PENDING',
        recoveryInstanceID: undefined,
      })),
      status: 'PENDING',
      endedAt: undefined,
    };
    this.jobs.set(id, job);
    return job;
  }

  private beginLaunch(job: JobRecord): void {
    job.status = 'STARTED';
    job.participants.forEach((participant, index) => {
      participant.launchStatus = 'IN_PROGRESS';
      const server = this.serverRecord(participant.sourceServerID);
      if (server.lastLaunch?.jobID === job.id) server.lastLaunch.status = 'IN_PROGRESS';
      scheduleOn(this.clock, this.launchDurationMs + index * this.launchStaggerMs, () =>
        this.finishLaunch(job, participant.sourceServerID),
      );
    });
  }

  private finishLaunch(job: JobRecord, sourceServerID: string): void {
    const participant = job.participants.find((p) => p.sourceServerID === sourceServerID);
    const server = this.serverRecord(sourceServerID);
    if (participant === undefined) return;
    const fails =
      this.failingLaunches.delete(sourceServerID) || server.replicationState !== 'CONTINUOUS';
    if (fails) {
      participant.launchStatus = 'FAILED';
      this.counts.launchFailed++;
    } else {
      const instance = this.launchInstance(job, server);
      participant.launchStatus = 'LAUNCHED';
      participant.recoveryInstanceID = instance.id;
      server.recoveryInstanceId = instance.id;
      this.counts.launched++;
    }
    if (server.lastLaunch?.jobID === job.id) server.lastLaunch.status = participant.launchStatus;
    server.lastLaunchResult = fails ? 'FAILED' : 'SUCCEEDED';
    server.activeJobs.delete(job.id);
    if (
      job.participants.every((p) => p.launchStatus === 'LAUNCHED' || p.launchStatus === 'FAILED')
    ) {
      job.status = 'COMPLETED';
      job.endedAt = this.clock.now();
    }
  }

  private launchInstance(job: JobRecord, server: ServerRecord): InstanceRecord {
    const sequence = ++this.sequence;
    const id = `i-${this.idPrefix}${sequence.toString(16).padStart(12, '0')}`;
    const instance: InstanceRecord = {
      sequence,
      id,
      arn: `arn:aws:drs:${this.region}:${this.accountId}:recovery-instance/${id}`,
      jobID: job.id,
      sourceServerID: server.id,
      isDrill: job.isDrill,
      tags: { ...job.tags },
      launchedAt: this.clock.now(),
      state: 'RUNNING',
    };
    this.instances.set(id, instance);
    return instance;
  }

  private beginTermination(job: JobRecord): void {
    job.status = 'STARTED';
    for (const participant of job.participants) participant.launchStatus = 'IN_PROGRESS';
    scheduleOn(this.clock, this.terminateDurationMs, () => {
      for (const participant of job.participants) {
        participant.launchStatus = 'TERMINATED';
        const id = participant.recoveryInstanceID ?? '';
        this.instances.delete(id);
        const server = this.servers.get(participant.sourceServerID);
        if (server?.recoveryInstanceId === id) server.recoveryInstanceId = undefined;
      }
      job.status = 'COMPLETED';
      job.endedAt = this.clock.now();
    });
  }

  // ---- helpers ----

  private throttle(operation: string): SimulatedServiceError | undefined {
    const buckets = [this.operationBuckets.get(operation), this.accountBucket].filter(
      (bucket): bucket is TokenBucket => bucket !== undefined,
    );
    const empty = buckets.filter((bucket) => bucket.availableTokens() < 1);
    if (empty.length === 0) {
      // Both have a token: take them together, so a refused call consumes nothing.
      for (const bucket of buckets) bucket.tryAcquire();
      return undefined;
    }
    const byOperation = this.counts.throttlesByOperation;
    byOperation[operation] = (byOperation[operation] ?? 0) + 1;
    this.counts.throttles++;
    if (empty.includes(this.accountBucket as TokenBucket)) this.counts.accountThrottles++;
    const seconds = Math.max(
      1,
      ...empty.map((bucket) => Math.ceil((1 - bucket.availableTokens()) / bucket.ratePerSecond)),
    );
    return new SimulatedServiceError({
      name: 'ThrottlingException',
      httpStatusCode: 429,
      message: 'Rate exceeded',
      retryAfterSeconds: seconds,
      fields: { serviceCode: DRS_SERVICE_CODE, retryAfterSeconds: String(seconds) },
    });
  }

  private bucket(name: string, quota: QuotaOptions): TokenBucket {
    return new TokenBucket({
      name: `${this.name}:${name}`,
      ratePerSecond: quota.ratePerSecond,
      capacity: quota.burst,
      clock: this.clock,
    });
  }

  private serverRecord(id: string): ServerRecord {
    const server = this.servers.get(id);
    if (server === undefined) {
      throw new SimulationConfigError(`DrsModel '${this.name}' has no source server '${id}'.`);
    }
    return server;
  }

  private jobsNewestFirst(): JobRecord[] {
    return [...this.jobs.values()].sort((a, b) => b.sequence - a.sequence);
  }

  private countQuotaError(quota: DrsQuotaName): void {
    this.counts.quotaErrors++;
    this.counts.quotaErrorsByQuota[quota]++;
  }

  private notePeaks(): void {
    this.counts.peakConcurrentJobs = Math.max(
      this.counts.peakConcurrentJobs,
      this.activeJobCount(),
    );
    this.counts.peakServersInActiveJobs = Math.max(
      this.counts.peakServersInActiveJobs,
      this.serversInActiveJobs(),
    );
  }

  private zeroCounts() {
    return {
      throttlesByOperation: {} as Record<string, number>,
      throttles: 0,
      accountThrottles: 0,
      quotaErrors: 0,
      quotaErrorsByQuota: {
        concurrentJobs: 0,
        serversPerJob: 0,
        serversInActiveJobs: 0,
        jobsPerServer: 0,
      } satisfies Record<DrsQuotaName, number>,
      peakConcurrentJobs: 0,
      peakServersInActiveJobs: 0,
      jobsStarted: 0,
      launched: 0,
      launchFailed: 0,
    };
  }
}

function nonEmptySet(values: readonly string[] | undefined): Set<string> | undefined {
  return values !== undefined && values.length > 0 ? new Set(values) : undefined;
}
