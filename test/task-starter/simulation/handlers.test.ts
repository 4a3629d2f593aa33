/**
 * The task-starter handlers deployed on the simulation: real handlers, real adapters, resilient
 * clients mounted on the ECS, ELBv2 and EventBridge models, on a virtual clock.
 */
import {
  DeregisterTargetsCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import {
  TaskStarterEnvVars as V,
  TaskStarterMetricNames as M,
} from '../../../src/task-starter/contract.js';
import {
  StartPreconditionError,
  TaskStartError,
  TaskWaitError,
} from '../../../src/task-starter/errors.js';
import {
  FUNCTION_NAMES,
  SUBNETS,
  createTaskStarterDeployment,
  type TaskStarterDeploymentOptions,
} from '../../../src/task-starter/simulator/deployment.js';

function deploy(options: TaskStarterDeploymentOptions = {}) {
  const d = createTaskStarterDeployment({ startMs: 30_000, ...options });
  const targets = (group: 'web' | 'legacy') =>
    d.models.elbv2.targetHealth(d.targetGroups[group]).map((t) => ({
      id: t.Target?.Id,
      port: t.Target?.Port,
      zone: t.Target?.AvailabilityZone,
      state: t.TargetHealth?.State,
    }));
  const failures = (name: string) =>
    d.runtime.invocations(name).filter((i) => i.outcome !== 'succeeded');
  return { ...d, targets, failures };
}

describe('task starter (simulated): registration by network mode', () => {
  it('registers an awsvpc task by its ENI IP and container port', async () => {
    // Prepare
    const d = deploy();
    // Act
    d.sendStartEvent({});
    await d.clock.advance(35_000);
    // Assess
    const [task] = d.models.ecs.taskArns().map((arn) => d.models.ecs.task(arn));
    const ip = task.attachments?.[0].details?.find((x) => x.name === 'privateIPv4Address')?.value;
    expect(d.targets('web')).toEqual([{ id: ip, port: 8080, zone: undefined, state: 'initial' }]);
    expect(d.targets('web')[0].id).toMatch(/^10\.0\./);
    expect(d.metrics.sum(M.timeToRegistered)).toBeGreaterThanOrEqual(30);
  });

  it("registers an IP outside the target group's VPC with AvailabilityZone 'all'", async () => {
    // Prepare
    const d = deploy();
    // Act
    d.sendStartEvent({ subnets: [SUBNETS.peered] });
    await d.clock.advance(35_000);
    // Assess
    expect(d.targets('web')).toEqual([
      {
        id: expect.stringMatching(/^172\.31\.0\./) as string,
        port: 8080,
        zone: 'all',
        state: 'initial',
      },
    ]);
  });

  it("falls back to 'all' when the VPC CIDRs are not configured and ELBv2 refuses the IP", async () => {
    // Prepare
    const d = deploy({ env: { [V.targetGroupVpcCidrs]: undefined } });
    // Act
    d.sendStartEvent({ subnets: [SUBNETS.peered] });
    d.sendStartEvent({ subnets: [SUBNETS.a] });
    await d.clock.advance(35_000);
    // Assess
    const zones = d
      .targets('web')
      .map((t) => (t.id?.startsWith('172.') ? t.zone === 'all' : t.zone !== 'all'));
    expect(zones).toEqual([true, true]);
  });

  it("deregisters a peered-VPC task with the 'all' zone it was registered with when the VPC CIDRs are not configured", async () => {
    // Prepare
    const d = deploy({ env: { [V.targetGroupVpcCidrs]: undefined } });
    d.sendStartEvent({ subnets: [SUBNETS.peered] });
    d.sendStartEvent({ subnets: [SUBNETS.a] });
    await d.clock.advance(35_000);
    const registered = d.targets('web');
    // Act
    for (const taskArn of d.models.ecs.taskArns()) {
      await d.clock.run(() =>
        d.deps.clients.ecs.send(new StopTaskCommand({ cluster: d.clusterArn, task: taskArn })),
      );
    }
    await d.clock.advance(10_000);
    // Assess
    expect(registered.map((t) => t.state)).toEqual(['initial', 'initial']);
    expect(d.targets('web').map((t) => t.state)).toEqual(['draining', 'draining']);
    expect(d.metrics.sum(M.tasksDeregistered)).toBe(2);
    expect(d.failures(FUNCTION_NAMES.taskState)).toEqual([]);
  });

  it('registers a bridge task by its EC2 instance id and dynamic host port', async () => {
    // Prepare
    const d = deploy();
    // Act
    d.sendStartEvent({
      taskDefinition: 'legacy',
      targetGroupArn: d.targetGroups.legacy,
      launchType: 'EC2',
    });
    await d.clock.advance(35_000);
    // Assess
    const [target] = d.targets('legacy');
    expect(target.id).toBe(d.containerInstance.ec2InstanceId);
    expect(target.port).toBeGreaterThanOrEqual(32768);
  });

  it('registers a host task by its EC2 instance id and the container port', async () => {
    // Prepare
    const d = deploy();
    // Act
    d.sendStartEvent({
      taskDefinition: 'edge',
      targetGroupArn: d.targetGroups.legacy,
      launchType: 'EC2',
    });
    await d.clock.advance(35_000);
    // Assess
    expect(d.targets('legacy')).toEqual([
      { id: d.containerInstance.ec2InstanceId, port: 8443, zone: undefined, state: 'initial' },
    ]);
  });

  it('starts nothing for a task that its target group cannot take, and the event lands in the DLQ', async () => {
    // Prepare
    const d = deploy();
    // Act
    d.sendStartEvent({ targetGroupArn: d.targetGroups.legacy });
    await d.clock.advance(300_000);
    // Assess
    expect(d.models.ecs.runTaskCalls()).toEqual([]);
    expect(d.deadLetters).toHaveLength(1);
    expect(d.failures(FUNCTION_NAMES.start)[0].error?.name).toBe(StartPreconditionError.name);
  });

  it('rejects an invalid event before any AWS call', async () => {
    // Prepare
    const d = deploy();
    // Act
    d.sendStartEvent({ count: 11 });
    await d.clock.advance(300_000);
    // Assess
    expect(d.models.ecs.runTaskCalls()).toEqual([]);
    expect(d.deadLetters.map((f) => f.error.name)).toEqual(['InvalidEventError']);
  });
});

describe('task starter (simulated): RunTask', () => {
  it('starts one task for an event delivered twice (same client token)', async () => {
    // Prepare
    const d = deploy();
    const event = {
      version: '0',
      id: 'same-id',
      source: 'x',
      'detail-type': 'y',
      detail: { count: 2 },
    };
    // Act
    await d.clock.run(() => d.runtime.invoke(FUNCTION_NAMES.start, event));
    await d.clock.run(() => d.runtime.invoke(FUNCTION_NAMES.start, event));
    await d.clock.advance(35_000);
    // Assess
    expect(d.models.ecs.taskArns()).toHaveLength(2);
    expect(d.models.ecs.runTaskCalls().map((c) => c.replayed)).toEqual([false, true]);
    expect(d.targets('web')).toHaveLength(2);
  });

  it('retries a capacity failure with a new token and starts the rest', async () => {
    // Prepare
    const d = deploy();
    d.models.ecs.failNextPlacements(1, 'RESOURCE:ENI');
    // Act
    const result = await d.clock.run(() =>
      d.runtime.invoke(FUNCTION_NAMES.start, {
        id: 'cap',
        'detail-type': 'x',
        detail: { count: 2 },
      }),
    );
    // Assess
    const calls = d.models.ecs.runTaskCalls();
    expect(result.outcome).toBe('succeeded');
    expect(calls.map((c) => c.input.count)).toEqual([2, 1]);
    expect(new Set(calls.map((c) => c.input.clientToken)).size).toBe(2);
    expect(d.models.ecs.taskArns()).toHaveLength(2);
  });

  it('does not retry a placement that cannot succeed, and counts the failure by reason', async () => {
    // Prepare
    const d = deploy();
    d.models.ecs.failNextPlacements(1, 'ATTRIBUTE');
    // Act
    const result = await d.clock.run(() =>
      d.runtime.invoke(FUNCTION_NAMES.start, { id: 'attr', 'detail-type': 'x', detail: {} }),
    );
    // Assess
    expect(result.thrown).toBeInstanceOf(TaskStartError);
    expect((result.thrown as TaskStartError).retryable).toBe(false);
    expect(d.models.ecs.runTaskCalls()).toHaveLength(1);
    expect(d.metrics.sum(M.startFailures)).toBe(1);
    expect(d.metrics.sum(M.startFailuresByReason, { Reason: 'ATTRIBUTE' })).toBe(1);
  });

  it('gives up on capacity after START_ATTEMPTS calls', async () => {
    // Prepare
    const d = deploy({ env: { [V.startAttempts]: '2' } });
    d.models.ecs.failNextPlacements(5, 'RESOURCE:CPU');
    // Act
    const result = await d.clock.run(() =>
      d.runtime.invoke(FUNCTION_NAMES.start, { id: 'cpu', 'detail-type': 'x', detail: {} }),
    );
    // Assess
    expect((result.thrown as TaskStartError).retryable).toBe(true);
    expect(d.models.ecs.runTaskCalls()).toHaveLength(2);
    expect(d.metrics.sum(M.startFailuresByReason, { Reason: 'RESOURCE:CPU' })).toBe(1);
  });
});

describe('task starter (simulated): retries only where they help', () => {
  it.each([
    ['an invalid event', { count: 11 }, 'InvalidEventError', 'INVALID_EVENT', 0],
    ['a placement that cannot succeed', {}, 'TaskStartError', 'ATTRIBUTE', 1],
  ])(
    'runs the start function once for %s, counts one failure and dead-letters the event',
    async (_what, detail, errorName, reason, runTaskCalls) => {
      // Prepare
      const d = deploy();
      d.models.ecs.failNextPlacements(5, 'ATTRIBUTE');
      // Act
      d.sendStartEvent(detail);
      await d.clock.advance(600_000);
      // Assess
      expect(d.runtime.invocations(FUNCTION_NAMES.start)).toHaveLength(1);
      expect(d.models.ecs.runTaskCalls()).toHaveLength(runTaskCalls);
      expect(d.metrics.sum(M.startFailures)).toBe(1);
      expect(d.metrics.sum(M.startFailuresByReason, { Reason: reason })).toBe(1);
      expect(d.deadLetters.map((f) => [f.error.name, f.attempts])).toEqual([[errorName, 1]]);
    },
  );

  it('runs the synchronous start once for a request that cannot work, counting its tasks', async () => {
    // Prepare
    const d = deploy({ mode: 'synchronous' });
    // Act
    d.sendStartEvent({ targetGroupArn: d.targetGroups.legacy, count: 2 });
    await d.clock.advance(600_000);
    // Assess
    expect(d.runtime.invocations(FUNCTION_NAMES.startSync)).toHaveLength(1);
    expect(d.metrics.sum(M.startFailuresByReason, { Reason: 'PRECONDITION' })).toBe(2);
    expect(d.deadLetters.map((f) => f.error.name)).toEqual(['StartPreconditionError']);
  });

  it('keeps two Lambda retries for the task-state function, whose failures can clear', async () => {
    // Prepare: a state event the rule matches but the handler cannot read (no taskArn).
    const d = deploy();
    // Act
    d.models.eventBridge.publish({
      version: '0',
      id: 'broken-state-event',
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: '123456789012',
      time: new Date(d.clock.now()).toISOString(),
      region: 'eu-west-1',
      resources: [],
      detail: { clusterArn: d.clusterArn, startedBy: 'aws-ops-kit/web/x', lastStatus: 'RUNNING' },
    });
    await d.clock.advance(600_000);
    // Assess
    expect(d.runtime.invocations(FUNCTION_NAMES.taskState)).toHaveLength(3);
    expect(d.deadLetters.map((f) => [f.error.name, f.attempts])).toEqual([
      ['InvalidEventError', 3],
    ]);
  });
});

describe('task starter (simulated): state events', () => {
  it('deregisters a task that crashes', async () => {
    // Prepare
    const d = deploy();
    d.sendStartEvent({});
    await d.clock.advance(35_000);
    const [taskArn] = d.models.ecs.taskArns();
    // Act
    d.models.ecs.crashTask(taskArn);
    await d.clock.advance(10_000);
    // Assess
    expect(d.targets('web').map((t) => t.state)).toEqual(['draining']);
    expect(d.metrics.sum(M.tasksDeregistered)).toBe(1);
  });

  it('does not register a task again when its RUNNING event comes back after it stopped', async () => {
    // Prepare
    const d = deploy({ deregistrationDelayMs: 1_000 });
    d.sendStartEvent({});
    await d.clock.advance(35_000);
    const [taskArn] = d.models.ecs.taskArns();
    const running = d.models.ecs.eventsOf(taskArn).find((e) => e.detail.lastStatus === 'RUNNING');
    await d.clock.run(() =>
      d.deps.clients.ecs.send(new StopTaskCommand({ cluster: d.clusterArn, task: taskArn })),
    );
    await d.clock.advance(20_000);
    // Act: the RUNNING event again (a late duplicate), and the STOPPED one twice.
    d.models.ecs.republish(taskArn, running?.detail.version);
    d.models.ecs.republish(taskArn);
    d.models.ecs.republish(taskArn);
    await d.clock.advance(10_000);
    // Assess
    expect(d.targets('web')).toEqual([]);
    expect(d.metrics.sum(M.tasksRegistered)).toBe(1);
    expect(d.metrics.sum(M.tasksDeregistered)).toBe(1);
    expect(d.failures(FUNCTION_NAMES.taskState)).toEqual([]);
  });

  /** Starts 3 tasks with ECS state events sent once, again later, or twice at once. */
  async function startThree(duplicates: 'none' | 'later' | 'same-instant') {
    const d = deploy(
      duplicates === 'same-instant' ? { ecs: { duplicateEventProbability: 1 } } : {},
    );
    d.sendStartEvent({ count: 3 });
    await d.clock.advance(35_000);
    if (duplicates === 'later') {
      for (const taskArn of d.models.ecs.taskArns()) {
        const running = d.models.ecs
          .eventsOf(taskArn)
          .find((e) => e.detail.lastStatus === 'RUNNING');
        d.models.ecs.republish(taskArn, running?.detail.version);
      }
    }
    await d.clock.advance(10_000);
    return {
      targets: d.targets('web').sort((a, b) => String(a.id).localeCompare(String(b.id))),
      registered: d.metrics.sum(M.tasksRegistered),
      timesToRegistered: d.metrics.matching(M.timeToRegistered).length,
      registerCalls: d.models.elbv2.stats().byOperation.RegisterTargets?.calls,
      stateInvocations: d.runtime.invocations(FUNCTION_NAMES.taskState).length,
      failures: d.failures(FUNCTION_NAMES.taskState),
    };
  }

  it('tolerates duplicate events from ECS: a repeat registers nothing and counts nothing', async () => {
    // Prepare
    const once = await startThree('none');
    // Act
    const repeated = await startThree('later');
    // Assess
    expect(once).toMatchObject({ registered: 3, timesToRegistered: 3, registerCalls: 3 });
    expect(repeated.stateInvocations).toBe(once.stateInvocations + 3);
    expect({ ...repeated, stateInvocations: 0 }).toEqual({ ...once, stateInvocations: 0 });
    expect(repeated.failures).toEqual([]);
  });

  it('tolerates duplicates delivered at the same instant: each task is one target, the metric counts both', async () => {
    // Prepare
    const once = await startThree('none');
    // Act
    const racing = await startThree('same-instant');
    // Assess: both copies see the target absent and call RegisterTargets, which is idempotent:
    // the group is the same; without shared state the two invocations cannot tell who was first,
    // so TasksRegistered counts each racing pair twice (documented in docs/task-starter.md).
    expect(racing.targets).toEqual(once.targets);
    expect(racing.failures).toEqual([]);
    expect(racing.registerCalls).toBe(6);
    expect(racing.registered).toBe(6);
  });

  it('reports the time to healthy when asked to wait for it', async () => {
    // Prepare
    const d = deploy({ env: { [V.waitForHealthySeconds]: '60' }, healthyAfterMs: 20_000 });
    // Act
    d.sendStartEvent({});
    await d.clock.advance(120_000);
    // Assess
    const [healthy] = d.metrics.matching(M.timeToHealthy);
    expect(healthy.value).toBeGreaterThanOrEqual(20);
    expect(healthy.value).toBeLessThanOrEqual(26);
  });
});

describe('task starter (simulated): reconcile', () => {
  it('registers a live kit task missing from the target group and removes a stray target', async () => {
    // Prepare
    const d = deploy({ deregistrationDelayMs: 1_000 });
    d.sendStartEvent({});
    await d.clock.advance(35_000);
    const [live] = d.targets('web');
    await d.clock.run(async () => {
      await d.deps.clients.elbv2.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: d.targetGroups.web,
          Targets: [{ Id: live.id, Port: live.port }],
        }),
      );
      await d.clock.sleep(2_000);
      await d.deps.clients.elbv2.send(
        new RegisterTargetsCommand({
          TargetGroupArn: d.targetGroups.web,
          Targets: [{ Id: '10.0.9.9', Port: 8080 }],
        }),
      );
    });
    // Act
    const result = await d.clock.run(() => d.reconcile());
    // Assess
    expect(result.outcome).toBe('succeeded');
    expect(
      d
        .targets('web')
        .map((t) => `${t.id}:${t.port}:${t.state}`)
        .sort(),
    ).toEqual([`${live.id}:${live.port}:initial`, '10.0.9.9:8080:draining'].sort());
    expect(d.metrics.sum(M.driftFixed, { Action: 'register' })).toBe(1);
    expect(d.metrics.sum(M.driftFixed, { Action: 'deregister' })).toBe(1);
  });

  it('registers bridge tasks and peered-VPC tasks it finds unregistered', async () => {
    // Prepare: the state events are lost (the task-state rule is gone).
    const d = deploy({ env: { [V.targetGroupVpcCidrs]: undefined } });
    d.models.eventBridge.removeRule('task-starter-task-state');
    d.sendStartEvent({
      taskDefinition: 'legacy',
      targetGroupArn: d.targetGroups.legacy,
      launchType: 'EC2',
    });
    d.sendStartEvent({ subnets: [SUBNETS.peered] });
    await d.clock.advance(35_000);
    const before = [...d.targets('legacy'), ...d.targets('web')];
    // Act
    const result = await d.clock.run(() => d.reconcile());
    // Assess
    expect(result.outcome).toBe('succeeded');
    expect(before).toEqual([]);
    expect(d.targets('legacy')).toEqual([
      expect.objectContaining({ id: d.containerInstance.ec2InstanceId }),
    ]);
    expect(d.targets('web')).toEqual([expect.objectContaining({ zone: 'all' })]);
  });

  it('leaves targets it did not start alone in shared mode', async () => {
    // Prepare
    const d = deploy({ env: { [V.reconcileMode]: 'shared' } });
    await d.clock.run(() =>
      d.deps.clients.elbv2.send(
        new RegisterTargetsCommand({
          TargetGroupArn: d.targetGroups.web,
          Targets: [{ Id: '10.0.9.9', Port: 8080 }],
        }),
      ),
    );
    // Act
    await d.clock.run(() => d.reconcile());
    // Assess
    expect(d.targets('web').map((t) => t.id)).toEqual(['10.0.9.9']);
  });
});

describe('task starter (simulated): synchronous mode', () => {
  it('starts, waits for RUNNING and registers in one invocation', async () => {
    // Prepare
    const d = deploy({ mode: 'synchronous', startMs: 45_000 });
    // Act
    const result = await d.clock.run(() => d.invokeStartSync({ count: 2 }));
    // Assess
    expect(result.outcome).toBe('succeeded');
    expect(result.durationMs).toBeGreaterThanOrEqual(45_000);
    expect(d.targets('web')).toHaveLength(2);
  });

  it('tolerates the early MISSING answer of DescribeTasks', async () => {
    // Prepare
    const d = deploy({ mode: 'synchronous', startMs: 20_000, ecs: { describeLagMs: 8_000 } });
    // Act
    const result = await d.clock.run(() => d.invokeStartSync({}));
    // Assess
    expect(result.outcome).toBe('succeeded');
    expect(d.targets('web')).toHaveLength(1);
  });

  it('stops the tasks and fails when they are not RUNNING before the timeout', async () => {
    // Prepare
    const d = deploy({
      mode: 'synchronous',
      startMs: 200_000,
      env: { [V.taskWaitTimeoutSeconds]: '60' },
    });
    // Act
    const result = await d.clock.run(() => d.invokeStartSync({}));
    await d.clock.advance(10_000);
    // Assess
    expect(result.thrown).toBeInstanceOf(TaskWaitError);
    expect((result.thrown as TaskWaitError).timedOut).toBe(true);
    expect(result.durationMs).toBeLessThanOrEqual(61_000);
    const [taskArn] = d.models.ecs.taskArns();
    expect(d.models.ecs.task(taskArn).lastStatus).toBe('STOPPED');
    expect(d.targets('web')).toEqual([]);
  });

  it('fails when a task stops before RUNNING', async () => {
    // Prepare
    const d = deploy({ mode: 'synchronous', startMs: 30_000 });
    d.models.ecs.failNextTaskStarts(1);
    // Act
    const result = await d.clock.run(() => d.invokeStartSync({}));
    // Assess
    expect(result.thrown).toBeInstanceOf(TaskWaitError);
    expect((result.thrown as Error).message).toContain('stopped before RUNNING');
  });
});
