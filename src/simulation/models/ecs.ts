import type {
  DescribeClustersCommandInput,
  DescribeClustersCommandOutput,
  DescribeContainerInstancesCommandInput,
  DescribeContainerInstancesCommandOutput,
  DescribeTaskDefinitionCommandInput,
  DescribeTaskDefinitionCommandOutput,
  DescribeTasksCommandInput,
  DescribeTasksCommandOutput,
  Failure,
  ListTasksCommandInput,
  ListTasksCommandOutput,
  RegisterTaskDefinitionCommandInput,
  RegisterTaskDefinitionCommandOutput,
  RunTaskCommandInput,
  RunTaskCommandOutput,
  StopTaskCommandInput,
  StopTaskCommandOutput,
  Task,
} from '@aws-sdk/client-ecs';
import type { RandomSource } from '../../resilience/clock.js';
import { SimulationConfigError } from '../errors.js';
import { sequentialUuid } from '../ids.js';
import { chance, deriveSeed, pick, randomInt, randomSourceOf, type Seed } from '../random.js';
import { scheduleOn } from '../schedule.js';
import { SimulatedServiceError } from '../service-error.js';
import { OperationTable, type ModelResult } from '../service-model.js';
import { validateInput } from '../validation.js';
import {
  checkTaskDefinition,
  clientException,
  ecsValidation,
  invalidParameter,
  portMappingsOf,
  reservationOf,
  taskDefinitionOutput,
  type TaskDefinitionRecord,
} from './ecs-definitions.js';
import {
  describeClustersInput,
  describeContainerInstancesInput,
  describeTaskDefinitionInput,
  describeTasksInput,
  listTasksInput,
  MAX_LIST_RESULTS,
  runTaskInput,
  stopTaskInput,
  type RunTaskInput,
} from './ecs-inputs.js';
import {
  assignHostPorts,
  nextFreeAddress,
  parseCidr,
  type Cidr,
  type HostBinding,
} from './ecs-network.js';
import {
  taskOutput,
  taskStateChangeDetail,
  type EcsTaskStateChangeEvent,
  type EniRecord,
  type TaskRecord,
  type TaskStopCode,
} from './ecs-tasks.js';
import { eventTime, type EventPublisher } from './eventbridge.js';
import { ThrottledServiceModel, type CommonModelOptions } from './model-base.js';
import type { QuotaOptions, ThrottleOptions, ThrottlingApiModel } from './throttling-api.js';

export type {
  EcsTaskStateChangeDetail,
  EcsTaskStateChangeEvent,
  TaskLastStatus,
  TaskStopCode,
} from './ecs-tasks.js';

/**
 * An in-memory Amazon ECS for what a task starter needs: clusters (with capacity providers),
 * task definitions (awsvpc, bridge, host), EC2 container instances with CPU, memory, host ports
 * and ENIs, and tasks that live on the virtual clock.
 *
 * Operations: RegisterTaskDefinition, DescribeTaskDefinition, RunTask, DescribeTasks, StopTask,
 * ListTasks, DescribeContainerInstances, DescribeClusters.
 *
 * RunTask behaves as ECS documents it: 1–10 tasks, `clientToken` ≤ 64 characters (the same
 * token answers the same tasks and failures again, starting nothing), `startedBy` ≤ 128, tags,
 * container overrides, launch type or capacity provider strategy (never both), awsvpc needs a
 * network configuration on known subnets, and a task that cannot be placed is an HTTP 200
 * answer with a `failures[]` entry (RESOURCE:CPU, RESOURCE:MEMORY, RESOURCE:PORTS,
 * RESOURCE:ENI, AGENT...), which tests can also script (`failNextPlacements`).
 *
 * Lifecycle: PROVISIONING (awsvpc: the ENI is created) → PENDING → RUNNING after `startMs`
 * (drawn with the model's seeded random when a range), and on StopTask, a scripted start
 * failure or a crash: STOPPING (awsvpc: DEACTIVATING) → STOPPED after `stopMs`, which frees the
 * ENI's address, host ports and instance resources. Each change bumps `version` and sends an
 * "ECS Task State Change" event (the shape ECS sends: attachment type `eni`, ISO times) to
 * `events` (e.g. the EventBridge model) and to `subscribe`d listeners; `duplicateEventProbability`
 * and `republish` send events again, to test consumers that must tolerate repeats and
 * reordering.
 *
 * DescribeTasks answers `MISSING` for a task for `describeLagMs` after RunTask (ECS is
 * eventually consistent); ListTasks does not list it yet either. Stopped tasks stay visible for
 * `stoppedTaskRetentionMs`.
 *
 * Errors carry the SDK's class names: InvalidParameterException (also for malformed input),
 * ClientException, ClusterNotFoundException, ThrottlingException (HTTP 400, as ECS answers).
 *
 * Simplifications: no services, task sets, placement constraints/strategies (placement takes
 * the first instance that fits, in registration order), Fargate CPU/memory combination table,
 * IPv6, EXTERNAL or MANAGED_INSTANCES launch types, or INACTIVE task definitions.
 */

/** A fixed duration in ms, or a range drawn uniformly (both ends included) per task. */
export type DurationOption = number | { readonly min: number; readonly max: number };

export interface EcsThrottlingOptions {
  /** RunTask and StopTask; `false` turns it off. @default { burst: 100, ratePerSecond: 40 } */
  readonly tasks?: QuotaOptions | false;
  /** Describe* and List*; `false` turns it off. @default { burst: 50, ratePerSecond: 20 } */
  readonly reads?: QuotaOptions | false;
}

export interface EcsModelOptions extends CommonModelOptions {
  /** Receives every "ECS Task State Change" event (e.g. the EventBridge model). */
  readonly events?: EventPublisher;
  /** RunTask → RUNNING. @default { min: 15_000, max: 60_000 } */
  readonly startMs?: DurationOption;
  /** awsvpc tasks: RunTask → PENDING (ENI provisioning), capped at the start time. @default 2_000 */
  readonly provisioningMs?: DurationOption;
  /** Stop requested → STOPPED. @default 5_000 */
  readonly stopMs?: DurationOption;
  /** How long a new task is `MISSING` to DescribeTasks and absent from ListTasks. @default 0 */
  readonly describeLagMs?: number;
  /** How long a STOPPED task stays describable and listable. @default 3_600_000 (1 hour) */
  readonly stoppedTaskRetentionMs?: number;
  /** Chance that a state change event is sent twice, in [0, 1]. @default 0 */
  readonly duplicateEventProbability?: number;
  /** Server-side quotas. */
  readonly throttling?: EcsThrottlingOptions;
  /** @default 'ecs' */
  readonly name?: string;
}

export interface AddClusterOptions {
  /** 1–255 letters, digits, hyphens and underscores; unique in the model. */
  readonly name: string;
  /**
   * Capacity providers associated with the cluster: `FARGATE` and `FARGATE_SPOT` run on
   * Fargate, any other name is an EC2 (Auto Scaling group) capacity provider.
   * @default - none
   */
  readonly capacityProviders?: readonly string[];
  /** Used by RunTask calls that give neither launch type nor strategy. @default - none (EC2) */
  readonly defaultCapacityProviderStrategy?: readonly {
    capacityProvider: string;
    weight?: number;
    base?: number;
  }[];
}

export interface AddSubnetOptions {
  /** `subnet-` and hex digits. */
  readonly subnetId: string;
  /** IPv4 block, /16–/28. */
  readonly cidr: string;
  /** @default - the region + 'a' */
  readonly availabilityZone?: string;
}

export interface AddContainerInstanceOptions {
  /** Cluster name or ARN. */
  readonly cluster: string;
  /** CPU units. @default 2048 */
  readonly cpu?: number;
  /** MiB. @default 4096 */
  readonly memory?: number;
  /** @default - a deterministic `i-` id */
  readonly ec2InstanceId?: string;
  /** @default - the region + 'a' */
  readonly availabilityZone?: string;
  /** ENIs awsvpc tasks may attach (the primary ENI excluded). @default 2 */
  readonly maxTaskEnis?: number;
  /** The EC2 capacity provider the instance belongs to. @default - none */
  readonly capacityProviderName?: string;
}

export interface AddedContainerInstance {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string;
}

/** Placement failure reasons ECS answers in RunTask's `failures[]`. */
export type PlacementFailureReason =
  | 'RESOURCE:CPU'
  | 'RESOURCE:MEMORY'
  | 'RESOURCE:PORTS'
  | 'RESOURCE:ENI'
  | 'RESOURCE:GPU'
  | 'AGENT'
  | 'ATTRIBUTE'
  | 'MISSING'
  | (string & {});

export interface FailTaskStartOptions {
  /** @default 'CannotPullContainerError: pull image manifest has been retried 5 time(s)' */
  readonly reason?: string;
}

export interface CrashTaskOptions {
  /** Exit code of the essential container. @default 1 */
  readonly exitCode?: number;
  /** @default 'Essential container in task exited' */
  readonly reason?: string;
}

/** One RunTask call that reached the model. */
export interface RunTaskRecord {
  readonly time: number;
  readonly input: RunTaskCommandInput;
  readonly taskArns: readonly string[];
  readonly failures: readonly Failure[];
  /** True when a known `clientToken` answered the earlier result (nothing was started). */
  readonly replayed: boolean;
}

interface ClusterState {
  readonly arn: string;
  readonly name: string;
  readonly capacityProviders: readonly string[];
  readonly defaultStrategy: readonly { capacityProvider: string; weight?: number; base?: number }[];
}

interface SubnetState {
  readonly subnetId: string;
  readonly cidr: Cidr;
  readonly availabilityZone: string;
  readonly used: Set<string>;
}

interface InstanceState {
  readonly arn: string;
  readonly clusterArn: string;
  readonly ec2InstanceId: string;
  readonly cpu: number;
  readonly memory: number;
  readonly availabilityZone: string;
  readonly maxTaskEnis: number;
  readonly capacityProviderName: string | undefined;
  readonly registeredAt: number;
  agentConnected: boolean;
}

interface TaskState {
  readonly record: TaskRecord;
  readonly visibleAt: number;
  readonly reservation: { cpu: number; memory: number };
  readonly events: EcsTaskStateChangeEvent[];
  cancelTimers: (() => void)[];
  /** Resources are held until STOPPED. */
  released: boolean;
}

interface Placement {
  readonly instance: InstanceState | undefined;
  readonly subnet: SubnetState | undefined;
  readonly bindings: HostBinding[];
}

const DEFAULT_TASKS_QUOTA: QuotaOptions = { burst: 100, ratePerSecond: 40 };
const DEFAULT_READS_QUOTA: QuotaOptions = { burst: 50, ratePerSecond: 20 };
/** ECS answers throttling with HTTP 400 `ThrottlingException`. */
const ECS_THROTTLE: ThrottleOptions = {
  name: 'ThrottlingException',
  httpStatusCode: 400,
  message: 'Rate exceeded',
  retryAfter: 'none',
  retryAfterMember: 'none',
};
const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const FARGATE_PROVIDERS: readonly string[] = ['FARGATE', 'FARGATE_SPOT'];
const ACTIVE_STATUSES = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING']);

function checkDuration(
  owner: string,
  value: DurationOption | undefined,
  fallback: DurationOption,
): DurationOption {
  const duration = value ?? fallback;
  const ok = (n: number) => Number.isInteger(n) && n >= 0;
  if (
    typeof duration === 'number'
      ? !ok(duration)
      : !(ok(duration.min) && ok(duration.max) && duration.min <= duration.max)
  ) {
    throw new SimulationConfigError(
      `EcsModel ${owner} must be a non-negative integer of ms or { min, max } with min <= max, got ${JSON.stringify(duration)}.`,
    );
  }
  return duration;
}

function checkNonNegative(owner: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < 0) {
    throw new SimulationConfigError(
      `EcsModel ${owner} must be a non-negative integer, got ${String(value)}.`,
    );
  }
  return result;
}

export class EcsModel extends ThrottledServiceModel {
  protected readonly api: ThrottlingApiModel;
  private readonly publisher: EventPublisher | undefined;
  private readonly lifecycleRandom: RandomSource;
  private readonly startMs: DurationOption;
  private readonly provisioningMs: DurationOption;
  private readonly stopMs: DurationOption;
  private readonly describeLagMs: number;
  private readonly retentionMs: number;
  private readonly duplicateProbability: number;
  private readonly clusters = new Map<string, ClusterState>();
  private readonly subnets = new Map<string, SubnetState>();
  private readonly definitions = new Map<string, TaskDefinitionRecord>();
  private readonly instances = new Map<string, InstanceState>();
  private readonly tasks = new Map<string, TaskState>();
  private readonly tokens = new Map<string, { taskArns: string[]; failures: Failure[] }>();
  private readonly runLog: RunTaskRecord[] = [];
  private readonly listeners = new Set<(event: EcsTaskStateChangeEvent) => void>();
  private readonly scriptedPlacementFailures: { reason: string; detail?: string }[] = [];
  private readonly scriptedStartFailures: string[] = [];
  private sequence = 0;
  private eventCount = 0;

  /** Builds the model; checks every option and throws `SimulationConfigError` on a bad one. */
  constructor(options: EcsModelOptions) {
    super('EcsModel', 'ecs', options);
    this.publisher = options.events;
    this.startMs = checkDuration('startMs', options.startMs, { min: 15_000, max: 60_000 });
    this.provisioningMs = checkDuration('provisioningMs', options.provisioningMs, 2_000);
    this.stopMs = checkDuration('stopMs', options.stopMs, 5_000);
    this.describeLagMs = checkNonNegative('describeLagMs', options.describeLagMs, 0);
    this.retentionMs = checkNonNegative(
      'stoppedTaskRetentionMs',
      options.stoppedTaskRetentionMs,
      3_600_000,
    );
    this.duplicateProbability = options.duplicateEventProbability ?? 0;
    if (!(this.duplicateProbability >= 0 && this.duplicateProbability <= 1)) {
      throw new SimulationConfigError(
        `EcsModel duplicateEventProbability must be in [0, 1], got ${String(options.duplicateEventProbability)}.`,
      );
    }
    const random: Seed | RandomSource = options.random ?? this.name;
    // Its own stream, so lifecycle draws do not shift the fault injection's numbers.
    this.lifecycleRandom =
      typeof random === 'function' ? random : randomSourceOf(deriveSeed(random, 'ecs-lifecycle'));
    const sharedQuotas: Record<string, QuotaOptions> = {};
    const tasksQuota = options.throttling?.tasks ?? DEFAULT_TASKS_QUOTA;
    const readsQuota = options.throttling?.reads ?? DEFAULT_READS_QUOTA;
    if (tasksQuota !== false) sharedQuotas.tasks = tasksQuota;
    if (readsQuota !== false) sharedQuotas.reads = readsQuota;
    this.api = this.front(this.operationTable(), options, {
      throttle: ECS_THROTTLE,
      sharedQuotas,
      quotaOf: (operation) => {
        const group = /^(Describe|List)/.test(operation)
          ? 'reads'
          : operation === 'RunTask' || operation === 'StopTask'
            ? 'tasks'
            : undefined;
        return group !== undefined && group in sharedQuotas ? group : undefined;
      },
    });
  }

  // ---- setup helpers (not API) ----

  /** Creates a cluster; returns its ARN. */
  addCluster(options: AddClusterOptions): string {
    if (!NAME.test(options.name)) {
      throw new SimulationConfigError(
        `addCluster: name must be 1–255 letters, digits, hyphens or underscores, got '${options.name}'.`,
      );
    }
    const arn = this.arn(`cluster/${options.name}`);
    if (this.clusters.has(arn)) {
      throw new SimulationConfigError(
        `addCluster: a cluster named '${options.name}' already exists.`,
      );
    }
    const providers = [...(options.capacityProviders ?? [])];
    const strategy = structuredClone([...(options.defaultCapacityProviderStrategy ?? [])]);
    for (const item of strategy) {
      if (!providers.includes(item.capacityProvider)) {
        throw new SimulationConfigError(
          `addCluster: default strategy names '${item.capacityProvider}', which is not in capacityProviders.`,
        );
      }
    }
    this.clusters.set(arn, {
      arn,
      name: options.name,
      capacityProviders: providers,
      defaultStrategy: strategy,
    });
    return arn;
  }

  /** Declares a VPC subnet that awsvpc tasks may get addresses in. */
  addSubnet(options: AddSubnetOptions): void {
    if (!/^subnet-[0-9a-f]{1,17}$/.test(options.subnetId)) {
      throw new SimulationConfigError(
        `addSubnet: subnetId must look like 'subnet-0abc', got '${options.subnetId}'.`,
      );
    }
    if (this.subnets.has(options.subnetId)) {
      throw new SimulationConfigError(`addSubnet: subnet '${options.subnetId}' already exists.`);
    }
    this.subnets.set(options.subnetId, {
      subnetId: options.subnetId,
      cidr: parseCidr('addSubnet', options.cidr),
      availabilityZone: options.availabilityZone ?? `${this.region}a`,
      used: new Set(),
    });
  }

  /** Registers a task definition as the API would (same checks); returns its ARN. */
  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): string {
    try {
      return this.register(input).arn;
    } catch (error) {
      throw new SimulationConfigError(`registerTaskDefinition: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** Registers an EC2 container instance in a cluster. */
  addContainerInstance(options: AddContainerInstanceOptions): AddedContainerInstance {
    const cluster = this.clusterByRef(options.cluster);
    if (cluster === undefined) {
      throw new SimulationConfigError(
        `addContainerInstance: no cluster '${options.cluster}'; create it with addCluster.`,
      );
    }
    const cpu = options.cpu ?? 2048;
    const memory = options.memory ?? 4096;
    const maxTaskEnis = options.maxTaskEnis ?? 2;
    for (const [what, value] of [
      ['cpu', cpu],
      ['memory', memory],
      ['maxTaskEnis', maxTaskEnis],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) {
        throw new SimulationConfigError(
          `addContainerInstance: ${what} must be a non-negative integer, got ${value}.`,
        );
      }
    }
    const id = this.nextId();
    const ec2InstanceId = options.ec2InstanceId ?? `i-${id.slice(-17)}`;
    if (!/^i-[0-9a-f]{8,17}$/.test(ec2InstanceId)) {
      throw new SimulationConfigError(
        `addContainerInstance: ec2InstanceId must look like 'i-0abc12345', got '${ec2InstanceId}'.`,
      );
    }
    if (
      options.capacityProviderName !== undefined &&
      !cluster.capacityProviders.includes(options.capacityProviderName)
    ) {
      throw new SimulationConfigError(
        `addContainerInstance: capacity provider '${options.capacityProviderName}' is not associated with cluster '${cluster.name}'.`,
      );
    }
    const arn = this.arn(`container-instance/${cluster.name}/${id}`);
    this.instances.set(arn, {
      arn,
      clusterArn: cluster.arn,
      ec2InstanceId,
      cpu,
      memory,
      availabilityZone: options.availabilityZone ?? `${this.region}a`,
      maxTaskEnis,
      capacityProviderName: options.capacityProviderName,
      registeredAt: this.clock.now(),
      agentConnected: true,
    });
    return { containerInstanceArn: arn, ec2InstanceId };
  }

  /** Connects or disconnects an instance's ECS agent; a disconnected one fails placement with `AGENT`. */
  setAgentConnected(containerInstanceArn: string, connected: boolean): void {
    this.knownInstance(containerInstanceArn).agentConnected = connected;
  }

  /**
   * The next `count` tasks RunTask tries to place fail with `reason` (each task of a call with
   * `count` > 1 takes one), as ECS answers when it cannot place: HTTP 200, a `failures[]` entry.
   */
  failNextPlacements(count: number, reason: PlacementFailureReason, detail?: string): void {
    if (!Number.isInteger(count) || count < 1) {
      throw new SimulationConfigError(
        `failNextPlacements: count must be a positive integer, got ${count}.`,
      );
    }
    for (let i = 0; i < count; i++) {
      this.scriptedPlacementFailures.push(detail === undefined ? { reason } : { reason, detail });
    }
  }

  /**
   * The next `count` tasks RunTask places stop before RUNNING (stopCode `TaskFailedToStart`),
   * e.g. because the image cannot be pulled.
   */
  failNextTaskStarts(count: number, options: FailTaskStartOptions = {}): void {
    if (!Number.isInteger(count) || count < 1) {
      throw new SimulationConfigError(
        `failNextTaskStarts: count must be a positive integer, got ${count}.`,
      );
    }
    const reason =
      options.reason ?? 'CannotPullContainerError: pull image manifest has been retried 5 time(s)';
    for (let i = 0; i < count; i++) this.scriptedStartFailures.push(reason);
  }

  /**
   * Makes a task's essential container exit now (stopCode `EssentialContainerExited`); the task
   * stops after `stopMs`. A task that is already stopping or stopped is left alone.
   */
  crashTask(taskArn: string, options: CrashTaskOptions = {}): void {
    const task = this.knownTask(taskArn);
    if (task.record.desiredStatus === 'STOPPED') return;
    const exitCode = options.exitCode ?? 1;
    const essential = task.record.containers[0];
    essential.lastStatus = 'STOPPED';
    essential.exitCode = exitCode;
    essential.reason = options.reason;
    this.beginStop(
      task,
      'EssentialContainerExited',
      options.reason ?? 'Essential container in task exited',
    );
  }

  // ---- events (not API) ----

  /** Calls `listener` with every task state change event; returns the unsubscribe function. */
  subscribe(listener: (event: EcsTaskStateChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sends a task's earlier state change event again, unchanged (same id and detail `version`):
   * the one with `version`, else the latest. Use it to deliver a stale RUNNING after STOPPED.
   */
  republish(taskArn: string, version?: number): EcsTaskStateChangeEvent {
    const task = this.knownTask(taskArn);
    const event =
      version === undefined
        ? task.events.at(-1)
        : task.events.find((candidate) => candidate.detail.version === version);
    if (event === undefined) {
      throw new SimulationConfigError(
        `republish: task '${taskArn}' has no event with version ${String(version)}.`,
      );
    }
    this.send(structuredClone(event));
    return structuredClone(event);
  }

  /** Every state change event sent for a task, oldest first (repeats not included). */
  eventsOf(taskArn: string): EcsTaskStateChangeEvent[] {
    return structuredClone(this.knownTask(taskArn).events);
  }

  // ---- reading state (not API) ----

  /** A task as DescribeTasks answers it (with tags), whether or not DescribeTasks sees it yet. */
  task(taskArn: string): Task {
    return taskOutput(this.knownTask(taskArn).record, true);
  }

  /** ARNs of every task the model ever started, oldest first. */
  taskArns(): string[] {
    return [...this.tasks.keys()];
  }

  /** Every RunTask call that reached the model, oldest first. */
  runTaskCalls(): RunTaskRecord[] {
    return structuredClone(this.runLog);
  }

  /** Resources left on a container instance: CPU units, MiB, host ports in use, free task ENIs. */
  remainingResources(containerInstanceArn: string): {
    cpu: number;
    memory: number;
    ports: number[];
    enis: number;
  } {
    const instance = this.knownInstance(containerInstanceArn);
    const used = this.usage(instance);
    return {
      cpu: instance.cpu - used.cpu,
      memory: instance.memory - used.memory,
      ports: [...used.ports].sort((a, b) => a - b),
      enis: instance.maxTaskEnis - used.enis,
    };
  }

  // ---- operations ----

  private operationTable(): OperationTable {
    return new OperationTable(this.name)
      .on<RegisterTaskDefinitionCommandInput, RegisterTaskDefinitionCommandOutput>(
        'RegisterTaskDefinition',
        (raw) => {
          const record = this.register(raw);
          return {
            taskDefinition: taskDefinitionOutput(record),
            tags: structuredClone(record.tags),
          };
        },
      )
      .on<DescribeTaskDefinitionCommandInput, DescribeTaskDefinitionCommandOutput>(
        'DescribeTaskDefinition',
        (raw) => {
          const input = validateInput(describeTaskDefinitionInput, raw, ecsValidation);
          const record = this.definitionByRef(input.taskDefinition);
          if (record === undefined) throw clientException('Unable to describe task definition.');
          return {
            taskDefinition: taskDefinitionOutput(record),
            ...(input.include?.includes('TAGS') === true
              ? { tags: structuredClone(record.tags) }
              : {}),
          };
        },
      )
      .on<RunTaskCommandInput, RunTaskCommandOutput>('RunTask', (raw) => this.runTask(raw))
      .on<DescribeTasksCommandInput, DescribeTasksCommandOutput>('DescribeTasks', (raw) =>
        this.describeTasks(raw),
      )
      .on<StopTaskCommandInput, StopTaskCommandOutput>('StopTask', (raw) => this.stopTask(raw))
      .on<ListTasksCommandInput, ListTasksCommandOutput>('ListTasks', (raw) => this.listTasks(raw))
      .on<DescribeContainerInstancesCommandInput, DescribeContainerInstancesCommandOutput>(
        'DescribeContainerInstances',
        (raw) => this.describeContainerInstances(raw),
      )
      .on<DescribeClustersCommandInput, DescribeClustersCommandOutput>('DescribeClusters', (raw) =>
        this.describeClusters(raw),
      );
  }

  private register(raw: RegisterTaskDefinitionCommandInput): TaskDefinitionRecord {
    const family = raw.family ?? '';
    const revision = [...this.definitions.values()].filter((d) => d.family === family).length + 1;
    const record = checkTaskDefinition(raw, {
      arn: this.arn(`task-definition/${family}:${revision}`),
      revision,
      registeredAt: this.clock.now(),
    });
    this.definitions.set(record.arn, record);
    return record;
  }

  private runTask(raw: RunTaskCommandInput): ModelResult<RunTaskCommandOutput> {
    const input = validateInput(runTaskInput, raw, ecsValidation);
    const cluster = this.requiredCluster(input.cluster);
    const tokenKey =
      input.clientToken === undefined ? undefined : `${cluster.arn}|${input.clientToken}`;
    const known = tokenKey === undefined ? undefined : this.tokens.get(tokenKey);
    if (known !== undefined) {
      this.runLog.push({
        time: this.clock.now(),
        input: structuredClone(raw),
        ...structuredClone(known),
        replayed: true,
      });
      return {
        tasks: known.taskArns.map((arn) => taskOutput(this.knownTask(arn).record, false)),
        failures: structuredClone(known.failures),
      };
    }
    const definition = this.definitionByRef(input.taskDefinition);
    if (definition === undefined) throw invalidParameter('TaskDefinition not found.');
    const launch = this.launchOf(cluster, input);
    if (launch.launchType === 'FARGATE' && !definition.compatibilities.includes('FARGATE')) {
      throw invalidParameter('Task definition does not support launch_type FARGATE.');
    }
    const subnets = this.networkOf(definition, input, launch.launchType);
    this.checkOverridesAndTags(definition, input);
    const candidates =
      launch.launchType === 'EC2'
        ? [...this.instances.values()].filter(
            (i) =>
              i.clusterArn === cluster.arn &&
              (launch.capacityProviderName === undefined ||
                i.capacityProviderName === launch.capacityProviderName),
          )
        : [];
    if (launch.launchType === 'EC2' && candidates.length === 0) {
      throw invalidParameter('No Container Instances were found in your cluster.');
    }
    const reservation = reservationOf(definition, input.overrides ?? {});
    const tasks: Task[] = [];
    const failures: Failure[] = [];
    for (let i = 0; i < (input.count ?? 1); i++) {
      const scripted = this.scriptedPlacementFailures.shift();
      const placed =
        scripted ?? this.place(definition, launch.launchType, candidates, subnets, reservation);
      if ('reason' in placed) {
        failures.push({ ...placed });
        continue;
      }
      const task = this.createTask(cluster, definition, input, launch, placed, reservation);
      tasks.push(taskOutput(task.record, false));
    }
    const result = { taskArns: tasks.map((t) => t.taskArn ?? ''), failures };
    if (tokenKey !== undefined) this.tokens.set(tokenKey, structuredClone(result));
    this.runLog.push({
      time: this.clock.now(),
      input: structuredClone(raw),
      ...structuredClone(result),
      replayed: false,
    });
    return { tasks, failures };
  }

  private launchOf(
    cluster: ClusterState,
    input: RunTaskInput,
  ): { launchType: 'EC2' | 'FARGATE'; capacityProviderName: string | undefined } {
    if (input.launchType !== undefined && input.capacityProviderStrategy !== undefined) {
      throw invalidParameter(
        'Specifying both a launch type and capacity provider strategy is not supported.',
      );
    }
    if (input.launchType !== undefined) {
      if (input.launchType !== 'EC2' && input.launchType !== 'FARGATE') {
        throw invalidParameter(
          `Launch type ${input.launchType} is not simulated; use EC2 or FARGATE.`,
        );
      }
      return { launchType: input.launchType, capacityProviderName: undefined };
    }
    const strategy = input.capacityProviderStrategy ?? cluster.defaultStrategy;
    if (strategy.length === 0) return { launchType: 'EC2', capacityProviderName: undefined };
    for (const item of strategy) {
      if (!cluster.capacityProviders.includes(item.capacityProvider)) {
        throw invalidParameter(
          `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again. (${item.capacityProvider})`,
        );
      }
    }
    const fargate = strategy.filter((item) => FARGATE_PROVIDERS.includes(item.capacityProvider));
    if (fargate.length > 0 && fargate.length < strategy.length) {
      throw invalidParameter(
        'A capacity provider strategy cannot mix Fargate and Auto Scaling group capacity providers.',
      );
    }
    if (!strategy.some((item) => (item.weight ?? 0) > 0)) {
      throw invalidParameter(
        'At least one capacity provider in a strategy must have a weight greater than zero.',
      );
    }
    // The provider with a base, else the heaviest one, takes the (at most ten) tasks.
    const chosen =
      strategy.find((item) => (item.base ?? 0) > 0) ??
      [...strategy].sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0))[0];
    return {
      launchType: fargate.length > 0 ? 'FARGATE' : 'EC2',
      capacityProviderName: chosen.capacityProvider,
    };
  }

  private networkOf(
    definition: TaskDefinitionRecord,
    input: RunTaskInput,
    launchType: 'EC2' | 'FARGATE',
  ): SubnetState[] {
    const config = input.networkConfiguration?.awsvpcConfiguration;
    if (definition.networkMode !== 'awsvpc') {
      if (config !== undefined) {
        throw invalidParameter(
          'Network Configuration is not valid for the given networkMode of this task definition.',
        );
      }
      return [];
    }
    if (config === undefined) {
      throw invalidParameter(
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
      );
    }
    const missing = config.subnets.filter((id) => !this.subnets.has(id));
    if (missing.length > 0) {
      throw invalidParameter(
        `Error retrieving subnet information for [${missing.join(', ')}]: The subnet ID '${missing[0]}' does not exist (Service: AmazonEC2; Status Code: 400; Error Code: InvalidSubnetID.NotFound).`,
      );
    }
    const badGroup = (config.securityGroups ?? []).find((id) => !/^sg-[0-9a-f]{1,17}$/.test(id));
    if (badGroup !== undefined) {
      throw invalidParameter(
        `Error retrieving security group information for [${badGroup}]: The security group '${badGroup}' does not exist.`,
      );
    }
    if (config.assignPublicIp === 'ENABLED' && launchType !== 'FARGATE') {
      throw invalidParameter('Assign public IP is not supported for this launch type.');
    }
    return config.subnets.map((id) => this.subnets.get(id) as SubnetState);
  }

  private checkOverridesAndTags(definition: TaskDefinitionRecord, input: RunTaskInput): void {
    const names = new Set(definition.containers.map((c) => c.name));
    for (const override of input.overrides?.containerOverrides ?? []) {
      if (!names.has(override.name)) {
        throw invalidParameter(
          `Override for container named ${override.name} is not a container in the TaskDefinition.`,
        );
      }
    }
    const reserved = (input.tags ?? []).find((tag) => tag.key.toLowerCase().startsWith('aws:'));
    if (reserved !== undefined) {
      throw invalidParameter(
        `Tag keys may not start with the reserved prefix 'aws:' (got '${reserved.key}').`,
      );
    }
  }

  /** Finds room for one task, or says why there is none (ECS's failure reasons). */
  private place(
    definition: TaskDefinitionRecord,
    launchType: 'EC2' | 'FARGATE',
    candidates: readonly InstanceState[],
    subnets: readonly SubnetState[],
    reservation: { cpu: number; memory: number },
  ): Placement | { reason: string; arn?: string; detail?: string } {
    const awsvpc = definition.networkMode === 'awsvpc';
    if (launchType === 'FARGATE') {
      const subnet = this.subnetWithRoom(subnets, undefined);
      return subnet === undefined
        ? { reason: 'RESOURCE:ENI', detail: 'No free address in the given subnets.' }
        : { instance: undefined, subnet, bindings: [] };
    }
    let firstFailure: { reason: string; arn: string } | undefined;
    for (const instance of candidates) {
      const reason = this.misfit(instance, definition, reservation, awsvpc, subnets);
      if (typeof reason === 'string') {
        firstFailure ??= { reason, arn: instance.arn };
        continue;
      }
      return reason;
    }
    return firstFailure as { reason: string; arn: string };
  }

  private misfit(
    instance: InstanceState,
    definition: TaskDefinitionRecord,
    reservation: { cpu: number; memory: number },
    awsvpc: boolean,
    subnets: readonly SubnetState[],
  ): string | Placement {
    if (!instance.agentConnected) return 'AGENT';
    const used = this.usage(instance);
    if (used.cpu + reservation.cpu > instance.cpu) return 'RESOURCE:CPU';
    if (used.memory + reservation.memory > instance.memory) return 'RESOURCE:MEMORY';
    if (awsvpc) {
      const subnet = this.subnetWithRoom(subnets, instance.availabilityZone);
      if (used.enis >= instance.maxTaskEnis || subnet === undefined) return 'RESOURCE:ENI';
      return { instance, subnet, bindings: [] };
    }
    const mappings = portMappingsOf(definition);
    const mode = definition.networkMode === 'host' ? 'host' : 'bridge';
    const bindings =
      definition.networkMode === 'none' ? [] : assignHostPorts(mode, mappings, used.ports);
    if (bindings === undefined) return 'RESOURCE:PORTS';
    return { instance, subnet: undefined, bindings };
  }

  /** A subnet with a free address, preferring `zone`; drawn with the seeded random. */
  private subnetWithRoom(
    subnets: readonly SubnetState[],
    zone: string | undefined,
  ): SubnetState | undefined {
    const withRoom = subnets.filter((s) => nextFreeAddress(s.cidr, s.used) !== undefined);
    const inZone = withRoom.filter((s) => s.availabilityZone === zone);
    const pool = inZone.length > 0 ? inZone : withRoom;
    return pool.length === 0 ? undefined : pick(this.lifecycleRandom, pool);
  }

  private usage(instance: InstanceState): {
    cpu: number;
    memory: number;
    ports: Set<number>;
    enis: number;
  } {
    const used = { cpu: 0, memory: 0, ports: new Set<number>(), enis: 0 };
    for (const task of this.tasks.values()) {
      if (task.released || task.record.containerInstanceArn !== instance.arn) continue;
      used.cpu += task.reservation.cpu;
      used.memory += task.reservation.memory;
      for (const binding of task.record.bindings) used.ports.add(binding.hostPort);
      if (task.record.eni !== undefined) used.enis++;
    }
    return used;
  }

  private createTask(
    cluster: ClusterState,
    definition: TaskDefinitionRecord,
    input: RunTaskInput,
    launch: { launchType: 'EC2' | 'FARGATE'; capacityProviderName: string | undefined },
    placement: Placement,
    reservation: { cpu: number; memory: number },
  ): TaskState {
    const now = this.clock.now();
    const id = this.nextId().padStart(32, '0');
    const taskArn = this.arn(`task/${cluster.name}/${id}`);
    const eni = placement.subnet === undefined ? undefined : this.createEni(placement.subnet);
    const availabilityZone =
      placement.subnet?.availabilityZone ??
      placement.instance?.availabilityZone ??
      `${this.region}a`;
    const record: TaskRecord = {
      taskArn,
      clusterArn: cluster.arn,
      taskDefinitionArn: definition.arn,
      family: definition.family,
      networkMode: definition.networkMode,
      launchType: launch.launchType,
      capacityProviderName: launch.capacityProviderName,
      platformVersion: launch.launchType === 'FARGATE' ? '1.4.0' : undefined,
      startedBy: input.startedBy,
      group: input.group ?? `family:${definition.family}`,
      cpu: String(reservation.cpu),
      memory: String(reservation.memory),
      availabilityZone,
      containerInstanceArn: placement.instance?.arn,
      eni,
      bindings: placement.bindings,
      containers: definition.containers.map((container) => {
        const override = input.overrides?.containerOverrides?.find(
          (o) => o.name === container.name,
        );
        return {
          name: container.name ?? '',
          image: container.image ?? '',
          containerArn: this.arn(
            `container/${cluster.name}/${id}/${sequentialUuid('e200', ++this.sequence)}`,
          ),
          runtimeId: `${id}-${this.sequence}`,
          cpu: override?.cpu ?? container.cpu ?? 0,
          memory: override?.memory ?? container.memory,
          lastStatus: 'PENDING' as const,
          exitCode: undefined,
          reason: undefined,
        };
      }),
      overrides: structuredClone({
        containerOverrides: input.overrides?.containerOverrides ?? [],
        ...(input.overrides?.cpu === undefined ? {} : { cpu: input.overrides.cpu }),
        ...(input.overrides?.memory === undefined ? {} : { memory: input.overrides.memory }),
        ...(input.overrides?.taskRoleArn === undefined
          ? {}
          : { taskRoleArn: input.overrides.taskRoleArn }),
        ...(input.overrides?.executionRoleArn === undefined
          ? {}
          : { executionRoleArn: input.overrides.executionRoleArn }),
      }),
      tags: structuredClone(input.tags ?? []),
      createdAt: now,
      lastStatus: eni === undefined ? 'PENDING' : 'PROVISIONING',
      desiredStatus: 'RUNNING',
      version: 1,
      updatedAt: now,
      connectivityAt: eni === undefined ? now : undefined,
      pullStartedAt: undefined,
      pullStoppedAt: undefined,
      startedAt: undefined,
      stoppingAt: undefined,
      stoppedAt: undefined,
      stopCode: undefined,
      stoppedReason: undefined,
    };
    const task: TaskState = {
      record,
      visibleAt: now + this.describeLagMs,
      reservation,
      events: [],
      cancelTimers: [],
      released: false,
    };
    this.tasks.set(taskArn, task);
    this.announce(task);
    const startMs = this.draw(this.startMs);
    const failure = this.scriptedStartFailures.shift();
    if (eni !== undefined) {
      const provisioningMs = Math.min(this.draw(this.provisioningMs), startMs);
      task.cancelTimers.push(scheduleOn(this.clock, provisioningMs, () => this.toPending(task)));
    } else {
      record.pullStartedAt = now;
    }
    task.cancelTimers.push(
      scheduleOn(this.clock, startMs, () =>
        failure === undefined ? this.toRunning(task) : this.failStart(task, failure),
      ),
    );
    return task;
  }

  private createEni(subnet: SubnetState): EniRecord {
    const ip = nextFreeAddress(subnet.cidr, subnet.used) as string;
    subnet.used.add(ip);
    const n = ++this.sequence;
    const hex = n.toString(16).padStart(17, '0');
    return {
      attachmentId: sequentialUuid('e100', n),
      networkInterfaceId: `eni-${hex}`,
      macAddress: `0a:${hex.slice(-10).match(/../g)?.join(':') ?? ''}`,
      subnetId: subnet.subnetId,
      privateIPv4Address: ip,
      status: 'PRECREATED',
    };
  }

  private toPending(task: TaskState): void {
    const { record } = task;
    if (record.desiredStatus === 'STOPPED') return;
    if (record.eni !== undefined) record.eni.status = 'ATTACHED';
    record.lastStatus = 'PENDING';
    record.connectivityAt = this.clock.now();
    record.pullStartedAt = this.clock.now();
    this.changed(task);
  }

  private toRunning(task: TaskState): void {
    const { record } = task;
    if (record.desiredStatus === 'STOPPED') return;
    const now = this.clock.now();
    if (record.eni !== undefined) record.eni.status = 'ATTACHED';
    record.connectivityAt ??= now;
    record.pullStartedAt ??= now;
    record.pullStoppedAt = now;
    record.startedAt = now;
    record.lastStatus = 'RUNNING';
    for (const container of record.containers) container.lastStatus = 'RUNNING';
    this.changed(task);
  }

  private failStart(task: TaskState, reason: string): void {
    if (task.record.desiredStatus === 'STOPPED') return;
    for (const container of task.record.containers) container.reason = reason;
    this.beginStop(task, 'TaskFailedToStart', reason);
  }

  /** Stop requested: desiredStatus STOPPED now, lastStatus STOPPED after `stopMs`. */
  private beginStop(task: TaskState, code: TaskStopCode, reason: string): void {
    const { record } = task;
    for (const cancel of task.cancelTimers) cancel();
    task.cancelTimers = [];
    const now = this.clock.now();
    record.desiredStatus = 'STOPPED';
    record.stopCode = code;
    record.stoppedReason = reason;
    record.stoppingAt = now;
    record.lastStatus = record.eni?.status === 'ATTACHED' ? 'DEACTIVATING' : 'STOPPING';
    this.changed(task);
    task.cancelTimers.push(
      scheduleOn(this.clock, this.draw(this.stopMs), () => this.toStopped(task)),
    );
  }

  private toStopped(task: TaskState): void {
    const { record } = task;
    const now = this.clock.now();
    record.lastStatus = 'STOPPED';
    record.stoppedAt = now;
    for (const container of record.containers) {
      if (container.lastStatus === 'RUNNING')
        container.exitCode ??= record.stopCode === 'UserInitiated' ? 143 : 0;
      container.lastStatus = 'STOPPED';
    }
    if (record.eni !== undefined) {
      record.eni.status = 'DELETED';
      this.subnets.get(record.eni.subnetId)?.used.delete(record.eni.privateIPv4Address);
    }
    task.released = true;
    this.changed(task);
  }

  private changed(task: TaskState): void {
    task.record.version++;
    task.record.updatedAt = this.clock.now();
    this.announce(task);
  }

  private announce(task: TaskState): void {
    this.eventCount++;
    const event: EcsTaskStateChangeEvent = {
      version: '0',
      id: sequentialUuid('e000', this.eventCount),
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: this.accountId,
      time: eventTime(this.clock.now()),
      region: this.region,
      resources: [task.record.taskArn],
      detail: taskStateChangeDetail(task.record),
    };
    task.events.push(event);
    this.send(event);
    if (this.duplicateProbability > 0 && chance(this.lifecycleRandom, this.duplicateProbability)) {
      this.send(structuredClone(event));
    }
  }

  private send(event: EcsTaskStateChangeEvent): void {
    this.publisher?.publish(structuredClone(event));
    for (const listener of this.listeners) listener(structuredClone(event));
  }

  private describeTasks(raw: DescribeTasksCommandInput): ModelResult<DescribeTasksCommandOutput> {
    const input = validateInput(describeTasksInput, raw, ecsValidation);
    const cluster = this.requiredCluster(input.cluster);
    const withTags = input.include?.includes('TAGS') === true;
    const tasks: Task[] = [];
    const failures: Failure[] = [];
    for (const ref of input.tasks) {
      const task = this.visibleTask(cluster, ref);
      if (task === undefined)
        failures.push({ arn: this.taskArnOf(cluster, ref), reason: 'MISSING' });
      else tasks.push(taskOutput(task.record, withTags));
    }
    return { tasks, failures };
  }

  private stopTask(raw: StopTaskCommandInput): ModelResult<StopTaskCommandOutput> {
    const input = validateInput(stopTaskInput, raw, ecsValidation);
    const cluster = this.requiredCluster(input.cluster);
    const task = this.visibleTask(cluster, input.task);
    if (task === undefined) throw invalidParameter('The referenced task was not found.');
    if (task.record.desiredStatus !== 'STOPPED') {
      for (const container of task.record.containers) {
        if (container.lastStatus === 'PENDING') container.reason = 'Task stopped by user';
      }
      this.beginStop(task, 'UserInitiated', input.reason ?? 'Task stopped by user');
    }
    return { task: taskOutput(task.record, false) };
  }

  private listTasks(raw: ListTasksCommandInput): ModelResult<ListTasksCommandOutput> {
    const input = validateInput(listTasksInput, raw, ecsValidation);
    const cluster = this.requiredCluster(input.cluster);
    const desired = input.desiredStatus ?? 'RUNNING';
    const instanceArn =
      input.containerInstance === undefined
        ? undefined
        : this.instanceArnOf(cluster, input.containerInstance);
    const arns = [...this.tasks.values()]
      .filter((task) => this.isVisible(task) && task.record.clusterArn === cluster.arn)
      .filter(({ record }) => record.desiredStatus === desired)
      .filter(({ record }) => input.startedBy === undefined || record.startedBy === input.startedBy)
      .filter(({ record }) => input.family === undefined || record.family === input.family)
      .filter(
        ({ record }) => input.launchType === undefined || record.launchType === input.launchType,
      )
      .filter(
        ({ record }) => instanceArn === undefined || record.containerInstanceArn === instanceArn,
      )
      .filter(() => input.serviceName === undefined)
      .map(({ record }) => record.taskArn);
    const query = JSON.stringify([
      cluster.arn,
      desired,
      input.startedBy,
      input.family,
      input.launchType,
      instanceArn,
      input.serviceName,
    ]);
    const start = input.nextToken === undefined ? 0 : tokenOffset(input.nextToken, query);
    const end = start + (input.maxResults ?? MAX_LIST_RESULTS);
    return {
      taskArns: arns.slice(start, end),
      ...(end < arns.length
        ? { nextToken: Buffer.from(JSON.stringify({ q: query, o: end })).toString('base64url') }
        : {}),
    };
  }

  private describeContainerInstances(
    raw: DescribeContainerInstancesCommandInput,
  ): ModelResult<DescribeContainerInstancesCommandOutput> {
    const input = validateInput(describeContainerInstancesInput, raw, ecsValidation);
    const cluster = this.requiredCluster(input.cluster);
    const found: InstanceState[] = [];
    const failures: Failure[] = [];
    for (const ref of input.containerInstances) {
      const instance = this.instances.get(this.instanceArnOf(cluster, ref));
      if (instance === undefined) failures.push({ arn: ref, reason: 'MISSING' });
      else found.push(instance);
    }
    return {
      containerInstances: found.map((instance) => {
        const used = this.usage(instance);
        const resources = (cpu: number, memory: number, ports: number[]) => [
          { name: 'CPU', type: 'INTEGER', integerValue: cpu },
          { name: 'MEMORY', type: 'INTEGER', integerValue: memory },
          { name: 'PORTS', type: 'STRINGSET', stringSetValue: ports.map(String) },
        ];
        const tasks = [...this.tasks.values()].filter(
          (t) => !t.released && t.record.containerInstanceArn === instance.arn,
        );
        return {
          containerInstanceArn: instance.arn,
          ec2InstanceId: instance.ec2InstanceId,
          status: 'ACTIVE',
          agentConnected: instance.agentConnected,
          ...(instance.capacityProviderName === undefined
            ? {}
            : { capacityProviderName: instance.capacityProviderName }),
          registeredResources: resources(
            instance.cpu,
            instance.memory,
            [22, 2375, 2376, 51678, 51679],
          ),
          remainingResources: resources(instance.cpu - used.cpu, instance.memory - used.memory, [
            22,
            2375,
            2376,
            51678,
            51679,
            ...[...used.ports].sort((a, b) => a - b),
          ]),
          runningTasksCount: tasks.filter((t) => t.record.lastStatus === 'RUNNING').length,
          pendingTasksCount: tasks.filter((t) => t.record.lastStatus !== 'RUNNING').length,
          attributes: [{ name: 'ecs.availability-zone', value: instance.availabilityZone }],
          registeredAt: new Date(instance.registeredAt),
        };
      }),
      failures,
    };
  }

  private describeClusters(
    raw: DescribeClustersCommandInput,
  ): ModelResult<DescribeClustersCommandOutput> {
    const input = validateInput(describeClustersInput, raw, ecsValidation);
    const refs = input.clusters ?? ['default'];
    const failures: Failure[] = [];
    const clusters = refs.flatMap((ref) => {
      const cluster = this.clusterByRef(ref);
      if (cluster === undefined) {
        failures.push({
          arn: ref.startsWith('arn:') ? ref : this.arn(`cluster/${ref}`),
          reason: 'MISSING',
        });
        return [];
      }
      const tasks = [...this.tasks.values()].filter(
        (t) => t.record.clusterArn === cluster.arn && !t.released,
      );
      return [
        {
          clusterArn: cluster.arn,
          clusterName: cluster.name,
          status: 'ACTIVE',
          registeredContainerInstancesCount: [...this.instances.values()].filter(
            (i) => i.clusterArn === cluster.arn,
          ).length,
          runningTasksCount: tasks.filter((t) => t.record.lastStatus === 'RUNNING').length,
          pendingTasksCount: tasks.filter(
            (t) => ACTIVE_STATUSES.has(t.record.lastStatus) && t.record.lastStatus !== 'RUNNING',
          ).length,
          activeServicesCount: 0,
          capacityProviders: [...cluster.capacityProviders],
          defaultCapacityProviderStrategy: structuredClone([...cluster.defaultStrategy]),
        },
      ];
    });
    return { clusters, failures };
  }

  // ---- helpers ----

  private isVisible(task: TaskState): boolean {
    const now = this.clock.now();
    const stoppedAt = task.record.stoppedAt;
    return now >= task.visibleAt && (stoppedAt === undefined || now < stoppedAt + this.retentionMs);
  }

  private visibleTask(cluster: ClusterState, ref: string): TaskState | undefined {
    const task = this.tasks.get(this.taskArnOf(cluster, ref));
    // A task of another cluster is as unknown as no task.
    return task !== undefined && task.record.clusterArn === cluster.arn && this.isVisible(task)
      ? task
      : undefined;
  }

  private taskArnOf(cluster: ClusterState, ref: string): string {
    return ref.startsWith('arn:') ? ref : this.arn(`task/${cluster.name}/${ref}`);
  }

  private instanceArnOf(cluster: ClusterState, ref: string): string {
    return ref.startsWith('arn:') ? ref : this.arn(`container-instance/${cluster.name}/${ref}`);
  }

  private clusterByRef(ref: string): ClusterState | undefined {
    return this.clusters.get(ref.startsWith('arn:') ? ref : this.arn(`cluster/${ref}`));
  }

  private requiredCluster(ref: string | undefined): ClusterState {
    const cluster = this.clusterByRef(ref ?? 'default');
    if (cluster === undefined) {
      throw new SimulatedServiceError({
        name: 'ClusterNotFoundException',
        httpStatusCode: 400,
        message: 'Cluster not found.',
      });
    }
    return cluster;
  }

  /** `family`, `family:revision` or an ARN; a bare family means its latest revision. */
  private definitionByRef(ref: string): TaskDefinitionRecord | undefined {
    if (ref.startsWith('arn:')) return this.definitions.get(ref);
    if (ref.includes(':')) return this.definitions.get(this.arn(`task-definition/${ref}`));
    return [...this.definitions.values()].filter((d) => d.family === ref).at(-1);
  }

  private knownTask(taskArn: string): TaskState {
    const task = this.tasks.get(taskArn);
    if (task === undefined) throw new SimulationConfigError(`EcsModel has no task '${taskArn}'.`);
    return task;
  }

  private knownInstance(arn: string): InstanceState {
    const instance = this.instances.get(arn);
    if (instance === undefined)
      throw new SimulationConfigError(`EcsModel has no container instance '${arn}'.`);
    return instance;
  }

  private draw(duration: DurationOption): number {
    return typeof duration === 'number'
      ? duration
      : randomInt(this.lifecycleRandom, duration.min, duration.max);
  }

  private arn(resource: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:${resource}`;
  }

  /** Deterministic hex ids, in creation order. */
  private nextId(): string {
    this.sequence++;
    return this.sequence.toString(16).padStart(20, '0');
  }
}

function tokenOffset(token: string, query: string): number {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const { q, o } = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as {
    q?: unknown;
    o?: unknown;
  };
  if (q !== query || typeof o !== 'number' || !Number.isInteger(o) || o < 0) {
    throw invalidParameter(
      'Invalid nextToken: pass the nextToken of the previous page of the same query.',
    );
  }
  return o;
}
