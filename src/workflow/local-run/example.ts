/**
 * The example workflow (examples/workflow: ETL → [Glue normalize] → Filter → Score → Store →
 * Reactive), ready for a local run: its synthesized template, its stage implementations by
 * name, and the TS twin of the Glue job's transformation.
 */
import type { Stack } from 'aws-cdk-lib';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_GLUE_STAGE, ExampleWorkflowStack } from '../../../examples/workflow/stack.js';
import { etl } from '../../../examples/workflow/stages/logic/etl.js';
import { filterStage } from '../../../examples/workflow/stages/logic/filter.js';
import { reactiveStage } from '../../../examples/workflow/stages/logic/reactive.js';
import { scoreStage } from '../../../examples/workflow/stages/logic/score.js';
import { storeStage } from '../../../examples/workflow/stages/logic/store.js';
import type { Stage } from '../stage.js';
import type { SimulatedGlueJob } from './glue.js';
import type { CfnTemplate, WorkflowType } from './template.js';

export const EXAMPLE_ACCOUNT = '123456789012';
export const EXAMPLE_REGION = 'us-east-1';

/** The example's stages by name, as the functions' WORKFLOW_STAGE_NAME names them. */
export const EXAMPLE_STAGE_IMPLEMENTATIONS: Readonly<Record<string, Stage<never, unknown>>> = {
  etl: etl,
  filter: filterStage as Stage<never, unknown>,
  score: scoreStage as Stage<never, unknown>,
  store: storeStage as Stage<never, unknown>,
  reactive: reactiveStage as Stage<never, unknown>,
};

/** Synthesizes the example stack (without bundling: the local run binds handlers in process). */
export function synthesizeExampleWorkflow(type: WorkflowType): CfnTemplate {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack: Stack = new ExampleWorkflowStack(
    app,
    `ExampleWorkflow${type === 'EXPRESS' ? 'Express' : 'Standard'}`,
    {
      env: { account: EXAMPLE_ACCOUNT, region: EXAMPLE_REGION },
      type,
      environment: 'local',
      alarmEmails: ['ops@example.com'],
    },
  );
  return Template.fromStack(stack).toJSON();
}

/** Python's `json.dumps(value, separators=(",", ":"), sort_keys=True)` (ASCII-escaped). */
export function pythonJsonDumps(value: unknown): string {
  const sorted = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(sorted);
    if (item !== null && typeof item === 'object') {
      return Object.fromEntries(
        Object.keys(item)
          .sort()
          .map((key) => [key, sorted((item as Record<string, unknown>)[key])]),
      );
    }
    return item;
  };
  return JSON.stringify(sorted(value)).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The TS twin of src/workflow/glue/lib/workflow_transform.py `transform_lines`: each line is a
 * JSON record or an array of records; strings are trimmed, null fields dropped, records missing
 * a required field skipped; the output is JSON Lines. Throws on a line that is not JSON or a
 * record that is not an object, as the job fails then. Known difference: numbers are written the
 * JavaScript way, so a float Python prints as `1.0` or `1e-07` comes out as `1` or `1e-7`
 * (JS has one number type); integers and plain decimals, all the example's records carry, match
 * (test/workflow/glue/glue-transform.test.ts compares both on shared fixtures).
 */
export function normalizeLines(text: string, requiredFields: readonly string[] = []): string {
  const out: string[] = [];
  text.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new Error(`line ${index + 1}: not JSON (${(error as Error).message})`, {
        cause: error,
      });
    }
    for (const record of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        throw new Error(`line ${index + 1}: a record must be a JSON object`);
      }
      const cleaned: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(record)) {
        if (field === null) continue;
        cleaned[key.trim()] = typeof field === 'string' ? field.trim() : field;
      }
      if (requiredFields.some((name) => cleaned[name] === undefined || cleaned[name] === ''))
        continue;
      out.push(pythonJsonDumps(cleaned));
    }
  });
  return out.map((line) => `${line}\n`).join('');
}

/** The example's Glue step, simulated: `normalizeLines` with the job's `--required-fields`. */
export function exampleGlueJob(
  options: Omit<SimulatedGlueJob, 'transform'> = {},
): Record<string, SimulatedGlueJob> {
  return {
    [EXAMPLE_GLUE_STAGE]: {
      durationMs: 2 * 60_000,
      // workflow_glue_job.py copies its single part with this content type.
      outputContentType: 'application/x-ndjson',
      ...options,
      transform: (input, context) =>
        normalizeLines(
          input,
          (context.arguments['--required-fields'] ?? '')
            .split(',')
            .map((field) => field.trim())
            .filter((field) => field !== ''),
        ),
    },
  };
}

export { EXAMPLE_INPUT } from '../example-input.js';
