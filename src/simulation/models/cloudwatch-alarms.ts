import type { ComparisonOperator, StateValue } from '@aws-sdk/client-cloudwatch';

/**
 * The pure part of CloudWatch metric alarms: statistics over a period's data points, and the
 * M-out-of-N evaluation with the four ways of treating missing data, as the CloudWatch user
 * guide describes them ("Configuring how CloudWatch alarms treat missing data"):
 *
 * - `breaching` / `notBreaching`: a missing period counts as breaching / not breaching.
 * - `ignore`: ALARM when at least M present periods breach, OK when even counting every
 *   missing period as breaching could not reach M, otherwise the alarm keeps its state.
 * - `missing` (the default): INSUFFICIENT_DATA when every period is missing; otherwise the
 *   present periods decide, and M is lowered to the number of present periods when fewer are
 *   present (so "X X -" with M = 3 is ALARM, as in the guide's table).
 *
 * Simplification: exactly the last N complete periods are evaluated (AWS may look further
 * back for missing data); percentiles use the nearest-rank method over raw values.
 */

export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

/** One PutMetricData datum as stored: raw values (when sent) and their summary. */
export interface StoredDatapoint {
  readonly timestamp: number;
  readonly unit: string;
  /** Raw values with their counts; absent when the datum was a StatisticSet. */
  readonly values: readonly { readonly value: number; readonly count: number }[] | undefined;
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
}

export interface PeriodSummary {
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
  /** Raw values sorted ascending (with repeats), or undefined when some datum had none. */
  readonly sorted: readonly number[] | undefined;
}

export function summarise(points: readonly StoredDatapoint[]): PeriodSummary | undefined {
  if (points.length === 0) return undefined;
  let sampleCount = 0;
  let sum = 0;
  let minimum = Infinity;
  let maximum = -Infinity;
  let raw: number[] | undefined = [];
  for (const point of points) {
    sampleCount += point.sampleCount;
    sum += point.sum;
    minimum = Math.min(minimum, point.minimum);
    maximum = Math.max(maximum, point.maximum);
    if (point.values === undefined || raw === undefined) {
      // A statistic set with one sample (or all samples equal) still pins down its values.
      if (point.values === undefined && raw !== undefined && point.minimum === point.maximum) {
        for (let i = 0; i < point.sampleCount; i++) raw.push(point.minimum);
      } else {
        raw = undefined;
      }
      continue;
    }
    for (const { value, count } of point.values) {
      for (let i = 0; i < count; i++) raw.push(value);
    }
  }
  return {
    sampleCount,
    sum,
    minimum,
    maximum,
    sorted: raw?.sort((a, b) => a - b),
  };
}

const PERCENTILE = /^p(\d{1,2}(?:\.\d{1,10})?|100(?:\.0{1,10})?)$/;

export function isSupportedExtendedStatistic(statistic: string): boolean {
  return PERCENTILE.test(statistic);
}

/** A statistic (`Average`, `Sum`, ... or `pNN`) of a period, or undefined if not computable. */
export function statisticOf(summary: PeriodSummary, statistic: string): number | undefined {
  switch (statistic) {
    case 'SampleCount':
      return summary.sampleCount;
    case 'Sum':
      return summary.sum;
    case 'Minimum':
      return summary.minimum;
    case 'Maximum':
      return summary.maximum;
    case 'Average':
      return summary.sum / summary.sampleCount;
    default: {
      const match = PERCENTILE.exec(statistic);
      if (match === null || summary.sorted === undefined || summary.sorted.length === 0) {
        return undefined;
      }
      const p = Number(match[1]);
      const rank = Math.max(1, Math.ceil((p / 100) * summary.sorted.length));
      return summary.sorted[rank - 1];
    }
  }
}

export function breaches(value: number, operator: ComparisonOperator, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      throw new RangeError(`Comparison operator ${operator} needs an anomaly detection band.`);
  }
}

export interface EvaluatedPeriod {
  /** Start of the period (epoch ms). */
  readonly start: number;
  /** The statistic's value, or undefined when the period has no data. */
  readonly value: number | undefined;
}

export interface EvaluationInput {
  /** Oldest first; exactly EvaluationPeriods entries. */
  readonly periods: readonly EvaluatedPeriod[];
  readonly datapointsToAlarm: number;
  readonly operator: ComparisonOperator;
  readonly threshold: number;
  readonly treatMissingData: TreatMissingData;
  readonly currentState: StateValue;
}

export interface Evaluation {
  /** The new state, or undefined when the alarm keeps its state (`ignore`). */
  readonly state: StateValue | undefined;
  readonly breaching: number;
  readonly missing: number;
  /** The M that applied (lowered for `missing` when fewer periods have data). */
  readonly required: number;
}

/** Applies M out of N with the alarm's treatment of missing data. */
export function evaluateAlarm(input: EvaluationInput): Evaluation {
  const n = input.periods.length;
  const present = input.periods.filter((period) => period.value !== undefined);
  const missing = n - present.length;
  const presentBreaching = present.filter((period) =>
    breaches(period.value as number, input.operator, input.threshold),
  ).length;
  const m = input.datapointsToAlarm;
  switch (input.treatMissingData) {
    case 'breaching': {
      const breaching = presentBreaching + missing;
      return { state: breaching >= m ? 'ALARM' : 'OK', breaching, missing, required: m };
    }
    case 'notBreaching':
      return {
        state: presentBreaching >= m ? 'ALARM' : 'OK',
        breaching: presentBreaching,
        missing,
        required: m,
      };
    case 'ignore': {
      let state: StateValue | undefined;
      if (presentBreaching >= m) state = 'ALARM';
      else if (presentBreaching + missing < m) state = 'OK';
      return { state, breaching: presentBreaching, missing, required: m };
    }
    default: {
      if (present.length === 0) {
        return { state: 'INSUFFICIENT_DATA', breaching: 0, missing, required: m };
      }
      const required = Math.min(m, present.length);
      return {
        state: presentBreaching >= required ? 'ALARM' : 'OK',
        breaching: presentBreaching,
        missing,
        required,
      };
    }
  }
}

const OPERATOR_TEXT: Record<string, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

/** Java's rendering of a double, as CloudWatch's texts show numbers: `4.0`, `0.25`. */
export function javaDouble(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** `dd/MM/yy HH:mm:ss` in UTC, as alarm reasons show times. */
function reasonTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(2, 4)} ${iso.slice(11, 19)}`;
}

/** `2025-01-01T00:05:00.000+0000`, as alarm states and reason data show times. */
export function alarmTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The state reason, in the words CloudWatch uses (approximately). */
export function reasonFor(
  evaluation: Evaluation,
  input: EvaluationInput,
  from: StateValue,
): string {
  const n = input.periods.length;
  const state = evaluation.state ?? input.currentState;
  if (state === 'INSUFFICIENT_DATA') {
    return `Insufficient Data: ${plural(n, 'datapoint')} ${n === 1 ? 'was' : 'were'} unknown.`;
  }
  const treatedAs = input.treatMissingData === 'breaching' ? 'Breaching' : 'NonBreaching';
  if (evaluation.missing === n) {
    return (
      `Threshold Crossed: no datapoints were received for ${plural(n, 'period')} and ` +
      `${plural(n, 'missing datapoint')} ${n === 1 ? 'was' : 'were'} treated as [${treatedAs}].`
    );
  }
  const operator = OPERATOR_TEXT[input.operator] ?? input.operator;
  const wantBreaching = state === 'ALARM';
  const shown = [...input.periods]
    .reverse()
    .filter(
      (period) =>
        period.value !== undefined &&
        breaches(period.value, input.operator, input.threshold) === wantBreaching,
    );
  const count = shown.length;
  const list = shown
    .map((period) => `${javaDouble(period.value as number)} (${reasonTime(period.start)})`)
    .join(', ');
  const verb = count === 1 ? 'was' : 'were';
  // Reaching ALARM takes M breaching points; leaving it takes N - M + 1 that do not breach.
  const minimum = wantBreaching ? evaluation.required : Math.max(1, n - evaluation.required + 1);
  const transition =
    from === state
      ? ''
      : ` (minimum ${plural(minimum, 'datapoint')} for ${from} -> ${state} transition)`;
  return (
    `Threshold Crossed: ${count} out of the last ${n} datapoints [${list}] ${verb} ` +
    `${wantBreaching ? '' : 'not '}${operator} the threshold (${javaDouble(input.threshold)})${transition}.`
  );
}
