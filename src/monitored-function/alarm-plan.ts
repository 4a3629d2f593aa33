import type { ResolvedAlarmConfig, ResolvedPercentAlarm } from './config.js';
import { MONITORED_FUNCTION_DEFAULTS } from './defaults.js';
import { alarmNameOf, logGroupNameOf } from './naming.js';
import type { AlarmKey } from './naming.js';

/**
 * Which alarms a MonitoredFunction gets and how each is defined, as plain data. Pure: the
 * construct turns each spec into a CloudWatch alarm; tests check the rules here directly.
 */

export type AlarmStatistic = 'Sum' | 'Maximum';

export interface MetricSpec {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: AlarmStatistic;
}

export type AlarmSource =
  | { readonly kind: 'metric'; readonly metric: MetricSpec }
  | {
      readonly kind: 'expression';
      readonly expression: string;
      readonly label: string;
      /** Metrics by the id the expression uses. */
      readonly metrics: Readonly<Record<string, MetricSpec>>;
    };

export interface AlarmSpec {
  readonly key: AlarmKey;
  readonly alarmName: string;
  readonly description: string;
  readonly source: AlarmSource;
  /** The alarm fires when the value is greater than this. */
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly periodSeconds: number;
}

/** References that only exist once resources do (tokens are fine: they are just strings). */
export interface AlarmTargets {
  /** The function name as the metrics' FunctionName dimension (usually the function's Ref). */
  readonly functionName: string;
  /** The dead-letter queue's name, when there is one. */
  readonly deadLetterQueueName?: string;
}

/**
 * 100 × Errors / Invocations, guarded: a period with no invocations counts as 0%, never as a
 * division by zero.
 */
export const ERROR_RATE_EXPRESSION = 'IF(invocations > 0, 100 * errors / invocations, 0)';

const LAMBDA = 'AWS/Lambda';
const PERIOD = MONITORED_FUNCTION_DEFAULTS.alarmPeriodSeconds;

export function planAlarms(config: ResolvedAlarmConfig, targets: AlarmTargets): AlarmSpec[] {
  const fn = config.functionName;
  const lambdaMetric = (metricName: string, statistic: AlarmStatistic): MetricSpec => ({
    namespace: LAMBDA,
    metricName,
    dimensions: { FunctionName: targets.functionName },
    statistic,
  });
  const onFirst = (key: AlarmKey, metricName: string, description: string): AlarmSpec =>
    spec(key, fn, description, { kind: 'metric', metric: lambdaMetric(metricName, 'Sum') }, 0, {
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });

  const specs: AlarmSpec[] = [errorAlarm(config, lambdaMetric)];
  if (config.throttles) {
    specs.push(
      onFirst(
        'throttles',
        'Throttles',
        `${fn}: Lambda throttled invocations (Throttles Sum > 0 in one minute). Raise the function's reserved concurrency or the account limit, or slow the callers down.`,
      ),
    );
  }
  if (config.duration) {
    specs.push(durationAlarm(config, config.duration, lambdaMetric('Duration', 'Maximum')));
  }
  if (config.memory) {
    specs.push(memoryAlarm(fn, config.memory, targets.functionName));
  }
  if (config.deadLetterQueue && targets.deadLetterQueueName !== undefined) {
    specs.push(
      spec(
        'deadLetterQueue',
        fn,
        `${fn}: failed events are waiting in the dead-letter queue (ApproximateNumberOfMessagesVisible > 0). Inspect them, fix the cause, then redrive or delete them.`,
        {
          kind: 'metric',
          metric: {
            namespace: 'AWS/SQS',
            metricName: 'ApproximateNumberOfMessagesVisible',
            dimensions: { QueueName: targets.deadLetterQueueName },
            statistic: 'Maximum',
          },
        },
        0,
        { evaluationPeriods: 1, datapointsToAlarm: 1 },
      ),
    );
  }
  if (config.deadLetterQueue) {
    specs.push(
      onFirst(
        'deadLetterErrors',
        'DeadLetterErrors',
        `${fn}: Lambda could not send failed events to the dead-letter queue (DeadLetterErrors Sum > 0); those events are lost. Check the queue still exists and the role may send to it (and use its KMS key).`,
      ),
    );
  }
  if (config.onFailureDestination) {
    specs.push(
      onFirst(
        'destinationDeliveryFailures',
        'DestinationDeliveryFailures',
        `${fn}: Lambda could not deliver failed events to the on-failure destination (DestinationDeliveryFailures Sum > 0). Check the destination exists and the role may write to it.`,
      ),
    );
  }
  if (config.asyncConfigured && !config.deadLetterQueue && !config.onFailureDestination) {
    specs.push(
      onFirst(
        'asyncEventsDropped',
        'AsyncEventsDropped',
        `${fn}: asynchronous events were dropped after every attempt (AsyncEventsDropped Sum > 0) and no dead-letter queue or on-failure destination keeps them. Configure async.deadLetterQueue or async.onFailure to keep failed events.`,
      ),
    );
  }
  return specs;
}

function errorAlarm(
  config: ResolvedAlarmConfig,
  lambdaMetric: (metricName: string, statistic: AlarmStatistic) => MetricSpec,
): AlarmSpec {
  const fn = config.functionName;
  const errors = config.errors;
  if (errors.strategy === 'immediate') {
    return spec(
      'errors',
      fn,
      `${fn}: at least one invocation failed in the last minute (Errors Sum > 0). Immediate error alert (ISO27001): read the errors in ${logGroupNameOf(fn)}.`,
      { kind: 'metric', metric: lambdaMetric('Errors', 'Sum') },
      0,
      { evaluationPeriods: 1, datapointsToAlarm: 1 },
    );
  }
  return spec(
    'errors',
    fn,
    `${fn}: error rate above ${errors.thresholdPercent}% (100 × Errors / Invocations) in ${errors.datapointsToAlarm} of ${errors.evaluationPeriods} one-minute periods. Read the errors in ${logGroupNameOf(fn)}.`,
    {
      kind: 'expression',
      expression: ERROR_RATE_EXPRESSION,
      label: 'Error rate (%)',
      metrics: {
        errors: lambdaMetric('Errors', 'Sum'),
        invocations: lambdaMetric('Invocations', 'Sum'),
      },
    },
    errors.thresholdPercent,
    errors,
  );
}

function durationAlarm(
  config: ResolvedAlarmConfig,
  options: ResolvedPercentAlarm,
  metric: MetricSpec,
): AlarmSpec {
  const fn = config.functionName;
  const thresholdMs = (config.timeoutSeconds * 1000 * options.thresholdPercent) / 100;
  return spec(
    'duration',
    fn,
    `${fn}: the slowest invocation took more than ${options.thresholdPercent}% of the ${config.timeoutSeconds} s timeout (Duration Maximum > ${thresholdMs} ms) in ${options.datapointsToAlarm} of ${options.evaluationPeriods} one-minute periods; invocations are close to being killed.`,
    { kind: 'metric', metric },
    thresholdMs,
    options,
  );
}

function memoryAlarm(
  fn: string,
  options: ResolvedPercentAlarm,
  functionNameDimension: string,
): AlarmSpec {
  return spec(
    'memory',
    fn,
    `${fn}: an invocation used more than ${options.thresholdPercent}% of the function's memory (Lambda Insights memory_utilization Maximum) in ${options.datapointsToAlarm} of ${options.evaluationPeriods} one-minute periods. Raise memorySize before it runs out.`,
    {
      kind: 'metric',
      metric: {
        namespace: 'LambdaInsights',
        metricName: 'memory_utilization',
        // Lambda Insights publishes per function under this dimension (not FunctionName).
        dimensions: { function_name: functionNameDimension },
        statistic: 'Maximum',
      },
    },
    options.thresholdPercent,
    options,
  );
}

function spec(
  key: AlarmKey,
  functionName: string,
  description: string,
  source: AlarmSource,
  threshold: number,
  periods: { readonly evaluationPeriods: number; readonly datapointsToAlarm: number },
): AlarmSpec {
  return {
    key,
    alarmName: alarmNameOf(functionName, key),
    description,
    source,
    threshold,
    evaluationPeriods: periods.evaluationPeriods,
    datapointsToAlarm: periods.datapointsToAlarm,
    periodSeconds: PERIOD,
  };
}
