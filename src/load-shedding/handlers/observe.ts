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

export { withCorrelationId } from '../../observability/correlation.js';

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
