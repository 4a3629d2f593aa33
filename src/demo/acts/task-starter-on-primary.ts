/**
 * The task starter deployed next to a load-shedding deployment, on the SAME clock, EventBridge,
 * ELBv2, SQS and Lambda runtime, as the demo's construct would deploy it on AWS:
 *
 * - an ECS model (cluster with Fargate, two subnets in the primary's VPC, the awsvpc task
 *   definition `web`) that sends its Task State Change events to the shared EventBridge;
 * - a rule for the load-shedding alarm's ALARM events whose target invokes the REAL start
 *   handler with a start event built from the alarm event (on AWS: the rule target's input
 *   transformer `{ id, time, detail: { count } }`, see start-on-alarm.ts; here a function
 *   target does that one step and invokes through the runtime, so the act can put the start
 *   and its result on the timeline; demo-constructs.test.ts checks that the construct's
 *   synthesized transformer, applied by the EventBridge model, gives the same start event);
 *   every other field defaults from the start function's configuration (cluster, task
 *   definition, target group = the primary);
 * - a rule for the kit's Task State Change events that invokes the REAL task-state handler;
 * - the REAL reconcile handler, invoked on its schedule by the run (`reconcile()`);
 * - a dead-letter queue for the events whose delivery failed for good.
 *
 * The primary target group must be an `ip` target group in the VPC (see
 * {@link PRIMARY_TARGET_GROUP_SETTINGS}). It already serves the application's own fleet
 * (`baselineTargets`, registered before the run); the kit's tasks join it.
 */
import * as ecsSdk from '@aws-sdk/client-ecs';
import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import * as elbv2Sdk from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { OpsLogger } from '../../observability/logger.js';
import type { MetricRecorder } from '../../observability/metrics.js';
import { LimiterRegistry } from '../../resilience/limiter-registry.js';
import { createResilientClient } from '../../resilience/resilient-client.js';
import type { LoadSheddingDeployment } from '../../load-shedding/simulator/deployment.js';
import { PRIMARY } from '../../load-shedding/simulator/layout.js';
import type { InvocationResult } from '../../simulation/lambda-runtime.js';
import { EcsModel, type DurationOption } from '../../simulation/models/ecs.js';
import type { DeliveryFailure, EventBridgeEvent } from '../../simulation/models/eventbridge.js';
import { createRandom, deriveSeed } from '../../simulation/random.js';
import { mountModel } from '../../simulation/sdk-mount.js';
import {
  TaskStarterEnvVars as V,
  parseTaskStarterConfig,
  TaskStarterAsyncRetryAttempts,
  taskStateChangePattern,
  type TaskStarterConfig,
  type TaskStarterHandlerRole,
} from '../../task-starter/contract.js';
import type { TaskStarterDeps } from '../../task-starter/handlers/deps.js';
import { createReconcileHandler } from '../../task-starter/handlers/reconcile.js';
import { createStartHandler } from '../../task-starter/handlers/start.js';
import { createTaskStateHandler } from '../../task-starter/handlers/task-state.js';
import { DEMO_FUNCTION_NAMES, DEMO_TRAFFIC_RESOURCES } from './names.js';
import { alarmStartPattern, startEventOfAlarm } from './start-on-alarm.js';

export const VPC_CIDR = '10.0.0.0/16';
export const SUBNETS = Object.freeze(['subnet-0aaa1111', 'subnet-0bbb2222']);
export const SECURITY_GROUP = 'sg-0123abcd';
export const CONTAINER_PORT = 8080;

/** The primary target group as the task starter needs it: `ip` targets (awsvpc) in the VPC. */
export const PRIMARY_TARGET_GROUP_SETTINGS = Object.freeze({
  targetType: 'ip',
  port: CONTAINER_PORT,
  vpcCidr: VPC_CIDR,
  /** Health check interval 10 s × healthy threshold 2. */
  healthyAfterMs: 20_000,
  deregistrationDelayMs: 60_000,
} as const);

const FN = DEMO_FUNCTION_NAMES.taskStarter;
/** As the construct sizes them: event-driven functions are short; reconcile gets two minutes. */
const SHORT_TIMEOUT_MS = 30_000;
const RECONCILE_TIMEOUT_MS = 120_000;
/**
 * Lambda's asynchronous retries of a function, as the construct sets them. The EventBridge model
 * applies them as the target's retry policy: the count of attempts is the deployed one; the
 * spacing is the model's, not Lambda's (about 1 then 2 minutes).
 */
const retryPolicyOf = (role: TaskStarterHandlerRole) =>
  ({ maximumRetryAttempts: TaskStarterAsyncRetryAttempts[role] }) as const;

/** What happened to one task (or one start), as the timeline tells it. */
export interface TaskEvent {
  readonly time: number;
  readonly kind:
    | 'start-requested'
    | 'started'
    | 'running'
    | 'registered'
    | 'healthy'
    | 'stopping'
    | 'deregistered'
    | 'stopped';
  /** The task id (last part of its ARN); the alarm event id for `start-requested`. */
  readonly task: string;
  /** Seconds (time to registered, time to healthy) or the target `ip:port`. */
  readonly detail?: string;
}

export interface TaskStarterOnPrimaryOptions {
  readonly deployment: LoadSheddingDeployment;
  readonly seed: number;
  /** Tasks each ALARM event starts (the input transformer's `detail.count`). */
  readonly tasksPerAlarm: number;
  /** RunTask → RUNNING. */
  readonly startMs: DurationOption;
  /** IPs of the application's own fleet, registered in the primary before the run. */
  readonly baselineTargets: readonly string[];
  /** Receives the handlers' metrics. */
  readonly metrics: MetricRecorder;
  /** Seconds the task-state handler waits for the target to be healthy. */
  readonly waitForHealthySeconds: number;
}

export interface TaskStarterOnPrimary {
  readonly ecs: EcsModel;
  readonly clusterArn: string;
  readonly config: TaskStarterConfig;
  readonly primaryArn: string;
  readonly dlqUrl: string;
  /** In time order. */
  readonly events: readonly TaskEvent[];
  /** Error lines the task-starter handlers logged. */
  readonly errorLogs: readonly string[];
  /** Registers the baseline targets (call inside `clock.run`). */
  registerBaseline(): Promise<void>;
  /** Healthy targets of the primary target group now. */
  healthyTargets(): number;
  /** Targets of the primary that are registered (any state but draining) now. */
  registeredTargets(): number;
  /** Tasks the kit started that are RUNNING now. */
  runningTasks(): number;
  /** ARNs of the kit's tasks that are not stopped. */
  liveTaskArns(): string[];
  /** Stops the kit's live tasks, as a scale-in would (call inside `clock.run`); returns their ARNs. */
  stopKitTasks(reason: string): Promise<string[]>;
  /** Invokes the reconcile function, as its schedule does. */
  reconcile(): Promise<InvocationResult>;
}

/** The task id: the last part of a task ARN. */
const taskId = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

/** A logger that turns the handlers' registration lines into task events and keeps errors. */
function taskEventLogger(now: () => number, events: TaskEvent[], errors: string[]): OpsLogger {
  const merged = (extra: unknown[]): Record<string, unknown> =>
    Object.assign(
      {},
      ...extra.filter((item): item is object => typeof item === 'object' && item !== null),
    ) as Record<string, unknown>;
  const text = (value: unknown): string =>
    typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  const ignore = (): void => undefined;
  return {
    debug: ignore,
    warn: ignore,
    info: (input: unknown, ...extra: unknown[]) => {
      const a = merged(extra);
      const time = now();
      if (input === 'Task registered.') {
        events.push({
          time,
          kind: 'registered',
          task: taskId(text(a.taskArn)),
          detail: `${text(a.target)}, ${Math.round(Number(a.timeToRegisteredSeconds) * 10) / 10} s after the start event`,
        });
      } else if (input === 'Target healthy.') {
        events.push({ time, kind: 'healthy', task: text(a.target), detail: text(a.seconds) });
      } else if (input === 'Task deregistered.') {
        events.push({
          time,
          kind: 'deregistered',
          task: taskId(text(a.taskArn)),
          detail: text(a.target),
        });
      }
    },
    error: (input: unknown, ...extra: unknown[]) => {
      const { error } = merged(extra) as { error?: unknown };
      const cause = error instanceof Error ? `: ${error.name}: ${error.message}` : '';
      errors.push(`${new Date(now()).toISOString()} ${String(input)}${cause}`);
    },
  };
}

/** Deploys the task starter on `deployment`'s models; see the module comment. */
export function deployTaskStarterOnPrimary(
  options: TaskStarterOnPrimaryOptions,
): TaskStarterOnPrimary {
  const { deployment, seed } = options;
  const { clock, runtime } = deployment;
  const { eventBridge, elbv2: elbv2Model, sqs } = deployment.models;
  const region = runtime.region;
  const primaryArn = deployment.targetGroupArns[PRIMARY];
  const events: TaskEvent[] = [];
  const errorLogs: string[] = [];

  // ---- ECS: the cluster, the subnets of the primary's VPC, the awsvpc task definition ----
  const ecsModel = new EcsModel({
    clock,
    region,
    latencyMs: 50,
    random: deriveSeed(seed, 'ecs'),
    startMs: options.startMs,
    events: eventBridge,
  });
  const cluster = DEMO_TRAFFIC_RESOURCES.cluster;
  const clusterArn = ecsModel.addCluster({ name: cluster, capacityProviders: ['FARGATE'] });
  SUBNETS.forEach((subnetId, i) =>
    ecsModel.addSubnet({
      subnetId,
      cidr: `10.0.${i + 1}.0/24`,
      availabilityZone: `${region}${'ab'[i]}`,
    }),
  );
  ecsModel.registerTaskDefinition({
    family: DEMO_TRAFFIC_RESOURCES.taskDefinitionFamily,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      { name: 'app', image: 'nginx:1', portMappings: [{ containerPort: CONTAINER_PORT }] },
    ],
  });
  ecsModel.subscribe((event) => {
    const { detail } = event;
    const kind =
      detail.lastStatus === 'STOPPED'
        ? 'stopped'
        : detail.desiredStatus === 'STOPPED'
          ? 'stopping'
          : detail.lastStatus === 'RUNNING'
            ? 'running'
            : undefined;
    const last = events.findLast((e) => e.task === taskId(detail.taskArn) && e.kind === kind);
    // ECS repeats a status in later events (e.g. a container's change): keep the first.
    if (kind !== undefined && last === undefined) {
      events.push({ time: clock.now(), kind, task: taskId(detail.taskArn) });
    }
  });

  // ---- the handlers' clients and configuration, as the construct sets them ----
  const resilience = {
    clock,
    registry: new LimiterRegistry({ clock, env: {} }),
    env: {},
    random: createRandom(deriveSeed(seed, 'task-starter-retry')),
  };
  const ecs = createResilientClient(ECSClient, { region }, resilience);
  const elbv2 = createResilientClient(ElasticLoadBalancingV2Client, { region }, resilience);
  mountModel(ecs, ecsModel, { exceptions: ecsSdk });
  mountModel(elbv2, elbv2Model, { exceptions: elbv2Sdk });
  const config = parseTaskStarterConfig({
    [V.cluster]: cluster,
    [V.taskDefinition]: DEMO_TRAFFIC_RESOURCES.taskDefinitionFamily,
    [V.targetGroupArn]: primaryArn,
    [V.subnets]: JSON.stringify(SUBNETS),
    [V.securityGroups]: JSON.stringify([SECURITY_GROUP]),
    [V.launchType]: 'FARGATE',
    [V.targetGroupVpcCidrs]: VPC_CIDR,
    [V.allowedClusters]: cluster,
    [V.allowedTaskDefinitionFamilies]: DEMO_TRAFFIC_RESOURCES.taskDefinitionFamily,
    [V.allowedTargetGroupArns]: JSON.stringify([primaryArn]),
    [V.waitForHealthySeconds]: String(options.waitForHealthySeconds),
    // The application's own fleet is in the group too: reconcile must leave its targets alone.
    [V.reconcileMode]: 'shared',
  });
  const deps: TaskStarterDeps = {
    config,
    clients: { ecs, elbv2 },
    clock,
    logger: taskEventLogger(() => clock.now(), events, errorLogs),
    metrics: options.metrics,
    random: createRandom(deriveSeed(seed, 'starter')),
  };
  runtime.register({
    name: FN.start,
    handler: createStartHandler(deps),
    timeoutMs: SHORT_TIMEOUT_MS,
  });
  runtime.register({
    name: FN.taskState,
    handler: createTaskStateHandler(deps),
    timeoutMs: SHORT_TIMEOUT_MS + config.waitForHealthySeconds * 1000,
  });
  runtime.register({
    name: FN.reconcile,
    handler: createReconcileHandler(deps),
    timeoutMs: RECONCILE_TIMEOUT_MS,
  });

  // ---- the rules ----
  const dlq = sqs.createQueue({ name: 'opskit-demo-tasks-dlq' });
  const deadLetter = (failure: DeliveryFailure): void => {
    sqs.sendMessage({ QueueUrl: dlq.url, MessageBody: JSON.stringify(failure.event) });
  };
  const alarmArn = deployment.models.cloudwatch.alarm(deployment.config.alarmName)
    .AlarmArn as string;
  const startRule = 'opskit-demo-tasks-on-overload';
  eventBridge.putRule({
    name: startRule,
    eventPattern: alarmStartPattern(alarmArn),
    targets: [
      {
        type: 'function',
        id: 'start',
        retryPolicy: retryPolicyOf('start'),
        deadLetter,
        handler: async (event: EventBridgeEvent) => {
          const start = startEventOfAlarm(event, options.tasksPerAlarm);
          events.push({
            time: clock.now(),
            kind: 'start-requested',
            task: event.id,
            detail: String(options.tasksPerAlarm),
          });
          const result = await runtime.invoke<unknown>(FN.start, start, {
            source: `eventbridge:${startRule}`,
          });
          if (result.outcome !== 'succeeded') {
            throw new Error(`${FN.start} ${result.outcome}: ${result.error?.message ?? ''}`);
          }
          const started = (result.result as { taskArns?: readonly string[] }).taskArns ?? [];
          for (const arn of started)
            events.push({ time: clock.now(), kind: 'started', task: taskId(arn) });
        },
      },
    ],
  });
  eventBridge.putRule({
    name: 'opskit-demo-tasks-task-state',
    eventPattern: taskStateChangePattern({
      startedByPrefix: config.startedByPrefix,
      clusterArns: [clusterArn],
    }),
    targets: [
      {
        type: 'lambda',
        id: 'task-state',
        runtime,
        functionName: FN.taskState,
        retryPolicy: retryPolicyOf('taskState'),
        deadLetter,
      },
    ],
  });

  const health = () => elbv2Model.targetHealth(primaryArn).map((t) => t.TargetHealth?.State);
  const liveTaskArns = () =>
    ecsModel.taskArns().filter((arn) => ecsModel.task(arn).lastStatus !== 'STOPPED');
  return {
    ecs: ecsModel,
    clusterArn,
    config,
    primaryArn,
    dlqUrl: dlq.url,
    events,
    errorLogs,
    registerBaseline: async () => {
      await elbv2.send(
        new RegisterTargetsCommand({
          TargetGroupArn: primaryArn,
          Targets: options.baselineTargets.map((Id) => ({ Id, Port: CONTAINER_PORT })),
        }),
      );
    },
    healthyTargets: () => health().filter((state) => state === 'healthy').length,
    registeredTargets: () => health().filter((state) => state !== 'draining').length,
    runningTasks: () =>
      ecsModel.taskArns().filter((arn) => ecsModel.task(arn).lastStatus === 'RUNNING').length,
    liveTaskArns,
    stopKitTasks: async (reason) => {
      const arns = liveTaskArns();
      for (const task of arns) {
        await ecs.send(new StopTaskCommand({ cluster, task, reason }));
      }
      return arns;
    },
    reconcile: () =>
      runtime.invoke(FN.reconcile, { source: 'aws.events', 'detail-type': 'Scheduled Event' }),
  };
}
