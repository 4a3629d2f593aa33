/**
 * The load-shedding controller's memory: one small item per primary target group (see
 * docs/load-shedding.md for the state machine). Pure: types, the zod schema that guards what is
 * read back from DynamoDB, and comparisons of weights. No AWS import.
 */
import { z } from 'zod';
import { CheckReasons } from './contract.js';
import type { WeightedTargetGroup } from './weights.js';

const groupSchema = z.object({
  targetGroupArn: z.string().min(1),
  weight: z.number().int().min(0).max(999),
});

const groupsSchema = z.array(groupSchema).max(5);

/** What the controller knows about one listener rule (default or not) that forwards to the primary. */
const ruleStateSchema = z.object({
  ruleArn: z.string().min(1),
  /**
   * The weights before the chain first shed this rule (or the live weights adopted after an
   * external edit). A full restore writes them back exactly.
   */
  baseline: groupsSchema,
  /**
   * The weights the controller last wrote, or is writing, to the rule; live weights equal to
   * them are "in sync".
   */
  lastWritten: groupsSchema,
  /**
   * The live weights when that write was decided. Live weights equal to them mean the write has
   * not landed (crash, dry run, slow write): the controller retries it rather than call it an
   * external edit.
   */
  beforeLastWrite: groupsSchema,
});

const pendingCheckSchema = z.object({
  /** The only check message the controller will act on; any other is stale. */
  checkId: z.string().min(1),
  /** Epoch ms the check is due (sent with DelaySeconds); a check long past due is presumed lost. */
  dueAt: z.number().int().min(0),
  reason: z.enum(CheckReasons),
});

const commonShape = {
  /** Partition key: the primary target group ARN. */
  primaryTargetGroupArn: z.string().min(1),
  /** Incremented by every save; saves are conditional on it (optimistic locking). */
  version: z.number().int().min(1),
  /** Epoch ms of the save. */
  updatedAt: z.number().int().min(0),
  /**
   * Epoch ms of the newest alarm state change acted on (the event's `detail.state.timestamp`);
   * an event not newer than it is a duplicate or arrived out of order, and is dropped.
   */
  lastAlarmEventAt: z.number().int().min(0).optional(),
  /**
   * Rules whose baseline is remembered: every rule of the running chain, or, when idle, the
   * rules a chain left away from their baseline (it ended on INSUFFICIENT_DATA), so that the
   * next OK can still restore them exactly.
   */
  rules: z.array(ruleStateSchema),
  /**
   * Epoch ms of the last shed or restore step (its decision). Steps are spaced by the delays,
   * also across chains: a chain that starts right after another ended waits for its first step.
   */
  lastStepAt: z.number().int().min(0).optional(),
};

/** No chain runs: no pending check, nothing scheduled. */
const idleStateSchema = z.object({
  ...commonShape,
  status: z.literal('idle'),
  /** DynamoDB TTL (epoch seconds); set only when no rule is remembered. */
  expiresAt: z.number().int().min(0).optional(),
});

/** A chain runs: exactly one check is pending. */
const activeStateSchema = z.object({
  ...commonShape,
  /** shedding: last saw ALARM; restoring: last saw OK; holding: last saw INSUFFICIENT_DATA. */
  status: z.enum(['shedding', 'restoring', 'holding']),
  chainId: z.string().min(1),
  chainStartedAt: z.number().int().min(0),
  pendingCheck: pendingCheckSchema,
  /** Consecutive checks that read INSUFFICIENT_DATA. */
  insufficientDataChecks: z.number().int().min(0),
});

/** The state item, as validated when loaded. */
export const loadSheddingStateSchema = z.discriminatedUnion('status', [
  idleStateSchema,
  activeStateSchema,
]);

export type RuleState = z.infer<typeof ruleStateSchema>;
export type PendingCheck = z.infer<typeof pendingCheckSchema>;
export type IdleState = z.infer<typeof idleStateSchema>;
export type ActiveState = z.infer<typeof activeStateSchema>;
export type LoadSheddingState = z.infer<typeof loadSheddingStateSchema>;
export type ChainStatus = ActiveState['status'];

/**
 * How long an idle item without remembered rules lives (DynamoDB TTL). Longer than SQS can keep
 * a message (14 days + 15 min delay), so a check message can never outlive the item whose
 * version tells it apart from a check that is early.
 */
export const IDLE_STATE_TTL_SECONDS = 30 * 24 * 60 * 60;

/**
 * Whether two forward configs hold the same target groups with the same raw weights, in any
 * order (DescribeRules does not promise an order). 160/40 and 80/20 differ: raw weights are
 * what the controller wrote and reads back.
 */
export function sameWeights(
  a: readonly WeightedTargetGroup[],
  b: readonly WeightedTargetGroup[],
): boolean {
  if (a.length !== b.length) return false;
  const byArn = new Map(b.map((g) => [g.targetGroupArn, g.weight]));
  return a.every((g) => byArn.get(g.targetGroupArn) === g.weight);
}

/** Whether two forward configs hold the same target groups, whatever their weights. */
export function sameTargetGroups(
  a: readonly WeightedTargetGroup[],
  b: readonly WeightedTargetGroup[],
): boolean {
  if (a.length !== b.length) return false;
  const arns = new Set(b.map((g) => g.targetGroupArn));
  return a.every((g) => arns.has(g.targetGroupArn));
}

/** `source`'s weights in `order`'s target group order (both hold the same groups). */
export function inOrderOf(
  source: readonly WeightedTargetGroup[],
  order: readonly WeightedTargetGroup[],
): WeightedTargetGroup[] {
  const byArn = new Map(source.map((g) => [g.targetGroupArn, g.weight]));
  return order.map(({ targetGroupArn }) => ({
    targetGroupArn,
    weight: byArn.get(targetGroupArn) ?? 0,
  }));
}

/** A copy of a forward config with only the two fields the state stores. */
export function copyGroups(groups: readonly WeightedTargetGroup[]): WeightedTargetGroup[] {
  return groups.map(({ targetGroupArn, weight }) => ({ targetGroupArn, weight }));
}
