import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LoadSheddingEnvVars,
  STATE_TABLE_PARTITION_KEY,
  STATE_TABLE_TTL_ATTRIBUTE,
  alarmStateChangePattern,
  toLoadSheddingEnvironment,
} from '../../src/load-shedding/contract.js';
import type { LoadShedding } from '../../src/load-shedding/construct.js';
import { LOAD_SHEDDING_CONSTRUCT_DEFAULTS } from '../../src/load-shedding/construct-props.js';
import {
  LISTENER_ARN,
  LISTENER_ARN_2,
  TARGET_GROUP_ARN,
  synthesize,
  validProps,
} from './construct-support.js';

describe('LoadShedding construct: defaults', () => {
  let stack: Stack;
  let shedding: LoadShedding;
  let template: Template;

  beforeAll(() => {
    ({ stack, shedding, template } = synthesize(validProps()));
  });

  /** The logical id of a construct's CloudFormation resource. */
  const idOf = (construct: IConstruct): string =>
    stack.getLogicalId(construct.node.defaultChild as CfnElement);

  it('creates a standard, SSE-SQS encrypted check queue with a 6 × timeout visibility timeout and a redrive after 5 receives', () => {
    const resources = template.toJSON().Resources as Record<string, { Properties: unknown }>;
    expect(resources[idOf(shedding.checkQueue)].Properties).toEqual({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * 30,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [idOf(shedding.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    expect(resources[idOf(shedding.deadLetterQueue)].Properties).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.resourceCountIs('AWS::SQS::Queue', 2);
  });

  it('denies non-TLS access to both queues', () => {
    for (const queue of [idOf(shedding.deadLetterQueue), idOf(shedding.checkQueue)]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('creates the state table: pk String, TTL expiresAt, on demand, PITR, encrypted, no fixed name, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: STATE_TABLE_PARTITION_KEY, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: STATE_TABLE_PARTITION_KEY, AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: STATE_TABLE_TTL_ATTRIBUTE, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TableName: Match.absent(),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('sets the environment of both functions to toLoadSheddingEnvironment(config)', () => {
    const expected = stack.resolve(toLoadSheddingEnvironment(shedding.config)) as Record<
      string,
      unknown
    >;
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(2);
    for (const fn of Object.values(functions)) {
      const { NODE_OPTIONS, ...variables } = (
        fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }
      ).Properties.Environment.Variables;
      expect(variables).toEqual(expected);
      expect(NODE_OPTIONS).toBe('--enable-source-maps');
    }
    // The configuration holds every default and the resources' references.
    expect(expected).toEqual({
      [LoadSheddingEnvVars.primaryTargetGroupArn]: TARGET_GROUP_ARN,
      [LoadSheddingEnvVars.listenerArns]: JSON.stringify([LISTENER_ARN, LISTENER_ARN_2]),
      [LoadSheddingEnvVars.alarmName]: {
        Ref: idOf(shedding.alarm),
      },
      // The created alarm is a metric alarm: the check asks for MetricAlarm only.
      [LoadSheddingEnvVars.alarmType]: 'metric',
      [LoadSheddingEnvVars.shedPercent]: '5',
      [LoadSheddingEnvVars.restorePercent]: '5',
      [LoadSheddingEnvVars.maxShedPercent]: '100',
      [LoadSheddingEnvVars.shedDelaySeconds]: '60',
      [LoadSheddingEnvVars.restoreDelaySeconds]: '120',
      [LoadSheddingEnvVars.maxInsufficientDataChecks]: '5',
      [LoadSheddingEnvVars.stateTableName]: {
        Ref: idOf(shedding.stateTable),
      },
      [LoadSheddingEnvVars.checkQueueUrl]: {
        Ref: idOf(shedding.checkQueue),
      },
      [LoadSheddingEnvVars.dryRun]: 'false',
      [LoadSheddingEnvVars.metricsNamespace]: 'AwsOpsKit/LoadShedding',
    });
  });

  it('runs both handlers on Node.js 22, arm64, 256 MB, 30 s, under names derived from the construct path', () => {
    for (const suffix of ['alarm-event', 'check-queue']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `${shedding.namePrefix}-${suffix}`,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 256,
        Timeout: 30,
        Handler: 'index.handler',
      });
    }
    expect(shedding.namePrefix).toMatch(/^TestStack-Shedding-[0-9A-F]{8}$/);
  });

  it('feeds the check queue to the check function, one message at a time, reporting batch item failures', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: {
        'Fn::GetAtt': [idOf(shedding.checkQueue), 'Arn'],
      },
      FunctionName: {
        Ref: idOf(shedding.checkQueueFunction.function),
      },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('routes the state changes of exactly this alarm to the alarm-event function, with retries and a dead-letter queue', () => {
    const alarm = idOf(shedding.alarm);
    const dlq = idOf(shedding.deadLetterQueue);
    const fn = idOf(shedding.alarmEventFunction.function);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: stack.resolve(alarmStateChangePattern(shedding.alarm.alarmArn)),
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
          Id: Match.anyValue(),
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 },
        },
      ],
    });
    expect(stack.resolve(shedding.alarm.alarmArn)).toEqual({ 'Fn::GetAtt': [alarm, 'Arn'] });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: [{ 'Fn::GetAtt': [alarm, 'Arn'] }],
      },
    });
  });

  it('retries a failed alarm event twice within an hour, then keeps it in the dead-letter queue', () => {
    const fn = idOf(shedding.alarmEventFunction.function);
    const dlq = idOf(shedding.deadLetterQueue);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
    });
  });

  it("alarms on the dead-letter queue's depth, to the alarm-event function's topic", () => {
    const dlq = idOf(shedding.deadLetterQueue);
    const topic = idOf(shedding.alarmEventFunction.alarmTopic);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${shedding.namePrefix}-alarm-event-dlq`,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      AlarmActions: [{ Ref: topic }],
    });
    expect(stack.resolve(shedding.deadLetterQueueAlarm.alarmArn)).toEqual(
      stack.resolve(shedding.alarmEventFunction.alarms.deadLetterQueue?.alarmArn),
    );
  });

  it("creates the default alarm: the primary's RequestCountPerTarget Sum per minute, 3 of 3 above the threshold", () => {
    const A = LOAD_SHEDDING_CONSTRUCT_DEFAULTS.alarm;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${shedding.namePrefix}-overload`,
      Namespace: A.namespace,
      MetricName: A.metricName,
      Dimensions: [
        { Name: 'LoadBalancer', Value: 'app/shop-alb/50dc6c495c0c9188' },
        { Name: 'TargetGroup', Value: 'targetgroup/shop-blue/73e2d6bc24d8a067' },
      ],
      Statistic: 'Sum',
      ExtendedStatistic: Match.absent(),
      Period: 60,
      Threshold: 500,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
    });
  });

  it('gives no resource a fixed name but the ones derived from the unique prefix', () => {
    const named = Object.values(template.toJSON().Resources as Record<string, unknown>).flatMap(
      (resource) => {
        const properties = (resource as { Properties?: Record<string, unknown> }).Properties ?? {};
        return [
          'QueueName',
          'TableName',
          'Name',
          'TopicName',
          'FunctionName',
          'AlarmName',
          'LogGroupName',
        ]
          .map((key) => properties[key])
          .filter((value): value is string => typeof value === 'string');
      },
    );
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) {
      expect(name).toContain(shedding.namePrefix);
    }
  });
});
