import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { DisasterRecoveryOrchestration } from '../../src/disaster-recovery/construct.js';
import type { DisasterRecoveryOrchestrationProps } from '../../src/disaster-recovery/construct-props.js';
import {
  DisasterRecoveryValidationError,
  validateDisasterRecoveryProps,
} from '../../src/disaster-recovery/construct-validation.js';
import { ROLE_A, newStack, validProps } from './construct-support.js';

/** The props named by the issues of `props` (the construct's own checks only). */
const propsOf = (props: DisasterRecoveryOrchestrationProps): string[] =>
  validateDisasterRecoveryProps(props).map((issue) => issue.prop);
const messagesOf = (props: DisasterRecoveryOrchestrationProps): string =>
  validateDisasterRecoveryProps(props)
    .map((issue) => issue.message)
    .join('\n');
const cast = (value: unknown): never => value as never;

describe('DisasterRecoveryOrchestration validation: regions and roles', () => {
  it('accepts the minimal props', () => {
    expect(validateDisasterRecoveryProps(validProps())).toEqual([]);
  });

  it.each([
    [cast(undefined), ['regions']],
    [[], ['regions']],
    [['us-east-1', 'moon-1'], ['regions[1]']],
    [['us-east-1', 'us-east-1'], ['regions[1]']],
    [[cast(42)], ['regions[0]']],
  ])('rejects regions %j', (regions, props) => {
    expect(propsOf(validProps({ regions }))).toEqual(props);
  });

  it('lets a token region through', () => {
    const region = Lazy.string({ produce: () => 'us-east-1' });
    expect(propsOf(validProps({ regions: [region] }))).toEqual([]);
  });

  it('rejects role ARNs that are malformed, tokens or a second role of one account', () => {
    const token = Lazy.string({ produce: () => ROLE_A });
    const second = 'arn:aws:iam::210987654321:role/Other';
    expect(
      propsOf(
        validProps({ crossAccountRoleArns: [ROLE_A, 'arn:aws:iam::1:role/x', token, second] }),
      ),
    ).toEqual(['crossAccountRoleArns[1]', 'crossAccountRoleArns[2]', 'crossAccountRoleArns[3]']);
    expect(messagesOf(validProps({ crossAccountRoleArns: [ROLE_A, second] }))).toMatch(
      /second role of account 210987654321 \(after crossAccountRoleArns\[0\]\)/,
    );
    expect(propsOf(validProps({ crossAccountRoleArns: cast('x') }))).toEqual([
      'crossAccountRoleArns',
    ]);
  });
});

describe('DisasterRecoveryOrchestration validation: settings', () => {
  it('rejects a topic name beside a topic, bad names and bad emails', () => {
    const topic = sns.Topic.fromTopicArn(new Stack(), 'T', 'arn:aws:sns:us-east-1:123456789012:t');
    expect(propsOf(validProps({ alerts: { topic, topicName: 'x' } }))).toEqual([
      'alerts.topicName',
    ]);
    expect(propsOf(validProps({ alerts: { topicName: 'bad name' } }))).toEqual([
      'alerts.topicName',
    ]);
    expect(
      propsOf(validProps({ alerts: { emails: ['ops@example.com', 'nope', 'ops@example.com'] } })),
    ).toEqual(['alerts.emails[1]', 'alerts.emails[2]']);
  });

  it('rejects a bad limiter, rate and burst, and a burst below the rate', () => {
    expect(
      propsOf(
        validProps({
          rateLimit: { limiter: cast('global'), ratePerSecond: 0, burst: 2.5 },
        }),
      ),
    ).toEqual(['rateLimit.limiter', 'rateLimit.ratePerSecond', 'rateLimit.burst']);
    expect(messagesOf(validProps({ rateLimit: { ratePerSecond: 30 } }))).toMatch(
      /rateLimit.burst \(20\) is below rateLimit.ratePerSecond \(30\)/,
    );
  });

  it('rejects throttler settings out of range and a wait that outlasts the function', () => {
    expect(
      propsOf(
        validProps({
          jobThrottler: {
            maxActiveJobs: 0,
            timeout: Duration.millis(1500),
            pollInterval: cast(30),
          },
        }),
      ),
    ).toEqual(['jobThrottler.maxActiveJobs', 'jobThrottler.timeout', 'jobThrottler.pollInterval']);
    expect(
      messagesOf(
        validProps({
          jobThrottler: { timeout: Duration.minutes(10) },
          functions: { timeout: Duration.minutes(5) },
        }),
      ),
    ).toMatch(/jobThrottler.timeout \(600 s\) must be shorter than functions.timeout \(300 s\)/);
    expect(
      propsOf(
        validProps({
          jobThrottler: { timeout: Duration.seconds(20), pollInterval: Duration.seconds(30) },
        }),
      ),
    ).toEqual(['jobThrottler.pollInterval']);
    expect(propsOf(validProps({ functions: { timeout: Duration.seconds(30) } }))).toEqual([
      'functions.timeout',
    ]);
  });

  it('rejects alarm thresholds below 1 and bad name prefixes', () => {
    expect(
      propsOf(
        validProps({
          alarms: { rateLimitErrorThreshold: 0, retriesExhaustedThreshold: 1.5 },
          functions: { namePrefix: 'has space' },
        }),
      ),
    ).toEqual([
      'alarms.rateLimitErrorThreshold',
      'alarms.retriesExhaustedThreshold',
      'functions.namePrefix',
    ]);
    expect(propsOf(validProps({ functions: { namePrefix: '' } }))).toEqual([
      'functions.namePrefix',
    ]);
    expect(
      propsOf(validProps({ functions: { namePrefix: Lazy.string({ produce: () => 'x' }) } })),
    ).toEqual(['functions.namePrefix']);
  });
});

describe('DisasterRecoveryOrchestration validation: the construct', () => {
  it('throws one error naming every prop, MonitoredFunction’s renamed, and creates nothing', () => {
    const stack = newStack();
    const act = (): unknown =>
      new DisasterRecoveryOrchestration(stack, 'Dr', {
        regions: [],
        monitoring: { emails: [] },
        functions: { memorySize: 64 },
      });
    expect(act).toThrow(DisasterRecoveryValidationError);
    expect(act).toThrow(/DisasterRecoveryOrchestration\(Dr\) has 3 invalid props/);
    try {
      act();
    } catch (error) {
      const props = (error as DisasterRecoveryValidationError).issues.map((i) => i.prop);
      expect(props).toEqual(['regions', 'functions.memorySize', 'monitoring.emails']);
    }
    expect(stack.node.tryFindChild('Dr')).toBeUndefined();
  });
});
