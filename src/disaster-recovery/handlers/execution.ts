/**
 * Lambda entry of the execution handler: `startWave` (a wave of source servers split into jobs
 * within the per-job quota, each start idempotent and behind the job throttler's lease),
 * `waveStatus` (its jobs and launches) and `terminate` (recovery instances, e.g. after a drill).
 *
 * Failures are thrown after logging: the orchestrator (Step Functions, a retry) sees them, and
 * a retried `startWave` never starts a chunk's job twice. Throttler timeouts and exhausted
 * retries are escalated to SNS by the library before they reach here.
 */
import { correlationIdOf } from '../../observability/correlation.js';
import { parseExecutionEvent } from '../contract.js';
import { defaultDeps } from './default-deps.js';
import { invocationFields, resolveDeps, type DepsSource, type InvocationContext } from './deps.js';
import { withCorrelationId } from './observe.js';
import {
  startWave,
  terminateInstances,
  waveStatus,
  type StartWaveResult,
  type TerminateResult,
  type WaveStatusResult,
} from './wave.js';

export type ExecutionResult = (StartWaveResult | WaveStatusResult | TerminateResult) & {
  /** On every log line of the invocation. */
  readonly correlationId: string;
};

export type ExecutionHandler = (
  event: unknown,
  context?: InvocationContext,
) => Promise<ExecutionResult>;

/**
 * The execution handler over `deps` (or a function that builds them on first use).
 * @throws {DrsConfigError} when the deps cannot be built (bad environment).
 * @throws {DrsEventError} when the event is malformed (nothing done).
 * @throws {JobThrottlerTimeoutError} | {RetryExhaustedError} after escalating.
 */
export function createExecutionHandler(source: DepsSource): ExecutionHandler {
  return async (event, context) => {
    const deps = resolveDeps(source);
    const correlationId = correlationIdOf(event, context);
    deps.setInvocationContext?.(invocationFields(correlationId, context));
    const logger = withCorrelationId(deps.logger, correlationId);
    try {
      const parsed = parseExecutionEvent(event);
      // Escalations of this invocation name its wave too.
      if (parsed.waveId !== undefined) {
        deps.setInvocationContext?.(invocationFields(correlationId, context, parsed.waveId));
      }
      switch (parsed.action) {
        case 'startWave': {
          const invocationId = context?.awsRequestId ?? deps.newId();
          return { ...(await startWave(deps, parsed, invocationId, logger)), correlationId };
        }
        case 'waveStatus':
          return { ...(await waveStatus(deps, parsed)), correlationId };
        case 'terminate': {
          const invocationId = context?.awsRequestId ?? deps.newId();
          const result = await terminateInstances(deps, parsed, invocationId, logger);
          return { ...result, correlationId };
        }
      }
    } catch (error) {
      logger.error('The execution request failed', { error });
      throw error;
    } finally {
      deps.flushMetrics?.();
    }
  };
}

/** The Lambda entry point; deps are built from the environment on the first invocation. */
export const handler = createExecutionHandler(defaultDeps());
