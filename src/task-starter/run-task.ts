/**
 * RunTask, decided without calling it: the idempotency token, the request, and what its
 * `failures[]` mean.
 *
 * Pure: node:crypto only, no AWS SDK import.
 */
import { createHash } from 'node:crypto';
import {
  MANAGED_BY_VALUE,
  TaskStarterTagKeys,
  startedByFor,
  type StartRequest,
  type TaskLaunchType,
} from './contract.js';
import type { RunTaskFailure } from './errors.js';

/** RunTask's clientToken is at most 64 characters. */
export const CLIENT_TOKEN_LENGTH = 64;

/**
 * The RunTask clientToken of batch `batch` (0 for the first call) of the event `eventId`: the
 * SHA-256 of both, in hex (64 characters). Deterministic, so a redelivered event replays the
 * same calls and ECS answers them with the tasks it already started; different per batch, so
 * the call that retries a capacity failure is a new request, not a replay of the failed one.
 */
export function clientTokenFor(eventId: string, batch: number): string {
  return createHash('sha256')
    .update(`aws-ops-kit/task-starter\n${eventId}\n${batch}`)
    .digest('hex');
}

/** What a RunTask failure reason says about retrying. */
export type FailureClass = 'capacity' | 'permanent';

// Fargate reports a capacity shortage as a sentence in `reason`, EC2 as RESOURCE:*.
const FARGATE_CAPACITY = /^capacity is unavailable/i;

/**
 * `capacity`: the cluster is short of CPU, memory, ports, ENIs or GPUs, an agent is
 * disconnected, or Fargate has no capacity now: a later attempt may be placed. `permanent`:
 * placement constraints no instance meets (ATTRIBUTE), a missing or inactive cluster or
 * instance, or anything unknown: retrying repeats the failure.
 */
export function classifyFailure(reason: string): FailureClass {
  if (reason.startsWith('RESOURCE:') || reason === 'AGENT' || FARGATE_CAPACITY.test(reason)) {
    return 'capacity';
  }
  return 'permanent';
}

const KNOWN_REASONS = new Set([
  'RESOURCE:CPU',
  'RESOURCE:MEMORY',
  'RESOURCE:PORTS',
  'RESOURCE:PORTS_TCP',
  'RESOURCE:PORTS_UDP',
  'RESOURCE:ENI',
  'RESOURCE:GPU',
  'AGENT',
  'ATTRIBUTE',
  'MISSING',
  'INACTIVE',
]);

/**
 * A bounded metric dimension value for a failure reason: the ECS code, `CAPACITY_UNAVAILABLE`
 * for Fargate's sentence, `OTHER` for anything else (the full reason is in the logs).
 */
export function failureReasonDimension(reason: string): string {
  if (KNOWN_REASONS.has(reason)) return reason;
  if (FARGATE_CAPACITY.test(reason)) return 'CAPACITY_UNAVAILABLE';
  if (reason.startsWith('RESOURCE:')) return reason.slice(0, 40);
  return 'OTHER';
}

/** Failures that a later attempt might place, and whether every failure is such. */
export function allRetryable(failures: readonly RunTaskFailure[]): boolean {
  return failures.length > 0 && failures.every((f) => classifyFailure(f.reason) === 'capacity');
}

/** Container and port chosen for registration, written into the task's tags. */
export interface RegistrationSpec {
  readonly containerName: string;
  readonly containerPort: number;
}

/** The RunTask input (structurally an SDK `RunTaskCommandInput`). */
export interface RunTaskInput {
  readonly cluster: string;
  readonly taskDefinition: string;
  readonly count: number;
  readonly clientToken: string;
  readonly startedBy: string;
  readonly launchType?: TaskLaunchType;
  readonly capacityProviderStrategy?: readonly {
    capacityProvider: string;
    weight?: number;
    base?: number;
  }[];
  readonly networkConfiguration?: {
    awsvpcConfiguration: {
      subnets: string[];
      securityGroups?: string[];
      assignPublicIp?: 'ENABLED' | 'DISABLED';
    };
  };
  readonly overrides?: Record<string, unknown>;
  readonly tags: { key: string; value: string }[];
  readonly enableECSManagedTags: boolean;
}

/**
 * The RunTask request for batch `batch` of `count` tasks. The network configuration is sent only
 * with subnets (awsvpc); ECS rejects it for other network modes.
 */
export function buildRunTaskInput(options: {
  readonly request: StartRequest;
  readonly registration: RegistrationSpec;
  readonly startedByPrefix: string;
  readonly batch: number;
  readonly count: number;
  readonly awsvpc: boolean;
}): RunTaskInput {
  const { request, registration } = options;
  const tags = [
    { key: TaskStarterTagKeys.managedBy, value: MANAGED_BY_VALUE },
    { key: TaskStarterTagKeys.targetGroupArn, value: request.targetGroupArn },
    { key: TaskStarterTagKeys.containerName, value: registration.containerName },
    { key: TaskStarterTagKeys.containerPort, value: String(registration.containerPort) },
    // Tag values allow letters, digits, spaces and + - = . _ : / @; event ids are UUIDs.
    {
      key: TaskStarterTagKeys.eventId,
      value: request.eventId.replace(/[^\w+\-=.:/@ ]/g, '_').slice(0, 256),
    },
    { key: TaskStarterTagKeys.requestedAt, value: new Date(request.requestedAt).toISOString() },
  ];
  return {
    cluster: request.cluster,
    taskDefinition: request.taskDefinition,
    count: options.count,
    clientToken: clientTokenFor(request.eventId, options.batch),
    startedBy: startedByFor(options.startedByPrefix, request.targetGroupArn),
    ...(request.launchType === undefined ? {} : { launchType: request.launchType }),
    ...(request.capacityProviderStrategy === undefined
      ? {}
      : { capacityProviderStrategy: request.capacityProviderStrategy.map((s) => ({ ...s })) }),
    ...(options.awsvpc && request.subnets !== undefined
      ? {
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: [...request.subnets],
              ...(request.securityGroups === undefined
                ? {}
                : { securityGroups: [...request.securityGroups] }),
              ...(request.assignPublicIp === undefined
                ? {}
                : { assignPublicIp: request.assignPublicIp }),
            },
          },
        }
      : {}),
    ...(request.overrides === undefined ? {} : { overrides: { ...request.overrides } }),
    tags,
    enableECSManagedTags: true,
  };
}

/** When the request was made, read back from a task's tags (epoch ms), if the kit tagged it. */
export function requestedAtOf(tags: Readonly<Record<string, string>>): number | undefined {
  const raw = tags[TaskStarterTagKeys.requestedAt];
  const time = raw === undefined ? Number.NaN : Date.parse(raw);
  return Number.isFinite(time) ? time : undefined;
}

/** The registration spec in a task's tags, if the kit tagged it. */
export function registrationOf(
  tags: Readonly<Record<string, string>>,
): (RegistrationSpec & { readonly targetGroupArn: string }) | undefined {
  const targetGroupArn = tags[TaskStarterTagKeys.targetGroupArn];
  const containerName = tags[TaskStarterTagKeys.containerName];
  const port = Number(tags[TaskStarterTagKeys.containerPort]);
  if (!targetGroupArn || !containerName || !Number.isInteger(port) || port < 1 || port > 65535) {
    return undefined;
  }
  return { targetGroupArn, containerName, containerPort: port };
}
