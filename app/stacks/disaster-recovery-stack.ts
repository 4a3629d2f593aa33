import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { z } from 'zod';
import { DisasterRecoveryOrchestration } from '../../src/disaster-recovery/construct.js';
import type { DisasterRecoveryOrchestrationProps } from '../../src/disaster-recovery/construct-props.js';
import { ReferenceAppConfigError } from '../config-error.js';

/** Context key in cdk.json that configures the disaster-recovery reference stack. */
export const DISASTER_RECOVERY_CONTEXT_KEY = 'aws-ops-kit:disaster-recovery';

/**
 * The reference stack's settings, as written in cdk.json. Types and unknown keys are checked
 * here; values (regions, ARNs, ranges, the wait against the timeout) by the construct itself,
 * which names the prop each key feeds.
 */
export const DisasterRecoveryConfigSchema = z.strictObject({
  /** Regions of this account whose DRS the handlers use. */
  regions: z.array(z.string()),
  /** Roles in other accounts to assume for their DRS (one per account). */
  crossAccountRoleArns: z.array(z.string()).default([]),
  /** Alarm recipients of the two functions. Placeholder: ops-team@example.com. */
  alarmEmails: z.array(z.string()).default([]),
  iso27001: z.boolean().default(true),
  /** Subscribers of the DRS-RateLimitAlerts topic (escalations and rate-limit alarms). */
  alertEmails: z.array(z.string()).default([]),
  alertTopicName: z.string().optional(),
  limiter: z.enum(['local', 'shared']).optional(),
  ratePerSecond: z.number().optional(),
  burst: z.number().optional(),
  maxActiveJobs: z.number().optional(),
  throttlerTimeoutSeconds: z.number().optional(),
  pollIntervalSeconds: z.number().optional(),
  rateLimitErrorThreshold: z.number().optional(),
  retriesExhaustedThreshold: z.number().optional(),
  namePrefix: z.string().optional(),
  functionTimeoutSeconds: z.number().optional(),
});

export type DisasterRecoveryStackConfig = z.infer<typeof DisasterRecoveryConfigSchema>;

/** Parses the context value; the error names the context key and each bad field. */
export function parseDisasterRecoveryStackConfig(value: unknown): DisasterRecoveryStackConfig {
  if (value === undefined) {
    throw new ReferenceAppConfigError(
      `cdk.json context "${DISASTER_RECOVERY_CONTEXT_KEY}" is missing: add it (see docs/disaster-recovery.md, "Reference app").`,
    );
  }
  const result = DisasterRecoveryConfigSchema.safeParse(value);
  if (!result.success) {
    throw new ReferenceAppConfigError(
      `cdk.json context "${DISASTER_RECOVERY_CONTEXT_KEY}" is invalid:\n${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}

export interface DisasterRecoveryStackProps extends StackProps {
  readonly config: DisasterRecoveryStackConfig;
}

/**
 * The reference deployment of DisasterRecoveryOrchestration, configured from cdk.json, with the
 * construct's resources as CloudFormation outputs.
 */
export class DisasterRecoveryStack extends Stack {
  readonly orchestration: DisasterRecoveryOrchestration;

  constructor(scope: Construct, id: string, props: DisasterRecoveryStackProps) {
    super(scope, id, props);
    this.orchestration = new DisasterRecoveryOrchestration(
      this,
      'DisasterRecovery',
      toDisasterRecoveryProps(props.config),
    );
    const o = this.orchestration;
    const outputs: [string, string, string][] = [
      [
        'ExecutionFunctionName',
        o.executionFunction.functionName,
        'Starts, polls, terminates waves',
      ],
      ['QueryFunctionName', o.queryFunction.functionName, 'Regional and account DRS capacity'],
      ['AlertTopicArn', o.alertTopic.topicArn, 'Escalations and rate-limit alarms'],
      ['LimiterTableName', o.limiterTable.tableName, 'Shared DRS token buckets'],
      ['LeaseTableName', o.leaseTable.tableName, 'Capacity leases and idempotency records'],
    ];
    for (const [outputId, value, description] of outputs) {
      new CfnOutput(this, outputId, { value, description });
    }
  }
}

/** Maps the cdk.json settings onto DisasterRecoveryOrchestrationProps. */
export function toDisasterRecoveryProps(
  config: DisasterRecoveryStackConfig,
): DisasterRecoveryOrchestrationProps {
  const seconds = (value: number | undefined): Duration | undefined =>
    value === undefined ? undefined : Duration.seconds(value);
  return {
    regions: config.regions,
    crossAccountRoleArns: config.crossAccountRoleArns,
    alerts: { topicName: config.alertTopicName, emails: config.alertEmails },
    rateLimit: {
      limiter: config.limiter,
      ratePerSecond: config.ratePerSecond,
      burst: config.burst,
    },
    jobThrottler: {
      maxActiveJobs: config.maxActiveJobs,
      timeout: seconds(config.throttlerTimeoutSeconds),
      pollInterval: seconds(config.pollIntervalSeconds),
    },
    alarms: {
      rateLimitErrorThreshold: config.rateLimitErrorThreshold,
      retriesExhaustedThreshold: config.retriesExhaustedThreshold,
    },
    monitoring: { emails: config.alarmEmails, iso27001: config.iso27001 },
    functions: {
      namePrefix: config.namePrefix,
      timeout: seconds(config.functionTimeoutSeconds),
    },
  };
}
