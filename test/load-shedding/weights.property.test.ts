import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isRestorable,
  isSheddable,
  restore,
  shed,
  type WeightedTargetGroup,
} from '../../src/load-shedding/weights.js';

// ---- reference model: the spec, written out independently of the implementation ----

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const weights = (groups: readonly WeightedTargetGroup[]): number[] => groups.map((g) => g.weight);

/** Largest-remainder rescale to 100 (ties: list order); 100- and 0-total lists are kept. */
function scaledTo100(raw: readonly number[]): number[] {
  const total = sum(raw);
  if (total === 100 || total === 0) return [...raw];
  const parts = raw.map((w) => Math.floor((w * 100) / total));
  const order = raw
    .map((w, i) => ({ i, remainder: (w * 100) % total }))
    .sort((x, y) => y.remainder - x.remainder || x.i - y.i);
  for (const { i } of order.slice(0, 100 - sum(parts))) parts[i] += 1;
  return parts;
}

/** The rule's groups as the spec sees them: rescaled, or `undefined` when left alone. */
function model(groups: readonly WeightedTargetGroup[], primary: string) {
  const p = groups.findIndex((g) => g.targetGroupArn === primary);
  const raw = weights(groups);
  if (p < 0 || groups.length < 2 || sum(raw) === 0) return undefined;
  return { p, scaled: scaledTo100(raw) };
}

/** Baseline weight per rule group (by ARN; missing → 0; extras dropped), rescaled to 100. */
function targetOf(
  groups: readonly WeightedTargetGroup[],
  primary: string,
  baseline: readonly WeightedTargetGroup[] | undefined,
): number[] {
  if (!baseline) return groups.map((g) => (g.targetGroupArn === primary ? 100 : 0));
  return scaledTo100(
    groups.map((g) => baseline.find((b) => b.targetGroupArn === g.targetGroupArn)?.weight ?? 0),
  );
}

// ---- arbitraries ----

const ARNS = ['a', 'b', 'c', 'd', 'e', 'f'].map(
  (name) => `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/0123abcd`,
);
const arnArb = fc.constantFrom(...ARNS);
// Bias towards the edges: 0, 1, 999, and small weights that already sum near 100.
const weightArb = fc.oneof(
  fc.integer({ min: 0, max: 999 }),
  fc.integer({ min: 0, max: 100 }),
  fc.constantFrom(0, 1, 999),
);
const percentArb = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(0, 1, 100));
const groupsArb = (minLength = 0) =>
  fc.uniqueArray(fc.record({ targetGroupArn: arnArb, weight: weightArb }), {
    selector: (g) => g.targetGroupArn,
    minLength,
    maxLength: 5,
  });

/** Any valid rule; the primary is usually one of its groups, sometimes absent. */
const scenarioArb = groupsArb().chain((groups) => {
  const primaryArb =
    groups.length === 0
      ? arnArb
      : fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...groups.map((g) => g.targetGroupArn)) },
          { weight: 1, arbitrary: arnArb },
        );
  return primaryArb.chain((primary) =>
    fc.record({
      groups: fc.constant(groups),
      primary: fc.constant(primary),
      maxShedPercent: percentArb,
      // No baseline, the starting rule (when it can be one), or any list that has the primary.
      baseline: fc.oneof(
        fc.constant(undefined),
        fc.constant(groups.some((g) => g.targetGroupArn === primary) ? groups : undefined),
        fc
          .tuple(weightArb, groupsArb())
          .map(([weight, others]) => [
            { targetGroupArn: primary, weight },
            ...others.filter((o) => o.targetGroupArn !== primary).slice(0, 4),
          ]),
      ),
      steps: fc.array(fc.record({ op: fc.constantFrom('shed', 'restore'), percent: percentArb }), {
        maxLength: 25,
      }),
    }),
  );
});

/** A rule shed can act on: has the primary, another group, and some weight. */
const activeRuleArb = groupsArb(2)
  .filter((groups) => sum(weights(groups)) > 0)
  .chain((groups) =>
    fc.record({
      groups: fc.constant(groups),
      primary: fc.constantFrom(...groups.map((g) => g.targetGroupArn)),
    }),
  );

function deepFreeze(groups: readonly WeightedTargetGroup[]): readonly WeightedTargetGroup[] {
  return Object.freeze(groups.map((g) => Object.freeze({ ...g })));
}

// ---- step checks ----

/** What holds after every step, shed or restore. Returns whether the step changed anything. */
function checkCommon(
  before: readonly WeightedTargetGroup[],
  snapshot: readonly WeightedTargetGroup[],
  after: readonly WeightedTargetGroup[],
): boolean {
  expect(before).toEqual(snapshot); // input not mutated (it is frozen, too)
  expect(after).not.toBe(before);
  expect(after.map((g) => g.targetGroupArn)).toEqual(before.map((g) => g.targetGroupArn));
  for (const weight of weights(after)) {
    expect(Number.isInteger(weight)).toBe(true);
    expect(weight).toBeGreaterThanOrEqual(0);
    expect(weight).toBeLessThanOrEqual(999);
  }
  const changed = weights(after).some((w, i) => w !== before[i].weight);
  // A moved rule sums to exactly 100; an unmoved one is the input, not even rescaled.
  if (changed) expect(sum(weights(after))).toBe(100);
  else expect(after).toEqual(before);
  return changed;
}

function checkShed(
  before: readonly WeightedTargetGroup[],
  after: readonly WeightedTargetGroup[],
  primary: string,
  percent: number,
  maxShedPercent: number,
  changed: boolean,
): void {
  const floor = 100 - maxShedPercent;
  const m = model(before, primary);
  const move = m ? Math.min(percent, Math.max(0, m.scaled[m.p] - floor)) : 0;
  expect(changed).toBe(move > 0);
  if (m && move > 0) {
    const now = weights(after);
    expect(now[m.p]).toBe(m.scaled[m.p] - move);
    expect(now[m.p]).toBeGreaterThanOrEqual(floor);
    // Even spread; the remainder goes to the lowest weights, ties in list order.
    const others = now.map((_, i) => i).filter((i) => i !== m.p);
    const gains = others.map((i) => now[i] - m.scaled[i]);
    const even = Math.floor(move / others.length);
    for (const gain of gains) expect([even, even + 1]).toContain(gain);
    expect(gains.filter((g) => g === even + 1)).toHaveLength(move % others.length);
    for (const [x, i] of others.entries()) {
      for (const [y, j] of others.entries()) {
        if (gains[x] <= gains[y]) continue;
        const lower = m.scaled[i] < m.scaled[j] || (m.scaled[i] === m.scaled[j] && i < j);
        expect(lower).toBe(true);
      }
    }
  }
  // Monotone: the primary's share of traffic never rises (cross-multiplied, exact).
  const p = before.findIndex((g) => g.targetGroupArn === primary);
  if (p >= 0 && changed) {
    expect(after[p].weight * sum(weights(before))).toBeLessThan(before[p].weight * 100);
  }
  // isSheddable agrees with whether a shed of any size would move a point.
  const sheddable = isSheddable(before, { primary, maxShedPercent });
  const fullShed = shed(before, { primary, percent: 100, maxShedPercent });
  expect(sheddable).toBe(!sameWeights(fullShed, before));
  if (percent > 0) expect(sheddable).toBe(changed);
}

function checkRestore(
  before: readonly WeightedTargetGroup[],
  after: readonly WeightedTargetGroup[],
  primary: string,
  percent: number,
  baseline: readonly WeightedTargetGroup[] | undefined,
  changed: boolean,
): void {
  const m = model(before, primary);
  const target = targetOf(before, primary, baseline);
  let move = 0;
  if (m) {
    const excess = m.scaled.map((w, i) => (i === m.p ? 0 : Math.max(0, w - target[i])));
    move = Math.min(percent, sum(excess), Math.max(0, target[m.p] - m.scaled[m.p]));
    if (move > 0) {
      const now = weights(after);
      expect(now[m.p]).toBe(m.scaled[m.p] + move);
      expect(now[m.p]).toBeLessThanOrEqual(target[m.p]); // never overshoots the baseline
      for (const i of now.keys()) {
        if (i === m.p) continue;
        const taken = m.scaled[i] - now[i];
        expect(taken).toBeGreaterThanOrEqual(0);
        // No group is taken below its baseline (one already below it is not touched).
        expect(now[i]).toBeGreaterThanOrEqual(Math.min(m.scaled[i], target[i]));
        // In proportion to the excess: within one point of the exact share.
        expect(Math.abs(taken * sum(excess) - move * excess[i])).toBeLessThan(sum(excess));
      }
    }
  }
  expect(changed).toBe(move > 0);
  const p = before.findIndex((g) => g.targetGroupArn === primary);
  if (p >= 0 && changed) {
    expect(after[p].weight * sum(weights(before))).toBeGreaterThan(before[p].weight * 100);
  }
  const restorable = isRestorable(before, { primary, baseline });
  const fullRestore = restore(before, { primary, percent: 100, baseline });
  expect(restorable).toBe(!sameWeights(fullRestore, before));
  if (percent > 0) expect(restorable).toBe(changed);
}

function sameWeights(x: readonly WeightedTargetGroup[], y: readonly WeightedTargetGroup[]) {
  return weights(x).every((w, i) => w === y[i].weight);
}

/** Restores in steps of `percent` until nothing moves; returns the end state and step count. */
function restoreFully(
  groups: readonly WeightedTargetGroup[],
  primary: string,
  percent: number,
  baseline?: readonly WeightedTargetGroup[],
) {
  let current = groups;
  let steps = 0;
  while (isRestorable(current, { primary, baseline }) && steps <= 100) {
    current = deepFreeze(restore(current, { primary, percent, baseline }));
    steps += 1;
  }
  return { current, steps };
}

// ---- properties ----

describe('weights: invariants over shed/restore sequences', () => {
  it('every step keeps weights valid, moves exactly what the spec says, and agrees with is*', () => {
    fc.assert(
      fc.property(scenarioArb, ({ groups, primary, maxShedPercent, baseline, steps }) => {
        let current = deepFreeze(groups);
        const frozenBaseline = baseline && deepFreeze(baseline);
        for (const { op, percent } of steps) {
          const snapshot = structuredClone(current);
          const after =
            op === 'shed'
              ? shed(current, { primary, percent, maxShedPercent })
              : restore(current, { primary, percent, baseline: frozenBaseline });
          const changed = checkCommon(current, snapshot, after);
          if (op === 'shed') checkShed(current, after, primary, percent, maxShedPercent, changed);
          else checkRestore(current, after, primary, percent, frozenBaseline, changed);
          current = deepFreeze(after);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('weights: convergence', () => {
  it('enough restores after any sheds and restores reach the baseline exactly', () => {
    fc.assert(
      fc.property(
        activeRuleArb,
        percentArb,
        fc.array(fc.record({ op: fc.constantFrom('shed', 'restore'), percent: percentArb })),
        fc.integer({ min: 1, max: 100 }),
        ({ groups, primary }, maxShedPercent, steps, restorePercent) => {
          const baseline = deepFreeze(groups);
          let current = baseline;
          let changedEver = false;
          for (const { op, percent } of steps) {
            const after =
              op === 'shed'
                ? shed(current, { primary, percent, maxShedPercent })
                : restore(current, { primary, percent, baseline });
            changedEver ||= !sameWeights(after, current);
            current = deepFreeze(after);
          }

          const { current: end, steps: restoreSteps } = restoreFully(
            current,
            primary,
            restorePercent,
            baseline,
          );

          // Rescaled if anything ever moved; the untouched input otherwise.
          const expected = changedEver ? scaledTo100(weights(groups)) : weights(groups);
          expect(weights(end)).toEqual(expected);
          expect(restoreSteps).toBeLessThanOrEqual(Math.ceil(100 / restorePercent));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('without a baseline, enough restores give the primary 100 and the others 0', () => {
    fc.assert(
      fc.property(activeRuleArb, fc.integer({ min: 1, max: 100 }), ({ groups, primary }, pct) => {
        const { current: end } = restoreFully(deepFreeze(groups), primary, pct);

        // Whole points: a rule whose rescaled split is already 100/0 (e.g. 999:1) is left as is.
        expect(scaledTo100(weights(end))).toEqual(
          groups.map((g) => (g.targetGroupArn === primary ? 100 : 0)),
        );
      }),
    );
  });

  it('enough sheds take the primary exactly to the floor, and no further', () => {
    fc.assert(
      fc.property(
        activeRuleArb,
        percentArb,
        fc.integer({ min: 1, max: 100 }),
        ({ groups, primary }, maxShedPercent, pct) => {
          const floor = 100 - maxShedPercent;
          const p = groups.findIndex((g) => g.targetGroupArn === primary);
          const startShare = scaledTo100(weights(groups))[p];
          let current = deepFreeze(groups);
          for (let i = 0; i <= 100 && isSheddable(current, { primary, maxShedPercent }); i++) {
            current = deepFreeze(shed(current, { primary, percent: pct, maxShedPercent }));
          }

          expect(isSheddable(current, { primary, maxShedPercent })).toBe(false);
          if (startShare > floor) expect(current[p].weight).toBe(floor);
          else expect(current).toEqual(groups);
        },
      ),
    );
  });
});
