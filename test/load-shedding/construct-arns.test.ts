import { Stack, Token } from 'aws-cdk-lib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  listenerRuleArnPattern,
  loadBalancerDimensionOf,
  targetGroupDimensionOf,
} from '../../src/load-shedding/construct-arns.js';
import { ElbArnError } from '../../src/load-shedding/errors.js';
import { evaluateIntrinsics } from './construct-intrinsics.js';
import { LISTENER_ARN, TARGET_GROUP_ARN } from './construct-support.js';

const hex16 = fc.stringMatching(/^[0-9a-f]{16}$/);
const elbName = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/);
const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-iso-b');
const region = fc.constantFrom('eu-west-1', 'cn-north-1', 'us-gov-west-1', 'us-isob-east-1');
const account = fc.stringMatching(/^\d{12}$/);

const listenerArn = fc
  .tuple(partition, region, account, elbName, hex16, hex16)
  .map(
    ([p, r, a, name, lb, l]) =>
      `arn:${p}:elasticloadbalancing:${r}:${a}:listener/app/${name}/${lb}/${l}`,
  );
const targetGroupArn = fc
  .tuple(partition, region, account, elbName, hex16)
  .map(
    ([p, r, a, name, id]) => `arn:${p}:elasticloadbalancing:${r}:${a}:targetgroup/${name}/${id}`,
  );

/** What the deploy-time expression for an ARN known only at deploy time evaluates to. */
function atDeployTime(derive: (arn: string) => string, arn: string): unknown {
  const stack = new Stack();
  const token = Token.asString({ 'Fn::ImportValue': 'Arn' });
  return evaluateIntrinsics(stack.resolve(derive(token)), { imports: { Arn: arn } });
}

describe('construct ARNs: listener rules', () => {
  it('covers every rule of one listener, in its partition, region and account', () => {
    expect(listenerRuleArnPattern(LISTENER_ARN)).toBe(
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/shop-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/*',
    );
  });

  it('gives the same pattern at synth time and at deploy time, for any listener ARN', () => {
    fc.assert(
      fc.property(listenerArn, (arn) => {
        expect(atDeployTime(listenerRuleArnPattern, arn)).toBe(listenerRuleArnPattern(arn));
      }),
      { numRuns: 50 },
    );
  });

  it('refuses what is not an ALB listener ARN', () => {
    expect(() => listenerRuleArnPattern(TARGET_GROUP_ARN)).toThrow(ElbArnError);
  });
});

describe('construct ARNs: metric dimensions', () => {
  it('names the load balancer of a listener and the target group as CloudWatch does', () => {
    expect(loadBalancerDimensionOf(LISTENER_ARN)).toBe('app/shop-alb/50dc6c495c0c9188');
    expect(targetGroupDimensionOf(TARGET_GROUP_ARN)).toBe('targetgroup/shop-blue/73e2d6bc24d8a067');
  });

  it('gives the same dimensions at synth time and at deploy time, for any ARN', () => {
    fc.assert(
      fc.property(listenerArn, targetGroupArn, (listener, targetGroup) => {
        expect(atDeployTime(loadBalancerDimensionOf, listener)).toBe(
          loadBalancerDimensionOf(listener),
        );
        expect(atDeployTime(targetGroupDimensionOf, targetGroup)).toBe(
          targetGroupDimensionOf(targetGroup),
        );
      }),
      { numRuns: 50 },
    );
  });

  it('refuses ARNs of other resources', () => {
    expect(() => loadBalancerDimensionOf(TARGET_GROUP_ARN)).toThrow(ElbArnError);
    expect(() => targetGroupDimensionOf(LISTENER_ARN)).toThrow(
      'Not an ELBv2 target group ARN: arn:aws:elasticloadbalancing',
    );
  });
});
