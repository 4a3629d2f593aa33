/**
 * Which alarms of the demo's constructs the demo's metrics would have set to ALARM. Uses the
 * simulation's CloudWatch evaluation rules (statistic per period, M out of N, missing data), so
 * "would have fired" means what CloudWatch would have decided for the same datapoints.
 * Pure: alarm definitions and datapoints in, transitions out.
 */
import type { ComparisonOperator } from '@aws-sdk/client-cloudwatch';
import {
  evaluateAlarm,
  statisticOf,
  summarise,
  type StoredDatapoint,
  type TreatMissingData,
} from '../simulation/models/cloudwatch-alarms.js';
import type { MetricSeries } from './result.js';

/** A metric alarm as synthesized (metric-math alarms are not audited). */
export interface AuditedAlarm {
  readonly alarmName: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: string;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly treatMissingData: TreatMissingData;
}

export interface AlarmFiring {
  readonly alarmName: string;
  /** Epoch milliseconds of the evaluation that first found the alarm in ALARM. */
  readonly time: number;
  readonly value: number;
}

const sameDimensions = (
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
};

/** The series an alarm watches: same namespace, metric name and exactly the same dimensions. */
export function seriesOf(alarm: AuditedAlarm, series: readonly MetricSeries[]): MetricSeries[] {
  return series.filter(
    (s) =>
      s.namespace === alarm.namespace &&
      s.metricName === alarm.metricName &&
      sameDimensions(s.dimensions, alarm.dimensions),
  );
}

/**
 * Evaluates `alarm` at the end of every period from `start` to `end` (epoch ms) and returns the
 * first evaluation in ALARM, or undefined when it never would have fired.
 */
export function firstFiring(
  alarm: AuditedAlarm,
  series: readonly MetricSeries[],
  start: number,
  end: number,
): AlarmFiring | undefined {
  const periodMs = alarm.periodSeconds * 1000;
  const points = seriesOf(alarm, series).flatMap((s) => s.points);
  if (points.length === 0 || periodMs <= 0) return undefined;
  const periodIndex = (time: number): number => Math.floor((time - start) / periodMs);
  const byPeriod = new Map<number, StoredDatapoint[]>();
  for (const point of points) {
    const index = periodIndex(point.time);
    const stored: StoredDatapoint = {
      timestamp: point.time,
      unit: 'None',
      values: [{ value: point.value, count: 1 }],
      sampleCount: 1,
      sum: point.value,
      minimum: point.value,
      maximum: point.value,
    };
    byPeriod.set(index, [...(byPeriod.get(index) ?? []), stored]);
  }
  // Every period that ended by `end`; periods before `start` are missing data, as they are for
  // an alarm created at `start`.
  const lastIndex = periodIndex(end) - 1;
  for (let index = 0; index <= lastIndex; index++) {
    const periods = Array.from({ length: alarm.evaluationPeriods }, (_, i) => {
      const p = index - alarm.evaluationPeriods + 1 + i;
      const summary = summarise(byPeriod.get(p) ?? []);
      return {
        start: start + p * periodMs,
        value: summary === undefined ? undefined : statisticOf(summary, alarm.statistic),
      };
    });
    const evaluation = evaluateAlarm({
      periods,
      datapointsToAlarm: alarm.datapointsToAlarm,
      operator: alarm.comparisonOperator,
      threshold: alarm.threshold,
      treatMissingData: alarm.treatMissingData,
      currentState: 'OK',
    });
    if (evaluation.state === 'ALARM') {
      const breaching = periods.map((p) => p.value).filter((v): v is number => v !== undefined);
      return {
        alarmName: alarm.alarmName,
        time: start + (index + 1) * periodMs,
        value: Math.max(...breaching),
      };
    }
  }
  return undefined;
}
