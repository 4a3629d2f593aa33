import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqsModel } from '../../../src/simulation/models/sqs.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';
import { WorkflowPipe } from '../../../src/workflow/local-run/pipe.js';
import {
  LocalStateMachine,
  type LocalLambdaHandler,
} from '../../../src/workflow/local-run/runner.js';
import type { CfnTemplate } from '../../../src/workflow/local-run/template.js';
import { functionIdOf, synthFixture } from './fixtures.js';

let express: CfnTemplate;
let standard: CfnTemplate;
let clock: VirtualClock | undefined;

beforeAll(() => {
  express = synthFixture({ steps: ['etl'] });
  standard = synthFixture({ steps: ['etl'], type: 'STANDARD' });
});

afterEach(() => {
  clock?.uninstall();
  clock = undefined;
});

function world(template: CfnTemplate, etl: LocalLambdaHandler) {
  clock = VirtualClock.install();
  const sqs = new SqsModel({ clock });
  const dlq = sqs.createQueue({ name: 'workflow-dlq' });
  const queue = sqs.createQueue({
    name: 'workflow',
    // Longer than an Express execution can run, as the construct sets it.
    visibilityTimeoutSeconds: 360,
    redrivePolicy: { deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 },
  });
  const machine = new LocalStateMachine({
    template,
    clock,
    lambdas: { [functionIdOf(template, 'etl')]: etl },
  });
  const pipe = new WorkflowPipe({ clock, sqs, queueUrl: queue.url, machine });
  return { clock, sqs, queue, dlq, machine, pipe };
}

describe('local-run: WorkflowPipe (SQS → Pipe → state machine)', () => {
  it('delivers a message as a JSON array of one SQS record and deletes it once the Express execution succeeded', async () => {
    // Prepare
    const events: unknown[] = [];
    const w = world(express, (event) => {
      events.push(event);
      return Promise.resolve({});
    });
    w.sqs.sendMessage({ QueueUrl: w.queue.url, MessageBody: '{"orderId":7}' });
    // Act
    await w.clock.advance(1_000);
    await w.clock.run(() => w.pipe.stop());
    // Assess
    expect(w.pipe.invocationType).toBe('REQUEST_RESPONSE');
    const [execution] = await w.pipe.settled();
    expect(execution?.status).toBe('SUCCEEDED');
    const input = execution?.input as Record<string, unknown>[];
    expect(Array.isArray(input)).toBe(true);
    expect(input).toHaveLength(1);
    expect(input[0]).toMatchObject({
      body: '{"orderId":7}',
      eventSource: 'aws:sqs',
      eventSourceARN: w.queue.arn,
    });
    expect(events).toHaveLength(1);
    expect(w.sqs.counts(w.queue.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(w.pipe.deliveries().map((d) => d.outcome)).toEqual(['succeeded']);
  });

  it('moves a poison message to the DLQ after 3 receives, one failed Express execution each', async () => {
    const w = world(express, () => Promise.reject(new Error('poison')));
    w.sqs.sendMessage({ QueueUrl: w.queue.url, MessageBody: '{"poison":true}' });
    // Each receive: one execution (60 s of retries), then 360 s of visibility timeout.
    await w.clock.advance(30 * 60_000);
    await w.clock.run(() => w.pipe.stop());
    const executions = await w.pipe.settled();
    expect(executions.map((e) => e.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(w.pipe.deliveries().map((d) => d.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(w.sqs.counts(w.queue.url).visible + w.sqs.counts(w.queue.url).inFlight).toBe(0);
    const dead = w.sqs.messages(w.dlq.url);
    expect(dead.map((m) => m.body)).toEqual(['{"poison":true}']);
  });

  it('fires and forgets a Standard execution: the message is deleted whatever the execution does', async () => {
    const w = world(standard, () => Promise.reject(new Error('fails later')));
    w.sqs.sendMessage({ QueueUrl: w.queue.url, MessageBody: '{}' });
    await w.clock.advance(1_000);
    expect(w.pipe.invocationType).toBe('FIRE_AND_FORGET');
    expect(w.pipe.deliveries().map((d) => d.outcome)).toEqual(['succeeded']);
    expect(w.sqs.counts(w.queue.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    await w.clock.advance(120_000);
    await w.clock.run(() => w.pipe.stop());
    const [execution] = await w.pipe.settled();
    expect(execution?.status).toBe('FAILED');
    expect(w.pipe.executions()).toHaveLength(1);
    expect(w.sqs.messages(w.dlq.url)).toEqual([]);
  });

  it('refuses REQUEST_RESPONSE on a Standard state machine', () => {
    clock = VirtualClock.install();
    const sqs = new SqsModel({ clock });
    const queue = sqs.createQueue({ name: 'q' });
    const machine = new LocalStateMachine({
      template: standard,
      clock,
      lambdas: { [functionIdOf(standard, 'etl')]: () => Promise.resolve({}) },
    });
    const c = clock;
    expect(
      () =>
        new WorkflowPipe({
          clock: c,
          sqs,
          queueUrl: queue.url,
          machine,
          invocationType: 'REQUEST_RESPONSE',
        }),
    ).toThrow(/Express state machines only/);
  });
});
