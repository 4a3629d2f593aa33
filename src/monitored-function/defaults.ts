import { RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';

/** Every default of MonitoredFunctionProps, in one place for the construct, tests and docs. */
export const MONITORED_FUNCTION_DEFAULTS = Object.freeze({
  /** Graviton: cheaper per GB-second than x86_64 for the same work. */
  architecture: lambda.Architecture.ARM_64,
  timeoutSeconds: 60,
  memorySize: 128,
  logRetention: logs.RetentionDays.ONE_YEAR,
  logRemovalPolicy: RemovalPolicy.RETAIN,
  iso27001: true,
  errorStrategy: 'immediate' as const,
  errorThresholdPercent: 5,
  errorEvaluationPeriods: 2,
  throttles: true,
  durationThresholdPercent: 80,
  memoryThresholdPercent: 80,
  percentEvaluationPeriods: 1,
  notifyOnOk: false,
  /** Every alarm evaluates one-minute periods (Lambda publishes its metrics every minute). */
  alarmPeriodSeconds: 60,
  retryAttempts: 0,
  tracing: false,
  insightsVersion: lambda.LambdaInsightsVersion.VERSION_1_0_498_0,
  /** The alias that carries provisioned concurrency. */
  aliasName: 'live',
  deadLetterQueueRetentionDays: 14,
});

/** Limits Lambda and CloudWatch put on the props (Lambda quotas page, CloudWatch API reference). */
export const LIMITS = Object.freeze({
  timeoutSeconds: { min: 1, max: 900 },
  memorySize: { min: 128, max: 10_240 },
  descriptionLength: 256,
  environmentBytes: 4096,
  handlerLength: 128,
  retryAttempts: { min: 0, max: 2 },
  maxEventAgeSeconds: { min: 60, max: 21_600 },
  /** CloudWatch: evaluationPeriods × period must not exceed one day; 1440 one-minute periods. */
  evaluationPeriods: { min: 1, max: 1440 },
  tagKeyLength: 128,
  tagValueLength: 256,
});

/** Keys Lambda reserves; a function cannot set them (Lambda developer guide, "Defined runtime environment variables"). */
export const RESERVED_ENVIRONMENT_KEYS: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** The retention values CloudWatch Logs accepts (PutRetentionPolicy), in days; 9999 = never expire. */
export const VALID_RETENTION_DAYS: readonly number[] = Object.freeze(
  Object.values(logs.RetentionDays)
    .filter((value): value is number => typeof value === 'number')
    .sort((a, b) => a - b),
);
