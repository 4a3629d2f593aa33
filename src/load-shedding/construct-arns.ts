/**
 * ARNs and metric dimensions the construct derives from the listener and target group ARNs.
 * Literal ARNs give literal results (readable templates, exact cdk-nag ids); ARNs that are
 * tokens (resources of the same app) give CloudFormation functions that derive the same value
 * at deploy time. Either way the partition, region and account come from the ARN itself.
 */
import { Fn, Token } from 'aws-cdk-lib';
import { ElbArnError } from './errors.js';
import { parseListenerArn, parseTargetGroupArn } from './contract.js';

const LISTENER_MARKER = ':listener/';
const RULE_MARKER = ':listener-rule/';

/**
 * The ARN pattern of every rule of a listener:
 * `arn:<partition>:elasticloadbalancing:<region>:<account>:listener-rule/app/<lb>/<lb-id>/<listener-id>/*`.
 * Rule ids are assigned by ELBv2 when a rule is created, so the rule part must be a wildcard.
 */
export function listenerRuleArnPattern(listenerArn: string): string {
  if (!Token.isUnresolved(listenerArn)) {
    requireListenerArn(listenerArn);
    return `${listenerArn.replace(LISTENER_MARKER, RULE_MARKER)}/*`;
  }
  const parts = Fn.split(LISTENER_MARKER, listenerArn, 2);
  return Fn.join('', [Fn.select(0, parts), RULE_MARKER, Fn.select(1, parts), '/*']);
}

/** CloudWatch's `LoadBalancer` dimension of a listener's load balancer: `app/<name>/<id>`. */
export function loadBalancerDimensionOf(listenerArn: string): string {
  if (!Token.isUnresolved(listenerArn)) {
    requireListenerArn(listenerArn);
    const resource = listenerArn.slice(
      listenerArn.indexOf(LISTENER_MARKER) + LISTENER_MARKER.length,
    );
    return resource.split('/').slice(0, 3).join('/');
  }
  // arn:...:listener / app / <name> / <id> / <listener-id>
  const parts = Fn.split('/', listenerArn, 5);
  return Fn.join('/', [Fn.select(1, parts), Fn.select(2, parts), Fn.select(3, parts)]);
}

/** CloudWatch's `TargetGroup` dimension of a target group: `targetgroup/<name>/<id>`. */
export function targetGroupDimensionOf(targetGroupArn: string): string {
  if (!Token.isUnresolved(targetGroupArn)) {
    const parts = parseTargetGroupArn(targetGroupArn);
    if (parts === undefined) {
      throw new ElbArnError(targetGroupArn, `Not an ELBv2 target group ARN: ${targetGroupArn}.`);
    }
    return parts.resource;
  }
  return Fn.select(5, Fn.split(':', targetGroupArn, 6));
}

function requireListenerArn(arn: string): void {
  if (parseListenerArn(arn) === undefined) {
    throw new ElbArnError(arn, `Not an Application Load Balancer listener ARN: ${arn}.`);
  }
}
