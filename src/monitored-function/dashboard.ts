import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ERROR_RATE_EXPRESSION } from './alarm-plan.js';

export interface FunctionDashboardInputs {
  readonly dashboardName: string;
  readonly function: lambda.IFunction;
  readonly timeoutSeconds: number;
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** Adds a memory-utilisation graph (its metric comes from Lambda Insights). */
  readonly insights: boolean;
  readonly deadLetterQueue?: sqs.IQueue;
}

const PERIOD = Duration.minutes(1);

/**
 * One dashboard per function: alarm states first (what is wrong now), then traffic, errors,
 * latency against the timeout, concurrency, and memory / dead-letter depth when they exist.
 */
export function createFunctionDashboard(
  scope: Construct,
  id: string,
  inputs: FunctionDashboardInputs,
): cloudwatch.Dashboard {
  const fn = inputs.function;
  const dashboard = new cloudwatch.Dashboard(scope, id, {
    dashboardName: inputs.dashboardName,
    defaultInterval: Duration.hours(3),
  });
  dashboard.addWidgets(
    new cloudwatch.AlarmStatusWidget({
      title: 'Alarms',
      alarms: [...inputs.alarms],
      width: 24,
      height: 3,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Invocations, errors and throttles (per minute)',
      left: [
        fn.metricInvocations({ statistic: 'Sum', period: PERIOD }),
        fn.metricErrors({ statistic: 'Sum', period: PERIOD }),
        fn.metricThrottles({ statistic: 'Sum', period: PERIOD }),
      ],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Error rate (%)',
      left: [
        new cloudwatch.MathExpression({
          expression: ERROR_RATE_EXPRESSION,
          usingMetrics: {
            errors: fn.metricErrors({ statistic: 'Sum', period: PERIOD }),
            invocations: fn.metricInvocations({ statistic: 'Sum', period: PERIOD }),
          },
          label: 'Error rate (%)',
          period: PERIOD,
        }),
      ],
      leftYAxis: { min: 0, max: 100 },
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Duration (ms)',
      left: ['p50', 'p99', 'Maximum'].map((statistic) =>
        fn.metricDuration({ statistic, period: PERIOD, label: `Duration ${statistic}` }),
      ),
      leftAnnotations: [
        { value: inputs.timeoutSeconds * 1000, label: 'Timeout', color: cloudwatch.Color.RED },
      ],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Concurrent executions',
      left: [fn.metric('ConcurrentExecutions', { statistic: 'Maximum', period: PERIOD })],
      width: 12,
    }),
  );
  const extras: cloudwatch.IWidget[] = [];
  if (inputs.insights) {
    extras.push(
      new cloudwatch.GraphWidget({
        title: 'Memory utilisation (%)',
        left: [
          new cloudwatch.Metric({
            namespace: 'LambdaInsights',
            metricName: 'memory_utilization',
            dimensionsMap: { function_name: fn.functionName },
            statistic: 'Maximum',
            period: PERIOD,
          }),
        ],
        leftYAxis: { min: 0, max: 100 },
        width: 12,
      }),
    );
  }
  if (inputs.deadLetterQueue) {
    extras.push(
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depth',
        left: [
          inputs.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            period: PERIOD,
          }),
        ],
        width: 12,
      }),
    );
  }
  if (extras.length > 0) {
    dashboard.addWidgets(...extras);
  }
  return dashboard;
}
