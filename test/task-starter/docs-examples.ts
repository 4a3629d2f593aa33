/**
 * The code examples of docs/task-starter.md. Each example is the text between a
 * `// example: <name>` line and the next `// end of example` line; the page shows it verbatim
 * (docs.test.ts checks that), and the tests synthesize it.
 */
import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import { EcsTaskStarter } from '../../src/task-starter/construct.js';

export function minimal(scope: Construct): EcsTaskStarter {
  // example: minimal
  // Start `web` tasks on Fargate from "Start ECS Task" events and put them behind web-blue.
  const starter = new EcsTaskStarter(scope, 'WebStarter', {
    cluster: 'apps',
    taskDefinition: {
      family: 'web',
      taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
      executionRoleArn: 'arn:aws:iam::123456789012:role/web-execution',
    },
    targetGroups: [
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-blue/73e2d6bc24d8a067',
    ],
    subnets: ['subnet-0aaa1111', 'subnet-0bbb2222'],
    securityGroups: ['sg-0123abcd'],
    launchType: 'FARGATE',
    targetGroupVpcCidrs: ['10.0.0.0/16'],
    monitoring: { emails: ['ops-team@example.com'] },
  });
  // end of example
  return starter;
}

export interface TypedExampleProps {
  readonly cluster: ecs.ICluster;
  readonly taskDefinition: ecs.ITaskDefinition;
  readonly targetGroup: elbv2.ITargetGroup;
  readonly subnets: readonly ec2.ISubnet[];
}

export function synchronous(scope: Construct, props: TypedExampleProps): EcsTaskStarter {
  const { cluster, taskDefinition, targetGroup, subnets } = props;
  // example: synchronous
  // One invocation starts, waits (at most 3 minutes) and registers; wait for healthy too.
  const starter = new EcsTaskStarter(scope, 'SyncStarter', {
    cluster,
    taskDefinition,
    targetGroups: [targetGroup],
    subnets,
    capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    mode: 'synchronous',
    taskWaitTimeout: Duration.minutes(3),
    waitForHealthy: Duration.seconds(90),
    reconcile: { interval: Duration.minutes(10) },
    monitoring: { emails: ['ops-team@example.com'] },
  });
  // end of example
  return starter;
}
