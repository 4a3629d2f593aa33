/**
 * The items of the load-shedding spec's Phase 9 list (tasks 24–29) that no other test showed:
 * see docs/load-shedding-test-plan.md for the whole map. Everything runs end to end: the real
 * handlers, adapters and resilient clients on the ELBv2, CloudWatch, SQS and DynamoDB models,
 * on virtual time (test/load-shedding/handlers/world.ts).
 */
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import {
  LoadSheddingEnvVars as V,
  LoadSheddingMetricNames as M,
  parseLoadSheddingConfig,
} from '../../src/load-shedding/contract.js';
import { LoadSheddingConfigError } from '../../src/load-shedding/errors.js';
import { createAlarmEventHandler } from '../../src/load-shedding/handlers/alarm-event.js';
import { createCheckQueueHandler } from '../../src/load-shedding/handlers/check-queue.js';
import { defaultDeps } from '../../src/load-shedding/handlers/deps.js';
import { AlarmEventError, CheckQueueEventError } from '../../src/load-shedding/handlers/errors.js';
import {
  isRestorable,
  restore,
  type WeightedTargetGroup,
} from '../../src/load-shedding/weights.js';
import { RetryExhaustedError } from '../../src/resilience/errors.js';
import { CommonErrors } from '../../src/simulation/service-error.js';
import { TABLE, createWorld, sqsEvent, sqsRecord, type World } from './handlers/world.js';

const MINUTE = 60_000;

/** Starts a chain with an ALARM event (one shed step, one check scheduled). */
async function shedOnce(world: World): Promise<void> {
  await world.onAlarmEvent(await world.setAlarm('ALARM'));
}

/** Calls that reached any of the world's models. */
function awsCalls(world: World): number {
  const { elbv2, cloudwatch, sqs, dynamodb } = world.models;
  return [elbv2, cloudwatch, sqs, dynamodb].reduce((n, m) => n + m.stats().total.calls, 0);
}

/** The primary's share (percent) of a rule's forward action. */
function primaryShare(world: World, actions: readonly Action[] = []): number {
  const groups = actions.find((a) => a.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
  const total = groups.reduce((sum, g) => sum + (g.Weight ?? 0), 0);
  const primary = groups.find((g) => g.TargetGroupArn === world.arns.primary)?.Weight ?? 0;
  return (100 * primary) / total;
}

/** The primary's share of each managed rule, as ELBv2 holds them now. */
function shares(world: World) {
  const { elbv2 } = world.models;
  return {
    default1: primaryShare(world, elbv2.rule(world.arns.default1).Actions),
    canary: primaryShare(world, elbv2.rule(world.arns.canary).Actions),
    default2: primaryShare(world, elbv2.rule(world.arns.default2).Actions),
  };
}

describe('phase 9 gaps: lambda handlers (24.5, 24.10, 24.11)', () => {
  it('24.5: each handler refuses the other trigger’s event before any AWS call', async () => {
    // Prepare: an alarm event, and a batch holding the check that event scheduled.
    const world = await createWorld();
    const alarmEvent = await world.setAlarm('ALARM');
    const source = await createWorld();
    await shedOnce(source);
    const checkEvent = {
      Records: [sqsRecord('m-1', source.queued()[0].body, world.queue.arn)],
    };
    const before = awsCalls(world);

    // Act
    const alarmError = await world.onAlarmEvent(checkEvent).catch((e: unknown) => e);
    const checkError = await world.clock
      .run(() => world.checkHandler(alarmEvent))
      .catch((e: unknown) => e);

    // Assess
    expect(alarmError).toBeInstanceOf(AlarmEventError);
    expect(checkError).toBeInstanceOf(CheckQueueEventError);
    expect((checkError as Error).message).toMatch(/not an SQS event.*Records/);
    expect(awsCalls(world)).toBe(before);
    expect(world.state()).toBeUndefined();
    expect(world.logger.lines.filter((l) => l.level === 'error')).toHaveLength(2);
  });

  it('24.10: an empty batch touches no AWS service, logs no step and still flushes the metrics', async () => {
    // Prepare
    const world = await createWorld();
    await shedOnce(world);
    const calls = awsCalls(world);
    const state = world.state();
    const lines = world.logger.lines.length;

    // Act
    const result = await world.clock.run(() => world.checkHandler({ Records: [] }));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(awsCalls(world)).toBe(calls);
    expect(world.state()).toEqual(state);
    expect(world.logger.lines).toHaveLength(lines);
    expect(world.flushes()).toBe(2); // the alarm event's, and this one's
  });

  it.each([
    ['a truncated check', (body: string) => body.slice(0, body.length / 2)],
    ['JSON null', () => 'null'],
    ['an empty body', () => ''],
  ])(
    '24.11: %s is a batch item failure that changes nothing; the real check still steps',
    async (_, corrupt) => {
      // Prepare
      const world = await createWorld();
      await shedOnce(world);
      await world.advanceToNextCheck();
      const [real] = await world.clock.run(() =>
        world.models.sqs.receiveMessages(world.queue.url, { maxNumberOfMessages: 1 }),
      );
      const state = world.state();
      const describes = world.calls(world.models.elbv2, 'DescribeRules');

      // Act: the malformed record alone, then the real check.
      const bad = await world.clock.run(() =>
        world.checkHandler({
          Records: [sqsRecord('malformed', corrupt(real.Body), world.queue.arn)],
        }),
      );
      const afterBad = {
        state: world.state(),
        describes: world.calls(world.models.elbv2, 'DescribeRules'),
      };
      const good = await world.clock.run(() =>
        world.checkHandler(sqsEvent([real], world.queue.arn)),
      );

      // Assess
      expect(bad.batchItemFailures).toEqual([{ itemIdentifier: 'malformed' }]);
      expect(afterBad).toEqual({ state, describes });
      expect(world.logger.lines.find((l) => /Invalid check message/.test(l.message))).toMatchObject(
        { level: 'error', attributes: { messageId: 'malformed', correlationId: 'malformed' } },
      );
      expect(good.batchItemFailures).toEqual([]);
      expect(world.outcomes()).toEqual(['shed', 'shed']);
      expect(world.managed().default1).toEqual({ primary: 80, spare: 20 });
    },
  );
});

describe('phase 9 gaps: error handling (25.2–25.6)', () => {
  it('25.2: an ELBv2 client error while reading the rules fails the event with nothing saved, sent or written', async () => {
    // Prepare: DescribeRules refused (not retryable).
    const world = await createWorld();
    const event = await world.setAlarm('ALARM');
    world.models.elbv2.failNext(
      1,
      { name: 'AccessDenied', httpStatusCode: 403, message: 'not authorized' },
      { operation: 'DescribeRules' },
    );

    // Act
    const failed = world.onAlarmEvent(event);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(world.state()).toBeUndefined();
    expect(world.queued()).toEqual([]);
    expect(world.models.elbv2.writes()).toEqual([]);
    expect(world.metrics.points).toEqual([]);
    expect(world.logger.lines.at(-1)).toMatchObject({
      level: 'error',
      message: 'Handling the alarm event failed.',
      attributes: { correlationId: event.id },
    });

    // Act: Lambda retries the asynchronous invocation.
    const retried = await world.onAlarmEvent(event);

    // Assess
    expect(retried.outcome).toBe('shed');
    expect(world.managed().default1).toEqual({ primary: 90, spare: 10 });
  });

  it('25.2: a state table that does not exist fails the event before ELBv2 or SQS is called', async () => {
    // Prepare
    const world = await createWorld({ env: { [V.stateTableName]: 'no-such-table' } });
    const event = await world.setAlarm('ALARM');

    // Act
    const failed = world.onAlarmEvent(event);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(world.models.elbv2.stats().total.calls).toBe(0);
    expect(world.models.sqs.stats().total.calls).toBe(0);
  });

  it('25.3: a listener that does not exist fails the event with ListenerNotFoundException; no rule of the other listeners is touched', async () => {
    // Prepare: LISTENER_ARNS names a well-formed listener that ELBv2 does not have.
    const probe = await createWorld();
    const missing = probe.arns.listener2.replace(/[0-9a-f]+$/, 'deadbeefdeadbeef');
    const world = await createWorld({
      env: { [V.listenerArns]: JSON.stringify([probe.arns.listener1, missing]) },
    });
    const before = world.managed();

    // Act
    const failed = world.onAlarmEvent(await world.setAlarm('ALARM'));

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'ListenerNotFoundException' });
    expect(world.managed()).toEqual(before);
    expect(world.models.elbv2.writes()).toEqual([]);
    expect(world.state()).toBeUndefined();
    expect(world.queued()).toEqual([]);
  });

  it('25.3: a listener gone mid-chain fails every check (weights held as shed) until the check reaches the dead-letter queue', async () => {
    // Prepare: a chain runs; then the configuration names a listener ELBv2 no longer has.
    const world = await createWorld();
    await shedOnce(world);
    const shed = world.managed();
    const missing = world.arns.listener2.replace(/[0-9a-f]+$/, 'deadbeefdeadbeef');
    const checkHandler = createCheckQueueHandler({
      ...world.deps,
      config: parseLoadSheddingConfig({
        ...world.env,
        [V.listenerArns]: JSON.stringify([world.arns.listener1, missing]),
      }),
    });
    const stateVersion = world.state()?.version;

    // Act: the check is delivered three times (maxReceiveCount), then moved by the next receive.
    await world.advanceToNextCheck();
    const failures: number[] = [];
    for (let i = 0; i < 4; i++) {
      const messages = await world.clock.run(() =>
        world.models.sqs.receiveMessages(world.queue.url, { maxNumberOfMessages: 10 }),
      );
      if (messages.length > 0) {
        const result = await world.clock.run(() =>
          checkHandler(sqsEvent(messages, world.queue.arn)),
        );
        failures.push(result.batchItemFailures.length);
      }
      await world.clock.advance(30_000); // the visibility timeout
    }

    // Assess
    expect(failures).toEqual([1, 1, 1]);
    expect(world.managed()).toEqual(shed);
    expect(world.state()?.version).toBe(stateVersion);
    expect(world.queued()).toEqual([]);
    expect(world.models.sqs.messages(world.dlq.url)).toHaveLength(1);
    const failed = world.logger.lines.filter((l) => /The check failed/.test(l.message));
    expect(failed.map((l) => (l.attributes.error as Error).name)).toEqual([
      'ListenerNotFoundException',
      'ListenerNotFoundException',
      'ListenerNotFoundException',
    ]);
  });

  it.each([
    ['my-service', /PRIMARY_TARGET_GROUP_ARN must be an ELBv2 target group ARN/],
    [
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
      /PRIMARY_TARGET_GROUP_ARN must be an ELBv2 target group ARN/,
    ],
    [
      // Same partition, another region than the listeners.
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/primary/0000000000000002',
      /LISTENER_ARNS/,
    ],
  ])(
    '25.4: a bad PRIMARY_TARGET_GROUP_ARN %j fails both handlers at cold start, naming the variable',
    async (arn, expected) => {
      // Prepare
      const world = await createWorld();
      const deps = defaultDeps({ ...world.env, [V.primaryTargetGroupArn]: arn });

      // Act
      const alarmOutcome = createAlarmEventHandler(deps)(await world.setAlarm('ALARM'));
      const checkOutcome = createCheckQueueHandler(deps)({ Records: [] });

      // Assess
      for (const outcome of [alarmOutcome, checkOutcome]) {
        await expect(outcome).rejects.toBeInstanceOf(LoadSheddingConfigError);
        await expect(outcome).rejects.toThrow(expected);
      }
    },
  );

  it('25.4: a well-formed target group that no rule routes to: the chain writes nothing and ends on OK', async () => {
    // Prepare
    const ghost =
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ghost/00000000000000ff';
    const world = await createWorld({ env: { [V.primaryTargetGroupArn]: ghost } });
    const before = world.managed();

    // Act
    await world.onAlarmEvent(await world.setAlarm('ALARM'));
    await world.nextCheck();
    await world.onAlarmEvent(await world.setAlarm('OK'));
    while (world.queued().length > 0) await world.nextCheck();

    // Assess
    expect(world.models.elbv2.writes()).toEqual([]);
    expect(world.managed()).toEqual(before);
    expect(world.outcomes()).toEqual(['wait', 'wait', 'bake', 'stale', 'end']);
    expect(world.metrics.sum(M.shedActions) + world.metrics.sum(M.restoreActions)).toBe(0);
    const item = world.models.dynamodb.item(TABLE, { pk: { S: ghost } });
    expect(item?.status).toEqual({ S: 'idle' });
    // Every decision but the dropped check read the rules, and warned.
    expect(world.logger.lines.filter((l) => /No forward rule/.test(l.message))).toHaveLength(4);
  });

  it('25.5: a check whose SendMessage fails is redelivered with nothing saved or written; the redelivery steps', async () => {
    // Prepare: SendMessage fails longer than the client retries.
    const world = await createWorld();
    await shedOnce(world);
    const version = world.state()?.version;
    const writes = world.models.elbv2.writes().length;
    world.models.sqs.failNext(6, CommonErrors.internalServerException, {
      operation: 'SendMessage',
    });

    // Act
    const first = await world.nextCheck();
    const afterFailure = {
      version: world.state()?.version,
      writes: world.models.elbv2.writes().length,
    };
    await world.clock.advance(30_000); // the visibility timeout
    const second = await world.deliverChecks();

    // Assess
    expect(first.result.batchItemFailures).toEqual([
      { itemIdentifier: first.messages[0].MessageId },
    ]);
    expect(afterFailure).toEqual({ version, writes });
    const failed = world.logger.lines.find((l) => /The check failed/.test(l.message));
    expect(failed?.attributes.error).toBeInstanceOf(RetryExhaustedError);
    expect(second.result.batchItemFailures).toEqual([]);
    expect(world.outcomes()).toEqual(['shed', 'shed']);
    expect(world.managed().default1).toEqual({ primary: 80, spare: 20 });
  });

  it('25.6: an alarm that does not exist holds the weights, then ends the chain without restoring or failing', async () => {
    // Prepare: ALARM_NAME names an alarm CloudWatch does not have (deleted, or a typo).
    const world = await createWorld({ env: { [V.alarmName]: 'retired-alarm' } });
    const event = structuredClone(await world.setAlarm('ALARM'));
    event.detail.alarmName = 'retired-alarm';
    await world.onAlarmEvent(event);
    const shed = world.managed();

    // Act: deliver every check (MAX_INSUFFICIENT_DATA_CHECKS = 3).
    const failures: number[] = [];
    while (world.queued().length > 0) {
      failures.push((await world.nextCheck()).result.batchItemFailures.length);
    }

    // Assess: held as shed, the chain ended, nothing in the dead-letter queue.
    expect(failures).toEqual([0, 0, 0]);
    expect(world.outcomes()).toEqual(['shed', 'hold', 'hold', 'end']);
    expect(world.managed()).toEqual(shed);
    expect(world.metrics.sum(M.chainEnds, { Reason: 'insufficient-data' })).toBe(1);
    expect(world.state()).toMatchObject({ status: 'idle' });
    expect(world.models.sqs.messages(world.dlq.url)).toEqual([]);
    expect(world.logger.lines.filter((l) => /was not found/.test(l.message))).toHaveLength(3);
  });
});

describe('phase 9 gaps: edge cases (27.4)', () => {
  const arn = (name: string): string =>
    `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/0123456789abcdef`;
  const [P, S, T] = ['p', 's', 't'].map(arn);
  const rule = (...entries: [string, number][]): WeightedTargetGroup[] =>
    entries.map(([targetGroupArn, weight]) => ({ targetGroupArn, weight }));
  const weightsOf = (groups: readonly WeightedTargetGroup[]) => groups.map((g) => g.weight);

  it('27.4: with the only secondary at 0 there is nothing to restore', () => {
    const groups = rule([P, 100], [S, 0]);

    expect(isRestorable(groups, { primary: P })).toBe(false);
    expect(restore(groups, { primary: P, percent: 10 })).toEqual(groups);
  });

  it('27.4: a secondary at 0 gives nothing and stays at 0; the others give', () => {
    const groups = rule([P, 70], [S, 0], [T, 30]);

    expect(isRestorable(groups, { primary: P })).toBe(true);
    expect(weightsOf(restore(groups, { primary: P, percent: 10 }))).toEqual([80, 0, 20]);
    expect(weightsOf(restore(groups, { primary: P, percent: 100 }))).toEqual([100, 0, 0]);
  });

  it('27.4: a secondary whose baseline is 0 is brought back to exactly 0', () => {
    const baseline = rule([P, 80], [S, 0], [T, 20]);
    const groups = rule([P, 60], [S, 10], [T, 30]);

    const first = restore(groups, { primary: P, percent: 10, baseline });
    const second = restore(first, { primary: P, percent: 10, baseline });

    expect(weightsOf(first)).toEqual([70, 5, 25]);
    expect(weightsOf(second)).toEqual([80, 0, 20]);
    expect(isRestorable(second, { primary: P, baseline })).toBe(false);
  });
});

describe('phase 9 gaps: shed → max → restore through the simulation (29.4, 29.5)', () => {
  it.each([
    { shedPercent: 10, maxShedPercent: 30, restorePercent: 10 },
    { shedPercent: 25, maxShedPercent: 100, restorePercent: 20 },
  ])(
    'deployed, $shedPercent% steps reach the $maxShedPercent% limit exactly, hold there, then restore every rule to its baseline (100% on the 100/0 rule)',
    async ({ shedPercent, maxShedPercent, restorePercent }) => {
      // Prepare: the handlers deployed as the construct deploys them; nobody drives the steps.
      const world = await createWorld({
        env: {
          [V.shedPercent]: String(shedPercent),
          [V.maxShedPercent]: String(maxShedPercent),
          [V.restorePercent]: String(restorePercent),
        },
      });
      const baseline = world.managed();
      const baselineShares = shares(world);
      const floor = 100 - maxShedPercent;
      const { runtime, mapping } = world.deploy();
      const sampled: ReturnType<typeof shares>[] = [];
      let writesAtFloor = -1;

      // Act: ALARM for 8 minutes (sampled every minute, half a minute off the steps), then OK.
      await world.clock.run(async () => {
        await world.setAlarmState('ALARM');
        await world.clock.sleep(MINUTE / 2);
        for (let i = 0; i < 8; i++) {
          sampled.push(shares(world));
          if (i === 5) writesAtFloor = world.models.elbv2.writes().length;
          await world.clock.sleep(MINUTE);
        }
        expect(world.models.elbv2.writes()).toHaveLength(writesAtFloor);
        await world.setAlarmState('OK');
        await world.clock.sleep(30 * MINUTE);
      });
      await world.clock.run(() => mapping.stop());

      // Assess: the shares only go down while in ALARM, never below the floor, and end there.
      for (const rule of ['default1', 'canary', 'default2'] as const) {
        const series = sampled.map((s) => s[rule]);
        series.slice(1).forEach((share, i) => expect(share).toBeLessThanOrEqual(series[i]));
        expect(Math.min(...series)).toBe(floor);
        expect(series.at(-1)).toBe(floor);
        expect(series[0]).toBeLessThan(baselineShares[rule]);
      }
      // Every write between the floor and the rule's baseline share.
      const baselineByArn = {
        [world.arns.listener1]: baselineShares.default1,
        [world.arns.canary]: baselineShares.canary,
        [world.arns.listener2]: baselineShares.default2,
      };
      for (const write of world.models.elbv2.writes()) {
        const input = write.input as { Actions?: Action[]; DefaultActions?: Action[] };
        const share = primaryShare(world, input.Actions ?? input.DefaultActions);
        expect(share).toBeGreaterThanOrEqual(floor);
        expect(share).toBeLessThanOrEqual(baselineByArn[write.arn]);
      }
      // Restored exactly: 100/0, the 80/20 canary, the raw 160/40 split; the chain ended.
      expect(world.managed()).toEqual(baseline);
      expect(world.managed().default1).toEqual({ primary: 100, spare: 0 });
      expect(world.metrics.sum(M.shedActions)).toBe(Math.ceil(maxShedPercent / shedPercent));
      expect(world.metrics.sum(M.chainEnds, { Reason: 'restored' })).toBe(1);
      expect(world.state()).toMatchObject({ status: 'idle', rules: [] });
      expect(world.queued()).toEqual([]);
      expect(world.models.sqs.messages(world.dlq.url)).toEqual([]);
      expect(runtime.invocations().every((i) => i.outcome === 'succeeded')).toBe(true);
    },
  );
});
