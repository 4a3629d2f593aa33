/**
 * The IAM statements of the two handlers that no CDK grant covers: DRS, Service Quotas and STS.
 * DynamoDB and SNS come from the tables' and the topic's own grant methods.
 *
 * Scoping follows the Service Authorization Reference for DRS: DescribeSourceServers,
 * DescribeJobs and DescribeRecoveryInstances name no resource type (so `*`, acknowledged with
 * the reason below); StartRecovery is scoped to source servers, TerminateRecoveryInstances to
 * recovery instances and TagResource (the job tags StartRecovery sets) to jobs, each in this
 * account and the configured regions only. Service Quotas is scoped to the four DRS quotas.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { DRS_SERVICE_CODE, DrsQuotaCodes } from './contract.js';

/** Name of the inline policy (per function role) that holds these statements. */
export const DRS_POLICY_NAME = 'DisasterRecoveryDrs';

/** Why each wildcard is needed: the cdk-nag acknowledgements. */
export const DRS_WILDCARD_REASONS = Object.freeze({
  describe:
    'drs:DescribeSourceServers, drs:DescribeJobs and drs:DescribeRecoveryInstances support no resource-level permissions (Service Authorization Reference: no resource type), so "*" is the only value IAM accepts; they read DRS state and change nothing.',
  sourceServers:
    'drs:StartRecovery is scoped to the source servers of this account in the configured regions; source server ids are assigned by DRS when replication is installed, so the id must be a wildcard.',
  recoveryInstances:
    'drs:TerminateRecoveryInstances is scoped to the recovery instances of this account in the configured regions; their ids are assigned by DRS at launch, so the id must be a wildcard.',
  jobs: 'drs:TagResource is scoped to the DRS jobs of this account in the configured regions (StartRecovery tags the job it creates with its idempotency key); job ids are assigned by DRS, so the id must be a wildcard.',
});

/** Where the statements apply: the stack's partition and account, the configured regions. */
export interface DrsPolicyScope {
  readonly partition: string;
  readonly account: string;
  readonly regions: readonly string[];
}

/** `arn:<partition>:drs:<region>:<account>:<resource>/*` for every region. */
export function drsResourceArns(scope: DrsPolicyScope, resource: string): string[] {
  return scope.regions.map(
    (region) => `arn:${scope.partition}:drs:${region}:${scope.account}:${resource}/*`,
  );
}

/** The ARNs of the DRS quotas in every region. */
export function drsQuotaArns(scope: DrsPolicyScope): string[] {
  return scope.regions.flatMap((region) =>
    Object.values(DrsQuotaCodes).map(
      (code) =>
        `arn:${scope.partition}:servicequotas:${region}:${scope.account}:${DRS_SERVICE_CODE}/${code}`,
    ),
  );
}

/** Reading DRS (both handlers): source servers, jobs, recovery instances. */
export function describeStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DescribeDrs',
    actions: ['drs:DescribeSourceServers', 'drs:DescribeJobs', 'drs:DescribeRecoveryInstances'],
    resources: ['*'],
  });
}

/** Reading the DRS quotas (both handlers: the throttler and the capacity query). */
export function quotaStatement(scope: DrsPolicyScope): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadDrsQuotas',
    actions: ['servicequotas:GetServiceQuota'],
    resources: drsQuotaArns(scope),
  });
}

/** Starting recovery jobs (tagged) and terminating recovery instances (execution handler). */
export function recoveryStatements(scope: DrsPolicyScope): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'StartRecovery',
      actions: ['drs:StartRecovery'],
      resources: drsResourceArns(scope, 'source-server'),
    }),
    new iam.PolicyStatement({
      sid: 'TagRecoveryJobs',
      actions: ['drs:TagResource'],
      resources: drsResourceArns(scope, 'job'),
    }),
    new iam.PolicyStatement({
      sid: 'TerminateRecoveryInstances',
      actions: ['drs:TerminateRecoveryInstances'],
      resources: drsResourceArns(scope, 'recovery-instance'),
    }),
  ];
}

/** Assuming the configured cross-account roles; `undefined` when there are none. */
export function assumeRoleStatement(roleArns: readonly string[]): iam.PolicyStatement | undefined {
  if (roleArns.length === 0) return undefined;
  return new iam.PolicyStatement({
    sid: 'AssumeCrossAccountRoles',
    actions: ['sts:AssumeRole'],
    resources: [...roleArns],
  });
}
