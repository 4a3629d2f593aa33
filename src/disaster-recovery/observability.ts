/**
 * How the DRS layer logs and counts. The resilience layer already logs every retry (WARN) and
 * the exhaustion, and counts Throttles / Retries / RetriesExhausted / ApiCalls; these adapters
 * only rename its output to what the DRS spec and alarms expect, so nothing is counted twice.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import type { OpsLogger } from '../observability/logger.js';
import type { MetricDimensions, MetricRecorder, MetricUnitName } from '../observability/metrics.js';
import { ResilienceMetricNames } from '../resilience/metric-names.js';
import { DRS_SERVICE_DIMENSION, DrsMetricDimensions, DrsMetricNames } from './contract.js';

/** The logger the DRS layer needs: the kit's levels plus CRITICAL (Powertools has it). */
export type DrsLogger = OpsLogger & Pick<Logger, 'critical'>;

/** Drops everything; the default where a caller passes no logger. */
export const silentDrsLogger: DrsLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  critical: () => undefined,
};

/**
 * The logger handed to the retry layer. Its only ERROR line is "retries exhausted", which the
 * DRS spec files as CRITICAL (a wave cannot proceed); its WARN line per retryable error stays.
 */
export function retryLayerLogger(logger: DrsLogger): OpsLogger {
  return {
    debug: (input: LogItemMessage, ...extra: LogItemExtraInput) => logger.debug(input, ...extra),
    info: (input: LogItemMessage, ...extra: LogItemExtraInput) => logger.info(input, ...extra),
    warn: (input: LogItemMessage, ...extra: LogItemExtraInput) => logger.warn(input, ...extra),
    error: (input: LogItemMessage, ...extra: LogItemExtraInput) => logger.critical(input, ...extra),
  };
}

const D = DrsMetricDimensions;

/**
 * Wraps the recorder of the `DRS/RateLimits` namespace: the retry layer's `Throttles`
 * (dimension `ErrorCode`) becomes `RateLimitErrors` by `ErrorType`, plus one point with the
 * `Service` dimension alone for the alarm; every other metric passes unchanged.
 */
export function drsMetricRecorder(inner: MetricRecorder): MetricRecorder {
  return {
    record(name: string, unit: MetricUnitName, value: number, dimensions: MetricDimensions = {}) {
      if (name !== ResilienceMetricNames.throttles) {
        inner.record(name, unit, value, dimensions);
        return;
      }
      const { ErrorCode: errorType = 'Unknown', ...rest } = dimensions;
      const service = rest[D.service] ?? DRS_SERVICE_DIMENSION;
      inner.record(DrsMetricNames.rateLimitErrors, unit, value, {
        ...rest,
        [D.service]: service,
        [D.errorType]: errorType,
      });
      inner.record(DrsMetricNames.rateLimitErrors, unit, value, { [D.service]: service });
    },
  };
}

/** The DRS layer's own metrics (those the retry layer does not record). */
export class DrsMetrics {
  constructor(readonly recorder: MetricRecorder) {}

  private count(name: string, dimensions: MetricDimensions = {}): void {
    this.recorder.record(name, 'Count', 1, { [D.service]: DRS_SERVICE_DIMENSION, ...dimensions });
  }

  /**
   * A quota error (not a throttle, so the retry layer does not count it): by type, and once
   * with `Service` alone for the alarm.
   */
  rateLimitError(errorType: string): void {
    this.count(DrsMetricNames.rateLimitErrors, { [D.errorType]: errorType });
    this.count(DrsMetricNames.rateLimitErrors);
  }

  throttlerTimeout(): void {
    this.count(DrsMetricNames.throttlerTimeouts);
  }

  throttlerWait(seconds: number): void {
    this.recorder.record(DrsMetricNames.throttlerWaitTime, 'Seconds', seconds, {
      [D.service]: DRS_SERVICE_DIMENSION,
    });
  }

  escalation(reason: string): void {
    this.count(DrsMetricNames.escalations, { [D.reason]: reason });
  }
}
