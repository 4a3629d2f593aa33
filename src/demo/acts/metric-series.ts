/**
 * Metrics of a simulated run as CloudWatch would have them, for the demo's alarm audit: the
 * capabilities' EMF metrics (timestamped on the virtual clock, with the `service` dimension
 * Powertools adds to every metric) and the AWS/Lambda metrics of the functions that ran.
 */
import {
  InMemoryMetricRecorder,
  type MetricDimensions,
  type MetricUnitName,
} from '../../observability/metrics.js';
import type { Clock } from '../../resilience/clock.js';
import type { InvocationRecord } from '../../simulation/lambda-runtime.js';
import type { FunctionUse, MetricSeries } from '../result.js';

/** One recorded datum with the virtual time it was recorded at. */
export interface TimedMetric {
  readonly time: number;
  readonly name: string;
  readonly value: number;
  readonly dimensions: MetricDimensions;
}

/**
 * An InMemoryMetricRecorder (so `sum`/`matching` still answer) that also keeps when each datum
 * was recorded: the audit needs datapoints in time, and the plain recorder has no clock.
 */
export class TimedMetricRecorder extends InMemoryMetricRecorder {
  readonly timed: TimedMetric[] = [];

  constructor(
    private readonly clock: Clock,
    /** Where the handlers' EMF would land. */
    readonly namespace: string,
    /** Powertools' `service` dimension of the handlers that record here. */
    readonly service: string,
  ) {
    super();
  }

  override record(
    name: string,
    unit: MetricUnitName,
    value: number,
    dimensions: MetricDimensions = {},
  ): void {
    super.record(name, unit, value, dimensions);
    this.timed.push({ time: this.clock.now(), name, value, dimensions: { ...dimensions } });
  }

  /** One series per metric name and dimension set, with the `service` dimension added. */
  series(): MetricSeries[] {
    const byKey = new Map<
      string,
      { series: MetricSeries; points: MetricSeries['points'][number][] }
    >();
    for (const datum of this.timed) {
      const dimensions = { service: this.service, ...datum.dimensions };
      const key = JSON.stringify([datum.name, Object.entries(dimensions).sort()]);
      let entry = byKey.get(key);
      if (entry === undefined) {
        const points: MetricSeries['points'][number][] = [];
        entry = {
          points,
          series: { namespace: this.namespace, metricName: datum.name, dimensions, points },
        };
        byKey.set(key, entry);
      }
      entry.points.push({ time: datum.time, value: datum.value });
    }
    return [...byKey.values()].map((entry) => entry.series);
  }
}

const MINUTE_MS = 60_000;

/**
 * AWS/Lambda Invocations, Errors and Throttles per function and minute, as Lambda publishes
 * them: Invocations counts the invocations that ran (not the throttled ones); Errors counts
 * failures and timeouts; every minute with any invocation has all three. `nameOf` maps the
 * simulation's function name to the deployed one; functions it leaves undefined are skipped.
 */
export function lambdaMetricSeries(
  invocations: readonly InvocationRecord[],
  nameOf: (functionName: string) => string | undefined,
  startTime: number,
): MetricSeries[] {
  type Bucket = { invocations: number; errors: number; throttles: number };
  const counts = new Map<string, Map<number, Bucket>>();
  for (const record of invocations) {
    const name = nameOf(record.functionName);
    if (name === undefined) continue;
    const minute = startTime + Math.floor((record.startTime - startTime) / MINUTE_MS) * MINUTE_MS;
    const perMinute = counts.get(name) ?? new Map<number, Bucket>();
    counts.set(name, perMinute);
    const bucket = perMinute.get(minute) ?? { invocations: 0, errors: 0, throttles: 0 };
    perMinute.set(minute, bucket);
    if (record.outcome === 'throttled') bucket.throttles++;
    else bucket.invocations++;
    if (record.outcome === 'failed' || record.outcome === 'timedOut') bucket.errors++;
  }
  const series: MetricSeries[] = [];
  for (const [functionName, perMinute] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    const minutes = [...perMinute].sort(([a], [b]) => a - b);
    for (const [metricName, key] of [
      ['Invocations', 'invocations'],
      ['Errors', 'errors'],
      ['Throttles', 'throttles'],
    ] as const) {
      series.push({
        namespace: 'AWS/Lambda',
        metricName,
        dimensions: { FunctionName: functionName },
        points: minutes.map(([time, bucket]) => ({ time, value: bucket[key] })),
      });
    }
  }
  return series;
}

/** Invocations and errors per deployed function name (throttles are neither). */
export function functionUses(
  invocations: readonly InvocationRecord[],
  nameOf: (functionName: string) => string | undefined,
): FunctionUse[] {
  const uses = new Map<string, { invocations: number; errors: number }>();
  for (const record of invocations) {
    const functionName = nameOf(record.functionName);
    if (functionName === undefined) continue;
    const use = uses.get(functionName) ?? { invocations: 0, errors: 0 };
    uses.set(functionName, use);
    if (record.outcome === 'throttled') continue;
    use.invocations++;
    if (record.outcome !== 'succeeded') use.errors++;
  }
  return [...uses]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([functionName, use]) => ({ functionName, ...use }));
}
