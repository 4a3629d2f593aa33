import type {
  CreateTopicCommandInput,
  CreateTopicCommandOutput,
  MessageAttributeValue,
  PublishCommandInput,
  PublishCommandOutput,
  SubscribeCommandInput,
  SubscribeCommandOutput,
} from '@aws-sdk/client-sns';
import { z } from 'zod';
import { SimulationConfigError } from '../errors.js';
import { sequentialUuid } from '../ids.js';
import { SimulatedServiceError } from '../service-error.js';
import { OperationTable, type ModelResult } from '../service-model.js';
import { validateInput } from '../validation.js';
import { ThrottledServiceModel, type CommonModelOptions } from './model-base.js';
import type { ThrottlingApiModel } from './throttling-api.js';

/**
 * An in-memory Amazon SNS, as far as alerting code needs it: CreateTopic (idempotent),
 * Subscribe and Publish, which records every message (subject, body, attributes) for
 * assertions and hands it to `onPublish`. Enforces the 256 KB limit on the message plus its
 * attributes, the 100-character subject, attribute data types, and answers `NotFoundException`
 * for a topic that does not exist, `InvalidParameterException` for invalid input.
 *
 * Simplifications: no delivery to subscribers (read `published()` or use `onPublish`), no
 * confirmation of email subscriptions (they stay 'pending confirmation'), FIFO topics accept
 * MessageGroupId but do not deduplicate, no SMS, mobile push, filter policies or KMS.
 */

/** Message plus attributes, in bytes. */
export const MAX_PUBLISH_BYTES = 262_144;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const PROTOCOLS = [
  'http',
  'https',
  'email',
  'email-json',
  'sms',
  'sqs',
  'application',
  'lambda',
  'firehose',
];

export interface PublishedMessage {
  readonly topicArn: string;
  readonly messageId: string;
  readonly message: string;
  readonly subject: string | undefined;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly messageGroupId: string | undefined;
  /** Virtual time of the Publish. */
  readonly time: number;
}

export interface SnsSubscription {
  readonly subscriptionArn: string;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string | undefined;
}

export interface SnsModelOptions extends CommonModelOptions {
  /** Called with each published message, after it is recorded. */
  readonly onPublish?: (message: PublishedMessage) => void;
  /** @default 'sns' */
  readonly name?: string;
}

const createTopicInput = z.object({
  Name: z.string().refine((name) => TOPIC_NAME.test(name.replace(/\.fifo$/, '')), {
    message:
      'Topic names must be 1-256 letters, digits, hyphens or underscores (FIFO: .fifo suffix)',
  }),
  Attributes: z.record(z.string(), z.string()).optional(),
  Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).optional(),
});

const attributeValue = z
  .object({
    DataType: z.string().regex(/^(String|Number|Binary|String\.Array)(\.[^\s]+)?$/, {
      message: 'DataType must be String, Number, Binary or String.Array (with an optional .suffix)',
    }),
    StringValue: z.string().optional(),
    BinaryValue: z.instanceof(Uint8Array).optional(),
  })
  .refine((value) => (value.StringValue === undefined) !== (value.BinaryValue === undefined), {
    message: 'each message attribute needs exactly one of StringValue or BinaryValue',
  });

const publishInput = z.object({
  TopicArn: z.string().optional(),
  TargetArn: z.string().optional(),
  PhoneNumber: z.string().optional(),
  Message: z.string().min(1),
  Subject: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\x20-\x7E]+$/, 'Subject must be ASCII text without line breaks')
    .optional(),
  MessageStructure: z.literal('json').optional(),
  MessageAttributes: z.record(z.string().min(1).max(256), attributeValue).optional(),
  MessageGroupId: z.string().min(1).max(128).optional(),
  MessageDeduplicationId: z.string().min(1).max(128).optional(),
});

const subscribeInput = z.object({
  TopicArn: z.string(),
  Protocol: z.enum(PROTOCOLS as [string, ...string[]]),
  Endpoint: z.string().optional(),
  Attributes: z.record(z.string(), z.string()).optional(),
  ReturnSubscriptionArn: z.boolean().optional(),
});

function invalidParameter(message: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'InvalidParameterException',
    httpStatusCode: 400,
    message: `Invalid parameter: ${message}`,
  });
}

function publishSize(
  message: string,
  attributes: Record<string, z.output<typeof attributeValue>>,
): number {
  let size = Buffer.byteLength(message);
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    // Validation leaves exactly one of the two values.
    size += Buffer.byteLength(value.StringValue ?? '') + (value.BinaryValue?.byteLength ?? 0);
  }
  return size;
}

export class SnsModel extends ThrottledServiceModel {
  protected readonly api: ThrottlingApiModel;
  private readonly onPublish: ((message: PublishedMessage) => void) | undefined;
  private readonly topics = new Set<string>();
  private readonly messages: PublishedMessage[] = [];
  private readonly subscriptionList: SnsSubscription[] = [];
  private sequence = 0;

  constructor(options: SnsModelOptions) {
    super('SnsModel', 'sns', options);
    this.onPublish = options.onPublish;
    this.api = this.front(this.operationTable(), options);
  }

  /** Creates a topic (idempotent); returns its ARN. */
  createTopic(name: string): string {
    if (!TOPIC_NAME.test(name.replace(/\.fifo$/, ''))) {
      throw new SimulationConfigError(
        `SnsModel.createTopic: '${name}' is not a topic name (1-256 letters, digits, - or _).`,
      );
    }
    const arn = `arn:aws:sns:${this.region}:${this.accountId}:${name}`;
    this.topics.add(arn);
    return arn;
  }

  /** Published messages, oldest first; only those of `topicArn` when given. */
  published(topicArn?: string): PublishedMessage[] {
    return this.messages.filter(
      (message) => topicArn === undefined || message.topicArn === topicArn,
    );
  }

  subscriptions(topicArn?: string): SnsSubscription[] {
    return this.subscriptionList.filter((s) => topicArn === undefined || s.topicArn === topicArn);
  }

  private operationTable(): OperationTable {
    return new OperationTable(this.name)
      .on<CreateTopicCommandInput, CreateTopicCommandOutput>('CreateTopic', (raw) => {
        const input = validateInput(createTopicInput, raw, {
          errorName: 'InvalidParameterException',
        });
        return { TopicArn: this.createTopic(input.Name) };
      })
      .on<PublishCommandInput, PublishCommandOutput>('Publish', (raw) => this.publish(raw))
      .on<SubscribeCommandInput, SubscribeCommandOutput>('Subscribe', (raw) => this.subscribe(raw));
  }

  private publish(raw: unknown): ModelResult<PublishCommandOutput> {
    const input = validateInput(publishInput, raw, { errorName: 'InvalidParameterException' });
    if (input.PhoneNumber !== undefined) {
      throw invalidParameter('PhoneNumber: SMS is not modeled; publish to a topic.');
    }
    const topicArn = input.TopicArn ?? input.TargetArn;
    if (topicArn === undefined || (input.TopicArn !== undefined && input.TargetArn !== undefined)) {
      throw invalidParameter('TopicArn or TargetArn: give exactly one of them.');
    }
    this.checkTopic(topicArn);
    const size = publishSize(input.Message, input.MessageAttributes ?? {});
    const attributes = (input.MessageAttributes ?? {}) as Record<string, MessageAttributeValue>;
    if (size > MAX_PUBLISH_BYTES) {
      throw invalidParameter(
        `Message too long: message and attributes are ${size} bytes, the limit is ${MAX_PUBLISH_BYTES}.`,
      );
    }
    const fifo = topicArn.endsWith('.fifo');
    if (fifo !== (input.MessageGroupId !== undefined)) {
      throw invalidParameter(
        fifo
          ? 'MessageGroupId: the request must contain it for a FIFO topic.'
          : 'MessageGroupId: it is only for FIFO topics.',
      );
    }
    const messageId = sequentialUuid('e000', ++this.sequence);
    const published: PublishedMessage = {
      topicArn,
      messageId,
      message: input.Message,
      subject: input.Subject,
      attributes,
      messageGroupId: input.MessageGroupId,
      time: this.clock.now(),
    };
    this.messages.push(published);
    this.onPublish?.(published);
    return {
      MessageId: messageId,
      ...(fifo ? { SequenceNumber: String(this.sequence).padStart(20, '0') } : {}),
    };
  }

  private subscribe(raw: unknown): ModelResult<SubscribeCommandOutput> {
    const input = validateInput(subscribeInput, raw, { errorName: 'InvalidParameterException' });
    this.checkTopic(input.TopicArn);
    const subscriptionArn = `${input.TopicArn}:${sequentialUuid('e100', ++this.sequence)}`;
    this.subscriptionList.push({
      subscriptionArn,
      topicArn: input.TopicArn,
      protocol: input.Protocol,
      endpoint: input.Endpoint,
    });
    const pending =
      (input.Protocol === 'email' || input.Protocol === 'email-json') &&
      input.ReturnSubscriptionArn !== true;
    return { SubscriptionArn: pending ? 'pending confirmation' : subscriptionArn };
  }

  private checkTopic(topicArn: string): void {
    if (!this.topics.has(topicArn)) {
      throw new SimulatedServiceError({
        name: 'NotFoundException',
        httpStatusCode: 404,
        message: 'Topic does not exist',
      });
    }
  }
}
