import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type {
  MonitoredFunctionAlarmOptions,
  MonitoredFunctionLogOptions,
} from '../monitored-function/props.js';
import {
  TaskStarterAsyncRetryAttempts,
  TaskStarterDefaults,
  type CapacityProviderStrategy,
  type ReconcileMode,
} from './contract.js';

/** Props of {@link EcsTaskStarter}. */
export interface EcsTaskStarterProps {
  /**
   * The cluster tasks start in, as an `ICluster`, a cluster name or a cluster ARN. Events may
   * name only this cluster; the functions' ECS permissions are scoped to it.
   */
  readonly cluster: ecs.ICluster | string;
  /**
   * The task definition tasks start from: an `ITaskDefinition` (its task and execution roles
   * are the only roles the start function may pass), or a reference with the family and the
   * roles' ARNs. RunTask is allowed on every revision of the family.
   */
  readonly taskDefinition: ecs.ITaskDefinition | TaskDefinitionReference;
  /**
   * The target groups tasks may be registered with (`ip` for awsvpc tasks, `instance` for
   * bridge and host tasks), as `ITargetGroup`s or ARNs: at least one, each once. The first is
   * the default for start events that name none.
   */
  readonly targetGroups: readonly (elbv2.ITargetGroup | string)[];
  /**
   * The IPv4 CIDRs of the target groups' VPC: a task IP outside them is registered with
   * `AvailabilityZone: 'all'`.
   * @default - unknown: the functions register without and retry with 'all' if ELBv2 refuses
   */
  readonly targetGroupVpcCidrs?: readonly string[];
  /** Container to register. @default - the first container with a port mapping */
  readonly containerName?: string;
  /** Port to register. @default - the container's first port mapping */
  readonly containerPort?: number;
  /**
   * Subnets of awsvpc tasks (subnet ids or `ISubnet`s), 1–16.
   * @default - none: start events must name them (awsvpc tasks need them)
   */
  readonly subnets?: readonly (ec2.ISubnet | string)[];
  /** Security groups of awsvpc tasks, up to 5. @default - none: the VPC's default group */
  readonly securityGroups?: readonly (ec2.ISecurityGroup | string)[];
  /** Give awsvpc tasks a public IP (Fargate only). @default false */
  readonly assignPublicIp?: boolean;
  /**
   * Launch type of started tasks; not together with `capacityProviderStrategy`.
   * @default - the cluster's default capacity provider strategy, else EC2
   */
  readonly launchType?: 'FARGATE' | 'EC2';
  /** Capacity provider strategy of started tasks; not together with `launchType`. @default - none */
  readonly capacityProviderStrategy?: CapacityProviderStrategy;
  /**
   * Which events start a task, and on which bus.
   * @default - source `aws-ops-kit.task-starter`, detail-type `Start ECS Task`, default bus
   */
  readonly startEvent?: TaskStarterStartEventOptions;
  /**
   * `event-driven`: the start function only starts; registration follows the task's state
   * change events (a function runs for well under a second per step). `synchronous`: the start
   * function starts, waits for RUNNING and registers in one invocation (up to
   * `taskWaitTimeout`); deregistration still follows state change events.
   * @default 'event-driven'
   */
  readonly mode?: TaskStarterMode;
  /** Synchronous mode: longest wait for RUNNING, 10 s – 14 min. @default Duration.minutes(5) */
  readonly taskWaitTimeout?: Duration;
  /**
   * Wait after registering until the target is healthy, and record the time it took
   * (0: do not wait), up to 10 minutes.
   * @default Duration.seconds(0)
   */
  readonly waitForHealthy?: Duration;
  /** The scheduled reconcile that fixes drift between target groups and tasks. */
  readonly reconcile?: TaskStarterReconcileOptions;
  /**
   * Prefix of the `startedBy` of every task the kit starts (the task state rule matches it):
   * 1–64 letters, digits, `-`, `_`. Different prefixes keep several starters on one cluster apart.
   * @default 'aws-ops-kit'
   */
  readonly startedByPrefix?: string;
  /** RunTask calls per start event when capacity is short (1 = no retry), 1–5. @default 3 */
  readonly startAttempts?: number;
  /** CloudWatch namespace of the metrics (not `AWS/...`). @default 'AwsOpsKit/TaskStarter' */
  readonly metricsNamespace?: string;
  /** The construct's own alarms: start failures and dead-letter queue depth. */
  readonly alarms?: TaskStarterAlarmOptions;
  /**
   * Alarm notifications of the functions (each a `MonitoredFunction`): emails, extra topics,
   * ISO27001 mode, error strategy, duration and memory alarms.
   * @default - ISO27001 mode: `emails` must hold at least one address
   */
  readonly monitoring?: TaskStarterMonitoringOptions;
  /** Settings of the Lambda functions. */
  readonly functions?: TaskStarterFunctionOptions;
}

/** A task definition known by family (and, optionally, a pinned revision's ARN) and roles. */
export interface TaskDefinitionReference {
  /** The family: 1–255 letters, digits, `-`, `_`. */
  readonly family: string;
  /** A revision's ARN to start by default. @default - the family's latest ACTIVE revision */
  readonly taskDefinitionArn?: string;
  /** ARN of the task role. @default - the definition has no task role */
  readonly taskRoleArn?: string;
  /** ARN of the task execution role. @default - the definition has no execution role */
  readonly executionRoleArn?: string;
}

export type TaskStarterMode = 'event-driven' | 'synchronous';

export interface TaskStarterStartEventOptions {
  /**
   * The pattern of start events. Match only events meant for this starter: every match starts
   * tasks.
   * @default { source: ['aws-ops-kit.task-starter'], detailType: ['Start ECS Task'] }
   */
  readonly eventPattern?: events.EventPattern;
  /** The bus start events arrive on. @default - the account's default bus */
  readonly eventBus?: events.IEventBus;
  /**
   * What the start function receives for a matched event. Events of other shapes (e.g. a
   * CloudWatch "Alarm State Change" that should start tasks) must be turned into a start event:
   * `RuleTargetInput.fromObject({ id: EventField.eventId, time: EventField.time, detail: { count: 2 } })`,
   * the other detail fields defaulting from the configuration.
   * @default - the matched event as is
   */
  readonly input?: events.RuleTargetInput;
}

export interface TaskStarterReconcileOptions {
  /** Run the reconcile at all. @default true */
  readonly enabled?: boolean;
  /** Time between runs, 1 minute – 1 day, whole minutes. @default Duration.minutes(5) */
  readonly interval?: Duration;
  /**
   * `owned`: the target groups belong to the starter, so targets without a live kit task are
   * deregistered. `shared`: others register targets too; reconcile only registers missing kit
   * tasks.
   * @default 'owned'
   */
  readonly mode?: ReconcileMode;
}

export interface TaskStarterAlarmOptions {
  /**
   * Topic of the start-failure and dead-letter alarms.
   * @default - the start function's alarm topic
   */
  readonly topic?: sns.ITopic;
  /** Start failures (Sum per period) that raise the alarm, at least 1. @default 1 */
  readonly startFailureThreshold?: number;
  /** Period of the start-failure alarm, 1–60 minutes. @default Duration.minutes(5) */
  readonly startFailurePeriod?: Duration;
}

export type TaskStarterMonitoringOptions = Omit<MonitoredFunctionAlarmOptions, 'topicName'>;

export interface TaskStarterFunctionOptions {
  /**
   * Prefix of the function names (letters, digits, `-`, `_`); each adds its suffix
   * (`-start`, `-task-state`, `-reconcile`).
   * @default - derived from the construct path
   */
  readonly namePrefix?: string;
  /** Memory of every function. @default 256 */
  readonly memorySize?: number;
  /** @default lambda.Architecture.ARM_64 */
  readonly architecture?: lambda.Architecture;
  readonly logs?: MonitoredFunctionLogOptions;
  /** X-Ray tracing. @default false */
  readonly tracing?: boolean;
}

/** Source and detail-type of the default start event pattern. */
export const DEFAULT_START_EVENT = Object.freeze({
  source: 'aws-ops-kit.task-starter',
  detailType: 'Start ECS Task',
});

export const TASK_STARTER_CONSTRUCT_DEFAULTS = Object.freeze({
  mode: 'event-driven',
  startedByPrefix: TaskStarterDefaults.startedByPrefix,
  taskWaitTimeout: Duration.seconds(TaskStarterDefaults.taskWaitTimeoutSeconds),
  waitForHealthy: Duration.seconds(TaskStarterDefaults.waitForHealthySeconds),
  reconcileInterval: Duration.minutes(5),
  reconcileMode: TaskStarterDefaults.reconcileMode,
  startAttempts: TaskStarterDefaults.startAttempts,
  metricsNamespace: TaskStarterDefaults.metricsNamespace,
  startFailureThreshold: 1,
  startFailurePeriod: Duration.minutes(5),
  functionMemorySize: 256,
  functionArchitecture: lambda.Architecture.ARM_64,
});

/** Fixed settings of the created resources. */
export const TASK_STARTER_RESOURCE_SETTINGS = Object.freeze({
  /** Event-driven functions: RunTask or one registration step, with SDK retries. */
  stepTimeout: Duration.seconds(30),
  reconcileTimeout: Duration.seconds(120),
  /** Added to the health wait (and the task wait) for the calls around it. */
  callMarginSeconds: 30,
  maxLambdaTimeoutSeconds: 900,
  deadLetterRetention: Duration.days(14),
  eventRetryAttempts: 4,
  eventMaxAge: Duration.hours(1),
  /** Per function; see TaskStarterAsyncRetryAttempts for why the start functions get none. */
  asyncRetryAttempts: TaskStarterAsyncRetryAttempts,
  suffixes: Object.freeze({
    start: '-start',
    startSync: '-start-sync',
    taskState: '-task-state',
    reconcile: '-reconcile',
  }),
});

/** Function names are at most 64 characters; the longest suffix must fit. */
export const NAME_PREFIX_MAX_LENGTH =
  64 - Math.max(...Object.values(TASK_STARTER_RESOURCE_SETTINGS.suffixes).map((s) => s.length));
