import { Fn } from 'aws-cdk-lib';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoadShedding } from '../../src/load-shedding/construct.js';
import { LoadSheddingEnvVars } from '../../src/load-shedding/contract.js';
import type { LoadSheddingAlarmType } from '../../src/load-shedding/contract.js';
import type { LoadSheddingProps } from '../../src/load-shedding/construct-props.js';
import { CONTROL_POLICY_NAME, WILDCARD_REASONS } from '../../src/load-shedding/construct-iam.js';
import { evaluateIntrinsics } from './construct-intrinsics.js';
import {
  ALARM_ARN,
  LISTENER_ARN,
  LISTENER_ARN_2,
  newStack,
  synthesize,
  validProps,
} from './construct-support.js';

const RULES = (listenerArn: string): string =>
  `${listenerArn.replace(':listener/', ':listener-rule/')}/*`;

/** The statements of the AWS::IAM::Policy with this logical id. */
function statementsOf(template: Template, logicalId: string): unknown[] {
  const resources = template.toJSON().Resources as Record<
    string,
    { Properties: { PolicyDocument: { Statement: unknown[] } } }
  >;
  return resources[logicalId].Properties.PolicyDocument.Statement;
}

describe('LoadShedding construct: IAM', () => {
  let stack: Stack;
  let shedding: LoadShedding;
  let template: Template;

  beforeAll(() => {
    ({ stack, shedding, template } = synthesize(validProps()));
  });

  const idOf = (construct: IConstruct): string =>
    stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const controlPolicyOf = (role: 'AlarmEventPolicy' | 'CheckQueuePolicy'): string =>
    idOf(shedding.node.findChild(role));

  const elbStatements = [
    {
      Sid: 'ReadListenerRules',
      Effect: 'Allow',
      Action: 'elasticloadbalancing:DescribeRules',
      Resource: '*',
    },
    {
      Sid: 'WriteListenerRules',
      Effect: 'Allow',
      Action: 'elasticloadbalancing:ModifyRule',
      Resource: [RULES(LISTENER_ARN), RULES(LISTENER_ARN_2)],
    },
    {
      Sid: 'WriteDefaultRules',
      Effect: 'Allow',
      Action: 'elasticloadbalancing:ModifyListener',
      Resource: [LISTENER_ARN, LISTENER_ARN_2],
    },
  ];

  it('lets the alarm-event function read the rules and modify only the rules of the given listeners', () => {
    expect(statementsOf(template, controlPolicyOf('AlarmEventPolicy'))).toEqual(elbStatements);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: CONTROL_POLICY_NAME,
      Roles: [{ Ref: idOf(shedding.alarmEventFunction.role) }],
    });
  });

  it('lets the check function do the same and read the alarm state (DescribeAlarms on the created alarm only)', () => {
    expect(statementsOf(template, controlPolicyOf('CheckQueuePolicy'))).toEqual([
      ...elbStatements,
      {
        Sid: 'ReadAlarmState',
        Effect: 'Allow',
        Action: 'cloudwatch:DescribeAlarms',
        Resource: { 'Fn::GetAtt': [idOf(shedding.alarm as cloudwatch.Alarm), 'Arn'] },
      },
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: CONTROL_POLICY_NAME,
      Roles: [{ Ref: idOf(shedding.checkQueueFunction.role) }],
    });
  });

  it('grants the state item and sending checks to both, the dead-letter queue to the alarm-event function, consuming the queue to the check function', () => {
    const table = { 'Fn::GetAtt': [idOf(shedding.stateTable), 'Arn'] };
    const queue = { 'Fn::GetAtt': [idOf(shedding.checkQueue), 'Arn'] };
    const dlq = { 'Fn::GetAtt': [idOf(shedding.deadLetterQueue), 'Arn'] };
    const state = {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      Resource: [table],
    };
    const send = { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queue };
    const defaultPolicyOf = (fn: LoadShedding['alarmEventFunction']): string =>
      idOf(fn.role.node.findChild('DefaultPolicy'));

    expect(statementsOf(template, defaultPolicyOf(shedding.alarmEventFunction))).toEqual([
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: dlq },
      state,
      send,
    ]);
    expect(statementsOf(template, defaultPolicyOf(shedding.checkQueueFunction))).toEqual([
      state,
      send,
      {
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueUrl',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ],
        Resource: queue,
      },
    ]);
  });

  it('creates the functions after their control policy, so the first event finds the permissions', () => {
    for (const [fn, policy] of [
      [shedding.alarmEventFunction, 'AlarmEventPolicy'],
      [shedding.checkQueueFunction, 'CheckQueuePolicy'],
    ] as const) {
      const resources = template.toJSON().Resources as Record<string, { DependsOn?: string[] }>;
      expect(resources[idOf(fn.function)].DependsOn).toContain(controlPolicyOf(policy));
    }
  });

  it('lets EventBridge invoke the alarm-event function only from the rule, and write to the dead-letter queue only for it', () => {
    const rule = { 'Fn::GetAtt': [idOf(shedding.alarmStateRule), 'Arn'] };
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [idOf(shedding.alarmEventFunction.function), 'Arn'] },
      SourceArn: rule,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: idOf(shedding.deadLetterQueue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': rule } },
          }),
        ]),
      },
    });
  });
});

describe('LoadShedding construct: IAM for listeners of the same app', () => {
  it('derives the rule pattern from the listener ARN at deploy time, in its own partition', () => {
    // Prepare: a listener whose ARN is only known at deploy time.
    const stack = newStack();
    const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'L', {
      listenerArn: Fn.importValue('ShopListenerArn'),
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0'),
    });
    const shedding = new LoadShedding(stack, 'Shedding', validProps({ listeners: [listener] }));

    // Act
    const template = Template.fromStack(stack);
    const policy = stack.getLogicalId(
      shedding.node.findChild('CheckQueuePolicy').node.defaultChild as CfnElement,
    );
    const [, modifyRule, modifyListener] = statementsOf(template, policy) as {
      Resource: unknown;
    }[];

    // Assess: the deploy-time functions give exactly the literal pattern, in any partition.
    for (const arn of [LISTENER_ARN, LISTENER_ARN.replace('arn:aws:', 'arn:aws-cn:')]) {
      const imports = { ShopListenerArn: arn };
      expect(evaluateIntrinsics(modifyRule.Resource, { imports })).toBe(RULES(arn));
      expect(evaluateIntrinsics(modifyListener.Resource, { imports })).toBe(arn);
    }
  });
});

describe('LoadShedding construct: IAM by alarm kind', () => {
  const WILDCARD = 'Annotation::AwsSolutions-IAM5[Resource::*]';

  /** Builds the construct with the alarm `alarmOf` gives; what the check function gets. */
  function checkAccess(
    alarmOf: (stack: Stack) => LoadSheddingProps['alarm'],
    alarmType?: LoadSheddingAlarmType,
  ) {
    const stack = newStack();
    const alarm = alarmOf(stack);
    const shedding = new LoadShedding(stack, 'Shedding', validProps({ alarm, alarmType }));
    const policy = shedding.node.findChild('CheckQueuePolicy').node.defaultChild as CfnElement;
    const statements = statementsOf(Template.fromStack(stack), stack.getLogicalId(policy)) as {
      Sid?: string;
    }[];
    const acknowledged = Object.assign(
      {},
      ...policy.node.metadata
        .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
        .map((entry) => entry.data as Record<string, string>),
    ) as Record<string, string>;
    const variables = (
      Template.fromStack(stack).toJSON().Resources as Record<
        string,
        { Type: string; Properties: { Environment?: { Variables: Record<string, unknown> } } }
      >
    )[stack.getLogicalId(shedding.checkQueueFunction.function.node.defaultChild as CfnElement)]
      .Properties.Environment?.Variables;
    return {
      alarmArn: stack.resolve(
        typeof alarm === 'object' && 'alarmArn' in alarm ? alarm.alarmArn : shedding.alarm.alarmArn,
      ) as unknown,
      readAlarm: statements.find((statement) => statement.Sid === 'ReadAlarmState'),
      alarmTypeVariable: variables?.[LoadSheddingEnvVars.alarmType],
      wildcardReason: acknowledged[WILDCARD] ?? '',
    };
  }

  const metricAlarm = (stack: Stack): cloudwatch.Alarm =>
    new cloudwatch.Alarm(stack, 'Errors', {
      metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
  const imported = (stack: Stack): cloudwatch.IAlarm =>
    cloudwatch.Alarm.fromAlarmArn(stack, 'Imported', ALARM_ARN);
  const composite = (stack: Stack): cloudwatch.CompositeAlarm =>
    new cloudwatch.CompositeAlarm(stack, 'Composite', {
      alarmRule: cloudwatch.AlarmRule.fromAlarm(metricAlarm(stack), cloudwatch.AlarmState.ALARM),
    });

  it.each([
    ['an alarm definition (created here)', () => ({ threshold: 500 }), undefined],
    ['a cloudwatch.Alarm of the same app', metricAlarm, undefined],
    ['an imported alarm with alarmType metric', imported, 'metric' as const],
  ])(
    'grants DescribeAlarms on exactly the ARN of %s, sets ALARM_TYPE metric, acknowledges no "*" for it',
    (_, alarmOf, alarmType) => {
      // Act
      const access = checkAccess(alarmOf, alarmType);

      // Assess
      expect(access.readAlarm).toEqual({
        Sid: 'ReadAlarmState',
        Effect: 'Allow',
        Action: 'cloudwatch:DescribeAlarms',
        Resource: access.alarmArn,
      });
      expect(access.alarmArn).not.toBe('*');
      expect(access.alarmTypeVariable).toBe('metric');
      expect(access.wildcardReason).toContain('ELBv2 Describe*');
      expect(access.wildcardReason).not.toContain('DescribeAlarms');
    },
  );

  it('gives an imported alarm with alarmType metric its literal ARN', () => {
    expect(checkAccess(imported, 'metric').readAlarm).toMatchObject({ Resource: ALARM_ARN });
  });

  it.each([
    ['a cloudwatch.CompositeAlarm', composite, undefined, 'composite'],
    ['an imported alarm with alarmType composite', imported, 'composite' as const, 'composite'],
    ['an imported alarm of unknown kind', imported, undefined, undefined],
  ])(
    'keeps DescribeAlarms on "*" for %s (composite alarms need it), with the acknowledgement and its reason',
    (_, alarmOf, alarmType, variable) => {
      // Act
      const access = checkAccess(alarmOf, alarmType);

      // Assess
      expect(access.readAlarm).toEqual({
        Sid: 'ReadAlarmState',
        Effect: 'Allow',
        Action: 'cloudwatch:DescribeAlarms',
        Resource: '*',
      });
      expect(access.alarmTypeVariable).toBe(variable);
      expect(access.wildcardReason).toContain(WILDCARD_REASONS.describeAlarms);
    },
  );
});
