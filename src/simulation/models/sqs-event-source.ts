import { checkInteger } from '../config-checks.js';
import { SimulationConfigError } from '../errors.js';
import type { InvocationOutcome, LambdaRuntime } from '../lambda-runtime.js';
import type { ReceivedMessage, SqsModel, SystemAttributes } from './sqs.js';

/**
 * A Lambda event source mapping for an SQS queue of the `SqsModel`: pollers long-poll the
 * queue on the virtual clock, hand batches to a function of the `LambdaRuntime` as the SQS
 * event Lambda builds (`Records[]`, the exact record shape), and delete what was processed.
 *
 * Semantics, as AWS documents them: a function error, a timeout or a throttle fails the whole
 * batch (nothing is deleted; the messages return after their visibility timeout, and the
 * queue's redrive policy moves them to the DLQ after maxReceiveCount). With
 * `reportBatchItemFailures`, the function returns `{ batchItemFailures: [{ itemIdentifier }] }`:
 * the listed messages stay, the others are deleted; an empty or missing list means success;
 * an identifier that is empty, not a string or not a message of the batch, or a response that
 * is not an object, fails the whole batch.
 *
 * Simplifications: a fixed number of pollers (no scaling with the backlog); the batching window
 * waits in whole seconds; no filter criteria, no metrics, no on-failure destination (use the
 * queue's redrive policy, as AWS recommends).
 */

/** The record's `attributes`: the message's system attributes. */
export type SqsRecordAttributes = SystemAttributes;

export interface SqsRecordMessageAttribute {
  stringValue?: string;
  /** Base64, as Lambda delivers binary attributes. */
  binaryValue?: string;
  stringListValues: string[];
  binaryListValues: string[];
  dataType: string;
}

/** One record of the SQS event (compatible with `SQSRecord` of `@types/aws-lambda`). */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: SqsRecordAttributes;
  messageAttributes: Record<string, SqsRecordMessageAttribute>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

export interface SqsEventSourceMappingOptions {
  readonly sqs: SqsModel;
  readonly queueUrl: string;
  readonly runtime: LambdaRuntime;
  readonly functionName: string;
  /** 1–10000 (FIFO: 1–10); above 10 needs a batching window. @default 10 */
  readonly batchSize?: number;
  /** 0–300 s to gather a full batch. @default 0 */
  readonly maximumBatchingWindowSeconds?: number;
  /** The function reports failed messages in `batchItemFailures`. @default false */
  readonly reportBatchItemFailures?: boolean;
  /** ScalingConfig.MaximumConcurrency, 2–1000: caps the pollers. @default - 5 pollers */
  readonly maximumConcurrency?: number;
  /** Simulation knob: concurrent pollers (each invokes one batch at a time). @default min(5, maximumConcurrency) */
  readonly pollers?: number;
  /** Start polling at once. @default true */
  readonly enabled?: boolean;
}

export type BatchOutcome = 'succeeded' | 'partial' | 'failed';

/** One batch handed to the function. */
export interface BatchRecord {
  readonly time: number;
  readonly requestId: string;
  readonly messageIds: readonly string[];
  readonly invocation: InvocationOutcome;
  readonly outcome: BatchOutcome;
  /** Messages left in the queue (all of them when the batch failed). */
  readonly failedMessageIds: readonly string[];
  /** Why the whole batch failed, when it did. */
  readonly reason?: string;
}

const LONG_POLL_SECONDS = 20;

function toRecord(message: ReceivedMessage, eventSourceARN: string, awsRegion: string): SqsRecord {
  const messageAttributes: Record<string, SqsRecordMessageAttribute> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      // Lambda delivers binary attributes in base64.
      ...(value.BinaryValue === undefined
        ? { stringValue: value.StringValue }
        : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
      // The queue refused attributes without a type.
      dataType: value.DataType as string,
    };
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: { ...message.Attributes },
    messageAttributes,
    md5OfBody: message.MD5OfBody,
    ...(message.MD5OfMessageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion,
  };
}

/**
 * Reads a partial batch response. Returns the ids to keep, or a reason the whole batch failed.
 */
export function parseBatchResponse(
  response: unknown,
  batchIds: ReadonlySet<string>,
): { failed: string[] } | { invalid: string } {
  if (response === undefined || response === null) return { failed: [] };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { invalid: 'the response is not a JSON object' };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { failed: [] };
  if (!Array.isArray(failures)) return { invalid: 'batchItemFailures is not a list' };
  const failed: string[] = [];
  for (const failure of failures as unknown[]) {
    const id =
      typeof failure === 'object' && failure !== null
        ? (failure as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof id !== 'string' || id.length === 0) {
      return { invalid: 'an itemIdentifier is missing, empty or not a string' };
    }
    if (!batchIds.has(id)) {
      return { invalid: `itemIdentifier '${id}' is not a message of the batch` };
    }
    failed.push(id);
  }
  return { failed };
}

export class SqsEventSourceMapping {
  readonly functionName: string;
  readonly queueUrl: string;
  private readonly sqs: SqsModel;
  private readonly runtime: LambdaRuntime;
  private readonly batchSize: number;
  private readonly windowSeconds: number;
  private readonly reportBatchItemFailures: boolean;
  private readonly pollers: number;
  private readonly queueArn: string;
  private readonly queueName: string;
  private readonly log: BatchRecord[] = [];
  private running = false;
  private stopping = new AbortController();
  private loops: Promise<void>[] = [];
  private failure: unknown;

  constructor(options: SqsEventSourceMappingOptions) {
    this.sqs = options.sqs;
    this.runtime = options.runtime;
    this.functionName = options.functionName;
    this.queueUrl = options.queueUrl;
    const queue = options.sqs.queue(options.queueUrl);
    this.queueArn = queue.arn;
    this.queueName = queue.name;
    if (!options.runtime.has(options.functionName)) {
      throw new SimulationConfigError(
        `SqsEventSourceMapping: function '${options.functionName}' is not registered in the runtime.`,
      );
    }
    this.windowSeconds = checkInteger(
      'SqsEventSourceMapping maximumBatchingWindowSeconds',
      options.maximumBatchingWindowSeconds ?? 0,
      0,
      300,
    );
    this.batchSize = checkInteger(
      'SqsEventSourceMapping batchSize',
      options.batchSize ?? 10,
      1,
      queue.fifo ? 10 : 10_000,
    );
    if (this.batchSize > 10 && this.windowSeconds < 1) {
      throw new SimulationConfigError(
        'SqsEventSourceMapping batchSize above 10 needs maximumBatchingWindowSeconds of at least 1.',
      );
    }
    if (options.maximumConcurrency !== undefined) {
      checkInteger('SqsEventSourceMapping maximumConcurrency', options.maximumConcurrency, 2, 1000);
    }
    const cap = options.maximumConcurrency ?? 1000;
    this.pollers = checkInteger(
      'SqsEventSourceMapping pollers',
      options.pollers ?? Math.min(5, cap),
      1,
      cap,
    );
    this.reportBatchItemFailures = options.reportBatchItemFailures ?? false;
    if (options.enabled ?? true) this.start();
  }

  get enabled(): boolean {
    return this.running;
  }

  /** Starts the pollers (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.loops = Array.from({ length: this.pollers }, () => this.poll());
  }

  /** Stops polling; resolves when the batches in progress are done. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Batches handed to the function, oldest first. */
  batches(): BatchRecord[] {
    return this.log.map((batch) => ({ ...batch }));
  }

  /** The error that stopped the pollers (a misconfigured scenario), if any. */
  get error(): unknown {
    return this.failure;
  }

  private async poll(): Promise<void> {
    try {
      while (this.running) {
        const messages = await this.collect();
        if (messages.length > 0) await this.process(messages);
      }
    } catch (error) {
      // Not an AWS answer (those are outcomes): a bug in the scenario. Stop and keep it.
      this.failure = error;
      this.running = false;
      this.stopping.abort();
    }
  }

  private async collect(): Promise<ReceivedMessage[]> {
    const messages: ReceivedMessage[] = [];
    let windowEnd = 0;
    while (messages.length < this.batchSize && this.running) {
      let wait = LONG_POLL_SECONDS;
      if (messages.length > 0) {
        const left = Math.ceil((windowEnd - this.now()) / 1000);
        if (this.windowSeconds === 0 || left <= 0) break;
        wait = Math.min(LONG_POLL_SECONDS, left);
      }
      const received = await this.sqs.receiveMessages(this.queueUrl, {
        maxNumberOfMessages: Math.min(10, this.batchSize - messages.length),
        waitTimeSeconds: wait,
        signal: this.stopping.signal,
      });
      if (messages.length === 0 && received.length > 0) {
        windowEnd = this.now() + this.windowSeconds * 1000;
      }
      messages.push(...received);
    }
    return messages;
  }

  private now(): number {
    return this.runtime.now();
  }

  private async process(messages: ReceivedMessage[]): Promise<void> {
    const records = messages.map((message) => toRecord(message, this.queueArn, this.sqs.region));
    const event: SqsEvent = { Records: records };
    const time = this.now();
    const invocation = await this.runtime.invoke(this.functionName, event, {
      source: `sqs:${this.queueName}`,
    });
    const ids = records.map((record) => record.messageId);
    let failed: string[];
    let reason: string | undefined;
    if (invocation.outcome !== 'succeeded') {
      failed = ids;
      reason = `the invocation ${invocation.outcome === 'timedOut' ? 'timed out' : invocation.outcome}`;
    } else if (this.reportBatchItemFailures) {
      const parsed = parseBatchResponse(invocation.result, new Set(ids));
      if ('invalid' in parsed) {
        failed = ids;
        reason = `invalid partial batch response: ${parsed.invalid}`;
      } else {
        failed = parsed.failed;
      }
    } else {
      failed = [];
    }
    const keep = new Set(failed);
    for (const record of records) {
      if (!keep.has(record.messageId)) {
        this.sqs.deleteMessage(this.queueUrl, record.receiptHandle);
      }
    }
    let outcome: BatchOutcome = 'succeeded';
    if (keep.size === ids.length) outcome = 'failed';
    else if (keep.size > 0) outcome = 'partial';
    this.log.push({
      time,
      requestId: invocation.requestId,
      messageIds: ids,
      invocation: invocation.outcome,
      outcome,
      failedMessageIds: [...keep],
      ...(reason === undefined ? {} : { reason }),
    });
  }
}
