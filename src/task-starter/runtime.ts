/**
 * What the task-starter services run with: the configuration, the ECS and ELBv2 adapters, the
 * clock, logger and metrics. Handlers build one per invocation from their deps (the adapters,
 * and their caches of task definitions and target groups, live as long as the deps).
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { OpsLogger } from '../observability/logger.js';
import type { MetricRecorder } from '../observability/metrics.js';
import type { Clock, RandomSource } from '../resilience/clock.js';
import { TaskStarterDimensions, parseTargetGroupArn, type TaskStarterConfig } from './contract.js';
import { EcsAdapter } from './ecs-adapter.js';
import { ElbAdapter } from './elb-adapter.js';

export interface TaskStarterRuntime {
  readonly config: TaskStarterConfig;
  readonly ecs: EcsAdapter;
  readonly elb: ElbAdapter;
  readonly clock: Clock;
  readonly logger: OpsLogger;
  readonly metrics: MetricRecorder;
  /** Jitter of the RunTask capacity retries. */
  readonly random: RandomSource;
}

export interface RuntimeClients {
  readonly ecs: ECSClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
}

const adapters = new WeakMap<RuntimeClients, { ecs: EcsAdapter; elb: ElbAdapter }>();

/** The adapters over `clients`, made once per clients object (so their caches persist). */
export function adaptersOf(clients: RuntimeClients): { ecs: EcsAdapter; elb: ElbAdapter } {
  let found = adapters.get(clients);
  if (!found) {
    found = { ecs: new EcsAdapter(clients.ecs), elb: new ElbAdapter(clients.elbv2) };
    adapters.set(clients, found);
  }
  return found;
}

/** The `TargetGroup` dimension (`targetgroup/<name>/<id>`) of a target group ARN. */
export function targetGroupDimension(targetGroupArn: string): Record<string, string> {
  return {
    [TaskStarterDimensions.targetGroup]:
      parseTargetGroupArn(targetGroupArn)?.resource ?? targetGroupArn,
  };
}
