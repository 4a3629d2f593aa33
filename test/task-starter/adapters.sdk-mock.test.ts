import {
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  InvalidTargetException,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { EcsAdapter } from '../../src/task-starter/ecs-adapter.js';
import { ElbAdapter, isRegistered } from '../../src/task-starter/elb-adapter.js';
import { StartPreconditionError } from '../../src/task-starter/errors.js';

const ecsMock = mockClient(ECSClient);
const elbMock = mockClient(ElasticLoadBalancingV2Client);
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';

function validation(message: string): Error {
  const error = new Error(message);
  error.name = 'ValidationError';
  return error;
}

beforeEach(() => {
  ecsMock.reset();
  elbMock.reset();
  ecsMock.onAnyCommand().rejects(new Error('unexpected ECS call'));
  elbMock.onAnyCommand().rejects(new Error('unexpected ELBv2 call'));
});

describe('ecs-adapter: ECS calls', () => {
  const ecs = () => new EcsAdapter(new ECSClient({ region: 'eu-west-1' }));

  it('runs a task and returns its views and failures', async () => {
    // Prepare
    ecsMock.on(RunTaskCommand, { cluster: 'apps', count: 2, clientToken: 'tok' }).resolves({
      tasks: [
        { taskArn: 't1', clusterArn: 'c', taskDefinitionArn: 'd', lastStatus: 'PROVISIONING' },
      ],
      failures: [{ reason: 'RESOURCE:CPU', arn: 'ci' }, {}],
    });
    // Act
    const result = await ecs().runTask({
      cluster: 'apps',
      taskDefinition: 'web',
      count: 2,
      clientToken: 'tok',
      startedBy: 'kit/web/0123456789abcdef',
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }],
      tags: [{ key: 'a', value: 'b' }],
      enableECSManagedTags: true,
    });
    // Assess
    expect(result.tasks.map((t) => t.taskArn)).toEqual(['t1']);
    expect(result.failures).toEqual([{ reason: 'RESOURCE:CPU', arn: 'ci' }, { reason: 'UNKNOWN' }]);
    expect(ecsMock).toHaveReceivedCommandWith(RunTaskCommand, {
      tags: [{ key: 'a', value: 'b' }],
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }],
    });
  });

  it('describes tasks with their tags in batches of 100 and lists the MISSING ones', async () => {
    // Prepare
    const arns = Array.from({ length: 150 }, (_, i) => `t${i}`);
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[]; include: string[] }) => {
      expect(input.include).toEqual(['TAGS']);
      return Promise.resolve({
        tasks: input.tasks.slice(1).map((arn) => ({
          taskArn: arn,
          clusterArn: 'c',
          taskDefinitionArn: 'd',
          tags: [{ key: 'k', value: arn }],
        })),
        failures: [{ arn: input.tasks[0], reason: 'MISSING' }],
      });
    });
    // Act
    const result = await ecs().describeTasks('apps', arns);
    // Assess
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 2);
    expect(result.missing).toEqual(['t0', 't100']);
    expect(result.tasks).toHaveLength(148);
    expect(result.tasks[0].tags).toEqual({ k: 't1' });
  });

  it('caches a task definition revision but not a bare family', async () => {
    // Prepare
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3',
        family: 'web',
        networkMode: 'awsvpc',
        containerDefinitions: [
          { name: 'app', portMappings: [{ containerPort: 8080, protocol: 'tcp' }, {}] },
          {},
        ],
      },
    });
    const adapter = ecs();
    // Act
    const first = await adapter.describeTaskDefinition('web');
    await adapter.describeTaskDefinition('web');
    await adapter.describeTaskDefinition('web:3');
    await adapter.describeTaskDefinition(
      'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3',
    );
    // Assess
    expect(first).toEqual({
      arn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3',
      family: 'web',
      networkMode: 'awsvpc',
      containers: [
        { name: 'app', portMappings: [{ containerPort: 8080, protocol: 'tcp' }] },
        { name: '', portMappings: [] },
      ],
    });
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 3);
  });

  it('maps container instances to EC2 ids, lists tasks by startedBy over pages, stops with a short reason', async () => {
    // Prepare
    ecsMock.on(DescribeContainerInstancesCommand, { containerInstances: ['ci-1'] }).resolves({
      containerInstances: [{ containerInstanceArn: 'ci-1', ec2InstanceId: 'i-1' }, {}],
    });
    ecsMock
      .on(ListTasksCommand, { cluster: 'apps', startedBy: 'kit/x', nextToken: undefined })
      .resolves({ taskArns: ['a'], nextToken: 'p2' })
      .on(ListTasksCommand, { cluster: 'apps', startedBy: 'kit/x', nextToken: 'p2' })
      .resolves({ taskArns: ['b'] });
    ecsMock.on(StopTaskCommand).resolves({});
    const adapter = ecs();
    // Act
    const ids = await adapter.ec2InstanceIds('apps', ['ci-1', 'ci-1']);
    const arns = await adapter.listTaskArns('apps', 'kit/x');
    await adapter.stopTask('apps', 'a', 'r'.repeat(300));
    // Assess
    expect([...ids]).toEqual([['ci-1', 'i-1']]);
    expect(arns).toEqual(['a', 'b']);
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, { reason: 'r'.repeat(255) });
  });
});

describe('elb-adapter: ELBv2 calls', () => {
  const elb = () => new ElbAdapter(new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }));

  it('describes a target group once and refuses an unknown one', async () => {
    // Prepare
    elbMock
      .on(DescribeTargetGroupsCommand, { TargetGroupArns: [TG] })
      .resolves({ TargetGroups: [{ TargetType: 'ip', VpcId: 'vpc-1' }] })
      .on(DescribeTargetGroupsCommand, { TargetGroupArns: ['other'] })
      .resolves({ TargetGroups: [] });
    const adapter = elb();
    // Act
    const group = await adapter.describeTargetGroup(TG);
    await adapter.describeTargetGroup(TG);
    // Assess
    expect(group).toEqual({ arn: TG, targetType: 'ip', vpcId: 'vpc-1' });
    expect(elbMock).toHaveReceivedCommandTimes(DescribeTargetGroupsCommand, 1);
    await expect(adapter.describeTargetGroup('other')).rejects.toThrow(StartPreconditionError);
  });

  it("retries a refused private IP once with AvailabilityZone 'all' when the VPC is unknown", async () => {
    // Prepare
    elbMock
      .on(RegisterTargetsCommand, { Targets: [{ Id: '172.31.0.5', Port: 80 }] })
      .rejects(validation('outside the VPC'))
      .on(RegisterTargetsCommand, {
        Targets: [{ Id: '172.31.0.5', Port: 80, AvailabilityZone: 'all' }],
      })
      .resolves({});
    // Act
    const target = await elb().register(TG, { id: '172.31.0.5', port: 80 }, true);
    // Assess
    expect(target).toEqual({ id: '172.31.0.5', port: 80, availabilityZone: 'all' });
  });

  it('does not retry when the VPC is known, the IP is public or the error is another one', async () => {
    // Prepare
    const refused = validation('no');
    elbMock.on(RegisterTargetsCommand).rejects(refused);
    const adapter = elb();
    // Act / Assess
    await expect(adapter.register(TG, { id: '10.0.0.5', port: 80 }, false)).rejects.toBe(refused);
    await expect(adapter.register(TG, { id: '8.8.8.8', port: 80 }, true)).rejects.toBe(refused);
    elbMock
      .on(RegisterTargetsCommand)
      .rejects(new InvalidTargetException({ message: 'x', $metadata: {} }));
    await expect(adapter.register(TG, { id: '10.0.0.5', port: 80 }, true)).rejects.toThrow(
      InvalidTargetException,
    );
    expect(elbMock).toHaveReceivedCommandTimes(RegisterTargetsCommand, 3);
  });

  it("reports the first error when the retry with 'all' fails too", async () => {
    // Prepare
    const first = validation('first');
    elbMock
      .on(RegisterTargetsCommand, { Targets: [{ Id: '192.168.1.1', Port: 80 }] })
      .rejects(first)
      .on(RegisterTargetsCommand, {
        Targets: [{ Id: '192.168.1.1', Port: 80, AvailabilityZone: 'all' }],
      })
      .rejects(validation('second'));
    // Act / Assess
    await expect(elb().register(TG, { id: '192.168.1.1', port: 80 }, true)).rejects.toBe(first);
  });

  it('deregisters, lists targets and reads one target health', async () => {
    // Prepare
    elbMock.on(DeregisterTargetsCommand).resolves({});
    elbMock
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TG, Targets: undefined })
      .resolves({
        TargetHealthDescriptions: [
          { Target: { Id: '10.0.0.1', Port: 80 }, TargetHealth: { State: 'healthy' } },
          { Target: { Id: '10.0.0.2', Port: 80, AvailabilityZone: 'all' } },
          { Target: { Id: 'no-port' } },
        ],
      })
      .on(DescribeTargetHealthCommand, {
        TargetGroupArn: TG,
        Targets: [{ Id: '10.0.0.9', Port: 80, AvailabilityZone: 'all' }],
      })
      .resolves({
        TargetHealthDescriptions: [
          { TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered' } },
        ],
      });
    const adapter = elb();
    // Act
    await adapter.deregister(TG, []);
    await adapter.deregister(TG, [
      { id: '10.0.0.1', port: 80 },
      { id: '10.0.0.2', port: 80, availabilityZone: 'all' },
    ]);
    const targets = await adapter.targets(TG);
    const health = await adapter.health(TG, { id: '10.0.0.9', port: 80, availabilityZone: 'all' });
    // Assess
    expect(elbMock).toHaveReceivedCommandTimes(DeregisterTargetsCommand, 1);
    expect(targets).toEqual([
      { id: '10.0.0.1', port: 80, state: 'healthy' },
      { id: '10.0.0.2', port: 80, availabilityZone: 'all', state: 'unavailable' },
    ]);
    expect(health).toEqual({ state: 'unused', reason: 'Target.NotRegistered' });
    expect(isRegistered(health)).toBe(false);
    expect(isRegistered({ state: 'draining' })).toBe(false);
    expect(isRegistered({ state: 'unused', reason: 'Target.NotInUse' })).toBe(true);
  });
});
