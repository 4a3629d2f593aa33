/**
 * ECS model fixtures shared by the ECS model tests: a model on its own virtual clock, an SDK
 * client mounted on it without SDK retries (each send is one model call), a cluster, two
 * subnets and the three kinds of task definition a task starter meets.
 */
import * as ecsSdk from '@aws-sdk/client-ecs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EcsModel, type EcsModelOptions } from '../../../src/simulation/models/ecs.js';
import type { EcsTaskStateChangeEvent } from '../../../src/simulation/models/ecs-tasks.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

export const REGION = 'eu-west-1';
export const TASK_ROLE = 'arn:aws:iam::123456789012:role/app-task';
export const EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/app-execution';

export function ecsWorld(options: Partial<EcsModelOptions> = {}) {
  const clock = VirtualClock.create();
  const events: EcsTaskStateChangeEvent[] = [];
  const model = new EcsModel({
    clock,
    region: REGION,
    startMs: 20_000,
    provisioningMs: 3_000,
    stopMs: 4_000,
    events: { publish: (event) => events.push(event as EcsTaskStateChangeEvent) },
    ...options,
  });
  const client = createSimulatedClient(ECSClient, { region: REGION, maxAttempts: 1 }, model, {
    exceptions: ecsSdk,
  });
  const clusterArn = model.addCluster({
    name: 'apps',
    capacityProviders: ['FARGATE', 'FARGATE_SPOT', 'asg-provider'],
  });
  model.addSubnet({
    subnetId: 'subnet-0aaa1111',
    cidr: '10.0.1.0/28',
    availabilityZone: 'eu-west-1a',
  });
  model.addSubnet({
    subnetId: 'subnet-0bbb2222',
    cidr: '10.0.2.0/24',
    availabilityZone: 'eu-west-1b',
  });
  const fargateTd = model.registerTaskDefinition({
    family: 'web',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    taskRoleArn: TASK_ROLE,
    executionRoleArn: EXECUTION_ROLE,
    containerDefinitions: [
      { name: 'app', image: 'nginx:1', portMappings: [{ containerPort: 8080 }] },
      { name: 'sidecar', image: 'envoy:1', essential: false },
    ],
  });
  const bridgeTd = model.registerTaskDefinition({
    family: 'legacy',
    networkMode: 'bridge',
    containerDefinitions: [
      {
        name: 'app',
        image: 'legacy:1',
        cpu: 512,
        memory: 1024,
        portMappings: [{ containerPort: 80 }],
      },
    ],
  });
  const hostTd = model.registerTaskDefinition({
    family: 'edge',
    networkMode: 'host',
    containerDefinitions: [
      {
        name: 'proxy',
        image: 'haproxy:2',
        cpu: 256,
        memory: 256,
        portMappings: [{ containerPort: 8443 }],
      },
    ],
  });
  const awsvpc = {
    awsvpcConfiguration: { subnets: ['subnet-0aaa1111'], securityGroups: ['sg-0123abcd'] },
  };
  return { clock, model, client, events, clusterArn, fargateTd, bridgeTd, hostTd, awsvpc };
}

export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
