import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoadShedding } from '../../src/load-shedding/construct.js';
import type { LoadSheddingProps } from '../../src/load-shedding/construct-props.js';
import {
  LoadSheddingValidationError,
  isValidStatistic,
  toLoadSheddingIssues,
  validateLoadSheddingProps,
} from '../../src/load-shedding/construct-validation.js';
import { LoadSheddingError } from '../../src/load-shedding/errors.js';
import {
  ACCOUNT,
  ALARM_ARN,
  LISTENER_ARN,
  LISTENER_ARN_2,
  REGION,
  TARGET_GROUP_ARN,
  newStack,
  validProps,
} from './construct-support.js';
import type { TestAppOptions } from './construct-support.js';

/** Builds a LoadShedding and returns the validation error it throws (fails if none). */
function validationErrorOf(
  props: LoadSheddingProps,
  options: TestAppOptions = {},
): LoadSheddingValidationError {
  const stack = newStack(options);
  try {
    new LoadShedding(stack, 'Shedding', props);
  } catch (error) {
    expect(error).toBeInstanceOf(LoadSheddingValidationError);
    // Nothing was added to the tree.
    expect(stack.node.tryFindChild('Shedding')).toBeUndefined();
    return error as LoadSheddingValidationError;
  }
  throw new Error('expected a LoadSheddingValidationError');
}

/** Asserts that `props` have exactly one problem, on `prop`, with a message matching `message`. */
function expectOnlyIssue(
  props: LoadSheddingProps,
  prop: string,
  message: RegExp,
  options: TestAppOptions = {},
): void {
  const error = validationErrorOf(props, options);
  expect(error.issues.map((issue) => issue.prop)).toEqual([prop]);
  expect(error.issues[0].message.startsWith(prop)).toBe(true);
  expect(error.issues[0].message).toMatch(message);
  expect(error.message).toBe(`LoadShedding(Shedding): ${error.issues[0].message}`);
}

const otherRegion = (arn: string): string => arn.replace(`:${REGION}:`, ':us-east-1:');
const A = validProps().alarm;

describe('LoadShedding validation: target group and listeners', () => {
  it('requires the primary target group', () => {
    expectOnlyIssue(
      validProps({ primaryTargetGroup: undefined as never }),
      'primaryTargetGroup',
      /is required/,
    );
  });

  it('rejects a primary that is not a target group ARN', () => {
    expectOnlyIssue(
      validProps({ primaryTargetGroup: LISTENER_ARN }),
      'primaryTargetGroup',
      /must be an ELBv2 target group ARN like arn:aws:elasticloadbalancing:.*got 'arn:aws:elasticloadbalancing:.*:listener\//,
    );
  });

  it('requires at least one listener', () => {
    expectOnlyIssue(validProps({ listeners: [] }), 'listeners', /at least one/);
  });

  it('rejects a Network Load Balancer listener: weighted forwarding is ALB only', () => {
    expectOnlyIssue(
      validProps({ listeners: [LISTENER_ARN, LISTENER_ARN.replace('/app/', '/net/')] }),
      'listeners[1]',
      /Application Load Balancer listener ARN \(listener\/app\/\.\.\.\).*got '.*listener\/net\//,
    );
  });

  it('rejects an empty listener entry', () => {
    expectOnlyIssue(
      validProps({ listeners: [''] }),
      'listeners[0]',
      /IApplicationListener or a listener ARN/,
    );
  });

  it('rejects a listener listed twice', () => {
    expectOnlyIssue(
      validProps({ listeners: [LISTENER_ARN, LISTENER_ARN_2, LISTENER_ARN] }),
      'listeners[2]',
      /repeats listeners\[0\]/,
    );
  });

  it('rejects a listener in another region than the primary', () => {
    expectOnlyIssue(
      validProps({ listeners: [otherRegion(LISTENER_ARN)] }),
      'listeners[0]',
      /is in aws\/us-east-1, but primaryTargetGroup is in aws\/eu-west-1/,
      { env: null },
    );
  });

  it('rejects a listener in another partition than the primary', () => {
    const china = LISTENER_ARN.replace('arn:aws:', 'arn:aws-cn:').replace(REGION, 'cn-north-1');
    expectOnlyIssue(
      validProps({ listeners: [china] }),
      'listeners[0]',
      /is in aws-cn\/cn-north-1, but primaryTargetGroup is in aws\/eu-west-1/,
      { env: null },
    );
  });

  it('rejects ARNs of another region than the stack', () => {
    const error = validationErrorOf(
      validProps({
        primaryTargetGroup: otherRegion(TARGET_GROUP_ARN),
        listeners: [otherRegion(LISTENER_ARN)],
      }),
    );
    expect(error.issues.map((issue) => issue.prop)).toEqual(['primaryTargetGroup', 'listeners[0]']);
    expect(error.issues[0].message).toMatch(
      /is in region us-east-1, but the stack deploys to eu-west-1: deploy the LoadShedding stack to the load balancer's region/,
    );
  });

  it('rejects ARNs of another account than the stack', () => {
    const error = validationErrorOf(validProps({ listeners: [LISTENER_ARN] }), {
      env: { account: '210987654321', region: REGION },
    });
    expect(error.issues.map((issue) => issue.prop)).toEqual(['primaryTargetGroup', 'listeners[0]']);
    expect(error.issues[0].message).toMatch(
      /is in account 123456789012, but the stack deploys to 210987654321: ELBv2 rules can only be changed from their own account/,
    );
  });

  it('accepts ARNs of any partition in a stack of that region', () => {
    const gov = (arn: string): string =>
      arn.replace('arn:aws:', 'arn:aws-us-gov:').replace(REGION, 'us-gov-west-1');
    const stack = newStack({ env: { account: ACCOUNT, region: 'us-gov-west-1' } });
    expect(
      () =>
        new LoadShedding(
          stack,
          'Shedding',
          validProps({ primaryTargetGroup: gov(TARGET_GROUP_ARN), listeners: [gov(LISTENER_ARN)] }),
        ),
    ).not.toThrow();
  });
});

describe('LoadShedding validation: alarmType', () => {
  const metricAlarm = (): cloudwatch.Alarm =>
    new cloudwatch.Alarm(newStack(), 'Errors', {
      metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
  const imported = (): cloudwatch.IAlarm =>
    cloudwatch.Alarm.fromAlarmArn(newStack(), 'Imported', ALARM_ARN);

  it('refuses a value other than metric or composite', () => {
    expectOnlyIssue(
      validProps({ alarm: imported(), alarmType: 'MetricAlarm' as never }),
      'alarmType',
      /must be 'metric' or 'composite'; got "MetricAlarm"/,
    );
  });

  it('refuses composite for an alarm definition, which is created as a metric alarm', () => {
    expectOnlyIssue(
      validProps({ alarmType: 'composite' }),
      'alarmType',
      /is 'composite', but alarm is a definition, which the construct creates as a metric alarm\. Remove alarmType/,
    );
  });

  it('refuses an alarmType that contradicts a cloudwatch.Alarm or a cloudwatch.CompositeAlarm', () => {
    const metric = metricAlarm();
    const composite = new cloudwatch.CompositeAlarm(metric.stack, 'Composite', {
      alarmRule: cloudwatch.AlarmRule.fromAlarm(metric, cloudwatch.AlarmState.ALARM),
    });

    const issuesOf = (props: LoadSheddingProps): string[] =>
      validateLoadSheddingProps(props).map((issue) => issue.message);

    expect(issuesOf(validProps({ alarm: metric, alarmType: 'composite' }))).toEqual([
      expect.stringMatching(
        /^alarmType is 'composite', but alarm is a cloudwatch\.Alarm, a metric alarm/,
      ),
    ]);
    expect(issuesOf(validProps({ alarm: composite, alarmType: 'metric' }))).toEqual([
      expect.stringMatching(/^alarmType is 'metric', but alarm is a cloudwatch\.CompositeAlarm/),
    ]);
  });

  it('accepts an alarmType that agrees with the alarm, and either value for an imported alarm', () => {
    expect(validateLoadSheddingProps(validProps({ alarmType: 'metric' }))).toEqual([]);
    expect(
      validateLoadSheddingProps(validProps({ alarm: metricAlarm(), alarmType: 'metric' })),
    ).toEqual([]);
    for (const alarmType of ['metric', 'composite'] as const) {
      expect(validateLoadSheddingProps(validProps({ alarm: imported(), alarmType }))).toEqual([]);
    }
  });

  it('reports only the missing alarm when alarmType is set without one', () => {
    expectOnlyIssue(
      validProps({ alarm: undefined as never, alarmType: 'metric' }),
      'alarm',
      /is required/,
    );
  });
});

describe('LoadShedding validation: alarm', () => {
  it('requires the alarm', () => {
    expectOnlyIssue(validProps({ alarm: undefined as never }), 'alarm', /is required/);
  });

  it('rejects an existing alarm whose ARN is not a CloudWatch alarm ARN', () => {
    const alarm = { alarmArn: 'arn:aws:sns:eu-west-1:123456789012:topic', alarmName: 'x' };
    expectOnlyIssue(
      validProps({ alarm: alarm as unknown as cloudwatch.IAlarm }),
      'alarm',
      /must have a CloudWatch alarm ARN/,
    );
  });

  it('rejects an existing alarm of another region: its events never reach this region', () => {
    const stack = newStack({ env: null });
    const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Existing', otherRegion(ALARM_ARN));
    expect(() => new LoadShedding(stack, 'Shedding', validProps({ alarm }))).toThrow(
      /alarm is in aws\/us-east-1, but primaryTargetGroup is in aws\/eu-west-1/,
    );
  });

  it('requires a finite threshold', () => {
    expectOnlyIssue(
      validProps({ alarm: { threshold: Number.NaN } }),
      'alarm.threshold',
      /a finite number; got NaN/,
    );
  });

  it('rejects an invalid namespace', () => {
    expectOnlyIssue(
      validProps({ alarm: { ...A, namespace: 'Shop!', metricName: 'Latency' } }),
      'alarm.namespace',
      /must be a CloudWatch namespace/,
    );
  });

  it('requires a metric name outside AWS/ApplicationELB', () => {
    expectOnlyIssue(
      validProps({ alarm: { ...A, namespace: 'Shop' } }),
      'alarm.metricName',
      /is required when alarm.namespace is not AWS\/ApplicationELB/,
    );
  });

  it('rejects an empty metric name', () => {
    expectOnlyIssue(validProps({ alarm: { ...A, metricName: '' } }), 'alarm.metricName', /1–255/);
  });

  it('rejects more than 30 dimensions', () => {
    const dimensions = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`D${i}`, 'v']));
    expectOnlyIssue(
      validProps({ alarm: { ...A, dimensions } }),
      'alarm.dimensions',
      /at most 30 dimensions; got 31/,
    );
  });

  it('rejects an empty dimension value', () => {
    expectOnlyIssue(
      validProps({ alarm: { ...A, dimensions: { TargetGroup: '' } } }),
      'alarm.dimensions',
      /'TargetGroup' has ''/,
    );
  });

  it.each(['bogus', 'p101', 'TM(:)', 'Sum ', 'p'])('rejects the statistic %j', (statistic) => {
    expectOnlyIssue(
      validProps({ alarm: { ...A, statistic } }),
      'alarm.statistic',
      /must be a CloudWatch statistic/,
    );
  });

  it('rejects an anomaly detection operator: it has no threshold', () => {
    expectOnlyIssue(
      validProps({
        alarm: {
          ...A,
          comparisonOperator:
            cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
        },
      }),
      'alarm.comparisonOperator',
      /create the alarm yourself/,
    );
  });

  it('rejects zero evaluation periods', () => {
    expectOnlyIssue(
      validProps({ alarm: { ...A, evaluationPeriods: 0 } }),
      'alarm.evaluationPeriods',
      /whole number from 1 to 1440; got 0/,
    );
  });

  it('rejects more datapoints to alarm than evaluation periods', () => {
    expectOnlyIssue(
      validProps({ alarm: { ...A, evaluationPeriods: 2, datapointsToAlarm: 3 } }),
      'alarm.datapointsToAlarm',
      /whole number from 1 to 2; got 3/,
    );
  });

  it('rejects a period CloudWatch does not offer', () => {
    expectOnlyIssue(
      validProps({ alarm: { ...A, period: Duration.seconds(45) } }),
      'alarm.period',
      /10 s, 30 s or a multiple of 60 s/,
    );
  });

  it('rejects a period that is not whole seconds', () => {
    expectOnlyIssue(
      validProps({ alarm: { ...A, period: Duration.millis(1500) } }),
      'alarm.period',
      /whole seconds from 10 to 86400; got 1.5 s/,
    );
  });

  it('rejects an evaluation window longer than a day', () => {
    expectOnlyIssue(
      validProps({ alarm: { ...A, period: Duration.hours(1), evaluationPeriods: 25 } }),
      'alarm.period',
      /must not exceed one day/,
    );
  });

  it('rejects an alarm name longer than 255 characters', () => {
    expectOnlyIssue(
      validProps({ alarm: { ...A, alarmName: 'a'.repeat(256) } }),
      'alarm.alarmName',
      /1–255 characters/,
    );
  });
});

describe('LoadShedding validation: policy', () => {
  it.each([0, 101, 2.5])('rejects policy.shedPercent %d', (shedPercent) => {
    expectOnlyIssue(
      validProps({ policy: { shedPercent, maxShedPercent: 100 } }),
      'policy.shedPercent',
      /whole number from 1 to 100/,
    );
  });

  it('rejects policy.restorePercent 0', () => {
    expectOnlyIssue(
      validProps({ policy: { restorePercent: 0 } }),
      'policy.restorePercent',
      /whole number from 1 to 100; got 0.*default \(5\)/,
    );
  });

  it('rejects policy.maxShedPercent 0', () => {
    const error = validationErrorOf(validProps({ policy: { maxShedPercent: 0 } }));
    expect(error.issues[0].prop).toBe('policy.maxShedPercent');
    expect(error.issues[0].message).toMatch(/whole number from 1 to 100; got 0/);
  });

  it('rejects a maximum below the step', () => {
    expectOnlyIssue(
      validProps({ policy: { shedPercent: 20, maxShedPercent: 10 } }),
      'policy.maxShedPercent',
      /\(10\) must be at least policy.shedPercent \(20\)/,
    );
  });

  it('rejects policy.maxInsufficientDataChecks 0', () => {
    expectOnlyIssue(
      validProps({ policy: { maxInsufficientDataChecks: 0 } }),
      'policy.maxInsufficientDataChecks',
      /whole number from 1 to 100/,
    );
  });

  it("rejects a shed delay above SQS's 900 s", () => {
    expectOnlyIssue(
      validProps({ policy: { shedDelay: Duration.seconds(901) } }),
      'policy.shedDelay',
      /whole seconds from 0 to 900; got 901 s/,
    );
  });

  it('rejects a restore delay that is not whole seconds', () => {
    expectOnlyIssue(
      validProps({ policy: { restoreDelay: Duration.millis(90_500) } }),
      'policy.restoreDelay',
      /whole seconds from 0 to 900/,
    );
  });

  it('rejects a delay that is not a Duration', () => {
    expectOnlyIssue(
      validProps({ policy: { shedDelay: 60 as unknown as Duration } }),
      'policy.shedDelay',
      /must be a Duration/,
    );
  });

  it('requires the function timeout to be shorter than the shed delay', () => {
    expectOnlyIssue(
      validProps({ policy: { shedDelay: Duration.seconds(30) } }),
      'functions.timeout',
      /\(30 s\) must be shorter than policy.shedDelay \(30 s\): a step's ELBv2 writes must land before the next step is due/,
    );
  });

  it('requires the function timeout to be shorter than the restore delay', () => {
    expectOnlyIssue(
      validProps({
        functions: { timeout: Duration.seconds(120) },
        policy: { shedDelay: Duration.seconds(200) },
      }),
      'functions.timeout',
      /\(120 s\) must be shorter than policy.restoreDelay \(120 s\)/,
    );
  });
});

describe('LoadShedding validation: other props', () => {
  it('rejects a function timeout of 0', () => {
    expectOnlyIssue(
      validProps({ functions: { timeout: Duration.seconds(0) } }),
      'functions.timeout',
      /whole seconds from 1 to 900/,
    );
  });

  it.each([
    ['shop shedding', /a-z, A-Z, 0-9/],
    ['x'.repeat(53), /1–52 characters/],
    [Token.asString({ Ref: 'Prefix' }), /literal string/],
  ])('rejects functions.namePrefix %j', (namePrefix, message) => {
    expectOnlyIssue(validProps({ functions: { namePrefix } }), 'functions.namePrefix', message);
  });

  it('rejects a dry run that is not a boolean', () => {
    expectOnlyIssue(validProps({ dryRun: 'yes' as never }), 'dryRun', /true or false/);
  });

  it.each(['AWS/LoadShedding', 'Shop!'])('rejects the metrics namespace %j', (metricsNamespace) => {
    expectOnlyIssue(
      validProps({ metricsNamespace }),
      'metricsNamespace',
      /not starting with AWS\//,
    );
  });

  it.each([{}, undefined])(
    'names the monitoring prop when ISO27001 mode has no email (%j)',
    (monitoring) => {
      expectOnlyIssue(
        validProps({ monitoring }),
        'monitoring.emails',
        /^monitoring.emails must contain at least one address when monitoring.iso27001 is true/,
      );
    },
  );

  it('names the functions prop for a bad memory size, architecture or log retention', () => {
    const error = validationErrorOf(
      validProps({
        functions: {
          memorySize: 64,
          architecture: { name: 'sparc' } as lambda.Architecture,
          logs: { retention: 2 as never },
        },
      }),
    );
    expect(error.issues.map((issue) => issue.prop)).toEqual([
      'functions.architecture',
      'functions.memorySize',
      'functions.logs.retention',
    ]);
    expect(error.message).toMatch(
      /^LoadShedding\(Shedding\) has 3 invalid props:\n {2}- functions/,
    );
  });

  it('lists every problem at once, as a LoadSheddingError', () => {
    const error = validationErrorOf(
      validProps({ listeners: [], policy: { shedPercent: 0 }, alarm: { threshold: Infinity } }),
    );
    expect(error).toBeInstanceOf(LoadSheddingError);
    expect(error.name).toBe('LoadSheddingValidationError');
    expect(error.issues.map((issue) => issue.prop)).toEqual([
      'listeners',
      'alarm.threshold',
      'policy.shedPercent',
    ]);
  });

  it('does not check values that are tokens', () => {
    const props = validProps({
      primaryTargetGroup: Token.asString({ Ref: 'Tg' }),
      listeners: [Token.asString({ Ref: 'Listener' })],
      alarm: {
        threshold: Token.asNumber({ Ref: 'Threshold' }),
        namespace: Token.asString({ Ref: 'Namespace' }),
        metricName: 'M',
        statistic: Token.asString({ Ref: 'Stat' }),
        dimensions: { D: Token.asString({ Ref: 'Dim' }) },
        alarmName: Token.asString({ Ref: 'Name' }),
      },
      policy: { shedPercent: Token.asNumber({ Ref: 'Percent' }) },
      metricsNamespace: Token.asString({ Ref: 'Ns' }),
    });
    expect(validateLoadSheddingProps(props, { region: REGION, account: ACCOUNT })).toEqual([]);
  });
});

describe('LoadShedding validation: statistics', () => {
  it('accepts every percentile from p0 to p100 and rejects larger ones', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 99 }), (p, d) => {
        expect(isValidStatistic(`p${p}`)).toBe(true);
        expect(isValidStatistic(`tm${p}`)).toBe(true);
        expect(isValidStatistic(`p${Math.min(p, 99)}.${d}`)).toBe(true);
        expect(isValidStatistic(`p${101 + p}`)).toBe(false);
      }),
    );
  });

  it('accepts the simple statistics in any case, and CDK’s short forms', () => {
    const simple = [
      'SampleCount',
      'Average',
      'Sum',
      'Minimum',
      'Maximum',
      'IQM',
      'avg',
      'min',
      'max',
      'n',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...simple), fc.boolean(), (statistic, upper) => {
        expect(isValidStatistic(upper ? statistic.toUpperCase() : statistic.toLowerCase())).toBe(
          true,
        );
      }),
    );
  });

  it.each(['TM(10%:90%)', 'WM(:95%)', 'TC(0.005:0.030)', 'TS(80%:)', 'PR(:300)', 'wm99.5'])(
    'accepts the extended statistic %s',
    (statistic) => {
      expect(isValidStatistic(statistic)).toBe(true);
    },
  );
});

describe('LoadShedding validation: MonitoredFunction issues', () => {
  it('renames the passed-through props and drops repeated messages', () => {
    const issue = {
      prop: 'alarms.emails',
      message: 'alarms.emails must contain one; see alarms.iso27001.',
    };
    expect(
      toLoadSheddingIssues([issue, issue, { prop: 'description', message: 'description x' }]),
    ).toEqual([
      {
        prop: 'monitoring.emails',
        message: 'monitoring.emails must contain one; see monitoring.iso27001.',
      },
      { prop: 'description', message: 'description x' },
    ]);
  });
});
