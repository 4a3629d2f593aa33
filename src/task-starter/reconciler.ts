/**
 * Reconcile: for every target group in scope, compare its targets with the live tasks the kit
 * started for it (in every cluster in scope) and fix the drift either way. Runs on a schedule;
 * it is what catches a lost or failed state event.
 */
import {
  TaskStarterDimensions,
  TaskStarterMetricNames,
  clusterNameOf,
  startedByFor,
} from './contract.js';
import { planReconcile, type LiveTaskTarget } from './reconcile-plan.js';
import { registrationOfTask, stopUnregistrable, targetOf } from './registrar.js';
import { targetGroupDimension, type TaskStarterRuntime } from './runtime.js';
import { targetKey, type Target } from './targets.js';
import { isLive } from './task-view.js';

export interface TargetGroupReconcileResult {
  readonly targetGroupArn: string;
  readonly registered: readonly string[];
  readonly deregistered: readonly string[];
  /** Live tasks that could not be registered and were stopped. */
  readonly stopped: readonly string[];
}

export interface ReconcileScope {
  readonly clusters: readonly string[];
  readonly targetGroupArns: readonly string[];
}

/** Clusters and target groups reconcile looks at: the allowed lists, else the defaults. */
export function reconcileScope(runtime: TaskStarterRuntime): ReconcileScope {
  const { config } = runtime;
  const pick = (allowed: readonly string[], fallback: string | undefined): string[] =>
    allowed.length > 0 ? [...allowed] : fallback === undefined ? [] : [fallback];
  return {
    clusters: pick(config.allowedClusters, config.defaults.cluster),
    targetGroupArns: pick(config.allowedTargetGroupArns, config.defaults.targetGroupArn),
  };
}

/** Reconciles one target group over the clusters in scope. */
export async function reconcileTargetGroup(
  runtime: TaskStarterRuntime,
  targetGroupArn: string,
  clusters: readonly string[],
): Promise<TargetGroupReconcileResult> {
  // Targets first, tasks second: see planReconcile.
  const targets = await runtime.elb.targets(targetGroupArn);
  const startedBy = startedByFor(runtime.config.startedByPrefix, targetGroupArn);
  const live: (LiveTaskTarget & { zoneUnknown: boolean })[] = [];
  const stopped: string[] = [];
  for (const cluster of new Set(clusters.map(clusterNameOf))) {
    const arns = await runtime.ecs.listTaskArns(cluster, startedBy);
    if (arns.length === 0) continue;
    const { tasks } = await runtime.ecs.describeTasks(cluster, arns);
    const running = tasks.filter(isLive);
    const instanceArns = running.flatMap((t) =>
      t.containerInstanceArn === undefined ? [] : [t.containerInstanceArn],
    );
    const ec2Ids =
      instanceArns.length > 0
        ? await runtime.ecs.ec2InstanceIds(cluster, instanceArns)
        : new Map<string, string>();
    for (const task of running) {
      const registration = registrationOfTask(runtime, task);
      if (!registration || registration.targetGroupArn !== targetGroupArn) continue;
      const resolution = await targetOf(runtime, task, registration, ec2Ids);
      if (resolution.ok) {
        live.push({
          taskArn: task.taskArn,
          target: resolution.target,
          zoneUnknown: resolution.zoneUnknown,
        });
      } else {
        await stopUnregistrable(runtime, task, registration, resolution.reason, resolution.message);
        stopped.push(task.taskArn);
      }
    }
  }
  const plan = planReconcile({ mode: runtime.config.reconcileMode, targets, live });
  const dimension = targetGroupDimension(targetGroupArn);
  const registered: string[] = [];
  for (const entry of plan.register) {
    const zoneUnknown = live.find((l) => l.taskArn === entry.taskArn)?.zoneUnknown ?? false;
    await runtime.elb.register(targetGroupArn, entry.target, zoneUnknown);
    registered.push(targetKey(entry.target));
    runtime.metrics.record(TaskStarterMetricNames.tasksRegistered, 'Count', 1, dimension);
    runtime.metrics.record(TaskStarterMetricNames.driftFixed, 'Count', 1, {
      ...dimension,
      [TaskStarterDimensions.action]: 'register',
    });
    runtime.logger.warn('Drift: a live kit task was not registered; registered it.', {
      taskArn: entry.taskArn,
      target: targetKey(entry.target),
    });
  }
  const leaving: Target[] = plan.deregister.map((t) => ({
    id: t.id,
    port: t.port,
    ...(t.availabilityZone === 'all' ? { availabilityZone: 'all' as const } : {}),
  }));
  if (leaving.length > 0) {
    await runtime.elb.deregister(targetGroupArn, leaving);
    runtime.metrics.record(
      TaskStarterMetricNames.tasksDeregistered,
      'Count',
      leaving.length,
      dimension,
    );
    runtime.metrics.record(TaskStarterMetricNames.driftFixed, 'Count', leaving.length, {
      ...dimension,
      [TaskStarterDimensions.action]: 'deregister',
    });
    runtime.logger.warn('Drift: targets without a live kit task; deregistered them.', {
      targetGroupArn,
      targets: leaving.map(targetKey),
    });
  }
  return { targetGroupArn, registered, deregistered: leaving.map(targetKey), stopped };
}
