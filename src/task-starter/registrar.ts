/**
 * Putting a running task behind its target group, and taking a stopping one out. Shared by the
 * task-state handler, the synchronous start and reconcile.
 *
 * A task that cannot be registered (no IP, no host port, a target type that cannot take it,
 * RegisterTargets refusing it for good) is stopped, so nothing runs outside the target group.
 */
import { TaskStarterDimensions, TaskStarterMetricNames, startedByFor } from './contract.js';
import { errorName } from './errors.js';
import { NOT_REGISTERED, isRegistered, type TargetHealthView } from './elb-adapter.js';
import { registrationOf, requestedAtOf, type RegistrationSpec } from './run-task.js';
import { targetGroupDimension, type TaskStarterRuntime } from './runtime.js';
import { resolveTarget, targetKey, type Target, type TargetResolution } from './targets.js';
import { isLive, type TaskView } from './task-view.js';

/** The registration a kit task asks for, read from its tags. */
export type TaskRegistration = RegistrationSpec & { readonly targetGroupArn: string };

export type RegisterOutcome =
  | {
      readonly kind: 'registered';
      readonly target: Target;
      /** Seconds from the start event to now; undefined when the task lacks the tag. */
      readonly timeToRegisteredSeconds?: number;
      /** Seconds from registered to healthy, when waiting for it and it got there. */
      readonly timeToHealthySeconds?: number;
      /** The last health state seen, when waiting for healthy. */
      readonly healthState?: string;
    }
  | { readonly kind: 'already-registered'; readonly target: Target }
  /** The target drains from an earlier task; ELBv2 refuses it until the delay ends. */
  | { readonly kind: 'deferred'; readonly target: Target; readonly message: string }
  | { readonly kind: 'stopped'; readonly reason: string; readonly message: string }
  | { readonly kind: 'not-kit-task'; readonly message: string };

/** Errors after which RegisterTargets will keep refusing the target: stop the task. */
const PERMANENT_REGISTER_ERRORS = new Set([
  'InvalidTargetException',
  'ValidationError',
  'TargetGroupNotFoundException',
  'TooManyTargetsException',
  'TooManyRegistrationsForTargetIdException',
  'AccessDenied',
  'AccessDeniedException',
]);

/**
 * The target a task should be, from its task definition, target group and container instance.
 * `ec2Ids` lets a caller that resolves many tasks describe their container instances at once.
 */
export async function targetOf(
  runtime: TaskStarterRuntime,
  task: TaskView,
  registration: TaskRegistration,
  ec2Ids?: ReadonlyMap<string, string>,
): Promise<TargetResolution> {
  const definition = await runtime.ecs.describeTaskDefinition(task.taskDefinitionArn);
  const group = await runtime.elb.describeTargetGroup(registration.targetGroupArn);
  let ec2InstanceId: string | undefined;
  if (definition.networkMode !== 'awsvpc' && task.containerInstanceArn !== undefined) {
    const ids =
      ec2Ids ?? (await runtime.ecs.ec2InstanceIds(task.clusterArn, [task.containerInstanceArn]));
    ec2InstanceId = ids.get(task.containerInstanceArn);
  }
  return resolveTarget({
    task,
    networkMode: definition.networkMode,
    targetType: group.targetType,
    containerName: registration.containerName,
    containerPort: registration.containerPort,
    vpcCidrs: runtime.config.targetGroupVpcCidrs,
    ...(ec2InstanceId === undefined ? {} : { ec2InstanceId }),
  });
}

/** The registration of a task the kit started (its tags), or undefined for any other task. */
export function registrationOfTask(
  runtime: TaskStarterRuntime,
  task: TaskView,
): TaskRegistration | undefined {
  const registration = registrationOf(task.tags);
  if (!registration) return undefined;
  // A task whose startedBy names another target group than its tag was not started by us.
  let expected: string | undefined;
  try {
    expected = startedByFor(runtime.config.startedByPrefix, registration.targetGroupArn);
  } catch {
    return undefined;
  }
  return task.startedBy === expected ? registration : undefined;
}

/** Stops a task that cannot be registered and counts it as a start failure. */
export async function stopUnregistrable(
  runtime: TaskStarterRuntime,
  task: TaskView,
  registration: TaskRegistration | undefined,
  reason: string,
  message: string,
): Promise<RegisterOutcome> {
  runtime.logger.error('The task cannot be registered; stopping it.', {
    taskArn: task.taskArn,
    reason,
    detail: message,
  });
  await runtime.ecs.stopTask(
    task.clusterArn,
    task.taskArn,
    `aws-ops-kit task starter: cannot register the task (${reason}): ${message}`,
  );
  recordStartFailure(runtime, registration?.targetGroupArn, `REGISTRATION:${reason}`, 1);
  return { kind: 'stopped', reason, message };
}

/** Counts `count` tasks that failed to start (or were stopped unregistered). */
export function recordStartFailure(
  runtime: TaskStarterRuntime,
  targetGroupArn: string | undefined,
  reason: string,
  count: number,
): void {
  runtime.metrics.record(TaskStarterMetricNames.startFailures, 'Count', count);
  runtime.metrics.record(TaskStarterMetricNames.startFailuresByReason, 'Count', count, {
    [TaskStarterDimensions.reason]: reason,
    ...(targetGroupArn === undefined ? {} : targetGroupDimension(targetGroupArn)),
  });
}

/**
 * Registers a RUNNING kit task in its target group (idempotent: an already registered target
 * is left alone), then optionally waits for it to become healthy.
 * @throws what the adapters throw for transient trouble (throttling, 5xx): nothing was
 * stopped, and a redelivery or reconcile finishes the job.
 */
export async function registerTask(
  runtime: TaskStarterRuntime,
  task: TaskView,
  ec2Ids?: ReadonlyMap<string, string>,
): Promise<RegisterOutcome> {
  const registration = registrationOfTask(runtime, task);
  if (!registration) {
    return { kind: 'not-kit-task', message: 'the task carries no task-starter tags' };
  }
  const resolution = await targetOf(runtime, task, registration, ec2Ids);
  if (!resolution.ok) {
    return stopUnregistrable(runtime, task, registration, resolution.reason, resolution.message);
  }
  const { targetGroupArn } = registration;
  const { target: located, health: before } = await locateTarget(
    runtime,
    targetGroupArn,
    resolution,
  );
  if (isRegistered(before)) return { kind: 'already-registered', target: located };
  let target: Target;
  try {
    target = await runtime.elb.register(targetGroupArn, located, resolution.zoneUnknown);
  } catch (error) {
    const name = errorName(error) ?? 'Error';
    if (!PERMANENT_REGISTER_ERRORS.has(name)) throw error;
    if (before.state.endsWith('draining')) {
      // The IP (or instance:port) still drains from a task that stopped: not this task's fault.
      const message = `target ${targetKey(resolution.target)} still drains from an earlier task`;
      runtime.logger.warn('Registration deferred: the target is draining.', {
        taskArn: task.taskArn,
        detail: message,
      });
      return { kind: 'deferred', target: resolution.target, message };
    }
    const message = error instanceof Error ? error.message : String(error);
    return stopUnregistrable(runtime, task, registration, name, message);
  }
  const registeredAt = runtime.clock.now();
  const dimension = targetGroupDimension(targetGroupArn);
  runtime.metrics.record(TaskStarterMetricNames.tasksRegistered, 'Count', 1, dimension);
  const requestedAt = requestedAtOf(task.tags);
  const timeToRegisteredSeconds =
    requestedAt === undefined ? undefined : Math.max(0, (registeredAt - requestedAt) / 1000);
  if (timeToRegisteredSeconds !== undefined) {
    runtime.metrics.record(
      TaskStarterMetricNames.timeToRegistered,
      'Seconds',
      timeToRegisteredSeconds,
      dimension,
    );
  }
  runtime.logger.info('Task registered.', {
    taskArn: task.taskArn,
    targetGroupArn,
    target: targetKey(target),
    availabilityZone: target.availabilityZone,
    timeToRegisteredSeconds,
  });
  const health = await waitForHealthy(runtime, targetGroupArn, target, registeredAt);
  return {
    kind: 'registered',
    target,
    ...(timeToRegisteredSeconds === undefined ? {} : { timeToRegisteredSeconds }),
    ...health,
  };
}

/**
 * A task's target as the target group knows it, with its health. With the VPC CIDRs
 * configured the resolution is exact. Without them, whether an IP needs `AvailabilityZone:
 * 'all'` is unknown, and ELBv2 refuses DescribeTargetHealth / DeregisterTargets of an
 * outside-VPC IP named without it; so the group's targets are listed (no target named, so no
 * zone needed) and the zone it was registered with is taken from there.
 */
export async function locateTarget(
  runtime: TaskStarterRuntime,
  targetGroupArn: string,
  resolution: Extract<TargetResolution, { ok: true }>,
): Promise<{ target: Target; health: TargetHealthView }> {
  if (!resolution.zoneUnknown) {
    return {
      target: resolution.target,
      health: await runtime.elb.health(targetGroupArn, resolution.target),
    };
  }
  const key = targetKey(resolution.target);
  const found = (await runtime.elb.targets(targetGroupArn)).find((t) => targetKey(t) === key);
  if (found === undefined) {
    return {
      target: resolution.target,
      health: { state: 'unused', reason: NOT_REGISTERED },
    };
  }
  // An in-VPC IP is listed with its real zone, which ELBv2 detects anyway: only 'all' matters.
  return {
    target:
      found.availabilityZone === 'all'
        ? { ...resolution.target, availabilityZone: 'all' }
        : resolution.target,
    health: { state: found.state },
  };
}

/** Seconds between DescribeTargetHealth polls while waiting for healthy. */
export const HEALTH_POLL_SECONDS = 5;

async function waitForHealthy(
  runtime: TaskStarterRuntime,
  targetGroupArn: string,
  target: Target,
  registeredAt: number,
): Promise<{ timeToHealthySeconds?: number; healthState?: string }> {
  const limitMs = runtime.config.waitForHealthySeconds * 1000;
  if (limitMs <= 0) return {};
  let state = 'initial';
  while (runtime.clock.now() - registeredAt < limitMs) {
    await runtime.clock.sleep(HEALTH_POLL_SECONDS * 1000);
    state = (await runtime.elb.health(targetGroupArn, target)).state;
    if (state === 'healthy') {
      const seconds = (runtime.clock.now() - registeredAt) / 1000;
      runtime.metrics.record(
        TaskStarterMetricNames.timeToHealthy,
        'Seconds',
        seconds,
        targetGroupDimension(targetGroupArn),
      );
      runtime.logger.info('Target healthy.', { target: targetKey(target), seconds });
      return { timeToHealthySeconds: seconds, healthState: state };
    }
  }
  runtime.logger.warn('The target did not become healthy in time.', {
    target: targetKey(target),
    state,
    waitedSeconds: runtime.config.waitForHealthySeconds,
  });
  return { healthState: state };
}

export type DeregisterOutcome =
  | { readonly kind: 'deregistered'; readonly target: Target }
  | { readonly kind: 'skipped'; readonly message: string };

/**
 * Takes a stopping kit task out of its target group. Skips a target another live kit task now
 * holds (an IP reused after a late, duplicate stop event) and one that is not registered.
 */
export async function deregisterTask(
  runtime: TaskStarterRuntime,
  task: TaskView,
): Promise<DeregisterOutcome> {
  const registration = registrationOfTask(runtime, task);
  if (!registration) return { kind: 'skipped', message: 'the task carries no task-starter tags' };
  const resolution = await targetOf(runtime, task, registration);
  if (!resolution.ok) {
    return { kind: 'skipped', message: `the task has no target: ${resolution.message}` };
  }
  const { targetGroupArn } = registration;
  const { target, health } = await locateTarget(runtime, targetGroupArn, resolution);
  if (!isRegistered(health)) {
    return { kind: 'skipped', message: `target is ${health.reason ?? health.state}` };
  }
  const holder = await liveHolderOf(runtime, task, registration, target);
  if (holder !== undefined) {
    return { kind: 'skipped', message: `target now belongs to live task ${holder}` };
  }
  await runtime.elb.deregister(targetGroupArn, [target]);
  runtime.metrics.record(
    TaskStarterMetricNames.tasksDeregistered,
    'Count',
    1,
    targetGroupDimension(targetGroupArn),
  );
  runtime.logger.info('Task deregistered.', {
    taskArn: task.taskArn,
    targetGroupArn,
    target: targetKey(target),
    availabilityZone: target.availabilityZone,
  });
  return { kind: 'deregistered', target };
}

async function liveHolderOf(
  runtime: TaskStarterRuntime,
  task: TaskView,
  registration: TaskRegistration,
  target: Target,
): Promise<string | undefined> {
  const startedBy = startedByFor(runtime.config.startedByPrefix, registration.targetGroupArn);
  const arns = (await runtime.ecs.listTaskArns(task.clusterArn, startedBy)).filter(
    (arn) => arn !== task.taskArn,
  );
  if (arns.length === 0) return undefined;
  const { tasks } = await runtime.ecs.describeTasks(task.clusterArn, arns);
  const key = targetKey(target);
  for (const other of tasks.filter(isLive)) {
    const otherRegistration = registrationOfTask(runtime, other);
    if (!otherRegistration || otherRegistration.targetGroupArn !== registration.targetGroupArn) {
      continue;
    }
    const resolved = await targetOf(runtime, other, otherRegistration);
    if (resolved.ok && targetKey(resolved.target) === key) return other.taskArn;
  }
  return undefined;
}
