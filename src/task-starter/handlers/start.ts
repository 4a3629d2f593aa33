/**
 * Lambda entry of the event-driven mode: a start event → RunTask. Registration follows from the
 * task's own "ECS Task State Change" events (handlers/task-state.ts), so this function runs for
 * well under a second instead of waiting for the task.
 *
 * Errors are thrown: an invalid event (InvalidEventError) or a request that cannot work
 * (StartPreconditionError) fails before RunTask; a capacity failure (TaskStartError) after the
 * attempts that could help. Lambda's async retries then hand the event to the dead-letter queue.
 * A redelivered event replays the same client tokens, so it starts no second task.
 */
import { correlationIdOf } from '../../observability/correlation.js';
import { parseStartEvent } from '../contract.js';
import { startTasks } from '../starter.js';
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
    const correlationId = correlationIdOf(event, context);
    const runtime = runtimeOf(deps, correlationId);
    try {
      const request = parseStartEvent(event, deps.config, deps.clock.now());
      const result = await startTasks(runtime, request);
      runtime.logger.info('Tasks started; they are registered when RUNNING.', {
        taskArns: result.tasks.map((t) => t.taskArn),
        targetGroupArn: request.targetGroupArn,
      });
      return {
        correlationId,
        taskArns: result.tasks.map((t) => t.taskArn),
        attempts: result.attempts,
      };
    } catch (error) {
      runtime.logger.error('Starting the tasks failed.', { error });
      throw error;
    } finally {
      deps.flushMetrics?.();
    }
  };
}

/** The Lambda entry point; deps are built from the environment on the first invocation. */
export const handler = createStartHandler(defaultDeps());
