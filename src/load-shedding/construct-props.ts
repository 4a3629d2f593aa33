import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type {
  MonitoredFunctionAlarmOptions,
  MonitoredFunctionLogOptions,
} from '../monitored-function/props.js';
import { LoadSheddingDefaults } from './contract.js';
import type { LoadSheddingAlarmType } from './contract.js';

/** Props of {@link LoadShedding}. */
export interface LoadSheddingProps {
  /**
   * The target group that sheds traffic when the alarm fires (its weight goes down in every
   * forward rule of `listeners` that lists it), as an `IApplicationTargetGroup` or its ARN.
   * One `LoadShedding` per primary target group: two controllers on one group would fight.
   */
  readonly primaryTargetGroup: elbv2.IApplicationTargetGroup | string;
  /**
   * The Application Load Balancer listeners whose forward rules (the default rule and every
   * other rule) send traffic to the primary: at least one, each once, in the primary's account,
   * region and partition. As `IApplicationListener`s or listener ARNs (`listener/app/...`).
   */
  readonly listeners: readonly (elbv2.IApplicationListener | string)[];
  /**
   * The alarm whose state drives shedding (ALARM sheds, OK restores, INSUFFICIENT_DATA holds):
   * an existing alarm (metric, metric-math or composite), or the definition of a metric alarm
   * the construct creates.
   */
  readonly alarm: cloudwatch.IAlarm | LoadSheddingAlarmDefinition;
  /**
   * What kind of alarm `alarm` is, for an alarm imported by ARN or name (the construct cannot
   * tell): `'metric'` (metric or metric-math) lets the check function read it with
   * `cloudwatch:DescribeAlarms` on that alarm's ARN alone; `'composite'` needs the permission on
   * `*` (CloudWatch returns composite alarms to no narrower scope). Known without it for an
   * alarm definition and a `cloudwatch.Alarm` (metric) or `cloudwatch.CompositeAlarm`; set, it
   * must agree with them.
   * @default - metric for a definition or a `cloudwatch.Alarm`, composite for a
   * `cloudwatch.CompositeAlarm`, otherwise unknown: either kind is read, with the permission on `*`
   */
  readonly alarmType?: LoadSheddingAlarmType;
  /**
   * Step sizes, limits and pacing of the controller.
   * @default - 5% shed and restore steps, up to 100%, 60 s between shed steps, 120 s between
   * restore steps
   */
  readonly policy?: LoadSheddingPolicyOptions;
  /**
   * Decide, log and record every step without writing to ELBv2. State, checks and metrics work
   * as usual, so a dry run shows what the controller would do. Switching it off needs no cleanup.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * CloudWatch namespace of the controller's metrics (not `AWS/...`). Metrics carry the
   * `PrimaryTargetGroup` dimension, so several controllers can share a namespace.
   * @default 'AwsOpsKit/LoadShedding'
   */
  readonly metricsNamespace?: string;
  /**
   * Alarm notifications of the controller's own functions (passed to both `MonitoredFunction`s):
   * emails, extra topics, ISO27001 mode, error strategy, duration and memory alarms.
   * @default - ISO27001 mode: `emails` must hold at least one address
   */
  readonly monitoring?: LoadSheddingMonitoringOptions;
  /**
   * Settings of the two Lambda functions (alarm-event and check-queue).
   * @default - 30 s timeout, 256 MB, arm64, names derived from the construct path
   */
  readonly functions?: LoadSheddingFunctionOptions;
  /**
   * The DynamoDB state table.
   * @default - retained when removed from the stack
   */
  readonly stateTable?: LoadSheddingStateTableOptions;
}

/**
 * A CloudWatch metric alarm for the construct to create. Every field but `threshold` has a
 * default; the default metric is the primary target group's `RequestCountPerTarget` (Sum per
 * minute, dimensions `TargetGroup` and `LoadBalancer`): requests each target served in a minute.
 */
export interface LoadSheddingAlarmDefinition {
  /**
   * The value the statistic is compared with (with the default metric: requests per target per
   * `period` that a target can serve).
   */
  readonly threshold: number;
  /**
   * Metric namespace.
   * @default 'AWS/ApplicationELB'
   */
  readonly namespace?: string;
  /**
   * Metric name. Required when `namespace` is not `AWS/ApplicationELB`.
   * @default 'RequestCountPerTarget'
   */
  readonly metricName?: string;
  /**
   * Metric dimensions (at most 30).
   * @default - in AWS/ApplicationELB: `TargetGroup` (of the primary) and `LoadBalancer` (of the
   * first listener); in another namespace: none
   */
  readonly dimensions?: Readonly<Record<string, string>>;
  /**
   * The statistic: `Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount`, `IQM`, a percentile
   * (`p99`, `p99.9`) or another extended statistic (`tm90`, `TM(10%:90%)`, `PR(:300)` ...).
   * It is applied as written: simple statistics as `Statistic`, the others as `ExtendedStatistic`.
   * @default 'Sum'
   */
  readonly statistic?: string;
  /**
   * How the statistic is compared with `threshold`.
   * @default cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
   */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  /**
   * Periods evaluated (at most one day in total).
   * @default 3
   */
  readonly evaluationPeriods?: number;
  /**
   * Breaching periods (of `evaluationPeriods`) that raise the alarm.
   * @default - equal to evaluationPeriods
   */
  readonly datapointsToAlarm?: number;
  /**
   * Length of one period: 10 s, 30 s or a multiple of 60 s.
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
  /**
   * What a period without data counts as. ELB publishes nothing for a target group that
   * receives no requests, so with the default metric a fully shed primary reads "not breaching"
   * and is restored; `MISSING` would hold it at zero traffic instead.
   * @default cloudwatch.TreatMissingData.NOT_BREACHING
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  /**
   * Alarm name (1–255 characters).
   * @default `<functions.namePrefix>-overload`
   */
  readonly alarmName?: string;
  /**
   * Alarm description.
   * @default - what the alarm drives
   */
  readonly description?: string;
}

/** Step sizes, limits and pacing. */
export interface LoadSheddingPolicyOptions {
  /**
   * Percentage points of traffic moved away from the primary per shed step, 1–100.
   * @default 5
   */
  readonly shedPercent?: number;
  /**
   * Percentage points moved back to the primary per restore step, 1–100.
   * @default 5
   */
  readonly restorePercent?: number;
  /**
   * Most the primary may give away, 1–100 and at least `shedPercent`: its share never goes
   * below `100 - maxShedPercent`.
   * @default 100
   */
  readonly maxShedPercent?: number;
  /**
   * Time between shed steps while the alarm is in ALARM: whole seconds, 0–900 (SQS's per-message
   * delay), and longer than `functions.timeout` unless 0.
   * @default Duration.seconds(60)
   */
  readonly shedDelay?: Duration;
  /**
   * Time the alarm must stay OK before the first restore step (bake time), and between restore
   * steps: whole seconds, 0–900, and longer than `functions.timeout` unless 0.
   * @default Duration.seconds(120)
   */
  readonly restoreDelay?: Duration;
  /**
   * Consecutive INSUFFICIENT_DATA checks after which a chain ends (weights held, baselines
   * kept), 1–100.
   * @default 5
   */
  readonly maxInsufficientDataChecks?: number;
}

/** MonitoredFunction's alarm options for both functions; each function has its own topic. */
export type LoadSheddingMonitoringOptions = Omit<MonitoredFunctionAlarmOptions, 'topicName'>;

/** The two functions. */
export interface LoadSheddingFunctionOptions {
  /**
   * Prefix of the function names (`<prefix>-alarm-event`, `<prefix>-check-queue`), which also
   * name their log groups, alarm topics and alarms, and of the created alarm's name: 1–52 of
   * `a-z A-Z 0-9 - _`. It must be unique in the account and region.
   * @default - derived from the construct path (stack name, path, hash): unique per stack
   */
  readonly namePrefix?: string;
  /**
   * Maximum run time of one invocation: whole seconds, at least 1, and shorter than both
   * non-zero delays (a step's ELBv2 writes must land before the next step is due). The check
   * queue's visibility timeout is six times this.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MB, 128–10240.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * CPU architecture.
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;
  /**
   * The functions' log groups.
   * @default - 365 days, retained on stack deletion
   */
  readonly logs?: MonitoredFunctionLogOptions;
  /**
   * Active X-Ray tracing.
   * @default false
   */
  readonly tracing?: boolean;
}

/** The DynamoDB state table (one item per primary target group). */
export interface LoadSheddingStateTableOptions {
  /**
   * What happens to the table when it leaves the stack. The item holds the rules' baselines
   * while a chain runs, so it is kept by default.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Every default of the construct, in one place for the construct, its tests and the docs. */
export const LOAD_SHEDDING_CONSTRUCT_DEFAULTS = Object.freeze({
  shedPercent: LoadSheddingDefaults.shedPercent,
  restorePercent: LoadSheddingDefaults.restorePercent,
  maxShedPercent: LoadSheddingDefaults.maxShedPercent,
  shedDelay: Duration.seconds(LoadSheddingDefaults.shedDelaySeconds),
  restoreDelay: Duration.seconds(LoadSheddingDefaults.restoreDelaySeconds),
  maxInsufficientDataChecks: LoadSheddingDefaults.maxInsufficientDataChecks,
  dryRun: LoadSheddingDefaults.dryRun,
  metricsNamespace: LoadSheddingDefaults.metricsNamespace,
  /** Below the shortest default delay (60 s) with room for ELBv2 retries under throttling. */
  functionTimeout: Duration.seconds(30),
  functionMemorySize: 256,
  functionArchitecture: lambda.Architecture.ARM_64,
  stateTableRemovalPolicy: RemovalPolicy.RETAIN,
  alarm: Object.freeze({
    namespace: 'AWS/ApplicationELB',
    metricName: 'RequestCountPerTarget',
    statistic: 'Sum',
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    period: Duration.minutes(1),
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }),
});

/**
 * Fixed settings of the resources (not props): AWS guidance or the controller's needs.
 */
export const LOAD_SHEDDING_RESOURCE_SETTINGS = Object.freeze({
  /** Lambda's guidance for SQS event sources: visibility timeout ≥ 6 × function timeout. */
  visibilityTimeoutFactor: 6,
  /** Receives before a check message moves to the dead-letter queue (deferrals count too). */
  maxReceiveCount: 5,
  /** One check per invocation: each is one decision against the single state item. */
  batchSize: 1,
  /** The event source mapping's minimum: at most two checks race for the state item. */
  maxConcurrency: 2,
  deadLetterRetention: Duration.days(14),
  /** EventBridge's delivery retries of an alarm event to the alarm-event function. */
  eventRetryAttempts: 4,
  /** An alarm event older than this is stale for pacing decisions anyway. */
  eventMaxAge: Duration.hours(1),
  /** Lambda's retries of a failed alarm-event invocation (asynchronous invocation). */
  asyncRetryAttempts: 2,
  /** Suffixes of the names derived from `functions.namePrefix`. */
  alarmEventSuffix: '-alarm-event',
  checkQueueSuffix: '-check-queue',
  alarmNameSuffix: '-overload',
});

/** Longest `functions.namePrefix`: Lambda's 64 characters minus the longest suffix. */
export const NAME_PREFIX_MAX_LENGTH =
  64 -
  Math.max(
    LOAD_SHEDDING_RESOURCE_SETTINGS.alarmEventSuffix.length,
    LOAD_SHEDDING_RESOURCE_SETTINGS.checkQueueSuffix.length,
  );
