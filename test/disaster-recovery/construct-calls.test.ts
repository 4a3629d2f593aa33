/**
 * Ties each handler's AWS calls to its synthesized IAM policy: the handlers run through the
 * simulation (every path that calls AWS: starts, redeliveries, takeovers, lost answers,
 * escalations, quota defaults, terminations, capacity queries), every call is recorded, and each
 * one — with the dependent actions DRS checks on the caller — must be allowed by the role's
 * policy statements on the resource it touches. A missing grant fails here, not in production.
 */
import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DisasterRecoveryOrchestration } from '../../src/disaster-recovery/construct.js';
import { createExecutionHandler } from '../../src/disaster-recovery/handlers/execution.js';
import { createQueryHandler } from '../../src/disaster-recovery/handlers/query.js';
import type { StartWaveResult } from '../../src/disaster-recovery/handlers/wave.js';
import {
  LEASE_TABLE,
  LIMITER_TABLE,
  createDrsWorld,
  type AwsCall,
} from '../../src/disaster-recovery/simulator/world.js';
import { CommonErrors } from '../../src/simulation/service-error.js';
import { ACCOUNT, synthesize, validProps } from './construct-support.js';

const REGION = 'us-east-1';

/**
 * Dependent actions from the Service Authorization Reference (AWS Elastic Disaster Recovery),
 * transcribed here independently of the construct, with a sample resource each is checked on
 * (`*`: the action has no resource type). `context` is the request context IAM evaluates.
 */
interface Requirement {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
}
const ec2 = (type: string, id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${type}/${id}`;
const EC2_READS = [
  'DescribeAccountAttributes',
  'DescribeAvailabilityZones',
  'DescribeImages',
  'DescribeInstanceAttribute',
  'DescribeInstanceStatus',
  'DescribeInstanceTypes',
  'DescribeInstances',
  'DescribeLaunchTemplateVersions',
  'DescribeLaunchTemplates',
  'DescribeSecurityGroups',
  'DescribeSnapshots',
  'DescribeSubnets',
  'DescribeVolumes',
].map((name): Requirement => ({ action: `ec2:${name}`, resource: '*' }));
const SNAPSHOT = `arn:aws:ec2:${REGION}::snapshot/snap-0abc`;
const IMAGE = `arn:aws:ec2:${REGION}::image/ami-0abc`;
const EC2_LAUNCH: Requirement[] = [
  ['AttachVolume', ec2('volume', 'vol-1')],
  ['AuthorizeSecurityGroupEgress', ec2('security-group', 'sg-1')],
  ['AuthorizeSecurityGroupIngress', ec2('security-group', 'sg-1')],
  ['CreateLaunchTemplate', ec2('launch-template', 'lt-1')],
  ['CreateLaunchTemplateVersion', ec2('launch-template', 'lt-1')],
  ['CreateSnapshot', SNAPSHOT],
  ['CreateSnapshot', ec2('volume', 'vol-1')],
  ['CreateTags', ec2('instance', 'i-1')],
  ['CreateTags', SNAPSHOT],
  ['CreateVolume', ec2('volume', 'vol-1')],
  ['CreateVolume', SNAPSHOT],
  ['DeleteLaunchTemplateVersions', ec2('launch-template', 'lt-1')],
  ['DeleteSnapshot', SNAPSHOT],
  ['DeleteVolume', ec2('volume', 'vol-1')],
  ['DetachVolume', ec2('instance', 'i-1')],
  ['ModifyLaunchTemplate', ec2('launch-template', 'lt-1')],
  ['RevokeSecurityGroupEgress', ec2('security-group', 'sg-1')],
  ['RunInstances', ec2('instance', 'i-1')],
  ['RunInstances', ec2('subnet', 'subnet-1')],
  ['RunInstances', IMAGE],
].map(([name, resource]) => ({ action: `ec2:${name}`, resource }));
/** DRS tags every recovery instance it launches with this key (value drs.amazonaws.com). */
const DRS_LAUNCHED: Readonly<Record<string, string>> = {
  'aws:ResourceTag/AWSElasticDisasterRecoveryManaged': 'drs.amazonaws.com',
};
/** Instance lifecycle actions: on the recovery instances DRS launched (tagged). */
const EC2_RECOVERY_INSTANCES: Requirement[] = [
  'ModifyInstanceAttribute',
  'StartInstances',
  'StopInstances',
  'TerminateInstances',
].map((name) => ({
  action: `ec2:${name}`,
  resource: ec2('instance', 'i-1'),
  context: DRS_LAUNCHED,
}));

const drsArn = (type: string, id: string) => `arn:aws:drs:${REGION}:${ACCOUNT}:${type}/${id}`;

/** The IAM requirements of one recorded call: its own action, and what DRS checks besides. */
function requirementsOf(call: AwsCall, tables: Record<string, string>): Requirement[] {
  const action = `${call.service}:${call.operation}`;
  const input = call.input;
  switch (call.service) {
    case 'dynamodb':
      return [{ action, resource: tables[String(input.TableName)] ?? 'unknown-table' }];
    case 'sns':
      return [{ action, resource: 'topic' }];
    case 'servicequotas':
      return [
        {
          action,
          resource:
            call.operation === 'GetServiceQuota'
              ? `arn:aws:servicequotas:${REGION}:${ACCOUNT}:drs/${String(input.QuotaCode)}`
              : '*',
        },
      ];
    case 'drs':
      break;
  }
  const server = drsArn('source-server', 's-1234567890abcdef0');
  switch (call.operation) {
    case 'StartRecovery':
      return [
        { action, resource: server },
        // StartRecovery tags the job it creates.
        { action: 'drs:TagResource', resource: drsArn('job', 'drsjob-1') },
        { action: 'drs:CreateRecoveryInstanceForDrs', resource: server },
        { action: 'drs:ListTagsForResource', resource: server },
        ...EC2_READS,
        ...EC2_LAUNCH,
        ...EC2_RECOVERY_INSTANCES,
        {
          action: 'iam:PassRole',
          resource: `arn:aws:iam::${ACCOUNT}:role/service-role/AWSElasticDisasterRecoveryRecoveryInstanceRole`,
          context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        },
      ];
    case 'TerminateRecoveryInstances':
      return [
        { action, resource: drsArn('recovery-instance', 'i-1234567890abcdef0') },
        { action: 'drs:DescribeSourceServers', resource: '*' },
        { action: 'ec2:DeleteVolume', resource: ec2('volume', 'vol-1') },
        { action: 'ec2:DescribeInstances', resource: '*' },
        { action: 'ec2:DescribeVolumes', resource: '*' },
        {
          action: 'ec2:TerminateInstances',
          resource: ec2('instance', 'i-1'),
          context: DRS_LAUNCHED,
        },
      ];
    case 'DescribeRecoveryInstances':
      return [
        { action, resource: '*' },
        { action: 'drs:DescribeSourceServers', resource: '*' },
        { action: 'ec2:DescribeInstances', resource: '*' },
      ];
    default:
      return [{ action, resource: '*' }];
  }
}

// ---- a minimal IAM evaluator over the synthesized template ----

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** A template value as a string: the partition is `aws`, references keep their logical id. */
function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  const value = node as Record<string, unknown>;
  if (value.Ref === 'AWS::Partition') return 'aws';
  if (typeof value.Ref === 'string') return `ref:${value.Ref}`;
  const getAtt = value['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) return `getatt:${getAtt[0]}.${getAtt[1]}`;
  const join = value['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(flatten).join(join[0]);
  return JSON.stringify(node);
}

/** IAM's wildcard match (`*` any run, `?` one character), case-sensitive. */
function matches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function conditionHolds(statement: Statement, context: Readonly<Record<string, string>>): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      // Null "false": the key must be in the request (e.g. the resource carries the tag).
      if (operator === 'Null') return list(expected).includes(String(context[key] === undefined));
      if (operator !== 'StringEquals') return false; // unknown operators never hold here
      return list(expected).includes(context[key] ?? '');
    }),
  );
}

/** The Allow statements of every policy attached to `roleId`. */
function statementsOfRole(template: Template, roleId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<
    string,
    { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } }
  >;
  return Object.values(policies)
    .filter((policy) => policy.Properties.Roles.some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .filter((statement) => statement.Effect === 'Allow');
}

function allowed(statements: readonly Statement[], requirement: Requirement): boolean {
  return statements.some(
    (statement) =>
      list(statement.Action).some((a) => matches(a, requirement.action)) &&
      list(statement.Resource)
        .map(flatten)
        .some((resource) =>
          requirement.resource === '*' ? resource === '*' : matches(resource, requirement.resource),
        ) &&
      conditionHolds(statement, requirement.context ?? {}),
  );
}

// ---- the handlers' calls ----

const startWave = (waveId: string, sourceServerIds: readonly string[]) => ({
  action: 'startWave',
  waveId,
  sourceServerIds,
  isDrill: true,
  region: REGION,
});

/** Every call the execution handler makes across its paths. */
async function executionCalls(): Promise<AwsCall[]> {
  const calls: AwsCall[] = [];
  const world = createDrsWorld({
    onAwsCall: (call) => calls.push(call),
    config: { maxRetries: 1 },
  });
  const servers = world.drs.seedSourceServers(150);
  // No applied quota values: the AWS defaults are read.
  world.serviceQuotas.failNext(
    4,
    { name: 'NoSuchResourceException', httpStatusCode: 400, message: 'No applied value' },
    { operation: 'GetServiceQuota' },
  );
  const handler = () => createExecutionHandler(world.container());
  const run = <T>(f: () => Promise<T>) => world.clock.run(f);
  // A start DRS throttles until the retries run out: escalated, claim dropped.
  world.drs.failNext(2, CommonErrors.throttlingException, { operation: 'StartRecovery' });
  await run(() => handler()(startWave('w0', servers.slice(0, 10)))).catch(() => undefined);
  // A start whose answer is lost: found by its tag, recorded.
  world.drs.loseNextAnswers(1, 'StartRecovery');
  const wave = (await run(() => handler()(startWave('w1', servers.slice(0, 150))))) as
    StartWaveResult | undefined;
  // A 500 before DRS acted: the claim expires; the redelivery takes it over and looks first.
  world.drs.failNext(1, undefined, { operation: 'StartRecovery' });
  await run(() => handler()(startWave('w2', servers.slice(0, 5)))).catch(() => undefined);
  await run(() => handler()(startWave('w2', servers.slice(0, 5)))).catch(() => undefined);
  // A redelivery of w1: done records.
  await run(() => handler()(startWave('w1', servers.slice(0, 150))));
  await world.clock.advance(400_000);
  const jobIds = wave?.jobs.map((job) => job.jobId) ?? [];
  await run(() => handler()({ action: 'waveStatus', waveId: 'w1', jobIds, region: REGION }));
  const instances = world.drs.recoveryInstances().map((i) => i.recoveryInstanceID ?? '');
  await run(() =>
    handler()({ action: 'terminate', recoveryInstanceIds: instances, region: REGION }),
  );
  return calls;
}

/** Every call the query handler makes. */
async function queryCalls(): Promise<AwsCall[]> {
  const calls: AwsCall[] = [];
  const world = createDrsWorld({ onAwsCall: (call) => calls.push(call), otherRegions: [] });
  const servers = world.drs.seedSourceServers(20);
  // A start in flight elsewhere: its lease is read by the query.
  await world.clock.run(() =>
    world
      .container()
      .services.throttler({ region: REGION })
      .waitForCapacity({
        sourceServerIds: servers.slice(0, 5),
      }),
  );
  const query = createQueryHandler(world.container());
  calls.length = 0; // only the query's own calls
  world.serviceQuotas.failNext(
    4,
    { name: 'NoSuchResourceException', httpStatusCode: 400, message: 'No applied value' },
    { operation: 'GetServiceQuota' },
  );
  await world.clock.run(() => query({ action: 'regionalCapacity', region: REGION }));
  await world.clock.run(() => query({ action: 'accountCapacity' }));
  return calls;
}

describe('DisasterRecoveryOrchestration construct: IAM covers every AWS call of the handlers', () => {
  let stack: Stack;
  let dr: DisasterRecoveryOrchestration;
  let template: Template;
  let tables: Record<string, string>;

  beforeAll(() => {
    ({ stack, dr, template } = synthesize(validProps()));
    const id = (construct: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(construct.node.defaultChild as CfnElement);
    // The world's table names stand for the construct's tables.
    tables = {
      [LEASE_TABLE]: `getatt:${id(dr.leaseTable)}.Arn`,
      [LIMITER_TABLE]: `getatt:${id(dr.limiterTable)}.Arn`,
    };
  });

  const missing = (
    role: 'executionFunction' | 'queryFunction',
    calls: readonly AwsCall[],
  ): string[] => {
    const roleId = stack.getLogicalId(dr[role].role.node.defaultChild as CfnElement);
    const topicId = stack.getLogicalId(
      (dr.alertTopic as unknown as { node: { defaultChild: CfnElement } }).node.defaultChild,
    );
    const statements = statementsOfRole(template, roleId);
    const problems = new Set<string>();
    for (const call of calls) {
      for (const requirement of requirementsOf(call, tables)) {
        const resource = requirement.resource === 'topic' ? `ref:${topicId}` : requirement.resource;
        if (!allowed(statements, { ...requirement, resource })) {
          problems.add(`${call.operation} needs ${requirement.action} on ${resource}`);
        }
      }
    }
    return [...problems];
  };

  it('grants the execution function every call it makes, and what DRS checks on it', async () => {
    const calls = await executionCalls();
    const operations = new Set(calls.map((c) => `${c.service}:${c.operation}`));
    // The scenario reaches every kind of call the execution handler makes.
    expect([...operations].sort()).toEqual([
      'drs:DescribeJobs',
      'drs:DescribeRecoveryInstances',
      'drs:StartRecovery',
      'drs:TerminateRecoveryInstances',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'servicequotas:GetAWSDefaultServiceQuota',
      'servicequotas:GetServiceQuota',
      'sns:Publish',
    ]);
    expect(missing('executionFunction', calls)).toEqual([]);
  });

  it('grants the query function every call it makes, the lease table read included', async () => {
    const calls = await queryCalls();
    expect(calls.some((c) => c.operation === 'GetItem' && c.input.TableName === LEASE_TABLE)).toBe(
      true,
    );
    expect(missing('queryFunction', calls)).toEqual([]);
  });

  it('lets the execution role stop or terminate only the instances DRS launched (tagged)', () => {
    const roleId = stack.getLogicalId(dr.executionFunction.role.node.defaultChild as CfnElement);
    const statements = statementsOfRole(template, roleId);
    for (const action of ['ec2:TerminateInstances', 'ec2:StopInstances']) {
      const instance = { action, resource: ec2('instance', 'i-0other') };
      expect(allowed(statements, { ...instance, context: DRS_LAUNCHED })).toBe(true);
      expect(allowed(statements, instance)).toBe(false);
    }
  });

  it('would report a missing grant: the query role may not start recovery', () => {
    const start: AwsCall = { service: 'drs', operation: 'StartRecovery', input: {} };
    expect(missing('queryFunction', [start])).toContain(
      `StartRecovery needs drs:StartRecovery on ${drsArn('source-server', 's-1234567890abcdef0')}`,
    );
  });
});
