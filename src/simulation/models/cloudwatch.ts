import {
  ComparisonOperator,
  StandardUnit,
  StateValue as StateValues,
  Statistic,
  type AlarmHistoryItem,
  type DescribeAlarmsCommandInput,
  type DescribeAlarmsCommandOutput,
  type Datapoint,
  type GetMetricStatisticsCommandInput,
  type GetMetricStatisticsCommandOutput,
  type MetricAlarm,
  type MetricDatum,
  type PutMetricAlarmCommandInput,
  type PutMetricAlarmCommandOutput,
  type PutMetricDataCommandInput,
  type PutMetricDataCommandOutput,
  type SetAlarmStateCommandInput,
  type SetAlarmStateCommandOutput,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { z } from 'zod';
import { SimulationConfigError } from '../errors.js';
import { sequentialUuid } from '../ids.js';
import { scheduleOn } from '../schedule.js';
import { SimulatedServiceError } from '../service-error.js';
import { OperationTable, type ModelResult } from '../service-model.js';
import { validateInput } from '../validation.js';
import {
  alarmTimestamp,
  evaluateAlarm,
  isSupportedExtendedStatistic,
  reasonFor,
  statisticOf,
  summarise,
  type EvaluatedPeriod,
  type StoredDatapoint,
  type TreatMissingData,
} from './cloudwatch-alarms.js';
import { eventTime, type EventBridgeEvent, type EventPublisher } from './eventbridge.js';
import { ThrottledServiceModel, type CommonModelOptions } from './model-base.js';
import { ThrottleStyles, type ThrottlingApiModel } from './throttling-api.js';

/**
 * An in-memory Amazon CloudWatch: custom metrics (PutMetricData, GetMetricStatistics) and
 * metric alarms (PutMetricAlarm, DescribeAlarms, SetAlarmState) that are evaluated from the
 * metric data on the virtual clock (`evaluateAlarms()`, or periodically after
 * `startAlarmEvaluation()`), with M-out-of-N and the four missing-data treatments (see
 * `cloudwatch-alarms.ts`). Each state change is recorded in the alarm's history and sent as a
 * "CloudWatch Alarm State Change" event (the shape AWS documents) to the `events` publisher,
 * e.g. the EventBridge model, and to `subscribe`d listeners.
 *
 * Errors carry the SDK's class names: `ValidationException` (AWS's `ValidationError`),
 * `MissingRequiredParameterException`, `InvalidParameterValueException`,
 * `InvalidParameterCombinationException`, `InvalidNextToken`, `ResourceNotFound`,
 * `InvalidFormatFault`, `LimitExceededFault`.
 *
 * Simplifications: no metric math, anomaly detection, composite or log alarms, alarm actions
 * (SNS, Auto Scaling...), EvaluateLowSampleCountPercentile, storage-resolution aggregation or
 * data retention; percentiles only as `pNN` (other extended statistics are refused as
 * unsupported); alarms evaluate the last N complete periods; state reasons follow AWS's wording
 * closely but not exactly; metrics of the `AWS/` namespaces are not produced by other models.
 */

export const MAX_METRIC_DATA = 1000;
export const MAX_VALUES_PER_DATUM = 150;
export const MAX_DIMENSIONS = 30;
export const MAX_DATAPOINTS_PER_QUERY = 1440;
const MAX_REQUEST_BYTES = 1_000_000;
const MAX_VALUE = 2 ** 360;
const TWO_WEEKS_MS = 14 * 86_400_000;
const TWO_HOURS_MS = 2 * 3_600_000;
const INITIAL_REASON = 'Unchecked: Initial alarm creation';
const SUPPORTED_OPERATORS: readonly string[] = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];
const TREATMENTS: readonly string[] = ['breaching', 'notBreaching', 'ignore', 'missing'];

export type AlarmStateChangeEvent = EventBridgeEvent<AlarmStateChangeDetail>;

export interface AlarmStateDetail {
  value: StateValue;
  reason: string;
  reasonData?: string;
  /** `2025-01-01T00:05:00.000+0000` */
  timestamp: string;
}

export interface AlarmStateChangeDetail {
  alarmName: string;
  state: AlarmStateDetail;
  previousState: AlarmStateDetail;
  configuration: {
    description?: string;
    metrics: {
      id: string;
      metricStat: {
        metric: { namespace: string; name: string; dimensions: Record<string, string> };
        period: number;
        stat: string;
        unit?: string;
      };
      returnData: boolean;
    }[];
  };
}

export interface AlarmTransition {
  readonly alarmName: string;
  readonly from: StateValue;
  readonly to: StateValue;
  readonly time: number;
  readonly reason: string;
}

export interface CloudWatchModelOptions extends CommonModelOptions {
  /** Receives every alarm state change event (e.g. the EventBridge model). */
  readonly events?: EventPublisher;
  /** Most alarms the account may have (PutMetricAlarm answers LimitExceeded past it). @default 10000 */
  readonly maxAlarms?: number;
  /** @default 'cloudwatch' */
  readonly name?: string;
}

export interface AlarmEvaluationHandle {
  stop(): void;
}

/** A validated dimension: both fields present. */
type Dim = { Name: string; Value: string };

interface MetricSeries {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Dim[];
  readonly points: StoredDatapoint[];
}

interface AlarmConfig {
  readonly AlarmName: string;
  readonly AlarmDescription?: string;
  readonly ActionsEnabled: boolean;
  readonly OKActions: string[];
  readonly AlarmActions: string[];
  readonly InsufficientDataActions: string[];
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: Dim[];
  readonly Statistic?: Statistic;
  readonly ExtendedStatistic?: string;
  /** The statistic the alarm evaluates: Statistic or ExtendedStatistic, whichever is set. */
  readonly stat: string;
  readonly Period: number;
  readonly Unit?: StandardUnit;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm: number;
  readonly Threshold: number;
  readonly ComparisonOperator: ComparisonOperator;
  readonly TreatMissingData: TreatMissingData;
}

interface AlarmState {
  config: AlarmConfig;
  readonly arn: string;
  readonly metricId: string;
  value: StateValue;
  reason: string;
  reasonData: string | undefined;
  updatedAt: number;
  transitionedAt: number;
  configUpdatedAt: number;
  readonly history: AlarmHistoryItem[];
}

const nameSchema = z.string().min(1).max(255);
const dimensionsSchema = z
  .array(z.object({ Name: nameSchema, Value: z.string().min(1).max(1024) }))
  .max(MAX_DIMENSIONS);
const unitSchema = z.enum(Object.values(StandardUnit) as [StandardUnit, ...StandardUnit[]]);
const statisticSchema = z.enum(Object.values(Statistic) as [Statistic, ...Statistic[]]);
const actionsSchema = z.array(z.string().min(1).max(1024)).max(5);

const putMetricAlarmSchema = z.object({
  AlarmName: z
    .string()
    .min(1)
    .max(255)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\x00-\x1f\x7f]*$/, 'must not contain ASCII control characters'),
  AlarmDescription: z.string().max(1024).optional(),
  ActionsEnabled: z.boolean().optional(),
  OKActions: actionsSchema.optional(),
  AlarmActions: actionsSchema.optional(),
  InsufficientDataActions: actionsSchema.optional(),
  MetricName: nameSchema,
  Namespace: nameSchema,
  Statistic: statisticSchema.optional(),
  ExtendedStatistic: z.string().optional(),
  Dimensions: dimensionsSchema.optional(),
  Period: z.number().int().min(1),
  Unit: unitSchema.optional(),
  EvaluationPeriods: z.number().int().min(1),
  DatapointsToAlarm: z.number().int().min(1).optional(),
  Threshold: z.number(),
  ComparisonOperator: z.enum(
    Object.values(ComparisonOperator) as [ComparisonOperator, ...ComparisonOperator[]],
  ),
  TreatMissingData: z.string().min(1).max(255).optional(),
  EvaluateLowSampleCountPercentile: z.string().min(1).max(255).optional(),
  Tags: z
    .array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) }))
    .max(50)
    .optional(),
});

const describeAlarmsSchema = z.object({
  AlarmNames: z.array(nameSchema).max(100).optional(),
  AlarmNamePrefix: nameSchema.optional(),
  StateValue: z.enum(Object.values(StateValues) as [StateValue, ...StateValue[]]).optional(),
  ActionPrefix: z.string().min(1).max(1024).optional(),
  MaxRecords: z.number().int().min(1).max(100).optional(),
  NextToken: z.string().optional(),
});

function missing(parameter: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'MissingRequiredParameterException',
    httpStatusCode: 400,
    message: `The parameter ${parameter} is required.`,
  });
}

function invalidValue(message: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'InvalidParameterValueException',
    httpStatusCode: 400,
    message,
  });
}

function invalidCombination(message: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'InvalidParameterCombinationException',
    httpStatusCode: 400,
    message,
  });
}

/** Dimensions sorted by name, and the key that identifies a metric. */
function normaliseDimensions(dimensions: readonly Dim[] = []): Dim[] {
  return dimensions
    .map((dimension) => ({ Name: dimension.Name, Value: dimension.Value }))
    .sort((a, b) => a.Name.localeCompare(b.Name));
}

function metricKey(namespace: string, metricName: string, dimensions: readonly Dim[]): string {
  return JSON.stringify([namespace, metricName, normaliseDimensions(dimensions)]);
}

function validPeriod(period: number, highResolution: readonly number[]): boolean {
  return highResolution.includes(period) || (period >= 60 && period % 60 === 0);
}

function toMs(time: Date | undefined): number | undefined {
  return time?.getTime();
}

export class CloudWatchModel extends ThrottledServiceModel {
  protected readonly api: ThrottlingApiModel;
  private readonly publisher: EventPublisher | undefined;
  private readonly maxAlarms: number;
  private readonly metrics = new Map<string, MetricSeries>();
  private readonly alarms = new Map<string, AlarmState>();
  private readonly listeners = new Set<(event: AlarmStateChangeEvent) => void>();
  private eventCount = 0;

  constructor(options: CloudWatchModelOptions) {
    super('CloudWatchModel', 'cloudwatch', options);
    this.publisher = options.events;
    this.maxAlarms = options.maxAlarms ?? 10_000;
    this.api = this.front(this.operationTable(), options, { throttle: ThrottleStyles.query });
  }

  // ---- alarm evaluation (not API) ----

  /**
   * Evaluates every alarm now (as CloudWatch does each minute): computes the statistic of the
   * last N complete periods, applies M out of N and the missing-data treatment, and records and
   * announces the state changes. Returns them.
   */
  evaluateAlarms(): AlarmTransition[] {
    const transitions: AlarmTransition[] = [];
    for (const alarm of [...this.alarms.values()].sort((a, b) =>
      a.config.AlarmName.localeCompare(b.config.AlarmName),
    )) {
      const transition = this.evaluate(alarm);
      if (transition !== undefined) transitions.push(transition);
    }
    return transitions;
  }

  /**
   * Evaluates the alarms every `intervalMs` of virtual time, on multiples of it (CloudWatch
   * evaluates each minute). Stop it before `runUntilIdle()`, which would otherwise never end.
   */
  startAlarmEvaluation(intervalMs = 60_000): AlarmEvaluationHandle {
    if (!Number.isInteger(intervalMs) || intervalMs < 1_000) {
      throw new SimulationConfigError(
        `startAlarmEvaluation: intervalMs must be an integer >= 1000, got ${intervalMs}.`,
      );
    }
    let stopped = false;
    let cancel: () => void = () => undefined;
    const next = (): void => {
      if (stopped) return;
      const now = this.clock.now();
      const delay = (Math.floor(now / intervalMs) + 1) * intervalMs - now;
      cancel = scheduleOn(this.clock, delay, () => {
        this.evaluateAlarms();
        next();
      });
    };
    next();
    return {
      stop: () => {
        stopped = true;
        cancel();
      },
    };
  }

  /** Calls `listener` with every alarm state change event; returns the unsubscribe function. */
  subscribe(listener: (event: AlarmStateChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** An alarm as DescribeAlarms answers it. */
  alarm(alarmName: string): MetricAlarm {
    return this.alarmOutput(this.knownAlarm(alarmName));
  }

  /** An alarm's history (state updates and configuration updates), oldest first. */
  alarmHistory(alarmName: string): AlarmHistoryItem[] {
    return structuredClone(this.knownAlarm(alarmName).history);
  }

  // ---- operations ----

  private operationTable(): OperationTable {
    return new OperationTable(this.name)
      .on<PutMetricDataCommandInput, PutMetricDataCommandOutput>('PutMetricData', (input) =>
        this.putMetricData(input),
      )
      .on<GetMetricStatisticsCommandInput, GetMetricStatisticsCommandOutput>(
        'GetMetricStatistics',
        (input) => this.getMetricStatistics(input),
      )
      .on<PutMetricAlarmCommandInput, PutMetricAlarmCommandOutput>('PutMetricAlarm', (input) =>
        this.putMetricAlarm(input),
      )
      .on<DescribeAlarmsCommandInput, DescribeAlarmsCommandOutput>('DescribeAlarms', (input) =>
        this.describeAlarms(input),
      )
      .on<SetAlarmStateCommandInput, SetAlarmStateCommandOutput>('SetAlarmState', (input) =>
        this.setAlarmState(input),
      );
  }

  private putMetricData(input: PutMetricDataCommandInput): ModelResult<PutMetricDataCommandOutput> {
    const namespace = input.Namespace;
    if (namespace === undefined) throw missing('Namespace');
    validateInput(z.object({ Namespace: nameSchema }).loose(), input, {
      errorName: 'ValidationException',
    });
    if (namespace.startsWith('AWS/')) {
      throw invalidValue(`The value ${namespace} for parameter Namespace is invalid.`);
    }
    const data = input.MetricData;
    if (data === undefined || data.length === 0) throw missing('MetricData');
    if (data.length > MAX_METRIC_DATA) {
      throw invalidValue(
        `The collection MetricData must not have a size greater than ${MAX_METRIC_DATA}.`,
      );
    }
    const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
    if (bytes > MAX_REQUEST_BYTES) {
      throw new SimulatedServiceError({
        name: 'RequestEntityTooLarge',
        httpStatusCode: 413,
        message: `Request size ${bytes} exceeded ${MAX_REQUEST_BYTES} bytes.`,
      });
    }
    const now = this.clock.now();
    // Validate every datum before storing any: a request is all or nothing.
    const parsed = data.map((datum, index) => this.datapointOf(datum, index + 1, now));
    for (const { metricName, dimensions, point } of parsed) {
      const key = metricKey(namespace, metricName, dimensions);
      let series = this.metrics.get(key);
      if (series === undefined) {
        series = { namespace, metricName, dimensions, points: [] };
        this.metrics.set(key, series);
      }
      series.points.push(point);
    }
    return {};
  }

  /** Validates one datum as CloudWatch does and turns it into a stored point. */
  private datapointOf(
    datum: MetricDatum,
    member: number,
    now: number,
  ): { metricName: string; dimensions: Dim[]; point: StoredDatapoint } {
    const at = `MetricData.member.${member}`;
    if (datum.MetricName === undefined) throw missing(`${at}.MetricName`);
    const { MetricName: metricName, Dimensions } = validateInput(
      z
        .object({
          MetricName: nameSchema,
          Dimensions: dimensionsSchema.optional(),
          Unit: unitSchema.optional(),
          StorageResolution: z.union([z.literal(1), z.literal(60)]).optional(),
        })
        .loose(),
      datum,
      { errorName: 'ValidationException' },
    );
    const dimensions = normaliseDimensions(Dimensions);
    const names = dimensions.map((dimension) => dimension.Name);
    if (new Set(names).size !== names.length) {
      throw invalidValue(`No metric may have duplicate dimension names: ${at}.Dimensions.`);
    }
    const given = [
      datum.Value !== undefined ? 'Value' : undefined,
      datum.StatisticValues !== undefined ? 'StatisticValues' : undefined,
      datum.Values !== undefined ? 'Values' : undefined,
    ].filter((name) => name !== undefined);
    if (given.length > 1) {
      throw invalidCombination(
        `The parameters ${at}.${given[0]} and ${at}.${given[1]} are mutually exclusive and you have specified both.`,
      );
    }
    if (given.length === 0) throw missing(`${at}.Value`);
    const checkValue = (value: number, parameter: string): number => {
      if (!Number.isFinite(value) || Math.abs(value) > MAX_VALUE) {
        throw invalidValue(`The value ${String(value)} for parameter ${parameter} is invalid.`);
      }
      return value;
    };
    const timestamp = toMs(datum.Timestamp) ?? now;
    if (timestamp < now - TWO_WEEKS_MS) {
      throw invalidValue(
        `The parameter ${at}.Timestamp must specify a time no more than two weeks in the past.`,
      );
    }
    if (timestamp > now + TWO_HOURS_MS) {
      throw invalidValue(
        `The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`,
      );
    }
    const point = this.pointOf(datum, at, timestamp, checkValue);
    return { metricName, dimensions, point };
  }

  private pointOf(
    datum: MetricDatum,
    at: string,
    timestamp: number,
    checkValue: (value: number, parameter: string) => number,
  ): StoredDatapoint {
    const unit = datum.Unit ?? 'None';
    if (datum.Value !== undefined) {
      const value = checkValue(datum.Value, `${at}.Value`);
      return {
        timestamp,
        unit,
        values: [{ value, count: 1 }],
        sampleCount: 1,
        sum: value,
        minimum: value,
        maximum: value,
      };
    }
    if (datum.StatisticValues !== undefined) {
      const set = datum.StatisticValues;
      const field = (name: 'SampleCount' | 'Sum' | 'Minimum' | 'Maximum'): number => {
        const value = set[name];
        if (value === undefined) throw missing(`${at}.StatisticValues.${name}`);
        return checkValue(value, `${at}.StatisticValues.${name}`);
      };
      const sampleCount = field('SampleCount');
      const sum = field('Sum');
      const minimum = field('Minimum');
      const maximum = field('Maximum');
      if (sampleCount <= 0 || minimum > maximum) {
        throw invalidValue(
          `The parameter ${at}.StatisticValues must have SampleCount > 0 and Minimum <= Maximum.`,
        );
      }
      return { timestamp, unit, values: undefined, sampleCount, sum, minimum, maximum };
    }
    // Exactly one of Value, StatisticValues and Values is present: here, Values.
    const values = datum.Values as number[];
    if (values.length === 0 || values.length > MAX_VALUES_PER_DATUM) {
      throw invalidValue(
        `The collection ${at}.Values must have 1 to ${MAX_VALUES_PER_DATUM} values, got ${values.length}.`,
      );
    }
    const counts = datum.Counts;
    if (counts !== undefined && counts.length !== values.length) {
      throw invalidValue(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
    }
    const pairs = values.map((value, index) => {
      const count = counts?.[index] ?? 1;
      if (!Number.isFinite(count) || count < 0) {
        throw invalidValue(`The value ${count} for parameter ${at}.Counts is invalid.`);
      }
      return { value: checkValue(value, `${at}.Values`), count };
    });
    const sampleCount = pairs.reduce((sum, pair) => sum + pair.count, 0);
    return {
      timestamp,
      unit,
      values: pairs,
      sampleCount,
      sum: pairs.reduce((sum, pair) => sum + pair.value * pair.count, 0),
      minimum: Math.min(...pairs.map((pair) => pair.value)),
      maximum: Math.max(...pairs.map((pair) => pair.value)),
    };
  }

  private getMetricStatistics(
    input: GetMetricStatisticsCommandInput,
  ): ModelResult<GetMetricStatisticsCommandOutput> {
    for (const parameter of [
      'Namespace',
      'MetricName',
      'StartTime',
      'EndTime',
      'Period',
    ] as const) {
      if (input[parameter] === undefined) throw missing(parameter);
    }
    const parsed = validateInput(
      z
        .object({
          Namespace: nameSchema,
          MetricName: nameSchema,
          Dimensions: dimensionsSchema.optional(),
          StartTime: z.date(),
          EndTime: z.date(),
          Period: z.number().int().min(1),
          Statistics: z.array(statisticSchema).min(1).max(5).optional(),
          ExtendedStatistics: z.array(z.string()).min(1).max(10).optional(),
          Unit: unitSchema.optional(),
        })
        .loose(),
      input,
      { errorName: 'ValidationException' },
    );
    const statistics = parsed.Statistics;
    const extended = parsed.ExtendedStatistics;
    if ((statistics === undefined) === (extended === undefined)) {
      throw invalidCombination(
        'Must specify either Statistics or ExtendedStatistics, but not both.',
      );
    }
    for (const statistic of extended ?? []) this.checkExtendedStatistic(statistic);
    const start = parsed.StartTime.getTime();
    const end = parsed.EndTime.getTime();
    if (start >= end) {
      throw invalidValue('The parameter StartTime must be less than the parameter EndTime.');
    }
    const period = parsed.Period;
    if (!validPeriod(period, [1, 5, 10, 20, 30])) {
      throw invalidValue(
        `The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60, got ${period}.`,
      );
    }
    const periodMs = period * 1000;
    const first = Math.floor(start / periodMs) * periodMs;
    const count = Math.ceil((end - first) / periodMs);
    if (count > MAX_DATAPOINTS_PER_QUERY) {
      throw invalidCombination(
        `You have requested up to ${count} datapoints, which exceeds the limit of ${MAX_DATAPOINTS_PER_QUERY}. ` +
          'You may reduce the datapoints requested by increasing Period, or decreasing the time range.',
      );
    }
    const series = this.metrics.get(
      metricKey(parsed.Namespace, parsed.MetricName, normaliseDimensions(parsed.Dimensions)),
    );
    const datapoints: Datapoint[] = [];
    for (let periodStart = first; periodStart < end; periodStart += periodMs) {
      const points = (series?.points ?? []).filter(
        (point) =>
          point.timestamp >= Math.max(periodStart, start) &&
          point.timestamp < Math.min(periodStart + periodMs, end) &&
          (parsed.Unit === undefined || point.unit === parsed.Unit),
      );
      const summary = summarise(points);
      if (summary === undefined) continue;
      const units = new Set(points.map((point) => point.unit));
      const datapoint: Datapoint = {
        Timestamp: new Date(periodStart),
        Unit: (units.size === 1 ? [...units][0] : 'None') as StandardUnit,
      };
      for (const statistic of statistics ?? []) {
        datapoint[statistic] = statisticOf(summary, statistic);
      }
      if (extended !== undefined) {
        datapoint.ExtendedStatistics = Object.fromEntries(
          extended.flatMap((statistic) => {
            const value = statisticOf(summary, statistic);
            return value === undefined ? [] : [[statistic, value]];
          }),
        );
      }
      datapoints.push(datapoint);
    }
    return { Label: parsed.MetricName, Datapoints: datapoints };
  }

  private checkExtendedStatistic(statistic: string): void {
    if (isSupportedExtendedStatistic(statistic)) return;
    if (/^(p|tm|tc|ts|wm|TM|TC|TS|WM|PR|IQM)/.test(statistic)) {
      throw new SimulationConfigError(
        `Extended statistic '${statistic}' is valid on AWS but the simulation computes only percentiles (pNN).`,
      );
    }
    throw invalidValue(`The value ${statistic} for parameter ExtendedStatistic is invalid.`);
  }

  private putMetricAlarm(
    input: PutMetricAlarmCommandInput,
  ): ModelResult<PutMetricAlarmCommandOutput> {
    for (const parameter of ['AlarmName', 'EvaluationPeriods', 'ComparisonOperator'] as const) {
      if (input[parameter] === undefined) throw missing(parameter);
    }
    if (input.Metrics !== undefined || input.ThresholdMetricId !== undefined) {
      throw new SimulationConfigError(
        'PutMetricAlarm with Metrics (metric math) or ThresholdMetricId (anomaly detection) is not supported by the simulation.',
      );
    }
    for (const parameter of ['MetricName', 'Namespace', 'Period', 'Threshold'] as const) {
      if (input[parameter] === undefined) throw missing(parameter);
    }
    const parsed = validateInput(putMetricAlarmSchema, input, { errorName: 'ValidationException' });
    if (!SUPPORTED_OPERATORS.includes(parsed.ComparisonOperator)) {
      throw invalidCombination(
        `ComparisonOperator ${parsed.ComparisonOperator} is for anomaly detection alarms and needs ThresholdMetricId.`,
      );
    }
    if ((parsed.Statistic === undefined) === (parsed.ExtendedStatistic === undefined)) {
      throw invalidCombination('Exactly one of Statistic and ExtendedStatistic must be specified.');
    }
    if (parsed.ExtendedStatistic !== undefined)
      this.checkExtendedStatistic(parsed.ExtendedStatistic);
    const period = parsed.Period;
    if (!validPeriod(period, [10, 20, 30])) {
      throw invalidValue(
        `The parameter Period must be 10, 20, 30 or a multiple of 60, got ${period}.`,
      );
    }
    const total = period * parsed.EvaluationPeriods;
    const limit = period < 3600 ? 86_400 : 604_800;
    if (total > limit) {
      throw invalidValue(
        `Period (${period}) multiplied by EvaluationPeriods (${parsed.EvaluationPeriods}) must be ${limit} seconds or less.`,
      );
    }
    const datapointsToAlarm = parsed.DatapointsToAlarm ?? parsed.EvaluationPeriods;
    if (datapointsToAlarm > parsed.EvaluationPeriods) {
      throw invalidValue(
        `DatapointsToAlarm (${datapointsToAlarm}) must be less than or equal to EvaluationPeriods (${parsed.EvaluationPeriods}).`,
      );
    }
    const treatment = parsed.TreatMissingData ?? 'missing';
    if (!TREATMENTS.includes(treatment)) {
      throw invalidValue(
        `The value ${treatment} for parameter TreatMissingData is invalid: use breaching, notBreaching, ignore or missing.`,
      );
    }
    const config: AlarmConfig = {
      AlarmName: parsed.AlarmName,
      AlarmDescription: parsed.AlarmDescription,
      ActionsEnabled: parsed.ActionsEnabled ?? true,
      OKActions: parsed.OKActions ?? [],
      AlarmActions: parsed.AlarmActions ?? [],
      InsufficientDataActions: parsed.InsufficientDataActions ?? [],
      Namespace: parsed.Namespace,
      MetricName: parsed.MetricName,
      Dimensions: normaliseDimensions(parsed.Dimensions),
      Statistic: parsed.Statistic,
      ExtendedStatistic: parsed.ExtendedStatistic,
      stat: parsed.Statistic ?? (parsed.ExtendedStatistic as string),
      Period: period,
      Unit: parsed.Unit,
      EvaluationPeriods: parsed.EvaluationPeriods,
      DatapointsToAlarm: datapointsToAlarm,
      Threshold: parsed.Threshold,
      ComparisonOperator: parsed.ComparisonOperator,
      TreatMissingData: treatment as TreatMissingData,
    };
    const now = this.clock.now();
    const existing = this.alarms.get(config.AlarmName);
    if (existing !== undefined) {
      // An update replaces the configuration and leaves the state as it is.
      existing.config = config;
      existing.configUpdatedAt = now;
      existing.history.push(
        this.historyItem(
          config.AlarmName,
          'ConfigurationUpdate',
          now,
          'Alarm "' + config.AlarmName + '" updated',
        ),
      );
      return {};
    }
    if (this.alarms.size >= this.maxAlarms) {
      throw new SimulatedServiceError({
        name: 'LimitExceededFault',
        httpStatusCode: 400,
        message: `The maximum number of alarms (${this.maxAlarms}) has been reached.`,
      });
    }
    this.eventCount++;
    this.alarms.set(config.AlarmName, {
      config,
      arn: `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm:${config.AlarmName}`,
      metricId: sequentialUuid('d100', this.eventCount),
      value: 'INSUFFICIENT_DATA',
      reason: INITIAL_REASON,
      reasonData: undefined,
      updatedAt: now,
      transitionedAt: now,
      configUpdatedAt: now,
      history: [
        this.historyItem(
          config.AlarmName,
          'ConfigurationUpdate',
          now,
          `Alarm "${config.AlarmName}" created`,
        ),
      ],
    });
    return {};
  }

  private describeAlarms(
    input: DescribeAlarmsCommandInput,
  ): ModelResult<DescribeAlarmsCommandOutput> {
    const parsed = validateInput(describeAlarmsSchema.loose(), input, {
      errorName: 'ValidationException',
    });
    if (parsed.AlarmNames !== undefined && parsed.AlarmNamePrefix !== undefined) {
      throw invalidCombination('AlarmNames and AlarmNamePrefix cannot be specified together.');
    }
    if (input.ChildrenOfAlarmName !== undefined || input.ParentsOfAlarmName !== undefined) {
      throw new SimulationConfigError(
        'DescribeAlarms with ChildrenOfAlarmName or ParentsOfAlarmName (composite alarms) is not supported by the simulation.',
      );
    }
    const types = input.AlarmTypes ?? ['MetricAlarm'];
    const wantMetric = types.includes('MetricAlarm');
    let after = '';
    if (parsed.NextToken !== undefined) {
      const decoded = Buffer.from(parsed.NextToken, 'base64url').toString('utf8');
      if (!decoded.startsWith('after:')) {
        throw new SimulatedServiceError({
          name: 'InvalidNextToken',
          httpStatusCode: 400,
          message: 'The service returned an error because the provided NextToken is invalid.',
        });
      }
      after = decoded.slice('after:'.length);
    }
    const max = parsed.MaxRecords ?? 50;
    const { AlarmNames, AlarmNamePrefix, StateValue, ActionPrefix } = parsed;
    const wanted = (alarm: AlarmState): boolean => {
      const { config } = alarm;
      const actions = [
        ...config.OKActions,
        ...config.AlarmActions,
        ...config.InsufficientDataActions,
      ];
      return (
        (AlarmNames === undefined || AlarmNames.includes(config.AlarmName)) &&
        (AlarmNamePrefix === undefined || config.AlarmName.startsWith(AlarmNamePrefix)) &&
        (StateValue === undefined || alarm.value === StateValue) &&
        (ActionPrefix === undefined || actions.some((action) => action.startsWith(ActionPrefix)))
      );
    };
    const matching = wantMetric
      ? [...this.alarms.values()]
          .filter(wanted)
          .map((alarm) => alarm.config.AlarmName)
          .sort()
      : [];
    const remaining = matching.filter((name) => name > after);
    const page = remaining.slice(0, max);
    const more = remaining.length > page.length;
    return {
      ...(wantMetric ? { MetricAlarms: page.map((name) => this.alarm(name)) } : {}),
      ...(types.includes('CompositeAlarm') ? { CompositeAlarms: [] } : {}),
      ...(more
        ? { NextToken: Buffer.from(`after:${page[page.length - 1]}`, 'utf8').toString('base64url') }
        : {}),
    };
  }

  private setAlarmState(input: SetAlarmStateCommandInput): ModelResult<SetAlarmStateCommandOutput> {
    for (const parameter of ['AlarmName', 'StateValue', 'StateReason'] as const) {
      if (input[parameter] === undefined) throw missing(parameter);
    }
    const parsed = validateInput(
      z.object({
        AlarmName: nameSchema,
        StateValue: z.enum(Object.values(StateValues) as [StateValue, ...StateValue[]]),
        StateReason: z.string().max(1023),
        StateReasonData: z.string().max(4000).optional(),
      }),
      input,
      { errorName: 'ValidationException' },
    );
    if (parsed.StateReasonData !== undefined) {
      try {
        JSON.parse(parsed.StateReasonData);
      } catch {
        throw new SimulatedServiceError({
          name: 'InvalidFormatFault',
          httpStatusCode: 400,
          message: 'StateReasonData is not valid JSON.',
        });
      }
    }
    const alarm = this.alarms.get(parsed.AlarmName);
    if (alarm === undefined) {
      throw new SimulatedServiceError({
        name: 'ResourceNotFound',
        httpStatusCode: 404,
        message: `Alarm ${parsed.AlarmName} not found`,
      });
    }
    this.transition(alarm, parsed.StateValue, parsed.StateReason, parsed.StateReasonData);
    return {};
  }

  // ---- evaluation ----

  private evaluate(alarm: AlarmState): AlarmTransition | undefined {
    const { config } = alarm;
    const now = this.clock.now();
    const periodMs = config.Period * 1000;
    const end = Math.floor(now / periodMs) * periodMs;
    const statistic = config.stat;
    const series = this.metrics.get(
      metricKey(config.Namespace, config.MetricName, config.Dimensions),
    );
    const periods: EvaluatedPeriod[] = [];
    for (let i = config.EvaluationPeriods; i >= 1; i--) {
      const start = end - i * periodMs;
      const points = (series?.points ?? []).filter(
        (point) =>
          point.timestamp >= start &&
          point.timestamp < start + periodMs &&
          (config.Unit === undefined || point.unit === config.Unit),
      );
      const summary = summarise(points);
      periods.push({
        start,
        value: summary === undefined ? undefined : statisticOf(summary, statistic),
      });
    }
    const input = {
      periods,
      datapointsToAlarm: config.DatapointsToAlarm,
      operator: config.ComparisonOperator,
      threshold: config.Threshold,
      treatMissingData: config.TreatMissingData,
      currentState: alarm.value,
    };
    const evaluation = evaluateAlarm(input);
    if (evaluation.state === undefined || evaluation.state === alarm.value) return undefined;
    const reason = reasonFor(evaluation, input, alarm.value);
    const present = periods.filter((period) => period.value !== undefined);
    const reasonData = JSON.stringify({
      version: '1.0',
      queryDate: alarmTimestamp(now),
      startDate: alarmTimestamp(periods[0].start),
      ...(config.Statistic === undefined ? { extendedStatistic: statistic } : { statistic }),
      ...(config.Unit === undefined ? {} : { unit: config.Unit }),
      period: config.Period,
      recentDatapoints: present.map((period) => period.value),
      threshold: config.Threshold,
      evaluatedDatapoints: [...present].reverse().map((period) => ({
        timestamp: alarmTimestamp(period.start),
        value: period.value,
      })),
    });
    return this.transition(alarm, evaluation.state, reason, reasonData);
  }

  /** Moves an alarm to `value` (if it is not there already) and announces it. */
  private transition(
    alarm: AlarmState,
    value: StateValue,
    reason: string,
    reasonData: string | undefined,
  ): AlarmTransition | undefined {
    const now = this.clock.now();
    const previous: AlarmStateDetail = this.stateDetail(alarm);
    const from = alarm.value;
    alarm.reason = reason;
    alarm.reasonData = reasonData;
    alarm.updatedAt = now;
    if (from === value) return undefined;
    alarm.value = value;
    alarm.transitionedAt = now;
    const current = this.stateDetail(alarm);
    alarm.history.push({
      ...this.historyItem(
        alarm.config.AlarmName,
        'StateUpdate',
        now,
        `Alarm updated from ${from} to ${value}`,
      ),
      HistoryData: JSON.stringify({
        version: '1.0',
        oldState: { stateValue: from, stateReason: previous.reason },
        newState: { stateValue: value, stateReason: reason },
      }),
    });
    this.announce(alarm, current, previous);
    return { alarmName: alarm.config.AlarmName, from, to: value, time: now, reason };
  }

  private announce(
    alarm: AlarmState,
    state: AlarmStateDetail,
    previousState: AlarmStateDetail,
  ): void {
    const { config } = alarm;
    this.eventCount++;
    const event: AlarmStateChangeEvent = {
      version: '0',
      id: sequentialUuid('d000', this.eventCount),
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: this.accountId,
      time: eventTime(this.clock.now()),
      region: this.region,
      resources: [alarm.arn],
      detail: {
        alarmName: config.AlarmName,
        state,
        previousState,
        configuration: {
          ...(config.AlarmDescription === undefined
            ? {}
            : { description: config.AlarmDescription }),
          metrics: [
            {
              id: alarm.metricId,
              metricStat: {
                metric: {
                  namespace: config.Namespace,
                  name: config.MetricName,
                  dimensions: Object.fromEntries(
                    config.Dimensions.map((dimension) => [dimension.Name, dimension.Value]),
                  ),
                },
                period: config.Period,
                stat: config.stat,
                ...(config.Unit === undefined ? {} : { unit: config.Unit }),
              },
              returnData: true,
            },
          ],
        },
      },
    };
    this.publisher?.publish(structuredClone(event));
    for (const listener of this.listeners) listener(structuredClone(event));
  }

  private stateDetail(alarm: AlarmState): AlarmStateDetail {
    return {
      value: alarm.value,
      reason: alarm.reason,
      ...(alarm.reasonData === undefined ? {} : { reasonData: alarm.reasonData }),
      timestamp: alarmTimestamp(alarm.updatedAt),
    };
  }

  private historyItem(
    alarmName: string,
    type: 'ConfigurationUpdate' | 'StateUpdate',
    time: number,
    summary: string,
  ): AlarmHistoryItem {
    return {
      AlarmName: alarmName,
      AlarmType: 'MetricAlarm',
      Timestamp: new Date(time),
      HistoryItemType: type,
      HistorySummary: summary,
    };
  }

  private alarmOutput(alarm: AlarmState): MetricAlarm {
    const { config } = alarm;
    return {
      AlarmName: config.AlarmName,
      AlarmArn: alarm.arn,
      ...(config.AlarmDescription === undefined
        ? {}
        : { AlarmDescription: config.AlarmDescription }),
      AlarmConfigurationUpdatedTimestamp: new Date(alarm.configUpdatedAt),
      ActionsEnabled: config.ActionsEnabled,
      OKActions: [...config.OKActions],
      AlarmActions: [...config.AlarmActions],
      InsufficientDataActions: [...config.InsufficientDataActions],
      StateValue: alarm.value,
      StateReason: alarm.reason,
      ...(alarm.reasonData === undefined ? {} : { StateReasonData: alarm.reasonData }),
      StateUpdatedTimestamp: new Date(alarm.updatedAt),
      StateTransitionedTimestamp: new Date(alarm.transitionedAt),
      MetricName: config.MetricName,
      Namespace: config.Namespace,
      ...(config.Statistic === undefined ? {} : { Statistic: config.Statistic }),
      ...(config.ExtendedStatistic === undefined
        ? {}
        : { ExtendedStatistic: config.ExtendedStatistic }),
      Dimensions: config.Dimensions.map((dimension) => ({ ...dimension })),
      Period: config.Period,
      ...(config.Unit === undefined ? {} : { Unit: config.Unit }),
      EvaluationPeriods: config.EvaluationPeriods,
      DatapointsToAlarm: config.DatapointsToAlarm,
      Threshold: config.Threshold,
      ComparisonOperator: config.ComparisonOperator,
      TreatMissingData: config.TreatMissingData,
    };
  }

  private knownAlarm(alarmName: string): AlarmState {
    const alarm = this.alarms.get(alarmName);
    if (alarm === undefined) {
      throw new SimulationConfigError(`CloudWatchModel has no alarm '${alarmName}'.`);
    }
    return alarm;
  }
}
