/**
 * The ECS calls of the task starter, over a client built with `createResilientClient` (rate
 * limit, retry, metrics). Answers come back as the kit's own shapes (`TaskView`,
 * `TaskDefinitionView`), so the logic above never sees SDK types.
 */
import {
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  paginateListTasks,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import type { RunTaskFailure } from './errors.js';
import type { RunTaskInput } from './run-task.js';
import { networkModeOf, type ContainerDefinitionView, type NetworkMode } from './targets.js';
import { taskViewOf, type TaskView } from './task-view.js';

/** A task definition, reduced to what the kit reads. */
export interface TaskDefinitionView {
  readonly arn: string;
  readonly family: string;
  readonly networkMode: NetworkMode;
  readonly containers: readonly ContainerDefinitionView[];
}

export interface RunTaskResult {
  readonly tasks: readonly TaskView[];
  readonly failures: readonly RunTaskFailure[];
}

export interface DescribeTasksResult {
  readonly tasks: readonly TaskView[];
  /** ARNs ECS answered with a `MISSING` failure (unknown, or not yet visible). */
  readonly missing: readonly string[];
}

/** DescribeTasks and DescribeContainerInstances take at most 100 ARNs per call. */
const DESCRIBE_BATCH = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class EcsAdapter {
  /** Task definitions by ARN or `family:revision`: a revision never changes. */
  private readonly definitions = new Map<string, TaskDefinitionView>();

  constructor(private readonly client: ECSClient) {}

  async runTask(input: RunTaskInput): Promise<RunTaskResult> {
    const output = await this.client.send(
      new RunTaskCommand({
        ...input,
        capacityProviderStrategy: input.capacityProviderStrategy?.map((s) => ({ ...s })),
        tags: input.tags.map((t) => ({ ...t })),
      }),
    );
    return {
      tasks: (output.tasks ?? []).flatMap((task) => {
        const view = taskViewOf(task);
        return view ? [view] : [];
      }),
      failures: (output.failures ?? []).map((f) => ({
        reason: f.reason ?? 'UNKNOWN',
        ...(f.arn === undefined ? {} : { arn: f.arn }),
        ...(f.detail === undefined ? {} : { detail: f.detail }),
      })),
    };
  }

  /** The tasks with their tags; ARNs ECS does not know are listed in `missing`. */
  async describeTasks(cluster: string, taskArns: readonly string[]): Promise<DescribeTasksResult> {
    const tasks: TaskView[] = [];
    const missing: string[] = [];
    for (const batch of chunks(taskArns, DESCRIBE_BATCH)) {
      const output = await this.client.send(
        new DescribeTasksCommand({ cluster, tasks: batch, include: ['TAGS'] }),
      );
      for (const task of output.tasks ?? []) {
        const view = taskViewOf(task);
        if (view) tasks.push(view);
      }
      for (const failure of output.failures ?? []) {
        if (failure.arn !== undefined) missing.push(failure.arn);
      }
    }
    return { tasks, missing };
  }

  async describeTaskDefinition(taskDefinition: string): Promise<TaskDefinitionView> {
    const cached = this.definitions.get(taskDefinition);
    if (cached) return cached;
    const output = await this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
    const definition = output.taskDefinition;
    const view: TaskDefinitionView = {
      arn: definition?.taskDefinitionArn ?? taskDefinition,
      family: definition?.family ?? taskDefinition,
      networkMode: networkModeOf(definition?.networkMode),
      containers: (definition?.containerDefinitions ?? []).map((c) => ({
        name: c.name ?? '',
        portMappings: (c.portMappings ?? []).flatMap((m) =>
          m.containerPort === undefined
            ? []
            : [{ containerPort: m.containerPort, ...(m.protocol ? { protocol: m.protocol } : {}) }],
        ),
      })),
    };
    this.definitions.set(view.arn, view);
    // A bare family names the latest revision, which can change: cache only fixed revisions.
    if (taskDefinition.includes(':')) this.definitions.set(taskDefinition, view);
    return view;
  }

  /** EC2 instance ids of container instances, by container instance ARN. */
  async ec2InstanceIds(
    cluster: string,
    containerInstanceArns: readonly string[],
  ): Promise<ReadonlyMap<string, string>> {
    const ids = new Map<string, string>();
    const unique = [...new Set(containerInstanceArns)];
    for (const batch of chunks(unique, DESCRIBE_BATCH)) {
      const output = await this.client.send(
        new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }),
      );
      for (const instance of output.containerInstances ?? []) {
        if (instance.containerInstanceArn && instance.ec2InstanceId) {
          ids.set(instance.containerInstanceArn, instance.ec2InstanceId);
        }
      }
    }
    return ids;
  }

  /** ARNs of the tasks desired RUNNING that were started with `startedBy` (exact match). */
  async listTaskArns(cluster: string, startedBy: string): Promise<string[]> {
    const arns: string[] = [];
    // startedBy must be the only filter; ListTasks then lists tasks desired RUNNING.
    for await (const page of paginateListTasks({ client: this.client }, { cluster, startedBy })) {
      arns.push(...(page.taskArns ?? []));
    }
    return arns;
  }

  async stopTask(cluster: string, taskArn: string, reason: string): Promise<void> {
    // StopTask's reason is at most 255 characters.
    await this.client.send(
      new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }),
    );
  }
}
