import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_STARTED_BY_LENGTH,
  TaskStarterEnvVars as V,
  clusterNameOf,
  parseStartEvent,
  parseTaskStarterConfig,
  parseTaskStateChangeEvent,
  startEventPattern,
  startedByFor,
  syncFunctionTimeoutSeconds,
  targetGroupResourceOfStartedBy,
  taskDefinitionFamilyOf,
  taskStateChangePattern,
  toTaskStarterEnvironment,
  type TaskStarterConfig,
} from '../../src/task-starter/contract.js';
import { InvalidEventError, TaskStarterConfigError } from '../../src/task-starter/errors.js';

const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';
const OTHER_TG =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/other/fedcba9876543210';

const bare = parseTaskStarterConfig({});
const withDefaults = parseTaskStarterConfig({
  [V.cluster]: 'apps',
  [V.taskDefinition]: 'web:3',
  [V.targetGroupArn]: TG,
  [V.subnets]: 'subnet-0aaa1111, subnet-0bbb2222',
  [V.securityGroups]: '["sg-0123abcd"]',
  [V.launchType]: 'FARGATE',
  [V.containerPort]: '8080',
});

function rejectionOf(fn: () => unknown): InvalidEventError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected an InvalidEventError');
}

describe('contract: start event parsing', () => {
  it('fills every missing field from the configuration', () => {
    // Act
    const request = parseStartEvent({ id: 'e-1', detail: {} }, withDefaults, 1000);
    // Assess
    expect(request).toEqual({
      eventId: 'e-1',
      requestedAt: 1000,
      cluster: 'apps',
      taskDefinition: 'web:3',
      targetGroupArn: TG,
      port: 8080,
      subnets: ['subnet-0aaa1111', 'subnet-0bbb2222'],
      securityGroups: ['sg-0123abcd'],
      launchType: 'FARGATE',
      count: 1,
    });
  });

  it('lets the event override every default and dates the request by the event time', () => {
    // Act
    const request = parseStartEvent(
      {
        id: 'e-2',
        time: '2026-01-01T00:00:00Z',
        source: 'shop',
        'detail-type': 'Start ECS Task',
        detail: {
          cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/batch',
          taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/api:7',
          targetGroupArn: OTHER_TG,
          containerName: 'api',
          port: 9000,
          subnets: ['subnet-0ccc3333'],
          securityGroups: ['sg-0fedcba9'],
          assignPublicIp: 'ENABLED',
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
          overrides: {
            containerOverrides: [{ name: 'api', environment: [{ name: 'A', value: '1' }] }],
          },
          count: 10,
        },
      },
      withDefaults,
      5,
    );
    // Assess: the event's strategy replaces the configured launch type.
    expect(request).toMatchObject({
      requestedAt: Date.parse('2026-01-01T00:00:00Z'),
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/batch',
      targetGroupArn: OTHER_TG,
      containerName: 'api',
      port: 9000,
      assignPublicIp: 'ENABLED',
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      count: 10,
    });
    expect(request.launchType).toBeUndefined();
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['cluster', { cluster: 'bad cluster!' }, 'detail.cluster'],
    ['taskDefinition', { taskDefinition: 'web:0' }, 'detail.taskDefinition'],
    ['targetGroupArn', { targetGroupArn: 'arn:aws:s3:::bucket' }, 'detail.targetGroupArn'],
    ['containerName', { containerName: '' }, 'detail.containerName'],
    ['port (zero)', { port: 0 }, 'detail.port'],
    ['port (too big)', { port: 70000 }, 'detail.port'],
    ['port (fraction)', { port: 80.5 }, 'detail.port'],
    ['port (string)', { port: '80' }, 'detail.port'],
    ['subnets (bad id)', { subnets: ['sub-1'] }, 'detail.subnets.0'],
    ['subnets (empty)', { subnets: [] }, 'detail.subnets'],
    ['subnets (repeat)', { subnets: ['subnet-0aaa1111', 'subnet-0aaa1111'] }, 'detail.subnets'],
    ['securityGroups', { securityGroups: ['group'] }, 'detail.securityGroups.0'],
    [
      'securityGroups (> 5)',
      { securityGroups: ['1', '2', '3', '4', '5', '6'].map((n) => `sg-0000000${n}`) },
      'detail.securityGroups',
    ],
    ['assignPublicIp', { assignPublicIp: true }, 'detail.assignPublicIp'],
    ['launchType', { launchType: 'LAMBDA' }, 'detail.launchType'],
    [
      'capacityProviderStrategy',
      { capacityProviderStrategy: [] },
      'detail.capacityProviderStrategy',
    ],
    [
      'capacityProviderStrategy (two bases)',
      {
        capacityProviderStrategy: [
          { capacityProvider: 'a', base: 1 },
          { capacityProvider: 'b', base: 1 },
        ],
      },
      'detail.capacityProviderStrategy',
    ],
    [
      'launchType and strategy',
      { launchType: 'FARGATE', capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] },
      'detail.capacityProviderStrategy',
    ],
    [
      'overrides (role)',
      { overrides: { taskRoleArn: 'arn:aws:iam::123456789012:role/admin' } },
      'detail.overrides',
    ],
    [
      'overrides (too long)',
      { overrides: { containerOverrides: [{ name: 'a', command: ['x'.repeat(9000)] }] } },
      'detail.overrides',
    ],
    ['count (zero)', { count: 0 }, 'detail.count'],
    ['count (eleven)', { count: 11 }, 'detail.count'],
    ['unknown field', { targetGroup: TG }, 'detail'],
  ];

  it.each(invalid)('rejects an invalid %s, naming the field', (_name, detail, path) => {
    // Act
    const error = rejectionOf(() => parseStartEvent({ id: 'e', detail }, withDefaults, 0));
    // Assess
    expect(error.issues.some((line) => line.startsWith(`${path}:`))).toBe(true);
    expect(error.message).toContain('Invalid start event');
  });

  it('rejects an event without id or detail', () => {
    // Act
    const noId = rejectionOf(() => parseStartEvent({ detail: {} }, withDefaults, 0));
    const noDetail = rejectionOf(() => parseStartEvent({ id: 'x' }, withDefaults, 0));
    const notObject = rejectionOf(() => parseStartEvent('start', withDefaults, 0));
    // Assess
    expect(noId.issues[0]).toMatch(/^id:/);
    expect(noDetail.issues[0]).toMatch(/^detail:/);
    expect(notObject.issues[0]).toMatch(/^event:/);
  });

  it('names each required field missing from both the event and the configuration', () => {
    // Act
    const error = rejectionOf(() => parseStartEvent({ id: 'e', detail: {} }, bare, 0));
    // Assess
    expect(error.issues).toHaveLength(3);
    expect(error.message).toContain(V.cluster);
    expect(error.message).toContain(V.taskDefinition);
    expect(error.message).toContain(V.targetGroupArn);
  });

  it('rejects clusters, families and target groups outside the allowed lists', () => {
    // Prepare
    const config = parseTaskStarterConfig({
      [V.allowedClusters]: 'arn:aws:ecs:eu-west-1:123456789012:cluster/apps',
      [V.allowedTaskDefinitionFamilies]: 'web',
      [V.allowedTargetGroupArns]: TG,
    });
    // Act
    const ok = parseStartEvent(
      { id: 'e', detail: { cluster: 'apps', taskDefinition: 'web:4', targetGroupArn: TG } },
      config,
      0,
    );
    const error = rejectionOf(() =>
      parseStartEvent(
        { id: 'e', detail: { cluster: 'other', taskDefinition: 'api', targetGroupArn: OTHER_TG } },
        config,
        0,
      ),
    );
    // Assess
    expect(ok.cluster).toBe('apps');
    expect(error.issues).toHaveLength(3);
  });
});

describe('contract: configuration', () => {
  it('uses the documented defaults', () => {
    // Assess
    expect(bare).toEqual({
      defaults: {},
      startedByPrefix: 'aws-ops-kit',
      taskWaitTimeoutSeconds: 300,
      waitForHealthySeconds: 0,
      targetGroupVpcCidrs: [],
      allowedClusters: [],
      allowedTargetGroupArns: [],
      allowedTaskDefinitionFamilies: [],
      reconcileMode: 'owned',
      startAttempts: 3,
      metricsNamespace: 'AwsOpsKit/TaskStarter',
    });
  });

  it('reports every bad variable by name in one error', () => {
    // Act
    let error: unknown;
    try {
      parseTaskStarterConfig({
        [V.containerPort]: 'http',
        [V.subnets]: 'nope',
        [V.capacityProviderStrategy]: '[]',
        [V.startedByPrefix]: 'has/slash',
        [V.taskWaitTimeoutSeconds]: '5',
        [V.targetGroupVpcCidrs]: '10.0.0.0/33',
        [V.reconcileMode]: 'mine',
        [V.startAttempts]: '9',
        [V.metricsNamespace]: 'AWS/ECS',
        [V.assignPublicIp]: 'yes',
      });
    } catch (caught) {
      error = caught;
    }
    // Assess
    expect(error).toBeInstanceOf(TaskStarterConfigError);
    const variables = (error as TaskStarterConfigError).problems.map((p) => p.variable);
    expect(new Set(variables)).toEqual(
      new Set([
        V.containerPort,
        V.subnets,
        V.capacityProviderStrategy,
        V.startedByPrefix,
        V.taskWaitTimeoutSeconds,
        V.targetGroupVpcCidrs,
        V.reconcileMode,
        V.startAttempts,
        V.metricsNamespace,
        V.assignPublicIp,
      ]),
    );
    for (const problem of (error as TaskStarterConfigError).problems) {
      expect(problem.message.startsWith(problem.variable)).toBe(true);
    }
  });

  it('refuses a launch type together with a capacity provider strategy', () => {
    // Act
    const both = () =>
      parseTaskStarterConfig({
        [V.launchType]: 'EC2',
        [V.capacityProviderStrategy]: '[{"capacityProvider":"FARGATE"}]',
      });
    // Assess
    expect(both).toThrow(/CAPACITY_PROVIDER_STRATEGY cannot be set together with LAUNCH_TYPE/);
  });

  it('reads blank variables as unset and a malformed JSON list as an error', () => {
    // Act
    const blank = parseTaskStarterConfig({ [V.cluster]: ' ', [V.containerPort]: '' });
    const malformed = () => parseTaskStarterConfig({ [V.subnets]: '[subnet-0aaa1111' });
    // Assess
    expect(blank.defaults).toEqual({});
    expect(malformed).toThrow(TaskStarterConfigError);
  });

  it('round-trips any configuration through the environment', () => {
    // Prepare
    const arbConfig = fc.record({
      cluster: fc.constantFrom('apps', 'arn:aws:ecs:eu-west-1:123456789012:cluster/batch'),
      port: fc.integer({ min: 1, max: 65535 }),
      subnets: fc.uniqueArray(fc.stringMatching(/^subnet-[0-9a-f]{8}$/), {
        minLength: 1,
        maxLength: 4,
      }),
      useStrategy: fc.boolean(),
      startedByPrefix: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      taskWaitTimeoutSeconds: fc.integer({ min: 10, max: 840 }),
      waitForHealthySeconds: fc.integer({ min: 0, max: 600 }),
      reconcileMode: fc.constantFrom('owned' as const, 'shared' as const),
      startAttempts: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(arbConfig, (c) => {
        const config: TaskStarterConfig = {
          ...bare,
          defaults: {
            cluster: c.cluster,
            targetGroupArn: TG,
            port: c.port,
            subnets: c.subnets,
            ...(c.useStrategy
              ? { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 2, base: 1 }] }
              : { launchType: 'EC2' as const }),
          },
          startedByPrefix: c.startedByPrefix,
          taskWaitTimeoutSeconds: c.taskWaitTimeoutSeconds,
          waitForHealthySeconds: c.waitForHealthySeconds,
          targetGroupVpcCidrs: ['10.0.0.0/16'],
          allowedClusters: [c.cluster],
          allowedTargetGroupArns: [TG],
          allowedTaskDefinitionFamilies: ['web'],
          reconcileMode: c.reconcileMode,
          startAttempts: c.startAttempts,
        };
        expect(parseTaskStarterConfig(toTaskStarterEnvironment(config))).toEqual(config);
      }),
      { numRuns: 60 },
    );
  });

  it('sizes the synchronous function for the wait, the health wait and 30 s, at most 900 s', () => {
    // Assess
    expect(
      syncFunctionTimeoutSeconds({ taskWaitTimeoutSeconds: 300, waitForHealthySeconds: 60 }),
    ).toBe(390);
    expect(
      syncFunctionTimeoutSeconds({ taskWaitTimeoutSeconds: 840, waitForHealthySeconds: 600 }),
    ).toBe(900);
  });
});

describe('contract: startedBy and names', () => {
  it('names the kit and the target group in at most 128 allowed characters, and reads back', () => {
    // Prepare
    const arbName = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/);
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        arbName,
        fc.stringMatching(/^[0-9a-f]{16}$/),
        (prefix, name, id) => {
          const arn = `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/${id}`;
          const startedBy = startedByFor(prefix, arn);
          expect(startedBy.length).toBeLessThanOrEqual(MAX_STARTED_BY_LENGTH);
          expect(startedBy).toMatch(/^[A-Za-z0-9_/-]+$/);
          expect(targetGroupResourceOfStartedBy(prefix, startedBy)).toBe(
            `targetgroup/${name}/${id}`,
          );
          expect(targetGroupResourceOfStartedBy(`${prefix}x`, startedBy)).toBeUndefined();
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses a startedBy for something that is not a target group, and reads no foreign one', () => {
    // Assess
    expect(() => startedByFor('kit', 'arn:aws:s3:::b')).toThrow(InvalidEventError);
    expect(targetGroupResourceOfStartedBy('kit', undefined)).toBeUndefined();
    expect(targetGroupResourceOfStartedBy('kit', 'kit/not a target')).toBeUndefined();
    expect(targetGroupResourceOfStartedBy('kit', 'ecs-svc/123')).toBeUndefined();
  });

  it('reads cluster names and task definition families out of ARNs', () => {
    // Assess
    expect(clusterNameOf('arn:aws:ecs:eu-west-1:123456789012:cluster/apps')).toBe('apps');
    expect(clusterNameOf('apps')).toBe('apps');
    expect(taskDefinitionFamilyOf('arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3')).toBe(
      'web',
    );
    expect(taskDefinitionFamilyOf('web:3')).toBe('web');
    expect(taskDefinitionFamilyOf('web')).toBe('web');
  });
});

describe('contract: event patterns and the Task State Change event', () => {
  it('matches the kit tasks in the statuses the handler acts on', () => {
    // Act
    const pattern = taskStateChangePattern({ startedByPrefix: 'kit', clusterArns: ['c1'] });
    const anyCluster = taskStateChangePattern({ startedByPrefix: 'kit' });
    // Assess
    expect(pattern).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: {
        startedBy: [{ prefix: 'kit/' }],
        lastStatus: ['RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'],
        clusterArn: ['c1'],
      },
    });
    expect(anyCluster.detail).not.toHaveProperty('clusterArn');
    expect(startEventPattern({ source: 'shop' })).toEqual({
      source: ['shop'],
      'detail-type': ['Start ECS Task'],
    });
  });

  it('parses a Task State Change event and rejects anything else', () => {
    // Prepare
    const event = {
      id: 'ev',
      source: 'aws.ecs',
      'detail-type': 'ECS Task State Change',
      detail: {
        taskArn: 't',
        clusterArn: 'c',
        taskDefinitionArn: 'd',
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        version: 3,
        futureField: true,
      },
    };
    // Act
    const parsed = parseTaskStateChangeEvent(event);
    // Assess
    expect(parsed.detail.version).toBe(3);
    expect(() => parseTaskStateChangeEvent({ ...event, source: 'aws.ec2' })).toThrow(
      InvalidEventError,
    );
    expect(() =>
      parseTaskStateChangeEvent({ ...event, detail: { ...event.detail, lastStatus: 'BROKEN' } }),
    ).toThrow(/detail.lastStatus/);
  });
});
