import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStartEvent, parseTaskStarterConfig } from '../../src/task-starter/contract.js';
import { ipInAnyCidr, ipInCidr, ipv4ToNumber } from '../../src/task-starter/ip.js';
import { planReconcile, type RegisteredTarget } from '../../src/task-starter/reconcile-plan.js';
import {
  allRetryable,
  buildRunTaskInput,
  classifyFailure,
  clientTokenFor,
  failureReasonDimension,
  registrationOf,
  requestedAtOf,
} from '../../src/task-starter/run-task.js';
import { decideTaskState } from '../../src/task-starter/state-decision.js';
import {
  networkModeOf,
  resolveContainerPort,
  resolveTarget,
  type NetworkMode,
} from '../../src/task-starter/targets.js';
import { isLive, isStopping, taskViewOf, type TaskView } from '../../src/task-starter/task-view.js';
import { TaskStatuses, type TaskStatus } from '../../src/task-starter/contract.js';

const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';

function task(overrides: Partial<TaskView> = {}): TaskView {
  return {
    taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/apps/abc',
    clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/apps',
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    version: 3,
    containers: [
      { name: 'app', bindings: [{ containerPort: 80, hostPort: 32768, protocol: 'tcp' }] },
    ],
    tags: {},
    privateIp: '10.0.1.5',
    ...overrides,
  };
}

describe('run-task: client token', () => {
  it('is 64 hex characters, deterministic, and differs per event and per batch', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 256 }), fc.nat(9), (eventId, batch) => {
        const token = clientTokenFor(eventId, batch);
        expect(token).toMatch(/^[0-9a-f]{64}$/);
        expect(clientTokenFor(eventId, batch)).toBe(token);
        expect(clientTokenFor(eventId, batch + 1)).not.toBe(token);
        expect(clientTokenFor(`${eventId}x`, batch)).not.toBe(token);
      }),
      { numRuns: 100 },
    );
  });
});

describe('run-task: failure classification', () => {
  it.each([
    ['RESOURCE:CPU', 'capacity'],
    ['RESOURCE:MEMORY', 'capacity'],
    ['RESOURCE:ENI', 'capacity'],
    ['RESOURCE:PORTS', 'capacity'],
    ['AGENT', 'capacity'],
    ['Capacity is unavailable at this time. Please try again later', 'capacity'],
    ['ATTRIBUTE', 'permanent'],
    ['MISSING', 'permanent'],
    ['INACTIVE', 'permanent'],
    ['something new', 'permanent'],
  ])('classifies %s as %s', (reason, expected) => {
    // Assess
    expect(classifyFailure(reason)).toBe(expected);
  });

  it('keeps metric dimensions bounded', () => {
    // Assess
    expect(failureReasonDimension('RESOURCE:CPU')).toBe('RESOURCE:CPU');
    expect(failureReasonDimension('Capacity is unavailable at this time')).toBe(
      'CAPACITY_UNAVAILABLE',
    );
    expect(failureReasonDimension('RESOURCE:NEWTHING')).toBe('RESOURCE:NEWTHING');
    expect(failureReasonDimension('a sentence nobody expected')).toBe('OTHER');
    expect(allRetryable([])).toBe(false);
    expect(allRetryable([{ reason: 'AGENT' }, { reason: 'ATTRIBUTE' }])).toBe(false);
    expect(allRetryable([{ reason: 'AGENT' }, { reason: 'RESOURCE:CPU' }])).toBe(true);
  });
});

describe('run-task: request', () => {
  const config = parseTaskStarterConfig({});
  const request = parseStartEvent(
    {
      id: 'event/1',
      time: '2026-03-01T10:00:00Z',
      detail: {
        cluster: 'apps',
        taskDefinition: 'web',
        targetGroupArn: TG,
        subnets: ['subnet-0aaa1111'],
        securityGroups: ['sg-0123abcd'],
        assignPublicIp: 'DISABLED',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }],
        overrides: { cpu: '512' },
        count: 2,
      },
    },
    config,
    0,
  );

  it('tags the task with its registration and sends awsvpc settings only for awsvpc', () => {
    // Act
    const awsvpc = buildRunTaskInput({
      request,
      registration: { containerName: 'app', containerPort: 8080 },
      startedByPrefix: 'kit',
      batch: 1,
      count: 2,
      awsvpc: true,
    });
    const bridge = buildRunTaskInput({
      request,
      registration: { containerName: 'app', containerPort: 80 },
      startedByPrefix: 'kit',
      batch: 0,
      count: 1,
      awsvpc: false,
    });
    const tags = Object.fromEntries(awsvpc.tags.map((t) => [t.key, t.value]));
    // Assess
    expect(awsvpc).toMatchObject({
      cluster: 'apps',
      count: 2,
      startedBy: 'kit/web/0123456789abcdef',
      clientToken: clientTokenFor('event/1', 1),
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }],
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0aaa1111'],
          securityGroups: ['sg-0123abcd'],
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: { cpu: '512' },
    });
    expect(registrationOf(tags)).toEqual({
      targetGroupArn: TG,
      containerName: 'app',
      containerPort: 8080,
    });
    expect(requestedAtOf(tags)).toBe(Date.parse('2026-03-01T10:00:00Z'));
    expect(bridge.networkConfiguration).toBeUndefined();
    expect(registrationOf({})).toBeUndefined();
    expect(requestedAtOf({})).toBeUndefined();
  });
});

describe('ip: CIDR membership', () => {
  it('agrees with a reference computation for any address and prefix', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, base, bits) => {
        const a = ipv4ToNumber(ip) as number;
        const b = ipv4ToNumber(base) as number;
        const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
        expect(ipInCidr(ip, `${base}/${bits}`)).toBe((a & mask) >>> 0 === (b & mask) >>> 0);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects malformed input', () => {
    // Assess
    expect(ipv4ToNumber('10.0.0')).toBeUndefined();
    expect(ipv4ToNumber('10.0.0.256')).toBeUndefined();
    expect(ipv4ToNumber('10.0.0.x')).toBeUndefined();
    expect(ipInCidr('10.0.0.1', '10.0.0.0/40')).toBe(false);
    expect(ipInCidr('10.0.0.1', 'nonsense')).toBe(false);
    expect(ipInAnyCidr('10.1.0.1', ['10.0.0.0/16', '10.1.0.0/16'])).toBe(true);
  });
});

describe('targets: registration matrix', () => {
  const base = { containerName: 'app', containerPort: 80, vpcCidrs: ['10.0.0.0/16'] };
  const cases: [NetworkMode, string, boolean][] = [
    ['awsvpc', 'ip', true],
    ['awsvpc', 'instance', false],
    ['bridge', 'instance', true],
    ['bridge', 'ip', false],
    ['host', 'instance', true],
    ['host', 'ip', false],
    ['none', 'ip', false],
  ];

  it.each(cases)('%s task × %s target group → registrable: %s', (mode, type, ok) => {
    // Act
    const result = resolveTarget({
      ...base,
      task: task({ containerInstanceArn: 'ci' }),
      networkMode: mode,
      targetType: type,
      ec2InstanceId: 'i-0123456789abcdef0',
    });
    // Assess
    expect(result.ok).toBe(ok);
    if (result.ok && mode === 'awsvpc') expect(result.target).toEqual({ id: '10.0.1.5', port: 80 });
    if (result.ok && mode !== 'awsvpc') {
      expect(result.target).toEqual({ id: 'i-0123456789abcdef0', port: 32768 });
    }
  });

  it("registers an IP outside the target group's VPC with AvailabilityZone 'all'", () => {
    // Act
    const outside = resolveTarget({
      ...base,
      task: task({ privateIp: '172.31.0.9' }),
      networkMode: 'awsvpc',
      targetType: 'ip',
    });
    const unknown = resolveTarget({
      ...base,
      vpcCidrs: [],
      task: task({ privateIp: '172.31.0.9' }),
      networkMode: 'awsvpc',
      targetType: 'ip',
    });
    // Assess
    expect(outside).toEqual({
      ok: true,
      target: { id: '172.31.0.9', port: 80, availabilityZone: 'all' },
      zoneUnknown: false,
    });
    expect(unknown).toEqual({
      ok: true,
      target: { id: '172.31.0.9', port: 80 },
      zoneUnknown: true,
    });
  });

  it('reports a missing IP, host port or container instance', () => {
    // Act
    const noIp = resolveTarget({
      ...base,
      task: task({ privateIp: undefined }),
      networkMode: 'awsvpc',
      targetType: 'ip',
    });
    const noPort = resolveTarget({
      ...base,
      containerPort: 81,
      task: task(),
      networkMode: 'bridge',
      targetType: 'instance',
      ec2InstanceId: 'i-1',
    });
    const noInstance = resolveTarget({
      ...base,
      task: task(),
      networkMode: 'host',
      targetType: 'instance',
    });
    // Assess
    expect(noIp).toMatchObject({ ok: false, reason: 'NO_IP' });
    expect(noPort).toMatchObject({ ok: false, reason: 'NO_HOST_PORT' });
    expect(noInstance).toMatchObject({ ok: false, reason: 'NO_CONTAINER_INSTANCE' });
    expect(networkModeOf(undefined)).toBe('bridge');
    expect(networkModeOf('awsvpc')).toBe('awsvpc');
  });
});

describe('targets: container and port', () => {
  const containers = [
    { name: 'app', portMappings: [{ containerPort: 8080 }, { containerPort: 9090 }] },
    { name: 'sidecar', portMappings: [] },
  ];

  it('picks the one container with port mappings and its first port', () => {
    // Assess
    expect(resolveContainerPort({ containers, networkMode: 'awsvpc' })).toEqual({
      ok: true,
      containerName: 'app',
      containerPort: 8080,
    });
    expect(resolveContainerPort({ containers, networkMode: 'bridge', port: 9090 })).toEqual({
      ok: true,
      containerName: 'app',
      containerPort: 9090,
    });
  });

  it('accepts an unmapped port for awsvpc only, and names what is missing', () => {
    // Act
    const awsvpc = resolveContainerPort({
      containers,
      networkMode: 'awsvpc',
      containerName: 'sidecar',
      port: 7000,
    });
    const bridge = resolveContainerPort({
      containers,
      networkMode: 'bridge',
      containerName: 'app',
      port: 7000,
    });
    const unknown = resolveContainerPort({
      containers,
      networkMode: 'awsvpc',
      containerName: 'db',
    });
    const noMapping = resolveContainerPort({
      containers,
      networkMode: 'awsvpc',
      containerName: 'sidecar',
    });
    const ambiguous = resolveContainerPort({
      containers: [...containers, { name: 'admin', portMappings: [{ containerPort: 1 }] }],
      networkMode: 'awsvpc',
    });
    // Assess
    expect(awsvpc).toEqual({ ok: true, containerName: 'sidecar', containerPort: 7000 });
    expect(bridge).toMatchObject({
      ok: false,
      message: expect.stringContaining('maps no container port 7000'),
    });
    expect(unknown).toMatchObject({
      ok: false,
      message: expect.stringContaining("no container 'db'"),
    });
    expect(noMapping).toMatchObject({
      ok: false,
      message: expect.stringContaining('no port mapping'),
    });
    expect(ambiguous).toMatchObject({
      ok: false,
      message: expect.stringContaining('set containerName'),
    });
  });
});

describe('task-view: normalising DescribeTasks and event shapes', () => {
  it('finds the ENI IP under either attachment type, and tags', () => {
    // Act
    const fromEvent = taskViewOf({
      taskArn: 't',
      clusterArn: 'c',
      taskDefinitionArn: 'd',
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      attachments: [{ type: 'eni', details: [{ name: 'privateIPv4Address', value: '10.0.0.1' }] }],
    });
    const fromApi = taskViewOf({
      taskArn: 't',
      clusterArn: 'c',
      taskDefinitionArn: 'd',
      lastStatus: 'SOMETHING_NEW',
      attachments: [
        {
          type: 'ElasticNetworkInterface',
          details: [{ name: 'privateIPv4Address', value: '10.0.0.2' }],
        },
      ],
      tags: [{ key: 'a', value: 'b' }, { key: 'c' }],
    });
    const fromContainer = taskViewOf({
      taskArn: 't',
      clusterArn: 'c',
      taskDefinitionArn: 'd',
      containers: [
        {
          name: 'x',
          networkInterfaces: [{ privateIpv4Address: '10.0.0.3' }],
          networkBindings: [{ containerPort: 1 }],
        },
      ],
    });
    // Assess
    expect(fromEvent?.privateIp).toBe('10.0.0.1');
    expect(fromEvent?.version).toBe(-1);
    expect(fromApi?.privateIp).toBe('10.0.0.2');
    expect(fromApi?.lastStatus).toBe('PENDING');
    expect(fromApi?.tags).toEqual({ a: 'b', c: '' });
    expect(fromContainer?.privateIp).toBe('10.0.0.3');
    expect(fromContainer?.containers[0].bindings).toEqual([]);
    expect(taskViewOf({ taskArn: 't' })).toBeUndefined();
  });
});

const arbStatus = fc.constantFrom<TaskStatus>(...TaskStatuses);
const arbView = fc.record({
  lastStatus: arbStatus,
  desiredStatus: fc.constantFrom<TaskStatus>('RUNNING', 'STOPPED'),
  version: fc.nat(20),
});

describe('state-decision: duplicate and out-of-order events', () => {
  it('never registers a task that the event or DescribeTasks reports as stopping', () => {
    fc.assert(
      fc.property(arbView, arbView, (e, c) => {
        const decision = decideTaskState(task(e), task({ ...c, tags: { t: '1' } }));
        if (isStopping(e) || isStopping(c)) expect(decision.action).toBe('deregister');
        if (decision.action === 'register') {
          expect(isLive(e) || e.version <= c.version).toBe(true);
          expect(isLive(decision.task)).toBe(true);
          expect(decision.task.tags).toEqual({ t: '1' });
        }
      }),
      { numRuns: 100 },
    );
  });

  it('registers on RUNNING, ignores a RUNNING event that arrives after the task stopped', () => {
    // Act
    const running = decideTaskState(task({ version: 4 }), task({ version: 4 }));
    const late = decideTaskState(
      task({ version: 4 }),
      task({ version: 7, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }),
    );
    const pending = decideTaskState(
      task({ lastStatus: 'PENDING' }),
      task({ lastStatus: 'PENDING' }),
    );
    const unknown = decideTaskState(task(), undefined);
    const lagging = decideTaskState(
      task({ version: 5 }),
      task({ version: 4, lastStatus: 'PENDING' }),
    );
    // Assess
    expect(running.action).toBe('register');
    expect(late.action).toBe('deregister');
    expect(pending.action).toBe('ignore');
    expect(unknown.action).toBe('ignore');
    expect(lagging.action).toBe('register');
  });

  it('deregisters with the network details of whichever view still has them', () => {
    // Act
    const decision = decideTaskState(
      task({ version: 5, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }),
      task({
        version: 6,
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        privateIp: undefined,
        containers: [{ name: 'app', bindings: [] }],
      }),
    );
    // Assess
    expect(decision.action).toBe('deregister');
    expect(decision.task.privateIp).toBe('10.0.1.5');
    expect(decision.task.containers[0].bindings).toHaveLength(1);
  });
});

describe('reconcile-plan: drift both ways', () => {
  const arbTarget = fc.record({
    id: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'),
    port: fc.constantFrom(80, 8080),
  });
  const arbRegistered = fc.array(
    fc.record({
      id: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'),
      port: fc.constantFrom(80, 8080),
      state: fc.constantFrom('initial', 'healthy', 'unhealthy', 'draining', 'unused'),
    }),
    { maxLength: 6 },
  );
  const arbLive = fc.array(
    fc.record({ taskArn: fc.string({ minLength: 1, maxLength: 4 }), target: arbTarget }),
    { maxLength: 6 },
  );
  const key = (t: { id: string; port: number }) => `${t.id}:${t.port}`;

  it('registers every live target not registered, deregisters (owned) every stray non-draining one', () => {
    fc.assert(
      fc.property(
        arbRegistered,
        arbLive,
        fc.constantFrom('owned' as const, 'shared' as const),
        (targets, live, mode) => {
          const plan = planReconcile({ mode, targets, live });
          const registered = new Set(targets.map(key));
          const wanted = new Set(live.map((l) => key(l.target)));
          // After the plan, every live target is registered or was already...
          const after = new Set([...registered, ...plan.register.map((r) => key(r.target))]);
          for (const k of wanted) expect(after.has(k)).toBe(true);
          // ...nothing is registered twice, nothing live is removed...
          expect(new Set(plan.register.map((r) => key(r.target))).size).toBe(plan.register.length);
          for (const t of plan.deregister) expect(wanted.has(key(t))).toBe(false);
          for (const t of plan.deregister) expect(t.state).not.toBe('draining');
          // ...and shared mode never removes anything.
          if (mode === 'shared') expect(plan.deregister).toEqual([]);
          else {
            const strays = targets.filter(
              (t: RegisteredTarget) => !wanted.has(key(t)) && t.state !== 'draining',
            );
            expect(plan.deregister).toHaveLength(strays.length);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
