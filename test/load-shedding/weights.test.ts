import { describe, expect, it } from 'vitest';
import { LoadSheddingError, WeightsError } from '../../src/load-shedding/errors.js';
import {
  isRestorable,
  isSheddable,
  restore,
  shed,
  type WeightedTargetGroup,
} from '../../src/load-shedding/weights.js';

const arn = (name: string): string =>
  `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/0123456789abcdef`;
const [A, B, C, D, E, F] = ['a', 'b', 'c', 'd', 'e', 'f'].map(arn);

/** A frozen rule, in the given order, so any mutation by the code under test throws. */
function rule(...entries: [string, number][]): readonly WeightedTargetGroup[] {
  return Object.freeze(
    entries.map(([targetGroupArn, weight]) => Object.freeze({ targetGroupArn, weight })),
  );
}

const weights = (groups: readonly WeightedTargetGroup[]): number[] => groups.map((g) => g.weight);

describe('weights: shed', () => {
  it('moves percent points from the primary to the single other group', () => {
    const groups = rule([A, 80], [B, 20]);

    const result = shed(groups, { primary: A, percent: 10, maxShedPercent: 50 });

    expect(result).toEqual([
      { targetGroupArn: A, weight: 70 },
      { targetGroupArn: B, weight: 30 },
    ]);
  });

  it('stops at the floor 100 - maxShedPercent', () => {
    const groups = rule([A, 80], [B, 20]);

    const result = shed(groups, { primary: A, percent: 25, maxShedPercent: 40 });

    expect(weights(result)).toEqual([60, 40]);
  });

  it.each([
    ['at the floor', 60, 40],
    ['under the floor (never raised)', 50, 50],
  ])('leaves a primary %s as is', (_, primaryWeight, otherWeight) => {
    const groups = rule([A, primaryWeight], [B, otherWeight]);

    const result = shed(groups, { primary: A, percent: 10, maxShedPercent: 40 });

    expect(result).toEqual(groups);
  });

  it('moves nothing when percent is 0', () => {
    const groups = rule([A, 100], [B, 0]);

    expect(shed(groups, { primary: A, percent: 0, maxShedPercent: 100 })).toEqual(groups);
  });

  it('moves nothing when maxShedPercent is 0 (the floor is 100)', () => {
    const groups = rule([A, 100], [B, 0]);

    expect(shed(groups, { primary: A, percent: 50, maxShedPercent: 0 })).toEqual(groups);
  });

  it('can move everything when maxShedPercent is 100', () => {
    const groups = rule([A, 100], [B, 0]);

    const result = shed(groups, { primary: A, percent: 100, maxShedPercent: 100 });

    expect(weights(result)).toEqual([0, 100]);
  });

  it('spreads evenly and gives the remainder to the lowest weight, ties in list order', () => {
    const groups = rule([A, 100], [B, 0], [C, 0]);

    const result = shed(groups, { primary: A, percent: 25, maxShedPercent: 50 });

    expect(weights(result)).toEqual([75, 13, 12]);
  });

  it('gives a remainder of 3 over 4 other groups to the three lowest', () => {
    const groups = rule([A, 80], [B, 5], [C, 0], [D, 10], [E, 5]);

    const result = shed(groups, { primary: A, percent: 7, maxShedPercent: 50 });

    // 7 = 4 × 1 + 3: C (0), then B and E (5, list order) get the extra point; D (10) does not.
    expect(weights(result)).toEqual([73, 7, 2, 11, 7]);
  });

  it('works with the primary anywhere in the list and keeps the list order', () => {
    const groups = rule([B, 10], [A, 80], [C, 10]);

    const result = shed(groups, { primary: A, percent: 10, maxShedPercent: 50 });

    expect(result.map((g) => g.targetGroupArn)).toEqual([B, A, C]);
    expect(weights(result)).toEqual([15, 70, 15]);
  });

  it('rescales a rule that does not sum to 100 first, keeping proportions', () => {
    const groups = rule([A, 2], [B, 1]);

    const result = shed(groups, { primary: A, percent: 10, maxShedPercent: 100 });

    // 2:1 is 66.67 / 33.33 → 67 / 33 (largest remainder), then 10 points move.
    expect(weights(result)).toEqual([57, 43]);
  });

  it('gives the rescaling remainder to the largest fraction, ties in list order', () => {
    const groups = rule([A, 1], [B, 1], [C, 1]);

    const result = shed(groups, { primary: C, percent: 1, maxShedPercent: 100 });

    // 1:1:1 → 34 / 33 / 33 (A wins the tie); C sheds 1 point to the lowest other, B.
    expect(weights(result)).toEqual([34, 34, 32]);
  });

  it('keeps a 0 weight at 0 when rescaling, even beside a tiny share', () => {
    const groups = rule([A, 998], [B, 0], [C, 1]);

    const result = shed(groups, { primary: A, percent: 10, maxShedPercent: 100 });

    // 998:0:1 → 99.9 / 0 / 0.1 → 100 / 0 / 0, then 10 points spread evenly.
    expect(weights(result)).toEqual([90, 5, 5]);
  });

  it('keeps every weight within 0–999 for a rule at the 999 bound', () => {
    const groups = rule([A, 999], [B, 999], [C, 999], [D, 999], [E, 999]);

    const result = shed(groups, { primary: A, percent: 100, maxShedPercent: 100 });

    expect(weights(result)).toEqual([0, 25, 25, 25, 25]);
    for (const weight of weights(result)) {
      expect(weight).toBeGreaterThanOrEqual(0);
      expect(weight).toBeLessThanOrEqual(999);
    }
  });

  it.each([
    ['lacks the primary', rule([B, 50], [C, 50])],
    ['has no other group', rule([A, 100])],
    ['has only zero weights', rule([A, 0], [B, 0])],
    ['is empty', rule()],
  ])('leaves alone a rule that %s, returning a new array', (_, groups) => {
    const result = shed(groups, { primary: A, percent: 10, maxShedPercent: 100 });

    expect(result).toEqual(groups);
    expect(result).not.toBe(groups);
  });

  it('returns the input unchanged, not rescaled, when nothing moves', () => {
    const groups = rule([A, 300], [B, 700]);

    const result = shed(groups, { primary: A, percent: 10, maxShedPercent: 60 });

    // A has 30 % of the traffic, under the 40 % floor.
    expect(result).toEqual(groups);
  });

  it('returns new objects and never mutates the input', () => {
    const groups = rule([A, 80], [B, 20]);
    const before = structuredClone(groups);

    const result = shed(groups, { primary: A, percent: 10, maxShedPercent: 50 });

    expect(groups).toEqual(before);
    expect(result[1]).not.toBe(groups[1]);
  });
});

describe('weights: restore', () => {
  it('without a baseline, moves percent points back from the other group', () => {
    const groups = rule([A, 70], [B, 30]);

    expect(weights(restore(groups, { primary: A, percent: 20 }))).toEqual([90, 10]);
  });

  it('without a baseline, never moves more than the others hold (primary 100, others 0)', () => {
    const groups = rule([A, 70], [B, 30]);

    expect(weights(restore(groups, { primary: A, percent: 50 }))).toEqual([100, 0]);
  });

  it('takes in proportion to the weight above baseline, largest remainder first', () => {
    const groups = rule([A, 75], [B, 13], [C, 12]);

    const result = restore(groups, { primary: A, percent: 10 });

    // B: 10·13/25 = 5.2 → 5, C: 10·12/25 = 4.8 → 4, the last point goes to C (0.8 > 0.2).
    expect(weights(result)).toEqual([85, 8, 7]);
  });

  it('brings an 80/20 canary back to 80/20 exactly and no further', () => {
    const baseline = rule([A, 80], [B, 20]);
    const shedOnce = rule([A, 60], [B, 40]);

    const first = restore(shedOnce, { primary: A, percent: 15, baseline });
    const second = restore(first, { primary: A, percent: 15, baseline });

    expect(weights(first)).toEqual([75, 25]);
    expect(weights(second)).toEqual([80, 20]);
  });

  it('leaves a primary already at its baseline as is', () => {
    const groups = rule([A, 80], [B, 20]);

    expect(restore(groups, { primary: A, percent: 10, baseline: groups })).toEqual(groups);
  });

  it('leaves a primary above its baseline as is', () => {
    const groups = rule([A, 90], [B, 10]);
    const baseline = rule([A, 80], [B, 20]);

    expect(restore(groups, { primary: A, percent: 10, baseline })).toEqual(groups);
  });

  it('stops at the primary baseline when another group is below its own', () => {
    const groups = rule([A, 50], [B, 40], [C, 10]);
    const baseline = rule([A, 60], [B, 20], [C, 20]);

    const result = restore(groups, { primary: A, percent: 100, baseline });

    // B holds 20 above baseline, but A needs only 10; C (below its baseline) is not touched.
    expect(weights(result)).toEqual([60, 30, 10]);
    expect(restore(result, { primary: A, percent: 100, baseline })).toEqual(result);
  });

  it('moves nothing when percent is 0', () => {
    const groups = rule([A, 60], [B, 40]);

    expect(restore(groups, { primary: A, percent: 0 })).toEqual(groups);
  });

  it('matches baseline entries by ARN, not by position', () => {
    const groups = rule([A, 50], [B, 50]);
    const baseline = rule([B, 30], [A, 70]);

    expect(weights(restore(groups, { primary: A, percent: 100, baseline }))).toEqual([70, 30]);
  });

  it('counts a group missing from the baseline as baseline 0', () => {
    const groups = rule([A, 60], [B, 20], [C, 20]);
    const baseline = rule([A, 80], [B, 20]);

    expect(weights(restore(groups, { primary: A, percent: 100, baseline }))).toEqual([80, 20, 0]);
  });

  it('drops baseline groups the rule no longer has and rescales the rest', () => {
    const groups = rule([A, 50], [B, 50]);
    const baseline = rule([A, 60], [B, 20], [C, 20]);

    // 60:20 among the rule's groups is 75 / 25.
    expect(weights(restore(groups, { primary: A, percent: 100, baseline }))).toEqual([75, 25]);
  });

  it('rescales a baseline that does not sum to 100', () => {
    const groups = rule([A, 50], [B, 50]);
    const baseline = rule([A, 4], [B, 1]);

    expect(weights(restore(groups, { primary: A, percent: 100, baseline }))).toEqual([80, 20]);
  });

  it('rescales the rule first', () => {
    const groups = rule([A, 1], [B, 1]);

    expect(weights(restore(groups, { primary: A, percent: 10 }))).toEqual([60, 40]);
  });

  it.each([
    ['gives the primary 0', rule([A, 0], [B, 100])],
    ['is all zero among the rule groups', rule([A, 0], [C, 100])],
  ])('moves nothing when the baseline %s', (_, baseline) => {
    const groups = rule([A, 50], [B, 50]);

    expect(restore(groups, { primary: A, percent: 100, baseline })).toEqual(groups);
  });

  it.each([
    ['lacks the primary', rule([B, 50], [C, 50])],
    ['has no other group', rule([A, 40])],
    ['has only zero weights', rule([A, 0], [B, 0])],
    ['is empty', rule()],
  ])('leaves alone a rule that %s, returning a new array', (_, groups) => {
    const result = restore(groups, { primary: A, percent: 10 });

    expect(result).toEqual(groups);
    expect(result).not.toBe(groups);
  });

  it('never mutates the rule or the baseline', () => {
    const groups = rule([A, 60], [B, 40]);
    const baseline = rule([A, 80], [B, 20]);
    const before = structuredClone([groups, baseline]);

    restore(groups, { primary: A, percent: 10, baseline });

    expect([groups, baseline]).toEqual(before);
  });
});

describe('weights: isSheddable', () => {
  it.each([
    ['the primary is above the floor', rule([A, 80], [B, 20]), 30, true],
    ['the primary is at the floor', rule([A, 70], [B, 30]), 30, false],
    ['the primary is under the floor', rule([A, 50], [B, 50]), 30, false],
    ['maxShedPercent is 0', rule([A, 100], [B, 0]), 0, false],
    ['the rule lacks the primary', rule([B, 50], [C, 50]), 100, false],
    ['the rule has no other group', rule([A, 100]), 100, false],
    ['the rule has only zero weights', rule([A, 0], [B, 0]), 100, false],
    ['the rescaled primary share is above the floor', rule([A, 710], [B, 290]), 30, true],
  ])('when %s: %s', (_, groups, maxShedPercent, expected) => {
    expect(isSheddable(groups, { primary: A, maxShedPercent })).toBe(expected);
  });
});

describe('weights: isRestorable', () => {
  const canary = rule([A, 80], [B, 20]);

  it.each([
    ['the primary is below 100 without a baseline', rule([A, 90], [B, 10]), undefined, true],
    ['the primary is at 100 without a baseline', rule([A, 100], [B, 0]), undefined, false],
    ['the primary is below its baseline', rule([A, 70], [B, 30]), canary, true],
    ['the primary is at its baseline', rule([A, 80], [B, 20]), canary, false],
    ['the primary is above its baseline', rule([A, 90], [B, 10]), canary, false],
    [
      'only groups below their baseline could give',
      rule([A, 70], [B, 20], [C, 10]),
      rule([A, 80], [B, 0], [C, 20]),
      true,
    ],
    ['the rule lacks the primary', rule([B, 50], [C, 50]), undefined, false],
    ['the rule has no other group', rule([A, 50]), undefined, false],
  ])('when %s: %s', (_, groups, baseline, expected) => {
    expect(isRestorable(groups, { primary: A, baseline })).toBe(expected);
  });
});

describe('weights: validation', () => {
  const valid = rule([A, 80], [B, 20]);
  const tooMany = rule([A, 1], [B, 1], [C, 1], [D, 1], [E, 1], [F, 1]);
  const invalidGroups: [string, unknown, RegExp][] = [
    ['not an array', { targetGroupArn: A, weight: 1 }, /groups must be an array.*got an object/],
    ['null', null, /groups must be an array.*got null/],
    ['more than 5 groups', tooMany, /has 6 target groups.*at most 5/],
    ['an entry that is not an object', [7], /groups\[0\] must be an object.*got 7/],
    ['an entry that is null', [null], /groups\[0\] must be an object.*got null/],
    ['an empty ARN', [{ targetGroupArn: ' ', weight: 1 }], /groups\[0\]\.targetGroupArn.*" "/],
    ['a missing ARN', [{ weight: 1 }], /targetGroupArn must be a non-empty string, got undefined/],
    ['a weight above 999', [{ targetGroupArn: A, weight: 1000 }], /weight is 1000.*0 to 999/],
    ['a negative weight', [{ targetGroupArn: A, weight: -1 }], /weight is -1/],
    ['a fractional weight', [{ targetGroupArn: A, weight: 1.5 }], /weight is 1\.5/],
    ['a NaN weight', [{ targetGroupArn: A, weight: Number.NaN }], /weight is NaN/],
    ['an infinite weight', [{ targetGroupArn: A, weight: Infinity }], /weight is Infinity/],
    ['a string weight', [{ targetGroupArn: A, weight: '10' }], /weight is "10"/],
    [
      'a duplicate ARN',
      [
        { targetGroupArn: A, weight: 1 },
        { targetGroupArn: B, weight: 1 },
        { targetGroupArn: A, weight: 1 },
      ],
      /groups\[2\]\.targetGroupArn ".*\/a\/.*" repeats groups\[0\].*merge/,
    ],
  ];

  it.each(invalidGroups)('rejects groups with %s', (_, groups, message) => {
    const bad = groups as WeightedTargetGroup[];
    const calls = [
      () => shed(bad, { primary: A, percent: 10, maxShedPercent: 50 }),
      () => restore(bad, { primary: A, percent: 10 }),
      () => isSheddable(bad, { primary: A, maxShedPercent: 50 }),
      () => isRestorable(bad, { primary: A }),
    ];

    for (const call of calls) {
      expect(call).toThrow(message);
      expect(call).toThrow(expect.objectContaining({ name: 'WeightsError', input: 'groups' }));
    }
  });

  it.each([
    ['empty', '', /primary must be a non-empty target group ARN, got ""/],
    ['blank', '  ', /got " {2}"/],
    ['missing', undefined, /got undefined/],
    ['not a string', [A], /got an array/],
  ])('rejects a primary that is %s', (_, primary, message) => {
    const bad = primary as string;
    const calls = [
      () => shed(valid, { primary: bad, percent: 10, maxShedPercent: 50 }),
      () => restore(valid, { primary: bad, percent: 10 }),
      () => isSheddable(valid, { primary: bad, maxShedPercent: 50 }),
      () => isRestorable(valid, { primary: bad }),
    ];

    for (const call of calls) {
      expect(call).toThrow(message);
      expect(call).toThrow(expect.objectContaining({ input: 'primary' }));
    }
  });

  const badPercents: [unknown, string][] = [
    [-1, '-1'],
    [101, '101'],
    [2.5, '2.5'],
    [Number.NaN, 'NaN'],
    [Infinity, 'Infinity'],
    ['10', '"10"'],
  ];

  it.each(badPercents)('rejects percent %s', (value, shown) => {
    const percent = value as number;
    const message = `percent is ${shown}, but it must be a whole number of percentage points from 0 to 100`;

    expect(() => shed(valid, { primary: A, percent, maxShedPercent: 50 })).toThrow(message);
    expect(() => restore(valid, { primary: A, percent })).toThrow(message);
  });

  it.each(badPercents)('rejects maxShedPercent %s', (value, shown) => {
    const maxShedPercent = value as number;
    const message = `maxShedPercent is ${shown}, but it must be a whole number`;

    expect(() => shed(valid, { primary: A, percent: 10, maxShedPercent })).toThrow(message);
    expect(() => isSheddable(valid, { primary: A, maxShedPercent })).toThrow(message);
  });

  it.each([
    ['not an array', 'x', /baseline must be an array.*got "x"/],
    ['a weight above 999', [{ targetGroupArn: A, weight: 1000 }], /baseline\[0\]\.weight is 1000/],
    [
      'a duplicate ARN',
      [
        { targetGroupArn: A, weight: 1 },
        { targetGroupArn: A, weight: 2 },
      ],
      /baseline\[1\]\.targetGroupArn .* repeats baseline\[0\]/,
    ],
    ['no primary', [{ targetGroupArn: B, weight: 100 }], /baseline has no entry for the primary/],
    ['no entries', [], /baseline has no entry for the primary.*omit baseline/],
  ])('rejects a baseline with %s', (_, baseline, message) => {
    const bad = baseline as WeightedTargetGroup[];

    expect(() => restore(valid, { primary: A, percent: 10, baseline: bad })).toThrow(message);
    expect(() => isRestorable(valid, { primary: A, baseline: bad })).toThrow(
      expect.objectContaining({ name: 'WeightsError', input: 'baseline' }),
    );
  });

  it('rejects a baseline without the primary even for a rule that lacks it', () => {
    const groups = rule([B, 50], [C, 50]);

    expect(() => restore(groups, { primary: A, percent: 10, baseline: groups })).toThrow(
      WeightsError,
    );
  });

  it('raises a WeightsError that is a LoadSheddingError', () => {
    let caught: unknown;

    try {
      shed(valid, { primary: A, percent: 101, maxShedPercent: 50 });
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(WeightsError);
    expect(caught).toBeInstanceOf(LoadSheddingError);
    expect(caught).toMatchObject({ name: 'WeightsError', input: 'percent' });
  });
});

describe('weights: errors', () => {
  it('keeps the cause and sets the name of each class', () => {
    const cause = new Error('root');

    const base = new LoadSheddingError('base', { cause });
    const weightsError = new WeightsError('groups', 'bad', { cause });

    expect(base).toMatchObject({ name: 'LoadSheddingError', message: 'base', cause });
    expect(weightsError).toMatchObject({ name: 'WeightsError', input: 'groups', cause });
  });
});
