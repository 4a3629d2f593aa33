import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
// Outside this repository: import { FunctionCode, MonitoredFunction } from 'aws-ops-kit';
import { FunctionCode, MonitoredFunction } from '../../../src/monitored-function/index.js';

const lambdaDir = join(dirname(fileURLToPath(import.meta.url)), 'lambda');

export interface ImmediateAlertsStackProps extends StackProps {
  /** Who is emailed when a payment fails (each address confirms its subscription once). */
  readonly alarmEmails: readonly string[];
}

/** A payment processor whose every failure is an incident: one error raises the alarm. */
export class ImmediateAlertsStack extends Stack {
  readonly processor: MonitoredFunction;

  constructor(scope: Construct, id: string, props: ImmediateAlertsStackProps) {
    super(scope, id, props);

    this.processor = new MonitoredFunction(this, 'PaymentProcessor', {
      functionName: 'payment-processor',
      code: FunctionCode.python({ sourceDir: lambdaDir, runtime: lambda.Runtime.PYTHON_3_15 }),
      timeout: Duration.seconds(30),
      memorySize: 256,
      alarms: {
        emails: props.alarmEmails,
        // Errors Sum > 0 in one minute: the first failed payment pages the team.
        errors: { strategy: 'immediate' },
        notifyOnOk: true,
      },
    });

    new CfnOutput(this, 'FunctionName', { value: this.processor.functionName });
    new CfnOutput(this, 'ErrorsAlarmArn', { value: this.processor.alarms.errors.alarmArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.processor.alarmTopicArn });
  }
}
