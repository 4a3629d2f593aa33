import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { FunctionCode } from '../../../src/monitored-function/function-code.js';
import { S3Workflow } from '../../../src/workflow/construct.js';
import { WorkflowStep } from '../../../src/workflow/construct-props.js';
import type { S3WorkflowProps } from '../../../src/workflow/construct-props.js';
import { S3WorkflowValidationError } from '../../../src/workflow/construct-validation.js';
import { STAGE_ENTRY, lambdaStep, newStack, props, synthesize } from './support.js';

/** A folder holding a pre-built bundle (`index.mjs` exporting `handler`). */
function bundleDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'opskit-stage-bundle-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.mjs'), 'export const handler = async () => ({});\n');
  return dir;
}

/** The issues S3Workflow reports for `steps`. */
function issuesOf(steps: S3WorkflowProps['steps']): { prop: string; message: string }[] {
  try {
    new S3Workflow(newStack(), 'Workflow', props({ steps }));
  } catch (error) {
    expect(error).toBeInstanceOf(S3WorkflowValidationError);
    return [...(error as S3WorkflowValidationError).issues];
  }
  return [];
}

describe('workflow construct: a Lambda stage with its own code', () => {
  it('deploys a pre-built bundle as it is, and the entry stays the module local runs import', () => {
    const code = FunctionCode.nodejsBundle({ directory: bundleDir() });

    const { template, workflow } = synthesize(
      props({ steps: [WorkflowStep.lambda({ name: 'etl', entry: STAGE_ENTRY, code })] }),
    );

    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: lambda.Runtime.NODEJS_22_X.name,
    });
    expect(workflow.stages.map((stage) => stage.entry)).toEqual([STAGE_ENTRY]);
  });

  it('refuses Python code: the stage kit runs on Node.js', () => {
    const code = FunctionCode.python({
      sourceDir: bundleDir(),
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'main.handler',
    });

    const issues = issuesOf([
      WorkflowStep.lambda({ name: 'etl', entry: STAGE_ENTRY, code }),
      lambdaStep('filter'),
    ]);

    expect(issues.map((issue) => issue.prop)).toContain('steps[0].code');
    expect(issues.find((issue) => issue.prop === 'steps[0].code')?.message).toContain(
      'WorkflowStep.existingFunction',
    );
  });

  it('still needs the entry file, and names a bad bundle by its code prop', () => {
    const code = FunctionCode.nodejsBundle({ directory: '/nowhere/bundle' });

    const issues = issuesOf([WorkflowStep.lambda({ name: 'etl', entry: '/nowhere/etl.ts', code })]);

    expect(issues.map((issue) => issue.prop).sort()).toEqual([
      'steps[0].code.directory',
      'steps[0].entry',
    ]);
  });

  it('refuses FunctionCode.nodejs of another entry: what deploys would not be what local runs test', () => {
    // Prepare: a second, different handler file.
    const other = join(mkdtempSync(join(tmpdir(), 'opskit-stage-other-')), 'other.ts');
    writeFileSync(other, 'export const handler = async () => ({});\n');

    // Act
    const issues = issuesOf([
      WorkflowStep.lambda({
        name: 'etl',
        entry: STAGE_ENTRY,
        code: FunctionCode.nodejs({ entry: other }),
      }),
      lambdaStep('filter'),
    ]);

    // Assess
    expect(issues).toEqual([
      {
        prop: 'steps[0].code.entry',
        message: expect.stringContaining(
          `is ${other}, but the step's entry is ${STAGE_ENTRY}: local runs import the step's ` +
            'entry, so the deployed code would differ from what they test.',
        ) as string,
      },
    ]);
  });

  it('accepts FunctionCode.nodejs of the same entry, however its path is spelled', () => {
    // Prepare: the entry relative to the working directory, and through a '..' detour.
    const detour = `${dirname(STAGE_ENTRY)}/../fixtures/${basename(STAGE_ENTRY)}`;
    const withCode = (entry: string) =>
      WorkflowStep.lambda({
        name: 'etl',
        entry: STAGE_ENTRY,
        code: FunctionCode.nodejs({ entry }),
      });

    // Act / Assess
    expect(
      issuesOf([withCode(relative(process.cwd(), STAGE_ENTRY)), lambdaStep('filter')]),
    ).toEqual([]);
    expect(issuesOf([withCode(detour), lambdaStep('filter')])).toEqual([]);
  });
});
