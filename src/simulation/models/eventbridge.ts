import { z } from 'zod';
import type { RandomSource } from '../../resilience/clock.js';
import { checkNonNegative } from '../config-checks.js';
import { SimulationConfigError } from '../errors.js';
import { sequentialUuid } from '../ids.js';
import { invocationErrorOf } from '../invocation-error.js';
import type { InvocationError, LambdaRuntime } from '../lambda-runtime.js';
import { chance, createRandom, randomSourceOf, type Seed } from '../random.js';
import { scheduleOn } from '../schedule.js';
import { SimulatedServiceError } from '../service-error.js';
import { OperationTable } from '../service-model.js';
import { validateInput } from '../validation.js';
import {
  checkTargetInput,
  targetPayload,
  type TargetInputOptions,
  type TargetPayload,
} from './eventbridge-input.js';
import { compileEventPattern, type EventPattern } from './eventbridge-patterns.js';
import { ThrottledServiceModel, type CommonModelOptions } from './model-base.js';
import type { SqsModel } from './sqs.js';
import type { ThrottlingApiModel } from './throttling-api.js';

/**
 * An in-memory Amazon EventBridge: event buses with rules (event patterns, see
 * `eventbridge-patterns.ts`) and targets, fed by `publish(event)` (other models, e.g.
 * CloudWatch alarm state changes) and by the PutEvents operation (SDK callers).
 *
 * Delivery is asynchronous on the virtual clock (`deliveryDelayMs` after the event) and
 * at-least-once: with `duplicateProbability`, a target also gets a second copy of an event
 * (same id), so handlers' idempotency can be tested. A failed delivery is retried, then handed
 * to the target's `deadLetter` handler (or dropped):
 *
 * - `function` and `lambda` targets follow Lambda's asynchronous invocation: a function error
 *   or timeout is retried `maximumRetryAttempts` times (0–2, default 2) one, then two minutes
 *   later; a throttle is retried with exponential backoff (1 s doubling to 5 min) without
 *   using up attempts; all within `maximumEventAgeSeconds` (60–21600, default 21600).
 * - `sqs` targets follow EventBridge's retry policy: `maximumRetryAttempts` 0–185 (default
 *   185) with exponential backoff (1 s doubling to 5 min, seeded jitter) within
 *   `maximumEventAgeSeconds` (60–86400, default 86400).
 *
 * A target's `input`, `inputPath` or `inputTransformer` (see `eventbridge-input.ts`, at most
 * one, checked by putTargets) replaces the event it gets: a `function` or `lambda` target gets
 * the JSON value (or the text, when a text template does not make JSON), an `sqs` target the
 * text as the message body.
 *
 * Simplifications: no archives, replays, API destinations, cross-account buses or schema
 * registry; rules are managed with `putRule` (not the SDK); the event size limit is checked on
 * PutEvents entries only; input transformers follow the documented rules, where the docs are
 * silent see `eventbridge-input.ts`. `@aws-sdk/client-eventbridge` is not a dependency, so
 * PutEvents is typed here with the SDK's field names.
 */

/** An event as EventBridge delivers it to targets. */
export interface EventBridgeEvent<Detail = unknown> {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
}

/** Where models send their events (the EventBridge model, or a test's collector). */
export interface EventPublisher {
  publish(event: EventBridgeEvent): void;
}

export interface RetryPolicy {
  readonly maximumRetryAttempts?: number;
  readonly maximumEventAgeSeconds?: number;
}

export type DeliveryFailureReason = 'RetriesExhausted' | 'MaximumEventAgeExceeded';

/** What a dead-letter handler receives. */
export interface DeliveryFailure {
  readonly event: EventBridgeEvent;
  readonly eventBusName: string;
  readonly ruleName: string;
  readonly targetId: string;
  /** Delivery attempts made (including throttled ones). */
  readonly attempts: number;
  readonly reason: DeliveryFailureReason;
  readonly error: InvocationError;
}

interface TargetBase extends TargetInputOptions {
  /** 1–64 letters, digits, `.`, `-`, `_`; unique per rule. */
  readonly id: string;
  readonly retryPolicy?: RetryPolicy;
  /** Receives the events whose delivery failed for good. @default - they are dropped */
  readonly deadLetter?: (failure: DeliveryFailure) => void | Promise<void>;
}

/**
 * An in-process function, as a Lambda target without the runtime's bookkeeping. With an input
 * option, the handler gets that payload instead of the event (typed as the event, so that
 * handlers of plain targets need no cast).
 */
export interface FunctionTarget extends TargetBase {
  readonly type: 'function';
  readonly handler: (event: EventBridgeEvent) => unknown;
}

/** A function of a `LambdaRuntime` (timeouts, concurrency and the invocation log apply). */
export interface LambdaTarget extends TargetBase {
  readonly type: 'lambda';
  readonly runtime: LambdaRuntime;
  readonly functionName: string;
}

/** A queue of an `SqsModel`: the event JSON (or the target's input text) becomes the body. */
export interface SqsTarget extends TargetBase {
  readonly type: 'sqs';
  readonly sqs: SqsModel;
  readonly queueUrl: string;
  /** Required for FIFO queues (the event id becomes the deduplication id). */
  readonly messageGroupId?: string;
}

export type RuleTarget = FunctionTarget | LambdaTarget | SqsTarget;

export interface PutRuleOptions {
  /** 1–64 letters, digits, `.`, `-`, `_`; unique per bus (an existing rule is replaced). */
  readonly name: string;
  readonly eventPattern: EventPattern;
  /** @default 'default' */
  readonly eventBusName?: string;
  /** @default 'ENABLED' */
  readonly state?: 'ENABLED' | 'DISABLED';
  /** At most 5. @default - none yet (add with putTargets) */
  readonly targets?: readonly RuleTarget[];
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'throttled';

export interface DeliveryRecord {
  readonly time: number;
  readonly eventId: string;
  readonly eventBusName: string;
  readonly ruleName: string;
  readonly targetId: string;
  /** 1 for the first delivery of an event (or of its duplicate). */
  readonly attempt: number;
  readonly duplicate: boolean;
  readonly outcome: DeliveryOutcome;
  readonly error?: InvocationError;
}

export interface PublishedEvent {
  readonly event: EventBridgeEvent;
  readonly eventBusName: string;
  readonly matchedRules: readonly string[];
}

export interface EventBridgeModelOptions extends CommonModelOptions {
  /** Virtual time between an event and its delivery to targets. @default 100 */
  readonly deliveryDelayMs?: number;
  /** Chance that a target also receives a duplicate of an event, in [0, 1]. @default 0 */
  readonly duplicateProbability?: number;
  /** Seed or RandomSource for duplicates and backoff jitter. @default - seeded with `name` */
  readonly random?: Seed | RandomSource;
  /** Total size of the entries of one PutEvents request. @default 262144 (256 KB) */
  readonly maxRequestEntriesBytes?: number;
  /** @default 'eventbridge' */
  readonly name?: string;
}

/** PutEvents entry, with the field names of `@aws-sdk/client-eventbridge`. */
export interface PutEventsRequestEntry {
  Time?: Date;
  Source?: string;
  Resources?: string[];
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  TraceHeader?: string;
}

export interface PutEventsInput {
  Entries: PutEventsRequestEntry[] | undefined;
  EndpointId?: string;
}

export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface PutEventsOutput {
  FailedEntryCount?: number;
  Entries?: PutEventsResultEntry[];
}

export const DEFAULT_EVENT_BUS = 'default';
export const MAX_TARGETS_PER_RULE = 5;
export const MAX_PUT_EVENTS_ENTRIES = 10;
const DEFAULT_MAX_REQUEST_BYTES = 262_144;
const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const LAMBDA_RETRY_DELAYS_MS = [60_000, 120_000];
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 300_000;

interface RetryLimits {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
}

const RETRY_LIMITS: Record<RuleTarget['type'], { max: RetryLimits; min: number }> = {
  function: { max: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 }, min: 60 },
  lambda: { max: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 }, min: 60 },
  sqs: { max: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 }, min: 60 },
};

interface TargetState {
  readonly target: RuleTarget;
  readonly retry: RetryLimits;
}

interface RuleState {
  readonly name: string;
  readonly arn: string;
  readonly eventBusName: string;
  readonly matches: (event: unknown) => boolean;
  enabled: boolean;
  targets: TargetState[];
}

interface Delivery {
  readonly event: EventBridgeEvent;
  readonly eventBusName: string;
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly target: TargetState;
  readonly firstAttemptAt: number;
  readonly duplicate: boolean;
  /** Attempts made so far, and those of them that were function errors (count toward retries). */
  attempts: number;
  retriesUsed: number;
  throttles: number;
}

type AttemptResult = { ok: true } | { ok: false; throttled: boolean; error: InvocationError };

const putEventsInput = z.object({
  Entries: z.array(z.object({}).loose()).min(1).max(MAX_PUT_EVENTS_ENTRIES),
  EndpointId: z.string().min(1).max(50).optional(),
});

/** `2025-01-01T00:00:00Z`: EventBridge's `time` has whole seconds. */
export function eventTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function utf8Length(text: string | undefined): number {
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}

/** Entry size as EventBridge documents it: Time 14 bytes, then the UTF-8 strings. */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time === undefined ? 0 : 14;
  size += utf8Length(entry.Source) + utf8Length(entry.DetailType) + utf8Length(entry.Detail);
  for (const resource of entry.Resources ?? []) size += utf8Length(resource);
  return size;
}

function checkName(what: string, name: string): void {
  if (!NAME.test(name)) {
    throw new SimulationConfigError(
      `${what} must be 1–64 letters, digits, '.', '-' or '_', got '${name}'.`,
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class EventBridgeModel extends ThrottledServiceModel implements EventPublisher {
  private readonly random: RandomSource;
  private readonly deliveryDelayMs: number;
  private readonly duplicateProbability: number;
  private readonly maxRequestBytes: number;
  protected readonly api: ThrottlingApiModel;
  private readonly buses = new Map<string, Map<string, RuleState>>([
    [DEFAULT_EVENT_BUS, new Map()],
  ]);
  private readonly published: PublishedEvent[] = [];
  private readonly deliveryLog: DeliveryRecord[] = [];
  private pending = 0;
  private eventCount = 0;

  constructor(options: EventBridgeModelOptions) {
    super('EventBridgeModel', 'eventbridge', options);
    this.deliveryDelayMs = checkNonNegative(
      'EventBridgeModel deliveryDelayMs',
      options.deliveryDelayMs,
      100,
    );
    this.duplicateProbability = options.duplicateProbability ?? 0;
    if (!(this.duplicateProbability >= 0 && this.duplicateProbability <= 1)) {
      throw new SimulationConfigError(
        `EventBridgeModel duplicateProbability must be in [0, 1], got ${String(options.duplicateProbability)}.`,
      );
    }
    this.maxRequestBytes = options.maxRequestEntriesBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.random = randomSourceOf(options.random ?? this.name);
    const table = new OperationTable(this.name).on<PutEventsInput, PutEventsOutput>(
      'PutEvents',
      (input) => this.putEvents(input),
    );
    // Faults draw from their own stream, so a call does not shift the delivery randomness.
    this.api = this.front(table, options, { random: createRandom(`${this.name}/faults`) });
  }

  // ---- setup (not API) ----

  createEventBus(name: string): string {
    checkName('createEventBus: name', name);
    if (this.buses.has(name)) {
      throw new SimulationConfigError(`createEventBus: the bus '${name}' exists.`);
    }
    this.buses.set(name, new Map());
    return this.busArn(name);
  }

  /** Creates or replaces a rule; returns its ARN. */
  putRule(options: PutRuleOptions): string {
    checkName('putRule: name', options.name);
    const busName = options.eventBusName ?? DEFAULT_EVENT_BUS;
    const bus = this.bus(busName, 'putRule');
    const matches = compileEventPattern(options.eventPattern);
    const previous = bus.get(options.name);
    bus.set(options.name, {
      name: options.name,
      arn: this.ruleArn(busName, options.name),
      eventBusName: busName,
      matches,
      enabled: (options.state ?? 'ENABLED') === 'ENABLED',
      targets: previous?.targets ?? [],
    });
    if (options.targets !== undefined) this.putTargets(options.name, options.targets, busName);
    return this.ruleArn(busName, options.name);
  }

  /** Adds or replaces (by id) targets of a rule; at most 5 per rule. */
  putTargets(
    ruleName: string,
    targets: readonly RuleTarget[],
    eventBusName: string = DEFAULT_EVENT_BUS,
  ): void {
    const rule = this.rule(ruleName, eventBusName);
    const next = new Map(rule.targets.map((state) => [state.target.id, state]));
    for (const target of targets) {
      checkName(`putTargets(${ruleName}): target id`, target.id);
      this.checkTarget(ruleName, target);
      next.set(target.id, { target, retry: this.retryLimits(ruleName, target) });
    }
    if (next.size > MAX_TARGETS_PER_RULE) {
      throw new SimulationConfigError(
        `putTargets(${ruleName}): a rule has at most ${MAX_TARGETS_PER_RULE} targets, this would make ${next.size}.`,
      );
    }
    rule.targets = [...next.values()];
  }

  removeRule(ruleName: string, eventBusName: string = DEFAULT_EVENT_BUS): void {
    this.rule(ruleName, eventBusName);
    this.bus(eventBusName, 'removeRule').delete(ruleName);
  }

  setRuleState(
    ruleName: string,
    state: 'ENABLED' | 'DISABLED',
    eventBusName: string = DEFAULT_EVENT_BUS,
  ): void {
    this.rule(ruleName, eventBusName).enabled = state === 'ENABLED';
  }

  // ---- events ----

  /**
   * Puts a complete event on a bus (how AWS services emit theirs): matches it against the
   * rules now and schedules the deliveries.
   */
  publish(event: EventBridgeEvent, eventBusName: string = DEFAULT_EVENT_BUS): void {
    this.checkEvent(event);
    this.route(structuredClone(event), eventBusName);
  }

  /** Events put on the buses, with the rules they matched, oldest first. */
  events(): PublishedEvent[] {
    return structuredClone(this.published);
  }

  deliveries(): DeliveryRecord[] {
    return this.deliveryLog.map((record) => ({ ...record }));
  }

  /** Deliveries scheduled or in progress (first attempts, retries and duplicates). */
  pendingDeliveries(): number {
    return this.pending;
  }

  // ---- PutEvents ----

  private putEvents(raw: PutEventsInput): PutEventsOutput {
    const entries = validateInput(putEventsInput, raw).Entries as PutEventsRequestEntry[];
    const total = entries.reduce((sum, entry) => sum + putEventsEntrySize(entry), 0);
    if (total > this.maxRequestBytes) {
      throw new SimulatedServiceError({
        name: 'ValidationException',
        httpStatusCode: 400,
        message: `Total size of the entries in the request is over the limit (${total} > ${this.maxRequestBytes} bytes).`,
      });
    }
    const results: PutEventsResultEntry[] = entries.map((entry) => this.putEntry(entry));
    return {
      FailedEntryCount: results.filter((result) => result.ErrorCode !== undefined).length,
      Entries: results,
    };
  }

  private putEntry(entry: PutEventsRequestEntry): PutEventsResultEntry {
    const required = (field: 'Source' | 'DetailType' | 'Detail'): PutEventsResultEntry => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
    });
    const { Source: source, DetailType: detailType, Detail: text, EventBusName } = entry;
    if (!source) return required('Source');
    if (!detailType) return required('DetailType');
    if (!text) return required('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(text);
    } catch {
      detail = undefined;
    }
    if (!isObject(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (source.startsWith('aws.')) {
      return {
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: 'Not authorized for the source.',
      };
    }
    const busName = this.busNameOf(EventBusName);
    if (busName === undefined) {
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${String(EventBusName)} does not exist.`,
      };
    }
    const event: EventBridgeEvent = {
      version: '0',
      id: this.nextEventId(),
      'detail-type': detailType,
      source,
      account: this.accountId,
      time: eventTime(entry.Time?.getTime() ?? this.clock.now()),
      region: this.region,
      resources: [...(entry.Resources ?? [])],
      detail,
    };
    this.route(event, busName);
    return { EventId: event.id };
  }

  /** A new event id (UUID-shaped, deterministic), for models that build their own events. */
  nextEventId(): string {
    this.eventCount++;
    return sequentialUuid('c000', this.eventCount);
  }

  // ---- routing and delivery ----

  private route(event: EventBridgeEvent, busName: string): void {
    const bus = this.bus(busName, 'publish');
    const matched: string[] = [];
    for (const rule of bus.values()) {
      if (!rule.enabled || !rule.matches(event)) continue;
      matched.push(rule.name);
      for (const target of rule.targets) {
        const delivery = (duplicate: boolean): Delivery => ({
          event,
          eventBusName: busName,
          ruleName: rule.name,
          ruleArn: rule.arn,
          target,
          firstAttemptAt: this.clock.now(),
          duplicate,
          attempts: 0,
          retriesUsed: 0,
          throttles: 0,
        });
        this.schedule(delivery(false), this.deliveryDelayMs);
        if (this.duplicateProbability > 0 && chance(this.random, this.duplicateProbability)) {
          this.schedule(delivery(true), this.deliveryDelayMs * 2 + 1);
        }
      }
    }
    this.published.push({
      event: structuredClone(event),
      eventBusName: busName,
      matchedRules: matched,
    });
  }

  private schedule(delivery: Delivery, delayMs: number): void {
    this.pending++;
    scheduleOn(this.clock, delayMs, async () => {
      try {
        await this.attempt(delivery);
      } finally {
        this.pending--;
      }
    });
  }

  private async attempt(delivery: Delivery): Promise<void> {
    delivery.attempts++;
    const result = await this.invoke(delivery);
    const { target } = delivery.target;
    const base = {
      time: this.clock.now(),
      eventId: delivery.event.id,
      eventBusName: delivery.eventBusName,
      ruleName: delivery.ruleName,
      targetId: target.id,
      attempt: delivery.attempts,
      duplicate: delivery.duplicate,
    };
    if (result.ok) {
      this.deliveryLog.push({ ...base, outcome: 'delivered' });
      return;
    }
    this.deliveryLog.push({
      ...base,
      outcome: result.throttled ? 'throttled' : 'failed',
      error: result.error,
    });
    const { retry } = delivery.target;
    const lambdaLike = target.type !== 'sqs';
    let delay: number;
    if (result.throttled || !lambdaLike) {
      delivery.throttles += result.throttled ? 1 : 0;
      const n = result.throttled ? delivery.throttles : delivery.retriesUsed + 1;
      const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (n - 1));
      // Jitter keeps retries of many events from landing together; seeded, so runs replay.
      delay = Math.ceil(cap * (0.5 + 0.5 * this.random()));
    } else {
      delay =
        LAMBDA_RETRY_DELAYS_MS[Math.min(delivery.retriesUsed, LAMBDA_RETRY_DELAYS_MS.length - 1)];
    }
    const countsAsRetry = !(lambdaLike && result.throttled);
    if (countsAsRetry && delivery.retriesUsed >= retry.maximumRetryAttempts) {
      await this.deadLetter(delivery, 'RetriesExhausted', result.error);
      return;
    }
    const age = this.clock.now() + delay - delivery.firstAttemptAt;
    if (age > retry.maximumEventAgeSeconds * 1000) {
      await this.deadLetter(delivery, 'MaximumEventAgeExceeded', result.error);
      return;
    }
    if (countsAsRetry) delivery.retriesUsed++;
    this.schedule(delivery, delay);
  }

  /** What the target gets: the event, or what its input option makes of it. */
  private payloadOf(delivery: Delivery): TargetPayload | undefined {
    return targetPayload(delivery.target.target, delivery.event, {
      ruleName: delivery.ruleName,
      ruleArn: delivery.ruleArn,
      // The event reached the bus when its deliveries were scheduled.
      ingestionTime: new Date(delivery.firstAttemptAt).toISOString(),
    });
  }

  private async invoke(delivery: Delivery): Promise<AttemptResult> {
    const { target } = delivery.target;
    const event = structuredClone(delivery.event);
    const payload = this.payloadOf(delivery);
    // A JSON payload arrives parsed (as Lambda's runtime gives it); text arrives as a string.
    const input =
      payload === undefined ? event : payload.kind === 'json' ? payload.value : payload.text;
    switch (target.type) {
      case 'function':
        try {
          // The handler's parameter type describes plain targets; see FunctionTarget.
          await target.handler(input as EventBridgeEvent);
          return { ok: true };
        } catch (error) {
          return { ok: false, throttled: false, error: invocationErrorOf(error) };
        }
      case 'lambda': {
        const result = await target.runtime.invoke(target.functionName, input, {
          source: `eventbridge:${delivery.ruleName}`,
        });
        if (result.outcome === 'succeeded') return { ok: true };
        return {
          ok: false,
          throttled: result.outcome === 'throttled',
          // Every outcome but `succeeded` carries its error.
          error: result.error as InvocationError,
        };
      }
      default:
        try {
          const fifo = target.sqs.queue(target.queueUrl).fifo;
          target.sqs.sendMessage({
            QueueUrl: target.queueUrl,
            MessageBody: payload === undefined ? JSON.stringify(event) : payload.text,
            ...(fifo
              ? { MessageGroupId: target.messageGroupId, MessageDeduplicationId: event.id }
              : {}),
          });
          return { ok: true };
        } catch (error) {
          if (!(error instanceof SimulatedServiceError)) throw error;
          return { ok: false, throttled: false, error: invocationErrorOf(error) };
        }
    }
  }

  private async deadLetter(
    delivery: Delivery,
    reason: DeliveryFailureReason,
    error: InvocationError,
  ): Promise<void> {
    const { target } = delivery.target;
    await target.deadLetter?.({
      event: structuredClone(delivery.event),
      eventBusName: delivery.eventBusName,
      ruleName: delivery.ruleName,
      targetId: target.id,
      attempts: delivery.attempts,
      reason,
      error,
    });
  }

  // ---- checks and lookups ----

  private checkTarget(ruleName: string, target: RuleTarget): void {
    const where = `putTargets(${ruleName}) target '${target.id}'`;
    checkTargetInput(where, target);
    if (target.type === 'lambda' && !target.runtime.has(target.functionName)) {
      throw new SimulationConfigError(
        `${where}: function '${target.functionName}' is not registered in the runtime.`,
      );
    }
    if (target.type === 'sqs') {
      const queue = target.sqs.queue(target.queueUrl);
      if (queue.fifo && (target.messageGroupId ?? '') === '') {
        throw new SimulationConfigError(`${where}: a FIFO queue target needs messageGroupId.`);
      }
    }
  }

  private retryLimits(ruleName: string, target: RuleTarget): RetryLimits {
    const { max, min } = RETRY_LIMITS[target.type];
    const policy = target.retryPolicy ?? {};
    const attempts = policy.maximumRetryAttempts ?? max.maximumRetryAttempts;
    const age = policy.maximumEventAgeSeconds ?? max.maximumEventAgeSeconds;
    const where = `putTargets(${ruleName}) target '${target.id}' retryPolicy`;
    if (!Number.isInteger(attempts) || attempts < 0 || attempts > max.maximumRetryAttempts) {
      throw new SimulationConfigError(
        `${where}.maximumRetryAttempts must be an integer 0–${max.maximumRetryAttempts} for a ${target.type} target, got ${attempts}.`,
      );
    }
    if (!Number.isInteger(age) || age < min || age > max.maximumEventAgeSeconds) {
      throw new SimulationConfigError(
        `${where}.maximumEventAgeSeconds must be an integer ${min}–${max.maximumEventAgeSeconds} for a ${target.type} target, got ${age}.`,
      );
    }
    return { maximumRetryAttempts: attempts, maximumEventAgeSeconds: age };
  }

  private checkEvent(event: EventBridgeEvent): void {
    const problems: string[] = [];
    for (const field of [
      'version',
      'id',
      'detail-type',
      'source',
      'account',
      'time',
      'region',
    ] as const) {
      if (typeof event[field] !== 'string' || event[field].length === 0) problems.push(field);
    }
    if (!Array.isArray(event.resources)) problems.push('resources');
    if (!isObject(event.detail)) problems.push('detail');
    if (problems.length > 0) {
      throw new SimulationConfigError(
        `publish: the event is missing or has invalid ${problems.join(', ')} (an EventBridge event ` +
          'has string version, id, detail-type, source, account, time, region, a resources list ' +
          'and an object detail).',
      );
    }
  }

  private busNameOf(nameOrArn: string | undefined): string | undefined {
    if (nameOrArn === undefined || nameOrArn === '') return DEFAULT_EVENT_BUS;
    const name = nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1);
    if (nameOrArn.startsWith('arn:') && nameOrArn !== this.busArn(name)) return undefined;
    return this.buses.has(name) ? name : undefined;
  }

  private bus(name: string, what: string): Map<string, RuleState> {
    const bus = this.buses.get(name);
    if (bus === undefined) {
      throw new SimulationConfigError(
        `${what}: no event bus '${name}' (buses: ${[...this.buses.keys()].join(', ')}); create it with createEventBus.`,
      );
    }
    return bus;
  }

  private rule(name: string, busName: string): RuleState {
    const rule = this.bus(busName, 'rule lookup').get(name);
    if (rule === undefined) {
      throw new SimulationConfigError(
        `No rule '${name}' on event bus '${busName}'; create it with putRule.`,
      );
    }
    return rule;
  }

  private busArn(name: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:event-bus/${name}`;
  }

  private ruleArn(busName: string, ruleName: string): string {
    const path = busName === DEFAULT_EVENT_BUS ? ruleName : `${busName}/${ruleName}`;
    return `arn:aws:events:${this.region}:${this.accountId}:rule/${path}`;
  }
}
