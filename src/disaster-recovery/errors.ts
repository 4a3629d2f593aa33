/**
 * Base of every error the disaster-recovery capability raises itself. Callers that only need to
 * know "this came from the DRS layer" catch this one; subclasses say what went wrong.
 */
export class DisasterRecoveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DisasterRecoveryError';
  }
}

/** One environment variable the disaster-recovery configuration rejected. */
export interface ConfigProblem {
  /** The variable, e.g. `DRS_REGIONS`. */
  readonly variable: string;
  /** What is wrong and how to fix it; names the variable. */
  readonly message: string;
}

/**
 * The disaster-recovery environment is invalid. Raised once at cold start, before any AWS call;
 * the message lists every problem, each naming its variable and the fix.
 */
export class DrsConfigError extends DisasterRecoveryError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: ErrorOptions) {
    super(
      `Invalid disaster-recovery configuration (${problems.length} problem(s)):\n` +
        problems.map((p) => `- ${p.message}`).join('\n'),
      options,
    );
    this.name = 'DrsConfigError';
    this.problems = problems;
  }
}

/** A handler event does not match its schema: a bug in the caller, never worth a retry. */
export class DrsEventError extends DisasterRecoveryError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DrsEventError';
  }
}

/** Where a DRS call went: the account and region whose quotas and limits apply. */
export interface DrsTarget {
  readonly region: string;
  /** @default - the handler's own account */
  readonly accountId?: string;
}

const where = (target: DrsTarget): string =>
  `${target.accountId === undefined ? 'this account' : `account ${target.accountId}`} in ${target.region}`;

/**
 * DRS answered `ServiceQuotaExceededException` (HTTP 402): starting the job would exceed a quota
 * (concurrent jobs, servers per job, servers in all jobs). Never retried by the client: the job
 * throttler waits for capacity instead. `cause` is the SDK exception.
 */
export class DrsQuotaExceededError extends DisasterRecoveryError {
  readonly operation: string;
  readonly target: DrsTarget;
  /** The quota's code when DRS named it (e.g. `L-D88FAC3A`). */
  readonly quotaCode: string | undefined;

  constructor(operation: string, target: DrsTarget, quotaCode: string | undefined, cause: unknown) {
    super(
      `DRS ${operation} in ${where(target)} exceeds a service quota` +
        `${quotaCode === undefined ? '' : ` (${quotaCode})`}: wait for running jobs to finish ` +
        '(the job throttler does), start smaller waves, or request a quota increase.',
      { cause },
    );
    this.name = 'DrsQuotaExceededError';
    this.operation = operation;
    this.target = target;
    this.quotaCode = quotaCode;
  }
}

/**
 * DRS answered `ConflictException` (HTTP 409), e.g. a source server already in an active job.
 * Never retried by the client: the job throttler waits for the conflicting job to finish.
 */
export class DrsConflictError extends DisasterRecoveryError {
  readonly operation: string;
  readonly target: DrsTarget;
  /** Resource ids DRS named as conflicting, if any. */
  readonly conflictingResources: readonly string[];

  constructor(
    operation: string,
    target: DrsTarget,
    conflictingResources: readonly string[],
    cause: unknown,
  ) {
    super(
      `DRS ${operation} in ${where(target)} conflicts with work in progress` +
        `${conflictingResources.length > 0 ? ` (${conflictingResources.join(', ')})` : ''}: ` +
        'a source server can be in one active job only; wait for its job to finish.',
      { cause },
    );
    this.name = 'DrsConflictError';
    this.operation = operation;
    this.target = target;
    this.conflictingResources = conflictingResources;
  }
}

/** What the throttler saw when it gave up. */
export interface ThrottlerTimeoutDetails {
  readonly target: DrsTarget;
  /** Active (PENDING/STARTED) jobs plus unexpired leases at the last check. */
  readonly activeJobs: number;
  /** Source servers in those jobs. */
  readonly serversInActiveJobs: number;
  /** The job limit in force (lower of threshold and quota). */
  readonly jobLimit: number;
  /** Servers the waiting wave asked for. */
  readonly requestedServers: number;
  readonly waitedMs: number;
  readonly timeoutMs: number;
}

/** `waitForCapacity` waited its whole timeout without DRS capacity for the job. */
export class JobThrottlerTimeoutError extends DisasterRecoveryError {
  readonly details: ThrottlerTimeoutDetails;

  constructor(details: ThrottlerTimeoutDetails) {
    super(
      `No DRS job capacity in ${where(details.target)} after waiting ` +
        `${Math.round(details.waitedMs / 1000)} s (timeout ${Math.round(details.timeoutMs / 1000)} s): ` +
        `${details.activeJobs} active job(s) of ${details.jobLimit} allowed, ` +
        `${details.serversInActiveJobs} server(s) in active jobs, ${details.requestedServers} ` +
        'requested. Retry the wave later, lower the wave size, or request a quota increase.',
    );
    this.name = 'JobThrottlerTimeoutError';
    this.details = details;
  }
}

/** The event or caller named an account without a configured role, or an unconfigured region. */
export class DrsTargetError extends DisasterRecoveryError {
  readonly target: DrsTarget;

  constructor(target: DrsTarget, message: string) {
    super(message);
    this.name = 'DrsTargetError';
    this.target = target;
  }
}

/**
 * A stored lease or limiter item does not have the shape this code writes (edited by hand, or
 * written by an incompatible version). Nothing was granted.
 */
export class DrsStateCorruptError extends DisasterRecoveryError {
  readonly tableName: string;
  readonly key: string;

  constructor(tableName: string, key: string, detail: string) {
    super(
      `The item '${key}' in table '${tableName}' is invalid: ${detail}. Delete the item; it is ` +
        'rebuilt on the next call (a limiter item starts full, a lease item empty).',
    );
    this.name = 'DrsStateCorruptError';
    this.tableName = tableName;
    this.key = key;
  }
}
