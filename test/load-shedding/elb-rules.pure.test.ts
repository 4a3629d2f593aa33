import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import {
  parseElbArn,
  withForwardWeights,
  type ForwardRule,
} from '../../src/load-shedding/elb-rules.js';
import { ElbArnError, RuleGroupsMismatchError } from '../../src/load-shedding/errors.js';

describe('elb-rules: parseElbArn', () => {
  it.each([
    [
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
      {
        partition: 'aws',
        region: 'eu-west-1',
        accountId: '123456789012',
        resourceType: 'listener',
        resourceId: 'app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
      },
    ],
    [
      'arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:targetgroup/blue/73e2d6bc24d8a067',
      {
        partition: 'aws-cn',
        region: 'cn-north-1',
        accountId: '123456789012',
        resourceType: 'targetgroup',
        resourceId: 'blue/73e2d6bc24d8a067',
      },
    ],
    [
      'arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/x/1',
      expect.objectContaining({ partition: 'aws-us-gov', resourceType: 'loadbalancer' }),
    ],
    [
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/x/1/2/3',
      expect.objectContaining({ resourceType: 'listener-rule', resourceId: 'app/x/1/2/3' }),
    ],
  ])('parses %s', (arn, expected) => {
    expect(parseElbArn(arn)).toEqual(expected);
  });

  it.each([
    ['', 'is not an ELBv2 ARN'],
    ['arn:aws:ec2:eu-west-1:123456789012:instance/i-1', 'is not an ELBv2 ARN'],
    ['arn:aws:elasticloadbalancing:eu-west-1:1234:listener/app/x/1/2', 'is not an ELBv2 ARN'],
    ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/', 'is not an ELBv2 ARN'],
    [42 as unknown as string, 'is not an ELBv2 ARN'],
  ])('refuses %s', (arn, message) => {
    expect(() => parseElbArn(arn)).toThrow(ElbArnError);
    expect(() => parseElbArn(arn)).toThrow(message);
  });

  it('refuses another resource type than the expected one, naming both', () => {
    const arn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/1';

    const error = (() => {
      try {
        parseElbArn(arn, 'listener');
      } catch (e) {
        return e as ElbArnError;
      }
      throw new Error('expected a failure');
    })();

    expect(error.arn).toBe(arn);
    expect(error.message).toContain('is a targetgroup ARN, but a listener ARN is needed');
  });
});

describe('elb-rules: withForwardWeights', () => {
  const blue = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/1';
  const rule = (forward: Action): ForwardRule => ({
    listenerArn: 'l',
    ruleArn: 'r',
    priority: '1',
    isDefault: false,
    actions: [forward],
    forwardActionIndex: 0,
    groups: [{ targetGroupArn: blue, weight: 1 }],
  });

  it('turns a legacy forward into a consistent TargetGroupArn + ForwardConfig', () => {
    const legacy = rule({ Type: 'forward', TargetGroupArn: blue, Order: 1 });

    const actions = withForwardWeights(legacy, [{ targetGroupArn: blue, weight: 5 }]);

    expect(actions).toEqual([
      {
        Type: 'forward',
        TargetGroupArn: blue,
        Order: 1,
        ForwardConfig: { TargetGroups: [{ TargetGroupArn: blue, Weight: 5 }] },
      },
    ]);
    expect(legacy.actions[0]).toEqual({ Type: 'forward', TargetGroupArn: blue, Order: 1 });
  });

  it('keeps an OIDC action that carries its secret as it is', () => {
    const oidc: Action = {
      Type: 'authenticate-oidc',
      Order: 1,
      AuthenticateOidcConfig: {
        Issuer: 'i',
        AuthorizationEndpoint: 'a',
        TokenEndpoint: 't',
        UserInfoEndpoint: 'u',
        ClientId: 'c',
        ClientSecret: 's',
      },
    };
    const withOidc: ForwardRule = {
      ...rule({ Type: 'forward', TargetGroupArn: blue, Order: 2 }),
      actions: [oidc, { Type: 'forward', TargetGroupArn: blue, Order: 2 }],
      forwardActionIndex: 1,
    };

    expect(withForwardWeights(withOidc, [{ targetGroupArn: blue, weight: 2 }])[0]).toEqual(oidc);
  });

  it('refuses groups that are not the rule groups', () => {
    expect(() =>
      withForwardWeights(rule({ Type: 'forward', TargetGroupArn: blue }), [
        { targetGroupArn: `${blue}0`, weight: 1 },
      ]),
    ).toThrow(RuleGroupsMismatchError);
  });
});
