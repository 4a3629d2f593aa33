import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
// Outside this repository: import { S3Workflow, WorkflowStep } from 'aws-ops-kit';
import { kitHandlerCode } from '../../src/common/handler-code.js';
import { resolveHandlerEntry } from '../../src/common/handler-entry.js';
import type { FunctionCode } from '../../src/monitored-function/function-code.js';
import { S3Workflow } from '../../src/workflow/construct.js';
import { WorkflowStep } from '../../src/workflow/construct-props.js';
import type {
  FunctionNaming,
  WorkflowStep as Step,
  WorkflowType,
} from '../../src/workflow/construct-props.js';

/** The example's stages, in order: each is a handler in `stages/` built on the stage kit. */
export const EXAMPLE_STAGES = ['etl', 'filter', 'score', 'store', 'reactive'] as const;
export type ExampleStage = (typeof EXAMPLE_STAGES)[number];

/** Name of the Glue step the STANDARD variant adds after ETL. */
export const EXAMPLE_GLUE_STAGE = 'normalize';

const STAGES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'stages');

/** The handler entry of one example stage (`stages/<stage>.ts`). */
export function exampleStageEntry(stage: ExampleStage): string {
  return resolveHandlerEntry(STAGES_DIR, stage);
}

/**
 * The deployed code of one example stage: in the published package the bundle `npm run build`
 * made (so the packaged demo synthesizes without esbuild or a lock file), here its entry.
 */
export function exampleStageCode(stage: ExampleStage): FunctionCode {
  return kitHandlerCode(STAGES_DIR, stage);
}

/**
 * The example's steps. EXPRESS: ETL → Filter → Score → Store → Reactive, all Lambda (fast,
 * at-least-once, ≤ 5 minutes). STANDARD: the same with a Glue job after ETL that normalises
 * the records at Spark scale (exactly-once, `.sync`).
 */
export function exampleWorkflowSteps(type: WorkflowType): Step[] {
  const lambda = (stage: ExampleStage): Step =>
    WorkflowStep.lambda({
      name: stage,
      entry: exampleStageEntry(stage),
      code: exampleStageCode(stage),
    });
  const [etl, ...rest] = EXAMPLE_STAGES.map(lambda);
  if (type === 'EXPRESS') return [etl, ...rest];
  return [etl, WorkflowStep.glue({ name: EXAMPLE_GLUE_STAGE, jobPurpose: 'Normalize' }), ...rest];
}

export interface ExampleWorkflowStackProps extends StackProps {
  /** EXPRESS (all Lambda) or STANDARD (with the Glue step). */
  readonly type: WorkflowType;
  /** Deployment environment, part of the bucket and function names. */
  readonly environment: string;
  /** Who is emailed on a failed execution and on each stage function's alarms. */
  readonly alarmEmails: readonly string[];
  /** @default true: every alarm must reach a person (at least one email) */
  readonly iso27001?: boolean;
  /** @default 'explicit' */
  readonly naming?: FunctionNaming;
  /** @default `ceap-workflow-<express|standard>` */
  readonly bucketNamePrefix?: string;
}

/** The example workflow: one message on its queue runs ETL → … → Reactive on S3. */
export class ExampleWorkflowStack extends Stack {
  readonly workflow: S3Workflow;

  constructor(scope: Construct, id: string, props: ExampleWorkflowStackProps) {
    super(scope, id, props);
    this.workflow = new S3Workflow(this, 'Workflow', {
      type: props.type,
      environment: props.environment,
      steps: exampleWorkflowSteps(props.type),
      bucket: {
        namePrefix: props.bucketNamePrefix ?? `ceap-workflow-${props.type.toLowerCase()}`,
      },
      functions: {
        naming: props.naming,
        monitoring: { emails: props.alarmEmails, iso27001: props.iso27001 },
      },
      alerts: { emails: props.alarmEmails },
    });

    const w = this.workflow;
    const outputs: [string, string, string][] = [
      ['QueueUrl', w.queue.queueUrl, 'Send one JSON message per execution'],
      ['DeadLetterQueueUrl', w.deadLetterQueue.queueUrl, 'Messages that failed 3 receives'],
      ['StateMachineArn', w.stateMachine.stateMachineArn, `The ${props.type} state machine`],
      ['BucketName', w.bucket.bucketName, 'Stage outputs: executions/{id}/{stage}/output.json'],
      ['AlertTopicArn', w.alertTopic.topicArn, 'Failed executions and DLQ alarms'],
    ];
    for (const [outputId, value, description] of outputs) {
      new CfnOutput(this, outputId, { value, description });
    }
  }
}
