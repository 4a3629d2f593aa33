import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { FunctionCode, MonitoredFunction } from '../../src/monitored-function/index.js';
import { expectNoNagFindings, formatNagFindings, nagFindings } from '../helpers/cdk-nag.js';
import { NODE_ENTRY, PYTHON_SOURCE_DIR, newStack, pythonProps } from './support.js';

describe('cdk-nag: AwsSolutions', () => {
  it('a fully-featured stack has zero unacknowledged findings and passes strict CloudFormation validation', () => {
    // Prepare
    const { stack } = newStack({ cfnValidation: true });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
    });
    const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(
      stack,
      'Sg',
      'sg-0123456789abcdef0',
    );
    const key = new kms.Key(stack, 'Key', {
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const readOrders = new iam.ManagedPolicy(stack, 'ReadOrders', {
      statements: [
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem'],
          resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/orders'],
        }),
      ],
    });
    const failures = new sqs.Queue(stack, 'Failures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    // The test's own queue (not the construct's): cdk-nag only recognises queues used as a
    // function DeadLetterConfig or an SQS redrive target as dead-letter queues.
    Validations.of(failures.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the on-failure destination of full-python: failed events end here.',
    });

    // Act
    new MonitoredFunction(stack, 'Python', {
      functionName: 'full-python',
      code: FunctionCode.python({
        sourceDir: PYTHON_SOURCE_DIR,
        runtime: lambda.Runtime.PYTHON_3_15,
      }),
      architecture: lambda.Architecture.X86_64,
      timeout: Duration.minutes(5),
      memorySize: 512,
      environment: { STAGE: 'test' },
      description: 'Every option of MonitoredFunction',
      tags: { team: 'platform' },
      additionalPolicies: [readOrders],
      logs: {
        retention: logs.RetentionDays.THREE_MONTHS,
        encryptionKey: key,
        removalPolicy: RemovalPolicy.DESTROY,
      },
      alarms: {
        emails: ['ops@example.com', 'oncall@example.com'],
        topics: [
          sns.Topic.fromTopicArn(stack, 'Pager', 'arn:aws:sns:eu-west-1:123456789012:pager'),
        ],
        topicEncryptionKey: key,
        notifyOnOk: true,
        errors: {
          strategy: 'threshold',
          thresholdPercent: 2,
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
        },
        duration: { thresholdPercent: 75 },
        memory: { thresholdPercent: 85 },
      },
      vpc: {
        vpc,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [securityGroup],
      },
      async: {
        retryAttempts: 2,
        maxEventAge: Duration.hours(2),
        deadLetterQueue: true,
        onFailure: new destinations.SqsDestination(failures),
      },
      concurrency: { reserved: 10, provisioned: 2 },
      tracing: true,
      insights: { version: lambda.LambdaInsightsVersion.VERSION_1_0_498_0 },
      dashboard: {},
    });
    new MonitoredFunction(stack, 'Node', {
      functionName: 'full-node',
      code: FunctionCode.nodejs({ entry: NODE_ENTRY }),
      alarms: { emails: ['ops@example.com'] },
      tracing: true,
      vpc: {
        vpc,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [securityGroup],
      },
    });
    const template = Template.fromStack(stack);

    // Assess
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(9);
    expectNoNagFindings(stack);
  });

  it('reports an older runtime (L1) — the construct does not hide the user choice', () => {
    // Prepare
    const { stack } = newStack();
    new MonitoredFunction(stack, 'Fn', pythonProps());

    // Act
    const findings = nagFindings(stack);

    // Assess
    expect(findings).toEqual([
      {
        ruleId: 'AwsSolutions-L1',
        level: 'error',
        constructPath: 'TestStack/Fn/Function/Resource',
        description:
          'The non-container Lambda function is not configured to use the latest runtime version.',
      },
    ]);
  });

  it('never hides wildcards that users add to the role', () => {
    // Prepare
    const { stack } = newStack();
    const fn = new MonitoredFunction(
      stack,
      'Fn',
      pythonProps({
        code: FunctionCode.python({
          sourceDir: PYTHON_SOURCE_DIR,
          runtime: lambda.Runtime.PYTHON_3_15,
        }),
        tracing: true,
      }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));

    // Act
    const act = (): void => expectNoNagFindings(stack);

    // Assess
    expect(act).toThrow(
      'cdk-nag reported 1 unacknowledged finding(s) in TestStack:\n' +
        '[error] AwsSolutions-IAM5[Resource::*] at TestStack/Fn/Role/DefaultPolicy/Resource: The IAM entity contains wildcard permissions and does not have a cdk-nag rule suppression with evidence for those permission.\n' +
        'Fix the resource, or acknowledge the finding on that resource with',
    );
  });

  it('formats findings one per line', () => {
    expect(
      formatNagFindings([
        {
          ruleId: 'AwsSolutions-SQS3',
          level: 'error',
          constructPath: 'S/Q/Resource',
          description: 'No DLQ.',
        },
        {
          ruleId: 'AwsSolutions-X1',
          level: 'warning',
          constructPath: 'S/X/Resource',
          description: 'Hm.',
        },
      ]),
    ).toBe(
      '[error] AwsSolutions-SQS3 at S/Q/Resource: No DLQ.\n[warning] AwsSolutions-X1 at S/X/Resource: Hm.',
    );
  });
});
