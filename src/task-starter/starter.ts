/**
 * Starting the tasks of a start request: reads that prove the request can work (task
 * definition, target group), then RunTask with a client token per batch, retrying capacity
 * failures (and only those) a few times with backoff.
 */
import { backoffDelayMs } from '../resilience/backoff.js';
import { TaskStarterDimensions, TaskStarterMetricNames, type StartRequest } from './contract.js';
import {
  InvalidEventError,
  StartPreconditionError,
  TaskStartError,
  type RunTaskFailure,
} from './errors.js';
import { recordStartFailure } from './registrar.js';
import {
  allRetryable,
  buildRunTaskInput,
  failureReasonDimension,
  type RegistrationSpec,
} from './run-task.js';
import { targetGroupDimension, type TaskStarterRuntime } from './runtime.js';
import { compatibility, resolveContainerPort } from './targets.js';
import type { TaskView } from './task-view.js';

/** Backoff between RunTask attempts after a capacity failure: 2 s, 4 s, 8 s ceilings, full jitter. */
export const RUN_TASK_RETRY = Object.freeze({
  maxRetries: 4,
  baseDelayMs: 2000,
  maxDelayMs: 10_000,
  jitter: 1,
});

export interface StartResult {
  readonly tasks: readonly TaskView[];
  readonly registration: RegistrationSpec;
  /** RunTask calls made (1 when everything was placed at once). */
  readonly attempts: number;
}

/**
 * Checks the request against its task definition and target group, so that no task starts that
 * could never be registered.
 * @throws {StartPreconditionError} naming what does not fit and how to fix it.
 */
export async function checkStartRequest(
  runtime: TaskStarterRuntime,
  request: StartRequest,
): Promise<{ registration: RegistrationSpec; awsvpc: boolean }> {
  const definition = await runtime.ecs.describeTaskDefinition(request.taskDefinition);
  const group = await runtime.elb.describeTargetGroup(request.targetGroupArn);
  const fits = compatibility(definition.networkMode, group.targetType);
  if (!fits.ok) {
    throw new StartPreconditionError(
      `Task definition ${definition.arn} cannot go behind ${request.targetGroupArn}: ` +
        `${fits.message}. No task was started.`,
    );
  }
  const awsvpc = definition.networkMode === 'awsvpc';
  if (awsvpc && request.subnets === undefined) {
    throw new StartPreconditionError(
      `Task definition ${definition.arn} uses the awsvpc network mode, which needs subnets: put ` +
        '`subnets` in the event or set SUBNETS on the function. No task was started.',
    );
  }
  const port = resolveContainerPort({
    containers: definition.containers,
    networkMode: definition.networkMode,
    ...(request.containerName === undefined ? {} : { containerName: request.containerName }),
    ...(request.port === undefined ? {} : { port: request.port }),
  });
  if (!port.ok) {
    throw new StartPreconditionError(
      `Task definition ${definition.arn}: ${port.message}. No task was started.`,
    );
  }
  return {
    registration: { containerName: port.containerName, containerPort: port.containerPort },
    awsvpc,
  };
}

/**
 * Counts a start rejected before RunTask in StartFailures: an invalid event (reason
 * `INVALID_EVENT`, one per event: its count may be what is invalid) or a request that cannot
 * work (`PRECONDITION`, its task count). The dead-letter queue holds the event either way; the
 * metric lets the start-failure alarm name the reason. Other errors count where they happen.
 */
export function recordRejectedStart(
  runtime: TaskStarterRuntime,
  error: unknown,
  request: StartRequest | undefined,
): void {
  if (error instanceof InvalidEventError) {
    recordStartFailure(runtime, undefined, 'INVALID_EVENT', 1);
  } else if (error instanceof StartPreconditionError) {
    recordStartFailure(runtime, request?.targetGroupArn, 'PRECONDITION', request?.count ?? 1);
  }
}

/**
 * Starts `request.count` tasks.
 * @throws {StartPreconditionError} before RunTask when the request cannot work.
 * @throws {TaskStartError} when some tasks could not be placed after the attempts that could
 * help (`started` lists those that did start; they are registered by their state events).
 */
export async function startTasks(
  runtime: TaskStarterRuntime,
  request: StartRequest,
): Promise<StartResult> {
  const { registration, awsvpc } = await checkStartRequest(runtime, request);
  const dimension = targetGroupDimension(request.targetGroupArn);
  const started: TaskView[] = [];
  let failures: readonly RunTaskFailure[] = [];
  const attempts = runtime.config.startAttempts;
  for (let batch = 0; batch < attempts; batch += 1) {
    const remaining = request.count - started.length;
    const result = await runtime.ecs.runTask(
      buildRunTaskInput({
        request,
        registration,
        startedByPrefix: runtime.config.startedByPrefix,
        batch,
        count: remaining,
        awsvpc,
      }),
    );
    started.push(...result.tasks);
    if (result.tasks.length > 0) {
      runtime.metrics.record(
        TaskStarterMetricNames.tasksStarted,
        'Count',
        result.tasks.length,
        dimension,
      );
    }
    failures =
      result.failures.length > 0 || result.tasks.length >= remaining
        ? result.failures
        : [
            {
              reason: 'UNKNOWN',
              detail: 'RunTask returned fewer tasks than asked, and no failure',
            },
          ];
    runtime.logger.info('RunTask answered.', {
      batch,
      requested: remaining,
      started: result.tasks.map((t) => t.taskArn),
      failures,
    });
    if (started.length >= request.count) {
      return { tasks: started, registration, attempts: batch + 1 };
    }
    if (!allRetryable(failures) || batch === attempts - 1) break;
    await runtime.clock.sleep(backoffDelayMs(batch, RUN_TASK_RETRY, runtime.random));
  }
  const missing = request.count - started.length;
  const byReason = new Map<string, number>();
  for (const failure of failures) {
    const reason = failureReasonDimension(failure.reason);
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  runtime.metrics.record(TaskStarterMetricNames.startFailures, 'Count', missing);
  for (const [reason, count] of byReason) {
    runtime.metrics.record(TaskStarterMetricNames.startFailuresByReason, 'Count', count, {
      [TaskStarterDimensions.reason]: reason,
      ...dimension,
    });
  }
  throw new TaskStartError(
    failures,
    started.map((t) => t.taskArn),
    allRetryable(failures),
  );
}
