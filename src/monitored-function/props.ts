import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { FunctionCode } from './function-code.js';

/** Props of {@link MonitoredFunction}. */
export interface MonitoredFunctionProps {
  /**
   * The Lambda function name: 1–64 characters of `a-z A-Z 0-9 - _`. The log group, the alarm
   * topic, the alarms and the dead-letter queue are named after it, so it must be a literal
   * (not a token).
   */
  readonly functionName: string;
  /**
   * Who names the Lambda function itself. `'generated'` leaves its `FunctionName` unset so that
   * CloudFormation generates one, as it did for a function created without a name. Switching an
   * existing function between the two modes replaces it (the name is immutable); adopting a
   * function created without a name keeps it only if its logical id stays the same.
   * `functionName` still names the log group (attached through the logging config), the topic,
   * the alarms and the dead-letter queue.
   * @default 'explicit' - the function is named `functionName`
   */
  readonly functionNaming?: 'explicit' | 'generated';
  /** The code: `FunctionCode.python({...})` or `FunctionCode.nodejs({...})`. */
  readonly code: FunctionCode;
  /**
   * CPU architecture. Python dependencies are packaged for it.
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;
  /**
   * Maximum run time of one invocation, 1–900 seconds (whole seconds).
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MB, 128–10240. CPU scales with it.
   * @default 128
   */
  readonly memorySize?: number;
  /**
   * Environment variables (keys `[a-zA-Z][a-zA-Z0-9_]+`, not reserved by Lambda, 4 KB in total).
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Function description, at most 256 characters.
   * @default - none
   */
  readonly description?: string;
  /**
   * Tags for every taggable resource the construct creates.
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Managed policies attached to the function's role, as policy ARNs or `IManagedPolicy`.
   * Use this for the permissions your code needs (S3, DynamoDB, ...); `role` and
   * `addToRolePolicy` are also available after construction.
   * @default - none: the role may only write to its own log group
   */
  readonly additionalPolicies?: readonly (string | iam.IManagedPolicy)[];
  /**
   * The log group `/aws/lambda/<functionName>`.
   * @default - 365 days retention, no KMS key, retained on stack deletion
   */
  readonly logs?: MonitoredFunctionLogOptions;
  /**
   * Alarm topic, email subscriptions and alarm settings.
   * @default - ISO27001 mode: at least one email is required
   */
  readonly alarms?: MonitoredFunctionAlarmOptions;
  /**
   * Attach the function to a VPC.
   * @default - not in a VPC
   */
  readonly vpc?: MonitoredFunctionVpcOptions;
  /**
   * Asynchronous invocation: retries, event age, dead-letter queue, on-failure destination.
   * @default - no retries, Lambda's 6-hour maximum event age, no DLQ or destination
   */
  readonly async?: MonitoredFunctionAsyncOptions;
  /**
   * Reserved and provisioned concurrency.
   * @default - unreserved, no provisioned concurrency, no alias
   */
  readonly concurrency?: MonitoredFunctionConcurrencyOptions;
  /**
   * Active X-Ray tracing. Opt-in: traces cost money per sampled request, and X-Ray's write
   * actions only accept `Resource: *`.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Lambda Insights (enhanced monitoring layer, per architecture and region). Enabled
   * automatically by `alarms.memory`.
   * @default - disabled unless `alarms.memory` is set
   */
  readonly insights?: MonitoredFunctionInsightsOptions;
  /**
   * A CloudWatch dashboard for the function.
   * @default - no dashboard
   */
  readonly dashboard?: MonitoredFunctionDashboardOptions;
}

/** The function's log group. */
export interface MonitoredFunctionLogOptions {
  /**
   * How long CloudWatch Logs keeps events (one of the values CloudWatch accepts).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;
  /**
   * KMS key that encrypts the log group. For a key defined in the same app the construct adds
   * the key-policy statement CloudWatch Logs needs; for an imported key you add it yourself.
   * @default - CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the log group (and its logs) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** How errors raise an alarm. */
export type ErrorAlarmOptions = ImmediateErrorAlarmOptions | ThresholdErrorAlarmOptions;

/** Alarm on the first error: Errors Sum > 0 in one 60-second period. For critical paths. */
export interface ImmediateErrorAlarmOptions {
  readonly strategy: 'immediate';
}

/**
 * Alarm on an error rate: 100 × Errors / Invocations > `thresholdPercent` in
 * `datapointsToAlarm` of `evaluationPeriods` 60-second periods. For fault-tolerant work.
 */
export interface ThresholdErrorAlarmOptions {
  readonly strategy: 'threshold';
  /**
   * Error rate in percent that must be exceeded, 0 ≤ value < 100.
   * @default 5
   */
  readonly thresholdPercent?: number;
  /**
   * Periods evaluated, 1–1440.
   * @default 2
   */
  readonly evaluationPeriods?: number;
  /**
   * Breaching periods (of `evaluationPeriods`) that raise the alarm.
   * @default - equal to evaluationPeriods
   */
  readonly datapointsToAlarm?: number;
}

/** A percentage alarm evaluated over 60-second periods. */
export interface PercentAlarmOptions {
  /**
   * Percentage that must be exceeded, 0 < value < 100.
   * @default 80
   */
  readonly thresholdPercent?: number;
  /**
   * Periods evaluated, 1–1440.
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /**
   * Breaching periods (of `evaluationPeriods`) that raise the alarm.
   * @default - equal to evaluationPeriods
   */
  readonly datapointsToAlarm?: number;
}

/** Alarm topic, subscriptions and alarms. Every alarm is 60 s, treatMissingData notBreaching. */
export interface MonitoredFunctionAlarmOptions {
  /**
   * ISO27001 mode: `emails` must hold at least one address, so every alarm reaches a person.
   * @default true
   */
  readonly iso27001?: boolean;
  /**
   * One email subscription per address on the alarm topic `<functionName>-alarms`.
   * Each address must confirm its subscription before it receives mail.
   * @default - none (an error while iso27001 is true)
   */
  readonly emails?: readonly string[];
  /**
   * Existing topics that also receive every alarm (e.g. a pager or chat integration).
   * @default - none
   */
  readonly topics?: readonly sns.ITopic[];
  /**
   * Name of the alarm topic.
   * @default `<functionName>-alarms`
   */
  readonly topicName?: string;
  /**
   * KMS key that encrypts the alarm topic. For a key defined in the same app the construct lets
   * CloudWatch use it; an imported key needs that statement in its policy.
   * @default - not encrypted with a customer key (alarm messages hold no secrets)
   */
  readonly topicEncryptionKey?: kms.IKey;
  /**
   * Also notify the topics when an alarm returns to OK.
   * @default false
   */
  readonly notifyOnOk?: boolean;
  /**
   * How errors raise an alarm (`<functionName>-errors`).
   * @default { strategy: 'immediate' }
   */
  readonly errors?: ErrorAlarmOptions;
  /**
   * Alarm `<functionName>-throttles` on Throttles Sum > 0.
   * @default true
   */
  readonly throttles?: boolean;
  /**
   * Alarm `<functionName>-duration` when the Maximum duration exceeds a percentage of the
   * timeout: the function is getting close to being killed.
   * @default - no duration alarm
   */
  readonly duration?: PercentAlarmOptions;
  /**
   * Alarm `<functionName>-memory` when Lambda Insights' memory_utilization Maximum exceeds a
   * percentage. Adds the Lambda Insights layer.
   * @default - no memory alarm
   */
  readonly memory?: PercentAlarmOptions;
}

/** VPC attachment. ENI permissions are scoped to these subnets and security groups. */
export interface MonitoredFunctionVpcOptions {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Subnets for the function's network interfaces (private subnets with egress, usually). */
  readonly subnets: ec2.SubnetSelection;
  /** Security groups of the function's network interfaces; at least one. */
  readonly securityGroups: readonly ec2.ISecurityGroup[];
  /**
   * Allow public subnets (a Lambda ENI never gets a public IP there).
   * @default false
   */
  readonly allowPublicSubnet?: boolean;
}

/** Asynchronous invocation settings (events from S3, SNS, EventBridge, `InvocationType: Event`). */
export interface MonitoredFunctionAsyncOptions {
  /**
   * Retries after a failed asynchronous invocation, 0–2.
   * @default 0
   */
  readonly retryAttempts?: number;
  /**
   * How long Lambda keeps an event it could not process yet, 60 seconds to 6 hours.
   * @default - Lambda's maximum, 6 hours
   */
  readonly maxEventAge?: Duration;
  /**
   * Dead-letter queue for events that failed every attempt: `true` creates `<functionName>-dlq`
   * (SSE-SQS encrypted, SSL-only, 14-day retention); or pass your own queue. Adds the
   * `<functionName>-dlq` alarm (ApproximateNumberOfMessagesVisible > 0) and the
   * `<functionName>-dlq-errors` alarm (DeadLetterErrors > 0).
   * @default - no dead-letter queue
   */
  readonly deadLetterQueue?: boolean | sqs.IQueue;
  /**
   * On-failure destination (SQS, SNS, Lambda or EventBridge) that receives the event and the
   * error. Adds the `<functionName>-destination-failures` alarm (DestinationDeliveryFailures > 0).
   * @default - no on-failure destination
   */
  readonly onFailure?: lambda.IDestination;
}

/** Concurrency settings. */
export interface MonitoredFunctionConcurrencyOptions {
  /**
   * Concurrent executions reserved for (and capped at) this function; 0 stops all invocations.
   * @default - unreserved: the function shares the account's pool
   */
  readonly reserved?: number;
  /**
   * Pre-initialised execution environments on the alias `live` (created for this), at least 1
   * and at most `reserved` when both are set. Invoke the alias (`invocationTarget`) to use them.
   * @default - none, and no alias
   */
  readonly provisioned?: number;
}

/** Lambda Insights. */
export interface MonitoredFunctionInsightsOptions {
  /**
   * Layer version; the ARN is chosen per architecture and region.
   * @default lambda.LambdaInsightsVersion.VERSION_1_0_498_0
   */
  readonly version?: lambda.LambdaInsightsVersion;
}

/** The function's dashboard. */
export interface MonitoredFunctionDashboardOptions {
  /**
   * Dashboard name (`A-Z a-z 0-9 - _`, at most 255 characters).
   * @default - the function name
   */
  readonly dashboardName?: string;
}
