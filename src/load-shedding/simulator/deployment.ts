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
import { InMemoryMetricRecorder } from '../../observability/metrics.js';
import { LimiterRegistry } from '../../resilience/limiter-registry.js';
import { createResilientClient } from '../../resilience/resilient-client.js';
import { LambdaRuntime } from '../../simulation/lambda-runtime.js';
import { CloudWatchModel, type AlarmEvaluationHandle } from '../../simulation/models/cloudwatch.js';
import { DynamoDbModel } from '../../simulation/models/dynamodb.js';
import { Elbv2Model } from '../../simulation/models/elbv2.js';
import { EventBridgeModel } from '../../simulation/models/eventbridge.js';
import { SqsEventSourceMapping } from '../../simulation/models/sqs-event-source.js';
import { SqsModel } from '../../simulation/models/sqs.js';
import { createRandom, deriveSeed } from '../../simulation/random.js';
import { mountModel } from '../../simulation/sdk-mount.js';
import { VirtualClock } from '../../simulation/virtual-clock.js';
import {
  LoadSheddingEnvVars as V,
  alarmStateChangePattern,
  parseLoadSheddingConfig,
  parseTargetGroupArn,
  type LoadSheddingConfig,
  type TargetGroupArnParts,
} from '../contract.js';
import { createAlarmEventHandler } from '../handlers/alarm-event.js';
import { createCheckQueueHandler } from '../handlers/check-queue.js';
import type { LoadSheddingDeps } from '../handlers/deps.js';
import { stepRecordingLogger, type StepRecord } from './step-log.js';
import { PRIMARY, buildLayout, type Layout, type LayoutRule } from './layout.js';
import type { Scenario } from './scenario.js';

export const SIMULATION_REGION = 'us-east-1';
export const ALARM_NAME = 'primary-overload';
/** CloudWatch refuses PutMetricData into `AWS/` namespaces, so the ALB metric lives here. */
export const METRIC_NAMESPACE = 'OpsKit/Simulation/ApplicationELB';
export const STATE_TABLE = 'load-shedding-state';
const HANDLER_TIMEOUT_MS = 30_000;

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

/** Builds the deployment for `scenario`: models, clients, alarm, queues, table, handlers. */
export async function createLoadSheddingDeployment(
  scenario: Scenario,
): Promise<LoadSheddingDeployment> {
  const seed = scenario.seed;
  const clock = VirtualClock.create();
  let seq = 0;
  const elbv2Calls: Elbv2Call[] = [];
  const region = SIMULATION_REGION;
  const common = { clock, region };
  const elbv2Model = new Elbv2Model({
    ...common,
    random: deriveSeed(seed, 'elbv2'),
    defaultPageSize: scenario.describePageSize,
    onCall: (event) =>
      elbv2Calls.push({
        seq: ++seq,
        time: event.time,
        operation: event.operation,
        outcome: event.outcome,
      }),
  });
  const eventBridge = new EventBridgeModel({ ...common, random: deriveSeed(seed, 'events') });
  const cloudwatchModel = new CloudWatchModel({
    ...common,
    events: eventBridge,
    random: deriveSeed(seed, 'cloudwatch'),
  });
  const sqsModel = new SqsModel({ ...common, random: deriveSeed(seed, 'sqs') });
  const dynamoDbModel = new DynamoDbModel({ ...common, random: deriveSeed(seed, 'dynamodb') });

  const resilience = {
    clock,
    registry: new LimiterRegistry({ clock, env: {} }),
    env: {},
    random: createRandom(deriveSeed(seed, 'retry')),
  };
  const elbv2 = createResilientClient(ElasticLoadBalancingV2Client, { region }, resilience);
  const cloudwatch = createResilientClient(CloudWatchClient, { region }, resilience);
  const sqs = createResilientClient(SQSClient, { region }, resilience);
  const dynamodb = createResilientClient(DynamoDBClient, { region }, resilience);
  mountModel(elbv2, elbv2Model, { exceptions: elbv2Sdk });
  mountModel(cloudwatch, cloudwatchModel, { exceptions: cloudwatchSdk });
  mountModel(sqs, sqsModel, { exceptions: sqsSdk });
  mountModel(dynamodb, dynamoDbModel, { exceptions: dynamodbSdk });

  // ---- the load balancer ----
  const layout = buildLayout(scenario.layout);
  const lb = elbv2Model.addLoadBalancer({ name: 'simulated-alb' });
  const targetGroupArns = Object.fromEntries(
    layout.targetGroups.map((name) => [name, elbv2Model.addTargetGroup({ name })]),
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
  const dlq = sqsModel.createQueue({ name: 'load-shedding-checks-dlq' });
  const queue = sqsModel.createQueue({
    name: 'load-shedding-checks',
    visibilityTimeoutSeconds: 30,
    redrivePolicy: { deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 },
  });
  dynamoDbModel.createTable({
    name: STATE_TABLE,
    partitionKey: { name: 'pk', type: 'S' },
    ttl: { attributeName: 'expiresAt' },
  });

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
    clients: { elbv2, cloudwatch, sqs, dynamodb },
    clock,
    logger,
    metrics: new InMemoryMetricRecorder(),
    newId: () => `sim-${seed}-${++ids}`,
  };
  const runtime = new LambdaRuntime(common);
  runtime.register({
    name: 'alarm-event',
    handler: createAlarmEventHandler(deps),
    timeoutMs: HANDLER_TIMEOUT_MS,
  });
  runtime.register({
    name: 'check-queue',
    handler: createCheckQueueHandler(deps),
    timeoutMs: HANDLER_TIMEOUT_MS,
  });
  eventBridge.putRule({
    name: 'load-shedding-alarm',
    eventPattern: alarmStateChangePattern(cloudwatchModel.alarm(ALARM_NAME).AlarmArn as string),
    targets: [{ type: 'lambda', id: 'alarm-event', runtime, functionName: 'alarm-event' }],
  });
  const mapping = new SqsEventSourceMapping({
    sqs: sqsModel,
    queueUrl: queue.url,
    runtime,
    functionName: 'check-queue',
    batchSize: 10,
    reportBatchItemFailures: true,
  });

  return {
    clock,
    models: {
      elbv2: elbv2Model,
      cloudwatch: cloudwatchModel,
      eventBridge,
      sqs: sqsModel,
      dynamodb: dynamoDbModel,
    },
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
