/**
 * Lambda entry of the event-driven mode: a start event → RunTask. Registration follows from the
 * task's own "ECS Task State Change" events (handlers/task-state.ts), so this function runs for
 * well under a second instead of waiting for the task.
 *
 * Errors are thrown: an invalid event (InvalidEventError) or a request that cannot work
 * (StartPreconditionError) fails before RunTask; a capacity failure (TaskStartError) after the
 * attempts that could help. Each counts in StartFailures once, and the event goes straight to
 * the dead-letter queue: the function has no Lambda async retries (see
 * TaskStarterAsyncRetryAttempts). A redriven event replays the same client tokens, so it
 * starts no second task.
 */
import { correlationIdOf } from '../../observability/correlation.js';
import { parseStartEvent, type StartRequest } from '../contract.js';
import { recordRejectedStart, startTasks } from '../starter.js';
import {
  defaultDeps,
  resolveDeps,
  runtimeOf,
  type DepsSource,
  type InvocationContext,
} from './deps.js';

export interface StartHandlerResult {
  readonly correlationId: string;
  readonly taskArns: readonly string[];
  readonly attempts: number;
}

export type StartHandler = (
  event: unknown,
  context?: InvocationContext,
) => Promise<StartHandlerResult>;

export function createStartHandler(source: DepsSource): StartHandler {
  return async (event, context) => {
    const deps = resolveDeps(source);
    let runtime = runtimeOf(deps, correlationIdOf(event, context));
    let request: StartRequest | undefined;
    try {
      request = parseStartEvent(event, deps.config, deps.clock.now());
      // The tasks carry the event id (tag, client token): log under it too, also when a direct
      // invocation's event lacks the detail-type that correlationIdOf looks for.
      runtime = runtimeOf(deps, request.eventId);
      const result = await startTasks(runtime, request);
      runtime.logger.info('Tasks started; they are registered when RUNNING.', {
        taskArns: result.tasks.map((t) => t.taskArn),
        targetGroupArn: request.targetGroupArn,
      });
      return {
        correlationId: request.eventId,
        taskArns: result.tasks.map((t) => t.taskArn),
        attempts: result.attempts,
      };
    } catch (error) {
      recordRejectedStart(runtime, error, request);
      runtime.logger.error('Starting the tasks failed.', { error });
      throw error;
    } finally {
      deps.flushMetrics?.();
    }
  };
}

/** The Lambda entry point; deps are built from the environment on the first invocation. */
export const handler = createStartHandler(defaultDeps());
