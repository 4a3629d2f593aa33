/**
 * Lambda entry of the synchronous mode: a start event → RunTask, wait until the tasks are
 * RUNNING, register them, and answer with their targets, in one invocation (for callers that
 * invoke the function directly and want the result). Costs Lambda time for the whole start
 * (15 s–2 min per task); the event-driven mode (handlers/start.ts) does not.
 *
 * The wait ends at TASK_WAIT_TIMEOUT or 15 s before the function would time out, whichever is
 * first; tasks not registered by then are stopped and the invocation fails (TaskWaitError).
 */
import { correlationIdOf } from '../../observability/correlation.js';
import { parseStartEvent, type StartRequest } from '../contract.js';
import { recordRejectedStart, startTasks } from '../starter.js';
import { waitAndRegister, type RegisteredTask } from '../waiter.js';
import {
  defaultDeps,
  resolveDeps,
  runtimeOf,
  type DepsSource,
  type InvocationContext,
} from './deps.js';

/** Time kept back from the Lambda timeout to stop the tasks and report. */
export const SYNC_SAFETY_MARGIN_MS = 15_000;

export interface StartSyncHandlerResult {
  readonly correlationId: string;
  readonly tasks: readonly RegisteredTask[];
  /** Seconds the invocation spent from the event to the last registration. */
  readonly elapsedSeconds: number;
}

export type StartSyncHandler = (
  event: unknown,
  context?: InvocationContext,
) => Promise<StartSyncHandlerResult>;

export function createStartSyncHandler(source: DepsSource): StartSyncHandler {
  return async (event, context) => {
    const deps = resolveDeps(source);
    let runtime = runtimeOf(deps, correlationIdOf(event, context));
    let request: StartRequest | undefined;
    const began = deps.clock.now();
    try {
      request = parseStartEvent(event, deps.config, began);
      // Callers invoke this function directly, often without a detail-type (so correlationIdOf
      // falls back to the request id); the tasks carry the event id: log under it.
      runtime = runtimeOf(deps, request.eventId);
      const started = await startTasks(runtime, request);
      const byConfig = began + deps.config.taskWaitTimeoutSeconds * 1000;
      const remaining = context?.getRemainingTimeInMillis?.();
      const deadline =
        remaining === undefined
          ? byConfig
          : Math.min(byConfig, deps.clock.now() + remaining - SYNC_SAFETY_MARGIN_MS);
      const tasks = await waitAndRegister(runtime, request.cluster, started.tasks, deadline);
      const elapsedSeconds = (deps.clock.now() - began) / 1000;
      runtime.logger.info('Tasks started and registered.', { tasks, elapsedSeconds });
      return { correlationId: request.eventId, tasks, elapsedSeconds };
    } catch (error) {
      recordRejectedStart(runtime, error, request);
      runtime.logger.error('The synchronous start failed.', { error });
      throw error;
    } finally {
      deps.flushMetrics?.();
    }
  };
}

/** The Lambda entry point; deps are built from the environment on the first invocation. */
export const handler = createStartSyncHandler(defaultDeps());
