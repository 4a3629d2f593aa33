/**
 * A task-starter deployment on the simulation models, as the construct deploys it on AWS: the
 * kit's resilient ECS and ELBv2 clients mounted on the models, on one virtual clock; an
 * EventBridge rule for start events that invokes the REAL start (or start-sync) handler through
 * the Lambda runtime; a rule for the kit's "ECS Task State Change" events that invokes the REAL
 * task-state handler; the reconcile handler, invoked on demand or on a schedule.
 *
 * The world: cluster `apps` (Fargate and one EC2 container instance), subnets in VPC
 * 10.0.0.0/16 (and one outside it, 172.31.0.0/24, for peered-VPC tasks), task definitions for
 * awsvpc (`web`), bridge (`legacy`) and host (`edge`), an ALB forwarding to an `ip` target group
 * (`web`) and an `instance` one (`legacy`).
 *
 * Used by the handler tests, the benchmark and the demo (issue 8 starts tasks from the
 * load-shedding alarm event: publish a start event with `sendStartEvent`).
 */
import * as ecsSdk from '@aws-sdk/client-ecs';
import { ECSClient } from '@aws-sdk/client-ecs';
import * as elbv2Sdk from '@aws-sdk/client-elastic-load-balancing-v2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { InMemoryMetricRecorder } from '../../observability/metrics.js';
import { silentLogger, type OpsLogger } from '../../observability/logger.js';
import { LimiterRegistry } from '../../resilience/limiter-registry.js';
import { createResilientClient } from '../../resilience/resilient-client.js';
import { LambdaRuntime, type InvocationResult } from '../../simulation/lambda-runtime.js';
import {
  EcsModel,
  type DurationOption,
  type EcsModelOptions,
} from '../../simulation/models/ecs.js';
import { Elbv2Model } from '../../simulation/models/elbv2.js';
import {
  EventBridgeModel,
  type DeliveryFailure,
  type EventBridgeEvent,
} from '../../simulation/models/eventbridge.js';
import { createRandom, deriveSeed, type Seed } from '../../simulation/random.js';
import { mountModel } from '../../simulation/sdk-mount.js';
import { VirtualClock } from '../../simulation/virtual-clock.js';
import {
  START_EVENT_DETAIL_TYPE,
  START_EVENT_SOURCE,
  TaskStarterAsyncRetryAttempts,
  TaskStarterEnvVars as V,
  parseTaskStarterConfig,
  startEventPattern,
  syncFunctionTimeoutSeconds,
  taskStateChangePattern,
  type StartDetail,
  type TaskStarterConfig,
  type TaskStarterHandlerRole,
} from '../contract.js';
import type { TaskStarterDeps } from '../handlers/deps.js';
import { createReconcileHandler } from '../handlers/reconcile.js';
import { createStartSyncHandler } from '../handlers/start-sync.js';
import { createStartHandler } from '../handlers/start.js';
import { createTaskStateHandler } from '../handlers/task-state.js';

export const SIMULATION_REGION = 'eu-west-1';
export const CLUSTER = 'apps';
export const VPC_CIDR = '10.0.0.0/16';
export const SUBNETS = Object.freeze({
  a: 'subnet-0aaa1111',
  b: 'subnet-0bbb2222',
  /** In a peered VPC, outside the target groups' VPC. */
  peered: 'subnet-0ccc3333',
});
export const SECURITY_GROUP = 'sg-0123abcd';

/** Names of the deployed functions. */
export const FUNCTION_NAMES = Object.freeze({
  start: 'task-starter-start',
  startSync: 'task-starter-start-sync',
  taskState: 'task-starter-task-state',
  reconcile: 'task-starter-reconcile',
});

/** Functions as the construct sizes them: event-driven ones are short. */
const SHORT_TIMEOUT_MS = 30_000;

export interface TaskStarterDeploymentOptions {
  /** Which function the start rule invokes. @default 'event-driven' */
  readonly mode?: 'event-driven' | 'synchronous';
  /** Seeds task start times, faults and retry jitter. @default 1 */
  readonly seed?: Seed;
  /** RunTask → RUNNING. @default { min: 15_000, max: 120_000 } */
  readonly startMs?: DurationOption;
  /** Virtual time every ECS and ELBv2 call takes. @default 50 */
  readonly apiLatencyMs?: number;
  /** ECS model settings beyond the above (describeLagMs, duplicateEventProbability, ...). */
  readonly ecs?: Partial<Omit<EcsModelOptions, 'clock' | 'region' | 'events'>>;
  /** Registration → healthy. @default 20_000 */
  readonly healthyAfterMs?: number;
  /** @default 60_000 */
  readonly deregistrationDelayMs?: number;
  /** Environment overrides (`undefined` removes a variable). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Lambda's async retries of every function, overriding the construct's per-function values.
   * @default - as the construct sets them (TaskStarterAsyncRetryAttempts: 0 for the start
   * functions, 2 for task-state)
   */
  readonly maximumRetryAttempts?: number;
  /** Receives every log line of the handlers. @default - dropped */
  readonly logger?: OpsLogger;
  /**
   * Share a simulation with another capability (the demo starts tasks from the load-shedding
   * alarm): its clock, EventBridge and ELBv2 models. The ECS model is always this deployment's.
   * @default - new ones
   */
  readonly shared?: {
    readonly clock: VirtualClock;
    readonly eventBridge: EventBridgeModel;
    readonly elbv2?: Elbv2Model;
  };
  /** Prefixes the names of the target groups, load balancer, functions and rules. @default '' */
  readonly namePrefix?: string;
}

export interface TaskStarterDeployment {
  readonly clock: VirtualClock;
  readonly models: {
    readonly ecs: EcsModel;
    readonly elbv2: Elbv2Model;
    readonly eventBridge: EventBridgeModel;
  };
  readonly runtime: LambdaRuntime;
  readonly deps: TaskStarterDeps;
  readonly config: TaskStarterConfig;
  readonly metrics: InMemoryMetricRecorder;
  readonly clusterArn: string;
  readonly containerInstance: { readonly arn: string; readonly ec2InstanceId: string };
  readonly targetGroups: { readonly web: string; readonly legacy: string };
  readonly taskDefinitions: {
    readonly web: string;
    readonly legacy: string;
    readonly edge: string;
  };
  /** Events whose delivery to a function failed for good (the functions' dead-letter queue). */
  readonly deadLetters: readonly DeliveryFailure[];
  /** Publishes a start event on the default bus; returns its id. */
  sendStartEvent(detail: StartDetail, id?: string): string;
  /** Invokes the synchronous start function directly. */
  invokeStartSync(detail: StartDetail, id?: string): Promise<InvocationResult>;
  /** Invokes the reconcile function. */
  reconcile(): Promise<InvocationResult>;
  /** Lambda seconds billed so far (sum of invocation durations), per function name. */
  lambdaSeconds(): Readonly<Record<string, number>>;
}

/** Builds the deployment. Drive it with `clock.run`/`clock.advance`. */
export function createTaskStarterDeployment(
  options: TaskStarterDeploymentOptions = {},
): TaskStarterDeployment {
  const seed = options.seed ?? 1;
  const clock = options.shared?.clock ?? VirtualClock.create();
  const region = SIMULATION_REGION;
  const latencyMs = options.apiLatencyMs ?? 50;
  const prefix = options.namePrefix ?? '';
  const eventBridge =
    options.shared?.eventBridge ??
    new EventBridgeModel({ clock, region, random: deriveSeed(seed, 'events') });
  const ecsModel = new EcsModel({
    clock,
    region,
    latencyMs,
    random: deriveSeed(seed, 'ecs'),
    startMs: options.startMs ?? { min: 15_000, max: 120_000 },
    ...options.ecs,
    events: eventBridge,
  });
  const elbv2Model =
    options.shared?.elbv2 ??
    new Elbv2Model({ clock, region, latencyMs, random: deriveSeed(seed, 'elbv2') });

  // ---- the world ----
  const clusterArn = ecsModel.addCluster({ name: CLUSTER, capacityProviders: ['FARGATE'] });
  ecsModel.addSubnet({ subnetId: SUBNETS.a, cidr: '10.0.1.0/24', availabilityZone: `${region}a` });
  ecsModel.addSubnet({ subnetId: SUBNETS.b, cidr: '10.0.2.0/24', availabilityZone: `${region}b` });
  ecsModel.addSubnet({
    subnetId: SUBNETS.peered,
    cidr: '172.31.0.0/24',
    availabilityZone: `${region}a`,
  });
  const containerInstance = ecsModel.addContainerInstance({
    cluster: CLUSTER,
    cpu: 4096,
    memory: 8192,
  });
  const web = ecsModel.registerTaskDefinition({
    family: 'web',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      { name: 'app', image: 'nginx:1', portMappings: [{ containerPort: 8080 }] },
      { name: 'sidecar', image: 'envoy:1', essential: false },
    ],
  });
  const legacy = ecsModel.registerTaskDefinition({
    family: 'legacy',
    networkMode: 'bridge',
    containerDefinitions: [
      {
        name: 'app',
        image: 'legacy:1',
        cpu: 256,
        memory: 512,
        portMappings: [{ containerPort: 80 }],
      },
    ],
  });
  const edge = ecsModel.registerTaskDefinition({
    family: 'edge',
    networkMode: 'host',
    containerDefinitions: [
      {
        name: 'proxy',
        image: 'haproxy:2',
        cpu: 256,
        memory: 256,
        portMappings: [{ containerPort: 8443 }],
      },
    ],
  });
  const targetSettings = {
    healthyAfterMs: options.healthyAfterMs ?? 20_000,
    deregistrationDelayMs: options.deregistrationDelayMs ?? 60_000,
  };
  const webGroup = elbv2Model.addTargetGroup({
    name: `${prefix}web`,
    targetType: 'ip',
    port: 8080,
    vpcCidr: VPC_CIDR,
    ...targetSettings,
  });
  const legacyGroup = elbv2Model.addTargetGroup({
    name: `${prefix}legacy`,
    targetType: 'instance',
    port: 80,
    vpcCidr: VPC_CIDR,
    ...targetSettings,
  });
  const lb = elbv2Model.addLoadBalancer({ name: `${prefix}apps` });
  elbv2Model.addListener({
    loadBalancerArn: lb,
    defaultActions: [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: webGroup, Weight: 1 },
            { TargetGroupArn: legacyGroup, Weight: 1 },
          ],
        },
      },
    ],
  });

  // ---- the clients and the handlers, configured through the environment ----
  const resilience = {
    clock,
    registry: new LimiterRegistry({ clock, env: {} }),
    env: {},
    random: createRandom(deriveSeed(seed, 'retry')),
  };
  const ecs = createResilientClient(ECSClient, { region }, resilience);
  const elbv2 = createResilientClient(ElasticLoadBalancingV2Client, { region }, resilience);
  mountModel(ecs, ecsModel, { exceptions: ecsSdk });
  mountModel(elbv2, elbv2Model, { exceptions: elbv2Sdk });
  const env: Record<string, string | undefined> = {
    [V.cluster]: CLUSTER,
    [V.taskDefinition]: 'web',
    [V.targetGroupArn]: webGroup,
    [V.subnets]: JSON.stringify([SUBNETS.a, SUBNETS.b]),
    [V.securityGroups]: JSON.stringify([SECURITY_GROUP]),
    [V.launchType]: 'FARGATE',
    [V.targetGroupVpcCidrs]: VPC_CIDR,
    [V.allowedClusters]: CLUSTER,
    [V.allowedTargetGroupArns]: JSON.stringify([webGroup, legacyGroup]),
    ...options.env,
  };
  const config = parseTaskStarterConfig(env);
  const metrics = new InMemoryMetricRecorder();
  const random = createRandom(deriveSeed(seed, 'starter'));
  const deps: TaskStarterDeps = {
    config,
    clients: { ecs, elbv2 },
    clock,
    logger: options.logger ?? silentLogger,
    metrics,
    random,
  };
  const runtime = new LambdaRuntime({ clock, region });
  const syncTimeoutMs = syncFunctionTimeoutSeconds(config) * 1000;
  runtime.register({
    name: FUNCTION_NAMES.start,
    handler: createStartHandler(deps),
    timeoutMs: SHORT_TIMEOUT_MS,
  });
  runtime.register({
    name: FUNCTION_NAMES.startSync,
    handler: createStartSyncHandler(deps),
    timeoutMs: syncTimeoutMs,
  });
  runtime.register({
    name: FUNCTION_NAMES.taskState,
    handler: createTaskStateHandler(deps),
    timeoutMs: SHORT_TIMEOUT_MS + config.waitForHealthySeconds * 1000,
  });
  runtime.register({
    name: FUNCTION_NAMES.reconcile,
    handler: createReconcileHandler(deps),
    timeoutMs: 120_000,
  });

  const deadLetters: DeliveryFailure[] = [];
  const retryPolicy = (role: TaskStarterHandlerRole) => ({
    maximumRetryAttempts: options.maximumRetryAttempts ?? TaskStarterAsyncRetryAttempts[role],
  });
  const startRole: TaskStarterHandlerRole =
    (options.mode ?? 'event-driven') === 'event-driven' ? 'start' : 'startSync';
  const startFunction = FUNCTION_NAMES[startRole];
  eventBridge.putRule({
    name: `${prefix}task-starter-start`,
    eventPattern: startEventPattern(),
    targets: [
      {
        type: 'lambda',
        id: 'start',
        runtime,
        functionName: startFunction,
        retryPolicy: retryPolicy(startRole),
        deadLetter: (failure) => {
          deadLetters.push(failure);
        },
      },
    ],
  });
  eventBridge.putRule({
    name: `${prefix}task-starter-task-state`,
    eventPattern: taskStateChangePattern({
      startedByPrefix: config.startedByPrefix,
      clusterArns: [clusterArn],
    }),
    targets: [
      {
        type: 'lambda',
        id: 'task-state',
        runtime,
        functionName: FUNCTION_NAMES.taskState,
        retryPolicy: retryPolicy('taskState'),
        deadLetter: (failure) => {
          deadLetters.push(failure);
        },
      },
    ],
  });

  let ids = 0;
  const startEvent = (detail: StartDetail, id: string): EventBridgeEvent => ({
    version: '0',
    id,
    'detail-type': START_EVENT_DETAIL_TYPE,
    source: START_EVENT_SOURCE,
    account: '123456789012',
    time: new Date(clock.now()).toISOString(),
    region,
    resources: [],
    detail,
  });
  return {
    clock,
    models: { ecs: ecsModel, elbv2: elbv2Model, eventBridge },
    runtime,
    deps,
    config,
    metrics,
    clusterArn,
    containerInstance: {
      arn: containerInstance.containerInstanceArn,
      ec2InstanceId: containerInstance.ec2InstanceId,
    },
    targetGroups: { web: webGroup, legacy: legacyGroup },
    taskDefinitions: { web, legacy, edge },
    deadLetters,
    sendStartEvent: (detail, id = `start-${seed}-${++ids}`) => {
      eventBridge.publish(startEvent(detail, id));
      return id;
    },
    invokeStartSync: (detail, id = `start-${seed}-${++ids}`) =>
      runtime.invoke(FUNCTION_NAMES.startSync, startEvent(detail, id)),
    reconcile: () => runtime.invoke(FUNCTION_NAMES.reconcile, { source: 'aws.scheduler' }),
    lambdaSeconds: () => {
      const totals: Record<string, number> = {};
      for (const record of runtime.invocations()) {
        totals[record.functionName] = (totals[record.functionName] ?? 0) + record.durationMs / 1000;
      }
      return totals;
    },
  };
}
