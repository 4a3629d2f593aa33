import { Duration } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MonitoredFunction } from '../../src/monitored-function/index.js';
import { newStack, pythonProps } from './support.js';

describe('construct: async invocation and concurrency', () => {
  let stack: Stack;
  let template: Template;
  let withDlq: MonitoredFunction;
  let ownQueue: MonitoredFunction;
  let withDestination: MonitoredFunction;
  let retriesOnly: MonitoredFunction;
  let provisioned: MonitoredFunction;
  let aliasOnly: MonitoredFunction;
  let userQueue: sqs.Queue;
  let failureQueue: sqs.Queue;

  const ref = (construct: { node: { defaultChild?: unknown } }): unknown => ({
    Ref: stack.getLogicalId(construct.node.defaultChild as never),
  });
  const arn = (construct: { node: { defaultChild?: unknown } }): unknown => ({
    'Fn::GetAtt': [stack.getLogicalId(construct.node.defaultChild as never), 'Arn'],
  });

  beforeAll(() => {
    ({ stack } = newStack());
    withDlq = new MonitoredFunction(
      stack,
      'WithDlq',
      pythonProps({
        functionName: 'dlq-fn',
        async: { retryAttempts: 2, maxEventAge: Duration.hours(1), deadLetterQueue: true },
      }),
    );
    const queueKey = new kms.Key(stack, 'QueueKey', { enableKeyRotation: true });
    userQueue = new sqs.Queue(stack, 'UserQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: queueKey,
      enforceSSL: true,
    });
    ownQueue = new MonitoredFunction(
      stack,
      'OwnQueue',
      pythonProps({ functionName: 'own-queue-fn', async: { deadLetterQueue: userQueue } }),
    );
    failureQueue = new sqs.Queue(stack, 'FailureQueue', { enforceSSL: true });
    withDestination = new MonitoredFunction(
      stack,
      'WithDestination',
      pythonProps({
        functionName: 'dest-fn',
        async: { onFailure: new destinations.SqsDestination(failureQueue) },
      }),
    );
    retriesOnly = new MonitoredFunction(
      stack,
      'RetriesOnly',
      pythonProps({ functionName: 'retries-fn', async: { retryAttempts: 1 } }),
    );
    provisioned = new MonitoredFunction(
      stack,
      'Provisioned',
      pythonProps({
        functionName: 'provisioned-fn',
        concurrency: { reserved: 20, provisioned: 5 },
        async: { retryAttempts: 1, maxEventAge: Duration.minutes(5) },
      }),
    );
    aliasOnly = new MonitoredFunction(
      stack,
      'AliasOnly',
      pythonProps({ functionName: 'alias-only-fn', concurrency: { provisioned: 1 } }),
    );
    template = Template.fromStack(stack);
  });

  it('sets retries and maximum event age on the function', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(withDlq.function),
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
    });
  });

  it('creates <name>-dlq: SSE-SQS encrypted, SSL-only, 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'dlq-fn-dlq',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(withDlq.deadLetterQueue!)],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
      },
    });
  });

  it('points the function at the dead-letter queue and lets the role send to it', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'dlq-fn',
      DeadLetterConfig: { TargetArn: arn(withDlq.deadLetterQueue!) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [ref(withDlq.role)],
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arn(withDlq.deadLetterQueue!) },
        ],
      },
    });
  });

  it('alarms on dead-letter queue depth and on failed dead-letter writes', () => {
    expect(withDlq.alarmList().map((a) => a.node.id)).toEqual([
      'ErrorsAlarm',
      'ThrottlesAlarm',
      'DeadLetterQueueAlarm',
      'DeadLetterErrorsAlarm',
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'dlq-fn-dlq',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [
              stack.getLogicalId(withDlq.deadLetterQueue!.node.defaultChild as never),
              'QueueName',
            ],
          },
        },
      ],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'dlq-fn-dlq-errors',
      Namespace: 'AWS/Lambda',
      MetricName: 'DeadLetterErrors',
      Statistic: 'Sum',
      Threshold: 0,
    });
  });

  it('uses a given queue as dead-letter queue and grants its KMS key', () => {
    expect(ownQueue.deadLetterQueue).toBe(userQueue);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'own-queue-fn',
      DeadLetterConfig: { TargetArn: arn(userQueue) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [ref(ownQueue.role)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: arn(stack.node.findChild('QueueKey')),
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'own-queue-fn-dlq',
      Namespace: 'AWS/SQS',
    });
  });

  it('sends failed events to the on-failure destination and alarms on failed deliveries', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(withDestination.function),
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: arn(failureQueue) } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'dest-fn-destination-failures',
      MetricName: 'DestinationDeliveryFailures',
      Statistic: 'Sum',
      Threshold: 0,
    });
    expect(withDestination.alarms.asyncEventsDropped).toBeUndefined();
  });

  it('alarms on dropped events when async is used without a DLQ or destination', () => {
    expect(retriesOnly.alarms.asyncEventsDropped).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'retries-fn-async-dropped',
      MetricName: 'AsyncEventsDropped',
      Statistic: 'Sum',
      Threshold: 0,
      EvaluationPeriods: 1,
    });
  });

  it('reserves concurrency on the function', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'provisioned-fn',
      ReservedConcurrentExecutions: 20,
    });
  });

  it('puts provisioned concurrency on a live alias of the current version', () => {
    expect(provisioned.alias).toBeDefined();
    expect(provisioned.invocationTarget).toBe(provisioned.alias);
    template.resourceCountIs('AWS::Lambda::Alias', 2);
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      FunctionName: ref(provisioned.function),
      FunctionVersion: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^ProvisionedFunctionCurrentVersion'), 'Version'],
      },
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 5 },
    });
  });

  it('gives the alias the same async settings as the function', () => {
    const aliasName = stack.resolve(provisioned.alias!.aliasName);
    expect(aliasName).toBe('live');
    // The alias qualifier is the alias ARN's last segment, resolved at deploy time.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(provisioned.function),
      Qualifier: { 'Fn::Select': [7, { 'Fn::Split': [':', ref(provisioned.alias!)] }] },
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 300,
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(provisioned.function),
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 300,
    });
  });

  it('an alias without async settings gets no retries, like the function', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(aliasOnly.function),
      Qualifier: { 'Fn::Select': [7, { 'Fn::Split': [':', ref(aliasOnly.alias!)] }] },
      MaximumRetryAttempts: 0,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'alias-only-fn',
      ReservedConcurrentExecutions: Match.absent(),
    });
  });
});
