import { Annotations, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MonitoredFunction } from '../monitored-function/construct.js';
import { acknowledgeFinding, wildcardResourceFindingId } from '../monitored-function/nag.js';
import type { MonitoredFunctionProps } from '../monitored-function/props.js';
import { validateMonitoredFunctionProps } from '../monitored-function/validation.js';
import {
  TASK_STARTER_SERVICE_NAME,
  TaskStarterMetricNames,
  syncFunctionTimeoutSeconds,
  taskStateChangePattern,
  toTaskStarterEnvironment,
  type TaskStarterConfig,
  type TaskStarterHandlerRole,
} from './contract.js';
import { handlerCode } from './construct-handlers.js';
import {
  TASK_STARTER_POLICY_NAME,
  WILDCARD_REASONS,
  taskStarterStatements,
  wildcardArns,
  type TaskStarterScope,
} from './construct-iam.js';
import {
  DEFAULT_START_EVENT,
  NAME_PREFIX_MAX_LENGTH,
  TASK_STARTER_CONSTRUCT_DEFAULTS as D,
  TASK_STARTER_RESOURCE_SETTINGS as S,
  type EcsTaskStarterProps,
  type TaskStarterMode,
} from './construct-props.js';
import {
  EcsTaskStarterValidationError,
  clusterNameOfProp,
  idsOf,
  resolveTaskDefinition,
  targetGroupArnOf,
  validateTaskStarterProps,
  type PropIssue,
} from './construct-validation.js';

/** Id of the synth-time warning that reconcile is disabled (acknowledge it to silence it). */
export const RECONCILE_DISABLED_WARNING_ID = 'aws-ops-kit:task-starter:reconcile-disabled';

/**
 * Starts ECS tasks from EventBridge events and keeps them registered with ELBv2 target groups:
 * a start rule (its pattern configurable) invokes the start function, which calls RunTask with
 * an idempotency token derived from the event id; a rule on "ECS Task State Change" events of
 * this cluster's tasks that the kit started (by `startedBy` prefix) invokes the task-state
 * function, which registers a task when it runs and deregisters it when it stops; a schedule
 * runs the reconcile function, which fixes drift between the target groups and the tasks.
 *
 * Creates: the three functions (`MonitoredFunction`s), the rules and the schedule, one
 * dead-letter queue for events EventBridge could not deliver and invocations that failed every
 * attempt, and alarms on start failures and on the dead-letter queue's depth. IAM is scoped to
 * the cluster, the task definition family, the target groups, and `iam:PassRole` on the task
 * definition's own roles only (passed to `ecs-tasks.amazonaws.com`).
 */
export class EcsTaskStarter extends Construct {
  /** Prefix of every derived name (functions, log groups, topics). */
  readonly namePrefix: string;
  readonly mode: TaskStarterMode;
  /** Start events → the start function. */
  readonly startRule: events.Rule;
  /** ECS Task State Change events of the kit's tasks in the cluster → the task-state function. */
  readonly taskStateRule: events.Rule;
  /** The reconcile schedule, when enabled. */
  readonly reconcileRule?: events.Rule;
  /** Starts tasks (and, in synchronous mode, waits for them and registers them). */
  readonly startFunction: MonitoredFunction;
  /** Registers running tasks and deregisters stopped ones. */
  readonly taskStateFunction: MonitoredFunction;
  /** Fixes drift between the target groups and the kit's tasks, when enabled. */
  readonly reconcileFunction?: MonitoredFunction;
  /** Events EventBridge could not deliver and invocations that failed every attempt. */
  readonly deadLetterQueue: sqs.Queue;
  /** Dead-letter queue depth > 0. */
  readonly deadLetterQueueAlarm: cloudwatch.Alarm;
  /** Start failures (tasks not started, or stopped because they could not be registered). */
  readonly startFailureAlarm: cloudwatch.Alarm;
  /** Where the two alarms above notify. */
  readonly alarmTopic: sns.ITopic;
  /** The configuration every function gets as environment (values may be CDK tokens). */
  readonly config: Omit<TaskStarterConfig, 'defaults'> & Pick<TaskStarterConfig, 'defaults'>;

  constructor(scope: Construct, id: string, props: EcsTaskStarterProps) {
    // Validated before super(): an invalid prop leaves the construct tree untouched.
    const issues = validate(scope, props);
    if (issues.length > 0) throw new EcsTaskStarterValidationError(id, issues);
    super(scope, id);

    this.namePrefix =
      props.functions?.namePrefix ??
      Names.uniqueResourceName(this, { maxLength: NAME_PREFIX_MAX_LENGTH, separator: '-' });
    this.mode = props.mode ?? D.mode;
    const taskDefinition = resolveTaskDefinition(props.taskDefinition);
    const family = taskDefinition.family as string; // validated
    const clusterName = clusterNameOfProp(props.cluster);
    const clusterArn = this.clusterArnOf(props.cluster, clusterName);
    const targetGroupArns = props.targetGroups.map(targetGroupArnOf);

    this.config = {
      defaults: {
        cluster: clusterName,
        taskDefinition: taskDefinition.defaultReference,
        targetGroupArn: targetGroupArns[0],
        containerName: props.containerName,
        port: props.containerPort,
        subnets: idsOf(props.subnets),
        securityGroups: idsOf(props.securityGroups),
        assignPublicIp:
          props.assignPublicIp === undefined
            ? undefined
            : props.assignPublicIp
              ? 'ENABLED'
              : 'DISABLED',
        launchType: props.launchType,
        capacityProviderStrategy: props.capacityProviderStrategy,
      },
      startedByPrefix: props.startedByPrefix ?? D.startedByPrefix,
      taskWaitTimeoutSeconds: (props.taskWaitTimeout ?? D.taskWaitTimeout).toSeconds(),
      waitForHealthySeconds: (props.waitForHealthy ?? D.waitForHealthy).toSeconds(),
      targetGroupVpcCidrs: [...(props.targetGroupVpcCidrs ?? [])],
      allowedClusters: [clusterName],
      allowedTargetGroupArns: targetGroupArns,
      allowedTaskDefinitionFamilies: [family],
      reconcileMode: props.reconcile?.mode ?? D.reconcileMode,
      startAttempts: props.startAttempts ?? D.startAttempts,
      metricsNamespace: props.metricsNamespace ?? D.metricsNamespace,
    };
    const environment = toTaskStarterEnvironment(this.config);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: S.deadLetterRetention,
    });
    acknowledgeFinding(
      this.deadLetterQueue.node.defaultChild as sqs.CfnQueue,
      'AwsSolutions-SQS3',
      "This queue is itself the dead-letter queue: of the rules' targets and of the functions' on-failure destinations.",
    );
    this.checkRolesStayKnown(props, taskDefinition.passRoleArns);
    const startRole: TaskStarterHandlerRole = this.mode === 'synchronous' ? 'startSync' : 'start';
    const scopeOfAccess: TaskStarterScope = {
      clusterArn,
      clusterName,
      taskDefinitionFamily: family,
      targetGroupArns,
      passRoleArns: taskDefinition.passRoleArns,
    };
    this.startFunction = this.createFunction(props, startRole, environment, scopeOfAccess);
    this.taskStateFunction = this.createFunction(props, 'taskState', environment, scopeOfAccess);
    const reconcileEnabled = props.reconcile?.enabled ?? true;
    if (reconcileEnabled) {
      this.reconcileFunction = this.createFunction(props, 'reconcile', environment, scopeOfAccess);
    } else {
      // Not an error: a team may run its own drift check. But nothing else finishes these.
      Annotations.of(this).addWarningV2(
        RECONCILE_DISABLED_WARNING_ID,
        'reconcile.enabled is false: registrations deferred because the target still drains from an earlier task, and tasks whose state events were lost or dead-lettered, stay unregistered (or registered) until someone fixes them by hand. Keep reconcile enabled, or follow "Reconcile disabled" in docs/task-starter.md.',
      );
    }

    const ruleTarget = (fn: MonitoredFunction, input?: events.RuleTargetInput) =>
      new targets.LambdaFunction(fn.function, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: S.eventRetryAttempts,
        maxEventAge: S.eventMaxAge,
        event: input,
      });
    this.startRule = new events.Rule(this, 'StartRule', {
      description: `Start events of the ECS task starter ${this.namePrefix}`,
      eventBus: props.startEvent?.eventBus,
      eventPattern: props.startEvent?.eventPattern ?? {
        source: [DEFAULT_START_EVENT.source],
        detailType: [DEFAULT_START_EVENT.detailType],
      },
      targets: [ruleTarget(this.startFunction, props.startEvent?.input)],
    });
    const pattern = taskStateChangePattern({
      startedByPrefix: this.config.startedByPrefix,
      clusterArns: [clusterArn],
    }) as { source: string[]; 'detail-type': string[]; detail: Record<string, unknown> };
    // ECS sends its events to the default bus only.
    this.taskStateRule = new events.Rule(this, 'TaskStateRule', {
      description: `ECS Task State Change events of tasks started by ${this.namePrefix}`,
      eventPattern: {
        source: pattern.source,
        detailType: pattern['detail-type'],
        detail: pattern.detail,
      },
      targets: [ruleTarget(this.taskStateFunction)],
    });
    if (this.reconcileFunction !== undefined) {
      this.reconcileRule = new events.Rule(this, 'ReconcileSchedule', {
        description: `Reconcile of the ECS task starter ${this.namePrefix}`,
        schedule: events.Schedule.rate(props.reconcile?.interval ?? D.reconcileInterval),
        targets: [ruleTarget(this.reconcileFunction)],
      });
    }

    this.alarmTopic = props.alarms?.topic ?? this.startFunction.alarmTopic;
    this.deadLetterQueueAlarm = new cloudwatch.Alarm(this, 'DeadLetterQueueAlarm', {
      alarmDescription: `${this.namePrefix}: start or task events are waiting in the dead-letter queue. Inspect them, fix the cause, then redrive or delete them.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.startFailureAlarm = new cloudwatch.Alarm(this, 'StartFailureAlarm', {
      alarmDescription: `${this.namePrefix}: tasks could not be started or registered (${TaskStarterMetricNames.startFailuresByReason} by Reason tells why).`,
      metric: new cloudwatch.Metric({
        namespace: this.config.metricsNamespace,
        metricName: TaskStarterMetricNames.startFailures,
        // Powertools adds the `service` dimension to every metric it emits.
        dimensionsMap: { service: TASK_STARTER_SERVICE_NAME },
        statistic: 'Sum',
        period: props.alarms?.startFailurePeriod ?? D.startFailurePeriod,
      }),
      threshold: props.alarms?.startFailureThreshold ?? D.startFailureThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.deadLetterQueueAlarm, this.startFailureAlarm]) {
      alarm.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
    }
  }

  /**
   * CDK creates a task definition's execution role when a container first needs it; one created
   * after this construct would be missing from iam:PassRole, so synthesis fails instead.
   */
  private checkRolesStayKnown(props: EcsTaskStarterProps, passRoleArns: readonly string[]): void {
    const definition = props.taskDefinition;
    if (!('compatibility' in definition)) return;
    this.node.addValidation({
      validate: () => {
        const now = resolveTaskDefinition(definition).passRoleArns;
        return now.length === passRoleArns.length
          ? []
          : [
              'taskDefinition gained an execution role after the EcsTaskStarter was created (a container or log driver added later needs one), so iam:PassRole does not cover it: create the EcsTaskStarter after adding the containers.',
            ];
      },
    });
  }

  private clusterArnOf(cluster: EcsTaskStarterProps['cluster'], clusterName: string): string {
    if (typeof cluster !== 'string') return cluster.clusterArn;
    if (cluster.startsWith('arn:')) return cluster;
    return Stack.of(this).formatArn({
      service: 'ecs',
      resource: 'cluster',
      resourceName: clusterName,
    });
  }

  private createFunction(
    props: EcsTaskStarterProps,
    role: TaskStarterHandlerRole,
    environment: Readonly<Record<string, string>>,
    access: TaskStarterScope,
  ): MonitoredFunction {
    const ids: Record<TaskStarterHandlerRole, string> = {
      start: 'StartFunction',
      startSync: 'StartFunction',
      taskState: 'TaskStateFunction',
      reconcile: 'ReconcileFunction',
    };
    const fn = new MonitoredFunction(
      this,
      ids[role],
      functionProps(props, role, this.namePrefix + S.suffixes[role], environment, this.config, {
        retryAttempts: S.asyncRetryAttempts[role],
        maxEventAge: S.eventMaxAge,
        onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      }),
    );
    const policy = new iam.Policy(this, `${ids[role]}Policy`, {
      policyName: TASK_STARTER_POLICY_NAME,
      statements: taskStarterStatements(this, role, access),
      roles: [fn.role],
    });
    // The first event can arrive as soon as the function exists.
    fn.function.node.addDependency(policy);
    this.acknowledgeWildcards(policy, access);
    return fn;
  }

  private acknowledgeWildcards(policy: iam.Policy, access: TaskStarterScope): void {
    const cfnPolicy = policy.node.defaultChild as iam.CfnPolicy;
    acknowledgeFinding(cfnPolicy, 'AwsSolutions-IAM5[Resource::*]', WILDCARD_REASONS.star);
    const arns = wildcardArns(this, access);
    for (const key of ['taskDefinition', 'tasks', 'containerInstances'] as const) {
      acknowledgeFinding(
        cfnPolicy,
        wildcardResourceFindingId(this, arns[key]),
        WILDCARD_REASONS[key],
      );
    }
  }
}

/** The props of one function. */
function functionProps(
  props: EcsTaskStarterProps,
  role: TaskStarterHandlerRole,
  functionName: string,
  environment: Readonly<Record<string, string>> | undefined,
  config: Pick<TaskStarterConfig, 'taskWaitTimeoutSeconds' | 'waitForHealthySeconds'>,
  async?: MonitoredFunctionProps['async'],
): MonitoredFunctionProps {
  const fn = props.functions ?? {};
  const descriptions: Record<TaskStarterHandlerRole, string> = {
    start: 'ECS task starter: starts tasks from start events',
    startSync: 'ECS task starter: starts tasks, waits for RUNNING and registers them',
    taskState: 'ECS task starter: registers running tasks, deregisters stopped ones',
    reconcile: 'ECS task starter: fixes drift between target groups and tasks',
  };
  return {
    functionName,
    description: descriptions[role],
    code: handlerCode(role),
    architecture: fn.architecture ?? D.functionArchitecture,
    timeout: timeoutOf(role, config),
    memorySize: fn.memorySize ?? D.functionMemorySize,
    environment,
    logs: fn.logs,
    tracing: fn.tracing,
    alarms: props.monitoring ? { ...props.monitoring } : undefined,
    async,
  };
}

/** Each function's timeout follows from what it waits for. */
function timeoutOf(
  role: TaskStarterHandlerRole,
  config: Pick<TaskStarterConfig, 'taskWaitTimeoutSeconds' | 'waitForHealthySeconds'>,
): Duration {
  const healthWait = Token.isUnresolved(config.waitForHealthySeconds)
    ? 0
    : config.waitForHealthySeconds;
  switch (role) {
    case 'startSync':
      return Duration.seconds(syncFunctionTimeoutSeconds(config));
    case 'taskState':
      return Duration.seconds(
        Math.min(
          S.maxLambdaTimeoutSeconds,
          Math.max(S.stepTimeout.toSeconds(), healthWait + S.callMarginSeconds),
        ),
      );
    case 'reconcile':
      return S.reconcileTimeout;
    default:
      return S.stepTimeout;
  }
}

/** Every problem with the props: the construct's own checks, then MonitoredFunction's. */
function validate(scope: Construct, props: EcsTaskStarterProps): PropIssue[] {
  const stack = Stack.of(scope);
  const issues = validateTaskStarterProps(props, {
    region: Token.isUnresolved(stack.region) ? undefined : stack.region,
    account: Token.isUnresolved(stack.account) ? undefined : stack.account,
  });
  // The functions' settings are checked by MonitoredFunction's rules, under a valid placeholder
  // name (functions.namePrefix was checked above).
  const role: TaskStarterHandlerRole = props.mode === 'synchronous' ? 'startSync' : 'start';
  const functionIssues = validateMonitoredFunctionProps(
    functionProps(props, role, `placeholder${S.suffixes.startSync}`, undefined, {
      taskWaitTimeoutSeconds: D.taskWaitTimeout.toSeconds(),
      waitForHealthySeconds: 0,
    }),
  );
  for (const issue of functionIssues) {
    if (issue.prop.startsWith('code')) {
      issues.push({
        prop: 'handlers',
        message: `handlers: the task-starter handler cannot be used (${issue.message}). The package is incomplete: reinstall it, or build it if you work from its sources.`,
      });
    } else {
      issues.push({
        prop: mapProp(issue.prop),
        message: issue.message.replace(issue.prop, mapProp(issue.prop)),
      });
    }
  }
  return issues;
}

/** MonitoredFunction prop names → this construct's. */
function mapProp(prop: string): string {
  if (prop.startsWith('alarms.')) return `monitoring.${prop.slice('alarms.'.length)}`;
  if (prop === 'alarms') return 'monitoring';
  return `functions.${prop}`;
}
