/**
 * The code examples of docs/workflow.md. Each example is the text between a
 * `// example: <name>` line and the next `// end of example` line; the page shows it verbatim
 * (docs.test.ts checks that), and the tests synthesize it.
 */
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { S3Workflow } from '../../src/workflow/construct.js';
import { WorkflowStep } from '../../src/workflow/construct-props.js';

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
