import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Action,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  readForwardRules,
  writeWeights,
  type ForwardRule,
} from '../../src/load-shedding/elb-rules.js';
import { ElbRuleShapeError, WeightWriteVerificationError } from '../../src/load-shedding/errors.js';
import { authenticatedStickyForward } from '../helpers/elbv2.js';

// Strict SDK mocks: every call is refused unless it matches one exact expected input, so these
// tests pin down what the adapter sends, byte for byte.

const prefix = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:';
const listenerArn = `${prefix}listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const ruleArn = `${prefix}listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const defaultRuleArn = `${prefix}listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/1111111111111111`;
const blue = `${prefix}targetgroup/blue/73e2d6bc24d8a067`;
const green = `${prefix}targetgroup/green/09a8d3e6ba6e4c1f`;

const elb = mockClient(ElasticLoadBalancingV2Client);

beforeEach(() => {
  elb.reset();
  elb.onAnyCommand().rejects(new Error('unexpected call'));
});
afterEach(() => elb.reset());

const client = () => new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });

/** An authenticate action, then a sticky forward at Order 2, as DescribeRules answers them. */
function actions(blueWeight: number, greenWeight: number): Action[] {
  return authenticatedStickyForward(
    [
      [blue, blueWeight],
      [green, greenWeight],
    ],
    { forwardOrder: 2, stickinessSeconds: 60 },
  );
}

function forwardRule(isDefault: boolean): ForwardRule {
  return {
    listenerArn,
    ruleArn: isDefault ? defaultRuleArn : ruleArn,
    priority: isDefault ? 'default' : '10',
    isDefault,
    actions: actions(90, 10),
    forwardActionIndex: 1,
    groups: [
      { targetGroupArn: blue, weight: 90 },
      { targetGroupArn: green, weight: 10 },
    ],
  };
}

const newGroups = [
  { targetGroupArn: blue, weight: 80 },
  { targetGroupArn: green, weight: 20 },
];

function readBack(arn: string, isDefault: boolean, a: Action[]): { Rules: Rule[] } {
  return {
    Rules: [
      {
        RuleArn: arn,
        Priority: isDefault ? 'default' : '10',
        IsDefault: isDefault,
        Conditions: [],
        Actions: a,
      },
    ],
  };
}

describe('elb-rules: exact ModifyRule / ModifyListener inputs', () => {
  it('sends ModifyRule with the rule ARN and the whole actions list only', async () => {
    elb.on(ModifyRuleCommand, { RuleArn: ruleArn, Actions: actions(80, 20) }, true).resolves({});
    elb
      .on(DescribeRulesCommand, { RuleArns: [ruleArn] }, true)
      .resolves(readBack(ruleArn, false, actions(80, 20)));

    const result = await writeWeights(client(), forwardRule(false), newGroups);

    expect(result.status).toBe('written');
    expect(elb).toHaveReceivedCommandTimes(ModifyRuleCommand, 1);
    expect(elb).toHaveReceivedCommandTimes(ModifyListenerCommand, 0);
    expect(elb).toHaveReceivedCommandTimes(DescribeRulesCommand, 1);
  });

  it('sends ModifyListener with the listener ARN and DefaultActions only for the default rule', async () => {
    elb
      .on(
        ModifyListenerCommand,
        { ListenerArn: listenerArn, DefaultActions: actions(80, 20) },
        true,
      )
      .resolves({});
    elb
      .on(DescribeRulesCommand, { RuleArns: [defaultRuleArn] }, true)
      .resolves(readBack(defaultRuleArn, true, actions(80, 20)));

    const result = await writeWeights(client(), forwardRule(true), newGroups);

    expect(result).toMatchObject({ status: 'written', operation: 'ModifyListener' });
    expect(elb).toHaveReceivedCommandTimes(ModifyListenerCommand, 1);
    expect(elb).toHaveReceivedCommandTimes(ModifyRuleCommand, 0);
  });

  it('sends nothing when the weights are the ones read', async () => {
    const result = await writeWeights(client(), forwardRule(false), [
      { targetGroupArn: green, weight: 10 },
      { targetGroupArn: blue, weight: 90 },
    ]);

    expect(result.status).toBe('unchanged');
    expect(elb.calls()).toHaveLength(0);
  });

  it('raises WeightWriteVerificationError when the rule is missing from the read-back', async () => {
    elb.on(ModifyRuleCommand, { RuleArn: ruleArn, Actions: actions(80, 20) }, true).resolves({});
    elb.on(DescribeRulesCommand, { RuleArns: [ruleArn] }, true).resolves({ Rules: [] });

    const error = await writeWeights(client(), forwardRule(false), newGroups).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(WeightWriteVerificationError);
    expect((error as WeightWriteVerificationError).mismatches).toEqual([
      { targetGroupArn: blue, expected: 80, actual: undefined },
      { targetGroupArn: green, expected: 20, actual: undefined },
    ]);
    expect((error as Error).message).toContain('read no entry');
  });

  it('propagates the SDK error of a failed write and does not read back', async () => {
    const denied = Object.assign(new Error('denied'), { name: 'AccessDenied' });
    elb.on(ModifyRuleCommand).rejects(denied);

    await expect(writeWeights(client(), forwardRule(false), newGroups)).rejects.toThrow('denied');
    expect(elb).toHaveReceivedCommandTimes(DescribeRulesCommand, 0);
  });
});

describe('elb-rules: reading answers ELBv2 should never give', () => {
  it.each<[string, Action]>([
    ['a forward action without target groups', { Type: 'forward' }],
    [
      'a target group entry without an ARN',
      { Type: 'forward', ForwardConfig: { TargetGroups: [{ Weight: 1 }] } },
    ],
  ])('raises ElbRuleShapeError for %s', async (_, action) => {
    elb
      .on(DescribeRulesCommand, { ListenerArn: listenerArn })
      .resolves({ Rules: [{ RuleArn: ruleArn, Priority: '1', Actions: [action] }] });

    const error = await readForwardRules(client(), [listenerArn]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ElbRuleShapeError);
    expect((error as ElbRuleShapeError).ruleArn).toBe(ruleArn);
  });

  it('reads a missing weight and a legacy forward as weight 1, and tolerates empty pages', async () => {
    elb
      .on(DescribeRulesCommand, { ListenerArn: listenerArn })
      .resolvesOnce({
        Rules: [
          {
            RuleArn: ruleArn,
            Priority: '1',
            Actions: [
              { Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: blue }] } },
            ],
          },
          {
            RuleArn: defaultRuleArn,
            IsDefault: true,
            Actions: [{ Type: 'forward', TargetGroupArn: green }],
          },
        ],
        NextMarker: 'page-2',
      })
      .resolvesOnce({});

    const rules = await readForwardRules(client(), [listenerArn]);

    expect(rules.map((r) => r.groups)).toEqual([
      [{ targetGroupArn: blue, weight: 1 }],
      [{ targetGroupArn: green, weight: 1 }], // legacy: only a top-level TargetGroupArn
    ]);
    expect(elb).toHaveReceivedCommandWith(DescribeRulesCommand, { Marker: 'page-2' });
    expect(elb).toHaveReceivedCommandTimes(DescribeListenersCommand, 0);
  });
});
