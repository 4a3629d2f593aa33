import fc from 'fast-check';
import type { JsonValue } from '../../../src/workflow/contract.js';

/** Execution ids and stage names as Step Functions allows them (a safe subset). */
export const segmentArb = fc
  .stringMatching(/^[A-Za-z0-9_.-]{1,40}$/)
  .filter((s) => s !== '.' && s !== '..');

/** Two different stage names. */
export const stagePairArb = fc.tuple(segmentArb, segmentArb).filter(([a, b]) => a !== b);

/** JSON values (no -0: JSON has none, so it cannot round-trip). */
export const jsonArb: fc.Arbitrary<JsonValue> = fc
  .jsonValue({ maxDepth: 3 })
  .map((value) => JSON.parse(JSON.stringify(value)) as JsonValue);
