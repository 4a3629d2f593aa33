import type { Attachment, Container, KeyValuePair, Tag, Task } from '@aws-sdk/client-ecs';
import type { EventBridgeEvent } from './eventbridge.js';
import type { HostBinding } from './ecs-network.js';

/**
 * The ECS model's task records and the two ways ECS shows a task: as DescribeTasks answers it
 * (attachment type `ElasticNetworkInterface`, Date timestamps) and as an "ECS Task State
 * Change" event carries it (attachment type `eni`, ISO timestamps, `version` in the detail).
 * Pure: the model owns the records and the clock.
 */

/** The `lastStatus` values a task passes through, in order (ECS's lifecycle). */
export type TaskLastStatus =
  | 'PROVISIONING'
  | 'PENDING'
  | 'ACTIVATING'
  | 'RUNNING'
  | 'DEACTIVATING'
  | 'STOPPING'
  | 'DEPROVISIONING'
  | 'STOPPED';

export type TaskStopCode =
  | 'TaskFailedToStart'
  | 'EssentialContainerExited'
  | 'UserInitiated'
  | 'ServiceSchedulerInitiated'
  | 'SpotInterruption'
  | 'TerminationNotice';

export type NetworkMode = 'awsvpc' | 'bridge' | 'host' | 'none';

/** The ENI of an awsvpc task. */
export interface EniRecord {
  readonly attachmentId: string;
  readonly networkInterfaceId: string;
  readonly macAddress: string;
  readonly subnetId: string;
  readonly privateIPv4Address: string;
  status: 'PRECREATED' | 'ATTACHED' | 'DETACHED' | 'DELETED';
}

export interface ContainerRecord {
  readonly name: string;
  readonly image: string;
  readonly containerArn: string;
  readonly runtimeId: string;
  readonly cpu: number;
  readonly memory: number | undefined;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  exitCode: number | undefined;
  reason: string | undefined;
}

export interface TaskRecord {
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly networkMode: NetworkMode;
  readonly launchType: 'EC2' | 'FARGATE';
  readonly capacityProviderName: string | undefined;
  readonly platformVersion: string | undefined;
  readonly startedBy: string | undefined;
  readonly group: string;
  readonly cpu: string;
  readonly memory: string;
  readonly availabilityZone: string;
  readonly containerInstanceArn: string | undefined;
  readonly eni: EniRecord | undefined;
  readonly bindings: readonly HostBinding[];
  readonly containers: ContainerRecord[];
  readonly overrides: NonNullable<Task['overrides']>;
  readonly tags: Tag[];
  readonly createdAt: number;
  lastStatus: TaskLastStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  version: number;
  updatedAt: number;
  connectivityAt: number | undefined;
  pullStartedAt: number | undefined;
  pullStoppedAt: number | undefined;
  startedAt: number | undefined;
  stoppingAt: number | undefined;
  stoppedAt: number | undefined;
  stopCode: TaskStopCode | undefined;
  stoppedReason: string | undefined;
}

/** The `detail` of an "ECS Task State Change" event, as ECS sends it. */
export interface EcsTaskStateChangeDetail {
  attachments?: { id: string; type: 'eni'; status: string; details: KeyValuePair[] }[];
  availabilityZone: string;
  capacityProviderName?: string;
  clusterArn: string;
  connectivity?: 'CONNECTED' | 'DISCONNECTED';
  connectivityAt?: string;
  containerInstanceArn?: string;
  containers: {
    containerArn: string;
    exitCode?: number;
    lastStatus: string;
    name: string;
    image: string;
    reason?: string;
    runtimeId: string;
    taskArn: string;
    networkInterfaces: { attachmentId: string; privateIpv4Address: string }[];
    networkBindings?: {
      bindIP: string;
      containerPort: number;
      hostPort: number;
      protocol: string;
    }[];
    cpu: string;
    memory?: string;
  }[];
  cpu: string;
  createdAt: string;
  desiredStatus: string;
  group: string;
  launchType: string;
  lastStatus: string;
  memory: string;
  overrides: { containerOverrides: { name: string }[] };
  platformVersion?: string;
  pullStartedAt?: string;
  pullStoppedAt?: string;
  startedAt?: string;
  startedBy?: string;
  stopCode?: string;
  stoppedAt?: string;
  stoppedReason?: string;
  stoppingAt?: string;
  taskArn: string;
  taskDefinitionArn: string;
  updatedAt: string;
  version: number;
}

export type EcsTaskStateChangeEvent = EventBridgeEvent<EcsTaskStateChangeDetail>;

function date(ms: number | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(ms);
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** Drops undefined members, as the SDK's deserializer leaves absent members out. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function eniDetails(eni: EniRecord): KeyValuePair[] {
  return [
    { name: 'subnetId', value: eni.subnetId },
    { name: 'networkInterfaceId', value: eni.networkInterfaceId },
    { name: 'macAddress', value: eni.macAddress },
    {
      name: 'privateDnsName',
      value: `ip-${eni.privateIPv4Address.replaceAll('.', '-')}.ec2.internal`,
    },
    { name: 'privateIPv4Address', value: eni.privateIPv4Address },
  ];
}

function bindingsOf(task: TaskRecord, container: ContainerRecord) {
  // Docker publishes the bindings once the container runs; awsvpc tasks have none.
  if (task.networkMode === 'awsvpc' || container.lastStatus !== 'RUNNING') return undefined;
  return task.bindings
    .filter((binding) => binding.containerName === container.name)
    .map((binding) => ({
      bindIP: '0.0.0.0',
      containerPort: binding.containerPort,
      hostPort: binding.hostPort,
      protocol: binding.protocol,
    }));
}

function interfacesOf(task: TaskRecord) {
  return task.eni === undefined
    ? []
    : [{ attachmentId: task.eni.attachmentId, privateIpv4Address: task.eni.privateIPv4Address }];
}

function connected(task: TaskRecord): 'CONNECTED' | undefined {
  return task.connectivityAt === undefined ? undefined : 'CONNECTED';
}

/** A task as DescribeTasks answers it; `withTags` when `include: ['TAGS']` was asked. */
export function taskOutput(task: TaskRecord, withTags: boolean): Task {
  const attachments: Attachment[] =
    task.eni === undefined
      ? []
      : [
          {
            id: task.eni.attachmentId,
            type: 'ElasticNetworkInterface',
            status: task.eni.status,
            details: eniDetails(task.eni),
          },
        ];
  const containers: Container[] = task.containers.map((container) =>
    compact({
      containerArn: container.containerArn,
      taskArn: task.taskArn,
      name: container.name,
      image: container.image,
      runtimeId: container.lastStatus === 'PENDING' ? undefined : container.runtimeId,
      lastStatus: container.lastStatus,
      exitCode: container.exitCode,
      reason: container.reason,
      networkBindings: bindingsOf(task, container) ?? [],
      networkInterfaces: interfacesOf(task),
      cpu: String(container.cpu),
      memory: container.memory === undefined ? undefined : String(container.memory),
    }),
  );
  return compact({
    attachments,
    availabilityZone: task.availabilityZone,
    capacityProviderName: task.capacityProviderName,
    clusterArn: task.clusterArn,
    connectivity: connected(task),
    connectivityAt: date(task.connectivityAt),
    containerInstanceArn: task.containerInstanceArn,
    containers,
    cpu: task.cpu,
    createdAt: date(task.createdAt),
    desiredStatus: task.desiredStatus,
    group: task.group,
    lastStatus: task.lastStatus,
    launchType: task.launchType,
    memory: task.memory,
    overrides: structuredClone(task.overrides),
    platformVersion: task.platformVersion,
    pullStartedAt: date(task.pullStartedAt),
    pullStoppedAt: date(task.pullStoppedAt),
    startedAt: date(task.startedAt),
    startedBy: task.startedBy,
    stopCode: task.stopCode,
    stoppedAt: date(task.stoppedAt),
    stoppedReason: task.stoppedReason,
    stoppingAt: date(task.stoppingAt),
    tags: withTags ? structuredClone(task.tags) : undefined,
    taskArn: task.taskArn,
    taskDefinitionArn: task.taskDefinitionArn,
    version: task.version,
  });
}

/** The `detail` of the "ECS Task State Change" event for the task as it is now. */
export function taskStateChangeDetail(task: TaskRecord): EcsTaskStateChangeDetail {
  const eni = task.eni;
  return compact({
    attachments:
      eni === undefined
        ? undefined
        : [
            {
              id: eni.attachmentId,
              type: 'eni' as const,
              status: eni.status,
              details: eniDetails(eni),
            },
          ],
    availabilityZone: task.availabilityZone,
    capacityProviderName: task.capacityProviderName,
    clusterArn: task.clusterArn,
    connectivity: connected(task),
    connectivityAt: iso(task.connectivityAt),
    containerInstanceArn: task.containerInstanceArn,
    containers: task.containers.map((container) =>
      compact({
        containerArn: container.containerArn,
        exitCode: container.exitCode,
        lastStatus: container.lastStatus,
        name: container.name,
        image: container.image,
        reason: container.reason,
        runtimeId: container.runtimeId,
        taskArn: task.taskArn,
        networkInterfaces: interfacesOf(task),
        networkBindings: bindingsOf(task, container),
        cpu: String(container.cpu),
        memory: container.memory === undefined ? undefined : String(container.memory),
      }),
    ),
    cpu: task.cpu,
    createdAt: new Date(task.createdAt).toISOString(),
    desiredStatus: task.desiredStatus,
    group: task.group,
    launchType: task.launchType,
    lastStatus: task.lastStatus,
    memory: task.memory,
    overrides: {
      containerOverrides: (task.overrides.containerOverrides ?? []).map((o) => ({
        ...structuredClone(o),
        name: o.name ?? '',
      })),
    },
    platformVersion: task.platformVersion,
    pullStartedAt: iso(task.pullStartedAt),
    pullStoppedAt: iso(task.pullStoppedAt),
    startedAt: iso(task.startedAt),
    startedBy: task.startedBy,
    stopCode: task.stopCode,
    stoppedAt: iso(task.stoppedAt),
    stoppedReason: task.stoppedReason,
    stoppingAt: iso(task.stoppingAt),
    taskArn: task.taskArn,
    taskDefinitionArn: task.taskDefinitionArn,
    updatedAt: new Date(task.updatedAt).toISOString(),
    version: task.version,
  });
}
