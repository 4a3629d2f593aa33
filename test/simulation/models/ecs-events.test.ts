import { RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import type { EcsTaskStateChangeEvent } from '../../../src/simulation/models/ecs-tasks.js';
import { EventBridgeModel } from '../../../src/simulation/models/eventbridge.js';
import { taskStateChangePattern } from '../../../src/task-starter/contract.js';
import { ecsWorld } from './ecs-fixtures.js';

async function runFargate(
  world: ReturnType<typeof ecsWorld>,
  startedBy = 'aws-ops-kit/web/0000000000000001',
) {
  const run = await world.client.send(
    new RunTaskCommand({
      cluster: 'apps',
      taskDefinition: world.fargateTd,
      launchType: 'FARGATE',
      networkConfiguration: world.awsvpc,
      startedBy,
    }),
  );
  return run.tasks?.[0].taskArn ?? '';
}

describe('ecs model: Task State Change events', () => {
  it('sends one event per change with an increasing version and the shape ECS sends', async () => {
    // Prepare
    const world = ecsWorld();
    const arn = await runFargate(world);
    // Act
    await world.clock.advance(20_000);
    await world.client.send(new StopTaskCommand({ cluster: 'apps', task: arn }));
    await world.clock.runUntilIdle();
    // Assess
    const { events } = world;
    expect(
      events.map((e) => [e.detail.lastStatus, e.detail.desiredStatus, e.detail.version]),
    ).toEqual([
      ['PROVISIONING', 'RUNNING', 1],
      ['PENDING', 'RUNNING', 2],
      ['RUNNING', 'RUNNING', 3],
      ['DEACTIVATING', 'STOPPED', 4],
      ['STOPPED', 'STOPPED', 5],
    ]);
    const running = events[2];
    expect(running).toMatchObject({
      version: '0',
      source: 'aws.ecs',
      'detail-type': 'ECS Task State Change',
      account: '123456789012',
      region: 'eu-west-1',
      resources: [arn],
      time: '2025-01-01T00:00:20Z',
      detail: {
        clusterArn: world.clusterArn,
        taskArn: arn,
        taskDefinitionArn: world.fargateTd,
        startedBy: 'aws-ops-kit/web/0000000000000001',
        group: 'family:web',
        launchType: 'FARGATE',
        startedAt: '2025-01-01T00:00:20.000Z',
      },
    });
    // Events say `eni` where DescribeTasks says `ElasticNetworkInterface`.
    expect(running.detail.attachments?.[0]).toMatchObject({ type: 'eni', status: 'ATTACHED' });
    const ip = running.detail.attachments?.[0].details.find((d) => d.name === 'privateIPv4Address');
    expect(ip?.value).toBe('10.0.1.4');
    expect(running.detail.containers[0].networkInterfaces).toEqual([
      { attachmentId: running.detail.attachments?.[0].id, privateIpv4Address: '10.0.1.4' },
    ]);
    expect(events[4].detail).toMatchObject({
      stopCode: 'UserInitiated',
      stoppedAt: '2025-01-01T00:00:24.000Z',
    });
    expect(events[4].detail.attachments?.[0].status).toBe('DELETED');
    expect(new Set(events.map((e) => e.id)).size).toBe(5);
    expect(world.model.eventsOf(arn)).toEqual(events);
  });

  it('carries network bindings of bridge tasks in the RUNNING event', async () => {
    // Prepare
    const world = ecsWorld();
    const { containerInstanceArn } = world.model.addContainerInstance({ cluster: 'apps' });
    // Act
    await world.client.send(
      new RunTaskCommand({ cluster: 'apps', taskDefinition: world.bridgeTd }),
    );
    await world.clock.runUntilIdle();
    // Assess
    const running = world.events.find((e) => e.detail.lastStatus === 'RUNNING');
    expect(world.events[0].detail.lastStatus).toBe('PENDING');
    expect(running?.detail.containerInstanceArn).toBe(containerInstanceArn);
    expect(running?.detail.attachments).toBeUndefined();
    expect(running?.detail.containers[0].networkBindings).toEqual([
      { bindIP: '0.0.0.0', containerPort: 80, hostPort: 49153, protocol: 'tcp' },
    ]);
  });

  it('republishes an old event unchanged, e.g. a stale RUNNING after STOPPED', async () => {
    // Prepare
    const world = ecsWorld();
    const arn = await runFargate(world);
    await world.clock.advance(20_000);
    await world.client.send(new StopTaskCommand({ cluster: 'apps', task: arn }));
    await world.clock.runUntilIdle();
    // Act
    const stale = world.model.republish(arn, 3);
    const latest = world.model.republish(arn);
    // Assess
    expect(world.events.at(-2)).toEqual(stale);
    expect(stale.detail.lastStatus).toBe('RUNNING');
    expect(latest.detail.lastStatus).toBe('STOPPED');
    expect(world.events.at(-1)).toEqual(world.events[4]);
    expect(() => world.model.republish(arn, 99)).toThrow(/no event with version 99/);
  });

  it('duplicates events with the configured probability, from the seeded random', async () => {
    // Prepare
    const always = ecsWorld({ duplicateEventProbability: 1 });
    const never = ecsWorld({ duplicateEventProbability: 0 });
    // Act
    await runFargate(always);
    await runFargate(never);
    await always.clock.runUntilIdle();
    await never.clock.runUntilIdle();
    // Assess
    expect(always.events.map((e) => e.detail.version)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(always.events[0]).toEqual(always.events[1]);
    expect(never.events).toHaveLength(3);
  });

  it('fails a scripted start: TaskFailedToStart, never RUNNING', async () => {
    // Prepare
    const world = ecsWorld();
    world.model.failNextTaskStarts(1, { reason: 'CannotPullContainerError: no such image' });
    // Act
    const arn = await runFargate(world);
    await world.clock.runUntilIdle();
    // Assess
    expect(world.events.map((e) => e.detail.lastStatus)).toEqual([
      'PROVISIONING',
      'PENDING',
      'DEACTIVATING',
      'STOPPED',
    ]);
    expect(world.model.task(arn)).toMatchObject({
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: no such image',
    });
    expect(world.model.task(arn).containers?.[0].reason).toBe(
      'CannotPullContainerError: no such image',
    );
  });

  it('crashes a running task: EssentialContainerExited with the exit code', async () => {
    // Prepare
    const world = ecsWorld();
    const arn = await runFargate(world);
    await world.clock.advance(20_000);
    // Act
    world.model.crashTask(arn, { exitCode: 137 });
    world.model.crashTask(arn); // already stopping: ignored
    await world.clock.runUntilIdle();
    // Assess
    const stopped = world.model.task(arn);
    expect(stopped).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
    });
    expect(stopped.containers?.find((c) => c.name === 'app')?.exitCode).toBe(137);
    expect(world.events.map((e) => e.detail.lastStatus)).toEqual([
      'PROVISIONING',
      'PENDING',
      'RUNNING',
      'DEACTIVATING',
      'STOPPED',
    ]);
  });

  it('draws start times from a range with the seeded random: same seed, same times', async () => {
    // Prepare
    const startTimes = async (seed: string) => {
      const world = ecsWorld({ startMs: { min: 15_000, max: 120_000 }, random: seed });
      await world.client.send(
        new RunTaskCommand({
          cluster: 'apps',
          taskDefinition: world.fargateTd,
          launchType: 'FARGATE',
          networkConfiguration: world.awsvpc,
          count: 5,
        }),
      );
      await world.clock.runUntilIdle();
      return world.events
        .filter((e) => e.detail.lastStatus === 'RUNNING')
        .map((e) => Date.parse(e.detail.startedAt ?? ''));
    };
    // Act
    const a = await startTimes('seed-a');
    const again = await startTimes('seed-a');
    // Assess
    expect(again).toEqual(a);
    const offsets = a.map((t) => t - Date.UTC(2025, 0, 1));
    for (const offset of offsets) expect(offset).toBeGreaterThanOrEqual(15_000);
    for (const offset of offsets) expect(offset).toBeLessThanOrEqual(120_000);
    expect(new Set(offsets).size).toBeGreaterThan(1);
  });

  it('feeds the EventBridge model, where the task starter rule pattern matches only the kit tasks', async () => {
    // Prepare
    const world = ecsWorld();
    const bus = new EventBridgeModel({ clock: world.clock });
    const seen: EcsTaskStateChangeEvent[] = [];
    bus.putRule({
      name: 'task-state',
      eventPattern: taskStateChangePattern({
        startedByPrefix: 'aws-ops-kit',
        clusterArns: [world.clusterArn],
      }),
      targets: [
        {
          id: 'fn',
          type: 'function',
          handler: (e) => void seen.push(e as EcsTaskStateChangeEvent),
        },
      ],
    });
    world.model.subscribe((event) => bus.publish(event));
    // Act
    const mine = await runFargate(world);
    await runFargate(world, 'someone-else');
    await world.clock.runUntilIdle();
    // Assess: RUNNING is the first status of interest.
    expect(seen.map((e) => [e.detail.taskArn, e.detail.lastStatus])).toEqual([[mine, 'RUNNING']]);
  });

  it('stops calling a listener once unsubscribed', async () => {
    // Prepare
    const world = ecsWorld();
    const seen: number[] = [];
    const unsubscribe = world.model.subscribe((e) => seen.push(e.detail.version));
    await runFargate(world);
    // Act
    unsubscribe();
    await world.clock.runUntilIdle();
    // Assess
    expect(seen).toEqual([1]);
  });
});
