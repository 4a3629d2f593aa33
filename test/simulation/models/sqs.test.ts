import { createHash } from 'node:crypto';
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas';
import * as sqsSdk from '@aws-sdk/client-sqs';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  SQSServiceException,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import { LambdaRuntime } from '../../../src/simulation/lambda-runtime.js';
import {
  SqsEventSourceMapping,
  parseBatchResponse,
  type SqsEvent,
} from '../../../src/simulation/models/sqs-event-source.js';
import {
  decodeReceiptHandle,
  md5OfMessageAttributes,
} from '../../../src/simulation/models/sqs-messages.js';
import { SqsModel, type CreateQueueOptions } from '../../../src/simulation/models/sqs.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

const START = Date.UTC(2025, 0, 1);

function setup(queue: Partial<CreateQueueOptions> = {}) {
  const clock = VirtualClock.create({ start: START });
  const sqs = new SqsModel({ clock });
  const client = createSimulatedClient(SQSClient, {}, sqs, { exceptions: sqsSdk });
  const { url, arn } = sqs.createQueue({ name: 'work', ...queue });
  return { clock, sqs, client, url, arn };
}

async function failure(promise: Promise<unknown>): Promise<SQSServiceException> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SQSServiceException);
  return error as SQSServiceException;
}

describe('simulation: SQS send, receive, delete through the SDK', () => {
  it('round-trips a message with attributes; the SDK MD5 checks pass', async () => {
    // Prepare
    const { client, url } = setup();
    const attributes = {
      Hello: { DataType: 'String', StringValue: 'There' },
      General: { DataType: 'String', StringValue: 'Kenobi' },
    };

    // Act
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{"n":1}',
        MessageAttributes: attributes,
      }),
    );
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const message = received.Messages?.[0];
    await client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message?.ReceiptHandle }),
    );
    const after = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));

    // Assess
    expect(sent).toMatchObject({
      MessageId: '00000000-0000-4000-b000-000000000001',
      MD5OfMessageBody: createHash('md5').update('{"n":1}').digest('hex'),
      // A published test vector of SQS's attribute digest.
      MD5OfMessageAttributes: 'fca026605781cb4126a1e9044df24232',
    });
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: '{"n":1}',
      MessageAttributes: attributes,
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
      Attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(START),
        ApproximateFirstReceiveTimestamp: String(START),
        SenderId: expect.any(String) as string,
      },
    });
    expect(after.Messages).toBeUndefined();
  });

  it('answers only the system and message attributes asked for', async () => {
    // Prepare
    const { client, url } = setup();
    await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'x',
        MessageAttributes: {
          'trace.id': { DataType: 'String', StringValue: 't' },
          kind: { DataType: 'Number', StringValue: '3' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) },
        },
      }),
    );

    // Act
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        MessageAttributeNames: ['trace.*'],
      }),
    );

    // Assess
    expect(received.Messages?.[0].Attributes).toEqual({ ApproximateReceiveCount: '1' });
    expect(Object.keys(received.Messages?.[0].MessageAttributes ?? {})).toEqual(['trace.id']);
  });

  it('keeps a delayed message invisible until its delay has passed', async () => {
    // Prepare
    const { clock, client, url, sqs } = setup();
    await client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 30 }),
    );

    // Act
    const early = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const stateEarly = sqs.counts(url);
    await clock.advance(29_999);
    const almost = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await clock.advance(1);
    const due = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));

    // Assess
    expect(early.Messages).toBeUndefined();
    expect(stateEarly).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    expect(almost.Messages).toBeUndefined();
    expect(due.Messages?.[0].Body).toBe('later');
  });

  it('applies the queue delay when the message gives none', async () => {
    const { clock, client, url } = setup({ delaySeconds: 10 });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'q' }));
    expect(
      (await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages,
    ).toBeUndefined();
    await clock.advance(10_000);
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toHaveLength(
      1,
    );
  });

  it('long-polls on the virtual clock: wakes on a send, or returns empty after WaitTimeSeconds', async () => {
    // Prepare
    const { clock, client, url } = setup();
    clock.schedule(5_000, () =>
      client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'arrived' })),
    );

    // Act
    const woken = await clock.run(async () => {
      const output = await client.send(
        new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }),
      );
      return { output, at: clock.now() - START };
    });
    const empty = await clock.run(async () => {
      const start = clock.now();
      const output = await client.send(
        new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }),
      );
      return { output, waited: clock.now() - start };
    });

    // Assess
    expect(woken.output.Messages?.[0].Body).toBe('arrived');
    expect(woken.at).toBe(5_000);
    expect(empty).toEqual({
      output: expect.not.objectContaining({ Messages: expect.anything() as unknown }) as unknown,
      waited: 20_000,
    });
  });

  it('wakes a long poll when an in-flight message becomes visible again', async () => {
    const { clock, client, url } = setup({ visibilityTimeoutSeconds: 5 });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'm' }));
    await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const again = await clock.run(async () => {
      const output = await client.send(
        new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }),
      );
      return { count: output.Messages?.[0].Attributes, at: clock.now() - START };
    });
    expect(again.at).toBe(5_000);
  });
});

describe('simulation: SQS visibility and receive counts', () => {
  it('hides a received message for the visibility timeout, then redelivers it with a higher count', async () => {
    // Prepare
    const { clock, client, url } = setup({ visibilityTimeoutSeconds: 30 });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));

    // Act
    const first = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    await clock.advance(29_000);
    const hidden = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await clock.advance(1_000);
    const second = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, AttributeNames: ['All'], VisibilityTimeout: 5 }),
    );

    // Assess
    expect(hidden.Messages).toBeUndefined();
    expect(first.Messages?.[0].Attributes?.ApproximateReceiveCount).toBe('1');
    expect(second.Messages?.[0].Attributes).toMatchObject({
      ApproximateReceiveCount: '2',
      ApproximateFirstReceiveTimestamp: String(START),
    });
    expect(second.Messages?.[0].ReceiptHandle).not.toBe(first.Messages?.[0].ReceiptHandle);
  });

  it('changes the visibility of an in-flight message, and refuses it otherwise', async () => {
    // Prepare
    const { clock, client, url } = setup({ visibilityTimeoutSeconds: 30 });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const handle = received.Messages?.[0].ReceiptHandle;

    // Act
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: handle,
        VisibilityTimeout: 0,
      }),
    );
    const visibleNow = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 60 }),
    );
    const newHandle = visibleNow.Messages?.[0].ReceiptHandle;
    const stale = await failure(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: handle,
          VisibilityTimeout: 10,
        }),
      ),
    );
    const tooLong = await failure(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: newHandle,
          VisibilityTimeout: 43_200 + 1,
        }),
      ),
    );
    await clock.advance(60_000);
    const notInFlight = await failure(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: newHandle,
          VisibilityTimeout: 10,
        }),
      ),
    );
    const again = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 43_200 }),
    );
    await clock.advance(3_600_000);
    const beyond12h = await failure(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: again.Messages?.[0].ReceiptHandle,
          VisibilityTimeout: 43_200,
        }),
      ),
    );

    // Assess
    expect(visibleNow.Messages).toHaveLength(1);
    expect(stale).toMatchObject({
      name: 'ReceiptHandleIsInvalid',
      $metadata: { httpStatusCode: 404 },
    });
    expect(tooLong).toMatchObject({
      name: 'InvalidParameterValue',
      $metadata: { httpStatusCode: 400 },
    });
    expect(notInFlight).toBeInstanceOf(sqsSdk.MessageNotInflight);
    expect(beyond12h.message).toMatch(/Total VisibilityTimeout/);
  });

  it('extends the visibility of an in-flight message, and needs a VisibilityTimeout', async () => {
    const { clock, client, url } = setup({ visibilityTimeoutSeconds: 10 });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const handle = received.Messages?.[0].ReceiptHandle;
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: handle,
        VisibilityTimeout: 60,
      }),
    );
    await clock.advance(30_000);
    expect(
      (await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages,
    ).toBeUndefined();
    const missing = await failure(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: handle,
        } as sqsSdk.ChangeMessageVisibilityCommandInput),
      ),
    );
    expect(missing.name).toBe('MissingParameter');
    await clock.advance(30_000);
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toHaveLength(
      1,
    );
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: START });
    const sqs = new SqsModel({ clock });
    const client = createSimulatedClient(SQSClient, {}, sqs, { exceptions: sqsSdk });
    const dlq = sqs.createQueue({ name: 'work-dlq' });
    const { url, arn } = sqs.createQueue({
      name: 'work',
      visibilityTimeoutSeconds: 10,
      redrivePolicy: { deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 },
    });
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }),
    );

    // Act
    const receives: number[] = [];
    for (let i = 0; i < 3; i++) {
      const output = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
      receives.push(output.Messages?.length ?? 0);
      await clock.advance(10_000);
    }
    const dead = await client.send(
      new ReceiveMessageCommand({ QueueUrl: dlq.url, MessageSystemAttributeNames: ['All'] }),
    );

    // Assess
    expect(receives).toEqual([1, 1, 0]);
    expect(dead.Messages?.[0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'poison',
      Attributes: {
        DeadLetterQueueSourceArn: arn,
        SentTimestamp: String(START),
        ApproximateReceiveCount: '1',
      },
    });
    expect(sqs.counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('deletes only with the latest receipt handle; a stale one succeeds and deletes nothing', async () => {
    // Prepare
    const { clock, client, url, sqs } = setup({ visibilityTimeoutSeconds: 1 });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await clock.advance(1_000);
    await client.send(new ReceiveMessageCommand({ QueueUrl: url }));

    // Act
    await client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages?.[0].ReceiptHandle }),
    );
    const invalid = await failure(
      client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })),
    );
    const missing = await failure(
      client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: '' })),
    );

    // Assess
    expect(sqs.messages(url)).toHaveLength(1);
    expect(invalid).toBeInstanceOf(sqsSdk.ReceiptHandleIsInvalid);
    expect(invalid.$metadata.httpStatusCode).toBe(404);
    expect(missing.name).toBe('MissingParameter');
  });

  it('drops messages older than the retention period', async () => {
    const { clock, client, url, sqs } = setup({ messageRetentionSeconds: 60 });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'old' }));
    await clock.advance(59_999);
    expect(sqs.messages(url)).toHaveLength(1);
    await clock.advance(1);
    expect(
      (await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages,
    ).toBeUndefined();
  });
});

describe('simulation: SQS validation', () => {
  it.each([
    [
      'DelaySeconds above 900',
      { DelaySeconds: 901 },
      'InvalidParameterValue',
      /DelaySeconds must be >= 0 and <= 900/,
    ],
    ['negative DelaySeconds', { DelaySeconds: -1 }, 'InvalidParameterValue', /DelaySeconds/],
    ['an empty body', { MessageBody: '' }, 'MissingParameter', /MessageBody/],
    [
      'a deduplication id on a standard queue',
      { MessageDeduplicationId: 'd' },
      'InvalidParameterValue',
      /not valid for this queue type/,
    ],
    [
      '11 message attributes',
      {
        MessageAttributes: Object.fromEntries(
          Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]),
        ),
      },
      'InvalidParameterValue',
      /exceeds the allowed maximum \[10\]/,
    ],
    [
      'an attribute named AWS.x',
      { MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } },
      'InvalidParameterValue',
      /name 'AWS.x' is invalid/,
    ],
    [
      'an attribute of an unknown type',
      { MessageAttributes: { a: { DataType: 'Date', StringValue: 'v' } } },
      'InvalidParameterValue',
      /supported type prefixes/,
    ],
    [
      'an attribute without a value',
      { MessageAttributes: { a: { DataType: 'String' } } },
      'InvalidParameterValue',
      /non-empty/,
    ],
    [
      'a binary attribute without bytes',
      { MessageAttributes: { a: { DataType: 'Binary' } } },
      'InvalidParameterValue',
      /must use field 'Binary'/,
    ],
    [
      'a Number attribute that is not one',
      { MessageAttributes: { a: { DataType: 'Number', StringValue: 'x' } } },
      'InvalidParameterValue',
      /cast/,
    ],
    [
      'list attribute values',
      {
        MessageAttributes: { a: { DataType: 'String', StringValue: 'v', StringListValues: ['a'] } },
      },
      'InvalidParameterValue',
      /list values/,
    ],
  ])('refuses %s', async (_name, overrides, name, message) => {
    const { client, url } = setup();
    const error = await failure(
      client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: 'x',
          ...overrides,
        }),
      ),
    );
    expect(error).toMatchObject({ name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
    expect(error.message).toMatch(message);
  });

  it('refuses a body over the queue maximum (1 MiB by default), attributes included', async () => {
    const { client, url } = setup({ maximumMessageSize: 1_024 });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1_024) }));
    const error = await failure(
      client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: 'x'.repeat(1_000),
          MessageAttributes: { k: { DataType: 'String', StringValue: 'y'.repeat(30) } },
        }),
      ),
    );
    expect(error.message).toMatch(/Message must be shorter than 1024 bytes/);
    const big = setup();
    await expect(
      big.client.send(
        new SendMessageCommand({ QueueUrl: big.url, MessageBody: 'x'.repeat(1_048_577) }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it.each([
    [
      'MaxNumberOfMessages 0',
      { MaxNumberOfMessages: 0 },
      /MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10/,
    ],
    ['MaxNumberOfMessages 11', { MaxNumberOfMessages: 11 }, /MaxNumberOfMessages/],
    ['VisibilityTimeout above 12 hours', { VisibilityTimeout: 43_201 }, /VisibilityTimeout/],
    ['WaitTimeSeconds 21', { WaitTimeSeconds: 21 }, /WaitTimeSeconds/],
  ])('refuses a receive with %s', async (_name, overrides, message) => {
    const { client, url } = setup();
    const error = await failure(
      client.send(new ReceiveMessageCommand({ QueueUrl: url, ...overrides })),
    );
    expect(error).toMatchObject({
      name: 'InvalidParameterValue',
      $metadata: { httpStatusCode: 400 },
    });
    expect(error.message).toMatch(message);
  });

  it('answers QueueDoesNotExist for an unknown queue, MissingParameter without one', async () => {
    const { client, url } = setup();
    const unknown = await failure(
      client.send(new SendMessageCommand({ QueueUrl: `${url}-nope`, MessageBody: 'x' })),
    );
    const missing = await failure(client.send(new ReceiveMessageCommand({ QueueUrl: '' })));
    expect(unknown).toBeInstanceOf(sqsSdk.QueueDoesNotExist);
    expect(unknown.$metadata.httpStatusCode).toBe(400);
    expect(missing.name).toBe('MissingParameter');
  });
});

describe('simulation: SQS batches', () => {
  it('sends a batch, reporting per-entry failures; deletes a batch', async () => {
    // Prepare
    const { client, url } = setup();

    // Act
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', DelaySeconds: 1_000 },
          {
            Id: 'c',
            MessageBody: 'three',
            MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
          },
        ],
      }),
    );
    const received = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    const deleted = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...(received.Messages ?? []).map((message, i) => ({
            Id: `d${i}`,
            ReceiptHandle: message.ReceiptHandle,
          })),
          { Id: 'bad', ReceiptHandle: 'not-a-handle' },
        ],
      }),
    );

    // Assess
    expect(sent.Successful?.map((entry) => entry.Id)).toEqual(['a', 'c']);
    expect(sent.Successful?.[1].MD5OfMessageAttributes).toBe(
      md5OfMessageAttributes({ k: { DataType: 'String', StringValue: 'v' } }),
    );
    expect(sent.Failed).toEqual([
      {
        Id: 'b',
        SenderFault: true,
        Code: 'InvalidParameterValue',
        Message:
          'Value 1000 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
      },
    ]);
    expect(received.Messages?.map((message) => message.Body)).toEqual(['one', 'three']);
    expect(deleted.Successful?.map((entry) => entry.Id)).toEqual(['d0', 'd1']);
    expect(deleted.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ]);
  });

  it.each([
    ['no entries', [], sqsSdk.EmptyBatchRequest],
    [
      '11 entries',
      Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' })),
      sqsSdk.TooManyEntriesInBatchRequest,
    ],
    [
      'repeated ids',
      [
        { Id: 'a', MessageBody: 'x' },
        { Id: 'a', MessageBody: 'y' },
      ],
      sqsSdk.BatchEntryIdsNotDistinct,
    ],
    ['an invalid id', [{ Id: 'no spaces', MessageBody: 'x' }], sqsSdk.InvalidBatchEntryId],
    [
      'more than 1 MiB in total',
      Array.from({ length: 2 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x'.repeat(600_000) })),
      sqsSdk.BatchRequestTooLong,
    ],
  ])('refuses a batch with %s', async (_name, entries, ErrorClass) => {
    const { client, url } = setup();
    const error = await failure(
      client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries })),
    );
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});

describe('simulation: SQS FIFO queues', () => {
  it('refuses a per-message delay, needs a group id and a deduplication id', async () => {
    // Prepare
    const { client, url } = setup({ name: 'orders.fifo' });

    // Act
    const delayed = await failure(
      client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: 'x',
          MessageGroupId: 'g',
          MessageDeduplicationId: 'd',
          DelaySeconds: 5,
        }),
      ),
    );
    const noGroup = await failure(
      client.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' }),
      ),
    );
    const noDedup = await failure(
      client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })),
    );
    const zeroDelay = await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'x',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
        DelaySeconds: 0,
      }),
    );

    // Assess
    expect(delayed).toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringMatching(/not valid for this queue type/) as string,
    });
    expect(noGroup).toMatchObject({
      name: 'MissingParameter',
      message: 'The request must contain the parameter MessageGroupId.',
    });
    expect(noDedup.message).toMatch(/ContentBasedDeduplication/);
    expect(zeroDelay.SequenceNumber).toMatch(/^\d{20}$/);
  });

  it('deduplicates within five minutes and delivers a group in order, one in flight at a time', async () => {
    // Prepare
    const { clock, client, url, sqs } = setup({
      name: 'orders.fifo',
      contentBasedDeduplication: true,
    });
    const send = (body: string, group: string) =>
      client.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group }),
      );
    const first = await send('a1', 'a');
    const duplicate = await send('a1', 'a');
    await send('a2', 'a');
    await send('b1', 'b');

    // Act
    const batch = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    const blocked = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    await client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: batch.Messages?.[0].ReceiptHandle }),
    );
    await clock.advance(300_000);
    const afterWindow = await send('a1', 'a');

    // Assess
    expect(duplicate.MessageId).toBe(first.MessageId);
    expect(duplicate.SequenceNumber).toBe(first.SequenceNumber);
    expect(batch.Messages?.map((message) => message.Body)).toEqual(['a1', 'a2', 'b1']);
    expect(blocked.Messages).toBeUndefined();
    expect(afterWindow.MessageId).not.toBe(first.MessageId);
    expect(sqs.messages(url).map((message) => message.messageGroupId)).toEqual(['a', 'b', 'a']);
  });

  it('answers the FIFO system attributes', async () => {
    const { client, url } = setup({ name: 'attrs.fifo' });
    await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'x',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
      }),
    );
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['none.*'],
      }),
    );
    expect(received.Messages?.[0].Attributes).toMatchObject({
      MessageGroupId: 'g',
      MessageDeduplicationId: 'd',
      SequenceNumber: expect.stringMatching(/^\d{20}$/) as string,
    });
    expect(received.Messages?.[0].MessageAttributes).toBeUndefined();
  });

  it('blocks a group behind its in-flight message', async () => {
    const { client, url } = setup({ name: 'g.fifo', contentBasedDeduplication: true });
    for (const body of ['1', '2']) {
      await client.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: 'g' }),
      );
    }
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const second = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(first.Messages?.[0].Body).toBe('1');
    expect(second.Messages).toBeUndefined();
  });
});

describe('simulation: SQS queue lookups', () => {
  it('answers GetQueueUrl and GetQueueAttributes', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: START });
    const sqs = new SqsModel({ clock, region: 'us-east-1', accountId: '111122223333' });
    const client = createSimulatedClient(SQSClient, {}, sqs, { exceptions: sqsSdk });
    const dlq = sqs.createQueue({ name: 'dlq.fifo' });
    const queue = sqs.createQueue({
      name: 'jobs.fifo',
      redrivePolicy: { deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 },
    });
    await client.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: 'x',
        MessageGroupId: 'g',
        MessageDeduplicationId: '1',
      }),
    );

    // Act
    const url = await client.send(new GetQueueUrlCommand({ QueueName: 'jobs.fifo' }));
    const all = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] }),
    );
    const some = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'Policy'],
      }),
    );
    const none = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['Policy'] }),
    );
    const missing = await failure(client.send(new GetQueueUrlCommand({ QueueName: 'nope' })));
    const otherAccount = await failure(
      client.send(
        new GetQueueUrlCommand({ QueueName: 'jobs.fifo', QueueOwnerAWSAccountId: '999999999999' }),
      ),
    );
    const noName = await failure(client.send(new GetQueueUrlCommand({ QueueName: '' })));
    const badAttribute = await failure(
      client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue.url,
          AttributeNames: ['Colour' as sqsSdk.QueueAttributeName],
        }),
      ),
    );

    // Assess
    expect(url.QueueUrl).toBe('https://sqs.us-east-1.amazonaws.com/111122223333/jobs.fifo');
    expect(all.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
      QueueArn: 'arn:aws:sqs:us-east-1:111122223333:jobs.fifo',
      FifoQueue: 'true',
      ContentBasedDeduplication: 'false',
      VisibilityTimeout: '30',
      MessageRetentionPeriod: '345600',
      MaximumMessageSize: '1048576',
      CreatedTimestamp: String(START / 1000),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
    });
    expect(some.Attributes).toEqual({ ApproximateNumberOfMessages: '1' });
    expect(none.Attributes).toBeUndefined();
    expect(missing).toBeInstanceOf(sqsSdk.QueueDoesNotExist);
    expect(otherAccount).toBeInstanceOf(sqsSdk.QueueDoesNotExist);
    expect(noName.name).toBe('MissingParameter');
    expect(badAttribute).toBeInstanceOf(sqsSdk.InvalidAttributeName);
  });

  it('refuses bad queue definitions with a clear message', () => {
    const clock = VirtualClock.create();
    const sqs = new SqsModel({ clock });
    const standard = sqs.createQueue({ name: 'std' });
    expect(() => sqs.createQueue({ name: 'bad name' })).toThrow(/not a valid queue name/);
    expect(() => sqs.createQueue({ name: 'x'.repeat(81) })).toThrow(/not a valid queue name/);
    expect(() => sqs.createQueue({ name: 'plain', fifo: true })).toThrow(/ending in '.fifo'/);
    expect(() => sqs.createQueue({ name: 'a.fifo', fifo: false })).toThrow(/fifo is false/);
    expect(() => sqs.createQueue({ name: 'std' })).toThrow(/exists/);
    expect(() => sqs.createQueue({ name: 'c', contentBasedDeduplication: true })).toThrow(
      /FIFO queues only/,
    );
    expect(() => sqs.createQueue({ name: 'd', delaySeconds: 901 })).toThrow(
      /delaySeconds must be an integer 0–900/,
    );
    expect(() =>
      sqs.createQueue({
        name: 'e',
        redrivePolicy: { deadLetterTargetArn: 'arn:nope', maxReceiveCount: 1 },
      }),
    ).toThrow(/does not exist/);
    expect(() =>
      sqs.createQueue({
        name: 'f.fifo',
        redrivePolicy: { deadLetterTargetArn: standard.arn, maxReceiveCount: 1 },
      }),
    ).toThrow(/must be FIFO too/);
    expect(() =>
      sqs.createQueue({
        name: 'g',
        redrivePolicy: { deadLetterTargetArn: standard.arn, maxReceiveCount: 0 },
      }),
    ).toThrow(/maxReceiveCount/);
    expect(() => sqs.queue('https://nope')).toThrow(SimulationConfigError);
    expect(() => sqs.messages('https://nope')).toThrow(/create it with createQueue/);
    expect(() => new SqsModel({ clock, accountId: 'x' })).toThrow(/12 digits/);
    expect(decodeReceiptHandle('AQEB' + Buffer.from('a\nb\nc').toString('base64'))).toBeUndefined();
    expect(decodeReceiptHandle('AQEB' + Buffer.from('a\nb').toString('base64'))).toBeUndefined();
  });

  it('fails SDK calls on demand through the throttling model', async () => {
    const { client, url, sqs } = setup();
    sqs.failNext(1, { name: 'InternalError', httpStatusCode: 500 });
    const error = await failure(
      createSimulatedClient(SQSClient, { maxAttempts: 1 }, sqs, { exceptions: sqsSdk }).send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }),
      ),
    );
    expect(error).toMatchObject({ name: 'InternalError', $fault: 'server' });
    expect(sqs.stats().total.faulted).toBe(1);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
  });
});

// ---- event source mapping ----

function esmSetup(options: { maxReceiveCount?: number; timeoutMs?: number } = {}) {
  const clock = VirtualClock.create({ start: START });
  const sqs = new SqsModel({ clock });
  const runtime = new LambdaRuntime({ clock });
  const dlq = sqs.createQueue({ name: 'jobs-dlq' });
  const queue = sqs.createQueue({
    name: 'jobs',
    visibilityTimeoutSeconds: 30,
    redrivePolicy: { deadLetterTargetArn: dlq.arn, maxReceiveCount: options.maxReceiveCount ?? 3 },
  });
  const send = (...bodies: string[]): void => {
    for (const body of bodies) sqs.sendMessage({ QueueUrl: queue.url, MessageBody: body });
  };
  return { clock, sqs, runtime, queue, dlq, send };
}

describe('simulation: SQS event source mapping', () => {
  it('invokes the function with the Lambda SQS event and deletes a successful batch', async () => {
    // Prepare
    const { clock, sqs, runtime, queue, send } = esmSetup();
    const events: SqsEvent[] = [];
    runtime.register<SqsEvent, void>({
      name: 'worker',
      handler: (event) => Promise.resolve(void events.push(event)),
    });
    sqs.sendMessage({
      QueueUrl: queue.url,
      MessageBody: 'with-attribute',
      MessageAttributes: { blob: { DataType: 'Binary', BinaryValue: new Uint8Array([104, 105]) } },
    });
    send('b', 'c');

    // Act
    const mapping = new SqsEventSourceMapping({
      sqs,
      queueUrl: queue.url,
      runtime,
      functionName: 'worker',
      pollers: 1,
    });
    await clock.advance(1_000);
    await mapping.stop();

    // Assess
    expect(events).toHaveLength(1);
    const [record] = events[0].Records;
    expect(SqsSchema.safeParse(events[0]).success).toBe(true);
    const typed: SQSRecord = record;
    expect(typed).toEqual({
      messageId: '00000000-0000-4000-b000-000000000001',
      receiptHandle: expect.stringMatching(/^AQEB/) as string,
      body: 'with-attribute',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(START),
        SenderId: expect.any(String) as string,
        ApproximateFirstReceiveTimestamp: String(START),
      },
      messageAttributes: {
        blob: {
          binaryValue: 'aGk=',
          stringListValues: [],
          binaryListValues: [],
          dataType: 'Binary',
        },
      },
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
    });
    expect(events[0].Records.map((r) => r.body)).toEqual(['with-attribute', 'b', 'c']);
    expect(events[0].Records[1]).not.toHaveProperty('md5OfMessageAttributes');
    expect(sqs.counts(queue.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(mapping.batches()).toEqual([
      expect.objectContaining({
        outcome: 'succeeded',
        invocation: 'succeeded',
        failedMessageIds: [],
      }),
    ]);
    expect(runtime.invocations('worker')[0].source).toBe('sqs:jobs');
    expect(mapping.enabled).toBe(false);
  });

  it('retries a failing batch after the visibility timeout and the queue redrives it to the DLQ', async () => {
    // Prepare
    const { clock, sqs, runtime, queue, dlq, send } = esmSetup({ maxReceiveCount: 2 });
    const attempts: number[] = [];
    runtime.register({
      name: 'failing',
      handler: () => {
        attempts.push(clock.now() - START);
        return Promise.reject(new Error('downstream down'));
      },
    });
    send('job');

    // Act
    const mapping = new SqsEventSourceMapping({
      sqs,
      queueUrl: queue.url,
      runtime,
      functionName: 'failing',
      pollers: 1,
    });
    await clock.advance(120_000);
    await mapping.stop();

    // Assess
    expect(attempts).toEqual([0, 30_000]);
    expect(mapping.batches().map((batch) => [batch.outcome, batch.reason])).toEqual([
      ['failed', 'the invocation failed'],
      ['failed', 'the invocation failed'],
    ]);
    expect(sqs.messages(dlq.url).map((message) => message.body)).toEqual(['job']);
    expect(sqs.messages(queue.url)).toEqual([]);
  });

  it('deletes all but the batchItemFailures; the failed ones come back', async () => {
    // Prepare
    const { clock, sqs, runtime, queue, send } = esmSetup();
    const bodies: string[][] = [];
    runtime.register<SqsEvent, unknown>({
      name: 'partial',
      handler: (event) => {
        bodies.push(event.Records.map((record) => record.body));
        return Promise.resolve({
          batchItemFailures: event.Records.filter((record) => record.body === 'bad').map(
            (record) => ({
              itemIdentifier: record.messageId,
            }),
          ),
        });
      },
    });
    send('ok-1', 'bad', 'ok-2');

    // Act
    const mapping = new SqsEventSourceMapping({
      sqs,
      queueUrl: queue.url,
      runtime,
      functionName: 'partial',
      reportBatchItemFailures: true,
      pollers: 1,
    });
    await clock.advance(1_000);
    const left = sqs.messages(queue.url);
    await clock.advance(30_000);
    await mapping.stop();

    // Assess
    expect(left.map((message) => [message.body, message.state])).toEqual([['bad', 'inFlight']]);
    expect(bodies).toEqual([['ok-1', 'bad', 'ok-2'], ['bad']]);
    expect(mapping.batches()[0]).toMatchObject({
      outcome: 'partial',
      failedMessageIds: [left[0].messageId],
    });
  });

  it('fails the whole batch on an invalid partial response or a timeout', async () => {
    // Prepare
    const { clock, sqs, runtime, queue, send } = esmSetup();
    let call = 0;
    runtime.register<SqsEvent, unknown>({
      name: 'odd',
      timeoutMs: 5_000,
      handler: async () => {
        call++;
        if (call === 1) return { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] };
        if (call === 2) await clock.sleep(10_000);
        return undefined;
      },
    });
    send('x');

    // Act
    const mapping = new SqsEventSourceMapping({
      sqs,
      queueUrl: queue.url,
      runtime,
      functionName: 'odd',
      reportBatchItemFailures: true,
      pollers: 1,
    });
    await clock.advance(100_000);
    await mapping.stop();

    // Assess
    expect(mapping.batches().map((batch) => [batch.outcome, batch.reason])).toEqual([
      [
        'failed',
        "invalid partial batch response: itemIdentifier 'not-in-batch' is not a message of the batch",
      ],
      ['failed', 'the invocation timed out'],
      ['succeeded', undefined],
    ]);
  });

  it('reads partial batch responses as Lambda documents them', () => {
    const ids = new Set(['m1', 'm2']);
    expect(parseBatchResponse(undefined, ids)).toEqual({ failed: [] });
    expect(parseBatchResponse(null, ids)).toEqual({ failed: [] });
    expect(parseBatchResponse({}, ids)).toEqual({ failed: [] });
    expect(parseBatchResponse({ batchItemFailures: null }, ids)).toEqual({ failed: [] });
    expect(parseBatchResponse({ batchItemFailures: [] }, ids)).toEqual({ failed: [] });
    expect(parseBatchResponse({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, ids)).toEqual({
      failed: ['m2'],
    });
    expect(parseBatchResponse('ok', ids)).toHaveProperty('invalid');
    expect(parseBatchResponse([], ids)).toHaveProperty('invalid');
    expect(parseBatchResponse({ batchItemFailures: 'm1' }, ids)).toHaveProperty('invalid');
    expect(parseBatchResponse({ batchItemFailures: [{ itemIdentifier: '' }] }, ids)).toHaveProperty(
      'invalid',
    );
    expect(
      parseBatchResponse({ batchItemFailures: [{ itemIdentifier: null }] }, ids),
    ).toHaveProperty('invalid');
    expect(parseBatchResponse({ batchItemFailures: [{ id: 'm1' }] }, ids)).toHaveProperty(
      'invalid',
    );
    expect(parseBatchResponse({ batchItemFailures: ['m1'] }, ids)).toHaveProperty('invalid');
  });

  it('waits for a full batch within the batching window, and batches by batchSize', async () => {
    // Prepare
    const { clock, sqs, runtime, queue, send } = esmSetup();
    const sizes: { size: number; at: number }[] = [];
    runtime.register<SqsEvent, void>({
      name: 'window',
      handler: (event) =>
        Promise.resolve(void sizes.push({ size: event.Records.length, at: clock.now() - START })),
    });
    send(...Array.from({ length: 12 }, (_, i) => `m${i}`));
    clock.schedule(2_000, () => send(...Array.from({ length: 10 }, (_, i) => `late${i}`)));

    // Act
    const mapping = new SqsEventSourceMapping({
      sqs,
      queueUrl: queue.url,
      runtime,
      functionName: 'window',
      batchSize: 25,
      maximumBatchingWindowSeconds: 5,
      pollers: 1,
    });
    await clock.advance(10_000);
    await mapping.stop();

    // Assess
    expect(sizes).toEqual([{ size: 22, at: 5_000 }]);
  });

  it('refuses bad settings, and keeps a scenario error that stops the pollers', async () => {
    // Prepare
    const { clock, sqs, runtime, queue } = esmSetup();
    runtime.register({ name: 'fn', handler: () => Promise.resolve() });
    const base = { sqs, queueUrl: queue.url, runtime, functionName: 'fn', enabled: false };

    // Act / Assess
    expect(() => new SqsEventSourceMapping({ ...base, functionName: 'ghost' })).toThrow(
      /not registered/,
    );
    expect(() => new SqsEventSourceMapping({ ...base, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => new SqsEventSourceMapping({ ...base, batchSize: 11 })).toThrow(
      /maximumBatchingWindowSeconds of at least 1/,
    );
    expect(() => new SqsEventSourceMapping({ ...base, maximumBatchingWindowSeconds: 301 })).toThrow(
      /maximumBatchingWindowSeconds/,
    );
    expect(() => new SqsEventSourceMapping({ ...base, maximumConcurrency: 1 })).toThrow(
      /maximumConcurrency/,
    );
    expect(() => new SqsEventSourceMapping({ ...base, maximumConcurrency: 2, pollers: 3 })).toThrow(
      /pollers/,
    );
    const fifo = sqs.createQueue({ name: 'f.fifo' });
    expect(
      () =>
        new SqsEventSourceMapping({
          ...base,
          queueUrl: fifo.url,
          batchSize: 20,
          maximumBatchingWindowSeconds: 1,
        }),
    ).toThrow(/1–10/);

    const mapping = new SqsEventSourceMapping(base);
    mapping.start();
    mapping.start();
    sqs.sendMessage({ QueueUrl: queue.url, MessageBody: 'x' });
    // A message whose receipt handle is for another queue makes the mapping's delete fail:
    // a bug in the scenario, kept rather than swallowed.
    const deleteMessage = sqs.deleteMessage.bind(sqs);
    sqs.deleteMessage = () => {
      throw new SimulationConfigError('scenario bug');
    };
    await clock.advance(1_000);
    await mapping.stop();
    sqs.deleteMessage = deleteMessage;
    expect(mapping.error).toBeInstanceOf(SimulationConfigError);
    expect(mapping.enabled).toBe(false);
  });

  it('spreads batches over several pollers by default', async () => {
    const { clock, sqs, runtime, queue, send } = esmSetup();
    runtime.register({ name: 'slow', handler: () => clock.sleep(1_000) });
    send(...Array.from({ length: 30 }, (_, i) => `m${i}`));
    const mapping = new SqsEventSourceMapping({
      sqs,
      queueUrl: queue.url,
      runtime,
      functionName: 'slow',
    });
    await clock.advance(500);
    const concurrent = runtime.running('slow');
    await clock.advance(5_000);
    await mapping.stop();
    expect(concurrent).toBe(3);
    expect(sqs.counts(queue.url).visible + sqs.counts(queue.url).inFlight).toBe(0);
  });
});
