/**
 * One shape for a task, whether it came from DescribeTasks or from a Task State Change event
 * (the two differ in small ways: the ENI attachment type is `ElasticNetworkInterface` in one and
 * `eni` in the other, dates are Date or string, tags only come from DescribeTasks).
 *
 * Pure: no AWS SDK import; the input types are structural, so SDK `Task` objects fit.
 */
import { TaskStatuses, type TaskStatus } from './contract.js';

interface NameValueLike {
  readonly name?: string | undefined;
  readonly value?: string | undefined;
}

interface AttachmentLike {
  readonly type?: string | undefined;
  readonly status?: string | undefined;
  readonly details?: readonly NameValueLike[] | undefined;
}

interface BindingLike {
  readonly containerPort?: number | undefined;
  readonly hostPort?: number | undefined;
  readonly protocol?: string | undefined;
}

interface ContainerLike {
  readonly name?: string | undefined;
  readonly networkBindings?: readonly BindingLike[] | undefined;
  readonly networkInterfaces?:
    readonly { readonly privateIpv4Address?: string | undefined }[] | undefined;
}

/** What the kit reads of a task, as DescribeTasks or the event gives it. */
export interface TaskLike {
  readonly taskArn?: string | undefined;
  readonly clusterArn?: string | undefined;
  readonly taskDefinitionArn?: string | undefined;
  readonly lastStatus?: string | undefined;
  readonly desiredStatus?: string | undefined;
  readonly version?: number | undefined;
  readonly startedBy?: string | undefined;
  readonly containerInstanceArn?: string | undefined;
  readonly stoppedReason?: string | undefined;
  readonly attachments?: readonly AttachmentLike[] | undefined;
  readonly containers?: readonly ContainerLike[] | undefined;
  readonly tags?:
    | readonly { readonly key?: string | undefined; readonly value?: string | undefined }[]
    | undefined;
}

export interface PortBinding {
  readonly containerPort: number;
  readonly hostPort: number;
  readonly protocol: string;
}

export interface ContainerView {
  readonly name: string;
  readonly bindings: readonly PortBinding[];
}

/** A task, normalised. */
export interface TaskView {
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  readonly lastStatus: TaskStatus;
  readonly desiredStatus: TaskStatus;
  /** ECS increments it on every change; -1 when unknown. */
  readonly version: number;
  readonly startedBy?: string;
  readonly containerInstanceArn?: string;
  readonly stoppedReason?: string;
  /** The private IPv4 address of the task's ENI (awsvpc), if it has one. */
  readonly privateIp?: string;
  readonly containers: readonly ContainerView[];
  /** Empty for event views: events carry no tags. */
  readonly tags: Readonly<Record<string, string>>;
}

const ENI_TYPES = new Set(['eni', 'elasticnetworkinterface']);

function statusOf(value: string | undefined): TaskStatus {
  const known = TaskStatuses.find((status) => status === value);
  // An unknown status (a future one) is treated as not yet running: nothing is done on it.
  return known ?? 'PENDING';
}

function privateIpOf(task: TaskLike): string | undefined {
  for (const attachment of task.attachments ?? []) {
    if (!ENI_TYPES.has((attachment.type ?? '').toLowerCase())) continue;
    const ip = attachment.details?.find((d) => d.name === 'privateIPv4Address')?.value;
    if (ip) return ip;
  }
  for (const container of task.containers ?? []) {
    const ip = container.networkInterfaces?.find((ni) => ni.privateIpv4Address)?.privateIpv4Address;
    if (ip) return ip;
  }
  return undefined;
}

/** The normalised view of a task; undefined when it lacks its ARN, cluster or definition. */
export function taskViewOf(task: TaskLike): TaskView | undefined {
  if (!task.taskArn || !task.clusterArn || !task.taskDefinitionArn) return undefined;
  const tags: Record<string, string> = {};
  for (const tag of task.tags ?? []) {
    if (tag.key !== undefined) tags[tag.key] = tag.value ?? '';
  }
  const privateIp = privateIpOf(task);
  return {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: statusOf(task.lastStatus),
    desiredStatus: statusOf(task.desiredStatus),
    version: task.version ?? -1,
    ...(task.startedBy === undefined ? {} : { startedBy: task.startedBy }),
    ...(task.containerInstanceArn === undefined
      ? {}
      : { containerInstanceArn: task.containerInstanceArn }),
    ...(task.stoppedReason === undefined ? {} : { stoppedReason: task.stoppedReason }),
    ...(privateIp === undefined ? {} : { privateIp }),
    containers: (task.containers ?? []).map((container) => ({
      name: container.name ?? '',
      bindings: (container.networkBindings ?? []).flatMap((binding) =>
        binding.containerPort === undefined || binding.hostPort === undefined
          ? []
          : [
              {
                containerPort: binding.containerPort,
                hostPort: binding.hostPort,
                protocol: binding.protocol ?? 'tcp',
              },
            ],
      ),
    })),
    tags,
  };
}

const RANK = new Map<TaskStatus, number>(TaskStatuses.map((status, i) => [status, i]));

/** Lifecycle order of a status (PROVISIONING lowest, DELETED highest). */
export function statusRank(status: TaskStatus): number {
  return RANK.get(status) ?? 0;
}

/** The task is on its way out: desired STOPPED, or already past RUNNING. */
export function isStopping(task: Pick<TaskView, 'lastStatus' | 'desiredStatus'>): boolean {
  return task.desiredStatus === 'STOPPED' || statusRank(task.lastStatus) > statusRank('RUNNING');
}

/** The task runs and is meant to keep running. */
export function isLive(task: Pick<TaskView, 'lastStatus' | 'desiredStatus'>): boolean {
  return task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING';
}
