/**
 * The task-starter contract: what the construct puts into the environment, onto the task and
 * into its EventBridge rules, and what the handlers read back. Construct and handlers both
 * import this module, so the two can never disagree on a name, a default or a schema.
 *
 * Modes: the event-driven mode (`handlers/start.ts` starts, `handlers/task-state.ts` registers
 * on RUNNING and deregisters on stop, `handlers/reconcile.ts` fixes drift on a schedule) and the
 * synchronous mode (`handlers/start-sync.ts` starts, waits for RUNNING and registers in one
 * invocation; it still needs `task-state` for deregistration). A separate entry rather than a
 * flag, because the two need different Lambda timeouts.
 *
 * Pure: zod only, no AWS SDK import.
 */
import { z } from 'zod';
import { type Env, unsetIfBlank } from '../common/env-schemas.js';
import { parseTargetGroupArn, type TargetGroupArnParts } from '../load-shedding/contract.js';
import { MetricNamespaces } from '../observability/namespaces.js';
import { InvalidEventError, TaskStarterConfigError } from './errors.js';

export { parseTargetGroupArn, type TargetGroupArnParts };

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

/** The handler modules under `handlers/`, by role; each exports `handler`. */
export const TASK_STARTER_HANDLERS = Object.freeze({
  /** Start event → RunTask (event-driven mode). */
  start: 'start',
  /** Start event → RunTask, wait for RUNNING, register (synchronous mode). */
  startSync: 'start-sync',
  /** ECS Task State Change → register on RUNNING, deregister on stop. */
  taskState: 'task-state',
  /** Schedule → compare target groups with the kit's tasks, fix drift either way. */
  reconcile: 'reconcile',
} as const);

export type TaskStarterHandlerRole = keyof typeof TASK_STARTER_HANDLERS;

/**
 * Lambda's asynchronous retries (EventInvokeConfig `MaximumRetryAttempts`) of each function,
 * after which the event goes to the on-failure destination (the dead-letter queue). Set by the
 * construct and mirrored by the simulator.
 *
 * The start functions get none: what they throw is permanent (InvalidEventError,
 * StartPreconditionError), already retried where it can help (capacity: START_ATTEMPTS RunTask
 * calls with backoff; throttling and 5xx: the resilience layer), or replayed identically by a
 * retry (the same event id gives the same RunTask client tokens, and ECS answers a known token
 * with its first answer; TaskWaitError's tasks are already stopped). A retry would only run
 * the same failure again and count it again in StartFailures. Task-state and reconcile keep
 * two: registration is idempotent, and ELBv2 throttling or a draining target can clear within
 * the minutes Lambda waits between attempts.
 */
export const TaskStarterAsyncRetryAttempts = Object.freeze({
  start: 0,
  startSync: 0,
  taskState: 2,
  reconcile: 2,
} as const satisfies Record<TaskStarterHandlerRole, number>);

/** `service` of every log line and metric of the handlers. */
export const TASK_STARTER_SERVICE_NAME = 'task-starter';

// ---------------------------------------------------------------------------------------------
// Shared field schemas (event detail and environment)
// ---------------------------------------------------------------------------------------------

const PARTITION = 'aws(?:-[a-z]+)*';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d{1,2}';
const ACCOUNT = '\\d{12}';
const NAME = '[A-Za-z0-9_-]{1,255}';
const CLUSTER = new RegExp(
  `^(?:${NAME}|arn:${PARTITION}:ecs:${REGION}:${ACCOUNT}:cluster/(${NAME}))$`,
);
const TASK_DEFINITION = new RegExp(
  `^(?:arn:${PARTITION}:ecs:${REGION}:${ACCOUNT}:task-definition/)?(${NAME})(?::([1-9]\\d*))?$`,
);

/** The cluster name of a cluster name or ARN. */
export function clusterNameOf(cluster: string): string {
  const match = CLUSTER.exec(cluster);
  return match?.[1] ?? cluster;
}

/** The family of a task definition family, `family:revision` or ARN. */
export function taskDefinitionFamilyOf(taskDefinition: string): string {
  return TASK_DEFINITION.exec(taskDefinition)?.[1] ?? taskDefinition;
}

const TARGET_GROUP_EXAMPLE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-service/73e2d6bc24d8a067';

export const clusterSchema = z.string().regex(CLUSTER, {
  error: (issue) =>
    `must be an ECS cluster name (1–255 letters, digits, - _) or cluster ARN, got ` +
    `'${String(issue.input)}'`,
});

export const taskDefinitionSchema = z.string().regex(TASK_DEFINITION, {
  error: (issue) =>
    `must be a task definition family, family:revision or ARN, got '${String(issue.input)}'`,
});

export const targetGroupArnSchema = z.string().refine((arn) => parseTargetGroupArn(arn), {
  error: (issue) =>
    `must be an ELBv2 target group ARN like ${TARGET_GROUP_EXAMPLE}, got '${String(issue.input)}'`,
});

export const containerNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, {
  error: (issue) =>
    `must be a container name of the task definition (1–255 letters, digits, - _), got ` +
    `'${String(issue.input)}'`,
});

export const portSchema = z
  .number({ error: (issue) => `must be a port number 1–65535, got ${JSON.stringify(issue.input)}` })
  .int({ error: (issue) => `must be a whole port number 1–65535, got ${String(issue.input)}` })
  .min(1, { error: (issue) => `must be a port number 1–65535, got ${String(issue.input)}` })
  .max(65535, { error: (issue) => `must be a port number 1–65535, got ${String(issue.input)}` });

function idList(kind: string, pattern: RegExp, example: string, max: number) {
  return z
    .array(
      z.string().regex(pattern, {
        error: (issue) => `must be a ${kind} id like ${example}, got '${String(issue.input)}'`,
      }),
      { error: `must be a list of ${kind} ids like ["${example}"]` },
    )
    .min(1, { error: `must list at least one ${kind} id (leave it out to use the default)` })
    .max(max, { error: `lists more than ${max} ${kind} ids, the ECS limit` })
    .refine((ids) => new Set(ids).size === ids.length, { error: `repeats a ${kind} id` });
}

export const subnetsSchema = idList('subnet', /^subnet-[0-9a-f]{8,17}$/, 'subnet-0123abcd', 16);
export const securityGroupsSchema = idList(
  'security group',
  /^sg-[0-9a-f]{8,17}$/,
  'sg-0123abcd',
  5,
);

export const AssignPublicIpValues = ['ENABLED', 'DISABLED'] as const;
export const assignPublicIpSchema = z.enum(AssignPublicIpValues, {
  error: (issue) => `must be ENABLED or DISABLED, got ${JSON.stringify(issue.input)}`,
});

export const LaunchTypes = ['FARGATE', 'EC2', 'EXTERNAL', 'MANAGED_INSTANCES'] as const;
export type TaskLaunchType = (typeof LaunchTypes)[number];
export const launchTypeSchema = z.enum(LaunchTypes, {
  error: (issue) => `must be one of ${LaunchTypes.join(', ')}, got ${JSON.stringify(issue.input)}`,
});

export const capacityProviderStrategySchema = z
  .array(
    z.strictObject({
      capacityProvider: z.string().min(1).max(255),
      weight: z.number().int().min(0).max(1000).optional(),
      base: z.number().int().min(0).max(100000).optional(),
    }),
    {
      error: 'must be a list like [{"capacityProvider":"FARGATE_SPOT","weight":1}]',
    },
  )
  .min(1, { error: 'must name at least one capacity provider' })
  .max(20, { error: 'names more than 20 capacity providers, the ECS limit' })
  .superRefine((items, ctx) => {
    const names = items.map((item) => item.capacityProvider);
    if (new Set(names).size !== names.length) {
      ctx.addIssue({ code: 'custom', message: 'repeats a capacity provider' });
    }
    if (items.filter((item) => (item.base ?? 0) > 0).length > 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'gives a base to more than one capacity provider; ECS allows one',
      });
    }
  });

export type CapacityProviderStrategy = z.infer<typeof capacityProviderStrategySchema>;

/** RunTask allows 8,192 characters of overrides in total. */
export const MAX_OVERRIDES_CHARS = 8192;

const keyValueList = z.array(z.strictObject({ name: z.string().min(1), value: z.string() }));

/**
 * RunTask `overrides`, restricted: role overrides are refused (the construct passes only the
 * task definition's own roles, and accepting them from an event would let it choose
 * privileges).
 */
export const overridesSchema = z
  .strictObject({
    containerOverrides: z
      .array(
        z.strictObject({
          name: containerNameSchema,
          command: z.array(z.string()).optional(),
          environment: keyValueList.optional(),
          cpu: z.number().int().min(0).optional(),
          memory: z.number().int().min(1).optional(),
          memoryReservation: z.number().int().min(1).optional(),
        }),
      )
      .optional(),
    cpu: z.string().min(1).optional(),
    memory: z.string().min(1).optional(),
    ephemeralStorage: z.strictObject({ sizeInGiB: z.number().int().min(21).max(200) }).optional(),
  })
  .refine((overrides) => JSON.stringify(overrides).length <= MAX_OVERRIDES_CHARS, {
    error: `are longer than ${MAX_OVERRIDES_CHARS} characters, the RunTask limit`,
  });

export type TaskOverrides = z.infer<typeof overridesSchema>;

/** RunTask starts at most 10 tasks per call. */
export const MAX_TASK_COUNT = 10;

// ---------------------------------------------------------------------------------------------
// Start event
// ---------------------------------------------------------------------------------------------

/**
 * The `detail` of a start event. Every field may be left out and then defaults from the
 * function's configuration; `cluster`, `taskDefinition` and `targetGroupArn` must come from one
 * or the other. Unknown fields are rejected (a misspelt field must not be ignored silently).
 */
export const startDetailSchema = z
  .strictObject({
    cluster: clusterSchema.optional(),
    taskDefinition: taskDefinitionSchema.optional(),
    targetGroupArn: targetGroupArnSchema.optional(),
    containerName: containerNameSchema.optional(),
    port: portSchema.optional(),
    subnets: subnetsSchema.optional(),
    securityGroups: securityGroupsSchema.optional(),
    assignPublicIp: assignPublicIpSchema.optional(),
    launchType: launchTypeSchema.optional(),
    capacityProviderStrategy: capacityProviderStrategySchema.optional(),
    overrides: overridesSchema.optional(),
    count: z
      .number({ error: 'must be a whole number of tasks from 1 to 10' })
      .int({ error: 'must be a whole number of tasks from 1 to 10' })
      .min(1, { error: 'must be at least 1' })
      .max(MAX_TASK_COUNT, { error: `must be at most ${MAX_TASK_COUNT} (RunTask's limit)` })
      .optional(),
  })
  .superRefine((detail, ctx) => {
    if (detail.launchType !== undefined && detail.capacityProviderStrategy !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['capacityProviderStrategy'],
        message: 'cannot be given together with launchType: RunTask takes one or the other',
      });
    }
  });

export type StartDetail = z.infer<typeof startDetailSchema>;

/**
 * The start event: an EventBridge event (any source and detail-type: the construct's rule
 * chooses them) or the same shape sent by a direct invocation of the synchronous function.
 * `id` makes the start idempotent (the RunTask client token derives from it); `time` dates the
 * request for the time-to-registered metric.
 */
export const startEventSchema = z.looseObject({
  id: z
    .string({ error: 'must be the event id (a string); EventBridge sets it' })
    .min(1, { error: 'must not be empty' })
    .max(256, { error: 'must be at most 256 characters' }),
  time: z.iso.datetime({ error: 'must be an ISO 8601 timestamp' }).optional(),
  source: z.string().optional(),
  'detail-type': z.string().optional(),
  detail: startDetailSchema,
});

export type StartEvent = z.infer<typeof startEventSchema>;

/** Default `source` of start events (the construct's start rule matches it unless told otherwise). */
export const START_EVENT_SOURCE = 'aws-ops-kit.task-starter';
/** Default `detail-type` of start events, as in the spec's example. */
export const START_EVENT_DETAIL_TYPE = 'Start ECS Task';

/** The default EventBridge pattern of the start rule. */
export function startEventPattern(
  options: { readonly source?: string; readonly detailType?: string } = {},
): Record<string, unknown> {
  return {
    source: [options.source ?? START_EVENT_SOURCE],
    'detail-type': [options.detailType ?? START_EVENT_DETAIL_TYPE],
  };
}

/** A start request after the configuration filled the gaps: what RunTask is called with. */
export interface StartRequest {
  readonly eventId: string;
  /** Epoch ms of the event (its `time`, else when it was received). */
  readonly requestedAt: number;
  readonly cluster: string;
  readonly taskDefinition: string;
  readonly targetGroupArn: string;
  readonly containerName?: string;
  readonly port?: number;
  readonly subnets?: readonly string[];
  readonly securityGroups?: readonly string[];
  readonly assignPublicIp?: (typeof AssignPublicIpValues)[number];
  readonly launchType?: TaskLaunchType;
  readonly capacityProviderStrategy?: CapacityProviderStrategy;
  readonly overrides?: TaskOverrides;
  readonly count: number;
}

/** Zod issues as `path: message` lines, naming `root` where the input itself is wrong. */
export function issueLines(
  issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[],
  root: string,
): string[] {
  return issues.map(
    (issue) =>
      `${issue.path.length > 0 ? issue.path.map(String).join('.') : root}: ${issue.message}`,
  );
}

/**
 * Parses a start event and fills its gaps from the configuration.
 * @throws {InvalidEventError} naming every bad or missing field; thrown before any AWS call.
 */
export function parseStartEvent(
  event: unknown,
  config: TaskStarterConfig,
  receivedAt: number,
): StartRequest {
  const parsed = startEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidEventError('start event', issueLines(parsed.error.issues, 'event'));
  }
  return resolveStartRequest(parsed.data, config, receivedAt);
}

function resolveStartRequest(
  event: StartEvent,
  config: TaskStarterConfig,
  receivedAt: number,
): StartRequest {
  const { detail } = event;
  const defaults = config.defaults;
  const problems: string[] = [];
  const required = (field: 'cluster' | 'taskDefinition' | 'targetGroupArn', variable: string) => {
    const value = detail[field] ?? defaults[field];
    if (value === undefined) {
      problems.push(
        `detail.${field}: missing, and ${variable} is not set: put it in the event or set ` +
          `${variable} on the function`,
      );
    }
    return value ?? '';
  };
  const cluster = required('cluster', V.cluster);
  const taskDefinition = required('taskDefinition', V.taskDefinition);
  const targetGroupArn = required('targetGroupArn', V.targetGroupArn);
  const allowed = (
    field: string,
    value: string,
    list: readonly string[],
    key: (s: string) => string,
  ) => {
    if (value !== '' && list.length > 0 && !list.map(key).includes(key(value))) {
      problems.push(
        `detail.${field}: '${value}' is not one this function may use (${list.join(', ')}): ` +
          'send one of those, or allow it in the construct',
      );
    }
  };
  allowed('cluster', cluster, config.allowedClusters, clusterNameOf);
  allowed(
    'taskDefinition',
    taskDefinition,
    config.allowedTaskDefinitionFamilies,
    taskDefinitionFamilyOf,
  );
  allowed('targetGroupArn', targetGroupArn, config.allowedTargetGroupArns, (arn) => arn);
  if (problems.length > 0) throw new InvalidEventError('start event', problems);

  // The event's choice of launch type or capacity provider strategy replaces the configured one.
  const eventChoseLaunch =
    detail.launchType !== undefined || detail.capacityProviderStrategy !== undefined;
  const launchType = eventChoseLaunch ? detail.launchType : defaults.launchType;
  const capacityProviderStrategy = eventChoseLaunch
    ? detail.capacityProviderStrategy
    : defaults.capacityProviderStrategy;
  const time = event.time === undefined ? Number.NaN : Date.parse(event.time);
  return stripUndefined({
    eventId: event.id,
    requestedAt: Number.isFinite(time) ? time : receivedAt,
    cluster,
    taskDefinition,
    targetGroupArn,
    containerName: detail.containerName ?? defaults.containerName,
    port: detail.port ?? defaults.port,
    subnets: detail.subnets ?? defaults.subnets,
    securityGroups: detail.securityGroups ?? defaults.securityGroups,
    assignPublicIp: detail.assignPublicIp ?? defaults.assignPublicIp,
    launchType,
    capacityProviderStrategy,
    overrides: detail.overrides,
    count: detail.count ?? 1,
  });
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------
// What the kit writes on a task: startedBy and tags
// ---------------------------------------------------------------------------------------------

/** ECS allows letters, digits, `-`, `_` and `/` in startedBy, up to 128 characters. */
export const STARTED_BY_PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_STARTED_BY_LENGTH = 128;

/**
 * `startedBy` of a task the kit starts: `<prefix>/<target group name>/<target group id>`
 * (at most 64 + 1 + 32 + 1 + 16 = 114 characters). It names the kit (the prefix, which the
 * Task State Change rule matches) and the registration target, and `ListTasks` filters on it
 * exactly, so reconcile lists one target group's tasks per call.
 */
export function startedByFor(prefix: string, targetGroupArn: string): string {
  const parts = parseTargetGroupArn(targetGroupArn);
  if (!parts)
    throw new InvalidEventError('target group', [`'${targetGroupArn}' is not a target group ARN`]);
  return `${prefix}/${parts.resource.slice('targetgroup/'.length)}`;
}

/** The `targetgroup/<name>/<id>` part named by a kit `startedBy`, or undefined if not the kit's. */
export function targetGroupResourceOfStartedBy(
  prefix: string,
  startedBy: string | undefined,
): string | undefined {
  if (startedBy === undefined || !startedBy.startsWith(`${prefix}/`)) return undefined;
  const rest = startedBy.slice(prefix.length + 1);
  return /^[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/.test(rest) ? `targetgroup/${rest}` : undefined;
}

/**
 * Tags the kit puts on every task it starts (RunTask `tags`; needs `ecs:TagResource` on the
 * task). They carry what the state handler needs and the event cannot: the full target group
 * ARN, the container and port to register, and the request for the time-to-registered metric.
 */
export const TaskStarterTagKeys = Object.freeze({
  managedBy: 'opskit:managed-by',
  targetGroupArn: 'opskit:target-group-arn',
  containerName: 'opskit:container-name',
  containerPort: 'opskit:container-port',
  eventId: 'opskit:event-id',
  requestedAt: 'opskit:requested-at',
} as const);

/** Value of the `opskit:managed-by` tag. */
export const MANAGED_BY_VALUE = 'aws-ops-kit/task-starter';

// ---------------------------------------------------------------------------------------------
// ECS Task State Change
// ---------------------------------------------------------------------------------------------

export const TASK_STATE_CHANGE_SOURCE = 'aws.ecs';
export const TASK_STATE_CHANGE_DETAIL_TYPE = 'ECS Task State Change';

/** Task statuses in lifecycle order. */
export const TaskStatuses = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
  'DELETED',
] as const;
export type TaskStatus = (typeof TaskStatuses)[number];

const statusSchema = z.enum(TaskStatuses);

const nameValue = z.looseObject({ name: z.string().optional(), value: z.string().optional() });

/** The task as an ECS Task State Change event carries it; only the fields the kit reads. */
export const taskStateDetailSchema = z.looseObject({
  taskArn: z.string().min(1),
  clusterArn: z.string().min(1),
  taskDefinitionArn: z.string().min(1),
  lastStatus: statusSchema,
  desiredStatus: statusSchema,
  /** Increases with every change of the task; orders duplicate and out-of-order events. */
  version: z.number().int().min(0),
  startedBy: z.string().optional(),
  group: z.string().optional(),
  launchType: z.string().optional(),
  containerInstanceArn: z.string().optional(),
  availabilityZone: z.string().optional(),
  stoppedReason: z.string().optional(),
  stopCode: z.string().optional(),
  attachments: z
    .array(
      z.looseObject({
        id: z.string().optional(),
        type: z.string().optional(),
        status: z.string().optional(),
        details: z.array(nameValue).optional(),
      }),
    )
    .optional(),
  containers: z
    .array(
      z.looseObject({
        name: z.string().optional(),
        lastStatus: z.string().optional(),
        networkBindings: z
          .array(
            z.looseObject({
              bindIP: z.string().optional(),
              containerPort: z.number().int().optional(),
              hostPort: z.number().int().optional(),
              protocol: z.string().optional(),
            }),
          )
          .optional(),
        networkInterfaces: z
          .array(
            z.looseObject({
              attachmentId: z.string().optional(),
              privateIpv4Address: z.string().optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});

export type TaskStateDetail = z.infer<typeof taskStateDetailSchema>;

export const taskStateChangeEventSchema = z.looseObject({
  id: z.string().min(1),
  source: z.literal(TASK_STATE_CHANGE_SOURCE),
  'detail-type': z.literal(TASK_STATE_CHANGE_DETAIL_TYPE),
  time: z.string().optional(),
  detail: taskStateDetailSchema,
});

export type TaskStateChangeEvent = z.infer<typeof taskStateChangeEventSchema>;

/**
 * @throws {InvalidEventError} when `event` is not an ECS Task State Change event.
 */
export function parseTaskStateChangeEvent(event: unknown): TaskStateChangeEvent {
  const parsed = taskStateChangeEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidEventError(
      'ECS Task State Change event',
      issueLines(parsed.error.issues, 'event'),
    );
  }
  return parsed.data;
}

/** Statuses worth an invocation: RUNNING (register) and every stopping one (deregister). */
export const TASK_STATE_STATUSES_OF_INTEREST: readonly TaskStatus[] = [
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
];

/**
 * The EventBridge pattern of the task state rule: Task State Change events of tasks the kit
 * started (startedBy prefix), in the statuses the handler acts on, optionally of given clusters.
 */
export function taskStateChangePattern(options: {
  readonly startedByPrefix: string;
  readonly clusterArns?: readonly string[];
}): Record<string, unknown> {
  return {
    source: [TASK_STATE_CHANGE_SOURCE],
    'detail-type': [TASK_STATE_CHANGE_DETAIL_TYPE],
    detail: {
      startedBy: [{ prefix: `${options.startedByPrefix}/` }],
      lastStatus: [...TASK_STATE_STATUSES_OF_INTEREST],
      ...(options.clusterArns && options.clusterArns.length > 0
        ? { clusterArn: [...options.clusterArns] }
        : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

/** Names of the environment variables the handlers read; the construct sets them. */
export const TaskStarterEnvVars = Object.freeze({
  cluster: 'ECS_CLUSTER',
  taskDefinition: 'TASK_DEFINITION',
  targetGroupArn: 'TARGET_GROUP_ARN',
  containerName: 'CONTAINER_NAME',
  containerPort: 'CONTAINER_PORT',
  subnets: 'SUBNETS',
  securityGroups: 'SECURITY_GROUPS',
  assignPublicIp: 'ASSIGN_PUBLIC_IP',
  launchType: 'LAUNCH_TYPE',
  capacityProviderStrategy: 'CAPACITY_PROVIDER_STRATEGY',
  startedByPrefix: 'STARTED_BY_PREFIX',
  taskWaitTimeoutSeconds: 'TASK_WAIT_TIMEOUT',
  waitForHealthySeconds: 'WAIT_FOR_HEALTHY_SECONDS',
  targetGroupVpcCidrs: 'TARGET_GROUP_VPC_CIDRS',
  allowedClusters: 'ALLOWED_CLUSTERS',
  allowedTargetGroupArns: 'ALLOWED_TARGET_GROUP_ARNS',
  allowedTaskDefinitionFamilies: 'ALLOWED_TASK_DEFINITION_FAMILIES',
  reconcileMode: 'RECONCILE_MODE',
  startAttempts: 'START_ATTEMPTS',
  metricsNamespace: 'METRICS_NAMESPACE',
} as const);

const V = TaskStarterEnvVars;

/**
 * How reconcile treats targets without a live kit task: `owned` (the target group belongs to
 * the kit: deregister them) or `shared` (others register targets too: never deregister, only
 * register missing kit tasks).
 */
export const ReconcileModes = ['owned', 'shared'] as const;
export type ReconcileMode = (typeof ReconcileModes)[number];

/** Defaults for the event fields, from the spec's environment variables. */
export interface StartDefaults {
  readonly cluster?: string;
  readonly taskDefinition?: string;
  readonly targetGroupArn?: string;
  readonly containerName?: string;
  readonly port?: number;
  readonly subnets?: readonly string[];
  readonly securityGroups?: readonly string[];
  readonly assignPublicIp?: (typeof AssignPublicIpValues)[number];
  readonly launchType?: TaskLaunchType;
  readonly capacityProviderStrategy?: CapacityProviderStrategy;
}

export interface TaskStarterConfig {
  readonly defaults: StartDefaults;
  /** Prefix of the tasks' startedBy. @default 'aws-ops-kit' */
  readonly startedByPrefix: string;
  /** Synchronous mode: seconds to wait for RUNNING, 10–840. @default 300 */
  readonly taskWaitTimeoutSeconds: number;
  /** Seconds to wait for the target to become healthy after registering; 0 = do not. @default 0 */
  readonly waitForHealthySeconds: number;
  /**
   * CIDRs of the target groups' VPC: an IP outside them is registered with
   * `AvailabilityZone: 'all'`. Empty: unknown, register without and retry with `all` if ELBv2
   * rejects the IP. @default []
   */
  readonly targetGroupVpcCidrs: readonly string[];
  /** Clusters (names or ARNs) events may name; empty = any. @default [] */
  readonly allowedClusters: readonly string[];
  /** Target groups events may name; empty = any. @default [] */
  readonly allowedTargetGroupArns: readonly string[];
  /** Task definition families events may name; empty = any. @default [] */
  readonly allowedTaskDefinitionFamilies: readonly string[];
  /** @default 'owned' */
  readonly reconcileMode: ReconcileMode;
  /** RunTask calls per start event when capacity is short (1 = no retry), 1–5. @default 3 */
  readonly startAttempts: number;
  /** @default MetricNamespaces.taskStarter */
  readonly metricsNamespace: string;
}

export const TaskStarterDefaults = Object.freeze({
  startedByPrefix: 'aws-ops-kit',
  taskWaitTimeoutSeconds: 300,
  waitForHealthySeconds: 0,
  reconcileMode: 'owned',
  startAttempts: 3,
  metricsNamespace: MetricNamespaces.taskStarter,
} as const satisfies Partial<TaskStarterConfig>);

/** Lambda's longest timeout is 900 s; keep a minute for RunTask, registration and cleanup. */
export const MAX_TASK_WAIT_TIMEOUT_SECONDS = 840;

/**
 * The Lambda timeout the synchronous function needs for a configuration: the wait, the
 * optional health wait, and 30 s for RunTask, registration and cleanup; at most 900.
 */
export function syncFunctionTimeoutSeconds(
  config: Pick<TaskStarterConfig, 'taskWaitTimeoutSeconds' | 'waitForHealthySeconds'>,
): number {
  return Math.min(900, config.taskWaitTimeoutSeconds + config.waitForHealthySeconds + 30);
}

/** A list variable: a JSON array or a comma-separated list; entries trimmed. */
function listValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === '') return undefined;
  if (!text.startsWith('[')) return text.split(',').map((entry) => entry.trim());
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // reported as "not a list"
  }
}

function jsonValue(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return unsetIfBlank(value);
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value; // reported as the wrong type
  }
}

function numberValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

const optionalText = <T extends z.ZodType>(schema: T) =>
  z.preprocess(unsetIfBlank, schema.optional());
const optionalList = <T extends z.ZodType>(schema: T) => z.preprocess(listValue, schema.optional());
const wholeNumber = (min: number, max: number, fallback: number) =>
  z.preprocess(
    numberValue,
    z
      .number({ error: `must be a whole number from ${min} to ${max} (unset: ${fallback})` })
      .int({ error: `must be a whole number from ${min} to ${max} (unset: ${fallback})` })
      .min(min, { error: `must be at least ${min} (unset: ${fallback})` })
      .max(max, { error: `must be at most ${max} (unset: ${fallback})` })
      .default(fallback),
  );

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
export const cidrSchema = z.string().refine(
  (cidr) => {
    const match = CIDR.exec(cidr);
    if (!match) return false;
    const octets = match.slice(1, 5).map(Number);
    return octets.every((o) => o <= 255) && Number(match[5]) <= 32;
  },
  { error: (issue) => `must be an IPv4 CIDR like 10.0.0.0/16, got '${String(issue.input)}'` },
);

/**
 * The zod schema of the environment: keys are the variable names (so every issue names its
 * variable). Prefer {@link parseTaskStarterConfig}, which makes one readable error.
 */
export const taskStarterEnvSchema = z
  .object({
    [V.cluster]: optionalText(clusterSchema),
    [V.taskDefinition]: optionalText(taskDefinitionSchema),
    [V.targetGroupArn]: optionalText(targetGroupArnSchema),
    [V.containerName]: optionalText(containerNameSchema),
    [V.containerPort]: z.preprocess(numberValue, portSchema.optional()),
    [V.subnets]: optionalList(subnetsSchema),
    [V.securityGroups]: optionalList(securityGroupsSchema),
    [V.assignPublicIp]: optionalText(assignPublicIpSchema),
    [V.launchType]: optionalText(launchTypeSchema),
    [V.capacityProviderStrategy]: z.preprocess(
      jsonValue,
      capacityProviderStrategySchema.optional(),
    ),
    [V.startedByPrefix]: z.preprocess(
      unsetIfBlank,
      z
        .string()
        .regex(STARTED_BY_PREFIX_PATTERN, {
          error: 'must be 1–64 letters, digits, - or _ (it starts every task startedBy)',
        })
        .default(TaskStarterDefaults.startedByPrefix),
    ),
    [V.taskWaitTimeoutSeconds]: wholeNumber(
      10,
      MAX_TASK_WAIT_TIMEOUT_SECONDS,
      TaskStarterDefaults.taskWaitTimeoutSeconds,
    ),
    [V.waitForHealthySeconds]: wholeNumber(0, 600, TaskStarterDefaults.waitForHealthySeconds),
    [V.targetGroupVpcCidrs]: optionalList(
      z.array(cidrSchema, { error: 'must be a list of CIDRs' }),
    ),
    [V.allowedClusters]: optionalList(
      z.array(clusterSchema, { error: 'must be a list of clusters' }),
    ),
    [V.allowedTargetGroupArns]: optionalList(
      z.array(targetGroupArnSchema, { error: 'must be a list of target group ARNs' }),
    ),
    [V.allowedTaskDefinitionFamilies]: optionalList(
      z.array(taskDefinitionSchema, { error: 'must be a list of task definition families' }),
    ),
    [V.reconcileMode]: z.preprocess(
      unsetIfBlank,
      z
        .enum(ReconcileModes, {
          error: (issue) => `must be 'owned' or 'shared', got ${JSON.stringify(issue.input)}`,
        })
        .default(TaskStarterDefaults.reconcileMode),
    ),
    [V.startAttempts]: wholeNumber(1, 5, TaskStarterDefaults.startAttempts),
    [V.metricsNamespace]: z.preprocess(
      unsetIfBlank,
      z
        .string()
        .regex(/^[A-Za-z0-9.\-_/#: ]{1,255}$/, { error: 'must be a CloudWatch namespace' })
        .refine((ns) => !ns.startsWith('AWS/'), { error: 'must not start with AWS/ (reserved)' })
        .default(TaskStarterDefaults.metricsNamespace),
    ),
  })
  .superRefine((env, ctx) => {
    if (env[V.launchType] !== undefined && env[V.capacityProviderStrategy] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [V.capacityProviderStrategy],
        message: `cannot be set together with ${V.launchType}: RunTask takes one or the other; unset one`,
      });
    }
  })
  .transform((env): TaskStarterConfig => ({
    defaults: stripUndefined({
      cluster: env[V.cluster],
      taskDefinition: env[V.taskDefinition],
      targetGroupArn: env[V.targetGroupArn],
      containerName: env[V.containerName],
      port: env[V.containerPort],
      subnets: env[V.subnets],
      securityGroups: env[V.securityGroups],
      assignPublicIp: env[V.assignPublicIp],
      launchType: env[V.launchType],
      capacityProviderStrategy: env[V.capacityProviderStrategy],
    }),
    startedByPrefix: env[V.startedByPrefix],
    taskWaitTimeoutSeconds: env[V.taskWaitTimeoutSeconds],
    waitForHealthySeconds: env[V.waitForHealthySeconds],
    targetGroupVpcCidrs: env[V.targetGroupVpcCidrs] ?? [],
    allowedClusters: env[V.allowedClusters] ?? [],
    allowedTargetGroupArns: env[V.allowedTargetGroupArns] ?? [],
    allowedTaskDefinitionFamilies: env[V.allowedTaskDefinitionFamilies] ?? [],
    reconcileMode: env[V.reconcileMode],
    startAttempts: env[V.startAttempts],
    metricsNamespace: env[V.metricsNamespace],
  }));

/**
 * Reads the configuration from the environment (once, at cold start).
 * @throws {TaskStarterConfigError} listing every bad variable with its fix.
 */
export function parseTaskStarterConfig(env: Env = process.env): TaskStarterConfig {
  const result = taskStarterEnvSchema.safeParse(env);
  if (result.success) return result.data;
  throw new TaskStarterConfigError(
    result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      const rest = issue.path.slice(1).map(String).join('.');
      return {
        variable,
        message: `${variable}${rest ? `[${rest}]` : ''} ${issue.message}.`,
      };
    }),
  );
}

/** Settings the construct turns into environment variables (every field optional). */
export type TaskStarterSettings = Partial<Omit<TaskStarterConfig, 'defaults'>> & {
  readonly defaults?: StartDefaults;
};

/**
 * The environment variables for a configuration: what the construct sets on the functions.
 * `parseTaskStarterConfig(toTaskStarterEnvironment(c))` gives `c` back. Values are written as
 * they are (the construct may pass CDK tokens); lists become JSON arrays.
 */
export function toTaskStarterEnvironment(settings: TaskStarterSettings): Record<string, string> {
  const d = settings.defaults ?? {};
  const entries: [string, string | undefined][] = [
    [V.cluster, d.cluster],
    [V.taskDefinition, d.taskDefinition],
    [V.targetGroupArn, d.targetGroupArn],
    [V.containerName, d.containerName],
    [V.containerPort, d.port?.toString()],
    [V.subnets, d.subnets && JSON.stringify(d.subnets)],
    [V.securityGroups, d.securityGroups && JSON.stringify(d.securityGroups)],
    [V.assignPublicIp, d.assignPublicIp],
    [V.launchType, d.launchType],
    [
      V.capacityProviderStrategy,
      d.capacityProviderStrategy && JSON.stringify(d.capacityProviderStrategy),
    ],
    [V.startedByPrefix, settings.startedByPrefix],
    [V.taskWaitTimeoutSeconds, settings.taskWaitTimeoutSeconds?.toString()],
    [V.waitForHealthySeconds, settings.waitForHealthySeconds?.toString()],
    [V.targetGroupVpcCidrs, listEnv(settings.targetGroupVpcCidrs)],
    [V.allowedClusters, listEnv(settings.allowedClusters)],
    [V.allowedTargetGroupArns, listEnv(settings.allowedTargetGroupArns)],
    [V.allowedTaskDefinitionFamilies, listEnv(settings.allowedTaskDefinitionFamilies)],
    [V.reconcileMode, settings.reconcileMode],
    [V.startAttempts, settings.startAttempts?.toString()],
    [V.metricsNamespace, settings.metricsNamespace],
  ];
  return Object.fromEntries(
    entries.filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function listEnv(list: readonly string[] | undefined): string | undefined {
  return list === undefined || list.length === 0 ? undefined : JSON.stringify(list);
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

/** Metrics of the task starter, in `config.metricsNamespace` (`AwsOpsKit/TaskStarter`). */
export const TaskStarterMetricNames = Object.freeze({
  /** Count of tasks RunTask started. Dimension `TargetGroup`. */
  tasksStarted: 'TasksStarted',
  /** Count of tasks registered. Dimension `TargetGroup`. */
  tasksRegistered: 'TasksRegistered',
  /** Count of tasks deregistered. Dimension `TargetGroup`. */
  tasksDeregistered: 'TasksDeregistered',
  /** Count of tasks not started or stopped unregistered; no dimension (the alarm's metric). */
  startFailures: 'StartFailures',
  /** Same count with dimension `Reason` (RESOURCE:CPU, AGENT, REGISTRATION, ...). */
  startFailuresByReason: 'StartFailuresByReason',
  /** Seconds from the start event to the task registered. Dimension `TargetGroup`. */
  timeToRegistered: 'TimeToRegistered',
  /** Seconds from registered to healthy (when waiting for healthy). Dimension `TargetGroup`. */
  timeToHealthy: 'TimeToHealthy',
  /** Count of drift fixes by reconcile. Dimensions `TargetGroup`, `Action` register|deregister. */
  driftFixed: 'DriftFixed',
} as const);

export const TaskStarterDimensions = Object.freeze({
  /** `targetgroup/<name>/<id>`, as CloudWatch's ELB metrics. */
  targetGroup: 'TargetGroup',
  reason: 'Reason',
  action: 'Action',
} as const);

// ---------------------------------------------------------------------------------------------
// What each handler calls (for the construct's IAM)
// ---------------------------------------------------------------------------------------------

/**
 * The API actions each handler calls. Scoping: RunTask on the task definition family
 * (condition `ecs:cluster`), TagResource on the cluster's tasks (RunTask with tags needs it),
 * StopTask / DescribeTasks / DescribeContainerInstances on the cluster's tasks and container
 * instances, ListTasks on `*` with the condition `ecs:cluster` (its only resource type is the
 * container instance, which a call listing by `startedBy` does not name; so the cluster
 * condition is what scopes it, as in CDK's own ECS drain hook), DescribeTaskDefinition on `*`
 * (no resource-level permission),
 * iam:PassRole on the task and execution roles; ELBv2 Register/DeregisterTargets on the target
 * groups, Describe* on `*`.
 */
export const TaskStarterActions = Object.freeze({
  start: [
    'ecs:RunTask',
    'ecs:TagResource',
    'ecs:DescribeTaskDefinition',
    'elasticloadbalancing:DescribeTargetGroups',
    'iam:PassRole',
  ],
  startSync: [
    'ecs:RunTask',
    'ecs:TagResource',
    'ecs:DescribeTaskDefinition',
    'ecs:DescribeTasks',
    'ecs:DescribeContainerInstances',
    'ecs:StopTask',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:RegisterTargets',
    'elasticloadbalancing:DescribeTargetHealth',
    'iam:PassRole',
  ],
  taskState: [
    'ecs:DescribeTasks',
    'ecs:DescribeTaskDefinition',
    'ecs:DescribeContainerInstances',
    'ecs:ListTasks',
    'ecs:StopTask',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:RegisterTargets',
    'elasticloadbalancing:DeregisterTargets',
    'elasticloadbalancing:DescribeTargetHealth',
  ],
  reconcile: [
    'ecs:ListTasks',
    'ecs:DescribeTasks',
    'ecs:DescribeTaskDefinition',
    'ecs:DescribeContainerInstances',
    'ecs:StopTask',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetHealth',
    'elasticloadbalancing:RegisterTargets',
    'elasticloadbalancing:DeregisterTargets',
  ],
} as const satisfies Record<TaskStarterHandlerRole, readonly string[]>);
