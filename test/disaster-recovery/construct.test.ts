import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DRS_TABLE_PARTITION_KEY,
  DRS_TABLE_TTL_ATTRIBUTE,
  DrsEnvVars,
  parseDisasterRecoveryConfig,
} from '../../src/disaster-recovery/contract.js';
import { DisasterRecoveryOrchestration } from '../../src/disaster-recovery/construct.js';
import {
  DRS_DEPENDENT_ACTIONS,
  DRS_POLICY_NAME,
} from '../../src/disaster-recovery/construct-iam.js';
import { handlerEntry, handlerModuleName } from '../../src/disaster-recovery/construct-handlers.js';
import {
  ACCOUNT,
  ROLE_A,
  ROLE_B,
  newStack,
  statementsOf,
  synthesize,
  validProps,
} from './construct-support.js';

describe('DisasterRecoveryOrchestration construct: defaults', () => {
  let stack: Stack;
  let dr: DisasterRecoveryOrchestration;
  let template: Template;

  beforeAll(() => {
    ({ stack, dr, template } = synthesize(validProps()));
  });

  it('creates two on-demand tables with the contract key, TTL, PITR and encryption', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: DRS_TABLE_PARTITION_KEY, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: DRS_TABLE_TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  it('creates the alert topic DRS-RateLimitAlerts, SSL only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'DRS-RateLimitAlerts' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Sid: 'AllowCloudWatchAlarmsOfThisAccount',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': ACCOUNT } }),
          }),
        ]),
      },
    });
  });

  it('alarms on ≥ 10 rate-limit errors and ≥ 3 exhausted retries in 5 minutes, to the topic', () => {
    const topicId = stack.getLogicalId(
      (dr.alertTopic as sns.Topic).node.defaultChild as CfnElement,
    );
    for (const [metricName, threshold] of [
      ['RateLimitErrors', 10],
      ['RetriesExhausted', 3],
    ] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'DRS/RateLimits',
        MetricName: metricName,
        // Powertools adds `service` to every EMF metric: the alarm names both dimensions.
        Dimensions: [
          { Name: 'Service', Value: 'drs' },
          { Name: 'service', Value: 'disaster-recovery' },
        ],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId }],
      });
    }
  });

  it('gives both functions the same environment, which the handlers’ parser accepts', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { [DrsEnvVars.regions]: Match.anyValue() } } },
    });
    const variables = Object.values(functions).map(
      (f) =>
        (f as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties
          .Environment.Variables,
    );
    expect(variables).toHaveLength(2);
    expect(variables[0]).toEqual(variables[1]);
    // Table names and the topic ARN are references; replace them by literals to parse.
    const literal = Object.fromEntries(
      Object.entries(variables[0]).map(([key, value]) => [
        key,
        typeof value === 'string'
          ? value
          : key === DrsEnvVars.alertTopicArn
            ? `arn:aws:sns:us-east-1:${ACCOUNT}:DRS-RateLimitAlerts`
            : 'some-table',
      ]),
    );
    const config = parseDisasterRecoveryConfig(literal);
    expect(config).toMatchObject({
      regions: ['us-east-1', 'us-west-2'],
      crossAccountRoles: {},
      limiterMode: 'shared',
      ratePerSecond: 10,
      burst: 20,
      jobThreshold: 20,
      throttlerTimeoutSeconds: 600,
      pollIntervalSeconds: 30,
      leaseTtlSeconds: 900,
    });
  });

  it('runs the functions for 15 minutes on arm64 with 256 MB', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Timeout: 900, MemorySize: 256, Architectures: ['arm64'], Runtime: 'nodejs22.x' },
      2,
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `${dr.namePrefix}-execution`,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `${dr.namePrefix}-query`,
    });
  });

  it('points at the handler modules the contract names', () => {
    expect(handlerModuleName('execution')).toBe('execution');
    expect(handlerEntry('query')).toMatch(/handlers[/\\]query\.ts$/);
    expect(handlerEntry('execution', '/nowhere')).toBe('/nowhere/execution.ts');
  });
});

describe('DisasterRecoveryOrchestration construct: IAM', () => {
  let stack: Stack;
  let dr: DisasterRecoveryOrchestration;
  let template: Template;

  beforeAll(() => {
    ({ stack, dr, template } = synthesize(validProps({ crossAccountRoleArns: [ROLE_A, ROLE_B] })));
  });

  const policyId = (id: string): string =>
    stack.getLogicalId(dr.node.findChild(id).node.defaultChild as CfnElement);
  const drsArns = (resource: string): unknown[] =>
    ['us-east-1', 'us-west-2'].map((region) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, `:drs:${region}:${ACCOUNT}:${resource}/*`],
      ],
    }));
  const quotaArns = ['us-east-1', 'us-west-2'].flatMap((region) =>
    ['L-D88FAC3A', 'L-B827C881', 'L-05AFA8C6', 'L-DD6D028C'].map((code) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, `:servicequotas:${region}:${ACCOUNT}:drs/${code}`],
      ],
    })),
  );

  it('lets the execution function read DRS, start recovery, tag jobs and terminate instances', () => {
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyName: DRS_POLICY_NAME });
    const join = (...parts: string[]) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...parts]],
    });
    expect(statementsOf(template, policyId('ExecutionDrsPolicy'))).toEqual([
      {
        Sid: 'DescribeDrs',
        Effect: 'Allow',
        Action: ['drs:DescribeSourceServers', 'drs:DescribeJobs', 'drs:DescribeRecoveryInstances'],
        Resource: '*',
      },
      {
        Sid: 'ReadDrsQuotas',
        Effect: 'Allow',
        Action: 'servicequotas:GetServiceQuota',
        Resource: quotaArns,
      },
      {
        Sid: 'ReadDrsDefaultQuotas',
        Effect: 'Allow',
        Action: 'servicequotas:GetAWSDefaultServiceQuota',
        Resource: '*',
      },
      {
        Sid: 'StartRecovery',
        Effect: 'Allow',
        Action: ['drs:StartRecovery', 'drs:CreateRecoveryInstanceForDrs'],
        Resource: drsArns('source-server'),
      },
      {
        Sid: 'TagRecoveryJobs',
        Effect: 'Allow',
        Action: 'drs:TagResource',
        Resource: drsArns('job'),
      },
      {
        Sid: 'ListDrsTags',
        Effect: 'Allow',
        Action: 'drs:ListTagsForResource',
        Resource: [...drsArns('source-server'), ...drsArns('job'), ...drsArns('recovery-instance')],
      },
      {
        Sid: 'TerminateRecoveryInstances',
        Effect: 'Allow',
        Action: 'drs:TerminateRecoveryInstances',
        Resource: drsArns('recovery-instance'),
      },
      {
        Sid: 'DescribeEc2ForDrs',
        Effect: 'Allow',
        Action: [...DRS_DEPENDENT_ACTIONS.ec2Reads],
        Resource: '*',
      },
      {
        Sid: 'Ec2ForDrsRecovery',
        Effect: 'Allow',
        Action: [...DRS_DEPENDENT_ACTIONS.ec2Writes],
        Resource: [
          join(`:ec2:us-east-1:${ACCOUNT}:*`),
          join(`:ec2:us-west-2:${ACCOUNT}:*`),
          join(':ec2:us-east-1::image/*'),
          join(':ec2:us-east-1::snapshot/*'),
          join(':ec2:us-west-2::image/*'),
          join(':ec2:us-west-2::snapshot/*'),
        ],
      },
      {
        Sid: 'Ec2ForDrsManagedInstances',
        Effect: 'Allow',
        Action: [...DRS_DEPENDENT_ACTIONS.ec2ManagedInstances],
        Resource: [
          join(`:ec2:us-east-1:${ACCOUNT}:instance/*`),
          join(`:ec2:us-west-2:${ACCOUNT}:instance/*`),
        ],
        Condition: { Null: { 'aws:ResourceTag/AWSElasticDisasterRecoveryManaged': 'false' } },
      },
      {
        Sid: 'PassRecoveryInstanceRole',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: join(
          `:iam::${ACCOUNT}:role/service-role/AWSElasticDisasterRecoveryRecoveryInstance*`,
        ),
        Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      },
      {
        Sid: 'AssumeCrossAccountRoles',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: [ROLE_A, ROLE_B],
      },
    ]);
  });

  it('lets the query function only read DRS and the quotas, and assume the roles', () => {
    const statements = statementsOf(template, policyId('QueryDrsPolicy'));
    expect(statements.map((s) => s.Sid)).toEqual([
      'DescribeDrs',
      'ReadDrsQuotas',
      'ReadDrsDefaultQuotas',
      'AssumeCrossAccountRoles',
    ]);
    expect(statements[0].Action).toEqual(['drs:DescribeSourceServers', 'drs:DescribeJobs']);
  });

  it('maps each cross-account role to its account in the environment', () => {
    expect(dr.config.crossAccountRoles).toEqual({ '210987654321': ROLE_A, '345678901234': ROLE_B });
  });

  it('grants item access on the tables and publishing on the topic, through grants', () => {
    const idOf = (construct: { node: { defaultChild?: unknown } }): string =>
      stack.getLogicalId(construct.node.defaultChild as CfnElement);
    const onTable = (table: 'limiterTable' | 'leaseTable'): object =>
      Match.objectLike({
        Action: Match.arrayWith(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
        Resource: Match.arrayWith([{ 'Fn::GetAtt': [idOf(dr[table]), 'Arn'] }]),
      });
    const publish = Match.objectLike({ Action: 'sns:Publish' });
    const defaultPolicyOf = (fn: 'executionFunction' | 'queryFunction', statements: object[]) => ({
      Roles: [{ Ref: idOf(dr[fn].role) }],
      PolicyDocument: { Statement: Match.arrayWith(statements) },
    });
    template.hasResourceProperties(
      'AWS::IAM::Policy',
      defaultPolicyOf('executionFunction', [
        onTable('limiterTable'),
        onTable('leaseTable'),
        publish,
      ]),
    );
    // The query function reads the leases (starts in flight) and never writes them.
    const readLeases = Match.objectLike({
      Action: 'dynamodb:GetItem',
      Resource: Match.arrayWith([{ 'Fn::GetAtt': [idOf(dr.leaseTable), 'Arn'] }]),
    });
    template.hasResourceProperties(
      'AWS::IAM::Policy',
      defaultPolicyOf('queryFunction', [onTable('limiterTable'), readLeases, publish]),
    );
  });

  it('grants no sts:AssumeRole without cross-account roles', () => {
    const { template: plain } = synthesize(validProps());
    const drsPolicies = plain.findResources('AWS::IAM::Policy', {
      Properties: { PolicyName: DRS_POLICY_NAME },
    });
    expect(Object.keys(drsPolicies)).toHaveLength(2);
    expect(JSON.stringify(drsPolicies)).not.toContain('sts:AssumeRole');
  });
});

describe('DisasterRecoveryOrchestration construct: options', () => {
  it('uses a given topic, subscribes the emails and creates no topic', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Existing', { enforceSSL: true });
    new DisasterRecoveryOrchestration(
      stack,
      'Dr',
      validProps({ alerts: { topic, emails: ['a@example.com', 'b@example.com'] } }),
    );
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 3); // the given one + one per function
    template.resourcePropertiesCountIs('AWS::SNS::Topic', { TopicName: 'DRS-RateLimitAlerts' }, 0);
    template.resourcePropertiesCountIs(
      'AWS::SNS::Subscription',
      {
        Protocol: 'email',
        TopicArn: { Ref: stack.getLogicalId(topic.node.defaultChild as CfnElement) },
      },
      2,
    );
  });

  it('passes the limiter, throttler, alarm, function and table settings through', () => {
    const { dr, template } = synthesize(
      validProps({
        alerts: { topicName: 'dr-alerts' },
        rateLimit: { limiter: 'local', ratePerSecond: 5, burst: 8 },
        jobThrottler: {
          maxActiveJobs: 12,
          timeout: Duration.minutes(5),
          pollInterval: Duration.seconds(10),
        },
        alarms: { rateLimitErrorThreshold: 25, retriesExhaustedThreshold: 1 },
        functions: { namePrefix: 'dr', timeout: Duration.minutes(6), memorySize: 512 },
        tables: { removalPolicy: RemovalPolicy.RETAIN },
      }),
    );
    expect(dr.config).toMatchObject({
      limiterMode: 'local',
      ratePerSecond: 5,
      burst: 8,
      jobThreshold: 12,
      throttlerTimeoutSeconds: 300,
      pollIntervalSeconds: 10,
      leaseTtlSeconds: 900,
    });
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'dr-alerts' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'dr-drs-rate-limit-errors',
      Threshold: 25,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'dr-drs-retries-exhausted',
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'dr-execution',
      Timeout: 360,
      MemorySize: 512,
    });
    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });
});
