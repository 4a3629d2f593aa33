/**
 * Errors the task-starter capability raises itself. Callers that only need to know "this came
 * from the task starter" catch {@link TaskStarterError}; subclasses say what went wrong and
 * whether a retry can help (`retryable`).
 */

/** Base of every task-starter error. */
export class TaskStarterError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TaskStarterError';
  }
}

/** One environment variable the configuration rejected. */
export interface TaskStarterConfigProblem {
  /** The variable, e.g. `CONTAINER_PORT`. */
  readonly variable: string;
  /** What is wrong and how to fix it; names the variable. */
  readonly message: string;
}

/**
 * The environment is invalid. Raised at cold start, before any AWS call; the message lists every
 * problem with its variable and fix.
 */
export class TaskStarterConfigError extends TaskStarterError {
  readonly problems: readonly TaskStarterConfigProblem[];

  constructor(problems: readonly TaskStarterConfigProblem[], options?: ErrorOptions) {
    super(
      `Invalid task-starter configuration (${problems.length} problem(s)):\n` +
        problems.map((p) => `- ${p.message}`).join('\n'),
      options,
    );
    this.name = 'TaskStarterConfigError';
    this.problems = problems;
  }
}

/**
 * A start event (or a Task State Change event) is malformed, or a field lacks both a value and a
 * configured default. Nothing was called on AWS; retrying cannot fix it, so the event lands in
 * the dead-letter queue (the start functions have no async retries). `issues` holds one line
 * per bad field.
 */
export class InvalidEventError extends TaskStarterError {
  readonly issues: readonly string[];

  constructor(what: string, issues: readonly string[], options?: ErrorOptions) {
    super(`Invalid ${what}: ${issues.join('; ')}`, options);
    this.name = 'InvalidEventError';
    this.issues = issues;
  }
}

/**
 * The request is well-formed but cannot work with the resources it names (task definition
 * without the container or port, awsvpc without subnets, target type that cannot take the
 * task, a cluster or target group outside the allowed lists). Found by reads before RunTask, so
 * no task was started. Not retryable.
 */
export class StartPreconditionError extends TaskStarterError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartPreconditionError';
  }
}

/** One `failures[]` entry of RunTask, as ECS returned it. */
export interface RunTaskFailure {
  readonly reason: string;
  readonly arn?: string;
  readonly detail?: string;
}

/**
 * RunTask could not place all the requested tasks (`failures[]`: RESOURCE:CPU, RESOURCE:ENI,
 * AGENT, ATTRIBUTE, ...) after the attempts that could help. `started` lists the tasks that did
 * start (they are registered by their state events); `retryable` says whether a later attempt
 * might succeed (capacity) or not (placement constraints, missing resources).
 */
export class TaskStartError extends TaskStarterError {
  readonly failures: readonly RunTaskFailure[];
  readonly started: readonly string[];
  readonly retryable: boolean;

  constructor(
    failures: readonly RunTaskFailure[],
    started: readonly string[],
    retryable: boolean,
    options?: ErrorOptions,
  ) {
    const reasons = [...new Set(failures.map((f) => f.reason))].join(', ');
    super(
      `RunTask placed ${started.length} task(s) but could not place ${failures.length}: ` +
        `${reasons}. ` +
        (retryable
          ? 'The cluster lacks capacity now; add capacity or retry later.'
          : 'Retrying cannot help: fix the placement constraints, cluster or task definition.'),
      options,
    );
    this.name = 'TaskStartError';
    this.failures = failures;
    this.started = started;
    this.retryable = retryable;
  }
}

/**
 * The synchronous start did not see every task RUNNING (and registered) within the timeout, or a
 * task stopped while it waited. The tasks it started have been stopped.
 */
export class TaskWaitError extends TaskStarterError {
  readonly taskArns: readonly string[];
  readonly timedOut: boolean;

  constructor(
    taskArns: readonly string[],
    timedOut: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TaskWaitError';
    this.taskArns = taskArns;
    this.timedOut = timedOut;
  }
}

/** The name of an error, for decisions by type (never by message). */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
