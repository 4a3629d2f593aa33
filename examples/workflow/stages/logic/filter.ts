/**
 * Filter: keeps the records worth scoring — no problems, not a duplicate id, and at least
 * `minAmountCents` for money events (views and sign-ups carry no amount and are kept).
 */
import { jsonStage } from '../../../../src/workflow/stage.js';
import { cleanRecordSchema, inputParser, type CleanRecord } from './records.js';
import { z } from 'zod';

/** Purchases under $1 are noise (tests, rounding refunds). */
export const MIN_AMOUNT_CENTS = 100;
const MONEY_EVENTS = new Set(['purchase', 'subscription', 'cart']);

export function filterRecords(
  records: readonly CleanRecord[],
  minAmountCents = MIN_AMOUNT_CENTS,
): CleanRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    if (record.problems.length > 0) return false;
    if (seen.has(record.id)) return false;
    seen.add(record.id);
    return !MONEY_EVENTS.has(record.type) || record.amountCents >= minAmountCents;
  });
}

export const filterStage = jsonStage((records: CleanRecord[]) => filterRecords(records), {
  parseInput: inputParser('filter', z.array(cleanRecordSchema)),
});
