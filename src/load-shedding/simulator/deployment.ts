/**
 * A load-shedding deployment on the simulation models, as the construct deploys it on AWS: the
 * kit's resilient SDK clients mounted on ELBv2, CloudWatch, SQS and DynamoDB models on one
 * isolated virtual clock; the alarm on the primary's metric, evaluated each minute; an
 * EventBridge rule for its state changes that invokes the REAL alarm-event handler through the
 * Lambda runtime; the check queue (with a dead-letter queue) whose event source mapping, with
 * ReportBatchItemFailures, invokes the REAL check-queue handler; the state table.
 *
 * It records what the scenario reports need: every ELBv2 call (operation, time, order), every
 * step the handlers summarise ("Load-shedding step done."), and every error they log.
 */
import * as cloudwatchSdk from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as elbv2Sdk from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ElasticLoadBalancingV2Client,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import * as sqsSdk from '@aws-sdk/client-sqs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { InMemoryMetricRecorder, type MetricRecorder } from '../../observability/metrics.js';
import { LimiterRegistry } from '../../resilience/limiter-registry.js';
import { createResilientClient } from '../../resilience/resilient-client.js';
import type { RetryConfig } from '../../resilience/retry-config.js';
import { LambdaRuntime } from '../../simulation/lambda-runtime.js';
import { CloudWatchModel, type AlarmEvaluationHandle } from '../../simulation/models/cloudwatch.js';
import { DynamoDbModel } from '../../simulation/models/dynamodb.js';
import {
  Elbv2Model,
  type AddTargetGroupOptions,
  type Elbv2ModelOptions,
} from '../../simulation/models/elbv2.js';
import { EventBridgeModel } from '../../simulation/models/eventbridge.js';
import { SqsEventSourceMapping } from '../../simulation/models/sqs-event-source.js';
import { SqsModel, type QueueInfo } from '../../simulation/models/sqs.js';
import { createRandom, deriveSeed, type Seed } from '../../simulation/random.js';
import { mountModel } from '../../simulation/sdk-mount.js';
import type { ServiceModel } from '../../simulation/service-model.js';
import { VirtualClock } from '../../simulation/virtual-clock.js';
import {
  LoadSheddingEnvVars as V,
  alarmStateChangePattern,
  parseLoadSheddingConfig,
  parseTargetGroupArn,
  type LoadSheddingConfig,
  type TargetGroupArnParts,
} from '../contract.js';
import { createAlarmEventHandler, type AlarmEventHandler } from '../handlers/alarm-event.js';
import { createCheckQueueHandler, type CheckQueueHandler } from '../handlers/check-queue.js';
import type { LoadSheddingClients, LoadSheddingDeps } from '../handlers/deps.js';
import { stepRecordingLogger, type StepRecord } from './step-log.js';
import { PRIMARY, buildLayout, type Layout, type LayoutRule } from './layout.js';
import type { Scenario } from './scenario.js';

export const SIMULATION_REGION = 'us-east-1';
export const ALARM_NAME = 'primary-overload';
/** CloudWatch refuses PutMetricData into `AWS/` namespaces, so the ALB metric lives here. */
export const METRIC_NAMESPACE = 'OpsKit/Simulation/ApplicationELB';
export const STATE_TABLE = 'load-shedding-state';
const HANDLER_TIMEOUT_MS = 30_000;
/** The construct's redrive setting (LOAD_SHEDDING_RESOURCE_SETTINGS.maxReceiveCount). */
const MAX_RECEIVE_COUNT = 5;

const METRICS = {
  '5xx': { name: 'HTTPCode_Target_5XX_Count', unit: 'Count' },
  latency: { name: 'TargetResponseTime', unit: 'Seconds' },
} as const satisfies Record<Scenario['alarm']['metric'], { name: string; unit: StandardUnit }>;

/** One ELBv2 API call that reached the model. */
export interface Elbv2Call {
  readonly seq: number;
  readonly time: number;
  readonly operation: string;
  readonly outcome: string;
}

/** One alarm state change, as CloudWatch announced it. */
export interface AlarmTransitionRecord {
  readonly time: number;
  readonly from: string;
  readonly to: string;
}

/** A managed rule, deployed: its ARN and where it lives. */
export interface DeployedRule extends LayoutRule {
  readonly ruleArn: string;
  readonly listenerArn: string;
}

export interface LoadSheddingDeployment {
  readonly clock: VirtualClock;
  readonly models: {
    readonly elbv2: Elbv2Model;
    readonly cloudwatch: CloudWatchModel;
    readonly eventBridge: EventBridgeModel;
    readonly sqs: SqsModel;
    readonly dynamodb: DynamoDbModel;
  };
  readonly runtime: LambdaRuntime;
  readonly mapping: SqsEventSourceMapping;
  readonly config: LoadSheddingConfig;
  readonly layout: Layout;
  readonly rules: readonly DeployedRule[];
  /** ARN by the layout's target group name. */
  readonly targetGroupArns: Readonly<Record<string, string>>;
  readonly dlqUrl: string;
  readonly elbv2Calls: readonly Elbv2Call[];
  readonly steps: readonly StepRecord[];
  readonly alarmTransitions: readonly AlarmTransitionRecord[];
  /** Error lines the handlers logged. */
  readonly errorLogs: readonly string[];
  /** Puts one datum of the alarm's metric, timestamped `time`. */
  putMetric(value: number, time: number): Promise<void>;
  /** Evaluates the alarm every minute from now on. */
  startAlarmEvaluation(): AlarmEvaluationHandle;
  /** The alarm's current state. */
  alarmState(): string;
  /** Stops the event source mapping (call inside `clock.run`). */
  stop(): Promise<void>;
}

/** What the simulated services are built with; anything not given is the model's default. */
export interface SimulatedServicesOptions {
  readonly clock: VirtualClock;
  readonly region: string;
  /** Seeds each model's random faults (a seed derived per service). @default - each model's own */
  readonly seed?: Seed;
  /** Seeds the clients' retry jitter. */
  readonly retrySeed: Seed;
  /** The clients' retry settings. @default - the kit's defaults */
  readonly retry?: Partial<RetryConfig>;
  /** ELBv2 model settings beyond the account. */
  readonly elbv2?: Pick<Elbv2ModelOptions, 'defaultPageSize' | 'onCall'>;
  /** Virtual latency of each DynamoDB request. @default 0 */
  readonly dynamoDbLatencyMs?: number;
  /** Wraps the DynamoDB model the client is mounted on (e.g. to interfere with saves). */
  readonly wrapDynamoDb?: (model: DynamoDbModel) => ServiceModel;
}

/** The services the handlers use, as models, and the kit's resilient clients mounted on them. */
export interface SimulatedServices {
  readonly models: LoadSheddingDeployment['models'];
  readonly clients: LoadSheddingClients;
}

/** Builds the ELBv2, EventBridge, CloudWatch, SQS and DynamoDB models and mounts the clients. */
export function createSimulatedServices(options: SimulatedServicesOptions): SimulatedServices {
  const { clock, region, seed } = options;
  const common = { clock, region };
  const seeded = (service: string) =>
    seed === undefined ? {} : { random: deriveSeed(seed, service) };
  const elbv2Model = new Elbv2Model({ ...common, ...seeded('elbv2'), ...options.elbv2 });
  const eventBridge = new EventBridgeModel({ ...common, ...seeded('events') });
  const cloudwatchModel = new CloudWatchModel({
    ...common,
    events: eventBridge,
    ...seeded('cloudwatch'),
  });
  const sqsModel = new SqsModel({ ...common, ...seeded('sqs') });
  const dynamoDbModel = new DynamoDbModel({
    ...common,
    ...seeded('dynamodb'),
    latencyMs: options.dynamoDbLatencyMs ?? 0,
  });

  const resilience = {
    clock,
    registry: new LimiterRegistry({ clock, env: {} }),
    env: {},
    random: createRandom(options.retrySeed),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  };
  const elbv2 = createResilientClient(ElasticLoadBalancingV2Client, { region }, resilience);
  const cloudwatch = createResilientClient(CloudWatchClient, { region }, resilience);
  const sqs = createResilientClient(SQSClient, { region }, resilience);
  const dynamodb = createResilientClient(DynamoDBClient, { region }, resilience);
  mountModel(elbv2, elbv2Model, { exceptions: elbv2Sdk });
  mountModel(cloudwatch, cloudwatchModel, { exceptions: cloudwatchSdk });
  mountModel(sqs, sqsModel, { exceptions: sqsSdk });
  mountModel(dynamodb, options.wrapDynamoDb?.(dynamoDbModel) ?? dynamoDbModel, {
    exceptions: dynamodbSdk,
  });
  return {
    models: {
      elbv2: elbv2Model,
      cloudwatch: cloudwatchModel,
      eventBridge,
      sqs: sqsModel,
      dynamodb: dynamoDbModel,
    },
    clients: { elbv2, cloudwatch, sqs, dynamodb },
  };
}

/** The check queue and its dead-letter queue, as the construct creates them. */
export function createCheckQueues(
  sqs: SqsModel,
  maxReceiveCount = MAX_RECEIVE_COUNT,
): { readonly queue: QueueInfo; readonly dlq: QueueInfo } {
  const dlq = sqs.createQueue({ name: 'load-shedding-checks-dlq' });
  const queue = sqs.createQueue({
    name: 'load-shedding-checks',
    visibilityTimeoutSeconds: 30,
    redrivePolicy: { deadLetterTargetArn: dlq.arn, maxReceiveCount },
  });
  return { queue, dlq };
}

/** The state table, as the construct creates it. */
export function createStateTable(dynamodb: DynamoDbModel, name: string): void {
  dynamodb.createTable({
    name,
    partitionKey: { name: 'pk', type: 'S' },
    ttl: { attributeName: 'expiresAt' },
  });
}

export interface HandlerDeploymentOptions {
  readonly clock: VirtualClock;
  readonly region: string;
  readonly models: Pick<SimulatedServices['models'], 'cloudwatch' | 'eventBridge' | 'sqs'>;
  /** The alarm whose state changes the EventBridge rule matches (it must exist). */
  readonly alarmName: string;
  readonly queueUrl: string;
  readonly handlers: {
    readonly alarmEvent: AlarmEventHandler;
    readonly checkQueue: CheckQueueHandler;
  };
  /** The functions' timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** The event source mapping's batch size (the construct deploys 1). */
  readonly batchSize: number;
}

/**
 * Deploys the handlers as the construct does: an EventBridge rule for the alarm's state changes
 * targets the alarm-event function; an event source mapping with ReportBatchItemFailures feeds
 * the check-queue function.
 */
export function deployHandlers(options: HandlerDeploymentOptions): {
  readonly runtime: LambdaRuntime;
  readonly mapping: SqsEventSourceMapping;
} {
  const { clock, region, models } = options;
  const timeoutMs = options.timeoutMs ?? HANDLER_TIMEOUT_MS;
  const runtime = new LambdaRuntime({ clock, region });
  runtime.register({ name: 'alarm-event', handler: options.handlers.alarmEvent, timeoutMs });
  runtime.register({ name: 'check-queue', handler: options.handlers.checkQueue, timeoutMs });
  models.eventBridge.putRule({
    name: 'load-shedding-alarm',
    eventPattern: alarmStateChangePattern(
      models.cloudwatch.alarm(options.alarmName).AlarmArn as string,
    ),
    targets: [{ type: 'lambda', id: 'alarm-event', runtime, functionName: 'alarm-event' }],
  });
  const mapping = new SqsEventSourceMapping({
    sqs: models.sqs,
    queueUrl: options.queueUrl,
    runtime,
    functionName: 'check-queue',
    batchSize: options.batchSize,
    reportBatchItemFailures: true,
  });
  return { runtime, mapping };
}

function forward(layout: LayoutRule, arns: Readonly<Record<string, string>>): Action {
  return {
    Type: 'forward',
    ForwardConfig: {
      TargetGroups: layout.targets.map((t) => ({
        TargetGroupArn: arns[t.targetGroup],
        Weight: t.weight,
      })),
    },
  };
}

/** What a deployment is built with beyond its scenario (for runs that add to it, e.g. the demo). */
export interface LoadSheddingDeploymentOptions {
  /**
   * Settings of the primary target group, e.g. `ip` targets in a VPC so that a task starter can
   * register tasks in it. @default - the model's defaults (an `instance` target group)
   */
  readonly primaryTargetGroup?: Omit<AddTargetGroupOptions, 'name'>;
  /** Receives the handlers' metrics. @default - kept in an InMemoryMetricRecorder nobody reads */
  readonly metrics?: MetricRecorder;
}

/** Builds the deployment for `scenario`: models, clients, alarm, queues, table, handlers. */
export async function createLoadSheddingDeployment(
  scenario: Scenario,
  options: LoadSheddingDeploymentOptions = {},
): Promise<LoadSheddingDeployment> {
  const seed = scenario.seed;
  const clock = VirtualClock.create();
  let seq = 0;
  const elbv2Calls: Elbv2Call[] = [];
  const region = SIMULATION_REGION;
  const { models, clients } = createSimulatedServices({
    clock,
    region,
    seed,
    retrySeed: deriveSeed(seed, 'retry'),
    elbv2: {
      defaultPageSize: scenario.describePageSize,
      onCall: (event) =>
        elbv2Calls.push({
          seq: ++seq,
          time: event.time,
          operation: event.operation,
          outcome: event.outcome,
        }),
    },
  });
  const { elbv2: elbv2Model, cloudwatch: cloudwatchModel, sqs: sqsModel } = models;
  const { cloudwatch } = clients;

  // ---- the load balancer ----
  const layout = buildLayout(scenario.layout);
  const lb = elbv2Model.addLoadBalancer({ name: 'simulated-alb' });
  const targetGroupArns = Object.fromEntries(
    layout.targetGroups.map((name) => [
      name,
      elbv2Model.addTargetGroup(
        name === PRIMARY ? { ...options.primaryTargetGroup, name } : { name },
      ),
    ]),
  );
  const rules: DeployedRule[] = [];
  for (let l = 1; l <= layout.listeners; l++) {
    const ofListener = layout.rules.filter((rule) => rule.listener === l);
    const [defaultRule, ...others] = ofListener;
    const listener = elbv2Model.addListener({
      loadBalancerArn: lb,
      port: 8000 + l,
      defaultActions: [forward(defaultRule, targetGroupArns)],
    });
    const { listenerArn } = listener;
    rules.push({ ...defaultRule, ruleArn: listener.defaultRuleArn, listenerArn });
    for (const rule of others) {
      const ruleArn = elbv2Model.addRule({
        listenerArn,
        priority: rule.priority as number, // only default rules have none
        conditions: [{ Field: 'path-pattern', Values: [rule.pathPattern as string] }],
        actions: [forward(rule, targetGroupArns)],
      });
      rules.push({ ...rule, ruleArn, listenerArn });
    }
  }

  // ---- the alarm, the queues, the table ----
  const metric = METRICS[scenario.alarm.metric];
  const dimensions = [
    {
      Name: 'TargetGroup',
      // The model built a valid ARN.
      Value: (parseTargetGroupArn(targetGroupArns[PRIMARY]) as TargetGroupArnParts).resource,
    },
  ];
  const { alarm } = scenario;
  await clock.run(() =>
    cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: ALARM_NAME,
        Namespace: METRIC_NAMESPACE,
        MetricName: metric.name,
        Dimensions: dimensions,
        Statistic: alarm.statistic,
        Period: scenario.stepSeconds,
        EvaluationPeriods: alarm.evaluationPeriods,
        DatapointsToAlarm: alarm.datapointsToAlarm,
        Threshold: alarm.threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: alarm.treatMissingData,
      }),
    ),
  );
  const alarmTransitions: AlarmTransitionRecord[] = [];
  cloudwatchModel.subscribe((event) =>
    alarmTransitions.push({
      time: clock.now(),
      from: event.detail.previousState.value,
      to: event.detail.state.value,
    }),
  );
  const { queue, dlq } = createCheckQueues(sqsModel);
  createStateTable(models.dynamodb, STATE_TABLE);

  // ---- the handlers, configured through the environment as the construct configures them ----
  const c = scenario.controller;
  const config = parseLoadSheddingConfig({
    [V.primaryTargetGroupArn]: targetGroupArns[PRIMARY],
    [V.listenerArns]: JSON.stringify([...new Set(rules.map((rule) => rule.listenerArn))]),
    [V.alarmName]: ALARM_NAME,
    [V.shedPercent]: String(c.shedPercent),
    [V.restorePercent]: String(c.restorePercent),
    [V.maxShedPercent]: String(c.maxShedPercent),
    [V.shedDelaySeconds]: String(c.shedDelaySeconds),
    [V.restoreDelaySeconds]: String(c.restoreDelaySeconds),
    [V.maxInsufficientDataChecks]: String(c.maxInsufficientDataChecks),
    [V.stateTableName]: STATE_TABLE,
    [V.checkQueueUrl]: queue.url,
    [V.dryRun]: String(c.dryRun),
  });
  const steps: StepRecord[] = [];
  const errorLogs: string[] = [];
  const logger = stepRecordingLogger(clock, () => ++seq, steps, errorLogs);
  let ids = 0;
  const deps: LoadSheddingDeps = {
    config,
    clients,
    clock,
    logger,
    metrics: options.metrics ?? new InMemoryMetricRecorder(),
    newId: () => `sim-${seed}-${++ids}`,
  };
  const { runtime, mapping } = deployHandlers({
    clock,
    region,
    models,
    alarmName: ALARM_NAME,
    queueUrl: queue.url,
    handlers: {
      alarmEvent: createAlarmEventHandler(deps),
      checkQueue: createCheckQueueHandler(deps),
    },
    // As the construct deploys it (LOAD_SHEDDING_RESOURCE_SETTINGS.batchSize): one check per
    // invocation. Not imported, to keep aws-cdk-lib out of the simulator's runtime path.
    batchSize: 1,
  });

  return {
    clock,
    models,
    runtime,
    mapping,
    config,
    layout,
    rules,
    targetGroupArns,
    dlqUrl: dlq.url,
    elbv2Calls,
    steps,
    alarmTransitions,
    errorLogs,
    putMetric: async (value, time) => {
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: METRIC_NAMESPACE,
          MetricData: [
            {
              MetricName: metric.name,
              Dimensions: dimensions,
              Unit: metric.unit,
              Value: value,
              Timestamp: new Date(time),
            },
          ],
        }),
      );
    },
    startAlarmEvaluation: () => cloudwatchModel.startAlarmEvaluation(scenario.stepSeconds * 1000),
    alarmState: () => cloudwatchModel.alarm(ALARM_NAME).StateValue as string,
    stop: () => mapping.stop(),
  };
}
