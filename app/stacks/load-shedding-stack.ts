import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { z } from 'zod';
import { LoadShedding, parseTargetGroupArn } from '../../src/load-shedding/index.js';
import type {
  LoadSheddingAlarmDefinition,
  LoadSheddingProps,
} from '../../src/load-shedding/index.js';
import { ReferenceAppConfigError } from '../config-error.js';

/** Context key in cdk.json that configures the LoadShedding reference stack. */
export const LOAD_SHEDDING_CONTEXT_KEY = 'aws-ops-kit:load-shedding';

/**
 * The reference stack's settings, as written in cdk.json. Types and unknown keys are checked
 * here; values (ARNs, ranges, the timeout against the delays) by LoadShedding itself, which
 * names the prop each key feeds.
 */
export const LoadSheddingConfigSchema = z.strictObject({
  /** The target group to shed from. Placeholder: replace it (and the listeners) before deploying. */
  primaryTargetGroupArn: z.string(),
  /** The ALB listeners whose rules forward to the primary. */
  listenerArns: z.array(z.string()),
  /** Alarm recipients (both functions). Placeholder: ops-team@example.com. */
  alarmEmails: z.array(z.string()).default([]),
  iso27001: z.boolean().default(true),
  /** Use an existing alarm (metric, metric-math or composite) instead of the alarm* settings. */
  alarmArn: z.string().optional(),
  /** Threshold of the created alarm (required without alarmArn). */
  alarmThreshold: z.number().optional(),
  alarmMetricName: z.string().optional(),
  alarmStatistic: z.string().optional(),
  alarmEvaluationPeriods: z.number().optional(),
  alarmDatapointsToAlarm: z.number().optional(),
  alarmPeriodSeconds: z.number().optional(),
  shedPercent: z.number().optional(),
  restorePercent: z.number().optional(),
  maxShedPercent: z.number().optional(),
  shedDelaySeconds: z.number().optional(),
  restoreDelaySeconds: z.number().optional(),
  /** Log and record decisions without writing to ELBv2. The placeholder config starts with true. */
  dryRun: z.boolean().default(false),
  namePrefix: z.string().optional(),
  functionTimeoutSeconds: z.number().optional(),
  metricsNamespace: z.string().optional(),
});

export type LoadSheddingStackConfig = z.infer<typeof LoadSheddingConfigSchema>;

/** Parses the context value; the error names the context key and each bad field. */
export function parseLoadSheddingStackConfig(value: unknown): LoadSheddingStackConfig {
  if (value === undefined) {
    throw new ReferenceAppConfigError(
      `cdk.json context "${LOAD_SHEDDING_CONTEXT_KEY}" is missing: add it (see docs/load-shedding.md, "Reference app").`,
    );
  }
  const result = LoadSheddingConfigSchema.safeParse(value);
  if (!result.success) {
    throw new ReferenceAppConfigError(
      `cdk.json context "${LOAD_SHEDDING_CONTEXT_KEY}" is invalid:\n${z.prettifyError(result.error)}`,
    );
  }
  const config = result.data;
  if (config.alarmArn === undefined && config.alarmThreshold === undefined) {
    throw new ReferenceAppConfigError(
      `cdk.json context "${LOAD_SHEDDING_CONTEXT_KEY}" needs alarmThreshold (for the alarm the stack creates) or alarmArn (an existing alarm).`,
    );
  }
  return config;
}

/**
 * Where the stack must deploy: the account and region of the primary target group (rules can
 * only be changed from their own account, and alarm events reach only their own region).
 * `undefined` when the ARN cannot be read; LoadShedding then reports it by prop.
 */
export function loadSheddingStackEnv(
  config: LoadSheddingStackConfig,
): { account: string; region: string } | undefined {
  const parts = parseTargetGroupArn(config.primaryTargetGroupArn);
  return parts && { account: parts.accountId, region: parts.region };
}

export interface LoadSheddingStackProps extends StackProps {
  readonly config: LoadSheddingStackConfig;
}

/**
 * The reference deployment of LoadShedding for an existing Application Load Balancer, configured
 * from cdk.json, with the construct's resources as CloudFormation outputs.
 */
export class LoadSheddingStack extends Stack {
  readonly shedding: LoadShedding;

  constructor(scope: Construct, id: string, props: LoadSheddingStackProps) {
    super(scope, id, props);
    this.shedding = new LoadShedding(this, 'LoadShedding', toLoadSheddingProps(this, props.config));
    this.addOutputs();
  }

  private addOutputs(): void {
    const s = this.shedding;
    const outputs: [string, string, string][] = [
      ['AlarmName', s.alarm.alarmName, 'Alarm that drives shedding'],
      ['AlarmArn', s.alarm.alarmArn, 'Alarm that drives shedding'],
      ['AlarmStateRuleArn', s.alarmStateRule.ruleArn, 'EventBridge rule of the alarm events'],
      ['AlarmEventFunctionName', s.alarmEventFunction.functionName, 'Handles alarm events'],
      ['CheckQueueFunctionName', s.checkQueueFunction.functionName, 'Handles check messages'],
      ['CheckQueueUrl', s.checkQueue.queueUrl, 'Delayed check messages'],
      ['DeadLetterQueueUrl', s.deadLetterQueue.queueUrl, 'What the controller could not process'],
      ['DeadLetterQueueAlarmArn', s.deadLetterQueueAlarm.alarmArn, 'Dead-letter queue depth > 0'],
      ['StateTableName', s.stateTable.tableName, 'Controller state, key pk = primary ARN'],
    ];
    for (const [id, value, description] of outputs) {
      new CfnOutput(this, id, { value, description });
    }
  }
}

/** Maps the cdk.json settings onto LoadSheddingProps. */
export function toLoadSheddingProps(
  scope: Construct,
  config: LoadSheddingStackConfig,
): LoadSheddingProps {
  const seconds = (value: number | undefined): Duration | undefined =>
    value === undefined ? undefined : Duration.seconds(value);
  const definition: LoadSheddingAlarmDefinition = {
    threshold: config.alarmThreshold ?? Number.NaN,
    metricName: config.alarmMetricName,
    statistic: config.alarmStatistic,
    evaluationPeriods: config.alarmEvaluationPeriods,
    datapointsToAlarm: config.alarmDatapointsToAlarm,
    period: seconds(config.alarmPeriodSeconds),
  };
  return {
    primaryTargetGroup: config.primaryTargetGroupArn,
    listeners: config.listenerArns,
    alarm:
      config.alarmArn === undefined
        ? definition
        : cloudwatch.Alarm.fromAlarmArn(scope, 'ExistingAlarm', config.alarmArn),
    policy: {
      shedPercent: config.shedPercent,
      restorePercent: config.restorePercent,
      maxShedPercent: config.maxShedPercent,
      shedDelay: seconds(config.shedDelaySeconds),
      restoreDelay: seconds(config.restoreDelaySeconds),
    },
    dryRun: config.dryRun,
    metricsNamespace: config.metricsNamespace,
    monitoring: { emails: config.alarmEmails, iso27001: config.iso27001 },
    functions: {
      namePrefix: config.namePrefix,
      timeout: seconds(config.functionTimeoutSeconds),
    },
  };
}
