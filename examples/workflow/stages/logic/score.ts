/**
 * Score: 0–100 per record from the event type's weight and the amount (log scale, so one big
 * order does not drown everything else). Streaming: each record is scored on its own, so the
 * stage runs in constant memory whatever the batch size.
 */
import { streamingStage } from '../../../../src/workflow/stage.js';
import {
  cleanRecordSchema,
  EVENT_WEIGHTS,
  type CleanRecord,
  type ScoredRecord,
} from './records.js';

const OTHER_WEIGHT = 10;

export function scoreRecord(record: CleanRecord): ScoredRecord {
  const weight = EVENT_WEIGHTS[record.type as keyof typeof EVENT_WEIGHTS] ?? OTHER_WEIGHT;
  // $1 → 6, $10 → 12, $100 → 18, $1,000 → 24 ... capped at 50.
  const amountPart = Math.min(50, Math.log10(record.amountCents / 100 + 1) * 20);
  const score = Math.round(Math.min(100, weight + amountPart) * 10) / 10;
  const tier = score >= 70 ? 'high' : score >= 40 ? 'medium' : 'low';
  return { ...record, score, tier };
}

export async function* scoreRecords(
  records: AsyncIterable<CleanRecord>,
): AsyncGenerator<ScoredRecord> {
  for await (const record of records) yield scoreRecord(record);
}

export const scoreStage = streamingStage(scoreRecords, {
  parseRecord: (record) => cleanRecordSchema.parse(record),
});
