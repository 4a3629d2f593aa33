import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type {
  MonitoredFunctionAlarmOptions,
  MonitoredFunctionLogOptions,
} from '../monitored-function/props.js';
import { DEFAULT_ALERT_TOPIC_NAME, DrsAlarmMetrics, DrsDefaults } from './contract.js';

/** Props of {@link DisasterRecoveryOrchestration}. */
export interface DisasterRecoveryOrchestrationProps {
  /**
   * The regions of this account whose DRS the handlers work in (recovery, capacity queries):
   * at least one, each once. The DRS and Service Quotas permissions are scoped to them.
   */
  readonly regions: readonly string[];
  /**
   * IAM roles in other accounts the handlers assume to reach DRS there (an event names the
   * role). `sts:AssumeRole` is allowed on exactly these ARNs; each role's trust policy must
   * name this construct's function roles and its own policy must allow the DRS actions.
   * @default - none: this account only
   */
  readonly crossAccountRoleArns?: readonly string[];
  /**
   * Where escalations (retries exhausted, job throttler timed out) and the two rate-limit
   * alarms go.
   * @default - a new topic named `DRS-RateLimitAlerts`, no subscriptions
   */
  readonly alerts?: DisasterRecoveryAlertOptions;
  /**
   * The DRS API rate limit: one token bucket per region, in each Lambda container (`local`) or
   * shared by every container through a DynamoDB item (`shared`). DRS throttles per account and
   * region, so `shared` keeps many concurrent invocations under the quota together.
   * @default - shared, 10 requests per second, burst 20
   */
  readonly rateLimit?: DisasterRecoveryRateLimitOptions;
  /**
   * How recovery jobs wait for DRS capacity before they start.
   * @default - at most 20 active jobs (or the Service Quotas value), 10 min timeout
   */
  readonly jobThrottler?: DisasterRecoveryJobThrottlerOptions;
  /**
   * Thresholds of the two CloudWatch alarms on the `DRS/RateLimits` metrics.
   * @default - ≥ 10 rate-limit errors in 5 min; ≥ 3 exhausted retries in 5 min
   */
  readonly alarms?: DisasterRecoveryAlarmOptions;
  /**
   * Alarm notifications of the two functions themselves (errors, throttles, ...), passed to
   * both `MonitoredFunction`s. Each function has its own alarm topic.
   * @default - ISO27001 mode: `emails` must hold at least one address
   */
  readonly monitoring?: DisasterRecoveryMonitoringOptions;
  /**
   * Settings of the two Lambda functions (execution and query).
   * @default - 900 s timeout, 256 MB, arm64, names derived from the construct path
   */
  readonly functions?: DisasterRecoveryFunctionOptions;
  /**
   * The shared-limiter and lease tables.
   * @default - destroyed with the stack (they hold only short-lived coordination items)
   */
  readonly tables?: DisasterRecoveryTableOptions;
}

/** The alert topic. */
export interface DisasterRecoveryAlertOptions {
  /**
   * An existing topic for escalations and alarms (e.g. the platform's `DRS_ALERTS_TOPIC`).
   * @default - a topic the construct creates
   */
  readonly topic?: sns.ITopic;
  /**
   * Name of the topic the construct creates (ignored with `topic`).
   * @default 'DRS-RateLimitAlerts'
   */
  readonly topicName?: string;
  /**
   * Email subscriptions on the alert topic (created or given). Each address must confirm.
   * @default - none
   */
  readonly emails?: readonly string[];
}

/** Which token bucket paces DRS calls. */
export type DisasterRecoveryLimiterKind = 'local' | 'shared';

/** The DRS API rate limit, per account and region. */
export interface DisasterRecoveryRateLimitOptions {
  /**
   * `local`: one bucket per Lambda container; `shared`: one bucket in DynamoDB for all.
   * @default 'shared'
   */
  readonly limiter?: DisasterRecoveryLimiterKind;
  /**
   * Sustained requests per second to DRS per region, 0.1–100.
   * @default 10
   */
  readonly ratePerSecond?: number;
  /**
   * Bucket size (burst), a whole number from 1 to 1000, at least `ratePerSecond`.
   * @default 20
   */
  readonly burst?: number;
}

/** Job throttler settings. */
export interface DisasterRecoveryJobThrottlerOptions {
  /**
   * Most PENDING or STARTED jobs a new job may join, 1–1000; the Service Quotas value for
   * concurrent jobs caps it.
   * @default 20
   */
  readonly maxActiveJobs?: number;
  /**
   * How long a start waits for capacity before it escalates: whole seconds, 1 s to 14 min, and
   * shorter than `functions.timeout`.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * Time between capacity checks while waiting: whole seconds, 1–600, at most `timeout`.
   * @default Duration.seconds(30)
   */
  readonly pollInterval?: Duration;
}

/** The two rate-limit alarms (5-minute periods, Sum, missing data is not breaching). */
export interface DisasterRecoveryAlarmOptions {
  /**
   * Rate-limit errors (throttles, all error types) in 5 minutes that raise the alarm, 1–100000.
   * @default 10
   */
  readonly rateLimitErrorThreshold?: number;
  /**
   * Calls whose retries were exhausted in 5 minutes that raise the alarm, 1–100000.
   * @default 3
   */
  readonly retriesExhaustedThreshold?: number;
}

/** MonitoredFunction's alarm options for both functions; each has its own topic. */
export type DisasterRecoveryMonitoringOptions = Omit<MonitoredFunctionAlarmOptions, 'topicName'>;

/** The two functions. */
export interface DisasterRecoveryFunctionOptions {
  /**
   * Prefix of the function names (`<prefix>-execution`, `<prefix>-query`): 1–54 of
   * `a-z A-Z 0-9 - _`, unique in the account and region.
   * @default - derived from the construct path (stack name, path, hash)
   */
  readonly namePrefix?: string;
  /**
   * Maximum run time of one invocation, whole seconds from 60 to 900, longer than
   * `jobThrottler.timeout` (a start may wait that long for capacity).
   * @default Duration.minutes(15)
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

/** The shared-limiter and lease tables. */
export interface DisasterRecoveryTableOptions {
  /**
   * What happens to the tables when they leave the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Every default of the construct, in one place for the construct, its tests and the docs. */
export const DISASTER_RECOVERY_CONSTRUCT_DEFAULTS = Object.freeze({
  alertTopicName: DEFAULT_ALERT_TOPIC_NAME,
  limiter: 'shared',
  ratePerSecond: DrsDefaults.ratePerSecond,
  burst: DrsDefaults.burst,
  maxActiveJobs: DrsDefaults.jobThreshold,
  jobThrottlerTimeout: Duration.seconds(DrsDefaults.throttlerTimeoutSeconds),
  pollInterval: Duration.seconds(DrsDefaults.pollIntervalSeconds),
  rateLimitErrorThreshold: DrsAlarmMetrics.rateLimitErrors.threshold,
  retriesExhaustedThreshold: DrsAlarmMetrics.retriesExhausted.threshold,
  /** Room for a 10-minute capacity wait plus the starts and polls around it. */
  functionTimeout: Duration.minutes(15),
  functionMemorySize: 256,
  functionArchitecture: lambda.Architecture.ARM_64,
  /** Coordination items (tokens, leases, idempotency records) expire within hours. */
  tableRemovalPolicy: RemovalPolicy.DESTROY,
});

/** Fixed settings (not props). */
export const DISASTER_RECOVERY_RESOURCE_SETTINGS = Object.freeze({
  /** The spec's alarm window: "in 5 minutes". */
  alarmPeriod: Duration.seconds(DrsAlarmMetrics.rateLimitErrors.periodSeconds),
  executionSuffix: '-execution',
  querySuffix: '-query',
  /** Below a minute a single capacity poll plus a start does not fit. */
  minFunctionTimeoutSeconds: 60,
  maxFunctionTimeoutSeconds: 900,
  /** Lambda's 15 minutes minus a minute for the work around the wait. */
  maxThrottlerTimeoutSeconds: 840,
});

/** Longest `functions.namePrefix`: Lambda's 64 characters minus the longest suffix. */
export const DR_NAME_PREFIX_MAX_LENGTH =
  64 -
  Math.max(
    DISASTER_RECOVERY_RESOURCE_SETTINGS.executionSuffix.length,
    DISASTER_RECOVERY_RESOURCE_SETTINGS.querySuffix.length,
  );
