/**
 * The summary of a simulated run, computed from what was recorded (pure): the alarm's
 * transitions, the controller's steps, the ELBv2 calls and the weights each write set.
 */
import type { SimulationSummary, TimelineRow } from './result.js';

export interface WeightedGroup {
  readonly targetGroupArn: string;
  readonly weight: number;
}

/** A managed rule at baseline. */
export interface BaselineRule {
  readonly id: string;
  readonly groups: readonly WeightedGroup[];
}

/** A write that ELBv2 applied: the forward weights it set on a rule. */
export interface AppliedWrite {
  readonly time: number;
  readonly ruleId: string;
  readonly groups: readonly WeightedGroup[];
}

export interface SummaryInput {
  readonly startTime: number;
  readonly primaryArn: string;
  readonly floorPercent: number;
  /** The primary's capacity where a row does not give its own. */
  readonly capacityRps: number;
  readonly timeline: readonly TimelineRow[];
  readonly baseline: readonly BaselineRule[];
  /** In time order. */
  readonly writes: readonly AppliedWrite[];
  /** The final weights of every managed rule, by id. */
  readonly finalRules: Readonly<Record<string, readonly WeightedGroup[]>>;
  readonly steps: readonly {
    readonly seq: number;
    readonly time: number;
    readonly outcome: string;
    readonly writes: readonly { readonly status: string }[];
  }[];
  readonly elbv2Calls: readonly { readonly seq: number; readonly operation: string }[];
  readonly alarmTransitions: readonly {
    readonly time: number;
    readonly to: string;
  }[];
}

/** The primary's share of a rule, percent (0 for a rule whose weights are all 0). */
export function primaryPercent(groups: readonly WeightedGroup[], primaryArn: string): number {
  const total = groups.reduce((sum, g) => sum + g.weight, 0);
  if (total === 0) return 0;
  const primary = groups
    .filter((g) => g.targetGroupArn === primaryArn)
    .reduce((sum, g) => sum + g.weight, 0);
  return (100 * primary) / total;
}

const STEP_OUTCOMES = new Set(['shed', 'restore']);

function perStep(values: readonly number[]): { average: number; max: number } {
  if (values.length === 0) return { average: 0, max: 0 };
  const total = values.reduce((sum, v) => sum + v, 0);
  return { average: round(total / values.length), max: Math.max(...values) };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function sameGroups(a: readonly WeightedGroup[], b: readonly WeightedGroup[]): boolean {
  return (
    a.length === b.length &&
    a.every((g, i) => g.targetGroupArn === b[i].targetGroupArn && g.weight === b[i].weight)
  );
}

export function summarise(input: SummaryInput): SimulationSummary {
  const { startTime, primaryArn } = input;
  const seconds = (time: number | undefined): number | null =>
    time === undefined ? null : round((time - startTime) / 1000, 1);
  const between = (from: number | undefined, to: number | undefined): number | null =>
    from === undefined || to === undefined ? null : round((to - from) / 1000, 1);

  // Replay the writes: the total primary share after each one, and each rule's lowest share.
  const current = new Map(
    input.baseline.map((rule) => [rule.id, primaryPercent(rule.groups, primaryArn)]),
  );
  const total = (): number =>
    current.size === 0 ? 0 : [...current.values()].reduce((s, v) => s + v, 0) / current.size;
  let deepest = total();
  let deepestAt: number | undefined;
  let minRule = Math.min(100, ...current.values());
  const atFloor = new Set<string>();
  const lastWriteOf = new Map<string, number>();
  let minGap: number | undefined;
  for (const write of input.writes) {
    const share = primaryPercent(write.groups, primaryArn);
    current.set(write.ruleId, share);
    minRule = Math.min(minRule, share);
    if (share <= input.floorPercent) atFloor.add(write.ruleId);
    const previous = lastWriteOf.get(write.ruleId);
    if (previous !== undefined) minGap = Math.min(minGap ?? Infinity, write.time - previous);
    lastWriteOf.set(write.ruleId, write.time);
    const now = total();
    if (now < deepest - 1e-9) {
      deepest = now;
      deepestAt = write.time;
    }
  }

  const firstAlarm = input.alarmTransitions.find((t) => t.to === 'ALARM')?.time;
  const lastAlarmIndex = input.alarmTransitions.map((t) => t.to).lastIndexOf('ALARM');
  const finalOk =
    lastAlarmIndex < 0
      ? undefined
      : input.alarmTransitions.slice(lastAlarmIndex + 1).find((t) => t.to === 'OK')?.time;
  const finalWeightsAtBaseline = input.baseline.every((rule) => {
    const final = input.finalRules[rule.id];
    return final !== undefined && sameGroups(final, rule.groups);
  });
  const lastWrite = input.writes.at(-1)?.time;
  const restoredAt =
    finalWeightsAtBaseline &&
    finalOk !== undefined &&
    lastWrite !== undefined &&
    lastWrite >= finalOk
      ? lastWrite
      : undefined;

  // Attribute each ELBv2 call to the step whose summary follows it.
  const steps = [...input.steps].sort((a, b) => a.seq - b.seq);
  const describesByStep = new Map<number, number>();
  for (const call of input.elbv2Calls) {
    if (!call.operation.startsWith('Describe')) continue;
    const step = steps.find((s) => s.seq > call.seq);
    if (step !== undefined) describesByStep.set(step.seq, (describesByStep.get(step.seq) ?? 0) + 1);
  }
  const acting = steps.filter((s) => STEP_OUTCOMES.has(s.outcome));

  return {
    steps: input.timeline.length,
    firstAlarmAtSeconds: seconds(firstAlarm),
    timeToFirstShedSeconds: between(firstAlarm, steps.find((s) => s.outcome === 'shed')?.time),
    timeToMaxShedSeconds: between(firstAlarm, deepestAt),
    maxShedPrimarySharePercent: round(deepest),
    reachedFloor: input.baseline.length > 0 && atFloor.size === input.baseline.length,
    timeToRestoreSeconds: between(finalOk, restoredAt),
    minPrimaryWeightPercent: round(minRule),
    floorPercent: input.floorPercent,
    shedSteps: steps.filter((s) => s.outcome === 'shed').length,
    restoreSteps: steps.filter((s) => s.outcome === 'restore').length,
    totalElbv2Writes: input.elbv2Calls.filter((c) => c.operation.startsWith('Modify')).length,
    totalElbv2Describes: input.elbv2Calls.filter((c) => c.operation.startsWith('Describe')).length,
    writesPerStep: perStep(
      acting.map((s) => s.writes.filter((w) => w.status === 'written').length),
    ),
    describesPerStep: perStep(acting.map((s) => describesByStep.get(s.seq) ?? 0)),
    minSecondsBetweenWritesOfARule: minGap === undefined ? null : round(minGap / 1000, 1),
    finalWeightsAtBaseline,
    overloadedMinutes: input.timeline.filter(
      (row) => row.primaryRps > (row.primaryCapacityRps ?? input.capacityRps),
    ).length,
  };
}
