/**
 * Handler paths that the simulation does not reach easily, against strict SDK mocks: refused
 * registrations, draining targets, throttling, foreign tasks, reconcile failures, configuration.
 */
import {
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DeregisterTargetsCommand,
  ElasticLoadBalancingV2Client,
  InvalidTargetException,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryMetricRecorder } from '../../src/observability/metrics.js';
import { silentLogger } from '../../src/observability/logger.js';
import {
  TaskStarterEnvVars as V,
  TaskStarterMetricNames as M,
  TaskStarterTagKeys as T,
  parseTaskStarterConfig,
} from '../../src/task-starter/contract.js';
import {
  InvalidEventError,
  StartPreconditionError,
  TaskStarterConfigError,
  TaskWaitError,
} from '../../src/task-starter/errors.js';
import { defaultDeps, type TaskStarterDeps } from '../../src/task-starter/handlers/deps.js';
import {
  ReconcileError,
  createReconcileHandler,
} from '../../src/task-starter/handlers/reconcile.js';
import { createStartSyncHandler } from '../../src/task-starter/handlers/start-sync.js';
import { createStartHandler } from '../../src/task-starter/handlers/start.js';
import { createTaskStateHandler } from '../../src/task-starter/handlers/task-state.js';

const ecsMock = mockClient(ECSClient);
const elbMock = mockClient(ElasticLoadBalancingV2Client);
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';
const STARTED_BY = 'aws-ops-kit/web/0123456789abcdef';
const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/apps';
const TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1';

function deps(
  env: Record<string, string> = {},
): TaskStarterDeps & { metrics: InMemoryMetricRecorder } {
  let now = Date.parse('2026-05-01T00:00:00Z');
  return {
    config: parseTaskStarterConfig({
      [V.cluster]: 'apps',
      [V.taskDefinition]: 'web',
      [V.targetGroupArn]: TG,
      [V.subnets]: 'subnet-0aaa1111',
      [V.targetGroupVpcCidrs]: '10.0.0.0/16',
      ...env,
    }),
    clients: {
      ecs: new ECSClient({ region: 'eu-west-1' }),
      elbv2: new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }),
    },
    clock: {
      now: () => now,
      sleep: (ms: number) => {
        now += ms;
        return Promise.resolve();
      },
    },
    logger: silentLogger,
    metrics: new InMemoryMetricRecorder(),
    random: () => 0.5,
  };
}

function kitTask(overrides: Partial<Task> = {}): Task {
  return {
    taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/apps/t1',
    clusterArn: CLUSTER,
    taskDefinitionArn: TD,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    version: 3,
    startedBy: STARTED_BY,
    attachments: [
      {
        type: 'ElasticNetworkInterface',
        details: [{ name: 'privateIPv4Address', value: '10.0.1.7' }],
      },
    ],
    tags: [
      { key: T.targetGroupArn, value: TG },
      { key: T.containerName, value: 'app' },
      { key: T.containerPort, value: '8080' },
      { key: T.eventId, value: 'start-1' },
      { key: T.requestedAt, value: '2026-04-30T23:59:00Z' },
    ],
    ...overrides,
  };
}

function stateEvent(task: Task) {
  return {
    id: 'state-1',
    source: 'aws.ecs',
    'detail-type': 'ECS Task State Change',
    detail: { ...task, tags: undefined },
  };
}

function mockWorld(
  networkMode: 'awsvpc' | 'bridge' = 'awsvpc',
  targetType: 'ip' | 'instance' = 'ip',
) {
  ecsMock.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: TD,
      family: 'web',
      networkMode,
      containerDefinitions: [{ name: 'app', portMappings: [{ containerPort: 8080 }] }],
    },
  });
  elbMock.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetType: targetType }] });
  elbMock.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [
      { TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered' } },
    ],
  });
  ecsMock.on(StopTaskCommand).resolves({});
}

beforeEach(() => {
  ecsMock.reset();
  elbMock.reset();
  ecsMock.onAnyCommand().rejects(new Error('unexpected ECS call'));
  elbMock.onAnyCommand().rejects(new Error('unexpected ELBv2 call'));
});

describe('handlers: start', () => {
  it('throws InvalidEventError before any AWS call', async () => {
    // Act / Assess
    await expect(createStartHandler(deps())({ id: 'e', detail: { port: -1 } })).rejects.toThrow(
      InvalidEventError,
    );
    expect(ecsMock.calls()).toHaveLength(0);
    expect(elbMock.calls()).toHaveLength(0);
  });

  it('refuses an awsvpc task without subnets and a port the task definition cannot bind', async () => {
    // Prepare
    mockWorld('bridge', 'instance');
    const handler = createStartHandler(deps({ [V.subnets]: '' }));
    const awsvpcHandler = createStartHandler(deps({ [V.subnets]: '' }));
    // Act / Assess
    await expect(handler({ id: 'e', detail: { port: 9999 } })).rejects.toThrow(
      /maps no container port 9999/,
    );
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { taskDefinitionArn: TD, networkMode: 'awsvpc', containerDefinitions: [] },
    });
    elbMock.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetType: 'ip' }] });
    await expect(awsvpcHandler({ id: 'e', detail: { taskDefinition: 'web:2' } })).rejects.toThrow(
      StartPreconditionError,
    );
    expect(ecsMock).toHaveReceivedCommandTimes(RunTaskCommand, 0);
  });

  it('fails RunTask answers without tasks or failures as UNKNOWN after retrying', async () => {
    // Prepare
    mockWorld();
    ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [] });
    const d = deps({ [V.startAttempts]: '1' });
    // Act / Assess
    await expect(
      createStartHandler(d)({ id: 'e', 'detail-type': 'x', detail: {} }),
    ).rejects.toThrow(/UNKNOWN/);
    expect(d.metrics.sum(M.startFailuresByReason, { Reason: 'OTHER' })).toBe(1);
  });
});

describe('handlers: task state', () => {
  it('registers a RUNNING task with the start event id as correlation id', async () => {
    // Prepare
    mockWorld();
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [kitTask()] });
    elbMock
      .on(RegisterTargetsCommand, { TargetGroupArn: TG, Targets: [{ Id: '10.0.1.7', Port: 8080 }] })
      .resolves({});
    const d = deps();
    // Act
    const result = await createTaskStateHandler(d)(stateEvent(kitTask()));
    // Assess
    expect(result).toMatchObject({
      correlationId: 'start-1',
      action: 'register',
      outcome: { kind: 'registered' },
    });
    expect(d.metrics.sum(M.timeToRegistered)).toBe(60);
  });

  it('ignores tasks the kit did not start', async () => {
    // Act
    const result = await createTaskStateHandler(deps())(
      stateEvent(kitTask({ startedBy: 'ecs-svc/1' })),
    );
    // Assess
    expect(result.action).toBe('ignore');
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it('leaves a task whose tags name another target group than its startedBy', async () => {
    // Prepare
    mockWorld();
    const foreign = kitTask({ startedBy: 'aws-ops-kit/other/0123456789abcdef' });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [foreign] });
    // Act
    const result = await createTaskStateHandler(deps())(stateEvent(foreign));
    // Assess
    expect(result.outcome).toEqual({ kind: 'not-kit-task', message: expect.any(String) as string });
  });

  it('stops a task that RegisterTargets refuses for good', async () => {
    // Prepare
    mockWorld();
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [kitTask()] });
    elbMock
      .on(RegisterTargetsCommand)
      .rejects(new InvalidTargetException({ message: 'bad', $metadata: {} }));
    const d = deps();
    // Act
    const result = await createTaskStateHandler(d)(stateEvent(kitTask()));
    // Assess
    expect(result.outcome).toMatchObject({ kind: 'stopped', reason: 'InvalidTargetException' });
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, { task: kitTask().taskArn });
    expect(
      d.metrics.sum(M.startFailuresByReason, { Reason: 'REGISTRATION:InvalidTargetException' }),
    ).toBe(1);
  });

  it('stops a task that cannot have a target (awsvpc behind an instance target group)', async () => {
    // Prepare
    mockWorld('awsvpc', 'instance');
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [kitTask()] });
    // Act
    const result = await createTaskStateHandler(deps())(stateEvent(kitTask()));
    // Assess
    expect(result.outcome).toMatchObject({ kind: 'stopped', reason: 'TARGET_TYPE_MISMATCH' });
  });

  it('defers a target that still drains from an earlier task, without stopping the task', async () => {
    // Prepare
    mockWorld();
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [kitTask()] });
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [{ TargetHealth: { State: 'draining' } }],
    });
    elbMock
      .on(RegisterTargetsCommand)
      .rejects(new InvalidTargetException({ message: 'draining', $metadata: {} }));
    // Act
    const result = await createTaskStateHandler(deps())(stateEvent(kitTask()));
    // Assess
    expect(result.outcome).toMatchObject({ kind: 'deferred' });
    expect(ecsMock).toHaveReceivedCommandTimes(StopTaskCommand, 0);
  });

  it('throws transient errors without stopping the task (the event is retried)', async () => {
    // Prepare
    mockWorld();
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [kitTask()] });
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    elbMock.on(RegisterTargetsCommand).rejects(throttled);
    // Act / Assess
    await expect(createTaskStateHandler(deps())(stateEvent(kitTask()))).rejects.toBe(throttled);
    expect(ecsMock).toHaveReceivedCommandTimes(StopTaskCommand, 0);
  });

  it('does not deregister a target a live kit task now holds (IP reused after a late stop event)', async () => {
    // Prepare
    mockWorld();
    const stopped = kitTask({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', version: 9 });
    const successor = kitTask({ taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/apps/t2' });
    ecsMock
      .on(DescribeTasksCommand, { tasks: [stopped.taskArn as string] })
      .resolves({ tasks: [stopped] });
    ecsMock
      .on(DescribeTasksCommand, { tasks: [successor.taskArn as string] })
      .resolves({ tasks: [successor] });
    ecsMock
      .on(ListTasksCommand)
      .resolves({ taskArns: [stopped.taskArn as string, successor.taskArn as string] });
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [{ TargetHealth: { State: 'healthy' } }],
    });
    // Act
    const result = await createTaskStateHandler(deps())(stateEvent(stopped));
    // Assess
    expect(result.outcome).toEqual({
      kind: 'skipped',
      message: `target now belongs to live task ${successor.taskArn}`,
    });
  });

  it('skips deregistration of a bridge task whose container instance is gone', async () => {
    // Prepare
    mockWorld('bridge', 'instance');
    const stopped = kitTask({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      containerInstanceArn: 'ci-gone',
      containers: [{ name: 'app', networkBindings: [{ containerPort: 8080, hostPort: 32768 }] }],
    });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [stopped] });
    ecsMock.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [] });
    // Act
    const result = await createTaskStateHandler(deps())(stateEvent(stopped));
    // Assess
    expect(result.outcome).toMatchObject({
      kind: 'skipped',
      message: expect.stringContaining('no target') as string,
    });
  });

  it('rejects something that is not a Task State Change event', async () => {
    // Act / Assess
    await expect(createTaskStateHandler(deps())({ id: 'x', source: 'aws.ec2' })).rejects.toThrow(
      InvalidEventError,
    );
  });
});

describe('handlers: reconcile', () => {
  it('stops live kit tasks that cannot be registered and reports failing target groups', async () => {
    // Prepare
    mockWorld('awsvpc', 'instance');
    const other =
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/gone/fedcba9876543210';
    elbMock
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TG })
      .resolves({ TargetHealthDescriptions: [] })
      .on(DescribeTargetHealthCommand, { TargetGroupArn: other })
      .rejects(Object.assign(new Error('gone'), { name: 'TargetGroupNotFoundException' }));
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [kitTask().taskArn as string] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [kitTask()] });
    const d = deps({ [V.allowedTargetGroupArns]: JSON.stringify([TG, other]) });
    // Act
    let error: unknown;
    try {
      await createReconcileHandler(d)();
    } catch (caught) {
      error = caught;
    }
    // Assess
    expect(error).toBeInstanceOf(ReconcileError);
    expect((error as ReconcileError).errors.map((e) => e.targetGroupArn)).toEqual([other]);
    expect(ecsMock).toHaveReceivedCommandTimes(StopTaskCommand, 1);
  });

  it('does nothing without a cluster or target group in scope', async () => {
    // Prepare
    const d = { ...deps(), config: parseTaskStarterConfig({}) };
    // Act
    const result = await createReconcileHandler(d)({});
    // Assess
    expect(result.results).toEqual([]);
    expect(ecsMock.calls()).toHaveLength(0);
  });
});

describe('handlers: synchronous start', () => {
  it('ends the wait before the Lambda timeout, keeping the safety margin', async () => {
    // Prepare
    mockWorld();
    ecsMock.on(RunTaskCommand).resolves({ tasks: [kitTask({ lastStatus: 'PROVISIONING' })] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [kitTask({ lastStatus: 'PENDING' })] });
    const d = deps();
    const began = d.clock.now();
    // Act
    const outcome = createStartSyncHandler(d)(
      { id: 'e', detail: {} },
      { awsRequestId: 'r', getRemainingTimeInMillis: () => 45_000 },
    );
    // Assess
    await expect(outcome).rejects.toThrow(/not RUNNING and registered in time/);
    expect(d.clock.now() - began).toBeLessThanOrEqual(30_000);
    expect(ecsMock).toHaveReceivedCommandTimes(StopTaskCommand, 1);
  });
});

describe('handlers: correlation id of direct invocations', () => {
  /** A logger that keeps the correlation id of every line. */
  function recordingLogger() {
    const ids: unknown[] = [];
    const log = (_message: unknown, ...extra: unknown[]) => {
      ids.push((extra[0] as { correlationId?: unknown } | undefined)?.correlationId);
    };
    return { ids, logger: { debug: log, info: log, warn: log, error: log } };
  }

  it('logs a direct start-sync invocation (no detail-type) under the event id the task is tagged with', async () => {
    // Prepare
    mockWorld();
    ecsMock.on(RunTaskCommand).resolves({ tasks: [kitTask({ lastStatus: 'PROVISIONING' })] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [kitTask()] });
    elbMock.on(RegisterTargetsCommand).resolves({});
    const { ids, logger } = recordingLogger();
    // Act
    const result = await createStartSyncHandler({ ...deps(), logger })(
      { id: 'direct-1', detail: {} },
      { awsRequestId: 'request-9' },
    );
    // Assess
    const runTask = ecsMock.commandCalls(RunTaskCommand)[0].args[0].input;
    expect(runTask.tags).toContainEqual({ key: T.eventId, value: 'direct-1' });
    expect(result.correlationId).toBe('direct-1');
    expect(ids.length).toBeGreaterThan(1);
    expect(new Set(ids)).toEqual(new Set(['direct-1']));
  });

  it('logs a direct start invocation under its event id, and a rejected one under the request id', async () => {
    // Prepare
    mockWorld();
    ecsMock.on(RunTaskCommand).resolves({ tasks: [kitTask({ lastStatus: 'PROVISIONING' })] });
    const { ids, logger } = recordingLogger();
    const handler = createStartHandler({ ...deps(), logger });
    // Act
    const result = await handler({ id: 'direct-2', detail: {} }, { awsRequestId: 'request-9' });
    const started = [...ids];
    ids.length = 0;
    await handler({ id: 'direct-3', detail: { count: 0 } }, { awsRequestId: 'request-10' }).catch(
      () => undefined,
    );
    // Assess
    expect(result.correlationId).toBe('direct-2');
    expect(new Set(started)).toEqual(new Set(['direct-2']));
    expect(ids).toEqual(['request-10']);
  });
});

describe('handlers: synchronous start, failure paths', () => {
  it('waits TASK_WAIT_TIMEOUT without a Lambda context', async () => {
    // Prepare
    mockWorld();
    ecsMock.on(RunTaskCommand).resolves({ tasks: [kitTask({ lastStatus: 'PROVISIONING' })] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [kitTask({ lastStatus: 'PENDING' })] });
    const d = deps({ [V.taskWaitTimeoutSeconds]: '20' });
    const began = d.clock.now();
    // Act / Assess
    await expect(createStartSyncHandler(d)({ id: 'e', detail: {} })).rejects.toThrow(
      /not RUNNING and registered in time/,
    );
    expect(d.clock.now() - began).toBe(20_000);
  });

  it('gives up on a task still MISSING after the grace period', async () => {
    // Prepare
    mockWorld();
    ecsMock.on(RunTaskCommand).resolves({ tasks: [kitTask({ lastStatus: 'PROVISIONING' })] });
    ecsMock.on(DescribeTasksCommand).resolves({
      failures: [{ arn: kitTask().taskArn, reason: 'MISSING' }],
    });
    // Act / Assess
    await expect(createStartSyncHandler(deps())({ id: 'e', detail: {} })).rejects.toThrow(
      /still MISSING from DescribeTasks after 30 s/,
    );
  });

  it('fails and stops the others when a task cannot be registered', async () => {
    // Prepare
    mockWorld();
    const noIp = kitTask({ attachments: [] });
    const other = kitTask({
      taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/apps/t2',
      lastStatus: 'PENDING',
    });
    ecsMock.on(RunTaskCommand).resolves({ tasks: [noIp, other] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [noIp, other] });
    // Act
    let error: unknown;
    try {
      await createStartSyncHandler(deps())({ id: 'e', detail: { count: 2 } });
    } catch (caught) {
      error = caught;
    }
    // Assess
    expect(error).toBeInstanceOf(TaskWaitError);
    expect((error as TaskWaitError).timedOut).toBe(false);
    expect((error as TaskWaitError).taskArns).toEqual([other.taskArn]);
    expect((error as Error).message).toContain('could not be registered (NO_IP)');
    expect(ecsMock).toHaveReceivedCommandTimes(StopTaskCommand, 2);
  });

  it("reports a started task that is not the kit's", async () => {
    // Prepare
    mockWorld();
    const untagged = kitTask({ tags: [] });
    ecsMock.on(RunTaskCommand).resolves({ tasks: [untagged] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [untagged] });
    // Act / Assess
    await expect(createStartSyncHandler(deps())({ id: 'e', detail: {} })).rejects.toThrow(
      /carries no task-starter tags/,
    );
  });
});

describe('handlers: task state, remaining paths', () => {
  it('ignores a task DescribeTasks does not know', async () => {
    // Prepare
    ecsMock.on(DescribeTasksCommand).resolves({ failures: [{ arn: 'x', reason: 'MISSING' }] });
    // Act
    const result = await createTaskStateHandler(deps())(stateEvent(kitTask()));
    // Assess
    expect(result).toMatchObject({ correlationId: 'state-1', action: 'ignore' });
  });

  it('leaves an already registered target alone, and deregisters a stopping one', async () => {
    // Prepare
    mockWorld();
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [{ TargetHealth: { State: 'healthy' } }],
    });
    const stopping = kitTask({ desiredStatus: 'STOPPED', version: 4 });
    ecsMock
      .on(DescribeTasksCommand, { tasks: [kitTask().taskArn as string] })
      .resolvesOnce({ tasks: [kitTask()] })
      .resolves({ tasks: [stopping] });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [kitTask().taskArn as string] });
    elbMock.on(DeregisterTargetsCommand).resolves({});
    const d = deps();
    const handler = createTaskStateHandler(d);
    // Act
    const again = await handler(stateEvent(kitTask()));
    const gone = await handler(stateEvent(stopping));
    // Assess
    expect(again.outcome).toMatchObject({ kind: 'already-registered' });
    expect(gone.outcome).toMatchObject({
      kind: 'deregistered',
      target: { id: '10.0.1.7', port: 8080 },
    });
    expect(d.metrics.sum(M.tasksDeregistered)).toBe(1);
  });

  it('reports the health state reached when the target does not become healthy in time', async () => {
    // Prepare
    mockWorld();
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [kitTask()] });
    elbMock.on(RegisterTargetsCommand).resolves({});
    elbMock
      .on(DescribeTargetHealthCommand)
      .resolvesOnce({
        TargetHealthDescriptions: [
          { TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered' } },
        ],
      })
      .resolves({ TargetHealthDescriptions: [{ TargetHealth: { State: 'unhealthy' } }] });
    const d = deps({ [V.waitForHealthySeconds]: '12' });
    // Act
    const result = await createTaskStateHandler(d)(stateEvent(kitTask()));
    // Assess
    expect(result.outcome).toMatchObject({ kind: 'registered', healthState: 'unhealthy' });
    expect(result.outcome).not.toHaveProperty('timeToHealthySeconds');
    expect(d.metrics.matching(M.timeToHealthy)).toEqual([]);
  });
});

describe('handlers: deps', () => {
  it('fails every invocation with the configuration error, and builds once when valid', async () => {
    // Prepare
    const bad = createStartHandler(defaultDeps({ [V.containerPort]: 'x' }));
    const source = defaultDeps({});
    // Act / Assess
    await expect(bad({ id: 'e', detail: {} })).rejects.toThrow(TaskStarterConfigError);
    expect(source()).toBe(source());
    expect(source().config.metricsNamespace).toBe('AwsOpsKit/TaskStarter');
    source().flushMetrics?.();
  });
});
