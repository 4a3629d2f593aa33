/**
 * A load-shedding world for the handler tests: the kit's resilient SDK clients mounted on the
 * ELBv2, CloudWatch, SQS and DynamoDB models, all on one isolated virtual clock, with
 *
 * - listener 1 (HTTPS 443): default rule forward primary 100 / spare 0, and a rule (priority 10)
 *   with an 80/20 canary (primary/spare) behind Cognito authentication, with stickiness;
 * - listener 2 (8443): default rule forward primary 160 / spare 40 (a raw, non-100 split), and
 *   a rule (priority 5) that forwards to another target group only;
 * - the alarm `shop-5xx` (a metric alarm, starts INSUFFICIENT_DATA), whose state change events
 *   are collected;
 * - the standard check queue with a dead-letter queue, and the state table.
 */
import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  LoadSheddingEnvVars as V,
  parseLoadSheddingConfig,
  parseTargetGroupArn,
  type CheckMessage,
} from '../../../src/load-shedding/contract.js';
import { createAlarmEventHandler } from '../../../src/load-shedding/handlers/alarm-event.js';
import { createCheckQueueHandler } from '../../../src/load-shedding/handlers/check-queue.js';
import type { LoadSheddingDeps } from '../../../src/load-shedding/handlers/deps.js';
import type { LoadSheddingState } from '../../../src/load-shedding/state.js';
import type { OpsLogger } from '../../../src/observability/logger.js';
import {
  createCheckQueues,
  createSimulatedServices,
  createStateTable,
  deployHandlers,
} from '../../../src/load-shedding/simulator/deployment.js';
import { InMemoryMetricRecorder } from '../../../src/observability/metrics.js';
import type { RetryConfig } from '../../../src/resilience/retry-config.js';
import type { AlarmStateChangeEvent } from '../../../src/simulation/models/cloudwatch.js';
import type { DynamoDbModel } from '../../../src/simulation/models/dynamodb.js';
import type { ReceivedMessage } from '../../../src/simulation/models/sqs.js';
import type { ThrottlingApiStats } from '../../../src/simulation/models/throttling-api.js';
import type { ServiceModel } from '../../../src/simulation/service-model.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';
import { addCanaryListener, forward } from '../../helpers/elbv2.js';

export const REGION = 'eu-west-1';
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export const ALARM_NAME = 'shop-5xx';
export const TABLE = 'load-shedding-state';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  /** Every attribute object passed, merged. */
  readonly attributes: Record<string, unknown>;
}

export type RecordingLogger = OpsLogger & { readonly lines: LogLine[] };

/** Keeps every line with its attributes (as Powertools would merge them). */
export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (input: unknown, ...extra: unknown[]): void => {
      const attributes: Record<string, unknown> = {};
      for (const item of extra) {
        if (typeof item === 'object' && item !== null) Object.assign(attributes, item);
      }
      lines.push({ level, message: String(input), attributes });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface WorldOptions {
  /** Environment overrides (variable name → value); `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Wraps the DynamoDB model (e.g. to interfere with saves). */
  readonly wrapDynamoDb?: (model: DynamoDbModel) => ServiceModel;
  /** Virtual latency of each DynamoDB request (lets concurrent invocations race). */
  readonly dynamoDbLatencyMs?: number;
  /** The clients' retry settings. @default - the kit's defaults, with seeded jitter */
  readonly retry?: Partial<RetryConfig>;
}

export type World = Awaited<ReturnType<typeof createWorld>>;

export async function createWorld(options: WorldOptions = {}) {
  const clock = VirtualClock.create();
  const { models, clients } = createSimulatedServices({
    clock,
    region: REGION,
    retrySeed: 11,
    retry: options.retry,
    dynamoDbLatencyMs: options.dynamoDbLatencyMs,
    wrapDynamoDb: options.wrapDynamoDb,
  });
  const { elbv2: elbv2Model, cloudwatch: cloudwatchModel, sqs: sqsModel } = models;
  const { cloudwatch } = clients;

  // ---- the load balancer ----
  const lb = elbv2Model.addLoadBalancer({ name: 'shop' });
  const primary = elbv2Model.addTargetGroup({ name: 'primary' });
  const spare = elbv2Model.addTargetGroup({ name: 'spare' });
  const other = elbv2Model.addTargetGroup({ name: 'other' });
  const { listener: listener1, canaryRule } = addCanaryListener(elbv2Model, lb, [primary, spare], {
    forwardOrder: 2,
    stickinessSeconds: 600,
  });
  const listener2 = elbv2Model.addListener({
    loadBalancerArn: lb,
    port: 8443,
    defaultActions: [forward([primary, 160], [spare, 40])],
  });
  const otherRule = elbv2Model.addRule({
    listenerArn: listener2.listenerArn,
    priority: 5,
    actions: [forward([other, 1])],
  });

  // ---- the alarm, the queues, the table ----
  await clock.run(() =>
    cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: ALARM_NAME,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: [{ Name: 'TargetGroup', Value: parseTargetGroupArn(primary)?.resource ?? '' }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    ),
  );
  const alarmEvents: AlarmStateChangeEvent[] = [];
  cloudwatchModel.subscribe((event) => alarmEvents.push(event));
  // Three receives, not the construct's five: the dead-letter tests stay short.
  const { queue, dlq } = createCheckQueues(sqsModel, 3);
  createStateTable(models.dynamodb, TABLE);

  const env: Record<string, string | undefined> = {
    [V.primaryTargetGroupArn]: primary,
    [V.listenerArns]: JSON.stringify([listener1.listenerArn, listener2.listenerArn]),
    [V.alarmName]: ALARM_NAME,
    [V.shedPercent]: '10',
    [V.restorePercent]: '10',
    [V.maxShedPercent]: '30',
    [V.shedDelaySeconds]: '60',
    [V.restoreDelaySeconds]: '120',
    [V.maxInsufficientDataChecks]: '3',
    [V.stateTableName]: TABLE,
    [V.checkQueueUrl]: queue.url,
    ...options.env,
  };
  const config = parseLoadSheddingConfig(env);
  const logger = recordingLogger();
  const metrics = new InMemoryMetricRecorder();
  let idCount = 0;
  let flushes = 0;
  const deps: LoadSheddingDeps = {
    config,
    clients,
    clock,
    logger,
    metrics,
    newId: () => `id-${++idCount}`,
    flushMetrics: () => {
      flushes++;
    },
  };
  const alarmHandler = createAlarmEventHandler(deps);
  const checkHandler = createCheckQueueHandler(deps);

  /** Weights of a rule by target group name, e.g. `{ primary: 80, spare: 20 }`. */
  const weights = (ruleArn: string): Record<string, number> => {
    const names = new Map([
      [primary, 'primary'],
      [spare, 'spare'],
      [other, 'other'],
    ]);
    const rule = elbv2Model.rule(ruleArn);
    const action = rule.Actions?.find((a) => a.Type === 'forward');
    return Object.fromEntries(
      (action?.ForwardConfig?.TargetGroups ?? []).map((g): [string, number] => [
        names.get(g.TargetGroupArn ?? '') ?? String(g.TargetGroupArn),
        g.Weight ?? 1,
      ]),
    );
  };

  /** The three managed rules' weights, in a fixed order. */
  const managed = () => ({
    default1: weights(listener1.defaultRuleArn),
    canary: weights(canaryRule),
    default2: weights(listener2.defaultRuleArn),
  });

  /** SetAlarmState through the API; call it inside `clock.run`. */
  const setAlarmState = (state: AlarmState) =>
    cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: ALARM_NAME, StateValue: state, StateReason: 'test' }),
    );

  /** Moves the alarm to `state` through the API and returns the event CloudWatch emitted. */
  const setAlarm = async (state: AlarmState) => {
    const before = alarmEvents.length;
    await clock.run(() => setAlarmState(state));
    if (alarmEvents.length !== before + 1) throw new Error(`the alarm was already ${state}`);
    return alarmEvents[before];
  };

  /** Invokes the alarm handler with `event` on virtual time. */
  const onAlarmEvent = (event: unknown) => clock.run(() => alarmHandler(event));

  /** The messages waiting in the check queue (delayed, visible or in flight). */
  const queued = () => sqsModel.messages(queue.url);
  const queuedChecks = (): CheckMessage[] =>
    queued().map((m) => JSON.parse(m.body) as CheckMessage);

  /** Moves virtual time to when the next queued check becomes visible. */
  const advanceToNextCheck = async (): Promise<void> => {
    const due = queued()
      .filter((m) => m.state === 'delayed')
      .map((m) => m.visibleAt);
    if (due.length === 0) throw new Error('no delayed check in the queue');
    await clock.advanceTo(Math.min(...due));
  };

  /**
   * Plays the event source mapping once: receives the visible checks, invokes the check
   * handler with them as Lambda's SQS event, deletes the ones not reported as failures.
   */
  const deliverChecks = async () => {
    const messages = await clock.run(() =>
      sqsModel.receiveMessages(queue.url, { maxNumberOfMessages: 10, waitTimeSeconds: 0 }),
    );
    const event = sqsEvent(messages, queue.arn);
    const result = await clock.run(() => checkHandler(event));
    const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
    for (const message of messages) {
      if (!failed.has(message.MessageId)) sqsModel.deleteMessage(queue.url, message.ReceiptHandle);
    }
    return { result, event, messages };
  };

  /** Advances to the next check and delivers it. */
  const nextCheck = async () => {
    await advanceToNextCheck();
    return deliverChecks();
  };

  /**
   * Deploys the handlers as the construct does (batch size 1, partial batch responses), so that
   * everything then runs by itself on virtual time.
   */
  const deploy = (timeoutMs?: number) =>
    deployHandlers({
      clock,
      region: REGION,
      models,
      alarmName: ALARM_NAME,
      queueUrl: queue.url,
      handlers: { alarmEvent: alarmHandler, checkQueue: checkHandler },
      timeoutMs,
      batchSize: 1,
    });

  /** Outcomes of the steps carried out so far, from the handlers' summary lines. */
  const outcomes = (): string[] =>
    logger.lines
      .filter((line) => line.message === 'Load-shedding step done.')
      .map((line) => String(line.attributes.outcome));

  /** Calls of one operation that reached a model. */
  const calls = (model: { stats(): ThrottlingApiStats }, operation: string): number =>
    model.stats().byOperation[operation]?.calls ?? 0;

  /** The stored state item, as the state store reads it. */
  const state = (): LoadSheddingState | undefined => {
    const item = models.dynamodb.item(TABLE, { pk: { S: primary } });
    if (item === undefined) return undefined;
    const { pk: _pk, ...fields } = unmarshall(item);
    return fields as LoadSheddingState;
  };

  return {
    clock,
    deploy,
    models,
    clients,
    arns: {
      lb,
      primary,
      spare,
      other,
      listener1: listener1.listenerArn,
      listener2: listener2.listenerArn,
      default1: listener1.defaultRuleArn,
      default2: listener2.defaultRuleArn,
      canary: canaryRule,
      otherRule,
    },
    queue,
    dlq,
    env,
    config,
    deps,
    logger,
    metrics,
    flushes: () => flushes,
    alarmEvents,
    alarmHandler,
    checkHandler,
    weights,
    managed,
    setAlarm,
    setAlarmState,
    outcomes,
    calls,
    onAlarmEvent,
    queued,
    queuedChecks,
    advanceToNextCheck,
    deliverChecks,
    nextCheck,
    state,
  };
}

/** Lambda's SQS event for received messages (the record shape Lambda documents). */
export function sqsEvent(messages: readonly ReceivedMessage[], queueArn: string) {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId,
      receiptHandle: m.ReceiptHandle,
      body: m.Body,
      attributes: { ...m.Attributes },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: REGION,
    })),
  };
}

/** An SQS record around `body`, as Lambda would deliver it. */
export function sqsRecord(messageId: string, body: string, queueArn: string) {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1735689600000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1735689600000',
    },
    messageAttributes: {},
    md5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: REGION,
  };
}
