import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export type MetricUnitName = 'Count' | 'Milliseconds' | 'Seconds' | 'Percent' | 'None';
export type MetricDimensions = Readonly<Record<string, string>>;

/**
 * Where the kit's code sends its numbers. Production uses Powertools EMF (no PutMetricData on the
 * hot path); tests and the simulation use the in-memory recorder and read the numbers back.
 */
export interface MetricRecorder {
  record(name: string, unit: MetricUnitName, value: number, dimensions?: MetricDimensions): void;
}

export interface CreateMetricsOptions {
  /** One of `MetricNamespaces` for the kit's own code; any string for yours. */
  readonly namespace: string;
  readonly serviceName: string;
}

/** The only way the kit makes a Powertools Metrics instance. */
export function createMetrics(options: CreateMetricsOptions): Metrics {
  return new Metrics({ namespace: options.namespace, serviceName: options.serviceName });
}

const UNITS = {
  Count: MetricUnit.Count,
  Milliseconds: MetricUnit.Milliseconds,
  Seconds: MetricUnit.Seconds,
  Percent: MetricUnit.Percent,
  None: MetricUnit.NoUnit,
} as const satisfies Record<MetricUnitName, string>;

/**
 * EMF through Powertools. A metric with its own dimensions goes out as a single metric (EMF
 * allows one dimension set per blob); dimensionless ones are buffered until `flush()`.
 */
export class PowertoolsMetricRecorder implements MetricRecorder {
  constructor(private readonly metrics: Metrics) {}

  record(name: string, unit: MetricUnitName, value: number, dimensions?: MetricDimensions): void {
    if (dimensions && Object.keys(dimensions).length > 0) {
      const single = this.metrics.singleMetric();
      single.addDimensions({ ...dimensions });
      single.addMetric(name, UNITS[unit], value);
      return;
    }
    this.metrics.addMetric(name, UNITS[unit], value);
  }

  flush(): void {
    this.metrics.publishStoredMetrics();
  }
}

export interface RecordedMetric {
  readonly name: string;
  readonly unit: MetricUnitName;
  readonly value: number;
  readonly dimensions: MetricDimensions;
}

/** Keeps every data point; `sum()` answers "how many throttles with code X" in tests and demos. */
export class InMemoryMetricRecorder implements MetricRecorder {
  readonly points: RecordedMetric[] = [];

  record(
    name: string,
    unit: MetricUnitName,
    value: number,
    dimensions: MetricDimensions = {},
  ): void {
    this.points.push({ name, unit, value, dimensions: { ...dimensions } });
  }

  /** Sum of the values of `name` whose dimensions include every entry of `where`. */
  sum(name: string, where: MetricDimensions = {}): number {
    return this.matching(name, where).reduce((total, point) => total + point.value, 0);
  }

  matching(name: string, where: MetricDimensions = {}): RecordedMetric[] {
    return this.points.filter(
      (point) =>
        point.name === name &&
        Object.entries(where).every(([key, value]) => point.dimensions[key] === value),
    );
  }

  clear(): void {
    this.points.length = 0;
  }
}

/** Drops everything; the default where a caller passes no recorder. */
export const noopMetricRecorder: MetricRecorder = { record: () => undefined };
