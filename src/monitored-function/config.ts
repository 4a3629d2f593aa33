import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { MONITORED_FUNCTION_DEFAULTS as D } from './defaults.js';
import type { MonitoredFunctionAlarmOptions, MonitoredFunctionProps } from './props.js';

/** A percentage alarm with every default applied. */
export interface ResolvedPercentAlarm {
  readonly thresholdPercent: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/** The error alarm with every default applied. */
export type ResolvedErrorAlarm =
  { readonly strategy: 'immediate' } | ({ readonly strategy: 'threshold' } & ResolvedPercentAlarm);

/** What the alarm planner needs, defaults applied. Pure data. */
export interface ResolvedAlarmConfig {
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly errors: ResolvedErrorAlarm;
  readonly throttles: boolean;
  readonly duration: ResolvedPercentAlarm | undefined;
  readonly memory: ResolvedPercentAlarm | undefined;
  /** A dead-letter queue exists (created or given). */
  readonly deadLetterQueue: boolean;
  /** An on-failure destination is configured. */
  readonly onFailureDestination: boolean;
  /** The `async` option group is set (async use is declared). */
  readonly asyncConfigured: boolean;
}

/** Applies the defaults to the alarm-related props. Assumes the props passed validation. */
export function resolveAlarmConfig(props: MonitoredFunctionProps): ResolvedAlarmConfig {
  const alarms: MonitoredFunctionAlarmOptions = props.alarms ?? {};
  return {
    functionName: props.functionName,
    timeoutSeconds: timeoutSecondsOf(props),
    errors: resolveErrorAlarm(alarms),
    throttles: alarms.throttles ?? D.throttles,
    duration: resolvePercent(alarms.duration, D.durationThresholdPercent),
    memory: resolvePercent(alarms.memory, D.memoryThresholdPercent),
    deadLetterQueue: hasDeadLetterQueue(props),
    onFailureDestination: props.async?.onFailure !== undefined,
    asyncConfigured: props.async !== undefined,
  };
}

export function timeoutSecondsOf(props: MonitoredFunctionProps): number {
  return props.timeout?.toSeconds() ?? D.timeoutSeconds;
}

export function hasDeadLetterQueue(props: MonitoredFunctionProps): boolean {
  const dlq = props.async?.deadLetterQueue;
  return dlq !== undefined && dlq !== false;
}

/** Insights is on when asked for, or implied by the memory alarm (its metric comes from it). */
export function insightsVersionOf(
  props: MonitoredFunctionProps,
): lambda.LambdaInsightsVersion | undefined {
  if (props.insights === undefined && props.alarms?.memory === undefined) {
    return undefined;
  }
  return props.insights?.version ?? D.insightsVersion;
}

function resolveErrorAlarm(alarms: MonitoredFunctionAlarmOptions): ResolvedErrorAlarm {
  const errors = alarms.errors ?? { strategy: D.errorStrategy };
  if (errors.strategy === 'immediate') {
    return { strategy: 'immediate' };
  }
  const evaluationPeriods = errors.evaluationPeriods ?? D.errorEvaluationPeriods;
  return {
    strategy: 'threshold',
    thresholdPercent: errors.thresholdPercent ?? D.errorThresholdPercent,
    evaluationPeriods,
    datapointsToAlarm: errors.datapointsToAlarm ?? evaluationPeriods,
  };
}

function resolvePercent(
  options: MonitoredFunctionAlarmOptions['duration'],
  defaultPercent: number,
): ResolvedPercentAlarm | undefined {
  if (options === undefined) {
    return undefined;
  }
  const evaluationPeriods = options.evaluationPeriods ?? D.percentEvaluationPeriods;
  return {
    thresholdPercent: options.thresholdPercent ?? defaultPercent,
    evaluationPeriods,
    datapointsToAlarm: options.datapointsToAlarm ?? evaluationPeriods,
  };
}
