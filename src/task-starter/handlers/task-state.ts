/**
 * Lambda entry for "ECS Task State Change" events of the tasks the kit started: RUNNING →
 * register, stopping → deregister. Events repeat and arrive out of order; DescribeTasks is asked
 * for the truth, and a task reported stopping by either is never registered.
 *
 * Logs carry the start event's id (from the task's tags) as correlation id, so one start can be
 * followed from RunTask to registration.
 */
import { correlationIdOf } from '../../observability/correlation.js';
import {
  TaskStarterTagKeys,
  parseTaskStateChangeEvent,
  targetGroupResourceOfStartedBy,
} from '../contract.js';
import {
  deregisterTask,
  registerTask,
  type DeregisterOutcome,
  type RegisterOutcome,
} from '../registrar.js';
import { decideTaskState, type StateAction } from '../state-decision.js';
import { taskViewOf } from '../task-view.js';
import {
  defaultDeps,
  resolveDeps,
  runtimeOf,
  type DepsSource,
  type InvocationContext,
} from './deps.js';

export interface TaskStateHandlerResult {
  readonly correlationId: string;
  readonly taskArn: string;
  readonly action: StateAction;
  readonly reason: string;
  readonly outcome?: RegisterOutcome | DeregisterOutcome;
}

export type TaskStateHandler = (
  event: unknown,
  context?: InvocationContext,
) => Promise<TaskStateHandlerResult>;

export function createTaskStateHandler(source: DepsSource): TaskStateHandler {
  return async (event, context) => {
    const deps = resolveDeps(source);
    let runtime = runtimeOf(deps, correlationIdOf(event, context));
    try {
      const parsed = parseTaskStateChangeEvent(event);
      // The schema checked the ARNs are present, so the view exists.
      const fromEvent = taskViewOf(parsed.detail);
      if (fromEvent === undefined) throw new Error('unreachable: task view of a parsed event');
      if (
        targetGroupResourceOfStartedBy(deps.config.startedByPrefix, fromEvent.startedBy) ===
        undefined
      ) {
        return {
          correlationId: parsed.id,
          taskArn: fromEvent.taskArn,
          action: 'ignore',
          reason: `startedBy '${fromEvent.startedBy ?? ''}' is not the kit's`,
        };
      }
      const described = await runtime.ecs.describeTasks(fromEvent.clusterArn, [fromEvent.taskArn]);
      const current = described.tasks[0];
      const correlationId = current?.tags[TaskStarterTagKeys.eventId] ?? parsed.id;
      runtime = runtimeOf(deps, correlationId);
      const decision = decideTaskState(fromEvent, current);
      runtime.logger.info('Task state decided.', {
        stateEventId: parsed.id,
        taskArn: fromEvent.taskArn,
        action: decision.action,
        reason: decision.reason,
      });
      const outcome =
        decision.action === 'register'
          ? await registerTask(runtime, decision.task)
          : decision.action === 'deregister'
            ? await deregisterTask(runtime, decision.task)
            : undefined;
      return {
        correlationId,
        taskArn: fromEvent.taskArn,
        action: decision.action,
        reason: decision.reason,
        ...(outcome === undefined ? {} : { outcome }),
      };
    } catch (error) {
      runtime.logger.error('Handling the task state change failed.', { error });
      throw error;
    } finally {
      deps.flushMetrics?.();
    }
  };
}

/** The Lambda entry point; deps are built from the environment on the first invocation. */
export const handler = createTaskStateHandler(defaultDeps());
