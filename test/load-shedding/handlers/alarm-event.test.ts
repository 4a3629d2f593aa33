import { describe, expect, it } from 'vitest';
import {
  LoadSheddingEnvVars as V,
  LoadSheddingMetricNames as M,
  checkMessageSchema,
} from '../../../src/load-shedding/contract.js';
import { AlarmEventError } from '../../../src/load-shedding/handlers/errors.js';
import { RetryExhaustedError } from '../../../src/resilience/errors.js';
import { CommonErrors } from '../../../src/simulation/service-error.js';
import { ALARM_NAME, createWorld } from './world.js';

// End to end: the alarm handler, the real adapters and resilient clients, the ELBv2,
// CloudWatch, SQS and DynamoDB models, on virtual time.

const PRIMARY_DIMENSION = { PrimaryTargetGroup: 'targetgroup/primary/0000000000000002' };

describe('load-shedding handlers: alarm event', () => {
  it('ALARM sheds one step on every rule of the primary and schedules a check after the shed delay', async () => {
    // Prepare
    const world = await createWorld();
    const event = await world.setAlarm('ALARM');
    const start = world.clock.now();

    // Act
    const result = await world.onAlarmEvent(event);

    // Assess: one shed of 10 points on each rule; 160/40 counts as 80/20 and stops at the floor (70).
    expect(result).toEqual({ outcome: 'shed', correlationId: event.id });
    expect(world.managed()).toEqual({
      default1: { primary: 90, spare: 10 },
      canary: { primary: 70, spare: 30 },
      default2: { primary: 70, spare: 30 },
    });
    expect(world.weights(world.arns.otherRule)).toEqual({ other: 1 });
    // Default rules through ModifyListener, the others through ModifyRule.
    expect(world.models.elbv2.writes().map((w) => [w.operation, w.arn])).toEqual(
      expect.arrayContaining([
        ['ModifyListener', world.arns.listener1],
        ['ModifyRule', world.arns.canary],
        ['ModifyListener', world.arns.listener2],
      ]),
    );
    expect(world.models.elbv2.writes()).toHaveLength(3);
    // The canary rule keeps its authentication action, stickiness and conditions.
    const canary = world.models.elbv2.rule(world.arns.canary);
    expect(canary.Actions?.map((a) => a.Type)).toEqual(['authenticate-cognito', 'forward']);
    expect(canary.Actions?.[1].ForwardConfig?.TargetGroupStickinessConfig).toEqual({
      Enabled: true,
      DurationSeconds: 600,
    });
    expect(canary.Conditions?.[0].Values).toEqual(['/api/*']);

    // One delayed check, the pending one of the saved state.
    const [queued] = world.queued();
    expect(world.queued()).toHaveLength(1);
    expect(queued.state).toBe('delayed');
    expect(queued.visibleAt - start).toBe(60_000);
    const check = checkMessageSchema.parse(JSON.parse(queued.body));
    expect(check).toMatchObject({
      primaryTargetGroupArn: world.arns.primary,
      reason: 'shed',
      stateVersion: 1,
      correlationId: event.id,
    });
    const state = world.state();
    expect(state).toMatchObject({ version: 1, status: 'shedding', chainId: check.chainId });
    expect(state?.status !== 'idle' && state?.pendingCheck.checkId).toBe(check.checkId);

    // Metrics from the decision, logs with the event's id, metrics flushed once.
    expect(world.metrics.sum(M.shedActions, PRIMARY_DIMENSION)).toBe(1);
    expect(world.metrics.sum(M.chainStarts, PRIMARY_DIMENSION)).toBe(1);
    expect(world.metrics.matching(M.primaryWeight)).toEqual([
      { name: M.primaryWeight, unit: 'Percent', value: 70, dimensions: PRIMARY_DIMENSION },
    ]);
    expect(world.logger.lines.map((l) => l.message)).toContain('Shedding one step.');
    expect(world.logger.lines.every((l) => l.attributes.correlationId === event.id)).toBe(true);
    expect(world.flushes()).toBe(1);
  });

  it('OK with no chain and every rule at its baseline stays idle: nothing written, no check', async () => {
    // Prepare
    const world = await createWorld();
    const event = await world.setAlarm('OK');

    // Act
    const result = await world.onAlarmEvent(event);

    // Assess
    expect(result.outcome).toBe('idle');
    expect(world.models.elbv2.writes()).toEqual([]);
    expect(world.queued()).toEqual([]);
    expect(world.state()).toMatchObject({ status: 'idle', version: 1, rules: [] });
    expect(world.state()?.status === 'idle' && world.state()).toHaveProperty('expiresAt');
  });

  it('OK during shedding schedules a restore check after the bake time and writes nothing', async () => {
    // Prepare
    const world = await createWorld();
    await world.onAlarmEvent(await world.setAlarm('ALARM'));
    await world.clock.advance(20_000);
    const writesBefore = world.models.elbv2.writes().length;
    const event = await world.setAlarm('OK');

    // Act
    const result = await world.onAlarmEvent(event);

    // Assess: the bake check is the pending one; the shed check left in the queue is stale.
    expect(result.outcome).toBe('bake');
    expect(world.models.elbv2.writes()).toHaveLength(writesBefore);
    const bake = world.queued().find((m) => m.visibleAt === world.clock.now() + 120_000);
    const bakeCheck = checkMessageSchema.parse(JSON.parse(bake?.body ?? '{}'));
    expect(bakeCheck).toMatchObject({ reason: 'bake', correlationId: event.id, stateVersion: 2 });
    expect(world.state()).toMatchObject({
      status: 'restoring',
      pendingCheck: { checkId: bakeCheck.checkId, reason: 'bake' },
    });
    expect(world.queued()).toHaveLength(2);
  });

  it('INSUFFICIENT_DATA during a chain holds the weights and keeps the check that is due', async () => {
    // Prepare
    const world = await createWorld();
    await world.onAlarmEvent(await world.setAlarm('ALARM'));
    const weights = world.managed();
    await world.clock.advance(10_000);

    // Act
    const result = await world.onAlarmEvent(await world.setAlarm('INSUFFICIENT_DATA'));

    // Assess
    expect(result.outcome).toBe('hold');
    expect(world.managed()).toEqual(weights);
    expect(world.queued()).toHaveLength(1); // the shed check is due within the shed delay
    expect(world.state()).toMatchObject({ status: 'holding', version: 2 });
  });

  it('drops a duplicate or older event without reading ELBv2: nothing saved, nothing written', async () => {
    // Prepare
    const world = await createWorld();
    const alarm = await world.setAlarm('ALARM');
    await world.onAlarmEvent(alarm);
    const older = structuredClone(alarm);
    older.id = 'older-event';
    older.detail.state.value = 'OK';
    older.detail.state.timestamp = '2024-12-31T23:59:00.000+0000';
    const describes = world.calls(world.models.elbv2, 'DescribeRules');
    const writes = world.models.elbv2.writes().length;

    // Act
    const again = await world.onAlarmEvent(alarm);
    const late = await world.onAlarmEvent(older);

    // Assess
    expect([again.outcome, late.outcome]).toEqual(['stale', 'stale']);
    expect(world.calls(world.models.elbv2, 'DescribeRules')).toBe(describes);
    expect(world.models.elbv2.writes()).toHaveLength(writes);
    expect(world.state()?.version).toBe(1);
    expect(world.queued()).toHaveLength(1);
    expect(world.metrics.sum(M.droppedTriggers, { Trigger: 'event' })).toBe(2);
    const dropped = world.logger.lines.filter((l) =>
      l.message.startsWith('Dropped an alarm event'),
    );
    expect(dropped.map((l) => l.attributes.correlationId)).toEqual([alarm.id, 'older-event']);
  });

  it('ignores an event of another alarm with a log line: nothing read from ELBv2, nothing written', async () => {
    // Prepare
    const world = await createWorld();
    const event = structuredClone(await world.setAlarm('ALARM'));
    event.detail.alarmName = 'someone-elses-alarm';

    // Act
    const result = await world.onAlarmEvent(event);

    // Assess
    expect(result.outcome).toBe('ignored');
    const line = world.logger.lines.find((l) => l.message === 'Ignored an event of another alarm.');
    expect(line).toMatchObject({
      level: 'warn',
      attributes: {
        correlationId: event.id,
        alarmName: 'someone-elses-alarm',
        expected: ALARM_NAME,
      },
    });
    expect(world.calls(world.models.elbv2, 'DescribeRules')).toBe(0);
    expect(world.models.elbv2.writes()).toEqual([]);
    expect(world.state()).toBeUndefined();
    expect(world.queued()).toEqual([]);
    expect(world.metrics.sum(M.droppedTriggers, { Trigger: 'event' })).toBe(1);
  });

  it.each([
    ['not an object', 'hello'],
    ['another detail-type', { 'detail-type': 'EC2 Instance State-change Notification' }],
    ['an unknown state', { detail: { state: { value: 'BROKEN' } } }],
    ['a timestamp that is not one', { detail: { state: { timestamp: 'yesterday' } } }],
    ['no detail', { detail: undefined }],
  ])('refuses %s before any AWS call, with an error that says what is wrong', async (_, change) => {
    // Prepare
    const world = await createWorld();
    const valid = await world.setAlarm('ALARM');
    const event =
      typeof change === 'string'
        ? change
        : {
            ...valid,
            ...change,
            ...('detail' in change && change.detail
              ? {
                  detail: {
                    ...valid.detail,
                    state: { ...valid.detail.state, ...change.detail.state },
                  },
                }
              : {}),
          };

    // Act
    const outcome = world.onAlarmEvent(event);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(AlarmEventError);
    await expect(outcome).rejects.toThrow(/not a "CloudWatch Alarm State Change" event/);
    for (const model of [world.models.dynamodb, world.models.elbv2, world.models.sqs]) {
      expect(model.stats().total.calls).toBe(0);
    }
    expect(world.logger.lines.at(-1)).toMatchObject({
      level: 'error',
      message: 'Handling the alarm event failed.',
    });
    expect(world.flushes()).toBe(1);
  });

  it('names the invalid field in the error', async () => {
    // Prepare
    const world = await createWorld();
    const valid = await world.setAlarm('ALARM');
    const event = {
      ...valid,
      detail: { ...valid.detail, state: { ...valid.detail.state, value: 'X' } },
    };

    // Act
    const outcome = world.onAlarmEvent(event);

    // Assess
    await expect(outcome).rejects.toThrow(/detail\.state\.value/);
  });

  it('dry run: decides, saves and schedules as usual, writes nothing to ELBv2', async () => {
    // Prepare
    const world = await createWorld({ env: { [V.dryRun]: 'true' } });
    const before = world.managed();

    // Act
    const result = await world.onAlarmEvent(await world.setAlarm('ALARM'));

    // Assess
    expect(result.outcome).toBe('shed');
    expect(world.models.elbv2.writes()).toEqual([]);
    expect(world.managed()).toEqual(before);
    expect(world.state()).toMatchObject({ status: 'shedding', version: 1 });
    expect(world.queued()).toHaveLength(1);
    const messages = world.logger.lines.map((l) => l.message);
    expect(messages).toContain('Dry run, not written: Shedding one step.');
    expect(messages.filter((m) => m === 'Dry run: would write weights')).toHaveLength(3);
  });

  it('a failed check send saves nothing and writes nothing; the retried event then sheds', async () => {
    // Prepare: more 500s than the client's retries.
    const world = await createWorld();
    const event = await world.setAlarm('ALARM');
    world.models.sqs.failNext(6, CommonErrors.internalServerException, {
      operation: 'SendMessage',
    });

    // Act
    const failed = world.onAlarmEvent(event);

    // Assess
    await expect(failed).rejects.toBeInstanceOf(RetryExhaustedError);
    expect(world.state()).toBeUndefined();
    expect(world.models.elbv2.writes()).toEqual([]);
    expect(world.metrics.sum(M.shedActions)).toBe(0);
    expect(world.logger.lines.at(-1)).toMatchObject({
      level: 'error',
      attributes: { correlationId: event.id },
    });

    // Act: Lambda retries the asynchronous invocation.
    const retried = await world.onAlarmEvent(event);

    // Assess
    expect(retried.outcome).toBe('shed');
    expect(world.models.elbv2.writes()).toHaveLength(3);
    expect(world.queued()).toHaveLength(1);
  });
});
