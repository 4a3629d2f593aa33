/**
 * The example workflow's data: customer activity events. Raw records arrive in the SQS message
 * (the workflow's `initialData`); each stage narrows them. Schemas check every stage's input,
 * so a stage that is moved or fed the wrong output fails with a clear message.
 */
import { z } from 'zod';

/** Event types the example knows, with how much each says about purchase intent. */
export const EVENT_WEIGHTS = Object.freeze({
  purchase: 50,
  subscription: 45,
  cart: 25,
  signup: 20,
  view: 5,
} as const);
export type EventType = keyof typeof EVENT_WEIGHTS | 'other';

/** A record after ETL: typed, with the problems found (Filter drops those that have any). */
export const cleanRecordSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  type: z.string(),
  amountCents: z.number().int(),
  currency: z.string(),
  occurredAt: z.string(),
  problems: z.array(z.string()).default([]),
});
export type CleanRecord = z.infer<typeof cleanRecordSchema>;

export const scoredRecordSchema = cleanRecordSchema.extend({
  score: z.number().min(0).max(100),
  tier: z.enum(['high', 'medium', 'low']),
});
export type ScoredRecord = z.infer<typeof scoredRecordSchema>;

export const customerSummarySchema = z.object({
  customerId: z.string(),
  records: z.number().int(),
  amountCents: z.number().int(),
  maxScore: z.number(),
  tier: z.enum(['high', 'medium', 'low']),
});
export type CustomerSummary = z.infer<typeof customerSummarySchema>;

/** What Store writes: totals, and the records partitioned by day and by customer. */
export const summarySchema = z.object({
  records: z.number().int(),
  amountCents: z.number().int(),
  byTier: z.object({ high: z.number(), medium: z.number(), low: z.number() }),
  byDay: z.record(z.string(), z.number()),
  customers: z.array(customerSummarySchema),
});
export type Summary = z.infer<typeof summarySchema>;

export const actionSchema = z.object({
  customerId: z.string(),
  action: z.enum(['send-offer', 'vip-review', 'nurture-email']),
  reason: z.string(),
});
export type FollowUpAction = z.infer<typeof actionSchema>;

/** A parser for `jsonStage({ parseInput })` that names the stage in its message. */
export function inputParser<T>(stage: string, schema: z.ZodType<T>) {
  return (input: unknown): T => {
    const parsed = schema.safeParse(input);
    if (parsed.success) return parsed.data;
    throw new TypeError(
      `${stage}: input does not match (${z.prettifyError(parsed.error).replace(/\n/g, '; ')}). ` +
        'Check that the previous stage is the one this stage expects.',
    );
  };
}
