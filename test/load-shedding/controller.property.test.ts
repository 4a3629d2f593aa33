import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlarmStateValue, CheckMessage } from '../../src/load-shedding/contract.js';
import {
  decide,
  type ControllerConfig,
  type Decision,
  type RuleWrite,
  type Trigger,
} from '../../src/load-shedding/controller.js';
import { sameWeights, type LoadSheddingState } from '../../src/load-shedding/state.js';
import type { WeightedTargetGroup } from '../../src/load-shedding/weights.js';

// A small in-test world: a rule set, a version-checked state item, a queue with delays, and
// handler invocations split into phases (decide → send check → save → write ELBv2) whose
// latencies interleave, so concurrent invocations, duplicates, out-of-order delivery and
// crashes between phases all happen. It follows the handler order the controller documents.

const PARTITION_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012';
const tg = (name: string): string => `${PARTITION_ARN}:targetgroup/${name}/0123456789abcdef`;
const PRIMARY = tg('primary');
const OTHERS = ['blue', 'green', 'canary'].map(tg);
const ruleArn = (i: number): string =>
  `${PARTITION_ARN}:listener-rule/app/alb/0123456789abcdef/0123456789abcdef/${String(i).padStart(16, '0')}`;
const ALARM = 'primary-5xx';
const VISIBILITY_MS = 30_000; // SQS redelivers a message its invocation did not delete
const EVENT_RETRY_MS = 60_000; // Lambda async invoke retry of an EventBridge event
const MAX_CRASHES = 2; // per trigger: Lambda retries an async event twice
const MAX_RECEIVES = 50; // SQS redrive: a message received this often goes to the DLQ

/** mulberry32: the noise (latencies, crashes, duplicates) from one fast-check seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Segment {
  readonly state: AlarmStateValue;
  readonly seconds: number;
}

interface Scenario {
  readonly config: ControllerConfig;
  readonly baselines: readonly (readonly WeightedTargetGroup[])[];
  readonly segments: readonly Segment[];
  readonly seed: number;
  readonly crashRate: number;
  readonly duplicateRate: number;
  readonly maxEventDelayMs: number;
  readonly edit?: { readonly at: number; readonly rule: number; readonly weights: number[] };
}

interface Delivery {
  readonly trigger: Trigger;
  readonly key: string; // one per trigger, duplicates share it
  crashes: number;
  receives: number;
}

type Job =
  | { readonly kind: 'deliver'; readonly delivery: Delivery }
  | { readonly kind: 'send' | 'save' | 'write'; readonly run: Invocation };

interface Invocation {
  readonly delivery: Delivery;
  readonly decidedAt: number;
  readonly decision: Decision;
}

interface Landed {
  readonly at: number;
  readonly write: RuleWrite;
  readonly liveBefore: readonly WeightedTargetGroup[];
}

interface SavedStep {
  readonly at: number;
  readonly action: RuleWrite['action'];
}

class World {
  readonly rules = new Map<string, WeightedTargetGroup[]>();
  state: LoadSheddingState | undefined;
  readonly landed: Landed[] = [];
  readonly savedSteps: SavedStep[] = [];
  readonly actedChecks = new Map<string, number>();
  readonly chainSwitches: string[] = [];
  readonly problems: string[] = [];
  private readonly queue: { at: number; seq: number; job: Job }[] = [];
  private seq = 0;
  private ids = 0;
  private readonly random: () => number;
  private readonly edgesAt: number[] = [];
  now = 0;
  editApplied = false;

  constructor(private readonly scenario: Scenario) {
    this.random = prng(scenario.seed);
    scenario.baselines.forEach((groups, i) =>
      this.rules.set(
        ruleArn(i),
        groups.map((g) => ({ ...g })),
      ),
    );
    let at = 0;
    let previous: AlarmStateValue = 'OK';
    for (const segment of scenario.segments) {
      if (segment.state !== previous) {
        this.edgesAt.push(at);
        this.emitEvent(at, segment.state);
      }
      previous = segment.state;
      at += segment.seconds * 1000;
    }
    if (previous !== 'OK') {
      this.edgesAt.push(at);
      this.emitEvent(at, 'OK');
    }
  }

  /** The alarm's state at `t` (what DescribeAlarms answers); OK before and after the segments. */
  alarmAt(t: number): AlarmStateValue {
    let at = 0;
    for (const segment of this.scenario.segments) {
      at += segment.seconds * 1000;
      if (t < at) return segment.state;
    }
    return 'OK';
  }

  get lastEdgeAt(): number {
    return this.edgesAt.at(-1) ?? 0;
  }

  run(): void {
    let steps = 0;
    while (this.queue.length > 0) {
      if (++steps > 20_000) {
        this.problems.push('the simulation did not settle within 20,000 jobs');
        return;
      }
      this.queue.sort((x, y) => x.at - y.at || x.seq - y.seq);
      const next = this.queue.shift() as { at: number; job: Job };
      this.maybeEdit(next.at, next.job);
      this.now = next.at;
      this.handle(next.job);
      this.checkCarried();
    }
    this.maybeEdit(Number.POSITIVE_INFINITY);
  }

  /**
   * No chain is ever stuck: whenever no invocation is in flight, an active chain's pending check
   * is on its way (in the queue, maybe as a redelivery).
   */
  private checkCarried(): void {
    const state = this.state;
    if (state === undefined || state.status === 'idle') return;
    const jobs = this.queue.map((q) => q.job);
    if (jobs.some((job) => job.kind !== 'deliver')) return;
    const carried = jobs.some(
      (job) =>
        job.kind === 'deliver' &&
        job.delivery.trigger.kind === 'check' &&
        job.delivery.trigger.message.checkId === state.pendingCheck.checkId,
    );
    if (!carried) this.problems.push(`at ${this.now} the pending check is lost`);
  }

  private emitEvent(at: number, state: AlarmStateValue): void {
    const delivery: Delivery = {
      trigger: {
        kind: 'alarm',
        alarmName: ALARM,
        state,
        timestamp: at,
        correlationId: `event-${at}`,
      },
      key: `event-${at}`,
      crashes: 0,
      receives: 0,
    };
    const copies = 1 + (this.random() < this.scenario.duplicateRate ? 1 : 0);
    for (let i = 0; i < copies; i++) {
      // Events may arrive late and out of order.
      this.enqueue(at + Math.floor(this.random() * this.scenario.maxEventDelayMs), {
        kind: 'deliver',
        delivery: i === 0 ? delivery : { ...delivery },
      });
    }
  }

  private enqueue(at: number, job: Job): void {
    this.queue.push({ at, seq: this.seq++, job });
  }

  private latency(): number {
    return Math.floor(this.random() * 300);
  }

  /**
   * How long the state save or the ELBv2 writes take (throttling, retries): together up to just
   * under the shorter delay, so that the writes of a step are done before the next step is due,
   * as the docs require; a slow save lets a short-delay check arrive before it (deferred).
   */
  private slowLatency(): number {
    const { shedDelaySeconds, restoreDelaySeconds } = this.scenario.config;
    const budget = Math.min(shedDelaySeconds, restoreDelaySeconds) * 1000 - 400;
    return Math.floor((this.random() * budget) / 2);
  }

  private crash(delivery: Delivery): boolean {
    if (delivery.crashes >= MAX_CRASHES || this.random() >= this.scenario.crashRate) return false;
    delivery.crashes += 1;
    this.redeliver(delivery);
    return true;
  }

  private redeliver(delivery: Delivery): void {
    const retryMs = delivery.trigger.kind === 'alarm' ? EVENT_RETRY_MS : VISIBILITY_MS;
    this.enqueue(this.now + retryMs, { kind: 'deliver', delivery });
  }

  private handle(job: Job): void {
    if (job.kind === 'deliver') return this.invoke(job.delivery);
    const { run } = job;
    if (job.kind === 'send') {
      const schedule = run.decision.schedule;
      if (schedule) this.sendCheck(schedule.message, schedule.delaySeconds);
      if (this.crash(run.delivery)) return;
      this.enqueue(this.now + this.slowLatency(), { kind: 'save', run });
      return;
    }
    if (job.kind === 'save') {
      const save = run.decision.save as NonNullable<Decision['save']>;
      if ((this.state?.version ?? 0) !== save.expectedVersion) {
        this.invoke(run.delivery); // StateConflictError: load again, decide again
        return;
      }
      this.recordSave(run, save.state);
      this.state = save.state;
      if (this.crash(run.delivery)) return;
      this.enqueue(this.now + this.slowLatency(), { kind: 'write', run });
      return;
    }
    for (const write of run.decision.writes) {
      const liveBefore = this.rules.get(write.ruleArn) ?? [];
      this.landed.push({ at: this.now, write, liveBefore });
      this.rules.set(
        write.ruleArn,
        write.groups.map((g) => ({ ...g })),
      );
    }
  }

  private sendCheck(message: CheckMessage, delaySeconds: number): void {
    const delivery: Delivery = {
      trigger: { kind: 'check', message },
      key: message.checkId,
      crashes: 0,
      receives: 0,
    };
    const at = this.now + delaySeconds * 1000;
    this.enqueue(at + Math.floor(this.random() * 2000), { kind: 'deliver', delivery });
    if (this.random() < this.scenario.duplicateRate) {
      // SQS at-least-once: a second copy, maybe much later.
      const copy = { ...delivery };
      this.enqueue(at + Math.floor(this.random() * 90_000), { kind: 'deliver', delivery: copy });
    }
  }

  private invoke(delivery: Delivery): void {
    delivery.receives += 1;
    const decidedAt = this.now;
    const decision = decide({
      config: this.scenario.config,
      state: this.state,
      trigger: delivery.trigger,
      alarmState: this.alarmAt(decidedAt),
      rules: [...this.rules].map(([arn, groups]) => ({ ruleArn: arn, groups })),
      now: decidedAt,
      ids: { chainId: `chain-${++this.ids}`, checkId: `check-${++this.ids}` },
    });
    if (decision.outcome === 'defer') {
      if (delivery.receives < MAX_RECEIVES) this.redeliver(delivery);
      return;
    }
    if (!decision.save) return; // stale or ignored: the message is deleted
    this.enqueue(decidedAt + this.latency(), {
      kind: 'send',
      run: { delivery, decidedAt, decision },
    });
  }

  private recordSave(run: Invocation, next: LoadSheddingState): void {
    const { decision, delivery, decidedAt } = run;
    if (delivery.trigger.kind === 'check') {
      const id = delivery.trigger.message.checkId;
      this.actedChecks.set(id, (this.actedChecks.get(id) ?? 0) + 1);
    }
    const before = this.state;
    if (before && before.status !== 'idle' && next.status !== 'idle') {
      if (before.chainId !== next.chainId)
        this.chainSwitches.push(`${before.chainId}→${next.chainId}`);
    }
    const action = decision.writes[0]?.action;
    if (action) this.savedSteps.push({ at: decidedAt, action });
  }

  private maybeEdit(until: number, current?: Job): void {
    const edit = this.scenario.edit;
    if (!edit || this.editApplied || edit.at > until) return;
    // Only when no write of ours is in flight: ALB has no conditional writes, so an edit racing
    // a write in flight is lost whoever makes it.
    const writing = [...this.queue.map((q) => q.job), ...(current ? [current] : [])].some(
      (job) => job.kind !== 'deliver' && job.run.decision.writes.length > 0,
    );
    if (writing && until !== Number.POSITIVE_INFINITY) return;
    this.editApplied = true;
    const arn = ruleArn(edit.rule);
    const groups = this.rules.get(arn) ?? [];
    this.rules.set(
      arn,
      groups.map((g, i) => ({ targetGroupArn: g.targetGroupArn, weight: edit.weights[i] })),
    );
  }
}

// ---- arbitraries ----

const weight = fc.integer({ min: 0, max: 999 });
const ruleArb = fc
  .integer({ min: 1, max: 3 })
  .chain((others) =>
    fc.tuple(
      fc.integer({ min: 1, max: 999 }),
      fc.array(weight, { minLength: others, maxLength: others }),
    ),
  )
  .map(([primary, rest]) => [
    { targetGroupArn: PRIMARY, weight: primary },
    ...rest.map((w, i) => ({ targetGroupArn: OTHERS[i], weight: w })),
  ]);

const configArb = fc.record({
  primaryTargetGroupArn: fc.constant(PRIMARY),
  alarmName: fc.constant(ALARM),
  shedPercent: fc.integer({ min: 1, max: 50 }),
  restorePercent: fc.integer({ min: 1, max: 50 }),
  maxShedPercent: fc.integer({ min: 1, max: 100 }),
  // At least 1 s: the handler's phases (under 1 s here) end before the next step is due.
  shedDelaySeconds: fc.integer({ min: 1, max: 300 }),
  restoreDelaySeconds: fc.integer({ min: 1, max: 300 }),
  maxInsufficientDataChecks: fc.integer({ min: 1, max: 4 }),
  dryRun: fc.constant(false),
});

const segmentArb = fc.record({
  state: fc.constantFrom<AlarmStateValue>('ALARM', 'OK', 'INSUFFICIENT_DATA'),
  // Short segments flap faster than the delays; long ones let chains run.
  seconds: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 30, max: 1800 })),
});

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  config: configArb,
  baselines: fc.array(ruleArb, { minLength: 1, maxLength: 3 }),
  segments: fc.array(segmentArb, { minLength: 0, maxLength: 12 }),
  seed: fc.integer(),
  crashRate: fc.constantFrom(0, 0.1, 0.3),
  duplicateRate: fc.constantFrom(0, 0.2, 0.5),
  maxEventDelayMs: fc.constantFrom(1, 5_000, 60_000),
});

// ---- the spec, checked on every run ----

const share = (groups: readonly WeightedTargetGroup[]): number => {
  const total = groups.reduce((sum, g) => sum + g.weight, 0);
  return total === 0 ? 1 : (groups.find((g) => g.targetGroupArn === PRIMARY)?.weight ?? 0) / total;
};
const total = (groups: readonly WeightedTargetGroup[]): number =>
  groups.reduce((sum, g) => sum + g.weight, 0);

function checkInvariants(
  world: World,
  scenario: Scenario,
  baselineOf: (arn: string) => readonly WeightedTargetGroup[],
): void {
  const { config } = scenario;
  expect(world.problems).toEqual([]);

  // One chain at a time: an active chain is only ever followed by itself or by idle.
  expect(world.chainSwitches).toEqual([]);

  // A check is acted on at most once, however often it is delivered.
  for (const [checkId, count] of world.actedChecks)
    expect({ checkId, count }).toEqual({ checkId, count: 1 });

  // At most one step per interval: a shed waits shedDelay, a restore restoreDelay, after the
  // previous step (whichever invocation decided it).
  world.savedSteps.forEach((step, i) => {
    if (i === 0) return;
    const gap = step.at - world.savedSteps[i - 1].at;
    const delay = step.action === 'shed' ? config.shedDelaySeconds : config.restoreDelaySeconds;
    expect(gap).toBeGreaterThanOrEqual(delay * 1000);
  });

  for (const { write, liveBefore } of world.landed) {
    // Never two writers: each write lands on the weights it was computed from.
    expect(liveBefore).toEqual(write.previous);
    // Valid ALB weights, same target groups, and one step at most (plus one rounding point).
    const weights = write.groups.map((g) => g.weight);
    expect(weights.every((w) => Number.isInteger(w) && w >= 0 && w <= 999)).toBe(true);
    expect(write.groups.map((g) => g.targetGroupArn)).toEqual(
      liveBefore.map((g) => g.targetGroupArn),
    );
    const baseline = baselineOf(write.ruleArn);
    expect(total(write.groups) === 100 || sameWeights(write.groups, baseline)).toBe(true);
    const percent = write.action === 'shed' ? config.shedPercent : config.restorePercent;
    const moved = share(write.groups) - share(liveBefore);
    expect(Math.abs(moved)).toBeLessThanOrEqual((percent + 1) / 100 + 1e-9);
    expect(write.action === 'shed' ? moved < 0 : moved > 0).toBe(true);
    // The primary never goes below its floor (or its baseline share, if that is lower).
    const floor = Math.min((100 - config.maxShedPercent) / 100, share(baseline));
    expect(share(write.groups)).toBeGreaterThanOrEqual(floor - 1e-9);
  }
}

function checkSettled(
  world: World,
  baselineOf: (arn: string) => readonly WeightedTargetGroup[],
): void {
  // Once OK holds long enough: every rule exactly at its baseline, the chain over.
  for (const [arn, groups] of world.rules)
    expect({ arn, groups }).toEqual({ arn, groups: baselineOf(arn) });
  expect(world.state?.status ?? 'idle').toBe('idle');
  expect(world.state?.rules ?? []).toEqual([]);
}

describe('controller: properties over random alarm histories', () => {
  it('steps at most once per interval, keeps weights valid and ends exactly at the baseline', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const world = new World(scenario);

        world.run();

        const baselineOf = (arn: string) => scenario.baselines[Number(arn.slice(-16))];
        checkInvariants(world, scenario, baselineOf);
        checkSettled(world, baselineOf);
      }),
      { numRuns: 300 },
    );
  });

  it('adopts an external edit as the new baseline and ends exactly there', () => {
    const editArb = scenarioArb.chain((scenario) =>
      fc
        .record({
          at: fc.integer({
            min: 0,
            max: scenario.segments.reduce((s, x) => s + x.seconds, 0) * 1000 + 1,
          }),
          rule: fc.integer({ min: 0, max: scenario.baselines.length - 1 }),
          seed: fc.array(fc.integer({ min: 1, max: 999 }), { minLength: 4, maxLength: 4 }),
        })
        .map(({ at, rule, seed }) => {
          const size = scenario.baselines[rule].length;
          const weights = seed.slice(0, size);
          return { ...scenario, edit: { at, rule, weights } };
        }),
    );
    fc.assert(
      fc.property(editArb, (scenario) => {
        const edit = scenario.edit as NonNullable<Scenario['edit']>;
        const edited = scenario.baselines[edit.rule].map((g, i) => ({
          ...g,
          weight: edit.weights[i],
        }));
        // An edit equal to weights the controller itself writes is indistinguishable by design.
        fc.pre(total(edited) !== 100 && !sameWeights(edited, scenario.baselines[edit.rule]));
        const world = new World(scenario);

        world.run();

        const baselineOf = (arn: string) => {
          const i = Number(arn.slice(-16));
          return i === edit.rule ? edited : scenario.baselines[i];
        };
        expect(world.editApplied).toBe(true);
        checkSettled(world, baselineOf);
        expect(world.problems).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
