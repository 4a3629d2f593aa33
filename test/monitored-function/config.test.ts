import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  MONITORED_FUNCTION_DEFAULTS,
  hasDeadLetterQueue,
  insightsVersionOf,
  resolveAlarmConfig,
  timeoutSecondsOf,
} from '../../src/monitored-function/index.js';
import { pythonProps } from './support.js';

describe('config: resolved alarm settings', () => {
  it('applies every default', () => {
    expect(resolveAlarmConfig(pythonProps({ alarms: undefined }))).toEqual({
      functionName: 'orders-fn',
      timeoutSeconds: 60,
      errors: { strategy: 'immediate' },
      throttles: true,
      duration: undefined,
      memory: undefined,
      deadLetterQueue: false,
      onFailureDestination: false,
      asyncConfigured: false,
    });
  });

  it('fills threshold, duration and memory defaults, datapoints equal to periods', () => {
    const config = resolveAlarmConfig(
      pythonProps({
        timeout: Duration.seconds(10),
        alarms: {
          emails: ['a@example.com'],
          errors: { strategy: 'threshold', evaluationPeriods: 4 },
          duration: {},
          memory: { thresholdPercent: 95 },
        },
        async: { deadLetterQueue: false },
      }),
    );
    expect(config).toMatchObject({
      timeoutSeconds: 10,
      errors: {
        strategy: 'threshold',
        thresholdPercent: 5,
        evaluationPeriods: 4,
        datapointsToAlarm: 4,
      },
      duration: { thresholdPercent: 80, evaluationPeriods: 1, datapointsToAlarm: 1 },
      memory: { thresholdPercent: 95, evaluationPeriods: 1, datapointsToAlarm: 1 },
      deadLetterQueue: false,
      asyncConfigured: true,
    });
  });

  it('knows when there is a dead-letter queue, and when Insights is on', () => {
    expect(hasDeadLetterQueue(pythonProps({ async: { deadLetterQueue: true } }))).toBe(true);
    expect(hasDeadLetterQueue(pythonProps({ async: {} }))).toBe(false);
    expect(insightsVersionOf(pythonProps())).toBeUndefined();
    expect(insightsVersionOf(pythonProps({ insights: {} }))).toBe(
      MONITORED_FUNCTION_DEFAULTS.insightsVersion,
    );
    expect(
      insightsVersionOf(pythonProps({ alarms: { emails: ['a@example.com'], memory: {} } })),
    ).toBe(MONITORED_FUNCTION_DEFAULTS.insightsVersion);
    expect(
      insightsVersionOf(
        pythonProps({ insights: { version: lambda.LambdaInsightsVersion.VERSION_1_0_404_0 } }),
      ),
    ).toBe(lambda.LambdaInsightsVersion.VERSION_1_0_404_0);
    expect(timeoutSecondsOf(pythonProps({ timeout: Duration.minutes(2) }))).toBe(120);
  });
});
