/** The shape of a simulated run's result: the timeline, the summary, the errors seen. */
import type { Scenario } from './scenario.js';

export type AlarmStateName = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One minute of the run, sampled in its middle (after that minute's controller step). */
export interface TimelineRow {
  /** Minute index from the start of the run (0-based). */
  readonly minute: number;
  /** Virtual time of the sample, ISO 8601. */
  readonly time: string;
  /** Requests per second offered to the load balancer. */
  readonly offeredRps: number;
  /** Requests per second that reached the primary target group. */
  readonly primaryRps: number;
  /**
   * Requests per second the primary could serve in this minute: the scenario's capacity, or
   * what a run extension reported (e.g. growing with each healthy target). Always set by
   * `runScenario`.
   */
  readonly primaryCapacityRps?: number;
  /** The primary's share of all traffic, percent. */
  readonly primarySharePercent: number;
  /** The primary's share of each managed rule (weight / total), percent, by rule id. */
  readonly primaryWeights: Readonly<Record<string, number>>;
  /** The metric datum put for this minute (5xx count, or latency in seconds). */
  readonly metricValue: number;
  readonly alarm: AlarmStateName;
  /** Controller step outcomes in this minute (shed, restore, bake, wait, end, ...). */
  readonly actions: readonly string[];
  /** ELBv2 ModifyRule/ModifyListener calls in this minute. */
  readonly elbv2Writes: number;
  /** ELBv2 Describe* calls in this minute. */
  readonly elbv2Describes: number;
}

/** Seconds are virtual seconds from the start of the run; `null` when it did not happen. */
export interface SimulationSummary {
  readonly steps: number;
  readonly firstAlarmAtSeconds: number | null;
  /** From the first ALARM to the first shed write. */
  readonly timeToFirstShedSeconds: number | null;
  /** From the first ALARM to the deepest shed of the run (the lowest total primary share). */
  readonly timeToMaxShedSeconds: number | null;
  /** The lowest total primary share of the run, percent. */
  readonly maxShedPrimarySharePercent: number;
  /** Whether every rule reached the floor (100 - maxShedPercent) at some point. */
  readonly reachedFloor: boolean;
  /** From the last transition to OK to the write that put every rule back at its baseline. */
  readonly timeToRestoreSeconds: number | null;
  /** The lowest primary share of any single rule, percent (never below the floor). */
  readonly minPrimaryWeightPercent: number;
  readonly floorPercent: number;
  readonly shedSteps: number;
  readonly restoreSteps: number;
  readonly totalElbv2Writes: number;
  readonly totalElbv2Describes: number;
  /** Over shed and restore steps: ELBv2 writes (and Describe* calls) per step. */
  readonly writesPerStep: { readonly average: number; readonly max: number };
  readonly describesPerStep: { readonly average: number; readonly max: number };
  /** Shortest gap between two writes of the same rule, seconds (`null`: no rule written twice). */
  readonly minSecondsBetweenWritesOfARule: number | null;
  /** Every rule's final weights equal its baseline, exactly (target groups and weights). */
  readonly finalWeightsAtBaseline: boolean;
  /** Minutes in which the primary got more than its capacity. */
  readonly overloadedMinutes: number;
}

export interface SimulationResult {
  readonly scenario: Scenario;
  /** Rule ids in the layout's order, with their baseline primary share (percent). */
  readonly rules: readonly { readonly id: string; readonly baselinePercent: number }[];
  readonly timeline: readonly TimelineRow[];
  readonly alarmTransitions: readonly {
    readonly atSeconds: number;
    readonly from: string;
    readonly to: string;
  }[];
  readonly summary: SimulationSummary;
  /** Problems the run met: failed invocations, error logs, dead-lettered checks. */
  readonly errors: readonly string[];
}
