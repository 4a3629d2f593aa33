import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MONITORED_FUNCTION_DEFAULTS,
  ROLE_POLICY_NAME,
} from '../../src/monitored-function/index.js';
import type { MonitoredFunction } from '../../src/monitored-function/index.js';
import { ACCOUNT, REGION, arnOf, pythonProps, synthesize } from './support.js';

describe('construct: defaults', () => {
  let stack: Stack;
  let fn: MonitoredFunction;
  let template: Template;

  beforeAll(() => {
    ({ stack, fn, template } = synthesize(pythonProps()));
  });

  it('creates a Python function named as given, on arm64, 60 s, 128 MB, main.lambda_handler', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'orders-fn',
      Runtime: 'python3.13',
      Handler: 'main.lambda_handler',
      Architectures: ['arm64'],
      Timeout: 60,
      MemorySize: 128,
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnRole'), 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FnLogGroup') } },
      Environment: Match.absent(),
      TracingConfig: Match.absent(),
      Layers: Match.absent(),
      ReservedConcurrentExecutions: Match.absent(),
      DeadLetterConfig: Match.absent(),
      VpcConfig: Match.absent(),
    });
    expect(MONITORED_FUNCTION_DEFAULTS.architecture.name).toBe('arm64');
  });

  it('creates /aws/lambda/<name> with 365 days retention, retained on deletion', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/aws/lambda/orders-fn',
        RetentionInDays: 365,
        KmsKeyId: Match.absent(),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('gives the role write access to its own log group only, and nothing else', () => {
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
          },
        ],
      },
      ManagedPolicyArns: Match.absent(),
      Policies: [
        {
          PolicyName: ROLE_POLICY_NAME,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'WriteOwnLogGroup',
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: [
                  arnOf('logs', 'log-group:/aws/lambda/orders-fn'),
                  arnOf('logs', 'log-group:/aws/lambda/orders-fn:log-stream:*'),
                ],
              },
            ],
          },
        },
      ],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  it('never attaches AWSLambdaBasicExecutionRole', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('AWSLambdaBasicExecutionRole');
  });

  it('creates the alarm topic <name>-alarms, SSL-only, with one email subscription', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'orders-fn-alarms',
      KmsMasterKeyId: Match.absent(),
    });
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^FnAlarmTopic') },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          {
            Sid: 'AllowCloudWatchAlarmsOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: Match.stringLikeRegexp('^FnAlarmTopic') },
            Condition: {
              ArnLike: { 'aws:SourceArn': arnOf('cloudwatch', 'alarm:*') },
              StringEquals: { 'aws:SourceAccount': ACCOUNT },
            },
          },
        ]),
      },
    });
  });

  it('creates exactly the errors (immediate) and throttles alarms, notifying the topic on ALARM only', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    const topicRef = { Ref: Match.stringLikeRegexp('^FnAlarmTopic') };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-fn-errors',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^FnFunction') } }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: Match.absent(),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-fn-throttles',
      MetricName: 'Throttles',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
    });
  });

  it('configures asynchronous invocation without retries', () => {
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^FnFunction') },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: Match.absent(),
      DestinationConfig: Match.absent(),
    });
  });

  it('creates no queue, alias, version, dashboard or layer', () => {
    for (const type of [
      'AWS::SQS::Queue',
      'AWS::Lambda::Alias',
      'AWS::Lambda::Version',
      'AWS::CloudWatch::Dashboard',
    ]) {
      template.resourceCountIs(type, 0);
    }
    expect(fn.deadLetterQueue).toBeUndefined();
    expect(fn.alias).toBeUndefined();
    expect(fn.dashboard).toBeUndefined();
    expect(fn.invocationTarget).toBe(fn.function);
  });

  it('exposes the function, role, log group, topic and alarms as typed properties', () => {
    const resolve = (value: string): unknown => stack.resolve(value);
    expect(resolve(fn.functionName)).toEqual({
      Ref: stack.getLogicalId(fn.function.node.defaultChild as never),
    });
    expect(resolve(fn.functionArn)).toEqual({
      'Fn::GetAtt': [stack.getLogicalId(fn.function.node.defaultChild as never), 'Arn'],
    });
    expect(resolve(fn.roleArn)).toEqual({
      'Fn::GetAtt': [stack.getLogicalId(fn.role.node.defaultChild as never), 'Arn'],
    });
    expect(resolve(fn.roleName)).toEqual({
      Ref: stack.getLogicalId(fn.role.node.defaultChild as never),
    });
    expect(resolve(fn.logGroupName)).toEqual({
      Ref: stack.getLogicalId(fn.logGroup.node.defaultChild as never),
    });
    expect(resolve(fn.alarmTopicArn)).toEqual({
      Ref: stack.getLogicalId(fn.alarmTopic.node.defaultChild as never),
    });
    expect(fn.alarmList().map((alarm) => resolve(alarm.alarmName))).toEqual([
      { Ref: stack.getLogicalId(fn.alarms.errors.node.defaultChild as never) },
      { Ref: stack.getLogicalId(fn.alarms.throttles!.node.defaultChild as never) },
    ]);
    expect(fn.grantPrincipal).toBe(fn.role);
    expect(stack.region).toBe(REGION);
  });
});
