/**
 * Store: the scored records become one summary — totals, counts per tier, per day (the
 * partition a warehouse load would use) and per customer — which is what Reactive and
 * dashboards read instead of the raw records.
 */
import { z } from 'zod';
import { jsonStage } from '../../../../src/workflow/stage.js';
import {
  inputParser,
  scoredRecordSchema,
  type CustomerSummary,
  type ScoredRecord,
  type Summary,
} from './records.js';

const tierOf = (score: number): CustomerSummary['tier'] =>
  score >= 70 ? 'high' : score >= 40 ? 'medium' : 'low';

export function summarize(records: readonly ScoredRecord[]): Summary {
  const byTier = { high: 0, medium: 0, low: 0 };
  const byDay: Record<string, number> = {};
  const customers = new Map<string, CustomerSummary>();
  let amountCents = 0;
  for (const record of records) {
    byTier[record.tier] += 1;
    const day = record.occurredAt.slice(0, 10);
    byDay[day] = (byDay[day] ?? 0) + 1;
    amountCents += record.amountCents;
    const current = customers.get(record.customerId);
    const maxScore = Math.max(current?.maxScore ?? 0, record.score);
    customers.set(record.customerId, {
      customerId: record.customerId,
      records: (current?.records ?? 0) + 1,
      amountCents: (current?.amountCents ?? 0) + record.amountCents,
      maxScore,
      tier: tierOf(maxScore),
    });
  }
  return {
    records: records.length,
    amountCents,
    byTier,
    byDay,
    customers: [...customers.values()].sort(
      (a, b) => b.maxScore - a.maxScore || a.customerId.localeCompare(b.customerId),
    ),
  };
}

export const storeStage = jsonStage((records: ScoredRecord[]) => summarize(records), {
  parseInput: inputParser('store', z.array(scoredRecordSchema)),
});
