/**
 * Load-shedding arithmetic for one ALB forward action: pure functions, no AWS import.
 *
 * When the primary target group is overloaded, {@link shed} moves traffic share from it to the
 * other groups of the rule; when it has recovered, {@link restore} moves the share back, never
 * past the split recorded before the first shed (the baseline).
 *
 * ALB weights are relative integers 0–999, so a rule is first rescaled to a total of 100
 * (largest-remainder rounding); one "point" is then one percent of the rule's traffic and every
 * percentage below (`percent`, `maxShedPercent`, the floor) counts in those points.
 *
 * Decisions the issue left open:
 * - Nothing moves → the input is returned as is (a copy, not rescaled), so a caller can compare
 *   the result with its input and skip a needless `ModifyRule`. Anything moves → the result is
 *   the rescaled rule after the move and sums to exactly 100.
 * - A rule without the primary, without another group, or whose weights are all 0 is left alone:
 *   an all-zero rule has no proportions to keep, and inventing a split would reroute traffic.
 * - Percentages must be integers 0–100 (a point is the smallest step on a 100 total); weights
 *   integers 0–999; at most 5 groups; target group ARNs non-empty and unique (compared exactly).
 * - Baseline: matched to the rule by ARN. It must list the primary (else it describes another
 *   rule); a rule group it lacks had no traffic at baseline (weight 0); groups it has that the
 *   rule no longer has are dropped. What remains is rescaled to 100 in the rule's order, so the
 *   proportions among the rule's groups are kept.
 * - The floor `100 - maxShedPercent` is an absolute share of traffic, not relative to baseline.
 * - Shares count in whole points: a sliver under half a point (999:1 is 100/0 after rescaling)
 *   counts as 0, so such a rule is already "at baseline" for a restore to 100/0.
 * - Restore gives the primary its share back; it does not rebalance the other groups among
 *   themselves, so a group below its baseline stays where it is.
 *
 * @example An 80/20 canary (primary `a`): the alarm fires twice, then clears.
 * ```ts
 * const baseline = [{ targetGroupArn: a, weight: 80 }, { targetGroupArn: b, weight: 20 }];
 * let rule = shed(baseline, { primary: a, percent: 25, maxShedPercent: 40 }); // a 60 (floor), b 40
 * isSheddable(rule, { primary: a, maxShedPercent: 40 }); // false: a is at the floor
 * rule = restore(rule, { primary: a, percent: 15, baseline }); // a 75, b 25
 * rule = restore(rule, { primary: a, percent: 15, baseline }); // a 80, b 20: baseline, exactly
 * // Three groups: the remainder goes to the lowest weight (ties: list order) ...
 * shed([a100, b0, c0], { primary: a, percent: 25, maxShedPercent: 50 }); // a 75, b 13, c 12
 * // ... and restore takes back in proportion to each group's excess over its baseline.
 * restore([a75, b13, c12], { primary: a, percent: 10 }); // a 85, b 8, c 7
 * ```
 */
import { WeightsError } from './errors.js';

/** One target group of an ALB forward action, in the rule's order. */
export interface WeightedTargetGroup {
  /** ARN of the target group; matched exactly (case-sensitive). */
  readonly targetGroupArn: string;
  /** Relative weight, an integer 0–999 (ALB's range). */
  readonly weight: number;
}

export interface ShedOptions {
  /** ARN of the overloaded target group that gives traffic away. */
  readonly primary: string;
  /** Points (percent of the rule's traffic) to move in this step, integer 0–100. */
  readonly percent: number;
  /**
   * Most the primary may give away overall, integer 0–100: its share never goes below the floor
   * `100 - maxShedPercent` (0: nothing sheds).
   */
  readonly maxShedPercent: number;
}

export interface RestoreOptions {
  /** ARN of the recovered target group that takes traffic back. */
  readonly primary: string;
  /** Points (percent of the rule's traffic) to move back in this step, integer 0–100. */
  readonly percent: number;
  /**
   * The weights recorded before the first shed (e.g. an 80/20 canary split); matched by ARN and
   * rescaled to 100. It must list the primary.
   * @default - the primary 100, every other group 0
   */
  readonly baseline?: readonly WeightedTargetGroup[];
}

export type SheddableOptions = Omit<ShedOptions, 'percent'>;
export type RestorableOptions = Omit<RestoreOptions, 'percent'>;

const MAX_WEIGHT = 999; // ALB's largest forward weight
const MAX_GROUPS = 5; // ALB's limit of target groups per forward action
const TOTAL = 100;

/**
 * Moves up to `percent` points from the primary to the other groups, never taking the primary
 * below `100 - maxShedPercent` and never raising it. The points are spread evenly; a remainder
 * goes one point each to the other groups with the lowest weight (ties: list order), so the
 * least-loaded groups absorb it. No point is lost: a moved rule sums to 100.
 *
 * @returns a new array; the input, unchanged, when no point moves.
 * @throws {WeightsError} when an input is invalid.
 */
export function shed(
  groups: readonly WeightedTargetGroup[],
  options: ShedOptions,
): WeightedTargetGroup[] {
  checkGroups(groups, 'groups');
  checkPrimary(options.primary);
  checkPercent(options.percent, 'percent');
  checkPercent(options.maxShedPercent, 'maxShedPercent');
  const rule = scaleRule(groups, options.primary);
  if (!rule) return copy(groups);
  const move = Math.min(options.percent, sheddablePoints(rule, options.maxShedPercent));
  if (move === 0) return copy(groups);

  const { weights, primaryIndex } = rule;
  const others = weights.map((_, i) => i).filter((i) => i !== primaryIndex);
  const next = [...weights];
  next[primaryIndex] -= move;
  for (const i of others) next[i] += Math.floor(move / others.length);
  const lowestFirst = [...others].sort((i, j) => weights[i] - weights[j] || i - j);
  for (const i of lowestFirst.slice(0, move % others.length)) next[i] += 1;
  return withWeights(groups, next);
}

/**
 * Moves up to `percent` points back to the primary, taken from the other groups in proportion
 * to how far each is above its baseline (largest-remainder rounding), so a rule shed from its
 * baseline comes back to it exactly. It never takes a group below its baseline, never lifts the
 * primary above its baseline, and leaves a primary already at or above it as is.
 *
 * @returns a new array; the input, unchanged, when no point moves.
 * @throws {WeightsError} when an input is invalid, or the baseline does not list the primary.
 */
export function restore(
  groups: readonly WeightedTargetGroup[],
  options: RestoreOptions,
): WeightedTargetGroup[] {
  checkRestoreInputs(groups, options);
  checkPercent(options.percent, 'percent');
  const rule = scaleRule(groups, options.primary);
  if (!rule) return copy(groups);
  const plan = restorePlan(rule, groups, options.baseline);
  const move = Math.min(options.percent, plan.points);
  if (move === 0) return copy(groups);

  const taken = apportion(move, plan.excess);
  const next = rule.weights.map((w, i) => w - taken[i]);
  next[rule.primaryIndex] += move;
  return withWeights(groups, next);
}

/**
 * Whether {@link shed} with any `percent` ≥ 1 would move a point: the rule has the primary,
 * another group and some weight, and the primary's share is above `100 - maxShedPercent`.
 *
 * @throws {WeightsError} when an input is invalid.
 */
export function isSheddable(
  groups: readonly WeightedTargetGroup[],
  options: SheddableOptions,
): boolean {
  checkGroups(groups, 'groups');
  checkPrimary(options.primary);
  checkPercent(options.maxShedPercent, 'maxShedPercent');
  const rule = scaleRule(groups, options.primary);
  return rule !== undefined && sheddablePoints(rule, options.maxShedPercent) > 0;
}

/**
 * Whether {@link restore} with any `percent` ≥ 1 would move a point: the primary is below its
 * baseline and some other group is above its own.
 *
 * @throws {WeightsError} when an input is invalid, or the baseline does not list the primary.
 */
export function isRestorable(
  groups: readonly WeightedTargetGroup[],
  options: RestorableOptions,
): boolean {
  checkRestoreInputs(groups, options);
  const rule = scaleRule(groups, options.primary);
  return rule !== undefined && restorePlan(rule, groups, options.baseline).points > 0;
}

/** A rule rescaled to 100, in the rule's order. */
interface ScaledRule {
  readonly weights: readonly number[];
  readonly primaryIndex: number;
}

/** The rescaled rule, or `undefined` when the rule is to be left alone. */
function scaleRule(
  groups: readonly WeightedTargetGroup[],
  primary: string,
): ScaledRule | undefined {
  const primaryIndex = groups.findIndex((g) => g.targetGroupArn === primary);
  const raw = groups.map((g) => g.weight);
  if (primaryIndex < 0 || groups.length < 2 || sum(raw) === 0) return undefined;
  return { weights: rescale(raw), primaryIndex };
}

function sheddablePoints(rule: ScaledRule, maxShedPercent: number): number {
  return Math.max(0, rule.weights[rule.primaryIndex] - (TOTAL - maxShedPercent));
}

interface RestorePlan {
  /** Points restore may move at most: bounded by the others' excess and the primary's room. */
  readonly points: number;
  /** How far each group is above its baseline (0 for the primary). */
  readonly excess: readonly number[];
}

function restorePlan(
  rule: ScaledRule,
  groups: readonly WeightedTargetGroup[],
  baseline: readonly WeightedTargetGroup[] | undefined,
): RestorePlan {
  const target = baselineWeights(groups, rule.primaryIndex, baseline);
  const excess = rule.weights.map((w, i) =>
    i === rule.primaryIndex ? 0 : Math.max(0, w - target[i]),
  );
  // Both bounds matter when some group sits below its baseline: the others' excess is then
  // larger than the primary's room, and moving all of it would lift the primary past baseline.
  const room = Math.max(0, target[rule.primaryIndex] - rule.weights[rule.primaryIndex]);
  return { points: Math.min(sum(excess), room), excess };
}

/** Baseline weight of each rule group, in the rule's order, rescaled to 100. */
function baselineWeights(
  groups: readonly WeightedTargetGroup[],
  primaryIndex: number,
  baseline: readonly WeightedTargetGroup[] | undefined,
): number[] {
  if (!baseline) return groups.map((_, i) => (i === primaryIndex ? TOTAL : 0));
  const byArn = new Map(baseline.map((b) => [b.targetGroupArn, b.weight]));
  const raw = groups.map((g) => byArn.get(g.targetGroupArn) ?? 0);
  // An all-zero baseline gives the primary no share to win back: restore then does nothing.
  return sum(raw) === 0 ? raw : rescale(raw);
}

/**
 * Rescales positive-total integer weights to a total of exactly 100, keeping proportions; a rule
 * that already sums to 100 comes back as is (every remainder is 0).
 */
function rescale(weights: readonly number[]): number[] {
  return apportion(TOTAL, weights);
}

/**
 * Splits the integer `amount` over `shares` (positive total) in proportion: each part is the
 * floor of its exact share, and the points left go one each to the largest fractional remainders
 * (ties: list order). The parts sum to `amount` exactly and none exceeds the ceiling of its exact
 * share: a zero share gets nothing, and with `amount` ≤ the shares' total no part exceeds its
 * share (restore never takes a group below its baseline). Hand-written: a few lines of integer
 * arithmetic with a tie rule we must control. Integer maths only (amount · share ≤ 100 · 999), so
 * no floating-point rounding can creep in.
 */
function apportion(amount: number, shares: readonly number[]): number[] {
  const total = sum(shares);
  const remainders = shares.map((s) => (amount * s) % total);
  const parts = shares.map((s, i) => (amount * s - remainders[i]) / total);
  const largestFirst = shares
    .map((_, i) => i)
    .sort((i, j) => remainders[j] - remainders[i] || i - j);
  for (const i of largestFirst.slice(0, amount - sum(parts))) parts[i] += 1;
  return parts;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function copy(groups: readonly WeightedTargetGroup[]): WeightedTargetGroup[] {
  return groups.map(({ targetGroupArn, weight }) => ({ targetGroupArn, weight }));
}

function withWeights(
  groups: readonly WeightedTargetGroup[],
  weights: readonly number[],
): WeightedTargetGroup[] {
  return groups.map(({ targetGroupArn }, i) => ({ targetGroupArn, weight: weights[i] }));
}

// ---- validation: a few checks with messages that say how to fix the input ----

function checkRestoreInputs(
  groups: readonly WeightedTargetGroup[],
  options: RestorableOptions,
): void {
  checkGroups(groups, 'groups');
  checkPrimary(options.primary);
  if (options.baseline === undefined) return;
  checkGroups(options.baseline, 'baseline');
  if (!options.baseline.some((b) => b.targetGroupArn === options.primary)) {
    throw new WeightsError(
      'baseline',
      `baseline has no entry for the primary ${show(options.primary)}, so it describes another ` +
        'rule: pass the weights recorded for this rule before the first shed, or omit baseline ' +
        'to restore the primary to 100%.',
    );
  }
}

function checkGroups(value: unknown, input: 'groups' | 'baseline'): void {
  if (!Array.isArray(value)) {
    throw new WeightsError(
      input,
      `${input} must be an array of { targetGroupArn, weight }, got ${show(value)}: pass the ` +
        "target groups of the rule's forward action.",
    );
  }
  if (value.length > MAX_GROUPS) {
    throw new WeightsError(
      input,
      `${input} has ${value.length} target groups, but an ALB forward action holds at most ` +
        `${MAX_GROUPS}: remove target groups from the rule.`,
    );
  }
  const seen = new Map<string, number>();
  value.forEach((entry: unknown, i) => {
    const at = `${input}[${i}]`;
    if (typeof entry !== 'object' || entry === null) {
      throw new WeightsError(
        input,
        `${at} must be an object { targetGroupArn, weight }, got ${show(entry)}.`,
      );
    }
    const { targetGroupArn, weight } = entry as Record<string, unknown>;
    if (typeof targetGroupArn !== 'string' || targetGroupArn.trim() === '') {
      throw new WeightsError(
        input,
        `${at}.targetGroupArn must be a non-empty string, got ${show(targetGroupArn)}: pass ` +
          'the ARN of the target group.',
      );
    }
    if (
      typeof weight !== 'number' ||
      !Number.isInteger(weight) ||
      weight < 0 ||
      weight > MAX_WEIGHT
    ) {
      throw new WeightsError(
        input,
        `${at}.weight is ${show(weight)}, but ALB forward weights are integers from 0 to ` +
          `${MAX_WEIGHT}: pass a whole number in that range.`,
      );
    }
    const first = seen.get(targetGroupArn);
    if (first !== undefined) {
      throw new WeightsError(
        input,
        `${at}.targetGroupArn ${show(targetGroupArn)} repeats ${input}[${first}], but a target ` +
          'group appears at most once per forward action: merge the two entries.',
      );
    }
    seen.set(targetGroupArn, i);
  });
}

function checkPrimary(value: unknown): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new WeightsError(
      'primary',
      `primary must be a non-empty target group ARN, got ${show(value)}: pass the ARN of the ` +
        'target group whose alarm drives shedding.',
    );
  }
}

function checkPercent(value: unknown, input: 'percent' | 'maxShedPercent'): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > TOTAL) {
    throw new WeightsError(
      input,
      `${input} is ${show(value)}, but it must be a whole number of percentage points from 0 ` +
        `to ${TOTAL}: round it or bring it into that range.`,
    );
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
