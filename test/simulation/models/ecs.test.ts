import {
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ClientException,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import { EcsModel } from '../../../src/simulation/models/ecs.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';
import { EXECUTION_ROLE, TASK_ROLE, ecsWorld, rejection } from './ecs-fixtures.js';

describe('ecs model: task definitions', () => {
  it('registers revisions per family and describes them by family, family:revision and ARN', async () => {
    // Prepare
    const { client, fargateTd } = ecsWorld();
    // Act
    const second = await client.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        cpu: '512',
        memory: '1024',
        containerDefinitions: [
          { name: 'app', image: 'nginx:2', portMappings: [{ containerPort: 8080 }] },
        ],
        tags: [{ key: 'team', value: 'shop' }],
      }),
    );
    const latest = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
    const first = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:1' }));
    const byArn = await client.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: fargateTd, include: ['TAGS'] }),
    );
    // Assess
    expect(second.taskDefinition?.revision).toBe(2);
    expect(second.tags).toEqual([{ key: 'team', value: 'shop' }]);
    expect(latest.taskDefinition?.taskDefinitionArn).toBe(second.taskDefinition?.taskDefinitionArn);
    expect(first.taskDefinition).toMatchObject({
      taskDefinitionArn: fargateTd,
      networkMode: 'awsvpc',
      taskRoleArn: TASK_ROLE,
      executionRoleArn: EXECUTION_ROLE,
      compatibilities: ['EC2', 'FARGATE'],
      status: 'ACTIVE',
    });
    // awsvpc: the host port is the container port.
    expect(first.taskDefinition?.containerDefinitions?.[0].portMappings).toEqual([
      { containerPort: 8080, hostPort: 8080, protocol: 'tcp' },
    ]);
    expect(byArn.tags).toEqual([]);
  });

  it('keeps bridge host ports dynamic (0) and refuses mismatched awsvpc/host ports', async () => {
    // Prepare
    const { client, bridgeTd } = ecsWorld();
    // Act
    const bridge = await client.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: bridgeTd }),
    );
    const mismatch = await rejection(
      client.send(
        new RegisterTaskDefinitionCommand({
          family: 'bad',
          networkMode: 'host',
          containerDefinitions: [
            {
              name: 'a',
              image: 'x',
              memory: 128,
              portMappings: [{ containerPort: 80, hostPort: 81 }],
            },
          ],
        }),
      ),
    );
    // Assess
    expect(bridge.taskDefinition?.containerDefinitions?.[0].portMappings?.[0].hostPort).toBe(0);
    expect(bridge.taskDefinition?.compatibilities).toEqual(['EC2']);
    expect(mismatch).toBeInstanceOf(ClientException);
    expect(mismatch.message).toMatch(/host ports and container ports/);
  });

  it.each([
    [
      'Fargate without awsvpc',
      {
        networkMode: 'bridge' as const,
        requiresCompatibilities: ['FARGATE' as const],
        cpu: '256',
        memory: '512',
      },
      /only supports network mode 'awsvpc'/,
    ],
    [
      'Fargate without task size',
      { networkMode: 'awsvpc' as const, requiresCompatibilities: ['FARGATE' as const] },
      /'cpu' and 'memory' be defined at the task level/,
    ],
    ['a bad cpu value', { cpu: 'lots', memory: '512' }, /Invalid 'cpu'/],
    ['a bad memory value', { cpu: '256', memory: '-1' }, /Invalid 'memory'/],
  ])('refuses %s', async (_, fields, message) => {
    // Prepare
    const { client } = ecsWorld();
    // Act
    const error = await rejection(
      client.send(
        new RegisterTaskDefinitionCommand({
          family: 'bad',
          containerDefinitions: [{ name: 'a', image: 'x', memory: 128 }],
          ...fields,
        }),
      ),
    );
    // Assess
    expect(error).toBeInstanceOf(ClientException);
    expect(error.message).toMatch(message);
  });

  it('refuses containers without memory, duplicate names, no essential container, mappings in none mode', () => {
    // Prepare
    const model = new EcsModel({ clock: VirtualClock.create() });
    const cases = [
      [{ family: 'a', containerDefinitions: [{ name: 'x', image: 'i' }] }, /memoryReservation/],
      [
        {
          family: 'b',
          containerDefinitions: [
            { name: 'x', image: 'i', memory: 64 },
            { name: 'x', image: 'i', memory: 64 },
          ],
        },
        /Duplicate container name/,
      ],
      [
        {
          family: 'c',
          containerDefinitions: [{ name: 'x', image: 'i', memory: 64, essential: false }],
        },
        /at least one essential/,
      ],
      [
        {
          family: 'd',
          networkMode: 'none' as const,
          containerDefinitions: [
            { name: 'x', image: 'i', memory: 64, portMappings: [{ containerPort: 1 }] },
          ],
        },
        /not supported with networkMode 'none'/,
      ],
      [
        {
          family: 'e',
          containerDefinitions: [{ name: 'x', image: 'i', memory: 64, portMappings: [{}] }],
        },
        /needs a containerPort/,
      ],
      [
        { family: 'bad family!', containerDefinitions: [{ name: 'x', image: 'i', memory: 64 }] },
        /family/,
      ],
    ] as const;
    // Act / Assess
    for (const [input, message] of cases) {
      expect(() => model.registerTaskDefinition(structuredClone(input) as never)).toThrow(
        SimulationConfigError,
      );
      expect(() => model.registerTaskDefinition(structuredClone(input) as never)).toThrow(message);
    }
  });

  it('answers ClientException for an unknown task definition', async () => {
    // Prepare
    const { client } = ecsWorld();
    // Act
    const error = await rejection(
      client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope' })),
    );
    // Assess
    expect(error).toBeInstanceOf(ClientException);
    expect(error.message).toBe('Unable to describe task definition.');
  });
});

describe('ecs model: RunTask on Fargate', () => {
  it('starts a task PROVISIONING with an ENI in a given subnet, then PENDING, then RUNNING', async () => {
    // Prepare
    const { client, clock, fargateTd, awsvpc } = ecsWorld();
    // Act
    const run = await client.send(
      new RunTaskCommand({
        cluster: 'apps',
        taskDefinition: fargateTd,
        launchType: 'FARGATE',
        networkConfiguration: awsvpc,
        startedBy: 'aws-ops-kit/web/0000000000000001',
        tags: [{ key: 'opskit:event-id', value: 'e-1' }],
      }),
    );
    const task = run.tasks?.[0];
    const describeAt = async () =>
      (
        await client.send(
          new DescribeTasksCommand({
            cluster: 'apps',
            tasks: [task?.taskArn ?? ''],
            include: ['TAGS'],
          }),
        )
      ).tasks?.[0];
    const atStart = await describeAt();
    await clock.advance(3_000);
    const pending = await describeAt();
    await clock.advance(17_000);
    const running = await describeAt();
    // Assess
    expect(run.failures).toEqual([]);
    expect(task).toMatchObject({
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      group: 'family:web',
      startedBy: 'aws-ops-kit/web/0000000000000001',
      cpu: '256',
      memory: '512',
      version: 1,
    });
    expect(task?.taskArn).toMatch(/^arn:aws:ecs:eu-west-1:123456789012:task\/apps\/[0-9a-f]{32}$/);
    expect(atStart?.tags).toEqual([{ key: 'opskit:event-id', value: 'e-1' }]);
    expect(atStart?.attachments?.[0]).toMatchObject({
      type: 'ElasticNetworkInterface',
      status: 'PRECREATED',
    });
    expect(pending).toMatchObject({ lastStatus: 'PENDING', connectivity: 'CONNECTED', version: 2 });
    expect(running).toMatchObject({ lastStatus: 'RUNNING', version: 3 });
    expect(running?.startedAt?.getTime()).toBe(clock.now());
    const details = Object.fromEntries(
      (running?.attachments?.[0].details ?? []).map((d) => [d.name, d.value]),
    );
    // The first four addresses of a subnet are AWS's.
    expect(details).toMatchObject({
      subnetId: 'subnet-0aaa1111',
      privateIPv4Address: '10.0.1.4',
    });
    expect(details.networkInterfaceId).toMatch(/^eni-[0-9a-f]{17}$/);
    expect(running?.containers?.[0]).toMatchObject({
      name: 'app',
      lastStatus: 'RUNNING',
      networkInterfaces: [{ privateIpv4Address: '10.0.1.4' }],
      networkBindings: [],
    });
  });

  it('returns the same tasks for a repeated clientToken and starts nothing more', async () => {
    // Prepare
    const { client, model, fargateTd, awsvpc } = ecsWorld();
    const input = {
      cluster: 'apps',
      taskDefinition: fargateTd,
      launchType: 'FARGATE' as const,
      networkConfiguration: awsvpc,
      count: 2,
      clientToken: 'event-1234',
    };
    // Act
    const first = await client.send(new RunTaskCommand(input));
    const again = await client.send(new RunTaskCommand(input));
    // Assess
    expect(again.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
    expect(model.taskArns()).toHaveLength(2);
    expect(model.runTaskCalls().map((call) => call.replayed)).toEqual([false, true]);
  });

  it('validates count, clientToken, startedBy and tags as ECS documents them', async () => {
    // Prepare
    const { client, fargateTd, awsvpc } = ecsWorld();
    const base = {
      cluster: 'apps',
      taskDefinition: fargateTd,
      launchType: 'FARGATE' as const,
      networkConfiguration: awsvpc,
    };
    const bad = [
      { count: 11 },
      { count: 0 },
      { clientToken: 'x'.repeat(65) },
      { startedBy: 'x'.repeat(129) },
      { startedBy: 'has space' },
      { tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) },
      { tags: [{ key: 'aws:reserved', value: 'v' }] },
    ];
    // Act
    const errors = await Promise.all(
      bad.map((fields) => rejection(client.send(new RunTaskCommand({ ...base, ...fields })))),
    );
    const ok = await client.send(
      new RunTaskCommand({
        ...base,
        count: 10,
        clientToken: 'x'.repeat(64),
        startedBy: 'a/'.repeat(64),
      }),
    );
    // Assess
    for (const error of errors) expect(error).toBeInstanceOf(InvalidParameterException);
    expect(ok.tasks).toHaveLength(10);
  });

  it('answers InvalidParameterException for network configuration problems', async () => {
    // Prepare
    const { client, fargateTd, bridgeTd, awsvpc } = ecsWorld();
    const run = (fields: object) =>
      rejection(
        client.send(
          new RunTaskCommand({
            cluster: 'apps',
            taskDefinition: fargateTd,
            launchType: 'FARGATE',
            ...fields,
          }),
        ),
      );
    // Act
    const missing = await run({});
    const unknownSubnet = await run({
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0fff'] } },
    });
    const badGroup = await run({
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-0aaa1111'], securityGroups: ['default'] },
      },
    });
    const notAwsvpc = await rejection(
      client.send(
        new RunTaskCommand({
          cluster: 'apps',
          taskDefinition: bridgeTd,
          networkConfiguration: awsvpc,
        }),
      ),
    );
    const bridgeOnFargate = await rejection(
      client.send(
        new RunTaskCommand({ cluster: 'apps', taskDefinition: bridgeTd, launchType: 'FARGATE' }),
      ),
    );
    // Assess
    expect(missing.message).toMatch(/Network Configuration must be provided/);
    expect(unknownSubnet.message).toMatch(/subnet-0fff/);
    expect(badGroup.message).toMatch(/security group/);
    expect(notAwsvpc.message).toMatch(/not valid for the given networkMode/);
    expect(bridgeOnFargate.message).toBe('Task definition does not support launch_type FARGATE.');
    for (const e of [missing, unknownSubnet, badGroup, notAwsvpc, bridgeOnFargate]) {
      expect(e).toBeInstanceOf(InvalidParameterException);
    }
  });

  it('answers ClusterNotFoundException and refuses unknown definitions and both launch choices', async () => {
    // Prepare
    const { client, fargateTd, awsvpc } = ecsWorld();
    // Act
    const noCluster = await rejection(
      client.send(new RunTaskCommand({ cluster: 'nope', taskDefinition: fargateTd })),
    );
    const defaultCluster = await rejection(client.send(new DescribeTasksCommand({ tasks: ['x'] })));
    const noTd = await rejection(
      client.send(new RunTaskCommand({ cluster: 'apps', taskDefinition: 'ghost:1' })),
    );
    const both = await rejection(
      client.send(
        new RunTaskCommand({
          cluster: 'apps',
          taskDefinition: fargateTd,
          launchType: 'FARGATE',
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
          networkConfiguration: awsvpc,
        }),
      ),
    );
    const external = await rejection(
      client.send(
        new RunTaskCommand({ cluster: 'apps', taskDefinition: fargateTd, launchType: 'EXTERNAL' }),
      ),
    );
    // Assess
    expect(noCluster).toBeInstanceOf(ClusterNotFoundException);
    expect(defaultCluster).toBeInstanceOf(ClusterNotFoundException);
    expect(noTd.message).toBe('TaskDefinition not found.');
    expect(both.message).toMatch(/both a launch type and capacity provider strategy/);
    expect(external.message).toMatch(/not simulated/);
  });

  it('runs on Fargate through a capacity provider strategy and checks the strategy', async () => {
    // Prepare
    const { client, fargateTd, awsvpc } = ecsWorld();
    const run = (strategy: { capacityProvider: string; weight?: number; base?: number }[]) =>
      client.send(
        new RunTaskCommand({
          cluster: 'apps',
          taskDefinition: fargateTd,
          capacityProviderStrategy: strategy,
          networkConfiguration: awsvpc,
        }),
      );
    // Act
    const spot = await run([
      { capacityProvider: 'FARGATE', weight: 1 },
      { capacityProvider: 'FARGATE_SPOT', weight: 3 },
    ]);
    const based = await run([
      { capacityProvider: 'FARGATE', weight: 1, base: 1 },
      { capacityProvider: 'FARGATE_SPOT', weight: 3 },
    ]);
    const unknown = await rejection(run([{ capacityProvider: 'OTHER', weight: 1 }]));
    const mixed = await rejection(
      run([
        { capacityProvider: 'FARGATE', weight: 1 },
        { capacityProvider: 'asg-provider', weight: 1 },
      ]),
    );
    const weightless = await rejection(run([{ capacityProvider: 'FARGATE' }]));
    // Assess
    expect(spot.tasks?.[0]).toMatchObject({
      launchType: 'FARGATE',
      capacityProviderName: 'FARGATE_SPOT',
    });
    expect(based.tasks?.[0].capacityProviderName).toBe('FARGATE');
    expect(unknown.message).toMatch(/not associated with the cluster/);
    expect(mixed.message).toMatch(/cannot mix/);
    expect(weightless.message).toMatch(/weight greater than zero/);
  });

  it('answers a scripted placement failure as HTTP 200 failures[] and starts the rest', async () => {
    // Prepare
    const { client, model, fargateTd, awsvpc } = ecsWorld();
    model.failNextPlacements(1, 'RESOURCE:ENI', 'no ENI capacity');
    // Act
    const run = await client.send(
      new RunTaskCommand({
        cluster: 'apps',
        taskDefinition: fargateTd,
        launchType: 'FARGATE',
        networkConfiguration: awsvpc,
        count: 2,
      }),
    );
    // Assess
    expect(run.$metadata.httpStatusCode).toBe(200);
    expect(run.failures).toEqual([{ reason: 'RESOURCE:ENI', detail: 'no ENI capacity' }]);
    expect(run.tasks).toHaveLength(1);
  });

  it('fails placement with RESOURCE:ENI when the subnets have no free address', async () => {
    // Prepare: a /28 has 16 addresses, AWS keeps 5: 11 tasks fit.
    const { client, fargateTd, awsvpc } = ecsWorld();
    const run = (count: number) =>
      client.send(
        new RunTaskCommand({
          cluster: 'apps',
          taskDefinition: fargateTd,
          launchType: 'FARGATE',
          networkConfiguration: awsvpc,
          count,
        }),
      );
    // Act
    const first = await run(10);
    const second = await run(2);
    // Assess
    expect(first.tasks).toHaveLength(10);
    expect(second.tasks).toHaveLength(1);
    expect(second.failures?.[0].reason).toBe('RESOURCE:ENI');
  });

  it('applies container overrides and refuses overrides for unknown containers', async () => {
    // Prepare
    const { client, fargateTd, awsvpc } = ecsWorld();
    const base = {
      cluster: 'apps',
      taskDefinition: fargateTd,
      launchType: 'FARGATE' as const,
      networkConfiguration: awsvpc,
    };
    // Act
    const run = await client.send(
      new RunTaskCommand({
        ...base,
        overrides: {
          cpu: '512',
          memory: '1024',
          containerOverrides: [{ name: 'app', command: ['serve'], cpu: 128 }],
        },
      }),
    );
    const unknown = await rejection(
      client.send(
        new RunTaskCommand({ ...base, overrides: { containerOverrides: [{ name: 'ghost' }] } }),
      ),
    );
    // Assess
    expect(run.tasks?.[0]).toMatchObject({ cpu: '512', memory: '1024' });
    expect(run.tasks?.[0].overrides?.containerOverrides).toEqual([
      { name: 'app', command: ['serve'], cpu: 128 },
    ]);
    expect(run.tasks?.[0].containers?.find((c) => c.name === 'app')?.cpu).toBe('128');
    expect(unknown.message).toMatch(/ghost is not a container/);
  });
});

describe('ecs model: DescribeTasks, StopTask, ListTasks', () => {
  it('answers MISSING during the eventual-consistency window, then the task', async () => {
    // Prepare
    const { client, clock, fargateTd, awsvpc } = ecsWorld({ describeLagMs: 1_500 });
    const run = await client.send(
      new RunTaskCommand({
        cluster: 'apps',
        taskDefinition: fargateTd,
        launchType: 'FARGATE',
        networkConfiguration: awsvpc,
      }),
    );
    const arn = run.tasks?.[0].taskArn ?? '';
    // Act
    const early = await client.send(new DescribeTasksCommand({ cluster: 'apps', tasks: [arn] }));
    const listedEarly = await client.send(new ListTasksCommand({ cluster: 'apps' }));
    await clock.advance(1_500);
    const later = await client.send(
      new DescribeTasksCommand({ cluster: 'apps', tasks: [arn.split('/').at(-1) ?? ''] }),
    );
    // Assess
    expect(early.tasks).toEqual([]);
    expect(early.failures).toEqual([{ arn, reason: 'MISSING' }]);
    expect(listedEarly.taskArns).toEqual([]);
    expect(later.tasks?.[0].taskArn).toBe(arn);
  });

  it('does not describe a task of another cluster', async () => {
    // Prepare
    const { client, model, fargateTd, awsvpc } = ecsWorld();
    model.addCluster({ name: 'other', capacityProviders: [] });
    const run = await client.send(
      new RunTaskCommand({
        cluster: 'apps',
        taskDefinition: fargateTd,
        launchType: 'FARGATE',
        networkConfiguration: awsvpc,
      }),
    );
    const arn = run.tasks?.[0].taskArn ?? '';
    // Act
    const out = await client.send(new DescribeTasksCommand({ cluster: 'other', tasks: [arn] }));
    // Assess
    expect(out.failures).toEqual([{ arn, reason: 'MISSING' }]);
  });

  it('stops a task: desiredStatus STOPPED at once, STOPPED after stopMs, address freed', async () => {
    // Prepare
    const { client, clock, model, fargateTd, awsvpc } = ecsWorld();
    const run = await client.send(
      new RunTaskCommand({
        cluster: 'apps',
        taskDefinition: fargateTd,
        launchType: 'FARGATE',
        networkConfiguration: awsvpc,
      }),
    );
    const arn = run.tasks?.[0].taskArn ?? '';
    await clock.advance(20_000);
    // Act
    const stop = await client.send(
      new StopTaskCommand({ cluster: 'apps', task: arn, reason: 'scale in' }),
    );
    const again = await client.send(new StopTaskCommand({ cluster: 'apps', task: arn }));
    await clock.advance(4_000);
    const stopped = model.task(arn);
    const next = await client.send(
      new RunTaskCommand({
        cluster: 'apps',
        taskDefinition: fargateTd,
        launchType: 'FARGATE',
        networkConfiguration: awsvpc,
      }),
    );
    // Assess
    expect(stop.task).toMatchObject({
      desiredStatus: 'STOPPED',
      lastStatus: 'DEACTIVATING',
      stopCode: 'UserInitiated',
      stoppedReason: 'scale in',
    });
    expect(again.task?.version).toBe(stop.task?.version);
    expect(stopped).toMatchObject({ lastStatus: 'STOPPED', stoppedReason: 'scale in' });
    expect(stopped.attachments?.[0].status).toBe('DELETED');
    expect(stopped.containers?.[0]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 143 });
    const ip = (t: typeof stopped) =>
      t.attachments?.[0].details?.find((d) => d.name === 'privateIPv4Address')?.value;
    expect(ip(next.tasks?.[0] ?? {})).toBe(ip(stopped));
  });

  it('stops a task before it runs and never reports it RUNNING', async () => {
    // Prepare
    const { client, clock, model, events, fargateTd, awsvpc } = ecsWorld();
    const run = await client.send(
      new RunTaskCommand({
        cluster: 'apps',
        taskDefinition: fargateTd,
        launchType: 'FARGATE',
        networkConfiguration: awsvpc,
      }),
    );
    const arn = run.tasks?.[0].taskArn ?? '';
    // Act
    await client.send(new StopTaskCommand({ cluster: 'apps', task: arn }));
    await clock.runUntilIdle();
    // Assess
    expect(model.task(arn)).toMatchObject({
      lastStatus: 'STOPPED',
      stoppedReason: 'Task stopped by user',
    });
    expect(events.map((e) => e.detail.lastStatus)).toEqual(['PROVISIONING', 'STOPPING', 'STOPPED']);
  });

  it('answers InvalidParameterException when stopping an unknown task', async () => {
    // Prepare
    const { client } = ecsWorld();
    // Act
    const error = await rejection(
      client.send(new StopTaskCommand({ cluster: 'apps', task: 'nope' })),
    );
    // Assess
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe('The referenced task was not found.');
  });

  it('lists tasks by startedBy, family and desired status, over pages', async () => {
    // Prepare
    const { client, clock, fargateTd, awsvpc } = ecsWorld();
    const run = (startedBy: string, count: number) =>
      client.send(
        new RunTaskCommand({
          cluster: 'apps',
          taskDefinition: fargateTd,
          launchType: 'FARGATE',
          networkConfiguration: awsvpc,
          startedBy,
          count,
        }),
      );
    const mine = await run('kit/a', 3);
    await run('other', 1);
    await client.send(
      new StopTaskCommand({ cluster: 'apps', task: mine.tasks?.[0].taskArn ?? '' }),
    );
    await clock.runUntilIdle();
    // Act
    const page1 = await client.send(
      new ListTasksCommand({ cluster: 'apps', startedBy: 'kit/a', maxResults: 1 }),
    );
    const page2 = await client.send(
      new ListTasksCommand({
        cluster: 'apps',
        startedBy: 'kit/a',
        maxResults: 1,
        nextToken: page1.nextToken,
      }),
    );
    const stopped = await client.send(
      new ListTasksCommand({ cluster: 'apps', desiredStatus: 'STOPPED' }),
    );
    const byFamily = await client.send(new ListTasksCommand({ cluster: 'apps', family: 'legacy' }));
    const badToken = await rejection(
      client.send(new ListTasksCommand({ cluster: 'apps', nextToken: page1.nextToken })),
    );
    // Assess
    expect([...(page1.taskArns ?? []), ...(page2.taskArns ?? [])]).toEqual(
      mine.tasks?.slice(1).map((t) => t.taskArn),
    );
    expect(page2.nextToken).toBeUndefined();
    expect(stopped.taskArns).toEqual([mine.tasks?.[0].taskArn]);
    expect(byFamily.taskArns).toEqual([]);
    expect(badToken).toBeInstanceOf(InvalidParameterException);
  });

  it('forgets stopped tasks after the retention time', async () => {
    // Prepare
    const { client, clock, fargateTd, awsvpc } = ecsWorld({ stoppedTaskRetentionMs: 60_000 });
    const run = await client.send(
      new RunTaskCommand({
        cluster: 'apps',
        taskDefinition: fargateTd,
        launchType: 'FARGATE',
        networkConfiguration: awsvpc,
      }),
    );
    const arn = run.tasks?.[0].taskArn ?? '';
    await client.send(new StopTaskCommand({ cluster: 'apps', task: arn }));
    await clock.runUntilIdle();
    // Act
    const kept = await client.send(new DescribeTasksCommand({ cluster: 'apps', tasks: [arn] }));
    await clock.advance(60_000);
    const gone = await client.send(new DescribeTasksCommand({ cluster: 'apps', tasks: [arn] }));
    // Assess
    expect(kept.tasks).toHaveLength(1);
    expect(gone.failures).toEqual([{ arn, reason: 'MISSING' }]);
  });

  it('describes clusters with their task counts and reports unknown ones MISSING', async () => {
    // Prepare
    const { client, fargateTd, awsvpc } = ecsWorld();
    await client.send(
      new RunTaskCommand({
        cluster: 'apps',
        taskDefinition: fargateTd,
        launchType: 'FARGATE',
        networkConfiguration: awsvpc,
      }),
    );
    // Act
    const out = await client.send(new DescribeClustersCommand({ clusters: ['apps', 'ghost'] }));
    const byDefault = await client.send(new DescribeClustersCommand({}));
    // Assess
    expect(out.clusters?.[0]).toMatchObject({
      clusterName: 'apps',
      pendingTasksCount: 1,
      runningTasksCount: 0,
    });
    expect(out.failures).toEqual([
      { arn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/ghost', reason: 'MISSING' },
    ]);
    expect(byDefault.failures?.[0].reason).toBe('MISSING');
  });
});

describe('ecs model: configuration', () => {
  it.each([
    [{ startMs: -1 }, /startMs/],
    [{ startMs: { min: 10, max: 5 } }, /startMs/],
    [{ stopMs: 1.5 }, /stopMs/],
    [{ describeLagMs: -5 }, /describeLagMs/],
    [{ duplicateEventProbability: 2 }, /duplicateEventProbability/],
  ])('refuses %j', (options, message) => {
    expect(() => new EcsModel({ clock: VirtualClock.create(), ...options })).toThrow(message);
  });

  it('refuses bad setup calls with a SimulationConfigError that says what to fix', () => {
    // Prepare
    const { model } = ecsWorld();
    // Act / Assess
    expect(() => model.addCluster({ name: 'apps' })).toThrow(/already exists/);
    expect(() => model.addCluster({ name: 'bad name' })).toThrow(/letters, digits/);
    expect(() =>
      model.addCluster({
        name: 'x',
        defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE' }],
      }),
    ).toThrow(/not in capacityProviders/);
    expect(() => model.addSubnet({ subnetId: 'subnet-0aaa1111', cidr: '10.9.0.0/24' })).toThrow(
      /already exists/,
    );
    expect(() => model.addSubnet({ subnetId: 'net-1', cidr: '10.9.0.0/24' })).toThrow(
      /subnet-0abc/,
    );
    expect(() => model.addSubnet({ subnetId: 'subnet-09', cidr: '10.9.0.0/8' })).toThrow(/16–\/28/);
    expect(() => model.addContainerInstance({ cluster: 'ghost' })).toThrow(/no cluster 'ghost'/);
    expect(() => model.addContainerInstance({ cluster: 'apps', cpu: -1 })).toThrow(/cpu/);
    expect(() => model.addContainerInstance({ cluster: 'apps', ec2InstanceId: 'vm-1' })).toThrow(
      /i-0abc/,
    );
    expect(() =>
      model.addContainerInstance({ cluster: 'apps', capacityProviderName: 'nope' }),
    ).toThrow(/not associated/);
    expect(() => model.failNextPlacements(0, 'AGENT')).toThrow(/positive integer/);
    expect(() => model.failNextTaskStarts(0)).toThrow(/positive integer/);
    expect(() => model.task('arn:nope')).toThrow(/no task/);
    expect(() => model.setAgentConnected('arn:nope', false)).toThrow(/no container instance/);
  });
});
