import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chance, createRandom, deriveSeed, pick, randomInt } from '../../src/simulation/random.js';

function take(random: () => number, count: number): number[] {
  return Array.from({ length: count }, () => random());
}

describe('simulation: createRandom', () => {
  it('gives the same sequence for the same seed, numeric or string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string()), (seed) => {
        expect(take(createRandom(seed), 20)).toEqual(take(createRandom(seed), 20));
      }),
    );
  });

  it('gives different sequences for different seeds', () => {
    // Prepare
    const a = take(createRandom(1), 10);
    const b = take(createRandom(2), 10);
    const c = take(createRandom('demo'), 10);

    // Assess
    expect(a).not.toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('yields numbers in [0, 1) spread over the interval', () => {
    // Prepare
    const values = take(createRandom(7), 10_000);

    // Act
    const buckets = Array.from({ length: 10 }, () => 0);
    for (const value of values) buckets[Math.floor(value * 10)] += 1;

    // Assess
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    for (const count of buckets) expect(count).toBeGreaterThan(850);
    for (const count of buckets) expect(count).toBeLessThan(1150);
  });

  it('rejects a fractional seed', () => {
    expect(() => createRandom(1.5)).toThrow(/integer or a string/);
  });
});

describe('simulation: random helpers', () => {
  it('randomInt stays within its inclusive bounds and reaches both', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 0, max: 5 }),
        (min, span) => {
          const random = createRandom(min * 31 + span);
          const values = Array.from({ length: 200 }, () => randomInt(random, min, min + span));
          expect(values.every((v) => Number.isInteger(v) && v >= min && v <= min + span)).toBe(
            true,
          );
          expect(values).toContain(min);
          expect(values).toContain(min + span);
        },
      ),
    );
  });

  it('randomInt rejects an empty or non-integer range', () => {
    const random = createRandom(1);
    expect(() => randomInt(random, 3, 2)).toThrow(/min <= max/);
    expect(() => randomInt(random, 0.5, 2)).toThrow(RangeError);
  });

  it('chance honours 0 and 1 and approximates p', () => {
    // Prepare
    const random = createRandom('chance');

    // Act
    const hits = Array.from({ length: 10_000 }, () => chance(random, 0.3)).filter(Boolean).length;

    // Assess
    expect(chance(random, 0)).toBe(false);
    expect(chance(random, 1)).toBe(true);
    expect(hits).toBeGreaterThan(2_800);
    expect(hits).toBeLessThan(3_200);
    expect(() => chance(random, 1.5)).toThrow(/probability/);
    expect(() => chance(random, Number.NaN)).toThrow(/probability/);
  });

  it('pick returns an element and rejects an empty list', () => {
    const random = createRandom(3);
    const items = ['a', 'b', 'c'] as const;
    expect(items).toContain(pick(random, items));
    expect(() => pick(random, [])).toThrow(/non-empty/);
  });

  it('deriveSeed gives stable, label-specific streams', () => {
    expect(deriveSeed(42, 'elbv2')).toBe(deriveSeed(42, 'elbv2'));
    expect(deriveSeed(42, 'elbv2')).not.toBe(deriveSeed(42, 'sqs'));
    expect(deriveSeed(42, 'elbv2')).not.toBe(deriveSeed(43, 'elbv2'));
    expect(deriveSeed('42', 'x')).not.toBe(deriveSeed(42, 'x'));
  });
});
