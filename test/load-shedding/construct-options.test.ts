import { Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { LoadSheddingEnvVars as V } from '../../src/load-shedding/contract.js';
import { LoadShedding, ZERO_DELAY_WARNING } from '../../src/load-shedding/construct.js';
import { evaluateIntrinsics } from './construct-intrinsics.js';
import {
  ALARM_ARN,
  LISTENER_ARN,
  TARGET_GROUP_ARN,
  newStack,
  synthesize,
  validProps,
} from './construct-support.js';

type Variables = Record<string, unknown>;

/** The environment of the check function (both functions get the same). */
function environmentOf(template: Template): Variables {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
    Properties: { FunctionName: string; Environment: { Variables: Variables } };
  }[];
  const fn = functions.find((f) => f.Properties.FunctionName.endsWith('-check-queue'));
  return fn?.Properties.Environment.Variables ?? {};
}

/** The alarm the construct created (the functions' own alarms are in AWS/Lambda and AWS/SQS). */
function createdAlarmOf(template: Template): Record<string, unknown> {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
    Properties: Record<string, unknown>;
  }[];
  const own = alarms.filter(
    (alarm) => !['AWS/Lambda', 'AWS/SQS'].includes(String(alarm.Properties.Namespace)),
  );
  expect(own).toHaveLength(1);
  return own[0].Properties;
}

describe('LoadShedding construct: policy, dry run and metrics', () => {
  it('passes every policy setting, dry run and the namespace to both functions', () => {
    // Act
    const { template } = synthesize(
      validProps({
        policy: {
          shedPercent: 10,
          restorePercent: 20,
          maxShedPercent: 50,
          shedDelay: Duration.seconds(90),
          restoreDelay: Duration.minutes(5),
          maxInsufficientDataChecks: 7,
        },
        dryRun: true,
        metricsNamespace: 'Shop/LoadShedding',
      }),
    );

    // Assess
    expect(environmentOf(template)).toMatchObject({
      [V.shedPercent]: '10',
      [V.restorePercent]: '20',
      [V.maxShedPercent]: '50',
      [V.shedDelaySeconds]: '90',
      [V.restoreDelaySeconds]: '300',
      [V.maxInsufficientDataChecks]: '7',
      [V.dryRun]: 'true',
      [V.metricsNamespace]: 'Shop/LoadShedding',
    });
  });

  it('accepts delays of 0 (tests, demos) and warns that steps can then overlap', () => {
    const { stack, template } = synthesize(
      validProps({ policy: { shedDelay: Duration.seconds(0), restoreDelay: Duration.seconds(0) } }),
    );
    expect(environmentOf(template)).toMatchObject({
      [V.shedDelaySeconds]: '0',
      [V.restoreDelaySeconds]: '0',
    });
    const warnings = Annotations.fromStack(stack).findWarning(
      '/TestStack/Shedding',
      Match.stringLikeRegexp(
        `policy\\.(shed|restore)Delay is 0 s.*\\[ack: ${ZERO_DELAY_WARNING}\\]`,
      ),
    );
    expect(warnings).toHaveLength(2);
  });

  it('does not warn with the default delays', () => {
    const { stack } = synthesize(validProps());
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(ZERO_DELAY_WARNING));
  });
});

describe('LoadShedding construct: functions', () => {
  it('applies name prefix, timeout, memory, architecture, tracing and log retention to both functions', () => {
    // Act
    const { template, shedding } = synthesize(
      validProps({
        functions: {
          namePrefix: 'shop-shedding',
          timeout: Duration.seconds(45),
          memorySize: 512,
          architecture: lambda.Architecture.X86_64,
          tracing: true,
          logs: { retention: logs.RetentionDays.ONE_MONTH },
        },
      }),
    );

    // Assess
    expect(shedding.namePrefix).toBe('shop-shedding');
    for (const name of ['shop-shedding-alarm-event', 'shop-shedding-check-queue']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: name,
        Timeout: 45,
        MemorySize: 512,
        Architectures: ['x86_64'],
        TracingConfig: { Mode: 'Active' },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/lambda/${name}`,
        RetentionInDays: 30,
      });
    }
    // Lambda's guidance for SQS event sources: visibility timeout ≥ 6 × the function timeout.
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 6 * 45 });
    expect(createdAlarmOf(template).AlarmName).toBe('shop-shedding-overload');
  });

  it('passes the monitoring options to both functions: extra topics, no emails outside ISO27001 mode, error rate', () => {
    // Prepare
    const stack = newStack();
    const pager = new sns.Topic(stack, 'Pager');

    // Act
    new LoadShedding(
      stack,
      'Shedding',
      validProps({
        monitoring: {
          iso27001: false,
          topics: [pager],
          notifyOnOk: true,
          errors: { strategy: 'threshold', thresholdPercent: 10 },
        },
      }),
    );
    const template = Template.fromStack(stack);

    // Assess
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const pagerRef = { Ref: stack.getLogicalId(pager.node.defaultChild as CfnElement) };
    const errorAlarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: Match.stringLikeRegexp('-(alarm-event|check-queue)-errors$') },
    });
    expect(Object.keys(errorAlarms)).toHaveLength(2);
    for (const alarm of Object.values(errorAlarms) as { Properties: Record<string, unknown> }[]) {
      expect(alarm.Properties.AlarmActions).toContainEqual(pagerRef);
      expect(alarm.Properties.OKActions).toContainEqual(pagerRef);
      expect(alarm.Properties.Threshold).toBe(10);
    }
  });

  it('sends alarm mail to every address, through each function’s topic', () => {
    const { template } = synthesize(
      validProps({ monitoring: { emails: ['ops@example.com', 'oncall@example.com'] } }),
    );
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.resourceCountIs('AWS::SNS::Subscription', 4);
  });
});

describe('LoadShedding construct: state table', () => {
  it('deletes the table with the stack when asked to', () => {
    const { template } = synthesize(
      validProps({ stateTable: { removalPolicy: RemovalPolicy.DESTROY } }),
    );
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });
});

describe('LoadShedding construct: alarm definition', () => {
  it('applies a percentile statistic as ExtendedStatistic', () => {
    const { template } = synthesize(
      validProps({
        alarm: { metricName: 'TargetResponseTime', statistic: 'p99', threshold: 0.8 },
      }),
    );
    expect(createdAlarmOf(template)).toMatchObject({
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p99',
      Threshold: 0.8,
      // TargetResponseTime exists only per load balancer: the default dimensions fit it too.
      Dimensions: [
        { Name: 'LoadBalancer', Value: 'app/shop-alb/50dc6c495c0c9188' },
        { Name: 'TargetGroup', Value: 'targetgroup/shop-blue/73e2d6bc24d8a067' },
      ],
    });
    expect(createdAlarmOf(template).Statistic).toBeUndefined();
  });

  it.each([
    ['Average', { Statistic: 'Average' }],
    ['Maximum', { Statistic: 'Maximum' }],
    ['SampleCount', { Statistic: 'SampleCount' }],
    ['tm90', { ExtendedStatistic: 'tm90' }],
    ['TM(10%:90%)', { ExtendedStatistic: 'TM(10%:90%)' }],
  ])('applies the statistic %s as written', (statistic, expected) => {
    const { template } = synthesize(validProps({ alarm: { statistic, threshold: 1 } }));
    const alarm = createdAlarmOf(template);
    expect(alarm).toMatchObject(expected);
    expect(alarm.Statistic === undefined).toBe(alarm.ExtendedStatistic !== undefined);
  });

  it('creates the alarm from every field of the definition', () => {
    const { template } = synthesize(
      validProps({
        alarm: {
          namespace: 'Shop/Checkout',
          metricName: 'QueueDepth',
          dimensions: { Service: 'checkout' },
          statistic: 'Maximum',
          threshold: 1000,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
          period: Duration.minutes(5),
          treatMissingData: cloudwatch.TreatMissingData.MISSING,
          alarmName: 'checkout-queue-too-deep',
          description: 'Checkout is falling behind',
        },
      }),
    );
    expect(createdAlarmOf(template)).toEqual({
      AlarmName: 'checkout-queue-too-deep',
      AlarmDescription: 'Checkout is falling behind',
      Namespace: 'Shop/Checkout',
      MetricName: 'QueueDepth',
      Dimensions: [{ Name: 'Service', Value: 'checkout' }],
      Statistic: 'Maximum',
      Threshold: 1000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      Period: 300,
      TreatMissingData: 'missing',
    });
  });

  it('adds no dimensions of its own outside AWS/ApplicationELB', () => {
    const { template } = synthesize(
      validProps({ alarm: { namespace: 'Shop/Checkout', metricName: 'Latency', threshold: 2 } }),
    );
    expect(createdAlarmOf(template).Dimensions).toBeUndefined();
  });

  it('derives the default dimensions at deploy time from ARNs of the same app', () => {
    // Prepare: a target group and a listener whose ARNs are known at deploy time only.
    const stack = newStack();
    const targetGroup = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'Tg', {
      targetGroupArn: Fn.importValue('ShopTargetGroupArn'),
    });
    const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'L', {
      listenerArn: Fn.importValue('ShopListenerArn'),
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0'),
    });

    // Act
    new LoadShedding(
      stack,
      'Shedding',
      validProps({ primaryTargetGroup: targetGroup, listeners: [listener] }),
    );
    const template = Template.fromStack(stack);

    // Assess
    const imports = { ShopTargetGroupArn: TARGET_GROUP_ARN, ShopListenerArn: LISTENER_ARN };
    expect(evaluateIntrinsics(createdAlarmOf(template).Dimensions, { imports })).toEqual([
      { Name: 'LoadBalancer', Value: 'app/shop-alb/50dc6c495c0c9188' },
      { Name: 'TargetGroup', Value: 'targetgroup/shop-blue/73e2d6bc24d8a067' },
    ]);
    const environment = environmentOf(template);
    expect(evaluateIntrinsics(environment[V.primaryTargetGroupArn], { imports })).toBe(
      TARGET_GROUP_ARN,
    );
    expect(evaluateIntrinsics(environment[V.listenerArns], { imports })).toBe(
      JSON.stringify([LISTENER_ARN]),
    );
  });
});

describe('LoadShedding construct: existing alarm', () => {
  it('uses an imported alarm as it is: its name in the environment, its ARN in the rule, no alarm created', () => {
    // Prepare
    const stack = newStack();
    const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Existing', ALARM_ARN);

    // Act
    const shedding = new LoadShedding(stack, 'Shedding', validProps({ alarm }));
    const template = Template.fromStack(stack);

    // Assess
    expect(shedding.alarm).toBe(alarm);
    expect(environmentOf(template)[V.alarmName]).toBe('shop-overload');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: [ALARM_ARN],
      },
    });
    const own = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Namespace: 'AWS/ApplicationELB' },
    });
    expect(own).toEqual({});
  });

  it('accepts a composite alarm of the same stack', () => {
    // Prepare
    const stack = newStack();
    const latency = new cloudwatch.Alarm(stack, 'Latency', {
      metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Latency' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    const composite = new cloudwatch.CompositeAlarm(stack, 'Overload', {
      alarmRule: cloudwatch.AlarmRule.fromAlarm(latency, cloudwatch.AlarmState.ALARM),
    });

    // Act
    new LoadShedding(stack, 'Shedding', validProps({ alarm: composite }));
    const template = Template.fromStack(stack);

    // Assess
    const compositeId = stack.getLogicalId(composite.node.defaultChild as CfnElement);
    expect(environmentOf(template)[V.alarmName]).toEqual({ Ref: compositeId });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { resources: [{ 'Fn::GetAtt': [compositeId, 'Arn'] }] },
    });
  });
});

describe('LoadShedding construct: environment-agnostic stacks', () => {
  it('synthesizes without an account or region (the ARNs cannot be checked against the stack)', () => {
    const { template } = synthesize(validProps(), { env: null });
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });
});
