/** Logs and metrics of the handlers: every line carries the trigger's correlation id. */
import type { OpsLogger } from '../../observability/logger.js';
import type { MetricRecorder } from '../../observability/metrics.js';
import {
  LoadSheddingDimensions,
  LoadSheddingMetricNames,
  parseTargetGroupArn,
  type TargetGroupArnParts,
} from '../contract.js';
import type { Decision } from '../controller.js';

type LogFunction = OpsLogger['info'];
type ExtraInput = Parameters<LogFunction> extends [unknown, ...infer Rest] ? Rest : never;

/**
 * `logger` with `correlationId` added to every line, whatever the caller passes (the adapters
 * log through it too). Written here rather than with Powertools' `appendKeys`, because the deps
 * hold any `OpsLogger` and one logger serves many invocations.
 */
export function withCorrelationId(logger: OpsLogger, correlationId: string): OpsLogger {
  const attach =
    (log: LogFunction): LogFunction =>
    (input, ...extra) => {
      log(input, ...withId(extra, correlationId));
    };
  return {
    debug: attach(logger.debug.bind(logger)),
    info: attach(logger.info.bind(logger)),
    warn: attach(logger.warn.bind(logger)),
    error: attach(logger.error.bind(logger)),
  };
}

/** Powertools reads a lone string as `extra` and a lone Error as `error`; keep both. */
function withId(extra: ExtraInput, correlationId: string): ExtraInput {
  const [first] = extra;
  if (typeof first === 'string') return [{ correlationId, extra: first }];
  if (first instanceof Error) return [{ correlationId, error: first }];
  return [{ correlationId }, ...(extra as Record<string, unknown>[])];
}

/** Writes a decision's log lines and records its metrics. */
export function emitDecision(logger: OpsLogger, metrics: MetricRecorder, decision: Decision): void {
  for (const line of decision.logs) {
    logger[line.level](line.message, { ...line.details });
  }
  for (const metric of decision.metrics) {
    metrics.record(metric.name, metric.unit, metric.value, metric.dimensions);
  }
}

/** Counts one conditional save lost to a concurrent invocation. */
export function recordStateConflict(metrics: MetricRecorder, primaryTargetGroupArn: string): void {
  // The configuration was validated: the primary is a target group ARN.
  const primary = parseTargetGroupArn(primaryTargetGroupArn) as TargetGroupArnParts;
  metrics.record(LoadSheddingMetricNames.stateConflicts, 'Count', 1, {
    [LoadSheddingDimensions.primaryTargetGroup]: primary.resource,
  });
}
