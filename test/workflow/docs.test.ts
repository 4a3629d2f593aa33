import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { expectNoNagFindings } from '../helpers/cdk-nag.js';
import { expectValidStateMachines } from './helpers/asl.js';
import { definitionOf, newStack, taskStates } from './construct/support.js';
import { S3Model } from '../../src/simulation/models/s3.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';
import { simulatedStageDeps } from '../../src/workflow/stage-simulation.js';
import { createStageHandler } from '../../src/workflow/stage-handler.js';
import { express, localRun, migration, standardWithGlue, streaming } from './docs-examples.js';

const page = readFileSync(new URL('../../docs/workflow.md', import.meta.url), 'utf8');
const source = readFileSync(new URL('./docs-examples.ts', import.meta.url), 'utf8');
const STAGES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'stages');

/** Each ```ts block of the page. */
function codeBlocks(): string[] {
  return Array.from(page.matchAll(/```ts\n([\s\S]*?)```/g), (m) => m[1].trimEnd());
}

/** Each example of the source file, without its indentation. */
function examples(): string[] {
  return Array.from(
    source.matchAll(/\/\/ example: \S+\n([\s\S]*?)\n\s*\/\/ end of example/g),
    (m) => {
      const lines = m[1].split('\n');
      const indent = Math.min(
        ...lines.filter((l) => l.trim()).map((l) => (/^ */.exec(l)?.[0] ?? '').length),
      );
      return lines
        .map((line) => line.slice(indent))
        .join('\n')
        .trimEnd();
    },
  );
}

describe('workflow docs: docs/workflow.md', () => {
  it('shows exactly the compiled examples, verbatim', () => {
    expect(examples()).toHaveLength(5);
    expect(codeBlocks()).toEqual(examples());
  });

  it('the EXPRESS example synthesizes three stages and passes cdk-nag', () => {
    const stack = newStack('Docs');
    express(stack, STAGES_DIR);
    const template = Template.fromStack(stack);
    expect(taskStates(definitionOf(template)).map(([n]) => n)).toEqual(['etl', 'filter', 'score']);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'Docs-prod-Score',
      MemorySize: 1024,
      Timeout: 120,
    });
    expect(expectValidStateMachines(template.toJSON())).toBe(1);
    expectNoNagFindings(stack);
  });

  it('the Glue example runs the job between the Lambda stages and passes cdk-nag', () => {
    const stack = newStack('Docs');
    standardWithGlue(stack, STAGES_DIR);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Glue::Job', {
      Name: 'Docs-prod-Normalize',
      WorkerType: 'G.2X',
      NumberOfWorkers: 10,
    });
    expect(expectValidStateMachines(template.toJSON())).toBe(1);
    expectNoNagFindings(stack);
  });

  it('the migration example mixes the kit stage with the imported function', () => {
    const stack = newStack('Docs');
    const workflow = migration(stack, STAGES_DIR);
    expect(workflow.stages.map((s) => s.kind)).toEqual(['lambda', 'function']);
    expect(expectValidStateMachines(Template.fromStack(stack).toJSON())).toBe(1);
    expectNoNagFindings(stack);
  });

  it('the streaming example reads and writes JSON Lines through the kit', async () => {
    // Prepare: the previous stage's output, as JSON Lines, on the S3 model.
    const clock = VirtualClock.create({ start: Date.UTC(2025, 0, 1) });
    const s3 = new S3Model({ clock, buckets: ['docs-bucket'] });
    const lines = [
      { id: 'a', amountCents: 250 },
      { id: 'b', amountCents: 0 },
    ];
    await s3.putText(
      'docs-bucket',
      'executions/e-1/etl/output.json',
      lines.map((l) => JSON.stringify(l)).join('\n'),
      'application/x-ndjson',
    );
    const { enrich, handler } = streaming();
    expect(typeof handler).toBe('function');
    const run = createStageHandler(
      enrich,
      simulatedStageDeps(s3, { clock, workflowBucket: 'docs-bucket', recordResults: false }),
    );

    // Act
    const result = await run({
      executionId: 'e-1',
      currentStage: 'enrich',
      previousStage: 'etl',
      workflowBucket: 'docs-bucket',
    });

    // Assess
    expect(result).toMatchObject({ recordsProcessed: 2, recordsWritten: 1 });
    expect(await s3.readText('docs-bucket', 'executions/e-1/enrich/output.json')).toBe(
      '{"id":"a","amountCents":250,"amount":2.5}\n',
    );
    s3.dispose();
  });

  it('the local-run example runs the example workflow to its last output', async () => {
    const { execution, output } = await localRun();
    expect(execution?.status).toBe('SUCCEEDED');
    expect(JSON.parse(output ?? '{}')).toHaveProperty('actions');
  });

  it('documents every top-level prop', () => {
    for (const prop of [
      'type',
      'environment',
      'steps',
      'stateMachineName',
      'timeout',
      'logRetention',
    ]) {
      expect(page).toContain(`| \`${prop}\``);
    }
  });
});
