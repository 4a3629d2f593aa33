import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { LoadSheddingMetricNames as M } from '../../../src/load-shedding/contract.js';
import { StateContentionError } from '../../../src/load-shedding/handlers/errors.js';
import { MAX_DECIDE_ATTEMPTS } from '../../../src/load-shedding/handlers/step.js';
import { StateConflictError } from '../../../src/load-shedding/errors.js';
import type { DynamoDbModel } from '../../../src/simulation/models/dynamodb.js';
import type { ServiceModel } from '../../../src/simulation/service-model.js';
import { TABLE, createWorld } from './world.js';

// What one step does when AWS or a concurrent invocation gets in the way, end to end on the
// models: lost conditional saves, failed and overwritten ELBv2 writes.

/** Another writer that saves the state item just before each of our saves lands. */
function racingWriter(model: DynamoDbModel, pk: () => string): ServiceModel {
  return {
    name: 'dynamodb-with-a-racing-writer',
    handle: (operation, input, context) => {
      if (operation === 'PutItem') {
        const key = { pk: { S: pk() } };
        const item = model.item(TABLE, key) as Record<string, AttributeValue>;
        model.setItem(TABLE, { ...item, version: { N: String(Number(item.version.N) + 1) } });
      }
      return model.handle(operation, input, context);
    },
  };
}

describe('load-shedding handlers: step', () => {
  it('of two invocations racing on one event, one sheds and the other, after its lost save, drops it', async () => {
    // Prepare: a slow table, so both load version 0 before either saves.
    const world = await createWorld({ dynamoDbLatencyMs: 50 });
    const event = await world.setAlarm('ALARM');

    // Act
    const results = await world.clock.run(() =>
      Promise.all([world.alarmHandler(event), world.alarmHandler(event)]),
    );

    // Assess
    expect(results.map((r) => r.outcome).sort()).toEqual(['shed', 'stale']);
    expect(world.models.elbv2.writes()).toHaveLength(3);
    expect(world.metrics.sum(M.shedActions)).toBe(1);
    expect(world.metrics.matching(M.stateConflicts)).toEqual([
      {
        name: M.stateConflicts,
        unit: 'Count',
        value: 1,
        dimensions: { PrimaryTargetGroup: 'targetgroup/primary/0000000000000002' },
      },
    ]);
    // The loser's check was sent before its save: an orphan, dropped as stale when it comes due.
    expect(world.queued()).toHaveLength(2);
    expect(world.state()?.version).toBe(1);
    await world.nextCheck();
    expect(world.outcomes().slice(2).sort()).toEqual(['shed', 'stale']);
  });

  it(`gives up after ${MAX_DECIDE_ATTEMPTS} lost saves with nothing written to ELBv2`, async () => {
    // Prepare: an idle item exists; another writer always saves first.
    let primary = '';
    const world = await createWorld({
      wrapDynamoDb: (model) => racingWriter(model, () => primary),
    });
    primary = world.arns.primary;
    world.models.dynamodb.setItem(TABLE, {
      pk: { S: primary },
      primaryTargetGroupArn: { S: primary },
      version: { N: '5' },
      updatedAt: { N: '0' },
      rules: { L: [] },
      status: { S: 'idle' },
    });
    const event = await world.setAlarm('ALARM');

    // Act
    const outcome = world.onAlarmEvent(event);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(StateContentionError);
    await expect(outcome).rejects.toMatchObject({
      attempts: MAX_DECIDE_ATTEMPTS,
      cause: expect.any(StateConflictError) as unknown,
    });
    expect(world.models.elbv2.writes()).toEqual([]);
    expect(world.metrics.sum(M.stateConflicts)).toBe(MAX_DECIDE_ATTEMPTS);
    expect(world.metrics.sum(M.shedActions)).toBe(0);
    expect(
      world.logger.lines
        .filter((l) => /saved the state first/.test(l.message))
        .map((l) => l.attributes.attempt),
    ).toEqual([1, 2, 3]);
  });

  it('a failed save (not a conflict) raises its error: the check went out, nothing was written', async () => {
    // Prepare: PutItem refused for good (not retryable).
    const world = await createWorld();
    const event = await world.setAlarm('ALARM');
    world.models.dynamodb.failNext(
      1,
      { name: 'AccessDeniedException', httpStatusCode: 400, message: 'not authorized' },
      { operation: 'PutItem' },
    );

    // Act
    const outcome = world.onAlarmEvent(event);

    // Assess: the orphan check is harmless (not pending); the redelivered event decides again.
    await expect(outcome).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(world.state()).toBeUndefined();
    expect(world.models.elbv2.writes()).toEqual([]);
    expect(world.queued()).toHaveLength(1);
    expect(world.metrics.points).toEqual([]);
  });

  it('a failed rule write after the save: the others are written, the error raised, the next check steps that rule from its live weights', async () => {
    // Prepare: the canary's ModifyRule is refused (not retryable).
    const world = await createWorld();
    const event = await world.setAlarm('ALARM');
    world.models.elbv2.failNext(
      1,
      { name: 'AccessDenied', httpStatusCode: 403, message: 'not authorized' },
      { operation: 'ModifyRule' },
    );

    // Act
    const failed = world.onAlarmEvent(event);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(world.managed()).toEqual({
      default1: { primary: 90, spare: 10 },
      canary: { primary: 80, spare: 20 },
      default2: { primary: 70, spare: 30 },
    });
    expect(world.state()).toMatchObject({ version: 1, status: 'shedding' });
    expect(world.metrics.sum(M.shedActions)).toBe(1); // the decision was made and saved
    expect(
      world.logger.lines.find((l) => /Writing the weights of a rule failed/.test(l.message)),
    ).toMatchObject({
      level: 'error',
      attributes: { ruleArn: world.arns.canary, correlationId: event.id },
    });

    // Act: the pending check comes due, the alarm still in ALARM.
    await world.nextCheck();

    // Assess: the canary write had not landed: it steps from 80/20 again.
    expect(world.managed().canary).toEqual({ primary: 70, spare: 30 });
    expect(world.managed().default1).toEqual({ primary: 80, spare: 20 });
    expect(world.metrics.sum(M.writesNotLanded)).toBe(1);
  });

  it('a write read back with other weights is logged, not raised; the next step adopts them', async () => {
    // Prepare: another writer lands 75/25 on the canary instead of our 70/30.
    const world = await createWorld();
    world.models.elbv2.interceptWrites((write) => {
      if (write.arn !== world.arns.canary) return undefined;
      const actions = structuredClone(write.actions);
      const tgs = actions[1].ForwardConfig?.TargetGroups ?? [];
      tgs[0].Weight = 75;
      tgs[1].Weight = 25;
      return actions;
    });

    // Act
    const result = await world.onAlarmEvent(await world.setAlarm('ALARM'));

    // Assess
    expect(result.outcome).toBe('shed');
    expect(world.managed().canary).toEqual({ primary: 75, spare: 25 });
    expect(
      world.logger.lines.find((l) => /read back with other weights/.test(l.message)),
    ).toMatchObject({ level: 'warn', attributes: { ruleArn: world.arns.canary } });

    // Act
    world.models.elbv2.interceptWrites(undefined);
    await world.nextCheck();

    // Assess
    expect(world.metrics.sum(M.externalEdits)).toBe(1);
    expect(world.managed().canary).toEqual({ primary: 75, spare: 25 });
  });

  it('warns when no rule of the listeners routes to the primary', async () => {
    // Prepare: a primary that none of the listeners' rules forwards to.
    const ghost =
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ghost/00000000000000ff';
    const other = await createWorld({ env: { PRIMARY_TARGET_GROUP_ARN: ghost } });

    // Act
    const result = await other.onAlarmEvent(await other.setAlarm('ALARM'));

    // Assess
    expect(result.outcome).toBe('wait');
    expect(other.models.elbv2.writes()).toEqual([]);
    expect(other.logger.lines.find((l) => /No forward rule/.test(l.message))).toMatchObject({
      level: 'warn',
    });
  });
});
