import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { z } from 'zod';
import { ExampleWorkflowStack } from '../../examples/workflow/stack.js';
import type { ExampleWorkflowStackProps } from '../../examples/workflow/stack.js';
import { ReferenceAppConfigError } from '../config-error.js';

/** Context key in cdk.json that configures the workflow reference stack. */
export const WORKFLOW_CONTEXT_KEY = 'aws-ops-kit:workflow';

/**
 * The reference stack's settings, as written in cdk.json: the example workflow (ETL → Filter →
 * Score → Store → Reactive, plus a Glue step in the STANDARD variant). Types and unknown keys
 * are checked here; values (names, lengths) by S3Workflow, which names the prop each key feeds.
 */
export const WorkflowConfigSchema = z.strictObject({
  /** EXPRESS (Lambda only, ≤ 5 minutes) or STANDARD (with the Glue step). */
  type: z.enum(['EXPRESS', 'STANDARD']),
  /** Part of the bucket and function names. */
  environment: z.string(),
  /** Failed executions and stage alarms. Placeholder: ops-team@example.com. */
  alarmEmails: z.array(z.string()).default([]),
  iso27001: z.boolean().default(true),
  /** `explicit`: {StackName}-{Environment}-{Purpose}; `generated`: names from the construct path. */
  naming: z.enum(['explicit', 'generated']).default('explicit'),
  /** @default `ceap-workflow-<type>` */
  bucketNamePrefix: z.string().optional(),
});

export type WorkflowStackConfig = z.infer<typeof WorkflowConfigSchema>;

/** Parses the context value; the error names the context key and each bad field. */
export function parseWorkflowStackConfig(value: unknown): WorkflowStackConfig {
  if (value === undefined) {
    throw new ReferenceAppConfigError(
      `cdk.json context "${WORKFLOW_CONTEXT_KEY}" is missing: add it (see docs/workflow.md, "Reference app").`,
    );
  }
  const result = WorkflowConfigSchema.safeParse(value);
  if (!result.success) {
    throw new ReferenceAppConfigError(
      `cdk.json context "${WORKFLOW_CONTEXT_KEY}" is invalid:\n${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}

/** Maps the cdk.json settings onto the example stack's props. */
export function toWorkflowStackProps(
  config: WorkflowStackConfig,
): Omit<ExampleWorkflowStackProps, keyof StackProps> {
  return {
    type: config.type,
    environment: config.environment,
    alarmEmails: config.alarmEmails,
    iso27001: config.iso27001,
    naming: config.naming,
    bucketNamePrefix: config.bucketNamePrefix,
  };
}

export interface WorkflowStackProps extends StackProps {
  readonly config: WorkflowStackConfig;
}

/** The reference deployment of S3Workflow: the example workflow, configured from cdk.json. */
export class WorkflowStack extends ExampleWorkflowStack {
  constructor(scope: Construct, id: string, props: WorkflowStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, { ...stackProps, ...toWorkflowStackProps(config) });
  }
}
