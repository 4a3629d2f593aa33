import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LoadSheddingEnvVars as V,
  LoadSheddingMetricNames as M,
} from '../../../src/load-shedding/contract.js';
import { CommonErrors } from '../../../src/simulation/service-error.js';
import { createWorld, type AlarmState, type World } from './world.js';

// The handlers deployed as the construct deploys them, on the models: CloudWatch announces the
// alarm's state changes to EventBridge, whose rule invokes the alarm function; the check queue's
// event source mapping invokes the check function. Nothing drives the steps but virtual time.

const MINUTE = 60_000;

/** Runs `main` with the handlers deployed, then stops the event source mapping. */
async function deployed(world: World, main: () => Promise<void>) {
  const { runtime, mapping } = world.deploy();
  await world.clock.run(main);
  await world.clock.run(() => mapping.stop());
  return { runtime, mapping };
}

/** The primary's share (percent) of a forward action list. */
function primaryShare(world: World, actions: readonly Action[] = []): number {
  const groups = actions.find((a) => a.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
  const total = groups.reduce((sum, g) => sum + (g.Weight ?? 0), 0);
  const primary = groups.find((g) => g.TargetGroupArn === world.arns.primary)?.Weight ?? 0;
  return (100 * primary) / total;
}

describe('load-shedding handlers: deployed', () => {
  it('an alarm that fires and clears: shed to the floor, then restored exactly, with nobody driving', async () => {
    // Prepare
    const world = await createWorld();
    const baseline = world.managed();

    // Act
    const { runtime } = await deployed(world, async () => {
      await world.setAlarmState('ALARM');
      await world.clock.sleep(5 * MINUTE);
      await world.setAlarmState('OK');
      await world.clock.sleep(20 * MINUTE);
    });

    // Assess
    expect(world.managed()).toEqual(baseline);
    expect(world.metrics.sum(M.shedActions)).toBe(3);
    expect(world.metrics.sum(M.restoreActions)).toBe(3);
    expect(world.metrics.sum(M.chainEnds, { Reason: 'restored' })).toBe(1);
    expect(world.queued()).toEqual([]);
    expect(world.models.sqs.messages(world.dlq.url)).toEqual([]);
    expect(runtime.invocations().every((i) => i.outcome === 'succeeded')).toBe(true);
    expect(runtime.invocations('alarm-event')).toHaveLength(2);
  });

  it('a check that arrives before its save has landed is deferred, then handled on redelivery', async () => {
    // Prepare: one-second steps, and a save that lands seconds late (throttled, slow retries).
    const world = await createWorld({
      env: { [V.shedDelaySeconds]: '1' },
      retry: { baseDelayMs: 1_000, jitter: 0 },
    });
    world.models.dynamodb.failNext(2, CommonErrors.throttlingException, { operation: 'PutItem' });

    // Act
    const { mapping } = await deployed(world, async () => {
      await world.setAlarmState('ALARM');
      await world.clock.sleep(MINUTE);
    });

    // Assess: the first check came back once, then the chain ran to the floor.
    const [first, redelivery] = mapping.batches();
    expect(first.failedMessageIds).toEqual(first.messageIds);
    expect(redelivery).toMatchObject({ messageIds: first.messageIds, failedMessageIds: [] });
    expect(redelivery.time - first.time).toBe(30_000); // the visibility timeout
    expect(world.metrics.sum(M.deferredChecks)).toBe(1);
    expect(world.models.sqs.messages(world.dlq.url)).toEqual([]);
    expect(world.managed().default1).toEqual({ primary: 70, spare: 30 });
    expect(world.metrics.sum(M.shedActions)).toBe(3);
  });

  it('whatever the alarm does, weights stay between floor and baseline, steps are a delay apart, and the last OK restores every rule exactly', async () => {
    const history = fc.array(
      fc.record({
        gapMs: fc.integer({ min: 1_000, max: 6 * MINUTE }),
        state: fc.constantFrom<AlarmState>('ALARM', 'OK', 'INSUFFICIENT_DATA'),
      }),
      { minLength: 1, maxLength: 8 },
    );
    await fc.assert(
      fc.asyncProperty(history, async (changes) => {
        // Prepare
        const world = await createWorld();
        const baseline = world.managed();
        const baselineShare = {
          [world.arns.listener1]: 100,
          [world.arns.canary]: 80,
          [world.arns.listener2]: 80,
        };

        // Act
        let current: AlarmState = 'INSUFFICIENT_DATA';
        const { runtime } = await deployed(world, async () => {
          for (const { gapMs, state } of [...changes, { gapMs: 1_000, state: 'OK' as const }]) {
            await world.clock.sleep(gapMs);
            if (state === current) continue;
            await world.setAlarmState(state);
            current = state;
          }
          await world.clock.sleep(30 * MINUTE);
        });

        // Assess: every write between the floor (70) and the rule's baseline share.
        const writes = world.models.elbv2.writes();
        for (const write of writes) {
          const input = write.input as { Actions?: Action[]; DefaultActions?: Action[] };
          const share = primaryShare(world, input.Actions ?? input.DefaultActions);
          expect(share).toBeGreaterThanOrEqual(70);
          expect(share).toBeLessThanOrEqual(baselineShare[write.arn]);
        }
        // One step per shed delay at most, on every rule.
        for (const arn of Object.keys(baselineShare)) {
          const times = writes.filter((w) => w.arn === arn).map((w) => w.time);
          times.slice(1).forEach((t, i) => expect(t - times[i]).toBeGreaterThanOrEqual(MINUTE));
        }
        // Back at the exact baselines, nothing left over, nothing failed.
        expect(world.managed()).toEqual(baseline);
        expect(world.queued()).toEqual([]);
        expect(world.models.sqs.messages(world.dlq.url)).toEqual([]);
        expect(world.state()?.status ?? 'idle').toBe('idle');
        expect(runtime.invocations().every((i) => i.outcome === 'succeeded')).toBe(true);
        expect(world.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });
});
