import { z } from 'zod';
import { ReferenceAppConfigError } from '../config-error.js';

/** Context key in cdk.json that configures the MonitoredFunction reference stack. */
export const MONITORED_FUNCTION_CONTEXT_KEY = 'aws-ops-kit:monitored-function';

/**
 * The reference stack's settings, as written in cdk.json. Types and unknown keys are checked
 * here; ranges (timeout, memory, thresholds, ...) by MonitoredFunction itself, which names the
 * prop each key feeds.
 */
export const MonitoredFunctionConfigSchema = z.strictObject({
  /** Lambda function name; the log group, topic and alarms are named after it. */
  functionName: z.string(),
  /** Alarm recipients. Placeholder: ops-team@example.com. */
  alarmEmails: z.array(z.string()).default([]),
  /** ISO27001 mode: at least one alarm email required. */
  iso27001: z.boolean().default(true),
  architecture: z.enum(['arm64', 'x86_64']).default('arm64'),
  /** A Python runtime name, e.g. python3.15. */
  pythonRuntime: z.string().default('python3.15'),
  timeoutSeconds: z.number().default(60),
  memorySize: z.number().default(128),
  logRetentionDays: z.number().default(365),
  errorStrategy: z.enum(['immediate', 'threshold']).default('immediate'),
  /** Threshold strategy only. */
  errorRateThresholdPercent: z.number().optional(),
  errorEvaluationPeriods: z.number().optional(),
  errorDatapointsToAlarm: z.number().optional(),
  /** Adds the duration alarm at this percentage of the timeout. */
  durationAlarmPercent: z.number().optional(),
  /** Adds the memory alarm (and Lambda Insights) at this percentage. */
  memoryAlarmPercent: z.number().optional(),
  retryAttempts: z.number().optional(),
  deadLetterQueue: z.boolean().default(false),
  tracing: z.boolean().default(false),
  dashboard: z.boolean().default(false),
});

export type MonitoredFunctionConfig = z.infer<typeof MonitoredFunctionConfigSchema>;

/** Parses the context value; the error names the context key and each bad field. */
export function parseMonitoredFunctionConfig(value: unknown): MonitoredFunctionConfig {
  if (value === undefined) {
    throw new ReferenceAppConfigError(
      `cdk.json context "${MONITORED_FUNCTION_CONTEXT_KEY}" is missing: add it (see docs/monitored-function.md, "Reference app").`,
    );
  }
  const result = MonitoredFunctionConfigSchema.safeParse(value);
  if (!result.success) {
    throw new ReferenceAppConfigError(
      `cdk.json context "${MONITORED_FUNCTION_CONTEXT_KEY}" is invalid:\n${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}
