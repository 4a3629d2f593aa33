import { Annotations, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MonitoredFunction } from '../monitored-function/construct.js';
import { acknowledgeFinding, wildcardResourceFindingId } from '../monitored-function/nag.js';
import type { MonitoredFunctionProps } from '../monitored-function/props.js';
import { validateMonitoredFunctionProps } from '../monitored-function/validation.js';
import {
  STATE_TABLE_PARTITION_KEY,
  STATE_TABLE_TTL_ATTRIBUTE,
  alarmStateChangePattern,
  toLoadSheddingEnvironment,
} from './contract.js';
import type { LoadSheddingAlarmType, LoadSheddingConfig } from './contract.js';
import {
  listenerRuleArnPattern,
  loadBalancerDimensionOf,
  targetGroupDimensionOf,
} from './construct-arns.js';
import { handlerCode } from './construct-handlers.js';
import type { LoadSheddingHandlerRole } from './construct-handlers.js';
import {
  CONTROL_POLICY_NAME,
  RULE_PATTERN_REASON,
  WILDCARD_REASONS,
  alarmStateStatement,
  listenerRuleStatements,
} from './construct-iam.js';
import {
  LOAD_SHEDDING_CONSTRUCT_DEFAULTS as D,
  LOAD_SHEDDING_RESOURCE_SETTINGS as S,
  NAME_PREFIX_MAX_LENGTH,
} from './construct-props.js';
import type { LoadSheddingAlarmDefinition, LoadSheddingProps } from './construct-props.js';
import {
  LoadSheddingValidationError,
  alarmTypeOf,
  isExistingAlarm,
  listenerArnOf,
  targetGroupArnOf,
  toLoadSheddingIssues,
  validateLoadSheddingProps,
} from './construct-validation.js';
import type { PropIssue } from './construct-validation.js';

/** Warning id for a delay of 0 s, which cannot keep a step's writes apart from the next step. */
export const ZERO_DELAY_WARNING = 'aws-ops-kit:load-shedding:zero-delay';

/**
 * Weighted load shedding for an Application Load Balancer target group: when `alarm` goes to
 * ALARM, the primary target group's weight in every forward rule of `listeners` goes down one
 * `shedPercent` step per `shedDelay`; after the alarm has been OK for `restoreDelay`, it goes
 * back up one `restorePercent` step per `restoreDelay`, exactly to the weights it had before.
 *
 * Creates: an EventBridge rule for this alarm only, the alarm-event and check-queue functions
 * (`MonitoredFunction`s), the standard SQS check queue that paces the steps (per-message delay)
 * and its dead-letter queue with a depth alarm, and the DynamoDB state table. No resource has a
 * fixed name, so several instances deploy to one account and region.
 */
export class LoadShedding extends Construct {
  /** Prefix of every derived name (functions, log groups, topics, the created alarm). */
  readonly namePrefix: string;
  /** The alarm that drives shedding: the given one, or the metric alarm created here. */
  readonly alarm: cloudwatch.IAlarm;
  /** The EventBridge rule that sends this alarm's state changes to the alarm-event function. */
  readonly alarmStateRule: events.Rule;
  /** Standard queue of the delayed check messages the controller sends itself. */
  readonly checkQueue: sqs.Queue;
  /**
   * Dead-letter queue of check messages (after 5 receives), alarm events EventBridge could not
   * deliver, and alarm events whose invocation failed every attempt.
   */
  readonly deadLetterQueue: sqs.Queue;
  /** Alarm on the dead-letter queue's depth (> 0), to the alarm-event function's topics. */
  readonly deadLetterQueueAlarm: cloudwatch.Alarm;
  /** One item per primary target group: the running chain, pending check and baselines. */
  readonly stateTable: dynamodb.Table;
  /** Handles the alarm's state change events. */
  readonly alarmEventFunction: MonitoredFunction;
  /** Consumes the check queue. */
  readonly checkQueueFunction: MonitoredFunction;
  /** The configuration both functions get as environment (values may be CDK tokens). */
  readonly config: LoadSheddingConfig;

  constructor(scope: Construct, id: string, props: LoadSheddingProps) {
    // Validated before super(): an invalid prop leaves the construct tree untouched.
    const issues = validate(scope, props);
    if (issues.length > 0) {
      throw new LoadSheddingValidationError(id, issues);
    }
    super(scope, id);

    this.namePrefix =
      props.functions?.namePrefix ??
      Names.uniqueResourceName(this, { maxLength: NAME_PREFIX_MAX_LENGTH, separator: '-' });
    const primaryArn = targetGroupArnOf(props.primaryTargetGroup);
    const listenerArns = props.listeners.map(listenerArnOf);
    const policy = props.policy ?? {};
    const timeout = props.functions?.timeout ?? D.functionTimeout;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: S.deadLetterRetention,
    });
    // Standard, not FIFO: FIFO queues have no per-message delay, and every step's pacing is one.
    this.checkQueue = new sqs.Queue(this, 'CheckQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(S.visibilityTimeoutFactor * timeout.toSeconds()),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: S.maxReceiveCount },
    });
    this.stateTable = new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: STATE_TABLE_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: STATE_TABLE_TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.stateTable?.removalPolicy ?? D.stateTableRemovalPolicy,
    });
    this.alarm = isExistingAlarm(props.alarm)
      ? props.alarm
      : this.createAlarm(props.alarm, primaryArn, listenerArns[0]);
    const alarmType = alarmTypeOf(props);

    this.config = {
      primaryTargetGroupArn: primaryArn,
      listenerArns,
      alarmName: this.alarm.alarmName,
      alarmType,
      shedPercent: policy.shedPercent ?? D.shedPercent,
      restorePercent: policy.restorePercent ?? D.restorePercent,
      maxShedPercent: policy.maxShedPercent ?? D.maxShedPercent,
      shedDelaySeconds: (policy.shedDelay ?? D.shedDelay).toSeconds(),
      restoreDelaySeconds: (policy.restoreDelay ?? D.restoreDelay).toSeconds(),
      maxInsufficientDataChecks: policy.maxInsufficientDataChecks ?? D.maxInsufficientDataChecks,
      stateTableName: this.stateTable.tableName,
      checkQueueUrl: this.checkQueue.queueUrl,
      dryRun: props.dryRun ?? D.dryRun,
      metricsNamespace: props.metricsNamespace ?? D.metricsNamespace,
    };
    const environment = toLoadSheddingEnvironment(this.config);

    this.alarmEventFunction = new MonitoredFunction(
      this,
      'AlarmEventFunction',
      functionProps(props, 'alarmEvent', this.namePrefix + S.alarmEventSuffix, environment, {
        retryAttempts: S.asyncRetryAttempts,
        maxEventAge: S.eventMaxAge,
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
    this.checkQueueFunction = new MonitoredFunction(
      this,
      'CheckQueueFunction',
      functionProps(props, 'checkQueue', this.namePrefix + S.checkQueueSuffix, environment),
    );
    const deadLetterQueueAlarm = this.alarmEventFunction.alarms.deadLetterQueue;
    /* v8 ignore next 3 -- MonitoredFunction always alarms on a dead-letter queue it is given */
    if (deadLetterQueueAlarm === undefined) {
      throw new Error('LoadShedding: MonitoredFunction created no dead-letter queue alarm');
    }
    this.deadLetterQueueAlarm = deadLetterQueueAlarm;

    this.grantControl(this.alarmEventFunction, 'AlarmEventPolicy', listenerArns);
    this.grantControl(this.checkQueueFunction, 'CheckQueuePolicy', listenerArns, { alarmType });
    this.checkQueueFunction.function.addEventSource(
      new SqsEventSource(this.checkQueue, {
        batchSize: S.batchSize,
        maxConcurrency: S.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    const pattern = alarmStateChangePattern(this.alarm.alarmArn);
    this.alarmStateRule = new events.Rule(this, 'AlarmStateRule', {
      description: 'Alarm state changes of one load-shedding alarm, to its alarm-event function',
      eventPattern: {
        source: pattern.source,
        detailType: pattern['detail-type'],
        resources: pattern.resources,
      },
      targets: [
        new targets.LambdaFunction(this.alarmEventFunction.function, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: S.eventRetryAttempts,
          maxEventAge: S.eventMaxAge,
        }),
      ],
    });

    this.warnAboutZeroDelays();
  }

  /** The metric alarm of an alarm definition, with its statistic applied as written. */
  private createAlarm(
    definition: LoadSheddingAlarmDefinition,
    primaryArn: string,
    firstListenerArn: string,
  ): cloudwatch.Alarm {
    const A = D.alarm;
    const namespace = definition.namespace ?? A.namespace;
    const dimensions =
      definition.dimensions ??
      (namespace === A.namespace
        ? {
            TargetGroup: targetGroupDimensionOf(primaryArn),
            LoadBalancer: loadBalancerDimensionOf(firstListenerArn),
          }
        : {});
    const evaluationPeriods = definition.evaluationPeriods ?? A.evaluationPeriods;
    return new cloudwatch.Alarm(this, 'Alarm', {
      alarmName: definition.alarmName ?? this.namePrefix + S.alarmNameSuffix,
      alarmDescription:
        definition.description ??
        'Drives load shedding: ALARM sheds traffic from the primary target group, OK restores it.',
      metric: new cloudwatch.Metric({
        namespace,
        metricName: definition.metricName ?? A.metricName,
        dimensionsMap: { ...dimensions },
        statistic: definition.statistic ?? A.statistic,
        period: definition.period ?? A.period,
      }),
      threshold: definition.threshold,
      comparisonOperator: definition.comparisonOperator ?? A.comparisonOperator,
      evaluationPeriods,
      datapointsToAlarm: definition.datapointsToAlarm ?? evaluationPeriods,
      treatMissingData: definition.treatMissingData ?? A.treatMissingData,
    });
  }

  /**
   * Everything a function needs to carry out decisions: the listeners' rules (its own inline
   * policy, whose wildcards are acknowledged on it alone), the state item and sending checks
   * (grants, in the role's DefaultPolicy); the check function also reads the alarm state:
   * a metric alarm on its own ARN, a composite alarm or one of unknown kind on `*`.
   */
  private grantControl(
    fn: MonitoredFunction,
    id: string,
    listenerArns: readonly string[],
    readsAlarm?: { readonly alarmType: LoadSheddingAlarmType | undefined },
  ): void {
    const statements = listenerRuleStatements(listenerArns);
    const starReasons: string[] = [WILDCARD_REASONS.describeRules];
    if (readsAlarm?.alarmType === 'metric') {
      statements.push(alarmStateStatement(this.alarm.alarmArn));
    } else if (readsAlarm) {
      statements.push(alarmStateStatement());
      starReasons.push(WILDCARD_REASONS.describeAlarms);
    }
    const policy = new iam.Policy(this, id, {
      policyName: CONTROL_POLICY_NAME,
      statements,
      roles: [fn.role],
    });
    // The first alarm event can arrive as soon as the function exists.
    fn.function.node.addDependency(policy);
    const cfnPolicy = policy.node.defaultChild as iam.CfnPolicy;
    acknowledgeFinding(
      cfnPolicy,
      'AwsSolutions-IAM5[Resource::*]',
      `Resource "*" is the only value IAM accepts for ${starReasons.join('; and for ')}.`,
    );
    for (const listenerArn of listenerArns) {
      acknowledgeFinding(
        cfnPolicy,
        wildcardResourceFindingId(this, listenerRuleArnPattern(listenerArn)),
        RULE_PATTERN_REASON,
      );
    }
    this.stateTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:PutItem');
    this.checkQueue.grant(fn, 'sqs:SendMessage');
  }

  private warnAboutZeroDelays(): void {
    const delays: [string, number][] = [
      ['policy.shedDelay', this.config.shedDelaySeconds],
      ['policy.restoreDelay', this.config.restoreDelaySeconds],
    ];
    for (const [prop, seconds] of delays) {
      if (seconds === 0) {
        Annotations.of(this).addWarningV2(
          ZERO_DELAY_WARNING,
          `${prop} is 0 s: steps follow each other as fast as the functions run, so a write still in flight can look like an external edit. Use 0 for tests and demos only.`,
        );
      }
    }
  }
}

/** The props of one of the two functions. */
function functionProps(
  props: LoadSheddingProps,
  role: LoadSheddingHandlerRole,
  functionName: string,
  environment: Readonly<Record<string, string>> | undefined,
  async?: MonitoredFunctionProps['async'],
): MonitoredFunctionProps {
  const fn = props.functions ?? {};
  return {
    functionName,
    description:
      role === 'alarmEvent'
        ? 'Load shedding: handles the alarm state changes'
        : 'Load shedding: handles the delayed check messages',
    code: handlerCode(role),
    architecture: fn.architecture ?? D.functionArchitecture,
    timeout: fn.timeout ?? D.functionTimeout,
    memorySize: fn.memorySize ?? D.functionMemorySize,
    environment,
    logs: fn.logs,
    tracing: fn.tracing,
    alarms: props.monitoring ? { ...props.monitoring } : undefined,
    async,
  };
}

/** Every problem with the props: the construct's own checks, then MonitoredFunction's. */
function validate(scope: Construct, props: LoadSheddingProps): PropIssue[] {
  const stack = Stack.of(scope);
  const issues = validateLoadSheddingProps(props, {
    region: Token.isUnresolved(stack.region) ? undefined : stack.region,
    account: Token.isUnresolved(stack.account) ? undefined : stack.account,
  });
  // The functions' settings are checked by MonitoredFunction's own rules, under a valid
  // placeholder name (functions.namePrefix was checked above) and without the timeout (too).
  const { timeout: _timeout, ...placeholder } = functionProps(
    props,
    'checkQueue',
    `placeholder${S.checkQueueSuffix}`,
    undefined,
  );
  const functionIssues = validateMonitoredFunctionProps(placeholder);
  for (const issue of functionIssues.filter((i) => i.prop.startsWith('code'))) {
    issues.push({
      prop: 'handlers',
      message: `handlers: the load-shedding handler cannot be used (${issue.message}). The package is incomplete: reinstall it, or build it if you work from its sources.`,
    });
  }
  issues.push(...toLoadSheddingIssues(functionIssues.filter((i) => !i.prop.startsWith('code'))));
  return issues;
}
