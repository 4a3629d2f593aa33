/**
 * The IAM statements of the two handlers that no CDK grant covers: DRS, its dependent EC2 and
 * IAM actions, Service Quotas and STS. DynamoDB and SNS come from the tables' and the topic's
 * own grant methods.
 *
 * Scoping follows the Service Authorization Reference. DRS: DescribeSourceServers,
 * DescribeJobs and DescribeRecoveryInstances name no resource type (so `*`); StartRecovery and
 * CreateRecoveryInstanceForDrs are scoped to source servers, TerminateRecoveryInstances to
 * recovery instances, TagResource (the job tags StartRecovery sets) to jobs, each in this
 * account and the configured regions only. DRS checks the caller's permissions for the
 * dependent actions of StartRecovery (EC2 launches, iam:PassRole of the recovery instance role,
 * drs:CreateRecoveryInstanceForDrs, drs:ListTagsForResource), TerminateRecoveryInstances (EC2
 * terminations) and DescribeRecoveryInstances (ec2:DescribeInstances): EC2 reads name no
 * resource type (`*`); EC2 writes are scoped to this account's resources in the configured
 * regions (AMIs and snapshots carry no account in their ARN, so only their region is).
 * Service Quotas: GetServiceQuota on the four DRS quotas; GetAWSDefaultServiceQuota names no
 * resource type (`*`).
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { DRS_SERVICE_CODE, DrsQuotaCodes } from './contract.js';

/** Name of the inline policy (per function role) that holds these statements. */
export const DRS_POLICY_NAME = 'DisasterRecoveryDrs';

/** Why each wildcard is needed: the cdk-nag acknowledgements. */
export const DRS_WILDCARD_REASONS = Object.freeze({
  describe:
    'Reads only, of actions that support no resource-level permissions (Service Authorization Reference: no resource type), so "*" is the only value IAM accepts: drs:DescribeSourceServers, drs:DescribeJobs, drs:DescribeRecoveryInstances, servicequotas:GetAWSDefaultServiceQuota, and the ec2:Describe* actions DRS checks on the caller when it launches, lists and terminates recovery instances. They change nothing.',
  sourceServers:
    'drs:StartRecovery and its dependent drs:CreateRecoveryInstanceForDrs and drs:ListTagsForResource are scoped to the source servers of this account in the configured regions; source server ids are assigned by DRS when replication is installed, so the id must be a wildcard.',
  recoveryInstances:
    'drs:TerminateRecoveryInstances and drs:ListTagsForResource are scoped to the recovery instances of this account in the configured regions; their ids are assigned by DRS at launch, so the id must be a wildcard.',
  jobs: 'drs:TagResource and drs:ListTagsForResource are scoped to the DRS jobs of this account in the configured regions (StartRecovery tags the job it creates with its idempotency key); job ids are assigned by DRS, so the id must be a wildcard.',
  ec2Account:
    "EC2 actions DRS performs with the caller's permissions while it launches (StartRecovery) and terminates (TerminateRecoveryInstances) recovery instances: volumes, snapshots, security groups, launch templates and tags whose ids are only known at run time. Scoped to this account in the configured regions only: IAM cannot tell the volumes and snapshots DRS manages from others (DRS tags its staging volumes differently from the instances it launches), so this grant lets the role create, detach and delete ANY EBS volume or snapshot and change ANY security group or launch template of this account in these regions. Instance lifecycle actions are not in it: they are limited by tag (see the ManagedInstances statement).",
  ec2ManagedInstances:
    'ec2:TerminateInstances, StopInstances, StartInstances and ModifyInstanceAttribute on instances of this account in the configured regions, and only those carrying the AWSElasticDisasterRecoveryManaged tag (condition aws:ResourceTag/AWSElasticDisasterRecoveryManaged not null), which DRS puts on the recovery instances it launches. Instance ids are assigned at launch, so the id must be a wildcard.',
  ec2Shared:
    "AMIs and EBS snapshots have no account in their ARN (arn:aws:ec2:<region>::image/<id>): DRS creates and reads them during the launch of recovery instances with the caller's permissions, so only the region can be fixed.",
  passRole:
    'iam:PassRole of the DRS recovery instance roles (service-role/AWSElasticDisasterRecoveryRecoveryInstance*, which DRS creates when it is initialized, with or without launch actions) to EC2 only (iam:PassedToService), which StartRecovery needs to launch recovery instances with their instance profile.',
});

/** The DRS actions the handlers call, and the dependent actions DRS checks on the caller. */
export const DRS_DEPENDENT_ACTIONS = Object.freeze({
  /** EC2 reads (no resource type). */
  ec2Reads: Object.freeze([
    'ec2:DescribeAccountAttributes',
    'ec2:DescribeAvailabilityZones',
    'ec2:DescribeImages',
    'ec2:DescribeInstanceAttribute',
    'ec2:DescribeInstanceStatus',
    'ec2:DescribeInstanceTypes',
    'ec2:DescribeInstances',
    'ec2:DescribeLaunchTemplateVersions',
    'ec2:DescribeLaunchTemplates',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSnapshots',
    'ec2:DescribeSubnets',
    'ec2:DescribeVolumes',
  ]),
  /**
   * EC2 writes of StartRecovery and TerminateRecoveryInstances on resources IAM cannot limit to
   * the ones DRS manages (creations, volumes, snapshots, security groups, launch templates).
   */
  ec2Writes: Object.freeze([
    'ec2:AttachVolume',
    'ec2:AuthorizeSecurityGroupEgress',
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:CreateLaunchTemplate',
    'ec2:CreateLaunchTemplateVersion',
    'ec2:CreateSnapshot',
    'ec2:CreateTags',
    'ec2:CreateVolume',
    'ec2:DeleteLaunchTemplateVersions',
    'ec2:DeleteSnapshot',
    'ec2:DeleteVolume',
    'ec2:DetachVolume',
    'ec2:ModifyLaunchTemplate',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:RunInstances',
  ]),
  /** Instance lifecycle actions: only on instances DRS tagged as its own (see below). */
  ec2ManagedInstances: Object.freeze([
    'ec2:ModifyInstanceAttribute',
    'ec2:StartInstances',
    'ec2:StopInstances',
    'ec2:TerminateInstances',
  ]),
});

/** The tag DRS puts on the recovery instances it launches (its own service role relies on it). */
export const DRS_MANAGED_TAG = 'AWSElasticDisasterRecoveryManaged';

/** The role DRS launches recovery instances with (created when DRS is initialized). */
export const RECOVERY_INSTANCE_ROLE_PATTERN =
  'role/service-role/AWSElasticDisasterRecoveryRecoveryInstance*';

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

/** Which handler: the query handler only reads. */
export type DrsHandlerAccess = 'execution' | 'query';

/** Reading DRS: source servers and jobs (both), recovery instances (execution). */
export function describeStatement(access: DrsHandlerAccess): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DescribeDrs',
    actions: [
      'drs:DescribeSourceServers',
      'drs:DescribeJobs',
      ...(access === 'execution' ? ['drs:DescribeRecoveryInstances'] : []),
    ],
    resources: ['*'],
  });
}

/**
 * Reading the DRS quotas (both handlers: the throttler and the capacity query): the applied
 * value, else the AWS default (an account that never changed a quota has no applied value).
 */
export function quotaStatements(scope: DrsPolicyScope): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadDrsQuotas',
      actions: ['servicequotas:GetServiceQuota'],
      resources: drsQuotaArns(scope),
    }),
    new iam.PolicyStatement({
      sid: 'ReadDrsDefaultQuotas',
      actions: ['servicequotas:GetAWSDefaultServiceQuota'],
      resources: ['*'],
    }),
  ];
}

/** Per region: every EC2 resource of this account, and the account-less AMIs and snapshots. */
export function ec2ResourceArns(scope: DrsPolicyScope): { account: string[]; shared: string[] } {
  return {
    account: scope.regions.map(
      (region) => `arn:${scope.partition}:ec2:${region}:${scope.account}:*`,
    ),
    shared: scope.regions.flatMap((region) => [
      `arn:${scope.partition}:ec2:${region}::image/*`,
      `arn:${scope.partition}:ec2:${region}::snapshot/*`,
    ]),
  };
}

/** Per region: the EC2 instances of this account. */
export function ec2InstanceArns(scope: DrsPolicyScope): string[] {
  return scope.regions.map(
    (region) => `arn:${scope.partition}:ec2:${region}:${scope.account}:instance/*`,
  );
}

/** The recovery instance roles of this account. */
export function recoveryInstanceRoleArn(scope: DrsPolicyScope): string {
  return `arn:${scope.partition}:iam::${scope.account}:${RECOVERY_INSTANCE_ROLE_PATTERN}`;
}

/**
 * Starting recovery jobs (tagged) and terminating recovery instances (execution handler), with
 * the dependent actions DRS checks on the caller.
 */
export function recoveryStatements(scope: DrsPolicyScope): iam.PolicyStatement[] {
  const ec2 = ec2ResourceArns(scope);
  return [
    new iam.PolicyStatement({
      sid: 'StartRecovery',
      actions: ['drs:StartRecovery', 'drs:CreateRecoveryInstanceForDrs'],
      resources: drsResourceArns(scope, 'source-server'),
    }),
    new iam.PolicyStatement({
      sid: 'TagRecoveryJobs',
      actions: ['drs:TagResource'],
      resources: drsResourceArns(scope, 'job'),
    }),
    new iam.PolicyStatement({
      sid: 'ListDrsTags',
      actions: ['drs:ListTagsForResource'],
      resources: [
        ...drsResourceArns(scope, 'source-server'),
        ...drsResourceArns(scope, 'job'),
        ...drsResourceArns(scope, 'recovery-instance'),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'TerminateRecoveryInstances',
      actions: ['drs:TerminateRecoveryInstances'],
      resources: drsResourceArns(scope, 'recovery-instance'),
    }),
    new iam.PolicyStatement({
      sid: 'DescribeEc2ForDrs',
      actions: [...DRS_DEPENDENT_ACTIONS.ec2Reads],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'Ec2ForDrsRecovery',
      actions: [...DRS_DEPENDENT_ACTIONS.ec2Writes],
      resources: [...ec2.account, ...ec2.shared],
    }),
    new iam.PolicyStatement({
      sid: 'Ec2ForDrsManagedInstances',
      actions: [...DRS_DEPENDENT_ACTIONS.ec2ManagedInstances],
      resources: ec2InstanceArns(scope),
      // Only instances DRS launched: they carry its tag (whatever its value).
      conditions: { Null: { [`aws:ResourceTag/${DRS_MANAGED_TAG}`]: 'false' } },
    }),
    new iam.PolicyStatement({
      sid: 'PassRecoveryInstanceRole',
      actions: ['iam:PassRole'],
      resources: [recoveryInstanceRoleArn(scope)],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
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
