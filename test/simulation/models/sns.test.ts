import * as snsSdk from '@aws-sdk/client-sns';
import {
  CreateTopicCommand,
  InvalidParameterException,
  NotFoundException,
  PublishCommand,
  SNSClient,
  SNSServiceException,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import {
  MAX_PUBLISH_BYTES,
  SnsModel,
  type PublishedMessage,
} from '../../../src/simulation/models/sns.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

const START = Date.UTC(2025, 0, 1);

function setup() {
  const clock = VirtualClock.create({ start: START });
  const seen: PublishedMessage[] = [];
  const sns = new SnsModel({ clock, region: 'eu-west-1', onPublish: (m) => seen.push(m) });
  const client = createSimulatedClient(SNSClient, { region: 'eu-west-1' }, sns, {
    exceptions: snsSdk,
  });
  return { clock, sns, client, seen };
}

async function failure(promise: Promise<unknown>): Promise<SNSServiceException> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SNSServiceException);
  return error as SNSServiceException;
}

describe('simulation: SNS topics and publish', () => {
  it('creates topics idempotently and records what is published', async () => {
    // Prepare
    const { client, sns, seen } = setup();
    const created = await client.send(new CreateTopicCommand({ Name: 'DRS-RateLimitAlerts' }));
    const again = await client.send(new CreateTopicCommand({ Name: 'DRS-RateLimitAlerts' }));
    const other = sns.createTopic('other');

    // Act
    const output = await client.send(
      new PublishCommand({
        TopicArn: created.TopicArn,
        Subject: 'DRS retries exhausted',
        Message: '{"operation":"StartRecovery"}',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'CRITICAL' } },
      }),
    );
    await client.send(new PublishCommand({ TargetArn: other, Message: 'second' }));

    // Assess
    expect(created.TopicArn).toBe('arn:aws:sns:eu-west-1:123456789012:DRS-RateLimitAlerts');
    expect(again.TopicArn).toBe(created.TopicArn);
    expect(output.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sns.published(created.TopicArn)).toEqual([
      {
        topicArn: created.TopicArn,
        messageId: output.MessageId,
        subject: 'DRS retries exhausted',
        message: '{"operation":"StartRecovery"}',
        attributes: { severity: { DataType: 'String', StringValue: 'CRITICAL' } },
        messageGroupId: undefined,
        time: START,
      },
    ]);
    expect(sns.published()).toHaveLength(2);
    expect(seen).toEqual(sns.published());
  });

  it('answers NotFound for unknown topics and InvalidParameter for bad messages', async () => {
    // Prepare
    const { client, sns } = setup();
    const topic = sns.createTopic('alerts');
    const fifo = sns.createTopic('alerts.fifo');

    // Act
    const unknown = await failure(
      client.send(
        new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:123456789012:nope', Message: 'x' }),
      ),
    );
    const exactly = await client.send(
      new PublishCommand({ TopicArn: topic, Message: 'a'.repeat(MAX_PUBLISH_BYTES) }),
    );
    const tooBig = await failure(
      client.send(
        new PublishCommand({
          TopicArn: topic,
          Message: 'a'.repeat(MAX_PUBLISH_BYTES - 10),
          MessageAttributes: { k: { DataType: 'String', StringValue: '0123456789' } },
        }),
      ),
    );
    const subject = await failure(
      client.send(new PublishCommand({ TopicArn: topic, Message: 'x', Subject: 'a\nb' })),
    );
    const both = await failure(
      client.send(new PublishCommand({ TopicArn: topic, TargetArn: topic, Message: 'x' })),
    );
    const sms = await failure(
      client.send(new PublishCommand({ PhoneNumber: '+15555550100', Message: 'x' })),
    );
    const neither = await failure(client.send(new PublishCommand({ Message: 'x' })));
    const groupOnStandard = await failure(
      client.send(new PublishCommand({ TopicArn: topic, Message: 'x', MessageGroupId: 'g' })),
    );
    const noGroup = await failure(
      client.send(new PublishCommand({ TopicArn: fifo, Message: 'x' })),
    );
    const grouped = await client.send(
      new PublishCommand({ TopicArn: fifo, Message: 'x', MessageGroupId: 'g' }),
    );
    const badType = await failure(
      client.send(
        new PublishCommand({
          TopicArn: topic,
          Message: 'x',
          MessageAttributes: { k: { DataType: 'Date', StringValue: 'x' } },
        }),
      ),
    );

    // Assess
    expect(unknown).toBeInstanceOf(NotFoundException);
    expect(unknown.$metadata.httpStatusCode).toBe(404);
    expect(exactly.MessageId).toBeDefined();
    expect(tooBig).toBeInstanceOf(InvalidParameterException);
    expect(tooBig.message).toContain('Message too long');
    for (const error of [subject, both, neither, sms, noGroup, groupOnStandard, badType]) {
      expect(error).toBeInstanceOf(InvalidParameterException);
    }
    expect(grouped.SequenceNumber).toMatch(/^\d{20}$/);
    expect(sns.published(fifo)[0]?.messageGroupId).toBe('g');
  });

  it('counts binary attribute bytes towards the limit', async () => {
    const { client, sns } = setup();
    const topic = sns.createTopic('bin');
    const error = await failure(
      client.send(
        new PublishCommand({
          TopicArn: topic,
          Message: 'a'.repeat(MAX_PUBLISH_BYTES - 100),
          MessageAttributes: { b: { DataType: 'Binary', BinaryValue: new Uint8Array(100) } },
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
  });

  it('subscribes endpoints; email stays pending confirmation', async () => {
    // Prepare
    const { client, sns } = setup();
    const topic = sns.createTopic('alerts');

    // Act
    const email = await client.send(
      new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: 'ops@example.com' }),
    );
    const queue = await client.send(
      new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:q' }),
    );
    const missing = await failure(
      client.send(new SubscribeCommand({ TopicArn: `${topic}-x`, Protocol: 'sqs', Endpoint: 'q' })),
    );
    const protocol = await failure(
      client.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'pigeon', Endpoint: 'q' })),
    );

    // Assess
    expect(email.SubscriptionArn).toBe('pending confirmation');
    expect(queue.SubscriptionArn).toMatch(new RegExp(`^${topic}:`));
    expect(sns.subscriptions(topic).map((s) => s.protocol)).toEqual(['email', 'sqs']);
    expect(missing).toBeInstanceOf(NotFoundException);
    expect(protocol).toBeInstanceOf(InvalidParameterException);
  });

  it('validates topic names', async () => {
    const { client, sns } = setup();
    const error = await failure(client.send(new CreateTopicCommand({ Name: 'bad name' })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(() => sns.createTopic('')).toThrow(SimulationConfigError);
  });
});
