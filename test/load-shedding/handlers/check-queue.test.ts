import { ModifyRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import {
  LoadSheddingEnvVars as V,
  LoadSheddingMetricNames as M,
  type CheckMessage,
} from '../../../src/load-shedding/contract.js';
import { CheckQueueEventError } from '../../../src/load-shedding/handlers/errors.js';
import { CommonErrors } from '../../../src/simulation/service-error.js';
import { createWorld, sqsRecord, type World } from './world.js';

// End to end: the check handler fed by the check queue of the SQS model (as the event source
// mapping would), the real adapters and resilient clients, the other models, virtual time.

/** Starts a chain with an ALARM event; returns the event's id. */
async function shedOnce(world: World): Promise<string> {
  const event = await world.setAlarm('ALARM');
  await world.onAlarmEvent(event);
  return event.id;
}

const step = (world: World) => world.outcomes().at(-1);

describe('load-shedding handlers: check queue', () => {
  it('a check in ALARM sheds the next step, one shed delay apart, until the primary reaches its floor', async () => {
    // Prepare
    const world = await createWorld();
    const correlationId = await shedOnce(world);
    const times = [world.clock.now()];
    const seen = [world.managed()];

    // Act: three checks while the alarm stays in ALARM.
    for (let i = 0; i < 3; i++) {
      const { result } = await world.nextCheck();
      expect(result.batchItemFailures).toEqual([]);
      times.push(world.clock.now());
      seen.push(world.managed());
    }

    // Assess
    expect(times.slice(1).map((t, i) => t - times[i])).toEqual([60_000, 60_000, 60_000]);
    expect(seen.map((w) => w.default1.primary)).toEqual([90, 80, 70, 70]);
    expect(seen.map((w) => w.canary.primary)).toEqual([70, 70, 70, 70]);
    expect(seen.map((w) => w.default2.primary)).toEqual([70, 70, 70, 70]);
    expect(world.outcomes()).toEqual(['shed', 'shed', 'shed', 'wait']);
    expect(world.metrics.sum(M.shedActions)).toBe(3);
    expect(world.models.elbv2.writes()).toHaveLength(5);
    // At the floor the chain goes on: another check after the shed delay.
    expect(world.queuedChecks()).toMatchObject([{ reason: 'wait', correlationId }]);
    expect(world.queued()[0].visibleAt - world.clock.now()).toBe(60_000);
    // Each check read the alarm state; its log lines carry the chain's correlation id.
    expect(world.calls(world.models.cloudwatch, 'DescribeAlarms')).toBe(3);
    expect(world.logger.lines.every((l) => l.attributes.correlationId === correlationId)).toBe(
      true,
    );
  });

  it('OK: after the bake time, restore steps bring every rule back to its exact baseline, then the chain ends', async () => {
    // Prepare: shed three steps.
    const world = await createWorld();
    const baseline = world.managed();
    await shedOnce(world);
    await world.nextCheck();
    await world.nextCheck();
    expect(world.managed().default1).toEqual({ primary: 70, spare: 30 });
    await world.clock.advance(10_000);
    await world.onAlarmEvent(await world.setAlarm('OK'));
    const okAt = world.clock.now();
    const seen = [];

    // Act: deliver every check until the queue is empty.
    while (world.queued().length > 0) {
      const { result } = await world.nextCheck();
      expect(result.batchItemFailures).toEqual([]);
      seen.push({ at: world.clock.now(), outcome: step(world), ...world.managed() });
    }

    // Assess: the shed check the OK event replaced comes due first and is dropped.
    expect(seen.map((s) => s.outcome)).toEqual(['stale', 'restore', 'restore', 'restore', 'end']);
    const steps = seen.slice(1);
    expect(steps.map((s) => s.default1.primary)).toEqual([80, 90, 100, 100]);
    // The canary comes back as 80/20 and the 160/40 split raw, not rescaled.
    expect(steps[0].canary).toEqual(baseline.canary);
    expect(steps[0].default2).toEqual({ primary: 160, spare: 40 });
    expect(world.managed()).toEqual(baseline);
    // The first restore a bake time after OK; then one restore delay apart.
    expect(steps[0].at - okAt).toBe(120_000);
    expect(steps.slice(1).map((s, i) => s.at - steps[i].at)).toEqual([120_000, 120_000, 120_000]);
    expect(world.metrics.sum(M.restoreActions)).toBe(3);
    expect(world.metrics.sum(M.chainEnds, { Reason: 'restored' })).toBe(1);
    expect(world.state()).toMatchObject({ status: 'idle', rules: [] });
  });

  it('INSUFFICIENT_DATA holds the weights; after MAX_INSUFFICIENT_DATA_CHECKS the chain ends and the next OK still restores exactly', async () => {
    // Prepare
    const world = await createWorld();
    const baseline = world.managed();
    await shedOnce(world);
    const shed = world.managed();
    await world.clock.advance(5_000);
    await world.onAlarmEvent(await world.setAlarm('INSUFFICIENT_DATA'));

    // Act: three checks read INSUFFICIENT_DATA (MAX_INSUFFICIENT_DATA_CHECKS = 3).
    for (let i = 0; i < 3; i++) await world.nextCheck();

    // Assess
    expect(world.outcomes()).toEqual(['shed', 'hold', 'hold', 'hold', 'end']);
    expect(world.managed()).toEqual(shed);
    expect(world.queued()).toEqual([]);
    expect(world.metrics.sum(M.chainEnds, { Reason: 'insufficient-data' })).toBe(1);
    expect(
      world.logger.lines.some((l) => l.level === 'warn' && /INSUFFICIENT_DATA/.test(l.message)),
    ).toBe(true);
    expect(world.state()).toMatchObject({ status: 'idle' });
    expect(world.state()?.rules).toHaveLength(3);

    // Act: OK later: a new chain bakes, then restores from the remembered baselines.
    await world.onAlarmEvent(await world.setAlarm('OK'));
    while (world.queued().length > 0) await world.nextCheck();

    // Assess
    expect(world.managed()).toEqual(baseline);
    expect(world.metrics.sum(M.chainEnds, { Reason: 'restored' })).toBe(1);
  });

  it('reads a missing alarm as INSUFFICIENT_DATA and holds', async () => {
    // Prepare: the configured alarm does not exist (anymore); an event of it starts a chain.
    const world = await createWorld({ env: { [V.alarmName]: 'retired-alarm' } });
    const event = structuredClone(await world.setAlarm('ALARM'));
    event.detail.alarmName = 'retired-alarm';
    await world.onAlarmEvent(event);
    const shed = world.managed();

    // Act
    await world.nextCheck();

    // Assess
    expect(world.outcomes()).toEqual(['shed', 'hold']);
    expect(world.managed()).toEqual(shed);
    expect(world.logger.lines.find((l) => /was not found/.test(l.message))).toMatchObject({
      level: 'warn',
      attributes: { alarmName: 'retired-alarm', correlationId: event.id },
    });
  });

  it('drops a check that is no longer pending without reading CloudWatch or ELBv2', async () => {
    // Prepare: the OK event replaces the pending shed check by a bake check.
    const world = await createWorld();
    await shedOnce(world);
    await world.clock.advance(20_000);
    await world.onAlarmEvent(await world.setAlarm('OK'));
    const describes = world.calls(world.models.elbv2, 'DescribeRules');

    // Act: the shed check comes due first.
    const { result } = await world.nextCheck();

    // Assess: dropped (and deleted), not a failure.
    expect(result.batchItemFailures).toEqual([]);
    expect(step(world)).toBe('stale');
    expect(world.calls(world.models.cloudwatch, 'DescribeAlarms')).toBe(0);
    expect(world.calls(world.models.elbv2, 'DescribeRules')).toBe(describes);
    expect(world.metrics.sum(M.droppedTriggers, { Trigger: 'check' })).toBe(1);
    expect(world.queuedChecks()).toMatchObject([{ reason: 'bake' }]);
  });

  it('handles a check delivered twice in one batch once', async () => {
    // Prepare
    const world = await createWorld();
    await shedOnce(world);
    await world.advanceToNextCheck();
    const [message] = await world.clock.run(() =>
      world.models.sqs.receiveMessages(world.queue.url, { maxNumberOfMessages: 1 }),
    );
    const event = {
      Records: [
        sqsRecord(message.MessageId, message.Body, world.queue.arn),
        sqsRecord('duplicate-delivery', message.Body, world.queue.arn),
      ],
    };

    // Act
    const result = await world.clock.run(() => world.checkHandler(event));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(world.outcomes()).toEqual(['shed', 'shed', 'stale']);
    expect(world.metrics.sum(M.shedActions)).toBe(2);
  });

  it('defers a check newer than the stored state (batch item failure), writing nothing', async () => {
    // Prepare: a check sent by a save that has not landed (stateVersion above the stored one).
    const world = await createWorld();
    await shedOnce(world);
    const [pending] = world.queuedChecks();
    const early: CheckMessage = { ...pending, checkId: 'from-a-later-save', stateVersion: 2 };
    const writes = world.models.elbv2.writes().length;

    // Act
    const result = await world.clock.run(() =>
      world.checkHandler({ Records: [sqsRecord('early', JSON.stringify(early), world.queue.arn)] }),
    );

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'early' }]);
    expect(step(world)).toBe('defer');
    expect(world.metrics.sum(M.deferredChecks)).toBe(1);
    expect(world.models.elbv2.writes()).toHaveLength(writes);
    expect(world.state()?.version).toBe(1);
  });

  it('ignores a check of another primary target group (deleted, not retried)', async () => {
    // Prepare
    const world = await createWorld();
    await shedOnce(world);
    const [pending] = world.queuedChecks();
    const foreign: CheckMessage = { ...pending, primaryTargetGroupArn: world.arns.other };

    // Act
    const result = await world.clock.run(() =>
      world.checkHandler({
        Records: [sqsRecord('foreign', JSON.stringify(foreign), world.queue.arn)],
      }),
    );

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(step(world)).toBe('ignored');
    expect(world.metrics.sum(M.droppedTriggers, { Trigger: 'check' })).toBe(1);
  });

  it('reports invalid messages as batch item failures and still handles the valid one of the batch', async () => {
    // Prepare
    const world = await createWorld();
    const correlationId = await shedOnce(world);
    await world.advanceToNextCheck();
    const [message] = await world.clock.run(() =>
      world.models.sqs.receiveMessages(world.queue.url, { maxNumberOfMessages: 1 }),
    );
    const { attributes: _attributes, ...withoutAttributes } = sqsRecord(
      'no-attributes',
      message.Body,
      world.queue.arn,
    );
    const event = {
      Records: [
        sqsRecord('not-json', 'hello', world.queue.arn),
        sqsRecord(
          'version-2',
          JSON.stringify({ ...JSON.parse(message.Body), v: 2 }),
          world.queue.arn,
        ),
        withoutAttributes,
        sqsRecord(message.MessageId, message.Body, world.queue.arn),
      ],
    };

    // Act
    const result = await world.clock.run(() => world.checkHandler(event));

    // Assess
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'not-json' },
      { itemIdentifier: 'version-2' },
      { itemIdentifier: 'no-attributes' },
    ]);
    expect(world.outcomes()).toEqual(['shed', 'shed']);
    const errors = world.logger.lines.filter((l) => l.level === 'error');
    expect(errors.map((l) => l.attributes.correlationId)).toEqual([
      'not-json',
      'version-2',
      'no-attributes',
    ]);
    expect(errors[0].message).toMatch(/Invalid check message/);
    expect(errors[2].message).toMatch(/malformed/);
    expect(
      world.logger.lines
        .filter((l) => l.level !== 'error')
        .every((l) => l.attributes.correlationId === correlationId),
    ).toBe(true);
  });

  it('sends an invalid message to the dead-letter queue after maxReceiveCount', async () => {
    // Prepare: someone else writes to the check queue.
    const world = await createWorld();
    world.models.sqs.sendMessage({ QueueUrl: world.queue.url, MessageBody: '{"hello":1}' });

    // Act: three deliveries (maxReceiveCount = 3), each reported as failed.
    for (let i = 0; i < 3; i++) {
      const { result, messages } = await world.deliverChecks();
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: messages[0].MessageId }]);
      await world.clock.advance(30_000); // visibility timeout
    }
    await world.deliverChecks(); // the next receive moves it

    // Assess
    expect(world.queued()).toEqual([]);
    expect(world.models.sqs.messages(world.dlq.url)).toHaveLength(1);
    expect(world.state()).toBeUndefined();
    expect(world.models.elbv2.writes()).toEqual([]);
  });

  it.each([
    ['not an SQS event', { detail: {} }],
    ['a record without a messageId', { Records: [{ body: '{}' }] }],
  ])('fails the whole batch for %s, before any AWS call', async (_, event) => {
    // Prepare
    const world = await createWorld();

    // Act
    const outcome = world.clock.run(() => world.checkHandler(event));

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(CheckQueueEventError);
    expect(world.models.dynamodb.stats().total.calls).toBe(0);
    expect(world.logger.lines.at(-1)).toMatchObject({
      level: 'error',
      message: 'Handling the check batch failed: every message is redelivered.',
    });
    expect(world.flushes()).toBe(1);
  });

  it('answers an empty batch with no failures', async () => {
    // Prepare
    const world = await createWorld();

    // Act
    const result = await world.clock.run(() => world.checkHandler({ Records: [] }));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it('adopts an external edit as the baseline: metric, warning, the rule not written in that step', async () => {
    // Prepare: someone sets the canary to 50/50 after the first shed.
    const world = await createWorld();
    await shedOnce(world);
    const canary = world.models.elbv2.rule(world.arns.canary);
    const actions = structuredClone(canary.Actions ?? []);
    const tgs = actions[1].ForwardConfig?.TargetGroups ?? [];
    tgs[0].Weight = 50;
    tgs[1].Weight = 50;
    await world.clock.run(() =>
      world.clients.elbv2.send(
        new ModifyRuleCommand({ RuleArn: world.arns.canary, Actions: actions }),
      ),
    );
    const writes = world.models.elbv2.writes().length;

    // Act
    await world.nextCheck();

    // Assess
    expect(world.metrics.sum(M.externalEdits)).toBe(1);
    expect(world.logger.lines.find((l) => /someone else/.test(l.message))).toMatchObject({
      level: 'warn',
      attributes: { ruleArn: world.arns.canary },
    });
    expect(world.weights(world.arns.canary)).toEqual({ primary: 50, spare: 50 });
    expect(
      world.models.elbv2
        .writes()
        .slice(writes)
        .map((w) => w.arn),
    ).toEqual([world.arns.listener1]);
    const remembered = world.state()?.rules.find((r) => r.ruleArn === world.arns.canary);
    expect(remembered?.baseline.map((g) => g.weight)).toEqual([50, 50]);
  });

  it('reports a check whose step failed as a batch item failure; the redelivery carries the chain on', async () => {
    // Prepare: DescribeAlarms fails longer than the client retries.
    const world = await createWorld();
    await shedOnce(world);
    world.models.cloudwatch.failNext(6, CommonErrors.internalServerException, {
      operation: 'DescribeAlarms',
    });

    // Act
    const first = await world.nextCheck();
    await world.clock.advance(30_000); // the visibility timeout
    const second = await world.deliverChecks();

    // Assess
    expect(first.result.batchItemFailures).toEqual([
      { itemIdentifier: first.messages[0].MessageId },
    ]);
    expect(world.logger.lines.find((l) => /The check failed/.test(l.message))).toMatchObject({
      level: 'error',
      attributes: { messageId: first.messages[0].MessageId, receiveCount: 1 },
    });
    expect(second.result.batchItemFailures).toEqual([]);
    expect(world.outcomes()).toEqual(['shed', 'shed']);
    expect(world.managed().default1).toEqual({ primary: 80, spare: 20 });
  });

  it('dry run: every step is proposed from the live weights and nothing is written; the chain still ends', async () => {
    // Prepare
    const world = await createWorld({ env: { [V.dryRun]: 'true' } });
    const baseline = world.managed();
    await shedOnce(world);

    // Act
    await world.nextCheck();
    await world.nextCheck();
    await world.onAlarmEvent(await world.setAlarm('OK'));
    while (world.queued().length > 0) await world.nextCheck();

    // Assess
    expect(world.models.elbv2.writes()).toEqual([]);
    expect(world.managed()).toEqual(baseline);
    const dryRunSheds = world.logger.lines.filter(
      (l) => l.message === 'Dry run, not written: Shedding one step.',
    );
    expect(dryRunSheds).toHaveLength(3);
    // The OK event replaced the pending shed check, which is dropped when it comes due.
    expect(world.outcomes()).toEqual(['shed', 'shed', 'shed', 'bake', 'stale', 'end']);
    expect(world.metrics.sum(M.writesNotLanded)).toBe(0);
    expect(world.state()).toMatchObject({ status: 'idle' });
  });
});
