import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { TaskStarterEnvVars, parseTaskStarterConfig } from '../../src/task-starter/contract.js';
import { EcsTaskStarter, RECONCILE_DISABLED_WARNING_ID } from '../../src/task-starter/construct.js';
import {
  CLUSTER_ARN,
  TARGET_GROUP_ARN,
  TARGET_GROUP_ARN_2,
  newStack,
  synthesize,
  validProps,
} from './construct-support.js';

type RuleProps = {
  EventPattern?: Record<string, unknown>;
  ScheduleExpression?: string;
  Targets: { Arn: unknown; DeadLetterConfig?: unknown; RetryPolicy?: unknown }[];
};

function rules(template: ReturnType<typeof synthesize>['template']): Record<string, RuleProps> {
  return Object.fromEntries(
    Object.entries(template.findResources('AWS::Events::Rule')).map(([id, r]) => [
      id,
      (r as { Properties: RuleProps }).Properties,
    ]),
  );
}

function ruleNamed(template: ReturnType<typeof synthesize>['template'], prefix: string): RuleProps {
  const found = Object.entries(rules(template)).find(([id]) => id.startsWith(`Starter${prefix}`));
  if (found === undefined) throw new Error(`no rule ${prefix}`);
  return found[1];
}

describe('task starter construct: rules', () => {
  it('starts on the default start pattern and watches only the kit tasks of the cluster', () => {
    // Act
    const { template } = synthesize(validProps());
    // Assess
    expect(ruleNamed(template, 'StartRule').EventPattern).toEqual({
      source: ['aws-ops-kit.task-starter'],
      'detail-type': ['Start ECS Task'],
    });
    expect(ruleNamed(template, 'TaskStateRule').EventPattern).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: {
        startedBy: [{ prefix: 'aws-ops-kit/' }],
        lastStatus: ['RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'],
        clusterArn: [
          {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':ecs:eu-west-1:123456789012:cluster/apps'],
            ],
          },
        ],
      },
    });
  });

  it('filters on the cluster ARN as given', () => {
    // Act
    const { template } = synthesize(validProps({ cluster: CLUSTER_ARN }));
    // Assess
    const detail = ruleNamed(template, 'TaskStateRule').EventPattern?.detail as {
      clusterArn: unknown;
    };
    expect(detail.clusterArn).toEqual([CLUSTER_ARN]);
  });

  it('turns another event (a CloudWatch alarm) into a start event with startEvent.input', () => {
    // Prepare
    const stack = newStack();
    // Act
    new EcsTaskStarter(stack, 'Starter', {
      ...validProps(),
      startEvent: {
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          detail: { state: { value: ['ALARM'] } },
        },
        input: events.RuleTargetInput.fromObject({
          id: events.EventField.eventId,
          time: events.EventField.time,
          detail: { count: 2 },
        }),
      },
    });
    const resources = Template.fromStack(stack).findResources('AWS::Events::Rule') as Record<
      string,
      { Properties: { Targets: { InputTransformer?: { InputTemplate: string } }[] } }
    >;
    const start = Object.entries(resources).find(([id]) => id.startsWith('StarterStartRule'))?.[1];
    // Assess: the target sends the transformed event, the pattern is the alarm's
    const template = start?.Properties.Targets[0]?.InputTransformer?.InputTemplate ?? '';
    expect(template).toContain('"detail":{"count":2}');
    expect(template).toContain('"id":<id>');
  });

  it('takes a custom start pattern and bus, and a custom startedBy prefix', () => {
    // Prepare
    const stack = newStack();
    const bus = new events.EventBus(stack, 'Bus');
    // Act
    new EcsTaskStarter(stack, 'Starter', {
      ...validProps(),
      startEvent: {
        eventBus: bus,
        eventPattern: { source: ['shop.orders'], detailType: ['Order Placed'] },
      },
      startedByPrefix: 'shop',
    });
    const resources = Template.fromStack(stack).findResources('AWS::Events::Rule') as Record<
      string,
      { Properties: RuleProps & { EventBusName?: unknown } }
    >;
    const start = Object.entries(resources).find(([id]) => id.startsWith('StarterStartRule'))?.[1];
    const state = Object.entries(resources).find(([id]) =>
      id.startsWith('StarterTaskStateRule'),
    )?.[1];
    // Assess
    expect(start?.Properties.EventPattern).toEqual({
      source: ['shop.orders'],
      'detail-type': ['Order Placed'],
    });
    expect(start?.Properties.EventBusName).toEqual({
      Ref: expect.stringMatching(/^Bus/) as unknown,
    });
    expect((state?.Properties.EventPattern?.detail as { startedBy: unknown }).startedBy).toEqual([
      { prefix: 'shop/' },
    ]);
    // ECS events arrive on the default bus only.
    expect(state?.Properties.EventBusName).toBeUndefined();
  });

  it('sends undeliverable events of every rule to the dead-letter queue, with retries', () => {
    // Act
    const { template } = synthesize(validProps());
    // Assess
    const all = Object.values(rules(template));
    expect(all).toHaveLength(3);
    for (const rule of all) {
      expect(rule.Targets[0].DeadLetterConfig).toEqual({
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^StarterDeadLetterQueue/) as unknown, 'Arn'] },
      });
      expect(rule.Targets[0].RetryPolicy).toEqual({
        MaximumEventAgeInSeconds: 3600,
        MaximumRetryAttempts: 4,
      });
    }
  });

  it('schedules the reconcile at the configured rate, or not at all', () => {
    // Act
    const every = synthesize(validProps({ reconcile: { interval: Duration.minutes(15) } }));
    const none = synthesize(validProps({ reconcile: { enabled: false } }));
    // Assess
    expect(ruleNamed(every.template, 'ReconcileSchedule').ScheduleExpression).toBe(
      'rate(15 minutes)',
    );
    expect(every.starter.reconcileFunction).toBeDefined();
    expect(Object.keys(rules(none.template))).toHaveLength(2);
    expect(none.starter.reconcileFunction).toBeUndefined();
    none.template.resourceCountIs('AWS::Lambda::Function', 2);
  });
});

describe('task starter construct: reconcile disabled', () => {
  it('warns at synth time that deferred registrations and lost events are then left to the operator', () => {
    // Act
    const off = synthesize(validProps({ reconcile: { enabled: false } }));
    const on = synthesize(validProps());
    // Assess
    const warnings = (stack: typeof off.stack) =>
      Annotations.fromStack(stack)
        .findWarning('*', Match.stringLikeRegexp('reconcile'))
        .map((w) => w.entry.data as string);
    expect(warnings(off.stack)).toEqual([
      expect.stringMatching(
        /reconcile\.enabled is false: registrations deferred .* docs\/task-starter\.md.*\[ack: aws-ops-kit:task-starter:reconcile-disabled\]/,
      ),
    ]);
    expect(warnings(on.stack)).toEqual([]);
    expect(RECONCILE_DISABLED_WARNING_ID).toBe('aws-ops-kit:task-starter:reconcile-disabled');
  });
});

describe('task starter construct: functions and environment', () => {
  it('gives every function the contract environment, which the handlers parse back', () => {
    // Act
    const { starter, template } = synthesize(
      validProps({
        containerName: 'app',
        containerPort: 8080,
        targetGroupVpcCidrs: ['10.0.0.0/16'],
      }),
    );
    // Assess
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: Match.objectLike({}) },
    });
    expect(Object.keys(functions)).toHaveLength(3);
    const env = (
      Object.values(functions)[0] as {
        Properties: { Environment: { Variables: Record<string, string> } };
      }
    ).Properties.Environment.Variables;
    const config = parseTaskStarterConfig(env);
    expect(config.defaults).toMatchObject({
      cluster: 'apps',
      taskDefinition: 'web',
      targetGroupArn: TARGET_GROUP_ARN,
      containerName: 'app',
      port: 8080,
      subnets: ['subnet-0123abcd'],
      securityGroups: ['sg-0123abcd'],
      launchType: 'FARGATE',
    });
    expect(config.allowedTargetGroupArns).toEqual([TARGET_GROUP_ARN, TARGET_GROUP_ARN_2]);
    expect(config.allowedTaskDefinitionFamilies).toEqual(['web']);
    expect(config.allowedClusters).toEqual(['apps']);
    expect(config.targetGroupVpcCidrs).toEqual(['10.0.0.0/16']);
    expect(env[TaskStarterEnvVars.startedByPrefix]).toBe('aws-ops-kit');
    expect(starter.mode).toBe('event-driven');
  });

  it('uses the start-sync handler in synchronous mode with a timeout that covers the waits', () => {
    // Act
    const { starter, template } = synthesize(
      validProps({
        mode: 'synchronous',
        taskWaitTimeout: Duration.minutes(3),
        waitForHealthy: Duration.seconds(60),
      }),
    );
    // Assess
    expect(starter.mode).toBe('synchronous');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'ECS task starter: starts tasks, waits for RUNNING and registers them',
      Timeout: 180 + 60 + 30,
    });
    // The task-state function waits for healthy too.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'ECS task starter: registers running tasks, deregisters stopped ones',
      Timeout: 90,
    });
  });

  it('maps assignPublicIp, function settings and names onto the functions', () => {
    // Act
    const on = synthesize(
      validProps({
        assignPublicIp: true,
        functions: { namePrefix: 'shop-web', memorySize: 512 },
        waitForHealthy: Duration.minutes(10),
      }),
    );
    const off = synthesize(validProps({ assignPublicIp: false }));
    // Assess
    on.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'shop-web-start',
      MemorySize: 512,
      Environment: {
        Variables: Match.objectLike({ [TaskStarterEnvVars.assignPublicIp]: 'ENABLED' }),
      },
    });
    on.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'shop-web-task-state',
      Timeout: 630,
    });
    on.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'shop-web-reconcile',
      Timeout: 120,
    });
    off.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [TaskStarterEnvVars.assignPublicIp]: 'DISABLED' }),
      },
    });
    expect(on.starter.namePrefix).toBe('shop-web');
  });

  it.each(['event-driven', 'synchronous'] as const)(
    'in %s mode retries task-state and reconcile twice, the start function never, all into the dead-letter queue',
    (mode) => {
      // Act
      const { template } = synthesize(validProps({ mode }));
      // Assess
      const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')) as {
        Properties: {
          FunctionName: { Ref: string };
          MaximumRetryAttempts: number;
          DestinationConfig: { OnFailure: { Destination: unknown } };
        };
      }[];
      const retriesByFunction = Object.fromEntries(
        configs.map((c) => [
          c.Properties.FunctionName.Ref.replace(/^Starter(\w+Function).*$/, '$1'),
          c.Properties.MaximumRetryAttempts,
        ]),
      );
      expect(retriesByFunction).toEqual({
        StartFunction: 0,
        TaskStateFunction: 2,
        ReconcileFunction: 2,
      });
      for (const config of configs) {
        expect(config.Properties.DestinationConfig.OnFailure.Destination).toEqual({
          'Fn::GetAtt': [expect.stringMatching(/^StarterDeadLetterQueue/) as unknown, 'Arn'],
        });
      }
    },
  );
});

describe('task starter construct: alarms', () => {
  it('alarms on start failures and dead-letter depth to the start function topic', () => {
    // Act
    const { starter, template } = synthesize(validProps({ alarms: { startFailureThreshold: 3 } }));
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AwsOpsKit/TaskStarter',
      MetricName: 'StartFailures',
      Dimensions: [{ Name: 'service', Value: 'task-starter' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^StarterStartFunctionAlarmTopic') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(starter.alarmTopic).toBe(starter.startFunction.alarmTopic);
  });

  it('notifies a given topic instead', () => {
    // Prepare
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Pager');
    // Act
    const starter = new EcsTaskStarter(stack, 'Starter', validProps({ alarms: { topic } }));
    // Assess
    expect(starter.alarmTopic).toBe(topic);
    expect(stack.resolve(starter.startFailureAlarm.alarmArn)).toBeDefined();
  });
});
