import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { logGroupNameOf } from './naming.js';

/**
 * The execution role's own statements. Each resource is the narrowest ARN IAM accepts for the
 * action (IAM service authorization reference: CloudWatch Logs, Amazon EC2, AWS X-Ray); where
 * IAM forces a wildcard, the function that builds the statement says why.
 */

/** A log group ARN and the ARN of its streams. */
export interface LogGroupArns {
  /** `arn:...:log-group:<name>`: the resource of logs:CreateLogStream. */
  readonly group: string;
  /** `arn:...:log-group:<name>:log-stream:*`: the resource of logs:PutLogEvents. */
  readonly streams: string;
}

/** `arn:<partition>:logs:<region>:<account>:log-group:<resourceName>` in the scope's stack. */
function logGroupArn(scope: IConstruct, resourceName: string): string {
  return Stack.of(scope).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

export function logGroupArnsOf(scope: IConstruct, logGroupName: string): LogGroupArns {
  return {
    group: logGroupArn(scope, logGroupName),
    streams: logGroupArn(scope, `${logGroupName}:log-stream:*`),
  };
}

/** The function's log group, which the construct creates (hence no logs:CreateLogGroup). */
export function functionLogsArns(scope: IConstruct, functionName: string): LogGroupArns {
  return logGroupArnsOf(scope, logGroupNameOf(functionName));
}

/**
 * Write access to the function's own log group only. Stream names are chosen by Lambda at run
 * time, so the stream part of the ARN must be `*`.
 */
export function logsStatement(arns: LogGroupArns): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'WriteOwnLogGroup',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [arns.group, arns.streams],
  });
}

/** Where Lambda Insights writes: the account-wide `/aws/lambda-insights` log group. */
export const INSIGHTS_LOG_GROUP_NAME = '/aws/lambda-insights';

export interface InsightsArns {
  readonly group: string;
  /** `arn:...:log-group:/aws/lambda-insights:*`: the group's streams. */
  readonly groupAndStreams: string;
}

export function insightsArnsOf(scope: IConstruct): InsightsArns {
  return {
    group: logGroupArn(scope, INSIGHTS_LOG_GROUP_NAME),
    groupAndStreams: logGroupArn(scope, `${INSIGHTS_LOG_GROUP_NAME}:*`),
  };
}

/**
 * What CloudWatchLambdaInsightsExecutionRolePolicy grants, scoped: the extension creates the
 * shared `/aws/lambda-insights` group when missing (it is shared by every function in the
 * account and region, so no stack may own it) and writes streams named at run time into it.
 * The managed policy allows logs:CreateLogGroup on `*`; this statement only on that group.
 */
export function insightsStatement(arns: InsightsArns): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'WriteLambdaInsights',
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [arns.group, arns.groupAndStreams],
  });
}

/** X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permissions. */
export function xrayStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'WriteXRayTraces',
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    resources: ['*'],
  });
}

export interface VpcArns {
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  /** `arn:...:network-interface/*` in this account and region. */
  readonly networkInterfaces: string;
}

export function vpcArnsOf(
  scope: IConstruct,
  subnetIds: readonly string[],
  securityGroupIds: readonly string[],
): VpcArns {
  const stack = Stack.of(scope);
  const arn = (resource: string, resourceName: string): string =>
    stack.formatArn({ service: 'ec2', resource, resourceName });
  return {
    subnets: subnetIds.map((id) => arn('subnet', id)),
    securityGroups: securityGroupIds.map((id) => arn('security-group', id)),
    networkInterfaces: arn('network-interface', '*'),
  };
}

/**
 * The ENI permissions Lambda needs for a VPC function (Lambda developer guide, "Giving Lambda
 * functions access to resources in an Amazon VPC"), scoped as far as EC2 allows:
 *
 * - ec2:CreateNetworkInterface is authorised on every resource it touches: the new ENI, its
 *   subnet and its security groups. Subnets and security groups are listed by ARN, so an ENI can
 *   only be created there; the ENI's own id does not exist yet, hence `network-interface/*`.
 * - ec2:DeleteNetworkInterface, ec2:AssignPrivateIpAddresses and ec2:UnassignPrivateIpAddresses
 *   act on ENIs that Lambda creates and names at run time: `network-interface/*` in this
 *   account and region. (The Lambda guide asks for either a specific ENI id or all of them
 *   for DeleteNetworkInterface, or the function may lose access to the VPC.)
 * - ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets: EC2 Describe actions support no
 *   resource-level permissions, so `*` is the only accepted resource.
 */
export function vpcStatements(arns: VpcArns): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'CreateEniInOwnSubnets',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [...arns.subnets, ...arns.securityGroups, arns.networkInterfaces],
    }),
    new iam.PolicyStatement({
      sid: 'ManageOwnEnis',
      actions: [
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      resources: [arns.networkInterfaces],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeEnis',
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      resources: ['*'],
    }),
  ];
}

/**
 * The topic-policy statement that lets CloudWatch alarms publish to `topic`, only alarms of
 * this account (confused-deputy protection). A topic policy replaces SNS's default one, so any
 * alarm topic with a policy needs it.
 */
export function alarmsPublishStatement(topic: sns.ITopic): iam.PolicyStatement {
  const stack = Stack.of(topic);
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccount',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: {
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
      StringEquals: { 'aws:SourceAccount': stack.account },
    },
  });
}
