import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { z } from 'zod';
import { parseTargetGroupArn } from '../../src/task-starter/contract.js';
import { EcsTaskStarter } from '../../src/task-starter/construct.js';
import type { EcsTaskStarterProps } from '../../src/task-starter/construct-props.js';
import { ReferenceAppConfigError } from '../config-error.js';

/** Context key in cdk.json that configures the EcsTaskStarter reference stack. */
export const TASK_STARTER_CONTEXT_KEY = 'aws-ops-kit:task-starter';

/**
 * The reference stack's settings, as written in cdk.json. Types and unknown keys are checked
 * here; values (names, ARNs, ids, ranges) by EcsTaskStarter itself, which names the prop each
 * key feeds.
 */
export const TaskStarterConfigSchema = z.strictObject({
  /** Cluster name or ARN. Placeholder: replace it (and the ARNs below) before deploying. */
  cluster: z.string(),
  /** Task definition family (RunTask is allowed on every revision of it). */
  taskDefinitionFamily: z.string(),
  /** A revision to start by default. Unset: the family's latest revision. */
  taskDefinitionArn: z.string().optional(),
  /** The definition's task role and execution role: the only roles the starter may pass. */
  taskRoleArn: z.string().optional(),
  executionRoleArn: z.string().optional(),
  /** Target groups tasks may be registered with; the first is the default. */
  targetGroupArns: z.array(z.string()).min(1),
  targetGroupVpcCidrs: z.array(z.string()).optional(),
  containerName: z.string().optional(),
  containerPort: z.number().optional(),
  subnets: z.array(z.string()).optional(),
  securityGroups: z.array(z.string()).optional(),
  assignPublicIp: z.boolean().optional(),
  launchType: z.enum(['FARGATE', 'EC2']).optional(),
  /** Instead of launchType, e.g. [{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }]. */
  capacityProviderStrategy: z
    .array(
      z.strictObject({
        capacityProvider: z.string(),
        weight: z.number().optional(),
        base: z.number().optional(),
      }),
    )
    .optional(),
  mode: z.enum(['event-driven', 'synchronous']).default('event-driven'),
  taskWaitTimeoutSeconds: z.number().optional(),
  waitForHealthySeconds: z.number().optional(),
  /** Start event pattern (EventBridge syntax, camelCase keys as in CDK's EventPattern). */
  startEventSource: z.array(z.string()).optional(),
  startEventDetailType: z.array(z.string()).optional(),
  reconcileEnabled: z.boolean().default(true),
  reconcileIntervalMinutes: z.number().optional(),
  reconcileMode: z.enum(['owned', 'shared']).optional(),
  startedByPrefix: z.string().optional(),
  startAttempts: z.number().optional(),
  /** Alarm recipients (every function and the starter's alarms). Placeholder: ops-team@example.com. */
  alarmEmails: z.array(z.string()).default([]),
  iso27001: z.boolean().default(true),
  namePrefix: z.string().optional(),
  metricsNamespace: z.string().optional(),
});

export type TaskStarterStackConfig = z.infer<typeof TaskStarterConfigSchema>;

/** Parses the context value; the error names the context key and each bad field. */
export function parseTaskStarterStackConfig(value: unknown): TaskStarterStackConfig {
  if (value === undefined) {
    throw new ReferenceAppConfigError(
      `cdk.json context "${TASK_STARTER_CONTEXT_KEY}" is missing: add it (see docs/task-starter.md, "Reference app").`,
    );
  }
  const result = TaskStarterConfigSchema.safeParse(value);
  if (!result.success) {
    throw new ReferenceAppConfigError(
      `cdk.json context "${TASK_STARTER_CONTEXT_KEY}" is invalid:\n${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}

/**
 * Where the stack must deploy: the account and region of the first target group (ECS task
 * events and RegisterTargets stay in one region). `undefined` when the ARN cannot be read;
 * EcsTaskStarter then reports it by prop.
 */
export function taskStarterStackEnv(
  config: TaskStarterStackConfig,
): { account: string; region: string } | undefined {
  const parts = parseTargetGroupArn(config.targetGroupArns[0]);
  return parts && { account: parts.accountId, region: parts.region };
}

export interface TaskStarterStackProps extends StackProps {
  readonly config: TaskStarterStackConfig;
}

/**
 * The reference deployment of EcsTaskStarter for an existing cluster, task definition and
 * target groups, configured from cdk.json, with the construct's resources as outputs.
 */
export class TaskStarterStack extends Stack {
  readonly starter: EcsTaskStarter;

  constructor(scope: Construct, id: string, props: TaskStarterStackProps) {
    super(scope, id, props);
    this.starter = new EcsTaskStarter(this, 'TaskStarter', toTaskStarterProps(props.config));
    const s = this.starter;
    const outputs: [string, string, string][] = [
      ['StartRuleArn', s.startRule.ruleArn, 'EventBridge rule of the start events'],
      ['TaskStateRuleArn', s.taskStateRule.ruleArn, 'EventBridge rule of the task state events'],
      ['StartFunctionName', s.startFunction.functionName, 'Starts tasks'],
      ['TaskStateFunctionName', s.taskStateFunction.functionName, 'Registers and deregisters'],
      ['DeadLetterQueueUrl', s.deadLetterQueue.queueUrl, 'Events and invocations that failed'],
      ['StartFailureAlarmArn', s.startFailureAlarm.alarmArn, 'Tasks not started or registered'],
    ];
    if (s.reconcileFunction !== undefined) {
      outputs.push(['ReconcileFunctionName', s.reconcileFunction.functionName, 'Fixes drift']);
    }
    for (const [outputId, value, description] of outputs) {
      new CfnOutput(this, outputId, { value, description });
    }
  }
}

/** Maps the cdk.json settings onto EcsTaskStarterProps. */
export function toTaskStarterProps(config: TaskStarterStackConfig): EcsTaskStarterProps {
  const seconds = (value: number | undefined): Duration | undefined =>
    value === undefined ? undefined : Duration.seconds(value);
  const pattern =
    config.startEventSource === undefined && config.startEventDetailType === undefined
      ? undefined
      : { source: config.startEventSource, detailType: config.startEventDetailType };
  return {
    cluster: config.cluster,
    taskDefinition: {
      family: config.taskDefinitionFamily,
      taskDefinitionArn: config.taskDefinitionArn,
      taskRoleArn: config.taskRoleArn,
      executionRoleArn: config.executionRoleArn,
    },
    targetGroups: config.targetGroupArns,
    targetGroupVpcCidrs: config.targetGroupVpcCidrs,
    containerName: config.containerName,
    containerPort: config.containerPort,
    subnets: config.subnets,
    securityGroups: config.securityGroups,
    assignPublicIp: config.assignPublicIp,
    launchType: config.launchType,
    capacityProviderStrategy: config.capacityProviderStrategy,
    mode: config.mode,
    taskWaitTimeout: seconds(config.taskWaitTimeoutSeconds),
    waitForHealthy: seconds(config.waitForHealthySeconds),
    startEvent: pattern === undefined ? undefined : { eventPattern: pattern },
    reconcile: {
      enabled: config.reconcileEnabled,
      interval:
        config.reconcileIntervalMinutes === undefined
          ? undefined
          : Duration.minutes(config.reconcileIntervalMinutes),
      mode: config.reconcileMode,
    },
    startedByPrefix: config.startedByPrefix,
    startAttempts: config.startAttempts,
    metricsNamespace: config.metricsNamespace,
    monitoring: { emails: config.alarmEmails, iso27001: config.iso27001 },
    functions: { namePrefix: config.namePrefix },
  };
}
