import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { ecsWorld, rejection } from './ecs-fixtures.js';

function ec2World(instance: { cpu?: number; memory?: number; maxTaskEnis?: number } = {}) {
  const world = ecsWorld();
  const added = world.model.addContainerInstance({
    cluster: 'apps',
    cpu: 1024,
    memory: 2048,
    availabilityZone: 'eu-west-1b',
    ...instance,
  });
  return { ...world, ...added };
}

describe('ecs model: EC2 placement', () => {
  it('answers InvalidParameterException when the cluster has no container instance', async () => {
    // Prepare
    const { client, bridgeTd } = ecsWorld();
    // Act
    const error = await rejection(
      client.send(new RunTaskCommand({ cluster: 'apps', taskDefinition: bridgeTd })),
    );
    // Assess
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe('No Container Instances were found in your cluster.');
  });

  it('gives bridge tasks dynamic host ports and the instance, PENDING at once (no ENI)', async () => {
    // Prepare
    const { client, clock, bridgeTd, containerInstanceArn } = ec2World();
    // Act
    const run = await client.send(
      new RunTaskCommand({ cluster: 'apps', taskDefinition: bridgeTd, count: 2 }),
    );
    const before = run.tasks?.[0];
    await clock.advance(20_000);
    const after = await client.send(
      new DescribeTasksCommand({
        cluster: 'apps',
        tasks: (run.tasks ?? []).map((t) => t.taskArn ?? ''),
      }),
    );
    // Assess
    expect(before).toMatchObject({
      lastStatus: 'PENDING',
      launchType: 'EC2',
      containerInstanceArn,
      attachments: [],
    });
    // Docker publishes bindings once the container runs.
    expect(before?.containers?.[0].networkBindings).toEqual([]);
    expect(after.tasks?.map((t) => t.containers?.[0].networkBindings)).toEqual([
      [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 49153, protocol: 'tcp' }],
      [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 49154, protocol: 'tcp' }],
    ]);
  });

  it('binds the container port in host mode and fails a second task with RESOURCE:PORTS', async () => {
    // Prepare
    const { client, clock, hostTd, containerInstanceArn } = ec2World();
    // Act
    const run = await client.send(
      new RunTaskCommand({ cluster: 'apps', taskDefinition: hostTd, count: 2 }),
    );
    await clock.advance(20_000);
    const running = await client.send(
      new DescribeTasksCommand({ cluster: 'apps', tasks: [run.tasks?.[0].taskArn ?? ''] }),
    );
    // Assess
    expect(run.tasks).toHaveLength(1);
    expect(run.failures).toEqual([{ arn: containerInstanceArn, reason: 'RESOURCE:PORTS' }]);
    expect(running.tasks?.[0].containers?.[0].networkBindings?.[0]).toMatchObject({
      containerPort: 8443,
      hostPort: 8443,
    });
  });

  it('fails with RESOURCE:CPU, RESOURCE:MEMORY and AGENT, naming the instance', async () => {
    // Prepare
    const cpu = ec2World({ cpu: 256 });
    const memory = ec2World({ memory: 512 });
    const agent = ec2World();
    agent.model.setAgentConnected(agent.containerInstanceArn, false);
    // Act
    const results = await Promise.all(
      [cpu, memory, agent].map((w) =>
        w.client.send(new RunTaskCommand({ cluster: 'apps', taskDefinition: w.bridgeTd })),
      ),
    );
    // Assess
    expect(results.map((r) => r.failures?.[0].reason)).toEqual([
      'RESOURCE:CPU',
      'RESOURCE:MEMORY',
      'AGENT',
    ]);
    expect(results[0].failures?.[0].arn).toBe(cpu.containerInstanceArn);
  });

  it('fills an instance, then frees its resources when a task stops', async () => {
    // Prepare: 1024 CPU, each bridge task reserves 512.
    const { client, clock, model, bridgeTd, containerInstanceArn } = ec2World();
    const first = await client.send(
      new RunTaskCommand({ cluster: 'apps', taskDefinition: bridgeTd, count: 3 }),
    );
    // Act
    const left = model.remainingResources(containerInstanceArn);
    await client.send(
      new StopTaskCommand({ cluster: 'apps', task: first.tasks?.[0].taskArn ?? '' }),
    );
    await clock.advance(4_000);
    const again = await client.send(
      new RunTaskCommand({ cluster: 'apps', taskDefinition: bridgeTd }),
    );
    // Assess
    expect(first.tasks).toHaveLength(2);
    expect(first.failures?.[0].reason).toBe('RESOURCE:CPU');
    expect(left).toEqual({ cpu: 0, memory: 0, ports: [49153, 49154], enis: 2 });
    expect(again.tasks).toHaveLength(1);
  });

  it('runs awsvpc tasks on EC2 with an ENI per task, up to the instance ENI limit', async () => {
    // Prepare
    const { client, model, fargateTd, containerInstanceArn } = ec2World({
      maxTaskEnis: 1,
      cpu: 4096,
      memory: 8192,
    });
    const network = {
      awsvpcConfiguration: { subnets: ['subnet-0aaa1111', 'subnet-0bbb2222'] },
    };
    // Act
    const run = await client.send(
      new RunTaskCommand({
        cluster: 'apps',
        taskDefinition: fargateTd,
        launchType: 'EC2',
        networkConfiguration: network,
        count: 2,
      }),
    );
    // Assess
    expect(run.failures).toEqual([{ arn: containerInstanceArn, reason: 'RESOURCE:ENI' }]);
    const task = run.tasks?.[0];
    expect(task?.containerInstanceArn).toBe(containerInstanceArn);
    // The subnet in the instance's zone is preferred.
    expect(task?.attachments?.[0].details?.find((d) => d.name === 'subnetId')?.value).toBe(
      'subnet-0bbb2222',
    );
    expect(model.remainingResources(containerInstanceArn).enis).toBe(0);
  });

  it('refuses a public IP on EC2', async () => {
    // Prepare
    const { client, fargateTd } = ec2World();
    // Act
    const error = await rejection(
      client.send(
        new RunTaskCommand({
          cluster: 'apps',
          taskDefinition: fargateTd,
          launchType: 'EC2',
          networkConfiguration: {
            awsvpcConfiguration: { subnets: ['subnet-0aaa1111'], assignPublicIp: 'ENABLED' },
          },
        }),
      ),
    );
    // Assess
    expect(error.message).toMatch(/Assign public IP is not supported/);
  });

  it('places through an EC2 capacity provider only on its instances', async () => {
    // Prepare
    const world = ecsWorld();
    const plain = world.model.addContainerInstance({ cluster: 'apps' });
    const managed = world.model.addContainerInstance({
      cluster: 'apps',
      capacityProviderName: 'asg-provider',
    });
    // Act
    const run = await world.client.send(
      new RunTaskCommand({
        cluster: 'apps',
        taskDefinition: world.bridgeTd,
        capacityProviderStrategy: [{ capacityProvider: 'asg-provider', weight: 1 }],
      }),
    );
    const plainRun = await world.client.send(
      new RunTaskCommand({ cluster: 'apps', taskDefinition: world.bridgeTd }),
    );
    // Assess
    expect(run.tasks?.[0]).toMatchObject({
      launchType: 'EC2',
      capacityProviderName: 'asg-provider',
      containerInstanceArn: managed.containerInstanceArn,
    });
    expect(plainRun.tasks?.[0].containerInstanceArn).toBe(plain.containerInstanceArn);
  });

  it('describes container instances with EC2 ids, remaining resources and host ports in use', async () => {
    // Prepare
    const { client, clock, bridgeTd, containerInstanceArn, ec2InstanceId } = ec2World();
    const run = await client.send(
      new RunTaskCommand({ cluster: 'apps', taskDefinition: bridgeTd }),
    );
    await clock.advance(20_000);
    // Act
    const out = await client.send(
      new DescribeContainerInstancesCommand({
        cluster: 'apps',
        containerInstances: [containerInstanceArn, 'ghost'],
      }),
    );
    const listed = await client.send(
      new ListTasksCommand({ cluster: 'apps', containerInstance: containerInstanceArn }),
    );
    // Assess
    const instance = out.containerInstances?.[0];
    expect(instance).toMatchObject({
      containerInstanceArn,
      ec2InstanceId,
      status: 'ACTIVE',
      runningTasksCount: 1,
      pendingTasksCount: 0,
    });
    expect(ec2InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
    const remaining = Object.fromEntries(
      (instance?.remainingResources ?? []).map((r) => [r.name, r]),
    );
    expect(remaining.CPU.integerValue).toBe(512);
    expect(remaining.MEMORY.integerValue).toBe(1024);
    expect(remaining.PORTS.stringSetValue).toContain('49153');
    expect(out.failures).toEqual([{ arn: 'ghost', reason: 'MISSING' }]);
    expect(listed.taskArns).toEqual([run.tasks?.[0].taskArn]);
  });
});
