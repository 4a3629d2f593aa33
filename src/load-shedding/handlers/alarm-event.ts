/**
 * Lambda entry for EventBridge "CloudWatch Alarm State Change" events of the controller's
 * alarm. An ALARM starts or continues shedding, an OK schedules the restore after the bake time,
 * an INSUFFICIENT_DATA holds the weights; the delayed check messages carry the chain on.
 *
 * Failures are thrown: Lambda retries an asynchronous (EventBridge) invocation, then hands the
 * event to the function's dead-letter queue or on-failure destination. A retried event that was
 * already acted on is dropped as a duplicate.
 */
import { correlationIdOf } from '../../observability/correlation.js';
import { alarmStateChangeEventSchema, describeIssues } from '../contract.js';
import { alarmTriggerOf, type DecisionOutcome } from '../controller.js';
import { defaultDeps, resolveDeps, type DepsSource } from './deps.js';
import { AlarmEventError } from './errors.js';
import { withCorrelationId } from './observe.js';
import { runStep } from './step.js';

/** The part of the Lambda context the handlers read. */
export interface InvocationContext {
  readonly awsRequestId?: string;
}

export interface AlarmEventResult {
  /** What the controller decided (`shed`, `bake`, `stale`, `ignored`, ...). */
  readonly outcome: DecisionOutcome;
  /** The event's id: on every log line of this invocation and of the checks it schedules. */
  readonly correlationId: string;
}

export type AlarmEventHandler = (
  event: unknown,
  context?: InvocationContext,
) => Promise<AlarmEventResult>;

/**
 * The alarm event handler over `deps` (or a function that builds them on first use).
 * @throws {LoadSheddingConfigError} when the deps cannot be built (bad environment).
 * @throws {AlarmEventError} when the event is not an alarm state change event (nothing done).
 * @throws whatever `runStep` throws.
 */
export function createAlarmEventHandler(source: DepsSource): AlarmEventHandler {
  return async (event, context) => {
    const deps = resolveDeps(source);
    const correlationId = correlationIdOf(event, context);
    const logger = withCorrelationId(deps.logger, correlationId);
    try {
      const parsed = alarmStateChangeEventSchema.safeParse(event);
      if (!parsed.success) {
        throw new AlarmEventError(
          'The event is not a "CloudWatch Alarm State Change" event from aws.cloudwatch: ' +
            `${describeIssues(parsed.error.issues)}. Nothing was done; check the EventBridge ` +
            "rule's pattern and target.",
        );
      }
      const step = await runStep(deps, alarmTriggerOf(parsed.data), logger);
      return { outcome: step.decision.outcome, correlationId };
    } catch (error) {
      logger.error('Handling the alarm event failed.', { error });
      throw error;
    } finally {
      deps.flushMetrics?.();
    }
  };
}

/** The Lambda entry point; deps are built from the environment on the first invocation. */
export const handler = createAlarmEventHandler(defaultDeps());
