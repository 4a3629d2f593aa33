/**
 * The IAM statements of the controller's functions that no CDK grant method covers: reading and
 * writing the listeners' rules, and reading the alarm. DynamoDB and SQS access comes from the
 * table's and the queue's own grant methods. Each `*` is forced by AWS; the reasons below are
 * the cdk-nag acknowledgements. DescribeAlarms names the alarm's ARN whenever it is a metric
 * alarm; only a composite alarm, or one of unknown kind, needs `*`.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { listenerRuleArnPattern } from './construct-arns.js';

/** Name of the inline policy (per function role) that holds these statements. */
export const CONTROL_POLICY_NAME = 'LoadSheddingControl';

/** Why each `Resource: "*"` is needed, by action. */
export const WILDCARD_REASONS = Object.freeze({
  describeRules:
    'elasticloadbalancing:DescribeRules (ELBv2 Describe* actions support no resource-level permissions)',
  describeAlarms:
    'cloudwatch:DescribeAlarms of a composite alarm, or of an imported alarm of unknown kind (alarmType unset, so the check function asks for AlarmTypes MetricAlarm and CompositeAlarm): CloudWatch returns composite alarms only to a DescribeAlarms permission on "*" (a metric alarm gets its own ARN instead); it reads alarm configuration and state, no metric data',
});

/** Why the rule ARN pattern ends in `/*`. */
export const RULE_PATTERN_REASON =
  'ELBv2 assigns rule ids when a rule is created, so ModifyRule is allowed on every rule of this one listener (listener-rule/app/<lb>/<lb-id>/<listener-id>/*): rules added later must be shed too, and no other listener is covered.';

/**
 * Read every rule of the listeners (DescribeRules, also the read-back after a write), change
 * the weights of non-default rules (ModifyRule on the listeners' rules) and of default rules
 * (ModifyListener on the listeners). Both functions carry out decisions, so both get these.
 */
export function listenerRuleStatements(listenerArns: readonly string[]): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadListenerRules',
      actions: ['elasticloadbalancing:DescribeRules'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'WriteListenerRules',
      actions: ['elasticloadbalancing:ModifyRule'],
      resources: listenerArns.map(listenerRuleArnPattern),
    }),
    new iam.PolicyStatement({
      sid: 'WriteDefaultRules',
      actions: ['elasticloadbalancing:ModifyListener'],
      resources: [...listenerArns],
    }),
  ];
}

/**
 * Read the alarm's current state (checks only; alarm events carry the state): on `alarmArn`
 * when given (a metric alarm), else on `*` (composite alarms are returned to no narrower scope).
 */
export function alarmStateStatement(alarmArn?: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadAlarmState',
    actions: ['cloudwatch:DescribeAlarms'],
    resources: [alarmArn ?? '*'],
  });
}
