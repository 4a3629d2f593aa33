/**
 * The workflow's supporting resources: the bucket (and its access-log bucket), the queue and
 * its dead-letter queue, the Pipe, and failure detection. Each is a function of the scope and
 * the validated props, so construct.ts reads as the list of what an S3Workflow is made of.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeFinding } from '../monitored-function/nag.js';
import { workflowBucketName } from './construct-naming.js';
import { PIPE_BATCH_SIZE, S3_WORKFLOW_DEFAULTS as D } from './construct-props.js';
import type { S3WorkflowProps, WorkflowType } from './construct-props.js';
import { pipeStatements } from './construct-iam.js';
import { EXECUTIONS_PREFIX } from './paths.js';

/** How the Pipe starts executions: it follows the workflow type (requirement 6.5). */
export type PipeInvocationType = 'REQUEST_RESPONSE' | 'FIRE_AND_FORGET';

/** EXPRESS → REQUEST_RESPONSE (StartSyncExecution), STANDARD → FIRE_AND_FORGET. */
export function invocationTypeOf(type: WorkflowType): PipeInvocationType {
  return type === 'EXPRESS' ? 'REQUEST_RESPONSE' : 'FIRE_AND_FORGET';
}

/** Statuses of a STANDARD execution that count as failures (requirement 8.7). */
export const FAILED_EXECUTION_STATUSES = Object.freeze(['FAILED', 'TIMED_OUT', 'ABORTED']);

export interface WorkflowBuckets {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.IBucket;
}

/** The workflow bucket: SSE-S3, no public access, SSL only, `executions/` expiring. */
export function createWorkflowBucket(scope: Construct, props: S3WorkflowProps): WorkflowBuckets {
  const options = props.bucket ?? {};
  const removalPolicy = options.removalPolicy ?? D.bucketRemovalPolicy;
  const accessLogsBucket = options.accessLogsBucket ?? createAccessLogsBucket(scope, removalPolicy);
  const bucketName =
    options.bucketName ??
    workflowBucketName(
      options.namePrefix ?? D.bucketNamePrefix,
      props.environment,
      Stack.of(scope).account,
    );
  const bucket = new s3.Bucket(scope, 'Bucket', {
    bucketName,
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogsBucket,
    serverAccessLogsPrefix: 'workflow-bucket/',
    removalPolicy,
    lifecycleRules: [
      {
        id: 'ExpireExecutionData',
        prefix: EXECUTIONS_PREFIX,
        expiration: Duration.days(
          options.executionDataExpirationDays ?? D.executionDataExpirationDays,
        ),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
  return { bucket, accessLogsBucket };
}

function createAccessLogsBucket(
  scope: Construct,
  removalPolicy: s3.BucketProps['removalPolicy'],
): s3.Bucket {
  // Object ownership is left to CDK: without the serverAccessLogsUseBucketPolicy feature flag it
  // grants the log delivery group through an ACL, which needs ObjectWriter.
  const logs = new s3.Bucket(scope, 'AccessLogsBucket', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy,
    lifecycleRules: [
      { id: 'ExpireAccessLogs', expiration: Duration.days(D.accessLogExpirationDays) },
    ],
  });
  acknowledgeFinding(
    logs.node.defaultChild as s3.CfnBucket,
    'AwsSolutions-S1',
    'This is the server access log bucket of the workflow bucket; logging it into itself would log its own log deliveries.',
  );
  return logs;
}

export interface WorkflowQueues {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

/** The queue the Pipe reads, with its dead-letter queue (maxReceiveCount 3). */
export function createWorkflowQueues(
  scope: Construct,
  props: S3WorkflowProps,
  workflowTimeout: Duration,
): WorkflowQueues {
  const options = props.queue ?? {};
  const deadLetterQueue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const visibilityTimeout =
    options.visibilityTimeout ??
    (props.type === 'EXPRESS'
      ? workflowTimeout.plus(D.expressVisibilityMargin)
      : D.standardVisibilityTimeout);
  const queue = new sqs.Queue(scope, 'Queue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout,
    retentionPeriod: Duration.days(4),
    deadLetterQueue: {
      queue: deadLetterQueue,
      maxReceiveCount: options.maxReceiveCount ?? D.maxReceiveCount,
    },
  });
  return { queue, deadLetterQueue };
}

export interface WorkflowPipe {
  readonly pipe: pipes.CfnPipe;
  readonly role: iam.Role;
}

/**
 * SQS → EventBridge Pipe → state machine, one message per execution. The L2 Pipe is alpha,
 * so this is the CloudFormation resource with a role of its own.
 */
export function createWorkflowPipe(
  scope: Construct,
  queue: sqs.IQueue,
  stateMachine: sfn.IStateMachine,
  type: WorkflowType,
): WorkflowPipe {
  const invocationType = invocationTypeOf(type);
  const role = new iam.Role(scope, 'PipeRole', {
    assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
    description: 'Role of the workflow Pipe: reads its queue, starts its state machine',
    inlinePolicies: {
      Pipe: new iam.PolicyDocument({
        statements: pipeStatements(queue, stateMachine, invocationType === 'REQUEST_RESPONSE'),
      }),
    },
  });
  const pipe = new pipes.CfnPipe(scope, 'Pipe', {
    description: `Workflow queue to its ${type} state machine (${invocationType})`,
    roleArn: role.roleArn,
    source: queue.queueArn,
    sourceParameters: { sqsQueueParameters: { batchSize: PIPE_BATCH_SIZE } },
    target: stateMachine.stateMachineArn,
    targetParameters: { stepFunctionStateMachineParameters: { invocationType } },
  });
  // The Pipe validates its role's permissions when it is created.
  pipe.node.addDependency(role);
  return { pipe, role };
}

/** The alert topic: failure events (STANDARD) and alarms (both types) end here. */
export function createAlertTopic(scope: Construct, props: S3WorkflowProps): sns.Topic {
  const topic = new sns.Topic(scope, 'AlertTopic', {
    displayName: 'Workflow failures',
    enforceSSL: true,
  });
  for (const email of props.alerts?.emails ?? []) {
    topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
  return topic;
}

export interface WorkflowFailureDetection {
  /** STANDARD: the EventBridge rule on failed, timed-out and aborted executions. */
  readonly failureRule?: events.Rule;
  /** EXPRESS: alarms on ExecutionsFailed and ExecutionsTimedOut. */
  readonly executionsFailedAlarm?: cloudwatch.Alarm;
  readonly executionsTimedOutAlarm?: cloudwatch.Alarm;
  /** Both: messages in the dead-letter queue. */
  readonly deadLetterQueueAlarm: cloudwatch.Alarm;
}

/**
 * Only STANDARD workflows emit "Step Functions Execution Status Change" events; for EXPRESS the
 * CloudWatch metrics are the signal. The dead-letter queue is watched for both.
 */
export function createFailureDetection(
  scope: Construct,
  props: S3WorkflowProps,
  stateMachine: sfn.StateMachine,
  deadLetterQueue: sqs.Queue,
  topics: readonly sns.ITopic[],
): WorkflowFailureDetection {
  const alarmActions = topics.map((topic) => new cloudwatchActions.SnsAction(topic));
  const alarm = (id: string, metric: cloudwatch.IMetric, description: string): cloudwatch.Alarm => {
    const created = new cloudwatch.Alarm(scope, id, {
      alarmDescription: description,
      metric,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(...alarmActions);
    return created;
  };
  const deadLetterQueueAlarm = alarm(
    'DeadLetterQueueAlarm',
    deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: 'Maximum',
    }),
    'Workflow messages that failed 3 receives are in the dead-letter queue: inspect and redrive them (docs/workflow.md).',
  );
  if (props.type === 'EXPRESS') {
    return {
      deadLetterQueueAlarm,
      executionsFailedAlarm: alarm(
        'ExecutionsFailedAlarm',
        stateMachine.metricFailed({ period: Duration.minutes(1), statistic: 'Sum' }),
        'An EXPRESS workflow execution failed (its message returns to the queue, then to the DLQ).',
      ),
      executionsTimedOutAlarm: alarm(
        'ExecutionsTimedOutAlarm',
        stateMachine.metricTimedOut({ period: Duration.minutes(1), statistic: 'Sum' }),
        'An EXPRESS workflow execution timed out.',
      ),
    };
  }
  const failureRule = new events.Rule(scope, 'FailureRule', {
    description: 'Failed, timed-out and aborted executions of the workflow, to its alert topic',
    eventPattern: {
      source: ['aws.states'],
      detailType: ['Step Functions Execution Status Change'],
      detail: {
        status: [...FAILED_EXECUTION_STATUSES],
        stateMachineArn: [stateMachine.stateMachineArn],
      },
    },
    targets: topics.map((topic) => new targets.SnsTopic(topic)),
  });
  return { deadLetterQueueAlarm, failureRule };
}
