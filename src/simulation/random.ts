import type { RandomSource } from '../resilience/clock.js';

/**
 * Seeded randomness for the simulation: the same seed gives the same sequence on every run and
 * every machine, so a simulated outage, a jittered retry or a fault injection can be replayed.
 *
 * Written by hand on purpose: the runtime dependencies hold no seeded PRNG (fast-check's
 * `pure-rand` is only a transitive dev dependency), the generator is a dozen lines, and the
 * simulation needs nothing beyond uniform numbers in [0, 1). Not for cryptography.
 */

/** A seed: any integer, or a string (hashed), so seeds can be readable names like `'demo'`. */
export type Seed = number | string;

/** 32-bit FNV-1a: turns a string seed or a stream label into a 32-bit integer. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function seedToState(seed: Seed): number {
  if (typeof seed === 'string') return hashString(seed);
  if (!Number.isInteger(seed)) {
    throw new RangeError(`Random seed must be an integer or a string, got ${String(seed)}.`);
  }
  return seed >>> 0;
}

/**
 * A RandomSource that yields the same sequence of numbers in [0, 1) for the same seed.
 * The generator is Mulberry32 (a 32-bit state, full period 2^32, fast, good enough for jitter
 * and fault injection).
 */
export function createRandom(seed: Seed): RandomSource {
  let state = seedToState(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A RandomSource as given, or one seeded with the given seed (options accept either). */
export function randomSourceOf(random: Seed | RandomSource): RandomSource {
  return typeof random === 'function' ? random : createRandom(random);
}

/**
 * A seed for an independent stream named `label`, derived from `seed`. Give each model its own
 * stream so adding a model (or a call in one model) does not shift the numbers another sees.
 */
export function deriveSeed(seed: Seed, label: string): number {
  return hashString(`${String(seedToState(seed))}/${label}`);
}

/** A uniform integer in [min, max] (both inclusive). */
export function randomInt(random: RandomSource, min: number, max: number): number {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
    throw new RangeError(`randomInt needs integers min <= max, got min=${min} max=${max}.`);
  }
  return min + Math.floor(random() * (max - min + 1));
}

/** True with probability `p` (0 never, 1 always). */
export function chance(random: RandomSource, p: number): boolean {
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`chance needs a probability in [0, 1], got ${p}.`);
  }
  return random() < p;
}

/** One element of a non-empty list, chosen uniformly. */
export function pick<T>(random: RandomSource, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick needs a non-empty list.');
  return items[randomInt(random, 0, items.length - 1)];
}
