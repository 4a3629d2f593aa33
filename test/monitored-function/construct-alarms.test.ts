import { Duration } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMPORTED_KEY_WARNING, MonitoredFunction } from '../../src/monitored-function/index.js';
import { arnOf, newStack, pythonProps } from './support.js';

/** The properties of the alarm named `alarmName`. */
function alarmNamed(template: Template, alarmName: string): Record<string, unknown> {
  const found = Object.values(
    template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: alarmName } }),
  );
  expect(found).toHaveLength(1);
  return (found[0] as { Properties: Record<string, unknown> }).Properties;
}

describe('construct: alarms', () => {
  let stack: Stack;
  let template: Template;
  const fns: Record<string, MonitoredFunction> = {};

  beforeAll(() => {
    ({ stack } = newStack());
    const pager = sns.Topic.fromTopicArn(
      stack,
      'Pager',
      'arn:aws:sns:eu-west-1:123456789012:pager',
    );
    const topicKey = new kms.Key(stack, 'TopicKey', { enableKeyRotation: true });
    fns.thresholdDefault = new MonitoredFunction(
      stack,
      'ThresholdDefault',
      pythonProps({
        functionName: 'thr-default',
        alarms: { emails: ['a@example.com'], errors: { strategy: 'threshold' } },
      }),
    );
    fns.thresholdCustom = new MonitoredFunction(
      stack,
      'ThresholdCustom',
      pythonProps({
        functionName: 'thr-custom',
        alarms: {
          emails: ['a@example.com', 'b@example.com'],
          topics: [pager],
          notifyOnOk: true,
          errors: {
            strategy: 'threshold',
            thresholdPercent: 10,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
          },
        },
      }),
    );
    fns.perf = new MonitoredFunction(
      stack,
      'Perf',
      pythonProps({
        functionName: 'perf-fn',
        timeout: Duration.seconds(30),
        alarms: {
          emails: ['a@example.com'],
          duration: {},
          memory: { thresholdPercent: 90, evaluationPeriods: 3 },
        },
      }),
    );
    fns.quiet = new MonitoredFunction(
      stack,
      'Quiet',
      pythonProps({
        functionName: 'quiet-fn',
        alarms: {
          iso27001: false,
          throttles: false,
          topicName: 'team_alarms',
          topicEncryptionKey: topicKey,
        },
      }),
    );
    fns.importedKey = new MonitoredFunction(
      stack,
      'ImportedKey',
      pythonProps({
        functionName: 'imported-key-fn',
        alarms: {
          emails: ['a@example.com'],
          topicEncryptionKey: kms.Key.fromKeyArn(
            stack,
            'ImportedTopicKey',
            'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
          ),
        },
      }),
    );
    template = Template.fromStack(stack);
  });

  it('threshold strategy: error-rate metric math above 5% in 2 of 2 one-minute periods by default', () => {
    const fnRef = {
      Ref: stack.getLogicalId(fns.thresholdDefault.function.node.defaultChild as never),
    };
    expect(alarmNamed(template, 'thr-default-errors')).toMatchObject({
      Metrics: [
        {
          Id: 'expr_1',
          Expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
          Label: 'Error rate (%)',
        },
        {
          Id: 'errors',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: [{ Name: 'FunctionName', Value: fnRef }],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
        {
          Id: 'invocations',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Invocations',
              Dimensions: [{ Name: 'FunctionName', Value: fnRef }],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
      ],
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
  });

  it('threshold strategy: custom percentage and M of K periods', () => {
    expect(alarmNamed(template, 'thr-custom-errors')).toMatchObject({
      Threshold: 10,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
    });
  });

  it('notifies the own topic and the existing topics, on ALARM and (when asked) on OK', () => {
    const topicRef = {
      Ref: stack.getLogicalId(fns.thresholdCustom.alarmTopic.node.defaultChild as never),
    };
    const pagerArn = 'arn:aws:sns:eu-west-1:123456789012:pager';
    for (const name of ['thr-custom-errors', 'thr-custom-throttles']) {
      expect(alarmNamed(template, name)).toMatchObject({
        AlarmActions: [topicRef, pagerArn],
        OKActions: [topicRef, pagerArn],
      });
    }
    expect(alarmNamed(template, 'thr-default-errors').OKActions).toBeUndefined();
  });

  it('subscribes every email address', () => {
    const topicRef = {
      Ref: stack.getLogicalId(fns.thresholdCustom.alarmTopic.node.defaultChild as never),
    };
    for (const email of ['a@example.com', 'b@example.com']) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: topicRef,
      });
    }
  });

  it('duration: Maximum above 80% of the timeout by default', () => {
    expect(alarmNamed(template, 'perf-fn-duration')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 24_000,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('memory: Lambda Insights memory_utilization Maximum above the percentage', () => {
    const fnRef = { Ref: stack.getLogicalId(fns.perf.function.node.defaultChild as never) };
    expect(alarmNamed(template, 'perf-fn-memory')).toMatchObject({
      Namespace: 'LambdaInsights',
      MetricName: 'memory_utilization',
      Dimensions: [{ Name: 'function_name', Value: fnRef }],
      Statistic: 'Maximum',
      Threshold: 90,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it('memory alarm adds the Lambda Insights layer for the architecture and region', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'perf-fn',
      Layers: ['arn:aws:lambda:eu-west-1:580247275435:layer:LambdaInsightsExtension-Arm64:25'],
    });
  });

  it('memory alarm grants the scoped Lambda Insights statement instead of the managed policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Execution role of the Lambda function perf-fn',
      ManagedPolicyArns: Match.absent(),
      Policies: [
        {
          PolicyName: 'MonitoredFunctionBase',
          PolicyDocument: {
            Statement: [
              Match.objectLike({ Sid: 'WriteOwnLogGroup' }),
              {
                Sid: 'WriteLambdaInsights',
                Effect: 'Allow',
                Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: [
                  arnOf('logs', 'log-group:/aws/lambda-insights'),
                  arnOf('logs', 'log-group:/aws/lambda-insights:*'),
                ],
              },
            ],
          },
        },
      ],
    });
    expect(JSON.stringify(template.toJSON())).not.toContain(
      'CloudWatchLambdaInsightsExecutionRolePolicy',
    );
  });

  it('leaves out the throttles alarm when disabled, and allows no email outside ISO27001 mode', () => {
    expect(fns.quiet.alarms.throttles).toBeUndefined();
    expect(fns.quiet.alarmList()).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'team_alarms' });
    const subscriptions = template.findResources('AWS::SNS::Subscription', {
      Properties: {
        TopicArn: { Ref: stack.getLogicalId(fns.quiet.alarmTopic.node.defaultChild as never) },
      },
    });
    expect(Object.keys(subscriptions)).toHaveLength(0);
  });

  it('encrypts the topic with the given key and lets CloudWatch use the key', () => {
    const keyId = stack.getLogicalId(stack.node.findChild('TopicKey').node.defaultChild as never);
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'team_alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarms-quiet-fn',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ]),
      },
    });
  });

  it('warns that an imported topic key needs the CloudWatch statement added by hand', () => {
    Annotations.fromStack(stack).hasWarning(
      '/TestStack/ImportedKey',
      Match.stringLikeRegexp(
        `alarms.topicEncryptionKey is an imported key.*cloudwatch.amazonaws.com.*${IMPORTED_KEY_WARNING}`,
      ),
    );
  });

  it('only one function got the Insights layer', () => {
    const withLayers = template.findResources('AWS::Lambda::Function', {
      Properties: { Layers: Match.anyValue() },
    });
    expect(Object.keys(withLayers)).toHaveLength(1);
  });
});
