import { describe, expect, it } from 'vitest';
import {
  alarmStateChangeEventSchema,
  type AlarmStateValue,
  type CheckMessage,
} from '../../src/load-shedding/contract.js';
import {
  PENDING_CHECK_GRACE_MS,
  alarmTriggerOf,
  decide,
  type AlarmTrigger,
  type CheckTrigger,
  type ControllerConfig,
  type Decision,
  type LiveRule,
} from '../../src/load-shedding/controller.js';
import { ControllerInputError } from '../../src/load-shedding/errors.js';
import {
  IDLE_STATE_TTL_SECONDS,
  inOrderOf,
  sameTargetGroups,
  sameWeights,
  type ActiveState,
  type LoadSheddingState,
} from '../../src/load-shedding/state.js';
import type { WeightedTargetGroup } from '../../src/load-shedding/weights.js';

const ACCOUNT = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012';
const tg = (name: string): string => `${ACCOUNT}:targetgroup/${name}/0123456789abcdef`;
const P = tg('primary');
const SPARE = tg('spare');
const CANARY = tg('canary');
const OTHER = tg('other');
const R1 = `${ACCOUNT}:listener-rule/app/alb/0123456789abcdef/1111111111111111/00000000000000a1`;
const R2 = `${ACCOUNT}:listener-rule/app/alb/0123456789abcdef/2222222222222222/00000000000000b2`;
const R3 = `${ACCOUNT}:listener-rule/app/alb/0123456789abcdef/2222222222222222/00000000000000c3`;
const ALARM_NAME = 'primary-5xx';
const T0 = Date.UTC(2025, 0, 1);
const at = (seconds: number): number => T0 + seconds * 1000;

const config: ControllerConfig = {
  primaryTargetGroupArn: P,
  alarmName: ALARM_NAME,
  shedPercent: 10,
  restorePercent: 10,
  maxShedPercent: 50,
  shedDelaySeconds: 60,
  restoreDelaySeconds: 120,
  maxInsufficientDataChecks: 3,
  dryRun: false,
};

const groups = (...entries: [string, number][]): WeightedTargetGroup[] =>
  entries.map(([targetGroupArn, weight]) => ({ targetGroupArn, weight }));
const weightsOf = (list: readonly WeightedTargetGroup[]): number[] => list.map((g) => g.weight);

function alarm(state: AlarmStateValue, seconds: number, alarmName = ALARM_NAME): AlarmTrigger {
  return {
    kind: 'alarm',
    alarmName,
    state,
    timestamp: at(seconds),
    correlationId: `ev-${seconds}`,
  };
}

function active(state: LoadSheddingState | undefined): ActiveState {
  if (state === undefined || state.status === 'idle') throw new Error('expected an active chain');
  return state;
}

/** The check message the state is waiting for, as the decision that scheduled it sent it. */
function pendingCheck(
  state: LoadSheddingState | undefined,
  overrides: Partial<CheckMessage> = {},
): CheckTrigger {
  const chain = active(state);
  return {
    kind: 'check',
    message: {
      v: 1,
      kind: 'check',
      primaryTargetGroupArn: P,
      chainId: chain.chainId,
      checkId: chain.pendingCheck.checkId,
      stateVersion: chain.version,
      reason: chain.pendingCheck.reason,
      correlationId: 'corr',
      scheduledAt: new Date(T0).toISOString(),
      ...overrides,
    },
  };
}

/**
 * Applies decisions as the handler would (save with the version check, then the writes), so a
 * test can drive a sequence of triggers against live rules.
 */
class Harness {
  state: LoadSheddingState | undefined;
  readonly rules = new Map<string, WeightedTargetGroup[]>();
  private ids = 0;

  constructor(
    initial: Record<string, WeightedTargetGroup[]>,
    readonly cfg: ControllerConfig = config,
  ) {
    for (const [arn, list] of Object.entries(initial)) this.rules.set(arn, list);
  }

  live(): LiveRule[] {
    return [...this.rules].map(([ruleArn, list]) => ({ ruleArn, groups: list }));
  }

  /** Decides without applying anything. */
  decide(
    trigger: AlarmTrigger | CheckTrigger,
    seconds: number,
    alarmState?: AlarmStateValue,
  ): Decision {
    this.ids += 1;
    return decide({
      config: this.cfg,
      state: this.state,
      trigger,
      alarmState,
      rules: this.live(),
      now: at(seconds),
      ids: { chainId: `chain-${this.ids}`, checkId: `check-${this.ids}` },
    });
  }

  /** Decides, saves the state and applies the writes (unless `skipWrites`, a crash or dry run). */
  step(
    trigger: AlarmTrigger | CheckTrigger,
    seconds: number,
    alarmState?: AlarmStateValue,
    { skipWrites = false } = {},
  ): Decision {
    const decision = this.decide(trigger, seconds, alarmState);
    if (decision.save) {
      expect(decision.save.expectedVersion).toBe(this.state?.version ?? 0);
      this.state = decision.save.state;
    }
    if (!skipWrites) for (const w of decision.writes) this.rules.set(w.ruleArn, [...w.groups]);
    return decision;
  }

  /** Delivers the pending check at its due time, reading `alarmState`. */
  check(alarmState: AlarmStateValue, options?: { skipWrites?: boolean }): Decision {
    const due = (active(this.state).pendingCheck.dueAt - T0) / 1000;
    return this.step(pendingCheck(this.state), due, alarmState, options);
  }

  weights(rule: string): number[] {
    return weightsOf(this.rules.get(rule) ?? []);
  }
}

/** Two listeners: a default rule 100/0 and a canary rule 80/20. */
const twoListeners = (): Harness =>
  new Harness({ [R1]: groups([P, 100], [SPARE, 0]), [R2]: groups([P, 80], [CANARY, 20]) });

const metricNames = (decision: Decision): string[] => decision.metrics.map((m) => m.name);

describe('controller: alarm events', () => {
  it('starts a chain on ALARM: records every baseline, sheds one step, schedules a check', () => {
    const h = twoListeners();

    const decision = h.decide(alarm('ALARM', 0), 0);

    expect(decision.outcome).toBe('shed');
    expect(decision.writes).toEqual([
      {
        ruleArn: R1,
        action: 'shed',
        previous: groups([P, 100], [SPARE, 0]),
        groups: groups([P, 90], [SPARE, 10]),
      },
      {
        ruleArn: R2,
        action: 'shed',
        previous: groups([P, 80], [CANARY, 20]),
        groups: groups([P, 70], [CANARY, 30]),
      },
    ]);
    expect(decision.schedule).toEqual({
      delaySeconds: 60,
      message: {
        v: 1,
        kind: 'check',
        primaryTargetGroupArn: P,
        chainId: 'chain-1',
        checkId: 'check-1',
        stateVersion: 1,
        reason: 'shed',
        correlationId: 'ev-0',
        scheduledAt: '2025-01-01T00:00:00.000Z',
      },
    });
    expect(decision.save).toEqual({
      expectedVersion: 0,
      state: {
        primaryTargetGroupArn: P,
        version: 1,
        updatedAt: at(0),
        lastAlarmEventAt: at(0),
        lastStepAt: at(0),
        status: 'shedding',
        chainId: 'chain-1',
        chainStartedAt: at(0),
        pendingCheck: { checkId: 'check-1', dueAt: at(60), reason: 'shed' },
        insufficientDataChecks: 0,
        rules: [
          {
            ruleArn: R1,
            baseline: groups([P, 100], [SPARE, 0]),
            lastWritten: groups([P, 90], [SPARE, 10]),
            beforeLastWrite: groups([P, 100], [SPARE, 0]),
          },
          {
            ruleArn: R2,
            baseline: groups([P, 80], [CANARY, 20]),
            lastWritten: groups([P, 70], [CANARY, 30]),
            beforeLastWrite: groups([P, 80], [CANARY, 20]),
          },
        ],
      },
    });
    expect(decision.metrics).toEqual([
      {
        name: 'ChainStarts',
        unit: 'Count',
        value: 1,
        dimensions: { PrimaryTargetGroup: 'targetgroup/primary/0123456789abcdef' },
      },
      {
        name: 'ShedActions',
        unit: 'Count',
        value: 1,
        dimensions: { PrimaryTargetGroup: 'targetgroup/primary/0123456789abcdef' },
      },
      {
        name: 'PrimaryWeightPercent',
        unit: 'Percent',
        value: 70,
        dimensions: { PrimaryTargetGroup: 'targetgroup/primary/0123456789abcdef' },
      },
    ]);
    expect(decision.chainEnd).toBeUndefined();
  });

  it.each([
    ['a duplicate', 0],
    ['an older event (out of order)', -5],
  ])('drops %s without saving or writing', (_, seconds) => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);

    const decision = h.decide(alarm('OK', seconds), 10);

    expect(decision.outcome).toBe('stale');
    expect(decision.save).toBeUndefined();
    expect(decision.writes).toEqual([]);
    expect(decision.schedule).toBeUndefined();
    expect(decision.metrics).toEqual([
      expect.objectContaining({
        name: 'DroppedTriggers',
        value: 1,
        dimensions: expect.objectContaining({ Trigger: 'event' }),
      }),
    ]);
  });

  it('ignores an event of another alarm', () => {
    const h = twoListeners();

    const decision = h.decide(alarm('ALARM', 0, 'someone-else'), 0);

    expect(decision.outcome).toBe('ignored');
    expect(decision.save).toBeUndefined();
    expect(decision.logs[0]).toMatchObject({
      level: 'warn',
      details: { alarmName: 'someone-else' },
    });
  });

  it('on OK during a chain replaces the pending check by a restore check after the bake time', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);

    const decision = h.step(alarm('OK', 10), 10);

    expect(decision.outcome).toBe('bake');
    expect(decision.writes).toEqual([]);
    expect(decision.schedule).toMatchObject({
      delaySeconds: 120,
      message: { reason: 'bake', checkId: 'check-2', chainId: 'chain-1', stateVersion: 2 },
    });
    expect(active(h.state)).toMatchObject({
      status: 'restoring',
      pendingCheck: { checkId: 'check-2', dueAt: at(130), reason: 'bake' },
      lastAlarmEventAt: at(10),
    });
  });

  it('on OK with no chain and nothing to restore stays idle with a TTL', () => {
    const h = twoListeners();

    const decision = h.decide(alarm('OK', 0), 0);

    expect(decision.outcome).toBe('idle');
    expect(decision.schedule).toBeUndefined();
    expect(decision.save?.state).toEqual({
      primaryTargetGroupArn: P,
      version: 1,
      updatedAt: at(0),
      lastAlarmEventAt: at(0),
      status: 'idle',
      rules: [],
      expiresAt: Math.floor(at(0) / 1000) + IDLE_STATE_TTL_SECONDS,
    });
  });

  it('on INSUFFICIENT_DATA with no chain only records the event', () => {
    const h = twoListeners();

    const decision = h.decide(alarm('INSUFFICIENT_DATA', 0), 0);

    expect(decision.outcome).toBe('idle');
    expect(decision.writes).toEqual([]);
    expect(decision.save?.state).toMatchObject({
      status: 'idle',
      rules: [],
      lastAlarmEventAt: at(0),
    });
  });

  it('on INSUFFICIENT_DATA during a chain holds and keeps a pending check that is due in time', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0); // check due at 60

    const decision = h.step(alarm('INSUFFICIENT_DATA', 10), 10);

    expect(decision.outcome).toBe('hold');
    expect(decision.writes).toEqual([]);
    expect(decision.schedule).toBeUndefined();
    expect(active(h.state)).toMatchObject({
      status: 'holding',
      pendingCheck: { checkId: 'check-1' },
      version: 2,
    });
  });

  it('on INSUFFICIENT_DATA during a bake brings the check forward to the shed delay', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);
    h.step(alarm('OK', 10), 10); // bake check due at 130

    const decision = h.step(alarm('INSUFFICIENT_DATA', 20), 20);

    expect(decision.schedule).toMatchObject({
      delaySeconds: 60,
      message: { reason: 'insufficient-data' },
    });
    expect(active(h.state).pendingCheck).toEqual({
      checkId: 'check-3',
      dueAt: at(80),
      reason: 'insufficient-data',
    });
  });

  it('on ALARM before the shed delay has passed keeps a pending check that is due in time', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);
    h.step(alarm('INSUFFICIENT_DATA', 5), 5);

    const decision = h.step(alarm('ALARM', 10), 10);

    expect(decision.outcome).toBe('wait');
    expect(decision.writes).toEqual([]);
    expect(decision.schedule).toBeUndefined();
    expect(active(h.state)).toMatchObject({
      status: 'shedding',
      pendingCheck: { checkId: 'check-1', dueAt: at(60) },
    });
  });

  it('on ALARM after the shed delay sheds at once, even if the pending check never came', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0); // check due at 60, never delivered
    h.step(alarm('INSUFFICIENT_DATA', 30), 30);
    const late = 60 + PENDING_CHECK_GRACE_MS / 1000 + 1;

    const decision = h.step(alarm('ALARM', late), late);

    // The step is overdue too, so the event sheds itself and schedules the next check.
    expect(decision.outcome).toBe('shed');
    expect(decision.schedule).toMatchObject({ delaySeconds: 60, message: { checkId: `check-3` } });
  });

  it('on ALARM with a pending check that is lost but a step not yet due, schedules one at the due time', () => {
    const h = new Harness(
      { [R1]: groups([P, 100], [SPARE, 0]) },
      { ...config, shedDelaySeconds: 900 },
    );
    h.step(alarm('ALARM', 0), 0); // check due at 900
    const state = active(h.state);
    // The check is long past due (its message went to the DLQ), the shed delay not yet.
    h.state = { ...state, pendingCheck: { ...state.pendingCheck, dueAt: at(100) } };

    const decision = h.step(alarm('ALARM', 400), 400);

    expect(decision.outcome).toBe('wait');
    expect(decision.schedule).toMatchObject({ delaySeconds: 500, message: { reason: 'wait' } });
  });
});

describe('controller: checks', () => {
  it('sheds the next step when the pending check reads ALARM', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);

    const decision = h.check('ALARM');

    expect(decision.outcome).toBe('shed');
    expect(h.weights(R1)).toEqual([80, 20]);
    expect(h.weights(R2)).toEqual([60, 40]);
    expect(active(h.state)).toMatchObject({
      version: 2,
      lastStepAt: at(60),
      pendingCheck: { dueAt: at(120) },
    });
  });

  it.each([
    ['another check id', { checkId: 'check-old' }],
    ['another chain', { chainId: 'chain-old' }],
  ])('drops a check with %s as stale', (_, overrides) => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);

    const decision = h.decide(pendingCheck(h.state, overrides), 60, 'ALARM');

    expect(decision.outcome).toBe('stale');
    expect(decision.save).toBeUndefined();
    expect(decision.writes).toEqual([]);
    expect(decision.metrics).toEqual([
      expect.objectContaining({
        name: 'DroppedTriggers',
        dimensions: expect.objectContaining({ Trigger: 'check' }),
      }),
    ]);
  });

  it('drops a duplicate of a check already acted on', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);
    const first = pendingCheck(h.state);
    h.step(first, 60, 'ALARM');

    const duplicate = h.decide(first, 61, 'ALARM');

    expect(duplicate.outcome).toBe('stale');
    expect(duplicate.writes).toEqual([]);
  });

  it('drops a check when no chain runs', () => {
    const h = twoListeners();
    h.step(alarm('OK', 0), 0); // idle, version 1

    const decision = h.decide(pendingCheck({ ...twoListenersChain(), version: 1 }), 10, 'ALARM');

    expect(decision.outcome).toBe('stale');
  });

  it.each([
    ['the state is older than the check', 1],
    ['there is no state yet', undefined],
  ])('defers a check that arrived before its state was saved (%s)', (_, version) => {
    const h = twoListeners();
    if (version !== undefined) h.step(alarm('ALARM', 0), 0);

    const decision = h.decide(pendingCheck(twoListenersChain(), { stateVersion: 2 }), 1, 'ALARM');

    expect(decision.outcome).toBe('defer');
    expect(decision.save).toBeUndefined();
    expect(metricNames(decision)).toEqual(['DeferredChecks']);
  });

  it('ignores a check of another primary target group', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);

    const decision = h.decide(pendingCheck(h.state, { primaryTargetGroupArn: OTHER }), 60, 'ALARM');

    expect(decision.outcome).toBe('ignored');
    expect(decision.save).toBeUndefined();
  });

  it('starts the bake when a check reads OK while the chain was shedding', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);

    const decision = h.check('OK');

    expect(decision.outcome).toBe('bake');
    expect(decision.writes).toEqual([]);
    expect(decision.schedule).toMatchObject({ delaySeconds: 120, message: { reason: 'bake' } });
  });

  it('waits at the floor: no write, the chain keeps checking every shed delay', () => {
    const h = new Harness({ [R1]: groups([P, 60], [SPARE, 40]) }); // floor 50
    h.step(alarm('ALARM', 0), 0);
    expect(h.weights(R1)).toEqual([50, 50]);

    const decision = h.check('ALARM');

    expect(decision.outcome).toBe('wait');
    expect(decision.writes).toEqual([]);
    expect(decision.schedule).toMatchObject({ delaySeconds: 60, message: { reason: 'wait' } });
    expect(active(h.state).lastStepAt).toBe(at(0));
    expect(decision.logs.map((l) => l.message)).toContainEqual(expect.stringContaining('floor'));
  });

  it('starts a chain on ALARM even when no rule contains the primary, and waits', () => {
    const h = new Harness({ [R1]: groups([OTHER, 100], [SPARE, 0]) });

    const decision = h.decide(alarm('ALARM', 0), 0);

    expect(decision.outcome).toBe('wait');
    expect(decision.save?.state).toMatchObject({ status: 'shedding', rules: [] });
    expect(metricNames(decision)).toEqual(['ChainStarts']);
  });

  it('re-schedules a restore check that arrives before the restore delay since the last step', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);
    h.step(alarm('OK', 10), 10);
    h.check('OK'); // restore at 130, next due at 250
    const state = active(h.state);
    h.state = { ...state, pendingCheck: { ...state.pendingCheck, dueAt: at(200) } };

    const decision = h.check('OK');

    expect(decision.outcome).toBe('wait');
    expect(decision.writes).toEqual([]);
    expect(decision.schedule).toMatchObject({ delaySeconds: 50, message: { reason: 'wait' } });
  });
});

/** An active state whose pending check is `check-x` of `chain-x`, for checks that do not match. */
function twoListenersChain(): ActiveState {
  return {
    primaryTargetGroupArn: P,
    version: 1,
    updatedAt: T0,
    rules: [],
    status: 'shedding',
    chainId: 'chain-x',
    chainStartedAt: T0,
    pendingCheck: { checkId: 'check-x', dueAt: T0, reason: 'shed' },
    insufficientDataChecks: 0,
  };
}

describe('controller: restore', () => {
  it('restores a canary 80/20 and a 100/0 rule on two listeners exactly, then ends the chain', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);
    h.check('ALARM');
    h.check('ALARM'); // R1 70/30, R2 50/50 (floor)
    expect([h.weights(R1), h.weights(R2)]).toEqual([
      [70, 30],
      [50, 50],
    ]);
    h.step(alarm('OK', 130), 130);
    const seen: number[][][] = [];

    let decision = h.check('OK');
    while (decision.outcome === 'restore') {
      seen.push([h.weights(R1), h.weights(R2)]);
      decision = h.check('OK');
    }

    expect(seen).toEqual([
      [
        [80, 20],
        [60, 40],
      ],
      [
        [90, 10],
        [70, 30],
      ],
      [
        [100, 0],
        [80, 20],
      ],
    ]);
    expect(decision.outcome).toBe('end');
    expect(decision.chainEnd).toBe('restored');
    expect(decision.writes).toEqual([]);
    expect(decision.schedule).toBeUndefined();
    expect(decision.metrics).toContainEqual(
      expect.objectContaining({
        name: 'ChainEnds',
        dimensions: expect.objectContaining({ Reason: 'restored' }),
      }),
    );
    expect(h.state).toMatchObject({ status: 'idle', rules: [], expiresAt: expect.any(Number) });
  });

  it('writes the recorded raw baseline back, not its rescaled split (160/40, not 80/20)', () => {
    const h = new Harness({ [R1]: groups([P, 160], [CANARY, 40]) });
    h.step(alarm('ALARM', 0), 0);
    expect(h.weights(R1)).toEqual([70, 30]);
    h.step(alarm('OK', 10), 10);

    const decision = h.check('OK');

    expect(decision.writes).toEqual([
      {
        ruleArn: R1,
        action: 'restore',
        previous: groups([P, 70], [CANARY, 30]),
        groups: groups([P, 160], [CANARY, 40]),
      },
    ]);
    expect(h.check('OK').outcome).toBe('end');
  });

  it('writes the baseline in the live order even if the rule lists its groups differently', () => {
    const h = new Harness({ [R1]: groups([P, 160], [CANARY, 40]) });
    h.step(alarm('ALARM', 0), 0);
    h.rules.set(R1, groups([CANARY, 30], [P, 70])); // same weights, listed the other way round
    h.step(alarm('OK', 10), 10);

    const decision = h.check('OK');

    expect(decision.writes[0].groups).toEqual(groups([CANARY, 40], [P, 160]));
    expect(decision.externalEdits).toEqual([]);
  });

  it('ends the chain with a warning when a rule cannot be restored closer to its baseline', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);
    // A rule whose remembered baseline gives the primary less than it has now.
    const state = active(h.state);
    h.state = {
      ...state,
      rules: [
        {
          ruleArn: R1,
          baseline: groups([P, 50], [SPARE, 50]),
          lastWritten: groups([P, 90], [SPARE, 10]),
          beforeLastWrite: groups([P, 100], [SPARE, 0]),
        },
      ],
    };
    h.rules.delete(R2);
    h.step(alarm('OK', 10), 10);

    const decision = h.check('OK');

    expect(decision.outcome).toBe('end');
    expect(decision.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: expect.stringContaining('cannot move it closer'),
      }),
    );
  });

  it('never ends in the decision that writes: a last check confirms the baseline landed', () => {
    const h = new Harness({ [R1]: groups([P, 100], [SPARE, 0]) });
    h.step(alarm('ALARM', 0), 0);
    h.step(alarm('OK', 10), 10);

    const last = h.check('OK');

    expect(last.outcome).toBe('restore');
    expect(h.weights(R1)).toEqual([100, 0]);
    expect(last.schedule).toBeDefined();
    expect(h.check('OK').outcome).toBe('end');
  });

  it('on OK with no chain but rules left away from their baseline starts a restoring chain', () => {
    const h = new Harness({ [R1]: groups([P, 100], [SPARE, 0]) });
    h.step(alarm('ALARM', 0), 0);
    h.step(alarm('INSUFFICIENT_DATA', 10), 10);
    h.check('INSUFFICIENT_DATA');
    h.check('INSUFFICIENT_DATA');
    h.check('INSUFFICIENT_DATA');
    expect(h.state).toMatchObject({ status: 'idle' });

    const decision = h.step(alarm('OK', 500), 500);

    expect(decision.outcome).toBe('bake');
    expect(metricNames(decision)).toContain('ChainStarts');
    expect(active(h.state).status).toBe('restoring');
    h.check('OK');
    expect(h.weights(R1)).toEqual([100, 0]);
  });
});

describe('controller: insufficient data', () => {
  it('holds the weights and re-checks after the shed delay, counting checks', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);
    const before = [h.weights(R1), h.weights(R2)];

    const decision = h.check('INSUFFICIENT_DATA');

    expect(decision.outcome).toBe('hold');
    expect(decision.writes).toEqual([]);
    expect([h.weights(R1), h.weights(R2)]).toEqual(before);
    expect(decision.schedule).toMatchObject({
      delaySeconds: 60,
      message: { reason: 'insufficient-data' },
    });
    expect(active(h.state)).toMatchObject({ status: 'holding', insufficientDataChecks: 1 });
  });

  it('ends the chain after MAX_INSUFFICIENT_DATA_CHECKS checks, remembering the rules away from baseline', () => {
    const h = new Harness({
      [R1]: groups([P, 100], [SPARE, 0]),
      [R3]: groups([P, 40], [SPARE, 60]), // below the floor: never shed, stays at baseline
    });
    h.step(alarm('ALARM', 0), 0);
    h.check('INSUFFICIENT_DATA');
    h.check('INSUFFICIENT_DATA');

    const decision = h.check('INSUFFICIENT_DATA');

    expect(decision.outcome).toBe('end');
    expect(decision.chainEnd).toBe('insufficient-data');
    expect(decision.schedule).toBeUndefined();
    expect(decision.logs).toContainEqual(expect.objectContaining({ level: 'warn' }));
    expect(decision.metrics).toContainEqual(
      expect.objectContaining({
        name: 'ChainEnds',
        dimensions: expect.objectContaining({ Reason: 'insufficient-data' }),
      }),
    );
    const state = h.state as LoadSheddingState;
    expect(state.status).toBe('idle');
    expect(state.rules.map((r) => r.ruleArn)).toEqual([R1]);
    expect(state.rules[0].baseline).toEqual(groups([P, 100], [SPARE, 0]));
    expect(state).not.toHaveProperty('expiresAt'); // remembered baselines must not expire
  });

  it('resets the count when a check reads ALARM again', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);
    h.check('INSUFFICIENT_DATA');
    h.check('INSUFFICIENT_DATA');

    h.check('ALARM');

    expect(active(h.state)).toMatchObject({ status: 'shedding', insufficientDataChecks: 0 });
  });
});

describe('controller: external edits and writes that did not land', () => {
  it('adopts live weights that differ from what it wrote as the baseline, and does not write that rule', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);
    h.rules.set(R2, groups([P, 50], [CANARY, 50])); // an operator moves the canary by hand

    const decision = h.check('ALARM');

    expect(decision.externalEdits).toEqual([R2]);
    expect(decision.writes.map((w) => w.ruleArn)).toEqual([R1]);
    expect(metricNames(decision)).toContain('ExternalEdits');
    expect(decision.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', details: expect.objectContaining({ ruleArn: R2 }) }),
    );
    expect(active(h.state).rules[1]).toEqual({
      ruleArn: R2,
      baseline: groups([P, 50], [CANARY, 50]),
      lastWritten: groups([P, 50], [CANARY, 50]),
      beforeLastWrite: groups([P, 50], [CANARY, 50]),
    });
  });

  it('restores an adopted baseline exactly', () => {
    const h = new Harness({ [R1]: groups([P, 100], [SPARE, 0]) });
    h.step(alarm('ALARM', 0), 0);
    h.rules.set(R1, groups([P, 333], [SPARE, 111]));
    h.check('ALARM'); // adopts 333/111
    h.check('ALARM'); // sheds from it: 65/35
    h.step(alarm('OK', 200), 200);

    let outcome = h.check('OK').outcome;
    while (outcome === 'restore') outcome = h.check('OK').outcome;

    expect(h.weights(R1)).toEqual([333, 111]);
  });

  it('treats live weights equal to those before its last write as a write that did not land, and steps again from them', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0, undefined, { skipWrites: true }); // crash before ELBv2

    const decision = h.check('ALARM');

    expect(decision.externalEdits).toEqual([]);
    expect(decision.writes.map((w) => weightsOf(w.groups))).toEqual([
      [90, 10],
      [70, 30],
    ]);
    expect(decision.metrics.filter((m) => m.name === 'WritesNotLanded')).toHaveLength(2);
    expect(decision.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('did not land') }),
    );
  });

  it('keeps expecting a write that may still be in flight when no step is due', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0, undefined, { skipWrites: true }); // writes still in flight
    const expected = active(h.state).rules;

    const decision = h.step(alarm('OK', 1), 1); // an event decides before they land

    expect(decision.outcome).toBe('bake');
    expect(active(h.state).rules).toEqual(expected);
    expect(metricNames(decision)).not.toContain('WritesNotLanded');
    // The writes land; the next check finds them in sync, not an external edit.
    h.rules.set(R1, groups([P, 90], [SPARE, 10]));
    h.rules.set(R2, groups([P, 70], [CANARY, 30]));
    expect(h.check('OK').externalEdits).toEqual([]);
  });

  it('records the baseline of a rule that appears mid-chain and forgets a rule that is gone', () => {
    const h = twoListeners();
    h.step(alarm('ALARM', 0), 0);
    h.rules.delete(R2);
    h.rules.set(R3, groups([P, 90], [SPARE, 10]));

    const decision = h.check('ALARM');

    expect(active(h.state).rules.map((r) => [r.ruleArn, weightsOf(r.baseline)])).toEqual([
      [R1, [100, 0]],
      [R3, [90, 10]],
    ]);
    expect(decision.writes.map((w) => [w.ruleArn, weightsOf(w.groups)])).toEqual([
      [R1, [80, 20]],
      [R3, [80, 20]],
    ]);
    expect(decision.logs).toContainEqual(
      expect.objectContaining({ details: expect.objectContaining({ ruleArn: R2 }) }),
    );
  });

  it('ignores live rules that do not forward to the primary', () => {
    const h = new Harness({
      [R1]: groups([P, 100], [SPARE, 0]),
      [R3]: groups([OTHER, 50], [SPARE, 50]),
    });

    const decision = h.decide(alarm('ALARM', 0), 0);

    expect(decision.writes.map((w) => w.ruleArn)).toEqual([R1]);
    expect(decision.save?.state.rules.map((r) => r.ruleArn)).toEqual([R1]);
  });
});

describe('controller: flapping', () => {
  it('ALARM → OK → ALARM within the shed delay sheds once, then again only after the delay', () => {
    const h = new Harness({ [R1]: groups([P, 100], [SPARE, 0]) });
    const writes: [number, number[]][] = [];
    const record = (seconds: number, d: Decision) =>
      d.writes.forEach((w) => writes.push([seconds, weightsOf(w.groups)]));

    record(0, h.step(alarm('ALARM', 0), 0));
    record(10, h.step(alarm('OK', 10), 10));
    const flap = h.step(alarm('ALARM', 20), 20);
    record(20, flap);
    const due = (active(h.state).pendingCheck.dueAt - T0) / 1000;
    record(due, h.check('ALARM'));

    expect(flap.outcome).toBe('wait');
    expect(flap.schedule).toMatchObject({ delaySeconds: 40 }); // back on the shed cadence
    expect(writes).toEqual([
      [0, [90, 10]],
      [60, [80, 20]],
    ]);
  });

  it('a chain that starts right after another ended waits for the delay since the last step', () => {
    const h = new Harness(
      { [R1]: groups([P, 100], [SPARE, 0]) },
      { ...config, restoreDelaySeconds: 10 },
    );
    h.step(alarm('ALARM', 0), 0);
    h.step(alarm('OK', 1), 1);
    h.check('OK'); // restore at 11
    expect(h.check('OK').outcome).toBe('end'); // at 21

    const decision = h.step(alarm('ALARM', 22), 22);

    expect(decision.outcome).toBe('wait');
    expect(decision.writes).toEqual([]);
    expect(decision.schedule).toMatchObject({ delaySeconds: 49 }); // 11 + 60 - 22
  });
});

describe('controller: dry run', () => {
  it('decides the same writes, says so in the log, and steps from the unchanged live weights again', () => {
    const dry = new Harness({ [R1]: groups([P, 100], [SPARE, 0]) }, { ...config, dryRun: true });
    const real = new Harness({ [R1]: groups([P, 100], [SPARE, 0]) });

    const first = dry.step(alarm('ALARM', 0), 0, undefined, { skipWrites: true });
    const reference = real.decide(alarm('ALARM', 0), 0);
    const second = dry.check('ALARM', { skipWrites: true });

    expect(first.writes).toEqual(reference.writes);
    expect(first.save).toEqual(reference.save);
    expect(first.logs.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^Dry run, not written/),
    );
    expect(second.writes.map((w) => weightsOf(w.groups))).toEqual([[90, 10]]);
    expect(metricNames(second)).not.toContain('WritesNotLanded');
    expect(second.logs).toContainEqual(
      expect.objectContaining({ level: 'debug', message: expect.stringContaining('Dry run') }),
    );
  });
});

describe('controller: input errors', () => {
  const base = {
    config,
    state: undefined,
    rules: [] as LiveRule[],
    now: T0,
    ids: { chainId: 'c', checkId: 'k' },
  };

  it('requires the alarm state for a check', () => {
    expect(() => decide({ ...base, trigger: pendingCheck(twoListenersChain()) })).toThrow(
      ControllerInputError,
    );
  });

  it('refuses a primary that is not a target group ARN', () => {
    expect(() =>
      decide({
        ...base,
        config: { ...config, primaryTargetGroupArn: 'primary' },
        trigger: alarm('ALARM', 0),
      }),
    ).toThrow(/is not a target group ARN/);
  });

  it('refuses a rule listed twice', () => {
    const rule = { ruleArn: R1, groups: groups([P, 100], [SPARE, 0]) };
    expect(() => decide({ ...base, trigger: alarm('ALARM', 0), rules: [rule, rule] })).toThrow(
      /listed twice/,
    );
  });

  it('refuses the state of another primary', () => {
    const state = { ...twoListenersChain(), primaryTargetGroupArn: OTHER };
    expect(() => decide({ ...base, state, trigger: alarm('ALARM', 0) })).toThrow(/belongs to/);
  });

  it('refuses an alarm trigger without a valid timestamp and a bad now', () => {
    expect(() =>
      decide({ ...base, trigger: { ...alarm('ALARM', 0), timestamp: Number.NaN } }),
    ).toThrow(/timestamp/);
    expect(() => decide({ ...base, trigger: alarm('ALARM', 0), now: Number.NaN })).toThrow(
      /now must be/,
    );
  });
});

describe('controller: alarmTriggerOf', () => {
  it('reads the alarm name, state, timestamp and event id of an EventBridge event', () => {
    const event = alarmStateChangeEventSchema.parse({
      version: '0',
      id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '123456789012',
      time: '2019-10-02T17:04:40Z',
      region: 'eu-west-1',
      resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:primary-5xx'],
      detail: {
        alarmName: ALARM_NAME,
        state: { value: 'ALARM', timestamp: '2019-10-02T17:04:40.989+0000' },
        previousState: { value: 'OK', timestamp: '2019-10-02T17:00:00.000+0000' },
      },
    });

    expect(alarmTriggerOf(event)).toEqual({
      kind: 'alarm',
      alarmName: ALARM_NAME,
      state: 'ALARM',
      timestamp: Date.UTC(2019, 9, 2, 17, 4, 40, 989),
      correlationId: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    });
  });
});

describe('controller: primary weight metric', () => {
  it('reports the lowest share of the primary over its rules after the writes', () => {
    const h = new Harness({
      [R1]: groups([P, 100], [SPARE, 0]),
      [R3]: groups([P, 300], [SPARE, 700]),
    });

    const decision = h.decide(alarm('INSUFFICIENT_DATA', 0), 0);

    expect(decision.metrics).toEqual([
      expect.objectContaining({ name: 'PrimaryWeightPercent', value: 30 }),
    ]);
  });

  it('leaves out rules whose weights are all 0, and reports nothing without a rule', () => {
    const zero = new Harness({
      [R1]: groups([P, 0], [SPARE, 0]),
      [R3]: groups([P, 1], [SPARE, 2]),
    });
    const none = new Harness({});

    const withZero = zero.decide(alarm('INSUFFICIENT_DATA', 0), 0);
    const withNone = none.decide(alarm('INSUFFICIENT_DATA', 0), 0);

    expect(withZero.metrics).toEqual([
      expect.objectContaining({ name: 'PrimaryWeightPercent', value: 33.33 }),
    ]);
    expect(withNone.metrics).toEqual([]);
  });
});

describe('state: comparing forward configs', () => {
  it('compares raw weights by target group, in any order', () => {
    expect(sameWeights(groups([P, 80], [SPARE, 20]), groups([SPARE, 20], [P, 80]))).toBe(true);
    expect(sameWeights(groups([P, 80], [SPARE, 20]), groups([P, 160], [SPARE, 40]))).toBe(false);
    expect(sameWeights(groups([P, 80], [SPARE, 20]), groups([P, 80], [CANARY, 20]))).toBe(false);
    expect(sameWeights(groups([P, 100]), groups([P, 100], [SPARE, 0]))).toBe(false);
  });

  it('compares target groups whatever their weights', () => {
    expect(sameTargetGroups(groups([P, 1], [SPARE, 2]), groups([SPARE, 9], [P, 9]))).toBe(true);
    expect(sameTargetGroups(groups([P, 1], [SPARE, 2]), groups([P, 1], [CANARY, 2]))).toBe(false);
    expect(sameTargetGroups(groups([P, 1]), groups([P, 1], [SPARE, 2]))).toBe(false);
  });

  it('orders weights like another config, 0 for a group the source lacks', () => {
    expect(
      inOrderOf(groups([P, 160], [SPARE, 40]), groups([SPARE, 1], [P, 1], [CANARY, 1])),
    ).toEqual(groups([SPARE, 40], [P, 160], [CANARY, 0]));
  });
});
