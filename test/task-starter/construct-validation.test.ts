import type { Stack } from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { EcsTaskStarter } from '../../src/task-starter/construct.js';
import type { EcsTaskStarterProps } from '../../src/task-starter/construct-props.js';
import { EcsTaskStarterValidationError } from '../../src/task-starter/construct-validation.js';
import { TARGET_GROUP_ARN, newStack, validProps } from './construct-support.js';

function issuesOf(
  props: EcsTaskStarterProps,
  stack: Stack = newStack(),
): { prop: string; message: string }[] {
  try {
    new EcsTaskStarter(stack, 'Starter', props);
  } catch (error) {
    if (error instanceof EcsTaskStarterValidationError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('task starter construct: validation', () => {
  it.each<[string, Partial<EcsTaskStarterProps>, RegExp]>([
    ['cluster', { cluster: 'bad cluster!' }, /ECS cluster name/],
    ['targetGroups', { targetGroups: [] }, /at least one target group/],
    ['targetGroups', { targetGroups: [TARGET_GROUP_ARN, TARGET_GROUP_ARN] }, /more than once/],
    ['targetGroups[0]', { targetGroups: ['arn:aws:s3:::bucket'] }, /target group ARN like/],
    [
      'targetGroups[0]',
      {
        targetGroups: [
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/73e2d6bc24d8a067',
        ],
      },
      /is in us-east-1, but the stack deploys to eu-west-1/,
    ],
    [
      'targetGroups[0]',
      {
        targetGroups: [
          'arn:aws:elasticloadbalancing:eu-west-1:999999999999:targetgroup/x/73e2d6bc24d8a067',
        ],
      },
      /account 999999999999/,
    ],
    ['targetGroupVpcCidrs', { targetGroupVpcCidrs: ['10.0.0.0/33'] }, /CIDR/],
    ['containerName', { containerName: 'a b' }, /container name/],
    ['containerPort', { containerPort: 70000 }, /port number/],
    ['subnets', { subnets: ['net-1'] }, /subnet id/],
    ['securityGroups', { securityGroups: ['default'] }, /security group id/],
    ['launchType', { launchType: 'EXTERNAL' as never }, /'FARGATE' or 'EC2'/],
    [
      'capacityProviderStrategy',
      { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] },
      /together with launchType/,
    ],
    ['assignPublicIp', { assignPublicIp: true, launchType: 'EC2' }, /only supported on Fargate/],
    ['mode', { mode: 'polling' as never }, /'event-driven' or 'synchronous'/],
    [
      'taskWaitTimeout',
      { taskWaitTimeout: Duration.minutes(20) },
      /from 10 second\(s\) to 14 minute\(s\)/,
    ],
    ['waitForHealthy', { waitForHealthy: Duration.minutes(11) }, /to 10 minute\(s\)/],
    ['reconcile.interval', { reconcile: { interval: Duration.seconds(90) } }, /whole minutes/],
    ['reconcile.interval', { reconcile: { interval: Duration.days(2) } }, /to 1440 minute\(s\)/],
    ['reconcile.mode', { reconcile: { mode: 'mine' as never } }, /'owned' or 'shared'/],
    ['startedByPrefix', { startedByPrefix: 'kit/a' }, /letters, digits/],
    ['startAttempts', { startAttempts: 6 }, /from 1 to 5/],
    ['metricsNamespace', { metricsNamespace: 'AWS/ECS' }, /not starting with AWS\//],
    ['alarms.startFailureThreshold', { alarms: { startFailureThreshold: 0 } }, /from 1/],
    [
      'alarms.startFailurePeriod',
      { alarms: { startFailurePeriod: Duration.hours(2) } },
      /to 60 minute/,
    ],
    [
      'functions.namePrefix',
      { functions: { namePrefix: 'x'.repeat(60) } },
      /function names are at most 64/,
    ],
    ['startEvent.eventPattern', { startEvent: { eventPattern: {} } }, /at least one field/],
    ['taskDefinition.family', { taskDefinition: { family: 'bad family' } }, /1–255 letters/],
    [
      'taskDefinition.taskDefinitionArn',
      {
        taskDefinition: {
          family: 'web',
          taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/api:3',
        },
      },
      /belongs to family 'api'/,
    ],
    [
      'taskDefinition.taskDefinitionArn',
      { taskDefinition: { family: 'web', taskDefinitionArn: 'not an arn!' } },
      /task definition family/,
    ],
    [
      'taskDefinition.taskRoleArn',
      { taskDefinition: { family: 'web', taskRoleArn: 'role/x' } },
      /IAM role ARN/,
    ],
    ['monitoring.emails', { monitoring: { emails: [] } }, /email/],
    ['functions.memorySize', { functions: { memorySize: 64 } }, /128/],
  ])('names %s', (prop, overrides, message) => {
    // Act
    const issues = issuesOf(validProps(overrides));
    // Assess
    const issue = issues.find((i) => i.prop === prop);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue?.message).toMatch(message);
    expect(issue?.message.startsWith(prop)).toBe(true);
  });

  it('reports every problem at once, before creating anything', () => {
    // Prepare
    const stack = newStack();
    // Act
    const act = () =>
      new EcsTaskStarter(stack, 'Starter', validProps({ containerPort: 0, startAttempts: 0 }));
    // Assess
    expect(act).toThrow(/EcsTaskStarter\(Starter\) has 2 invalid props/);
    expect(stack.node.tryFindChild('Starter')).toBeUndefined();
  });

  it('accepts a valid configuration and tokens it cannot check', () => {
    // Prepare
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const group = new elbv2.ApplicationTargetGroup(stack, 'Group', {
      vpc,
      port: 80,
      targetType: elbv2.TargetType.IP,
    });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const securityGroup = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    // Act
    const issues = issuesOf(
      validProps({
        cluster,
        targetGroups: [group],
        subnets:
          vpc.privateSubnets.length > 0
            ? vpc.privateSubnets
            : vpc.isolatedSubnets.concat(vpc.publicSubnets),
        securityGroups: [securityGroup],
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        launchType: undefined,
      }),
      stack,
    );
    // Assess
    expect(issues).toEqual([]);
  });

  it('asks for the family of a definition whose ARN is a token, and for the roles of an import', () => {
    // Prepare
    const stack = newStack();
    const byArn = ecs.TaskDefinition.fromTaskDefinitionArn(
      stack,
      'ByArn',
      'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1',
    );
    const other = newStack();
    const tokenArn = ecs.TaskDefinition.fromTaskDefinitionArn(
      other,
      'Token',
      other.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: 'web:1' }),
    );
    // Act
    const noRoles = issuesOf(validProps({ taskDefinition: byArn }), stack);
    const noFamily = issuesOf(validProps({ taskDefinition: tokenArn }), other);
    // Assess
    expect(noRoles.map((i) => i.message).join()).toMatch(/imported without its roles/);
    expect(noFamily.map((i) => i.message).join()).toMatch(/family .* is unknown/);
  });

  it('refuses FARGATE for a definition that is not Fargate-compatible', () => {
    // Prepare
    const stack = newStack();
    const ec2Only = new ecs.Ec2TaskDefinition(stack, 'Ec2', {
      networkMode: ecs.NetworkMode.BRIDGE,
    });
    ec2Only.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('nginx'),
      memoryLimitMiB: 256,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app' }),
    });
    // Act
    const issues = issuesOf(validProps({ taskDefinition: ec2Only, launchType: 'FARGATE' }), stack);
    // Assess
    expect(issues.find((i) => i.prop === 'launchType')?.message).toMatch(/not Fargate-compatible/);
  });
});
