/**
 * The code examples of docs/workflow.md. Each example is the text between a
 * `// example: <name>` line and the next `// end of example` line; the page shows it verbatim
 * (docs.test.ts checks that), and the tests synthesize it.
 */
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';
import { S3Workflow } from '../../src/workflow/construct.js';
import { WorkflowStep } from '../../src/workflow/construct-props.js';
import {
  EXAMPLE_INPUT,
  EXAMPLE_STAGE_IMPLEMENTATIONS,
  synthesizeExampleWorkflow,
} from '../../src/workflow/local-run/example.js';
import type { ExecutionResult } from '../../src/workflow/local-run/runner.js';
import { createWorkflowWorld } from '../../src/workflow/local-run/world.js';
import {
  createStageHandler,
  defaultStageDeps,
  type StageHandler,
} from '../../src/workflow/stage-handler.js';
import { streamingStage, type StreamingStage } from '../../src/workflow/stage.js';

export function express(scope: Construct, stagesDir: string): S3Workflow {
  // example: express
  // One message on the queue → etl → filter → score, each a Lambda stage built on the kit.
  const workflow = new S3Workflow(scope, 'Orders', {
    type: 'EXPRESS',
    environment: 'prod',
    steps: [
      WorkflowStep.lambda({ name: 'etl', entry: join(stagesDir, 'etl.ts') }),
      WorkflowStep.lambda({ name: 'filter', entry: join(stagesDir, 'filter.ts') }),
      WorkflowStep.lambda({
        name: 'score',
        entry: join(stagesDir, 'score.ts'),
        timeout: Duration.minutes(2),
        memorySize: 1024,
      }),
    ],
    functions: { monitoring: { emails: ['ops-team@example.com'] } },
    alerts: { emails: ['ops-team@example.com'] },
  });
  // end of example
  return workflow;
}

export function standardWithGlue(scope: Construct, stagesDir: string): S3Workflow {
  // example: glue
  // Nightly batch: a Glue (PySpark) job between two Lambda stages needs a STANDARD workflow.
  const workflow = new S3Workflow(scope, 'Nightly', {
    type: 'STANDARD',
    environment: 'prod',
    steps: [
      WorkflowStep.lambda({ name: 'etl', entry: join(stagesDir, 'etl.ts') }),
      WorkflowStep.glue({
        name: 'normalize',
        workerType: 'G.2X',
        numberOfWorkers: 10,
        defaultArguments: { '--required-fields': 'customerId,amount' },
      }),
      WorkflowStep.lambda({ name: 'score', entry: join(stagesDir, 'score.ts') }),
    ],
    functions: { monitoring: { emails: ['ops-team@example.com'] } },
    alerts: { emails: ['ops-team@example.com'] },
  });
  // end of example
  return workflow;
}

export function migration(scope: Construct, stagesDir: string): S3Workflow {
  // example: migration
  // Step 1 of a migration: etl is on the kit, score is still the old function, and the
  // functions keep names derived from the construct path until the cut-over.
  const legacyScore = lambda.Function.fromFunctionArn(
    scope,
    'LegacyScore',
    'arn:aws:lambda:eu-west-1:123456789012:function:orders-score-v1',
  );
  const workflow = new S3Workflow(scope, 'Orders', {
    type: 'EXPRESS',
    environment: 'prod',
    steps: [
      WorkflowStep.lambda({ name: 'etl', entry: join(stagesDir, 'etl.ts') }),
      WorkflowStep.existingFunction({ name: 'score', function: legacyScore }),
    ],
    functions: { naming: 'generated', monitoring: { emails: ['ops-team@example.com'] } },
  });
  // end of example
  return workflow;
}

export interface Order {
  readonly id: string;
  readonly amountCents: number;
}

export function streaming(): {
  enrich: StreamingStage<Order, Order & { amount: number }>;
  handler: StageHandler;
} {
  // example: streaming
  // JSON Lines in, JSON Lines out: one record in memory at a time, the output uploaded in
  // multipart parts as it is produced, whatever the size of the data.
  const enrich = streamingStage(async function* (orders: AsyncIterable<Order>) {
    for await (const order of orders) {
      if (order.amountCents > 0) yield { ...order, amount: order.amountCents / 100 };
    }
  });
  const handler = createStageHandler(enrich, defaultStageDeps());
  // end of example
  return { enrich, handler };
}

export async function localRun(): Promise<{
  execution: ExecutionResult | undefined;
  output: string | undefined;
}> {
  // example: local-run
  // The example workflow as synthesized, run in process: SQS → Pipe → the state machine's own
  // definition in the ASL interpreter → the real stage handlers on the S3 model, virtual time.
  const clock = VirtualClock.install();
  const world = createWorkflowWorld({
    template: synthesizeExampleWorkflow('EXPRESS'), // or Template.fromStack(stack).toJSON()
    clock,
    stages: EXAMPLE_STAGE_IMPLEMENTATIONS, // stage name → its stage function
  });
  world.send(EXAMPLE_INPUT);
  await clock.advance(60_000); // virtual: retries and timeouts take no real time
  const [execution] = await world.pipe.settled();
  const output = await world.s3.readText(
    world.bucket,
    `executions/${execution?.name}/reactive/output.json`,
  );
  await world.dispose();
  clock.uninstall();
  // end of example
  return { execution, output };
}
