import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  ALARM_KEYS,
  FunctionCode,
  MonitoredFunction,
  PYTHON_RUNTIMES,
} from '../../src/monitored-function/index.js';
import type {
  ErrorAlarmOptions,
  MonitoredFunctionProps,
} from '../../src/monitored-function/index.js';
import type { MonitoredFunctionConfig } from './monitored-function-config.js';
import { ReferenceAppConfigError } from '../config-error.js';

const HANDLER_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'handlers',
  'monitored-function',
);

export interface MonitoredFunctionStackProps extends StackProps {
  readonly config: MonitoredFunctionConfig;
}

/**
 * The reference deployment of MonitoredFunction: one Python function configured from cdk.json,
 * with every output of the construct as a CloudFormation output.
 */
export class MonitoredFunctionStack extends Stack {
  readonly monitored: MonitoredFunction;

  constructor(scope: Construct, id: string, props: MonitoredFunctionStackProps) {
    super(scope, id, props);
    this.monitored = new MonitoredFunction(this, 'ReferenceFunction', toProps(props.config));
    this.addOutputs();
  }

  private addOutputs(): void {
    const fn = this.monitored;
    const output = (id: string, value: string, description: string): void => {
      new CfnOutput(this, id, { value, description });
    };
    output('FunctionName', fn.functionName, 'Lambda function name');
    output('FunctionArn', fn.functionArn, 'Lambda function ARN');
    output('RoleName', fn.roleName, 'Execution role name (attach further policies here)');
    output('RoleArn', fn.roleArn, 'Execution role ARN');
    output('LogGroupName', fn.logGroupName, 'CloudWatch log group');
    output('AlarmTopicArn', fn.alarmTopicArn, 'SNS topic that receives every alarm');
    for (const key of ALARM_KEYS) {
      const alarm = fn.alarms[key];
      if (alarm) {
        output(
          `${key.charAt(0).toUpperCase()}${key.slice(1)}AlarmArn`,
          alarm.alarmArn,
          `Alarm ${key}`,
        );
      }
    }
    if (fn.deadLetterQueue) {
      output(
        'DeadLetterQueueUrl',
        fn.deadLetterQueue.queueUrl,
        'Dead-letter queue of failed async events',
      );
    }
    if (fn.alias) {
      output('AliasArn', fn.alias.functionArn, 'Alias with provisioned concurrency');
    }
    if (fn.dashboard) {
      output('DashboardName', fn.dashboard.dashboardName, 'CloudWatch dashboard');
    }
  }
}

/** Maps the cdk.json settings onto MonitoredFunctionProps. */
export function toProps(config: MonitoredFunctionConfig): MonitoredFunctionProps {
  const runtime = PYTHON_RUNTIMES.find((candidate) => candidate.name === config.pythonRuntime);
  if (runtime === undefined) {
    throw new ReferenceAppConfigError(
      `cdk.json context pythonRuntime "${config.pythonRuntime}" is not supported: use one of ${PYTHON_RUNTIMES.map((r) => r.name).join(', ')}.`,
    );
  }
  const errors: ErrorAlarmOptions =
    config.errorStrategy === 'threshold'
      ? {
          strategy: 'threshold',
          thresholdPercent: config.errorRateThresholdPercent,
          evaluationPeriods: config.errorEvaluationPeriods,
          datapointsToAlarm: config.errorDatapointsToAlarm,
        }
      : { strategy: 'immediate' };
  return {
    functionName: config.functionName,
    code: FunctionCode.python({ sourceDir: HANDLER_DIR, runtime }),
    architecture:
      config.architecture === 'x86_64' ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
    timeout: Duration.seconds(config.timeoutSeconds),
    memorySize: config.memorySize,
    logs: { retention: config.logRetentionDays as logs.RetentionDays },
    alarms: {
      iso27001: config.iso27001,
      emails: config.alarmEmails,
      errors,
      duration:
        config.durationAlarmPercent === undefined
          ? undefined
          : { thresholdPercent: config.durationAlarmPercent },
      memory:
        config.memoryAlarmPercent === undefined
          ? undefined
          : { thresholdPercent: config.memoryAlarmPercent },
    },
    async: { retryAttempts: config.retryAttempts, deadLetterQueue: config.deadLetterQueue },
    tracing: config.tracing,
    dashboard: config.dashboard ? {} : undefined,
  };
}
