/** The shape of a demo run: what each act did, whether it reached its expected outcome, and why. */

export type ActId = 'load-shedding' | 'task-starter' | 'workflow' | 'dr-drill' | 'monitoring';

/** One expected outcome of an act, checked after it ran. */
export interface DemoCheck {
  readonly name: string;
  readonly ok: boolean;
  /** What was seen (numbers), so a failed check says why. */
  readonly detail: string;
}

/** One line of the timeline; seconds are virtual seconds from the start of the act. */
export interface DemoEvent {
  readonly atSeconds: number;
  readonly text: string;
}

/** A line chart over minutes, drawn by src/common/svg-chart.ts. */
export interface DemoLineChart {
  readonly kind: 'line';
  readonly title: string;
  readonly yLabel: string;
  readonly yMax?: number;
  readonly series: readonly {
    readonly label: string;
    readonly values: readonly number[];
    readonly step?: boolean;
    readonly dashed?: boolean;
  }[];
}

/** A state band over minutes (e.g. the alarm state). */
export interface DemoBandChart {
  readonly kind: 'band';
  readonly title: string;
  readonly states: readonly string[];
  readonly markers: readonly { readonly minute: number; readonly label: string }[];
}

export type DemoChart = DemoLineChart | DemoBandChart;

/** A Lambda function an act ran, by its role in the capability's construct. */
export interface FunctionUse {
  /** The function name the demo's constructs give it (see inventory.ts). */
  readonly functionName: string;
  readonly invocations: number;
  readonly errors: number;
}

/** Datapoints of one CloudWatch metric the act produced, for the alarm audit. */
export interface MetricSeries {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Virtual epoch milliseconds and value. */
  readonly points: readonly { readonly time: number; readonly value: number }[];
}

export interface ActResult {
  readonly id: ActId;
  readonly title: string;
  readonly checks: readonly DemoCheck[];
  /** Headline numbers for the summary. */
  readonly facts: readonly { readonly label: string; readonly value: string }[];
  readonly events: readonly DemoEvent[];
  readonly charts: readonly DemoChart[];
  readonly functions: readonly FunctionUse[];
  readonly metrics: readonly MetricSeries[];
  /** Virtual time the act covered. */
  readonly virtualSeconds: number;
  /** The act whose simulated run this one shares (its time is counted once). */
  readonly sharesRunWith?: ActId;
  /** Wall time the act took. */
  readonly wallMs: number;
  /** Alarms the act found would have fired (the monitoring act fills this). */
  readonly firedAlarms?: readonly FiredAlarm[];
}

/** An alarm of the demo's constructs that the act's metrics would have set to ALARM. */
export interface FiredAlarm {
  readonly alarmName: string;
  readonly act: ActId;
  /** Virtual seconds from the start of the act. */
  readonly atSeconds: number;
  readonly reason: string;
}

export interface DemoResult {
  readonly seed: number;
  readonly acts: readonly ActResult[];
  readonly firedAlarms: readonly FiredAlarm[];
  /** Every check of every act passed. */
  readonly ok: boolean;
  readonly wallMs: number;
}

export const passed = (act: Pick<ActResult, 'checks'>): boolean =>
  act.checks.length > 0 && act.checks.every((check) => check.ok);
