/**
 * The traffic model of the simulator: pure functions, no AWS import.
 *
 * - Offered load: the profile's requests per second at a minute (piecewise linear between
 *   points; a spike multiplies the base load), times a seeded noise factor.
 * - Rules: every managed forward rule carries an equal share of the offered load (a listener's
 *   default rule counts as one rule). Within a rule, the ALB splits requests across target
 *   groups in proportion to their weights, so the primary gets `share × weight / total`.
 * - The primary: up to `capacityRps` every request succeeds; past it, the excess fails with a
 *   5xx (the secondaries are assumed to absorb what they get). Response time follows a simple
 *   queueing curve, `base / (1 - utilisation)`, capped at 30 s once overloaded.
 */
import type { Scenario, TrafficProfile } from './scenario.js';

/** A managed rule's live forward weights, as the simulator reads them from ELBv2. */
export interface RuleWeights {
  readonly ruleId: string;
  /** The primary's weight and the rule's total weight. */
  readonly primaryWeight: number;
  readonly totalWeight: number;
}

/** What the primary target group sees in one minute. */
export interface PrimaryMinute {
  /** Requests per second sent to the primary. */
  readonly rps: number;
  /** Requests that failed with a 5xx in the minute. */
  readonly errors: number;
  /** Average response time, seconds (CloudWatch's TargetResponseTime unit). */
  readonly latencySeconds: number;
}

/** Longest response the model reports: an overloaded target times out. */
export const MAX_LATENCY_SECONDS = 30;
/** Utilisation at which the queueing curve is capped below overload. */
const MAX_UTILISATION = 0.98;

/** The profile's load (requests per second) at `minute`, before noise. */
export function profileRps(profile: TrafficProfile, baseRps: number, minute: number): number {
  switch (profile.kind) {
    case 'constant':
      return baseRps;
    case 'spike': {
      const inSpike =
        minute >= profile.startMinute && minute < profile.startMinute + profile.durationMinutes;
      return inSpike ? baseRps * profile.multiplier : baseRps;
    }
    case 'points':
      return interpolate(profile.points, minute);
  }
}

function interpolate(points: readonly { minute: number; rps: number }[], minute: number): number {
  const first = points[0];
  if (minute <= first.minute) return first.rps;
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    if (minute <= b.minute)
      return a.rps + ((b.rps - a.rps) * (minute - a.minute)) / (b.minute - a.minute);
  }
  return points[points.length - 1].rps;
}

/** Offered load at `minute` with noise: `noise` is a uniform draw in [0, 1). */
export function offeredRps(scenario: Scenario, minute: number, noise: number): number {
  const { baseRps, noisePercent, profile } = scenario.traffic;
  const factor = 1 + ((2 * noise - 1) * noisePercent) / 100;
  return Math.max(0, profileRps(profile, baseRps, minute) * factor);
}

/**
 * The primary's share (0–1) of the offered load: each rule carries `1 / rules` of it, split by
 * weight. A rule whose weights are all 0 sends nothing to the primary.
 */
export function primaryShare(rules: readonly RuleWeights[]): number {
  if (rules.length === 0) return 0;
  const sum = rules.reduce(
    (total, rule) => total + (rule.totalWeight > 0 ? rule.primaryWeight / rule.totalWeight : 0),
    0,
  );
  return sum / rules.length;
}

/** Errors and response time of the primary serving `rps` for one minute. */
export function primaryMinute(
  rps: number,
  primary: Scenario['primary'],
  stepSeconds: number,
): PrimaryMinute {
  const { capacityRps, baseLatencyMs } = primary;
  const errors = Math.round(Math.max(0, rps - capacityRps) * stepSeconds);
  const base = baseLatencyMs / 1000;
  let latencySeconds: number;
  if (rps <= 0) latencySeconds = base;
  else if (capacityRps <= 0 || rps > capacityRps) latencySeconds = MAX_LATENCY_SECONDS;
  else
    latencySeconds = Math.min(
      MAX_LATENCY_SECONDS,
      base / (1 - Math.min(MAX_UTILISATION, rps / capacityRps)),
    );
  return { rps, errors, latencySeconds };
}
