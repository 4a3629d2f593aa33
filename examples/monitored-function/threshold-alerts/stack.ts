import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
// Outside this repository: import { FunctionCode, MonitoredFunction } from 'aws-ops-kit';
import { FunctionCode, MonitoredFunction } from '../../../src/monitored-function/index.js';

const lambdaDir = join(dirname(fileURLToPath(import.meta.url)), 'lambda');

export interface ThresholdAlertsStackProps extends StackProps {
  /** Who is emailed when the error rate stays high. */
  readonly alarmEmails: readonly string[];
}

/**
 * An asynchronous event enricher that tolerates the odd failure (it is retried, then kept in a
 * dead-letter queue) but alarms when the error rate stays above 5% for two minutes in a row.
 */
export class ThresholdAlertsStack extends Stack {
  readonly enricher: MonitoredFunction;

  constructor(scope: Construct, id: string, props: ThresholdAlertsStackProps) {
    super(scope, id, props);

    this.enricher = new MonitoredFunction(this, 'EventEnricher', {
      functionName: 'event-enricher',
      code: FunctionCode.python({ sourceDir: lambdaDir, runtime: lambda.Runtime.PYTHON_3_15 }),
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(20),
      environment: { SIMULATED_FAILURE_RATE: '0' },
      alarms: {
        emails: props.alarmEmails,
        // 100 × Errors / Invocations > 5% in 2 of 2 one-minute periods.
        errors: {
          strategy: 'threshold',
          thresholdPercent: 5,
          evaluationPeriods: 2,
          datapointsToAlarm: 2,
        },
        // Maximum duration above 80% of the 20 s timeout.
        duration: { thresholdPercent: 80 },
      },
      async: { retryAttempts: 2, maxEventAge: Duration.hours(1), deadLetterQueue: true },
      dashboard: {},
    });

    new CfnOutput(this, 'FunctionName', { value: this.enricher.functionName });
    new CfnOutput(this, 'ErrorRateAlarmArn', { value: this.enricher.alarms.errors.alarmArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.enricher.deadLetterQueue!.queueUrl });
  }
}
