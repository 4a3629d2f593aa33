/**
 * The synchronous mode's wait: poll DescribeTasks until every started task is RUNNING (then
 * register it), stopped, or the deadline passes.
 *
 * Written by hand rather than with the SDK's `waitUntilTasksRunning`, which fails at once on a
 * `MISSING` failure (DescribeTasks can answer that right after RunTask, before the task is
 * visible), and sleeps on real timers instead of the kit's injectable clock.
 */
import { TaskWaitError } from './errors.js';
import { registerTask, stopUnregistrable, type RegisterOutcome } from './registrar.js';
import type { TaskStarterRuntime } from './runtime.js';
import { isLive, isStopping, type TaskView } from './task-view.js';
import type { Target } from './targets.js';

/** Seconds between DescribeTasks polls: the SDK waiter's minimum delay. */
export const TASK_POLL_SECONDS = 6;
/** How long a just-started task may be MISSING from DescribeTasks before it counts as lost. */
export const MISSING_GRACE_SECONDS = 30;

export interface RegisteredTask {
  readonly taskArn: string;
  readonly target: Target;
  readonly timeToRegisteredSeconds?: number;
  readonly timeToHealthySeconds?: number;
}

/**
 * Waits for `tasks` (just started in `cluster`) and registers each as it reaches RUNNING.
 * @param deadline epoch ms after which the wait gives up.
 * @throws {TaskWaitError} when a task stopped, stayed MISSING, could not be registered or the
 * deadline passed; every task not yet registered has then been stopped.
 */
export async function waitAndRegister(
  runtime: TaskStarterRuntime,
  cluster: string,
  tasks: readonly TaskView[],
  deadline: number,
): Promise<RegisteredTask[]> {
  const startedAt = runtime.clock.now();
  const pending = new Map(tasks.map((t) => [t.taskArn, t]));
  const done: RegisteredTask[] = [];
  const problems: string[] = [];
  for (;;) {
    const { tasks: seen, missing } = await runtime.ecs.describeTasks(cluster, [...pending.keys()]);
    const now = runtime.clock.now();
    for (const arn of missing) {
      if (!pending.has(arn) || now - startedAt < MISSING_GRACE_SECONDS * 1000) continue;
      problems.push(`${arn} is still MISSING from DescribeTasks after ${MISSING_GRACE_SECONDS} s`);
      pending.delete(arn);
    }
    for (const task of seen) {
      if (!pending.has(task.taskArn)) continue;
      pending.set(task.taskArn, task);
      if (isStopping(task)) {
        problems.push(
          `${task.taskArn} stopped before RUNNING: ${task.stoppedReason ?? 'no reason given'}`,
        );
        pending.delete(task.taskArn);
      } else if (isLive(task)) {
        const outcome = await registerTask(runtime, task);
        const settled = settle(task, outcome);
        if (settled.kind === 'pending') continue;
        pending.delete(task.taskArn);
        if (settled.kind === 'failed') problems.push(settled.message);
        else done.push(settled.task);
      }
    }
    if (pending.size === 0 && problems.length === 0) return done;
    const left = deadline - runtime.clock.now();
    if (pending.size === 0 || problems.length > 0 || left <= 0) {
      return fail(runtime, cluster, [...pending.values()], problems, left <= 0 && pending.size > 0);
    }
    await runtime.clock.sleep(Math.min(TASK_POLL_SECONDS * 1000, left));
  }
}

type Settled =
  | { readonly kind: 'done'; readonly task: RegisteredTask }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'pending' };

function settle(task: TaskView, outcome: RegisterOutcome): Settled {
  switch (outcome.kind) {
    case 'registered':
    case 'already-registered':
      return {
        kind: 'done',
        task: {
          taskArn: task.taskArn,
          target: outcome.target,
          ...('timeToRegisteredSeconds' in outcome && outcome.timeToRegisteredSeconds !== undefined
            ? { timeToRegisteredSeconds: outcome.timeToRegisteredSeconds }
            : {}),
          ...('timeToHealthySeconds' in outcome && outcome.timeToHealthySeconds !== undefined
            ? { timeToHealthySeconds: outcome.timeToHealthySeconds }
            : {}),
        },
      };
    case 'deferred':
      return { kind: 'pending' }; // the old target may finish draining before the deadline
    case 'stopped':
      return {
        kind: 'failed',
        message: `${task.taskArn} could not be registered (${outcome.reason}) and was stopped`,
      };
    case 'not-kit-task':
      return { kind: 'failed', message: `${task.taskArn}: ${outcome.message}` };
  }
}

async function fail(
  runtime: TaskStarterRuntime,
  cluster: string,
  unfinished: readonly TaskView[],
  problems: readonly string[],
  timedOut: boolean,
): Promise<never> {
  for (const task of unfinished) {
    await stopUnregistrable(
      runtime,
      { ...task, clusterArn: task.clusterArn || cluster },
      undefined,
      timedOut ? 'WAIT_TIMEOUT' : 'WAIT_ABORTED',
      timedOut
        ? 'not RUNNING and registered before the timeout'
        : 'another task of the request failed',
    );
  }
  const all = [
    ...problems,
    ...(timedOut ? [`${unfinished.length} task(s) not RUNNING and registered in time`] : []),
  ];
  throw new TaskWaitError(
    unfinished.map((t) => t.taskArn),
    timedOut,
    `The synchronous start failed: ${all.join('; ')}. Unregistered tasks were stopped.`,
  );
}
