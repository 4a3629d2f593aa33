import type {
  BatchResultErrorEntry,
  ChangeMessageVisibilityCommandInput,
  ChangeMessageVisibilityCommandOutput,
  DeleteMessageBatchCommandInput,
  DeleteMessageBatchCommandOutput,
  DeleteMessageCommandInput,
  DeleteMessageCommandOutput,
  GetQueueAttributesCommandInput,
  GetQueueAttributesCommandOutput,
  GetQueueUrlCommandInput,
  GetQueueUrlCommandOutput,
  Message,
  MessageAttributeValue,
  QueueAttributeName,
  ReceiveMessageCommandInput,
  ReceiveMessageCommandOutput,
  SendMessageBatchCommandInput,
  SendMessageBatchCommandOutput,
  SendMessageBatchResultEntry,
  SendMessageCommandInput,
  SendMessageCommandOutput,
} from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { checkInteger } from '../config-checks.js';
import { SimulationConfigError } from '../errors.js';
import { sequentialUuid } from '../ids.js';
import { SimulatedServiceError } from '../service-error.js';
import { OperationTable, type ModelResult } from '../service-model.js';
import {
  DEDUPLICATION_WINDOW_MS,
  MAX_BATCH_BYTES,
  MAX_DELAY_SECONDS,
  MAX_MESSAGE_BYTES,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  MAX_WAIT_TIME_SECONDS,
  checkBatchEntries,
  decodeReceiptHandle,
  encodeReceiptHandle,
  invalidParameterValue,
  invalidRange,
  md5Hex,
  md5OfMessageAttributes,
  messageSize,
  missingParameter,
  queueDoesNotExist,
  receiptHandleIsInvalid,
  selectMessageAttributes,
} from './sqs-messages.js';
import { ThrottledServiceModel, type CommonModelOptions } from './model-base.js';
import type { ThrottlingApiModel } from './throttling-api.js';

/**
 * An in-memory Amazon SQS: standard and FIFO queues with delays, visibility timeouts, long
 * polling on the virtual clock, receive counts, redrive to a dead-letter queue, retention and
 * FIFO deduplication, behind the SDK operations the kit uses (SendMessage(Batch),
 * ReceiveMessage, DeleteMessage(Batch), ChangeMessageVisibility, GetQueueUrl,
 * GetQueueAttributes). Errors carry the names the SQS SDK uses: `QueueDoesNotExist`,
 * `ReceiptHandleIsInvalid`, `MessageNotInflight`, the batch errors, and `InvalidParameterValue`
 * / `MissingParameter` (not modeled by the SDK: an `SQSServiceException` with that name).
 *
 * Simplifications: short polling (WaitTimeSeconds 0) sees every queued message (AWS samples a
 * subset of servers); standard queues deliver in send order and never duplicate; no purge,
 * tags, policies, KMS or high-throughput FIFO; queues are created with `createQueue`.
 */

export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;
export const DEFAULT_RETENTION_SECONDS = 345_600;
const SENDER_ID = 'AIDASIMULATEDSENDER0';

export interface RedrivePolicy {
  /** ARN of the dead-letter queue (created in the same model, of the same type). */
  readonly deadLetterTargetArn: string;
  /** Receives before a message moves to the DLQ, 1–1000. */
  readonly maxReceiveCount: number;
}

export interface CreateQueueOptions {
  /** 1–80 letters, digits, hyphens and underscores; FIFO queue names end in `.fifo`. */
  readonly name: string;
  /** @default - true when the name ends in `.fifo` */
  readonly fifo?: boolean;
  /** 0–43200. @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /** Queue-level delay, 0–900. @default 0 */
  readonly delaySeconds?: number;
  /** 60–1209600. @default 345600 (4 days) */
  readonly messageRetentionSeconds?: number;
  /** 1024–1048576. @default 1048576 */
  readonly maximumMessageSize?: number;
  /** Default long-poll wait of ReceiveMessage, 0–20. @default 0 */
  readonly receiveMessageWaitTimeSeconds?: number;
  readonly redrivePolicy?: RedrivePolicy;
  /** FIFO only. @default false */
  readonly contentBasedDeduplication?: boolean;
}

export interface QueueInfo {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly fifo: boolean;
}

export type MessageState = 'visible' | 'inFlight' | 'delayed';

/** A snapshot of a queued message, for tests and the demo. */
export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly state: MessageState;
  readonly receiveCount: number;
  readonly sentTimestamp: number;
  /** When it becomes (or became) visible. */
  readonly visibleAt: number;
  readonly messageGroupId?: string;
}

/** The system attributes of a received message (all of them: `receiveMessages` asks for All). */
export interface SystemAttributes {
  SenderId: string;
  SentTimestamp: string;
  ApproximateReceiveCount: string;
  ApproximateFirstReceiveTimestamp: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  SequenceNumber?: string;
  DeadLetterQueueSourceArn?: string;
}

/** A message as `receiveMessages` answers it: every field present, all attributes. */
export interface ReceivedMessage {
  readonly MessageId: string;
  readonly ReceiptHandle: string;
  readonly Body: string;
  readonly MD5OfBody: string;
  readonly Attributes: SystemAttributes;
  readonly MessageAttributes?: Record<string, MessageAttributeValue>;
  readonly MD5OfMessageAttributes?: string;
}

export interface QueueCounts {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

export interface ReceiveOptions {
  /** 1–10. @default 1 */
  readonly maxNumberOfMessages?: number;
  /** @default - the queue's visibility timeout */
  readonly visibilityTimeoutSeconds?: number;
  /** @default - the queue's ReceiveMessageWaitTimeSeconds */
  readonly waitTimeSeconds?: number;
  /** Ends a long poll early (with whatever is there). */
  readonly signal?: AbortSignal;
}

export interface SqsModelOptions extends CommonModelOptions {
  /** @default 'us-east-1' (match the SDK client's region: the SDK warns when they differ) */
  readonly region?: string;
  /** @default 'sqs' */
  readonly name?: string;
}

interface StoredMessage {
  readonly id: string;
  readonly sequence: number;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes: Record<string, MessageAttributeValue> | undefined;
  readonly md5OfAttributes: string | undefined;
  readonly sentAt: number;
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
  readonly sequenceNumber: string | undefined;
  readonly deadLetterSourceArn: string | undefined;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt: number | undefined;
  /** Receive number of the current receipt handle; older handles are stale. */
  receipt: number;
  receivedAt: number;
}

interface QueueState {
  readonly info: QueueInfo;
  readonly visibilityTimeoutSeconds: number;
  readonly delaySeconds: number;
  readonly retentionSeconds: number;
  readonly maximumMessageSize: number;
  readonly waitTimeSeconds: number;
  readonly redrive: RedrivePolicy | undefined;
  readonly contentBasedDeduplication: boolean;
  readonly createdAt: number;
  messages: StoredMessage[];
  readonly deduplication: Map<string, { messageId: string; sequenceNumber: string; until: number }>;
  readonly waiters: Set<() => void>;
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const ALL_QUEUE_ATTRIBUTES: readonly QueueAttributeName[] = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesDelayed',
  'ApproximateNumberOfMessagesNotVisible',
  'ContentBasedDeduplication',
  'CreatedTimestamp',
  'DeduplicationScope',
  'DelaySeconds',
  'FifoQueue',
  'FifoThroughputLimit',
  'KmsDataKeyReusePeriodSeconds',
  'KmsMasterKeyId',
  'LastModifiedTimestamp',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'Policy',
  'QueueArn',
  'ReceiveMessageWaitTimeSeconds',
  'RedriveAllowPolicy',
  'RedrivePolicy',
  'SqsManagedSseEnabled',
  'VisibilityTimeout',
];

function seconds(ms: number): string {
  return String(Math.floor(ms / 1000));
}

/** Checks an optional integer parameter against a range, answering as SQS does. */
function checkRange(
  parameter: string,
  value: number | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidRange(parameter, value, `Must be between ${min} and ${max}, if provided.`);
  }
  return value;
}

export class SqsModel extends ThrottledServiceModel {
  protected readonly api: ThrottlingApiModel;
  private readonly queues = new Map<string, QueueState>();
  private sequence = 0;
  private fifoSequence = 0n;

  constructor(options: SqsModelOptions) {
    super('SqsModel', 'sqs', options);
    this.api = this.front(this.operationTable(), options, {
      throttle: {
        name: 'RequestThrottled',
        httpStatusCode: 403,
        retryAfter: 'none',
        retryAfterMember: 'none',
      },
    });
  }

  // ---- setup (not API) ----

  createQueue(options: CreateQueueOptions): QueueInfo {
    const fifo = options.fifo ?? options.name.endsWith('.fifo');
    if (!fifo && options.name.endsWith('.fifo')) {
      throw new SimulationConfigError(
        `createQueue: '${options.name}' ends in .fifo but fifo is false.`,
      );
    }
    const base = fifo ? options.name.replace(/\.fifo$/, '') : options.name;
    if (
      !QUEUE_NAME.test(base) ||
      (fifo && !options.name.endsWith('.fifo')) ||
      options.name.length > 80
    ) {
      throw new SimulationConfigError(
        `createQueue: '${options.name}' is not a valid ${fifo ? 'FIFO ' : ''}queue name: 1–80 letters, ` +
          `digits, hyphens and underscores${fifo ? ", ending in '.fifo'" : ''}.`,
      );
    }
    if ([...this.queues.values()].some((queue) => queue.info.name === options.name)) {
      throw new SimulationConfigError(`createQueue: a queue named '${options.name}' exists.`);
    }
    if (!fifo && options.contentBasedDeduplication) {
      throw new SimulationConfigError(
        `createQueue(${options.name}): contentBasedDeduplication applies to FIFO queues only.`,
      );
    }
    const redrive = options.redrivePolicy;
    if (redrive !== undefined) {
      checkInteger(
        `createQueue(${options.name}): redrivePolicy.maxReceiveCount`,
        redrive.maxReceiveCount,
        1,
        1000,
      );
      const dlq = this.queueByArn(redrive.deadLetterTargetArn);
      if (dlq === undefined) {
        throw new SimulationConfigError(
          `createQueue(${options.name}): the dead-letter queue '${redrive.deadLetterTargetArn}' does not exist; create it first.`,
        );
      }
      if (dlq.info.fifo !== fifo) {
        throw new SimulationConfigError(
          `createQueue(${options.name}): the dead-letter queue of a ${fifo ? 'FIFO' : 'standard'} queue must be ${fifo ? 'FIFO' : 'standard'} too.`,
        );
      }
    }
    const at = `createQueue(${options.name})`;
    const url = `https://sqs.${this.region}.amazonaws.com/${this.accountId}/${options.name}`;
    const info: QueueInfo = {
      name: options.name,
      url,
      arn: `arn:aws:sqs:${this.region}:${this.accountId}:${options.name}`,
      fifo,
    };
    this.queues.set(url, {
      info,
      visibilityTimeoutSeconds: checkInteger(
        `${at}: visibilityTimeoutSeconds`,
        options.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
        0,
        MAX_VISIBILITY_TIMEOUT_SECONDS,
      ),
      delaySeconds: checkInteger(
        `${at}: delaySeconds`,
        options.delaySeconds ?? 0,
        0,
        MAX_DELAY_SECONDS,
      ),
      retentionSeconds: checkInteger(
        `${at}: messageRetentionSeconds`,
        options.messageRetentionSeconds ?? DEFAULT_RETENTION_SECONDS,
        60,
        1_209_600,
      ),
      maximumMessageSize: checkInteger(
        `${at}: maximumMessageSize`,
        options.maximumMessageSize ?? MAX_MESSAGE_BYTES,
        1024,
        MAX_MESSAGE_BYTES,
      ),
      waitTimeSeconds: checkInteger(
        `${at}: receiveMessageWaitTimeSeconds`,
        options.receiveMessageWaitTimeSeconds ?? 0,
        0,
        MAX_WAIT_TIME_SECONDS,
      ),
      redrive: redrive === undefined ? undefined : { ...redrive },
      contentBasedDeduplication: options.contentBasedDeduplication ?? false,
      createdAt: this.clock.now(),
      messages: [],
      deduplication: new Map(),
      waiters: new Set(),
    });
    return { ...info };
  }

  /** The queue's URL, ARN and type; throws for an unknown URL. */
  queue(queueUrl: string): QueueInfo {
    const queue = this.queues.get(queueUrl);
    if (queue === undefined) {
      throw new SimulationConfigError(
        `SqsModel has no queue '${queueUrl}'; create it with createQueue.`,
      );
    }
    return { ...queue.info };
  }

  // ---- reading state (not API) ----

  /** The queue's messages in send order, with their state now. */
  messages(queueUrl: string): QueuedMessage[] {
    const queue = this.state(queueUrl);
    const now = this.clock.now();
    return queue.messages.map((message) => ({
      messageId: message.id,
      body: message.body,
      state: this.stateOf(message, now),
      receiveCount: message.receiveCount,
      sentTimestamp: message.sentAt,
      visibleAt: message.visibleAt,
      ...(message.groupId === undefined ? {} : { messageGroupId: message.groupId }),
    }));
  }

  counts(queueUrl: string): QueueCounts {
    const counts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const message of this.messages(queueUrl)) counts[message.state]++;
    return counts;
  }

  // ---- the operations, also callable directly (EventBridge targets, event source mappings) ----

  sendMessage(input: SendMessageCommandInput): ModelResult<SendMessageCommandOutput> {
    const queue = this.queueOf(input.QueueUrl);
    return this.enqueue(queue, input);
  }

  /** ReceiveMessage: long-polls on the virtual clock when `waitTimeSeconds` > 0. */
  async receiveMessages(
    queueUrl: string,
    options: ReceiveOptions = {},
  ): Promise<ReceivedMessage[]> {
    const queue = this.queueOf(queueUrl);
    const taken = await this.receive(
      queue,
      {
        QueueUrl: queueUrl,
        MaxNumberOfMessages: options.maxNumberOfMessages,
        VisibilityTimeout: options.visibilityTimeoutSeconds,
        WaitTimeSeconds: options.waitTimeSeconds,
      },
      options.signal,
    );
    return taken.map((message) => ({
      MessageId: message.id,
      ReceiptHandle: this.handleOf(queue, message),
      Body: message.body,
      MD5OfBody: message.md5OfBody,
      Attributes: this.systemAttributes(message),
      ...(message.attributes === undefined
        ? {}
        : {
            MessageAttributes: structuredClone(message.attributes),
            MD5OfMessageAttributes: message.md5OfAttributes,
          }),
    }));
  }

  deleteMessage(queueUrl: string, receiptHandle: string): void {
    const queue = this.queueOf(queueUrl);
    this.remove(queue, receiptHandle);
  }

  changeMessageVisibility(
    queueUrl: string,
    receiptHandle: string,
    visibilityTimeoutSeconds: number,
  ): void {
    this.changeVisibility({
      QueueUrl: queueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: visibilityTimeoutSeconds,
    });
  }

  // ---- operations ----

  private operationTable(): OperationTable {
    return new OperationTable(this.name)
      .on<SendMessageCommandInput, SendMessageCommandOutput>('SendMessage', (input) =>
        this.sendMessage(input),
      )
      .on<SendMessageBatchCommandInput, SendMessageBatchCommandOutput>(
        'SendMessageBatch',
        (input) => this.sendMessageBatch(input),
      )
      .on<ReceiveMessageCommandInput, ReceiveMessageCommandOutput>('ReceiveMessage', (input) =>
        this.receiveMessage(input),
      )
      .on<DeleteMessageCommandInput, DeleteMessageCommandOutput>('DeleteMessage', (input) => {
        this.remove(this.queueOf(input.QueueUrl), input.ReceiptHandle);
        return {};
      })
      .on<DeleteMessageBatchCommandInput, DeleteMessageBatchCommandOutput>(
        'DeleteMessageBatch',
        (input) => this.deleteMessageBatch(input),
      )
      .on<ChangeMessageVisibilityCommandInput, ChangeMessageVisibilityCommandOutput>(
        'ChangeMessageVisibility',
        (input) => {
          this.changeVisibility(input);
          return {};
        },
      )
      .on<GetQueueUrlCommandInput, GetQueueUrlCommandOutput>('GetQueueUrl', (input) =>
        this.getQueueUrl(input),
      )
      .on<GetQueueAttributesCommandInput, GetQueueAttributesCommandOutput>(
        'GetQueueAttributes',
        (input) => this.getQueueAttributes(input),
      );
  }

  private enqueue(
    queue: QueueState,
    input: Omit<SendMessageCommandInput, 'QueueUrl'>,
  ): ModelResult<SendMessageCommandOutput> {
    const body = input.MessageBody;
    if (body === undefined || body.length === 0) throw missingParameter('MessageBody');
    const size = messageSize(body, input.MessageAttributes);
    if (size > queue.maximumMessageSize) {
      throw invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${queue.maximumMessageSize} bytes.`,
      );
    }
    const delay = input.DelaySeconds;
    if (
      delay !== undefined &&
      (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS)
    ) {
      throw invalidRange(
        'DelaySeconds',
        delay,
        `DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`,
      );
    }
    const now = this.clock.now();
    let groupId: string | undefined;
    let deduplicationId: string | undefined;
    if (queue.info.fifo) {
      if (delay !== undefined && delay !== 0) {
        throw invalidRange(
          'DelaySeconds',
          delay,
          'The request include parameter that is not valid for this queue type.',
        );
      }
      groupId = input.MessageGroupId;
      if (groupId === undefined || groupId.length === 0) throw missingParameter('MessageGroupId');
      deduplicationId =
        input.MessageDeduplicationId ??
        (queue.contentBasedDeduplication ? createHashHex(body) : undefined);
      if (deduplicationId === undefined) {
        throw invalidParameterValue(
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      }
      const previous = queue.deduplication.get(deduplicationId);
      if (previous !== undefined && previous.until > now) {
        // A duplicate within the window is accepted and dropped: the caller sees success.
        return {
          MessageId: previous.messageId,
          MD5OfMessageBody: md5Hex(body),
          ...this.attributeDigest(input.MessageAttributes),
          SequenceNumber: previous.sequenceNumber,
        };
      }
    } else if (input.MessageDeduplicationId !== undefined) {
      throw invalidRange(
        'MessageDeduplicationId',
        input.MessageDeduplicationId,
        'The request include parameter that is not valid for this queue type.',
      );
    }
    const message = this.store(queue, {
      body,
      attributes: input.MessageAttributes,
      delaySeconds: delay ?? queue.delaySeconds,
      groupId,
      deduplicationId,
      deadLetterSourceArn: undefined,
      sentAt: now,
    });
    if (deduplicationId !== undefined) {
      queue.deduplication.set(deduplicationId, {
        messageId: message.id,
        sequenceNumber: message.sequenceNumber ?? '',
        until: now + DEDUPLICATION_WINDOW_MS,
      });
    }
    return {
      MessageId: message.id,
      MD5OfMessageBody: message.md5OfBody,
      ...this.attributeDigest(input.MessageAttributes),
      ...(message.sequenceNumber === undefined ? {} : { SequenceNumber: message.sequenceNumber }),
    };
  }

  private attributeDigest(attributes: Record<string, MessageAttributeValue> | undefined): {
    MD5OfMessageAttributes?: string;
  } {
    const digest = md5OfMessageAttributes(attributes);
    return digest === undefined ? {} : { MD5OfMessageAttributes: digest };
  }

  private store(
    queue: QueueState,
    fields: {
      /** Keeps a message's id when it moves to a dead-letter queue. */
      id?: string;
      body: string;
      attributes: Record<string, MessageAttributeValue> | undefined;
      delaySeconds: number;
      groupId: string | undefined;
      deduplicationId: string | undefined;
      deadLetterSourceArn: string | undefined;
      sentAt: number;
    },
  ): StoredMessage {
    this.sequence++;
    const now = this.clock.now();
    let sequenceNumber: string | undefined;
    if (queue.info.fifo) {
      this.fifoSequence++;
      sequenceNumber = (10n ** 19n + this.fifoSequence).toString();
    }
    const message: StoredMessage = {
      id: fields.id ?? sequentialUuid('b000', this.sequence),
      sequence: this.sequence,
      body: fields.body,
      md5OfBody: md5Hex(fields.body),
      attributes: fields.attributes === undefined ? undefined : structuredClone(fields.attributes),
      md5OfAttributes: md5OfMessageAttributes(fields.attributes),
      sentAt: fields.sentAt,
      groupId: fields.groupId,
      deduplicationId: fields.deduplicationId,
      sequenceNumber,
      deadLetterSourceArn: fields.deadLetterSourceArn,
      visibleAt: now + fields.delaySeconds * 1000,
      receiveCount: 0,
      firstReceiveAt: undefined,
      receipt: 0,
      receivedAt: 0,
    };
    queue.messages.push(message);
    this.notify(queue);
    return message;
  }

  private sendMessageBatch(
    input: SendMessageBatchCommandInput,
  ): ModelResult<SendMessageBatchCommandOutput> {
    const queue = this.queueOf(input.QueueUrl);
    checkBatchEntries(input.Entries);
    const entries = input.Entries ?? [];
    const total = entries.reduce((sum, entry) => {
      try {
        return sum + messageSize(entry.MessageBody ?? '', entry.MessageAttributes);
      } catch {
        return sum + Buffer.byteLength(entry.MessageBody ?? '');
      }
    }, 0);
    if (total > MAX_BATCH_BYTES) {
      throw new SimulatedServiceError({
        name: 'BatchRequestTooLong',
        httpStatusCode: 400,
        message: `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
      });
    }
    const successful: SendMessageBatchResultEntry[] = [];
    const failed: BatchResultErrorEntry[] = [];
    for (const entry of entries) {
      try {
        const result = this.enqueue(queue, entry);
        successful.push({
          Id: entry.Id,
          MessageId: result.MessageId,
          MD5OfMessageBody: result.MD5OfMessageBody,
          ...(result.MD5OfMessageAttributes === undefined
            ? {}
            : { MD5OfMessageAttributes: result.MD5OfMessageAttributes }),
          ...(result.SequenceNumber === undefined ? {} : { SequenceNumber: result.SequenceNumber }),
        });
      } catch (error) {
        failed.push(batchFailure(entry.Id, error));
      }
    }
    return { Successful: successful, Failed: failed };
  }

  private async receiveMessage(
    input: ReceiveMessageCommandInput,
  ): Promise<ModelResult<ReceiveMessageCommandOutput>> {
    const queue = this.queueOf(input.QueueUrl);
    const taken = await this.receive(queue, input, undefined);
    const systemNames = [
      ...(input.AttributeNames ?? []),
      ...(input.MessageSystemAttributeNames ?? []),
    ];
    const messages = taken.map((message) =>
      this.messageOutput(queue, message, systemNames, input.MessageAttributeNames),
    );
    return messages.length === 0 ? {} : { Messages: messages };
  }

  /** Validates a receive and takes messages, long-polling until some arrive or time is up. */
  private async receive(
    queue: QueueState,
    input: ReceiveMessageCommandInput,
    signal: AbortSignal | undefined,
  ): Promise<StoredMessage[]> {
    const max = checkRange('MaxNumberOfMessages', input.MaxNumberOfMessages, 1, 10) ?? 1;
    const visibility =
      checkRange('VisibilityTimeout', input.VisibilityTimeout, 0, MAX_VISIBILITY_TIMEOUT_SECONDS) ??
      queue.visibilityTimeoutSeconds;
    const wait =
      checkRange('WaitTimeSeconds', input.WaitTimeSeconds, 0, MAX_WAIT_TIME_SECONDS) ??
      queue.waitTimeSeconds;
    const deadline = this.clock.now() + wait * 1000;
    for (;;) {
      const taken = this.take(queue, max, visibility);
      if (taken.length > 0 || this.clock.now() >= deadline || signal?.aborted) return taken;
      await this.waitForChange(queue, deadline, signal);
    }
  }

  /** Takes up to `max` visible messages (redriving those over maxReceiveCount). */
  private take(queue: QueueState, max: number, visibilitySeconds: number): StoredMessage[] {
    const now = this.clock.now();
    this.expire(queue, now);
    const taken: StoredMessage[] = [];
    const blockedGroups = new Set<string>();
    for (const message of [...queue.messages]) {
      if (taken.length >= max) break;
      const group = message.groupId;
      if (queue.info.fifo && group !== undefined && blockedGroups.has(group)) continue;
      if (message.visibleAt > now) {
        // FIFO: a group with a message in flight (or not yet visible) delivers nothing after it.
        if (group !== undefined) blockedGroups.add(group);
        continue;
      }
      if (queue.redrive !== undefined && message.receiveCount >= queue.redrive.maxReceiveCount) {
        this.redrive(queue, message);
        continue;
      }
      message.receiveCount++;
      message.firstReceiveAt ??= now;
      message.receipt = this.nextReceipt();
      message.receivedAt = now;
      message.visibleAt = now + visibilitySeconds * 1000;
      taken.push(message);
    }
    return taken;
  }

  private receipts = 0;

  private nextReceipt(): number {
    this.receipts++;
    return this.receipts;
  }

  private redrive(queue: QueueState, message: StoredMessage): void {
    const dlq = this.queueByArn(queue.redrive?.deadLetterTargetArn ?? '');
    queue.messages = queue.messages.filter((other) => other !== message);
    if (dlq === undefined) return;
    this.store(dlq, {
      id: message.id,
      body: message.body,
      attributes: message.attributes,
      delaySeconds: 0,
      groupId: message.groupId,
      deduplicationId: message.deduplicationId,
      deadLetterSourceArn: queue.info.arn,
      // Standard queues keep the original enqueue time: retention counts from it.
      sentAt: message.sentAt,
    });
  }

  private expire(queue: QueueState, now: number): void {
    const limit = now - queue.retentionSeconds * 1000;
    if (queue.messages.some((message) => message.sentAt <= limit)) {
      queue.messages = queue.messages.filter((message) => message.sentAt > limit);
    }
    for (const [id, entry] of queue.deduplication) {
      if (entry.until <= now) queue.deduplication.delete(id);
    }
  }

  /**
   * Resolves when the queue may have something new: a send, a visibility change, the next
   * message becoming visible, the deadline, or an abort.
   */
  private waitForChange(queue: QueueState, deadline: number, signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const nextVisible = queue.messages.reduce(
      (earliest, message) =>
        message.visibleAt > now ? Math.min(earliest, message.visibleAt) : earliest,
      Infinity,
    );
    const until = Math.min(deadline, nextVisible);
    return new Promise<void>((resolve) => {
      const timer = new AbortController();
      const wake = (): void => {
        queue.waiters.delete(wake);
        signal?.removeEventListener('abort', wake);
        timer.abort();
        resolve();
      };
      queue.waiters.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
      this.clock.sleep(until - now, timer.signal).then(wake, () => undefined);
    });
  }

  private notify(queue: QueueState): void {
    for (const wake of [...queue.waiters]) wake();
  }

  private handleOf(queue: QueueState, message: StoredMessage): string {
    return encodeReceiptHandle({
      queueName: queue.info.name,
      sequence: message.sequence,
      receive: message.receipt,
    });
  }

  private messageOutput(
    queue: QueueState,
    message: StoredMessage,
    systemNames: readonly string[],
    attributeNames: readonly string[] | undefined,
  ): Message {
    const all = this.systemAttributes(message);
    const attributes = systemNames.includes('All')
      ? all
      : withoutUndefined(
          Object.fromEntries(
            systemNames.map((name) => [name, all[name as keyof SystemAttributes]]),
          ),
        );
    const selected = selectMessageAttributes(message.attributes, attributeNames);
    return {
      MessageId: message.id,
      ReceiptHandle: this.handleOf(queue, message),
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      ...(systemNames.length === 0 ? {} : { Attributes: attributes }),
      ...(selected === undefined
        ? {}
        : {
            MessageAttributes: structuredClone(selected),
            MD5OfMessageAttributes: message.md5OfAttributes,
          }),
    };
  }

  private systemAttributes(message: StoredMessage): SystemAttributes {
    return {
      SenderId: SENDER_ID,
      SentTimestamp: String(message.sentAt),
      ApproximateReceiveCount: String(message.receiveCount),
      // Set by the first receive, which precedes any answer about the message.
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveAt),
      ...withoutUndefined({
        MessageGroupId: message.groupId,
        MessageDeduplicationId: message.deduplicationId,
        SequenceNumber: message.sequenceNumber,
        DeadLetterQueueSourceArn: message.deadLetterSourceArn,
      }),
    };
  }

  /** Finds the message a receipt handle names, or says why not (as SQS would). */
  private byHandle(queue: QueueState, handle: string | undefined): StoredMessage | undefined {
    if (handle === undefined || handle.length === 0) throw missingParameter('ReceiptHandle');
    const parts = decodeReceiptHandle(handle);
    if (parts === undefined || parts.queueName !== queue.info.name) {
      throw receiptHandleIsInvalid(handle);
    }
    const message = queue.messages.find((candidate) => candidate.sequence === parts.sequence);
    // A handle of a deleted message, or an older handle of a message received again, deletes
    // nothing and is not an error (SQS: "the request succeeds, but the message might not be
    // deleted").
    return message !== undefined && message.receipt === parts.receive ? message : undefined;
  }

  private remove(queue: QueueState, handle: string | undefined): void {
    const message = this.byHandle(queue, handle);
    if (message !== undefined) queue.messages = queue.messages.filter((other) => other !== message);
    // Deleting the in-flight head of a FIFO group unblocks the group.
    if (message?.groupId !== undefined) this.notify(queue);
  }

  private deleteMessageBatch(
    input: DeleteMessageBatchCommandInput,
  ): ModelResult<DeleteMessageBatchCommandOutput> {
    const queue = this.queueOf(input.QueueUrl);
    checkBatchEntries(input.Entries);
    const successful: { Id: string | undefined }[] = [];
    const failed: BatchResultErrorEntry[] = [];
    for (const entry of input.Entries ?? []) {
      try {
        this.remove(queue, entry.ReceiptHandle);
        successful.push({ Id: entry.Id });
      } catch (error) {
        failed.push(batchFailure(entry.Id, error));
      }
    }
    return { Successful: successful, Failed: failed };
  }

  private changeVisibility(input: ChangeMessageVisibilityCommandInput): void {
    const queue = this.queueOf(input.QueueUrl);
    const timeout = input.VisibilityTimeout;
    if (timeout === undefined) throw missingParameter('VisibilityTimeout');
    checkRange('VisibilityTimeout', timeout, 0, MAX_VISIBILITY_TIMEOUT_SECONDS);
    const handle = input.ReceiptHandle;
    const message = this.byHandle(queue, handle);
    const now = this.clock.now();
    if (message === undefined) {
      throw receiptHandleIsInvalid(handle ?? '', 'The receipt handle has expired.');
    }
    if (message.visibleAt <= now) {
      throw new SimulatedServiceError({
        name: 'MessageNotInflight',
        httpStatusCode: 400,
        message: 'The message referred to is not in flight.',
      });
    }
    if (now + timeout * 1000 - message.receivedAt > MAX_VISIBILITY_TIMEOUT_SECONDS * 1000) {
      throw invalidRange(
        'VisibilityTimeout',
        timeout,
        `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_TIMEOUT_SECONDS} seconds]`,
      );
    }
    message.visibleAt = now + timeout * 1000;
    if (timeout === 0) this.notify(queue);
  }

  private getQueueUrl(input: GetQueueUrlCommandInput): ModelResult<GetQueueUrlCommandOutput> {
    const name = input.QueueName;
    if (name === undefined || name.length === 0) throw missingParameter('QueueName');
    const owner = input.QueueOwnerAWSAccountId ?? this.accountId;
    const queue = [...this.queues.values()].find((candidate) => candidate.info.name === name);
    if (queue === undefined || owner !== this.accountId) throw queueDoesNotExist();
    return { QueueUrl: queue.info.url };
  }

  private getQueueAttributes(
    input: GetQueueAttributesCommandInput,
  ): ModelResult<GetQueueAttributesCommandOutput> {
    const queue = this.queueOf(input.QueueUrl);
    const requested = input.AttributeNames ?? [];
    for (const name of requested) {
      if (name !== 'All' && !ALL_QUEUE_ATTRIBUTES.includes(name)) {
        throw new SimulatedServiceError({
          name: 'InvalidAttributeName',
          httpStatusCode: 400,
          message: `Unknown Attribute ${String(name)}.`,
        });
      }
    }
    const names = requested.includes('All') ? ALL_QUEUE_ATTRIBUTES : requested;
    const counts = this.counts(queue.info.url);
    const values: Partial<Record<QueueAttributeName, string>> = {
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: seconds(queue.createdAt),
      LastModifiedTimestamp: seconds(queue.createdAt),
      DelaySeconds: String(queue.delaySeconds),
      MaximumMessageSize: String(queue.maximumMessageSize),
      MessageRetentionPeriod: String(queue.retentionSeconds),
      QueueArn: queue.info.arn,
      ReceiveMessageWaitTimeSeconds: String(queue.waitTimeSeconds),
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      SqsManagedSseEnabled: 'true',
      ...(queue.redrive === undefined
        ? {}
        : {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: queue.redrive.deadLetterTargetArn,
              maxReceiveCount: queue.redrive.maxReceiveCount,
            }),
          }),
      ...(queue.info.fifo
        ? {
            FifoQueue: 'true',
            ContentBasedDeduplication: String(queue.contentBasedDeduplication),
            DeduplicationScope: 'queue',
            FifoThroughputLimit: 'perQueue',
          }
        : {}),
    };
    const attributes: Partial<Record<QueueAttributeName, string>> = {};
    for (const name of names) {
      if (values[name] !== undefined) attributes[name] = values[name];
    }
    return Object.keys(attributes).length === 0 ? {} : { Attributes: attributes };
  }

  // ---- lookups ----

  private stateOf(message: StoredMessage, now: number): MessageState {
    if (message.visibleAt <= now) return 'visible';
    return message.receiveCount > 0 ? 'inFlight' : 'delayed';
  }

  private state(queueUrl: string): QueueState {
    const queue = this.queues.get(queueUrl);
    if (queue === undefined) {
      throw new SimulationConfigError(
        `SqsModel has no queue '${queueUrl}'; create it with createQueue.`,
      );
    }
    this.expire(queue, this.clock.now());
    return queue;
  }

  private queueOf(queueUrl: string | undefined): QueueState {
    if (queueUrl === undefined || queueUrl.length === 0) throw missingParameter('QueueUrl');
    const queue = this.queues.get(queueUrl);
    if (queue === undefined) throw queueDoesNotExist();
    return queue;
  }

  private queueByArn(arn: string): QueueState | undefined {
    return [...this.queues.values()].find((queue) => queue.info.arn === arn);
  }
}

/** The fields of `fields` that are defined (so optional answers leave keys out, as AWS does). */
function withoutUndefined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function createHashHex(body: string): string {
  // Content-based deduplication uses the SHA-256 of the body.
  return createHash('sha256').update(body).digest('hex');
}

function batchFailure(id: string | undefined, error: unknown): BatchResultErrorEntry {
  if (error instanceof SimulatedServiceError) {
    return {
      Id: id,
      SenderFault: error.fault === 'client',
      Code: error.name,
      Message: error.message,
    };
  }
  throw error;
}
