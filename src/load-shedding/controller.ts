/**
 * The load-shedding controller's decisions: pure, no AWS import, no clock, no randomness.
 *
 * A handler gathers the inputs (stored state, trigger, current alarm state, live forward rules
 * that contain the primary, the time, two fresh ids), calls {@link decide}, then carries the
 * decision out in this order (docs/load-shedding.md explains why):
 *
 * 1. no `save` → write nothing (`stale`, `ignored`; `defer` → let SQS redeliver the message);
 * 2. send `schedule.message` with `schedule.delaySeconds`, if any;
 * 3. save `save.state` conditionally on `save.expectedVersion` — on a conflict, write nothing to
 *    ELBv2: load the state again and decide again with fresh ids (a few attempts, then fail the
 *    trigger so that it is redelivered);
 * 4. apply `writes` to ELBv2, unless dry run;
 * 5. emit `logs` and `metrics`.
 *
 * One chain per primary target group: the state holds the chain id and the one pending check.
 * A step (shed or restore) happens only when the delay since the last step has passed, whatever
 * triggered the decision, so flapping alarms, duplicate or out-of-order events and concurrent
 * invocations never shed or restore faster than one step per interval.
 */
import {
  LoadSheddingDimensions,
  LoadSheddingMetricNames,
  MAX_DELAY_SECONDS,
  alarmTimestampMs,
  parseTargetGroupArn,
  type AlarmStateChangeEvent,
  type AlarmStateValue,
  type CheckMessage,
  type CheckReason,
  type LoadSheddingConfig,
  type LoadSheddingMetricName,
  type TargetGroupArnParts,
} from './contract.js';
import { ControllerInputError } from './errors.js';
import {
  IDLE_STATE_TTL_SECONDS,
  copyGroups,
  inOrderOf,
  sameTargetGroups,
  sameWeights,
  type ActiveState,
  type ChainStatus,
  type LoadSheddingState,
  type PendingCheck,
  type RuleState,
} from './state.js';
import { isRestorable, restore, shed, type WeightedTargetGroup } from './weights.js';

/** The settings the decisions depend on. */
export type ControllerConfig = Pick<
  LoadSheddingConfig,
  | 'primaryTargetGroupArn'
  | 'alarmName'
  | 'shedPercent'
  | 'restorePercent'
  | 'maxShedPercent'
  | 'shedDelaySeconds'
  | 'restoreDelaySeconds'
  | 'maxInsufficientDataChecks'
  | 'dryRun'
>;

/** An alarm state change, from the EventBridge event ({@link alarmTriggerOf}). */
export interface AlarmTrigger {
  readonly kind: 'alarm';
  readonly alarmName: string;
  readonly state: AlarmStateValue;
  /** Epoch ms of the state change (`detail.state.timestamp`): orders events. */
  readonly timestamp: number;
  /** The event id; carried by the checks this decision schedules. */
  readonly correlationId: string;
}

/** A delayed check message, parsed with `parseCheckMessage`. */
export interface CheckTrigger {
  readonly kind: 'check';
  readonly message: CheckMessage;
}

export type Trigger = AlarmTrigger | CheckTrigger;

/** A listener rule (default or not) whose forward action lists the primary, as read now. */
export interface LiveRule {
  readonly ruleArn: string;
  /** The forward action's target groups and weights, in the rule's order. */
  readonly groups: readonly WeightedTargetGroup[];
}

export interface DecideInput {
  readonly config: ControllerConfig;
  /** The stored state; `undefined` when there is no item yet. */
  readonly state: LoadSheddingState | undefined;
  readonly trigger: Trigger;
  /** The alarm's state now (DescribeAlarms). Required for a check; ignored for an alarm event. */
  readonly alarmState?: AlarmStateValue;
  /** The live rules that contain the primary; others are ignored. */
  readonly rules: readonly LiveRule[];
  /** Epoch ms. */
  readonly now: number;
  /** Fresh unique ids (e.g. `crypto.randomUUID()`), used if a chain starts / a check is scheduled. */
  readonly ids: { readonly chainId: string; readonly checkId: string };
}

export type DecisionOutcome =
  /** A shed step: `writes` move traffic away from the primary. */
  | 'shed'
  /** A restore step: `writes` move traffic back. */
  | 'restore'
  /** OK seen: a restore check is scheduled after the bake time; nothing written now. */
  | 'bake'
  /** Nothing to write now (step not due yet, primary at its floor, only external edits ...). */
  | 'wait'
  /** INSUFFICIENT_DATA: weights held, re-check scheduled. */
  | 'hold'
  /** The chain ended (`chainEnd` says why); nothing scheduled. */
  | 'end'
  /** No chain runs and none is needed; the state only records the event. */
  | 'idle'
  /** A duplicate, out-of-order or superseded trigger: nothing saved, nothing written. */
  | 'stale'
  /** An event of another alarm or a check of another primary: nothing saved, nothing written. */
  | 'ignored'
  /**
   * A check newer than the stored state: the save that scheduled it has not landed yet (or
   * never will). Nothing saved; let SQS redeliver the message (report a batch item failure).
   */
  | 'defer';

export type ChainEndReason = 'restored' | 'insufficient-data';

export interface RuleWrite {
  readonly ruleArn: string;
  readonly action: 'shed' | 'restore';
  /** The live weights the step started from. */
  readonly previous: readonly WeightedTargetGroup[];
  /** The weights to write, in the rule's order. */
  readonly groups: readonly WeightedTargetGroup[];
}

export interface ScheduledCheck {
  /** SQS DelaySeconds, 0–900. */
  readonly delaySeconds: number;
  readonly message: CheckMessage;
}

export interface DecisionLog {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface DecisionMetric {
  readonly name: LoadSheddingMetricName;
  readonly unit: 'Count' | 'Percent';
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface Decision {
  readonly outcome: DecisionOutcome;
  /** The state to save, conditional on `expectedVersion`; absent: save and write nothing. */
  readonly save?: { readonly state: LoadSheddingState; readonly expectedVersion: number };
  readonly writes: readonly RuleWrite[];
  /** The check to send before saving; absent: none (the pending one, if any, stays). */
  readonly schedule?: ScheduledCheck;
  readonly chainEnd?: ChainEndReason;
  /** Rules whose external edit was adopted as their baseline in this decision. */
  readonly externalEdits: readonly string[];
  readonly logs: readonly DecisionLog[];
  readonly metrics: readonly DecisionMetric[];
}

/**
 * A pending check this long past its due time is presumed lost (its message went to the
 * dead-letter queue, or its invocation kept failing): the next alarm event schedules a new one.
 * Replacing a check that is merely late is harmless, it just becomes stale.
 */
export const PENDING_CHECK_GRACE_MS = 120_000;

/** The trigger for an EventBridge alarm state change event (parsed with the contract's schema). */
export function alarmTriggerOf(event: AlarmStateChangeEvent): AlarmTrigger {
  return {
    kind: 'alarm',
    alarmName: event.detail.alarmName,
    state: event.detail.state.value,
    timestamp: alarmTimestampMs(event.detail.state.timestamp),
    correlationId: event.id,
  };
}

/**
 * Decides what to do about one trigger. Pure: the same input gives the same decision.
 * @throws {ControllerInputError} when the inputs contradict each other (a caller bug).
 * @throws {WeightsError} when a live rule is not a valid forward action.
 */
export function decide(input: DecideInput): Decision {
  const primary = checkInput(input);
  return new Decider(input, primary).run();
}

/** How a remembered rule relates to what is live now. */
type RuleSync =
  /** First seen by this chain (or since the last chain): live is its baseline. */
  | 'new'
  /** Live equals what the controller last wrote. */
  | 'in-sync'
  /** Live equals the weights before the last write: that write has not landed. */
  | 'not-landed'
  /** Someone else changed the weights: adopted as the new baseline. */
  | 'external-edit';

interface RuleView {
  readonly ruleArn: string;
  readonly live: readonly WeightedTargetGroup[];
  readonly sync: RuleSync;
  readonly remembered: RuleState | undefined;
  readonly baseline: readonly WeightedTargetGroup[];
}

/** The chain fields of the next state while it is being built. */
interface ChainDraft {
  chainId: string;
  chainStartedAt: number;
  status: ChainStatus;
  pendingCheck: PendingCheck | undefined;
  insufficientDataChecks: number;
}

class Decider {
  private readonly config: ControllerConfig;
  private readonly state: LoadSheddingState | undefined;
  private readonly now: number;
  private readonly expectedVersion: number;
  private readonly logs: DecisionLog[] = [];
  private readonly metrics: DecisionMetric[] = [];
  private readonly dimensions: Readonly<Record<string, string>>;
  private views: RuleView[] = [];
  private readonly writes = new Map<string, RuleWrite>();
  private chain: ChainDraft | undefined;
  private schedule: ScheduledCheck | undefined;
  private correlationId = '';
  /** A step was due: rules whose last write did not land were stepped from their live weights. */
  private resolved = false;
  /** Epoch ms of the last step, of this chain or an earlier one. */
  private lastStepAt: number | undefined;

  constructor(
    private readonly input: DecideInput,
    primary: TargetGroupArnParts,
  ) {
    this.config = input.config;
    this.state = input.state;
    this.now = input.now;
    this.expectedVersion = input.state?.version ?? 0;
    this.lastStepAt = input.state?.lastStepAt;
    this.dimensions = { [LoadSheddingDimensions.primaryTargetGroup]: primary.resource };
  }

  run(): Decision {
    const { trigger } = this.input;
    if (trigger.kind === 'alarm') {
      this.correlationId = trigger.correlationId;
      if (trigger.alarmName !== this.config.alarmName) {
        return this.drop('ignored', 'event', `Ignored an event of another alarm.`, {
          alarmName: trigger.alarmName,
          expected: this.config.alarmName,
        });
      }
      const last = this.state?.lastAlarmEventAt;
      if (last !== undefined && trigger.timestamp <= last) {
        return this.drop(
          'stale',
          'event',
          'Dropped an alarm event that is a duplicate or older than one already acted on.',
          { state: trigger.state, timestamp: trigger.timestamp, lastAlarmEventAt: last },
        );
      }
      return this.act(trigger.state, 'event');
    }

    const message = trigger.message;
    this.correlationId = message.correlationId;
    if (message.primaryTargetGroupArn !== this.config.primaryTargetGroupArn) {
      return this.drop('ignored', 'check', 'Ignored a check of another primary target group.', {
        primaryTargetGroupArn: message.primaryTargetGroupArn,
      });
    }
    if (message.stateVersion > this.expectedVersion) {
      this.metric(LoadSheddingMetricNames.deferredChecks, 'Count', 1);
      this.log('info', 'Deferred a check that arrived before the state that scheduled it.', {
        checkId: message.checkId,
        stateVersion: message.stateVersion,
        storedVersion: this.expectedVersion,
      });
      return this.result('defer', undefined);
    }
    const state = this.state;
    if (
      state === undefined ||
      state.status === 'idle' ||
      state.chainId !== message.chainId ||
      state.pendingCheck.checkId !== message.checkId
    ) {
      return this.drop('stale', 'check', 'Dropped a check that is not the pending one.', {
        checkId: message.checkId,
        chainId: message.chainId,
        pendingCheckId: state?.status === 'idle' ? undefined : state?.pendingCheck.checkId,
      });
    }
    // checkInput guarantees alarmState for checks.
    return this.act(this.input.alarmState as AlarmStateValue, 'check');
  }

  // ---- acting on an alarm state ----------------------------------------------------------

  private act(alarm: AlarmStateValue, via: 'event' | 'check'): Decision {
    this.views = this.reconcile();
    const state = this.state;
    this.chain =
      state !== undefined && state.status !== 'idle'
        ? {
            chainId: state.chainId,
            chainStartedAt: state.chainStartedAt,
            status: state.status,
            pendingCheck: state.pendingCheck,
            insufficientDataChecks: state.insufficientDataChecks,
          }
        : undefined;
    // A check consumes the pending check: unless the chain ends, it must schedule the next one.
    if (via === 'check' && this.chain) this.chain.pendingCheck = undefined;

    if (alarm === 'ALARM') return this.onAlarm(via);
    if (alarm === 'OK') return this.onOk(via);
    return this.onInsufficientData(via);
  }

  private onAlarm(via: 'event' | 'check'): Decision {
    const chain = this.chain ?? this.startChain('shedding');
    chain.status = 'shedding';
    chain.insufficientDataChecks = 0;
    const dueAt = this.nextStepAt(this.config.shedDelaySeconds);
    if (this.now < dueAt) {
      this.checkBy(dueAt, 'wait', via);
      this.log('debug', 'Alarm in ALARM; the next shed step is not due yet.', { dueAt });
      return this.finish('wait');
    }
    const options = {
      primary: this.config.primaryTargetGroupArn,
      percent: this.config.shedPercent,
      maxShedPercent: this.config.maxShedPercent,
    };
    for (const view of this.steppable()) {
      // Unchanged weights when the rule cannot shed (primary at its floor): nothing to write.
      const groups = shed(view.live, options);
      if (!sameWeights(groups, view.live)) this.write(view, 'shed', groups);
    }
    this.scheduleIn(this.config.shedDelaySeconds, this.writes.size > 0 ? 'shed' : 'wait');
    if (this.writes.size === 0) {
      this.log('info', 'Alarm in ALARM, but no rule can shed more (primary at its floor).', {
        rules: this.views.length,
        floorPercent: 100 - this.config.maxShedPercent,
      });
      return this.finish('wait');
    }
    this.lastStepAt = this.now;
    this.metric(LoadSheddingMetricNames.shedActions, 'Count', 1);
    this.log('info', this.dryRunPrefix() + 'Shedding one step.', { writes: this.writeSummary() });
    return this.finish('shed');
  }

  private onOk(via: 'event' | 'check'): Decision {
    let chain = this.chain;
    if (!chain) {
      if (this.views.every((view) => this.restoreDone(view))) {
        this.log('debug', 'Alarm OK and nothing to restore.');
        return this.finishIdle('idle', []);
      }
      chain = this.startChain('restoring');
    }
    if (via === 'event' || chain.status !== 'restoring') {
      // The bake time: wait a full restore delay of OK before the first restore step.
      chain.status = 'restoring';
      chain.insufficientDataChecks = 0;
      this.scheduleIn(this.config.restoreDelaySeconds, 'bake');
      this.log('info', 'Alarm OK: restore check scheduled after the bake time.', {
        delaySeconds: this.config.restoreDelaySeconds,
      });
      return this.finish('bake');
    }
    const dueAt = this.nextStepAt(this.config.restoreDelaySeconds);
    if (this.now < dueAt) {
      this.checkBy(dueAt, 'wait', via);
      return this.finish('wait');
    }
    for (const view of this.steppable()) {
      const groups = this.restoreStep(view);
      if (groups) this.write(view, 'restore', groups);
    }
    if (this.writes.size === 0) {
      // Never in the decision that writes: the check after the last write confirms it landed.
      this.metric(LoadSheddingMetricNames.chainEnds, 'Count', 1, {
        [LoadSheddingDimensions.reason]: 'restored',
      });
      this.log('info', 'Every rule is back at its baseline: chain ended.', {
        chainId: chain.chainId,
      });
      return this.finishIdle('end', [], 'restored');
    }
    this.lastStepAt = this.now;
    this.scheduleIn(this.config.restoreDelaySeconds, 'restore');
    this.metric(LoadSheddingMetricNames.restoreActions, 'Count', 1);
    this.log('info', this.dryRunPrefix() + 'Restoring one step.', {
      writes: this.writeSummary(),
    });
    return this.finish('restore');
  }

  private onInsufficientData(via: 'event' | 'check'): Decision {
    const chain = this.chain;
    if (!chain) return this.finishIdle('idle', this.rememberedWhenIdle());
    chain.status = 'holding';
    if (via === 'event') {
      this.checkBy(this.now + this.config.shedDelaySeconds * 1000, 'insufficient-data', via);
      return this.finish('hold');
    }
    chain.insufficientDataChecks += 1;
    if (chain.insufficientDataChecks >= this.config.maxInsufficientDataChecks) {
      this.metric(LoadSheddingMetricNames.chainEnds, 'Count', 1, {
        [LoadSheddingDimensions.reason]: 'insufficient-data',
      });
      const remembered = this.rememberedWhenIdle();
      this.log(
        'warn',
        `The alarm had INSUFFICIENT_DATA for ${chain.insufficientDataChecks} checks in a row: ` +
          'chain ended with the weights held. The next OK restores them; check the alarm ' +
          'metric, or restore the weights by hand.',
        { chainId: chain.chainId, rulesAwayFromBaseline: remembered.map((r) => r.ruleArn) },
      );
      return this.finishIdle('end', remembered, 'insufficient-data');
    }
    this.scheduleIn(this.config.shedDelaySeconds, 'insufficient-data');
    this.log('info', 'Alarm has INSUFFICIENT_DATA: weights held, re-check scheduled.', {
      insufficientDataChecks: chain.insufficientDataChecks,
      max: this.config.maxInsufficientDataChecks,
    });
    return this.finish('hold');
  }

  // ---- rules -------------------------------------------------------------------------------

  /** Live rules matched with what the state remembers, external edits adopted. */
  private reconcile(): RuleView[] {
    const primary = this.config.primaryTargetGroupArn;
    const remembered = new Map((this.state?.rules ?? []).map((r) => [r.ruleArn, r]));
    const views: RuleView[] = [];
    for (const rule of this.input.rules) {
      if (!rule.groups.some((g) => g.targetGroupArn === primary)) continue;
      const known = remembered.get(rule.ruleArn);
      remembered.delete(rule.ruleArn);
      const live = copyGroups(rule.groups);
      if (!known) {
        views.push({
          ruleArn: rule.ruleArn,
          live,
          sync: 'new',
          remembered: undefined,
          baseline: live,
        });
      } else if (sameWeights(live, known.lastWritten)) {
        views.push({
          ruleArn: rule.ruleArn,
          live,
          sync: 'in-sync',
          remembered: known,
          baseline: known.baseline,
        });
      } else if (sameWeights(live, known.beforeLastWrite)) {
        views.push({
          ruleArn: rule.ruleArn,
          live,
          sync: 'not-landed',
          remembered: known,
          baseline: known.baseline,
        });
      } else {
        views.push({
          ruleArn: rule.ruleArn,
          live,
          sync: 'external-edit',
          remembered: known,
          baseline: live,
        });
        this.metric(LoadSheddingMetricNames.externalEdits, 'Count', 1);
        this.log(
          'warn',
          'The live weights of a rule differ from what the controller wrote: someone else ' +
            'changed them. Adopted them as the new baseline; the rule is not written this step.',
          {
            ruleArn: rule.ruleArn,
            live,
            lastWritten: known.lastWritten,
            oldBaseline: known.baseline,
          },
        );
      }
    }
    for (const gone of remembered.keys()) {
      this.log('info', 'A remembered rule no longer forwards to the primary: forgotten.', {
        ruleArn: gone,
      });
    }
    return views;
  }

  /**
   * The rules a step may write: not externally edited in this decision. A step resolves a
   * write that did not land: live is the truth again, and the step starts from it.
   */
  private steppable(): RuleView[] {
    this.resolved = true;
    const views = this.views.filter((view) => view.sync !== 'external-edit');
    for (const view of views.filter((v) => v.sync === 'not-landed')) {
      if (!this.config.dryRun) this.metric(LoadSheddingMetricNames.writesNotLanded, 'Count', 1);
      this.log(
        this.config.dryRun ? 'debug' : 'warn',
        this.config.dryRun
          ? 'Dry run: the previous step was not written; stepping from the live weights.'
          : 'The previous write to a rule did not land; stepping again from the live weights.',
        { ruleArn: view.ruleArn, live: view.live, intended: view.remembered?.lastWritten },
      );
    }
    return views;
  }

  /**
   * The next restore step of a rule, or `undefined` when there is nothing left to restore. The
   * step that reaches the baseline writes the recorded baseline itself, so a 160/40 or 999/1
   * split comes back raw, not as its rescaled 80/20 or 100/0.
   */
  private restoreStep(view: RuleView): WeightedTargetGroup[] | undefined {
    if (sameWeights(view.live, view.baseline)) return undefined;
    const options = { primary: this.config.primaryTargetGroupArn, baseline: view.baseline };
    const next = restore(view.live, { ...options, percent: this.config.restorePercent });
    if (sameWeights(next, view.live)) {
      this.log('warn', 'A rule is away from its baseline, but restoring cannot move it closer.', {
        ruleArn: view.ruleArn,
        live: view.live,
        baseline: view.baseline,
      });
      return undefined;
    }
    const reached = !isRestorable(next, options) && sameTargetGroups(next, view.baseline);
    return reached ? inOrderOf(view.baseline, view.live) : next;
  }

  /** Whether a rule needs no restore: at its baseline, or nothing restore could move. */
  private restoreDone(view: RuleView): boolean {
    if (sameWeights(view.live, view.baseline)) return view.sync !== 'not-landed';
    return !isRestorable(view.live, {
      primary: this.config.primaryTargetGroupArn,
      baseline: view.baseline,
    });
  }

  private write(view: RuleView, action: RuleWrite['action'], groups: WeightedTargetGroup[]): void {
    this.writes.set(view.ruleArn, { ruleArn: view.ruleArn, action, previous: view.live, groups });
  }

  /** What the state remembers of each rule after this decision. */
  private nextRules(): RuleState[] {
    return this.views.map((view): RuleState => {
      const written = this.writes.get(view.ruleArn);
      if (written) {
        return {
          ruleArn: view.ruleArn,
          baseline: copyGroups(view.baseline),
          lastWritten: copyGroups(written.groups),
          beforeLastWrite: copyGroups(view.live),
        };
      }
      // A write that has not landed may still be in flight: keep expecting it.
      if (view.sync === 'not-landed' && view.remembered && !this.resolved) {
        return view.remembered;
      }
      return {
        ruleArn: view.ruleArn,
        baseline: copyGroups(view.baseline),
        lastWritten: copyGroups(view.live),
        beforeLastWrite: copyGroups(view.live),
      };
    });
  }

  /** Rules an idle state keeps remembering: those a chain leaves away from their baseline. */
  private rememberedWhenIdle(): RuleState[] {
    const away = new Set(
      this.views
        .filter((view) => !sameWeights(view.live, view.baseline) || view.sync === 'not-landed')
        .map((v) => v.ruleArn),
    );
    return this.nextRules().filter((rule) => away.has(rule.ruleArn));
  }

  // ---- chain and checks --------------------------------------------------------------------

  private startChain(status: ChainStatus): ChainDraft {
    this.chain = {
      chainId: this.input.ids.chainId,
      chainStartedAt: this.now,
      status,
      pendingCheck: undefined,
      insufficientDataChecks: 0,
    };
    this.metric(LoadSheddingMetricNames.chainStarts, 'Count', 1);
    this.log('info', 'Chain started.', { chainId: this.chain.chainId, status });
    return this.chain;
  }

  /** Epoch ms from which a step with this delay may run (no step yet: any time). */
  private nextStepAt(delaySeconds: number): number {
    return this.lastStepAt === undefined
      ? Number.NEGATIVE_INFINITY
      : this.lastStepAt + delaySeconds * 1000;
  }

  private scheduleIn(delaySeconds: number, reason: CheckReason): void {
    const chain = this.chain as ChainDraft;
    const delay = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));
    const checkId = this.input.ids.checkId;
    chain.pendingCheck = { checkId, dueAt: this.now + delay * 1000, reason };
    this.schedule = {
      delaySeconds: delay,
      message: {
        v: 1,
        kind: 'check',
        primaryTargetGroupArn: this.config.primaryTargetGroupArn,
        chainId: chain.chainId,
        checkId,
        stateVersion: this.expectedVersion + 1,
        reason,
        correlationId: this.correlationId,
        scheduledAt: new Date(this.now).toISOString(),
      },
    };
  }

  /**
   * Makes sure a check is due no later than `dueBy`. An event keeps the pending check when it
   * is due in time and not presumed lost; a check always schedules (it consumed the pending one).
   */
  private checkBy(dueBy: number, reason: CheckReason, via: 'event' | 'check'): void {
    const pending = this.chain?.pendingCheck;
    const keep =
      via === 'event' &&
      pending !== undefined &&
      pending.dueAt <= dueBy &&
      this.now <= pending.dueAt + PENDING_CHECK_GRACE_MS;
    if (!keep) this.scheduleIn((dueBy - this.now) / 1000, reason);
  }

  // ---- results -----------------------------------------------------------------------------

  private finish(outcome: DecisionOutcome): Decision {
    const chain = this.chain as ChainDraft;
    const state: ActiveState = {
      primaryTargetGroupArn: this.config.primaryTargetGroupArn,
      version: this.expectedVersion + 1,
      updatedAt: this.now,
      ...this.optionalFields(),
      rules: this.nextRules(),
      status: chain.status,
      chainId: chain.chainId,
      chainStartedAt: chain.chainStartedAt,
      // Every path that keeps a chain running has kept or scheduled a check.
      pendingCheck: chain.pendingCheck as PendingCheck,
      insufficientDataChecks: chain.insufficientDataChecks,
    };
    this.recordPrimaryWeight();
    return this.result(outcome, state);
  }

  private finishIdle(
    outcome: DecisionOutcome,
    rules: RuleState[],
    chainEnd?: ChainEndReason,
  ): Decision {
    this.chain = undefined;
    this.schedule = undefined;
    const state: LoadSheddingState = {
      primaryTargetGroupArn: this.config.primaryTargetGroupArn,
      version: this.expectedVersion + 1,
      updatedAt: this.now,
      ...this.optionalFields(),
      rules,
      status: 'idle',
      ...(rules.length === 0
        ? { expiresAt: Math.floor(this.now / 1000) + IDLE_STATE_TTL_SECONDS }
        : {}),
    };
    this.recordPrimaryWeight();
    return this.result(outcome, state, chainEnd);
  }

  private drop(
    outcome: 'stale' | 'ignored',
    trigger: 'event' | 'check',
    message: string,
    details: Record<string, unknown>,
  ): Decision {
    this.metric(LoadSheddingMetricNames.droppedTriggers, 'Count', 1, {
      [LoadSheddingDimensions.trigger]: trigger,
    });
    this.log(outcome === 'ignored' ? 'warn' : 'info', message, details);
    return this.result(outcome, undefined);
  }

  private result(
    outcome: DecisionOutcome,
    state: LoadSheddingState | undefined,
    chainEnd?: ChainEndReason,
  ): Decision {
    return {
      outcome,
      ...(state ? { save: { state, expectedVersion: this.expectedVersion } } : {}),
      writes: [...this.writes.values()],
      ...(this.schedule ? { schedule: this.schedule } : {}),
      ...(chainEnd ? { chainEnd } : {}),
      externalEdits: this.views.filter((v) => v.sync === 'external-edit').map((v) => v.ruleArn),
      logs: this.logs,
      metrics: this.metrics,
    };
  }

  /** The fields of the next state that may be unknown (left out rather than undefined). */
  private optionalFields(): { lastAlarmEventAt?: number; lastStepAt?: number } {
    const { trigger } = this.input;
    return withoutUndefined({
      lastAlarmEventAt: trigger.kind === 'alarm' ? trigger.timestamp : this.state?.lastAlarmEventAt,
      lastStepAt: this.lastStepAt,
    });
  }

  /** The primary's lowest share (percent) over its rules, after the writes. */
  private recordPrimaryWeight(): void {
    const shares = this.views
      .map((view) => this.writes.get(view.ruleArn)?.groups ?? view.live)
      .filter((groups) => groups.some((g) => g.weight > 0)) // an all-zero rule has no shares
      .map((groups) => {
        const primary = groups.filter(
          (g) => g.targetGroupArn === this.config.primaryTargetGroupArn,
        );
        return (100 * totalWeight(primary)) / totalWeight(groups);
      });
    if (shares.length === 0) return;
    this.metric(
      LoadSheddingMetricNames.primaryWeight,
      'Percent',
      Math.round(Math.min(...shares) * 100) / 100,
    );
  }

  private writeSummary(): { ruleArn: string; from: number[]; to: number[] }[] {
    return [...this.writes.values()].map((w) => ({
      ruleArn: w.ruleArn,
      from: w.previous.map((g) => g.weight),
      to: w.groups.map((g) => g.weight),
    }));
  }

  private dryRunPrefix(): string {
    return this.config.dryRun ? 'Dry run, not written: ' : '';
  }

  private metric(
    name: LoadSheddingMetricName,
    unit: DecisionMetric['unit'],
    value: number,
    extra: Record<string, string> = {},
  ): void {
    this.metrics.push({ name, unit, value, dimensions: { ...this.dimensions, ...extra } });
  }

  private log(
    level: DecisionLog['level'],
    message: string,
    details?: Record<string, unknown>,
  ): void {
    this.logs.push({
      level,
      message,
      details: {
        primaryTargetGroupArn: this.config.primaryTargetGroupArn,
        correlationId: this.correlationId,
        ...details,
      },
    });
  }
}

function withoutUndefined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function totalWeight(groups: readonly WeightedTargetGroup[]): number {
  return groups.reduce((sum, g) => sum + g.weight, 0);
}

/** Checks what the types cannot; returns the parts of the primary's ARN. */
function checkInput(input: DecideInput): TargetGroupArnParts {
  const { config, state, trigger } = input;
  const primary = parseTargetGroupArn(config.primaryTargetGroupArn);
  if (primary === undefined) {
    throw new ControllerInputError(
      `The primary ${config.primaryTargetGroupArn} is not a target group ARN: pass the ` +
        'configuration parsed with parseLoadSheddingConfig.',
    );
  }
  if (state !== undefined && state.primaryTargetGroupArn !== config.primaryTargetGroupArn) {
    throw new ControllerInputError(
      `The state belongs to ${state.primaryTargetGroupArn}, not to the configured primary ` +
        `${config.primaryTargetGroupArn}: load the state item of the configured primary.`,
    );
  }
  if (trigger.kind === 'check' && input.alarmState === undefined) {
    throw new ControllerInputError(
      'A check needs the current alarm state: read it with DescribeAlarms (treat a missing ' +
        'alarm as INSUFFICIENT_DATA) and pass it as alarmState.',
    );
  }
  if (trigger.kind === 'alarm' && !Number.isFinite(trigger.timestamp)) {
    throw new ControllerInputError(
      `The alarm trigger's timestamp is ${String(trigger.timestamp)}: build it with ` +
        'alarmTriggerOf from an event parsed with alarmStateChangeEventSchema.',
    );
  }
  if (!Number.isFinite(input.now)) {
    throw new ControllerInputError(`now must be epoch milliseconds, got ${String(input.now)}.`);
  }
  const seen = new Set<string>();
  for (const rule of input.rules) {
    if (seen.has(rule.ruleArn)) {
      throw new ControllerInputError(
        `Rule ${rule.ruleArn} is listed twice: pass each live rule once.`,
      );
    }
    seen.add(rule.ruleArn);
  }
  return primary;
}
