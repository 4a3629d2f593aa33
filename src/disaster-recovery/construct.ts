import { Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { MonitoredFunction } from '../monitored-function/construct.js';
import { acknowledgeFinding, wildcardResourceFindingId } from '../monitored-function/nag.js';
import type { MonitoredFunctionProps } from '../monitored-function/props.js';
import { validateMonitoredFunctionProps } from '../monitored-function/validation.js';
import {
  DEFAULT_DRS_QUOTAS,
  DRS_METRICS_NAMESPACE,
  DRS_TABLE_PARTITION_KEY,
  DRS_TABLE_TTL_ATTRIBUTE,
  DrsAlarmMetrics,
  DrsDefaults,
  minimumLeaseTtlSeconds,
  ROLE_ARN,
  toDisasterRecoveryEnvironment,
} from './contract.js';
import type { DisasterRecoveryConfig } from './contract.js';
import { handlerCode } from './construct-handlers.js';
import { alarmsPublishStatement } from '../monitored-function/iam-statements.js';
import { emittedAlarmDimensions } from './handlers/service.js';
import type { DisasterRecoveryHandlerRole } from './construct-handlers.js';
import {
  DRS_POLICY_NAME,
  DRS_WILDCARD_REASONS,
  assumeRoleStatement,
  describeStatement,
  drsResourceArns,
  ec2InstanceArns,
  ec2ResourceArns,
  quotaStatements,
  recoveryInstanceRoleArn,
  recoveryStatements,
} from './construct-iam.js';
import type { DrsPolicyScope } from './construct-iam.js';
import {
  DISASTER_RECOVERY_CONSTRUCT_DEFAULTS as D,
  DISASTER_RECOVERY_RESOURCE_SETTINGS as S,
  DR_NAME_PREFIX_MAX_LENGTH,
} from './construct-props.js';
import type { DisasterRecoveryOrchestrationProps } from './construct-props.js';
import {
  DisasterRecoveryValidationError,
  toDisasterRecoveryIssues,
  validateDisasterRecoveryProps,
} from './construct-validation.js';
import type { PropIssue } from './construct-validation.js';

/**
 * The DRS orchestration of a disaster-recovery platform, with DRS's rate limits handled: the
 * execution handler (start a wave of recovery jobs within the job quotas, poll it, terminate
 * recovery instances) and the query handler (regional and account-wide DRS capacity), both
 * `MonitoredFunction`s calling DRS through a rate limiter (per container or shared through
 * DynamoDB), with retries, a job throttler guarded by leases, and escalation to SNS.
 *
 * Creates: the two functions, the shared-limiter and lease tables (on-demand, TTL, PITR,
 * encrypted), the alert topic `DRS-RateLimitAlerts` unless one is given, and two alarms on the
 * `DRS/RateLimits` EMF metrics (rate-limit errors; exhausted retries) that notify the topic.
 */
export class DisasterRecoveryOrchestration extends Construct {
  /** Prefix of the function names (and the alarm names). */
  readonly namePrefix: string;
  /** Starts waves of recovery jobs, polls them, terminates recovery instances. */
  readonly executionFunction: MonitoredFunction;
  /** Answers regional and account-wide DRS capacity queries. */
  readonly queryFunction: MonitoredFunction;
  /** The DynamoDB token buckets of the shared limiter (one item per account and region). */
  readonly limiterTable: dynamodb.Table;
  /** Capacity leases and idempotency records of job starts. */
  readonly leaseTable: dynamodb.Table;
  /** Escalations and alarm notifications: the given topic or `DRS-RateLimitAlerts`. */
  readonly alertTopic: sns.ITopic;
  /** ≥ `alarms.rateLimitErrorThreshold` rate-limit errors in 5 minutes. */
  readonly rateLimitErrorsAlarm: cloudwatch.Alarm;
  /** ≥ `alarms.retriesExhaustedThreshold` calls out of retries in 5 minutes. */
  readonly retriesExhaustedAlarm: cloudwatch.Alarm;
  /** The configuration both functions get as environment (values may be CDK tokens). */
  readonly config: DisasterRecoveryConfig;

  constructor(scope: Construct, id: string, props: DisasterRecoveryOrchestrationProps) {
    // Validated before super(): an invalid prop leaves the construct tree untouched.
    const issues = validate(props);
    if (issues.length > 0) {
      throw new DisasterRecoveryValidationError(id, issues);
    }
    super(scope, id);
    const stack = Stack.of(this);

    this.namePrefix =
      props.functions?.namePrefix ??
      Names.uniqueResourceName(this, { maxLength: DR_NAME_PREFIX_MAX_LENGTH, separator: '-' });
    const removalPolicy = props.tables?.removalPolicy ?? D.tableRemovalPolicy;
    this.limiterTable = this.createTable('LimiterTable', removalPolicy);
    this.leaseTable = this.createTable('LeaseTable', removalPolicy);
    this.alertTopic = props.alerts?.topic ?? this.createAlertTopic(props);
    for (const email of props.alerts?.emails ?? []) {
      this.alertTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const functionTimeout = props.functions?.timeout ?? D.functionTimeout;
    this.config = {
      regions: [...props.regions],
      crossAccountRoles: rolesByAccount(props.crossAccountRoleArns ?? []),
      jobThreshold: props.jobThrottler?.maxActiveJobs ?? D.maxActiveJobs,
      throttlerTimeoutSeconds: (props.jobThrottler?.timeout ?? D.jobThrottlerTimeout).toSeconds(),
      pollIntervalSeconds: (props.jobThrottler?.pollInterval ?? D.pollInterval).toSeconds(),
      jobWindowHours: DrsDefaults.jobWindowHours,
      limiterMode: props.rateLimit?.limiter ?? D.limiter,
      limiterTableName: this.limiterTable.tableName,
      ratePerSecond: props.rateLimit?.ratePerSecond ?? D.ratePerSecond,
      burst: props.rateLimit?.burst ?? D.burst,
      leaseTableName: this.leaseTable.tableName,
      // A lease left by a crashed invocation is released once that invocation surely ended,
      // and never while a start (throttler wait + retries) may still be running.
      leaseTtlSeconds: Math.max(
        DrsDefaults.leaseTtlSeconds,
        functionTimeout.toSeconds(),
        minimumLeaseTtlSeconds(
          (props.jobThrottler?.timeout ?? D.jobThrottlerTimeout).toSeconds(),
          DrsDefaults.maxRetries,
        ),
      ),
      alertTopicArn: this.alertTopic.topicArn,
      quotaCacheSeconds: DrsDefaults.quotaCacheSeconds,
      maxRetries: DrsDefaults.maxRetries,
      quotaFallbacks: DEFAULT_DRS_QUOTAS,
    };
    const environment = toDisasterRecoveryEnvironment(this.config);

    this.executionFunction = new MonitoredFunction(
      this,
      'ExecutionFunction',
      functionProps(props, 'execution', this.namePrefix + S.executionSuffix, environment),
    );
    this.queryFunction = new MonitoredFunction(
      this,
      'QueryFunction',
      functionProps(props, 'query', this.namePrefix + S.querySuffix, environment),
    );

    const policyScope: DrsPolicyScope = {
      partition: stack.partition,
      account: stack.account,
      regions: props.regions,
    };
    this.grantDrs(this.executionFunction, 'ExecutionDrsPolicy', policyScope, props, true);
    this.grantDrs(this.queryFunction, 'QueryDrsPolicy', policyScope, props, false);

    this.rateLimitErrorsAlarm = this.createAlarm(
      'RateLimitErrorsAlarm',
      'rateLimitErrors',
      props.alarms?.rateLimitErrorThreshold ?? D.rateLimitErrorThreshold,
      '-drs-rate-limit-errors',
      'DRS API rate-limit errors (throttling and quota errors, all operations) in 5 minutes: sustained throttling. See docs/disaster-recovery.md, "Runbook".',
    );
    this.retriesExhaustedAlarm = this.createAlarm(
      'RetriesExhaustedAlarm',
      'retriesExhausted',
      props.alarms?.retriesExhaustedThreshold ?? D.retriesExhaustedThreshold,
      '-drs-retries-exhausted',
      'DRS calls that failed after every retry in 5 minutes: recovery steps are failing. See docs/disaster-recovery.md, "Runbook".',
    );
  }

  private createTable(
    id: string,
    removalPolicy: NonNullable<DisasterRecoveryOrchestrationProps['tables']>['removalPolicy'],
  ): dynamodb.Table {
    return new dynamodb.Table(this, id, {
      partitionKey: { name: DRS_TABLE_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: DRS_TABLE_TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
  }

  private createAlertTopic(props: DisasterRecoveryOrchestrationProps): sns.Topic {
    const topic = new sns.Topic(this, 'AlertTopic', {
      topicName: props.alerts?.topicName ?? D.alertTopicName,
      displayName: 'DRS rate-limit alerts',
      enforceSSL: true,
    });
    topic.addToResourcePolicy(alarmsPublishStatement(topic));
    return topic;
  }

  private createAlarm(
    id: string,
    metric: keyof typeof DrsAlarmMetrics,
    threshold: number,
    nameSuffix: string,
    description: string,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: this.namePrefix + nameSuffix,
      alarmDescription: description,
      metric: new cloudwatch.Metric({
        namespace: DRS_METRICS_NAMESPACE,
        metricName: DrsAlarmMetrics[metric].metricName,
        dimensionsMap: { ...emittedAlarmDimensions(metric) },
        statistic: cloudwatch.Stats.SUM,
        period: S.alarmPeriod,
      }),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alertTopic));
    return alarm;
  }

  /**
   * DRS (with its dependent EC2 and IAM actions), Service Quotas and STS in the function's own
   * inline policy (its wildcards are acknowledged on it alone); both tables and the topic
   * through their grants. Only the execution function may start recovery and terminate
   * recovery instances; the query function only reads (the lease table included).
   */
  private grantDrs(
    fn: MonitoredFunction,
    id: string,
    scope: DrsPolicyScope,
    props: DisasterRecoveryOrchestrationProps,
    writes: boolean,
  ): void {
    const statements = [
      describeStatement(writes ? 'execution' : 'query'),
      ...quotaStatements(scope),
    ];
    if (writes) statements.push(...recoveryStatements(scope));
    const assume = assumeRoleStatement(props.crossAccountRoleArns ?? []);
    if (assume) statements.push(assume);
    const policy = new iam.Policy(this, id, {
      policyName: DRS_POLICY_NAME,
      statements,
      roles: [fn.role],
    });
    // The first invocation can arrive as soon as the function exists.
    fn.function.node.addDependency(policy);
    const cfnPolicy = policy.node.defaultChild as iam.CfnPolicy;
    acknowledgeFinding(cfnPolicy, 'AwsSolutions-IAM5[Resource::*]', DRS_WILDCARD_REASONS.describe);
    if (writes) {
      const patterns: [string, string][] = [
        ['source-server', DRS_WILDCARD_REASONS.sourceServers],
        ['job', DRS_WILDCARD_REASONS.jobs],
        ['recovery-instance', DRS_WILDCARD_REASONS.recoveryInstances],
      ];
      const ec2 = ec2ResourceArns(scope);
      const arns: [string, string][] = [
        ...patterns.flatMap(([resource, reason]) =>
          drsResourceArns(scope, resource).map((arn): [string, string] => [arn, reason]),
        ),
        ...ec2.account.map((arn): [string, string] => [arn, DRS_WILDCARD_REASONS.ec2Account]),
        ...ec2InstanceArns(scope).map((arn): [string, string] => [
          arn,
          DRS_WILDCARD_REASONS.ec2ManagedInstances,
        ]),
        ...ec2.shared.map((arn): [string, string] => [arn, DRS_WILDCARD_REASONS.ec2Shared]),
        [recoveryInstanceRoleArn(scope), DRS_WILDCARD_REASONS.passRole],
      ];
      for (const [arn, reason] of arns) {
        acknowledgeFinding(cfnPolicy, wildcardResourceFindingId(this, arn), reason);
      }
    }
    // Token buckets: read-modify-write with conditions; leases and idempotency records too.
    const itemActions = [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ];
    this.limiterTable.grant(fn, ...itemActions);
    // The query handler reads the leases (starts in flight count as capacity in use).
    if (writes) this.leaseTable.grant(fn, ...itemActions);
    else this.leaseTable.grant(fn, 'dynamodb:GetItem');
    this.alertTopic.grantPublish(fn);
  }
}

/** Role ARN per account id (validation guarantees literal, valid, one per account). */
function rolesByAccount(roleArns: readonly string[]): Record<string, string> {
  const roles: Record<string, string> = {};
  for (const arn of roleArns) {
    const match = ROLE_ARN.exec(arn);
    /* v8 ignore next -- validated before */
    if (match) roles[match[2]] = arn;
  }
  return roles;
}

/** The props of one of the two functions. */
function functionProps(
  props: DisasterRecoveryOrchestrationProps,
  role: DisasterRecoveryHandlerRole,
  functionName: string,
  environment: Readonly<Record<string, string>> | undefined,
): MonitoredFunctionProps {
  const fn = props.functions ?? {};
  return {
    functionName,
    description:
      role === 'execution'
        ? 'Disaster recovery: starts, polls and terminates DRS recovery waves'
        : 'Disaster recovery: DRS capacity queries',
    code: handlerCode(role),
    architecture: fn.architecture ?? D.functionArchitecture,
    timeout: fn.timeout ?? D.functionTimeout,
    memorySize: fn.memorySize ?? D.functionMemorySize,
    environment,
    logs: fn.logs,
    tracing: fn.tracing,
    alarms: props.monitoring ? { ...props.monitoring } : undefined,
  };
}

/** Every problem with the props: the construct's own checks, then MonitoredFunction's. */
function validate(props: DisasterRecoveryOrchestrationProps): PropIssue[] {
  const issues = validateDisasterRecoveryProps(props);
  // The functions' settings are checked by MonitoredFunction's own rules, under a valid
  // placeholder name (functions.namePrefix was checked above) and without the timeout (too).
  const { timeout: _timeout, ...placeholder } = functionProps(
    props,
    'execution',
    `placeholder${S.executionSuffix}`,
    undefined,
  );
  const functionIssues = validateMonitoredFunctionProps(placeholder);
  for (const issue of functionIssues.filter((i) => i.prop.startsWith('code'))) {
    issues.push({
      prop: 'handlers',
      message: `handlers: the disaster-recovery handler cannot be used (${issue.message}). The package is incomplete: reinstall it, or build it if you work from its sources.`,
    });
  }
  issues.push(
    ...toDisasterRecoveryIssues(functionIssues.filter((i) => !i.prop.startsWith('code'))),
  );
  return issues;
}
