import { Duration } from 'aws-cdk-lib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { S3Workflow } from '../../../src/workflow/construct.js';
import { WorkflowStep } from '../../../src/workflow/construct-props.js';
import type { S3WorkflowProps, WorkflowType } from '../../../src/workflow/construct-props.js';
import {
  S3WorkflowValidationError,
  validateS3WorkflowProps,
} from '../../../src/workflow/construct-validation.js';
import { ACCOUNT, STAGE_ENTRY, glueStep, lambdaStep, newStack, props } from './support.js';

const CONTEXT = { stackName: 'WfStack', account: ACCOUNT };

/** The prop names of every issue. */
const propsOf = (p: S3WorkflowProps): string[] =>
  validateS3WorkflowProps(p, CONTEXT).map((issue) => issue.prop);

/** The error S3Workflow throws for `p`, and the stack it left untouched. */
function constructError(p: S3WorkflowProps): { error: unknown; children: number } {
  const stack = newStack();
  try {
    new S3Workflow(stack, 'Workflow', p);
  } catch (error) {
    return { error, children: stack.node.children.length };
  }
  throw new Error('S3Workflow accepted invalid props');
}

describe('workflow construct: validation', () => {
  it('Property 25: Workflow Type Selection Validation — EXPRESS with any Glue step is a synth error that says why', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        (position, length) => {
          const steps = Array.from({ length }, (_, i) => lambdaStep(`stage${i}`));
          const at = Math.min(position, length);
          steps.splice(at, 0, glueStep('spark'));
          const express = validateS3WorkflowProps(props({ type: 'EXPRESS', steps }), CONTEXT);
          expect(express).toHaveLength(1);
          expect(express[0].prop).toBe(`steps[${at}]`);
          expect(express[0].message).toMatch(/\.sync/);
          expect(express[0].message).toMatch(/STANDARD/);
          // The same steps are valid in a STANDARD workflow.
          expect(validateS3WorkflowProps(props({ type: 'STANDARD', steps }), CONTEXT)).toEqual([]);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('Property 25: the construct throws before creating anything', () => {
    const { error, children } = constructError(
      props({ type: 'EXPRESS', steps: [lambdaStep('etl'), glueStep('spark')] }),
    );
    expect(error).toBeInstanceOf(S3WorkflowValidationError);
    expect((error as Error).message).toMatch(
      /^S3Workflow\(Workflow\): steps\[1\] \('spark'\) is a Glue job, which an EXPRESS workflow cannot run/,
    );
    expect(children).toBe(0);
  });

  it('Property 26: Workflow Type Configuration Interface — type is EXPRESS or STANDARD, nothing else', () => {
    for (const type of ['EXPRESS', 'STANDARD'] as const) {
      expect(propsOf(props({ type }))).toEqual([]);
    }
    fc.assert(
      fc.property(
        fc.string().filter((s) => s !== 'EXPRESS' && s !== 'STANDARD'),
        (type) => {
          const issues = validateS3WorkflowProps(props({ type: type as WorkflowType }), CONTEXT);
          expect(issues.map((i) => i.prop)).toEqual(['type']);
          expect(issues[0].message).toContain("use 'EXPRESS' or 'STANDARD'");
        },
      ),
      { numRuns: 20 },
    );
  });

  it('reports every problem at once, each naming its prop', () => {
    const { error } = constructError(
      props({
        environment: 'Prod!',
        timeout: Duration.minutes(6),
        stateMachineName: 'has space',
        steps: [lambdaStep('etl'), lambdaStep('etl'), lambdaStep('Bad_Name')],
        queue: { maxReceiveCount: 0 },
        bucket: { executionDataExpirationDays: 0.5 },
      }),
    );
    const issues = (error as S3WorkflowValidationError).issues.map((i) => i.prop);
    expect(issues).toEqual(
      expect.arrayContaining([
        'environment',
        'timeout',
        'stateMachineName',
        'steps[1].name',
        'steps[2].name',
        'queue.maxReceiveCount',
        'bucket.executionDataExpirationDays',
      ]),
    );
    expect((error as Error).message).toMatch(/^S3Workflow\(Workflow\) has \d+ invalid props:/);
  });

  it('refuses an empty step list', () => {
    expect(propsOf(props({ steps: [] }))).toEqual(['steps']);
  });

  it('checks Glue step settings', () => {
    const issues = validateS3WorkflowProps(
      props({
        type: 'STANDARD',
        steps: [
          WorkflowStep.glue({
            name: 'spark',
            numberOfWorkers: 1,
            maxConcurrentRuns: 0,
            glueVersion: '3.0' as '4.0',
            timeout: Duration.seconds(90),
            defaultArguments: { '--input-key': 'x', plain: 'y', '--mode': 'fast' },
          }),
        ],
      }),
      CONTEXT,
    );
    expect(issues.map((i) => i.prop)).toEqual([
      'steps[0].glueVersion',
      'steps[0].numberOfWorkers',
      'steps[0].maxConcurrentRuns',
      'steps[0].timeout',
      'steps[0].defaultArguments',
      'steps[0].defaultArguments',
    ]);
    expect(issues[4].message).toContain('set by the workflow');
  });

  it('limits Lambda stage timeouts: 5 minutes in EXPRESS, 15 in STANDARD', () => {
    const long = lambdaStep('etl', { timeout: Duration.minutes(6) });
    expect(propsOf(props({ type: 'EXPRESS', steps: [long] }))).toEqual(['steps[0].timeout']);
    expect(propsOf(props({ type: 'STANDARD', steps: [long] }))).toEqual([]);
    const tooLong = lambdaStep('etl', { timeout: Duration.minutes(16) });
    expect(propsOf(props({ type: 'STANDARD', steps: [tooLong] }))).toEqual(['steps[0].timeout']);
  });

  it('keeps explicit names within 64 characters and unique', () => {
    const longPurpose = lambdaStep('etl', { functionPurpose: 'A'.repeat(40) });
    const issues = validateS3WorkflowProps(props({ steps: [longPurpose] }), {
      stackName: 'S'.repeat(30),
      account: ACCOUNT,
    });
    expect(issues.map((i) => i.prop)).toEqual(['steps[0].functionPurpose']);
    expect(issues[0].message).toContain('more than 64');
    expect(issues[0].message).toContain("functions.naming to 'generated'");
    const clash = [
      lambdaStep('etl', { functionPurpose: 'Same' }),
      lambdaStep('two', { functionPurpose: 'Same' }),
    ];
    expect(propsOf(props({ steps: clash }))).toEqual(['steps[1].functionPurpose']);
    expect(propsOf(props({ steps: [lambdaStep('etl', { functionPurpose: 'not-ok' })] }))).toEqual([
      'steps[0].functionPurpose',
    ]);
    // Generated names are not checked against the explicit pattern's length.
    expect(
      validateS3WorkflowProps(props({ steps: [longPurpose], functions: { naming: 'generated' } }), {
        stackName: 'S'.repeat(30),
        account: ACCOUNT,
      }),
    ).toEqual([]);
  });

  it('checks the bucket name, given or derived', () => {
    expect(propsOf(props({ bucket: { bucketName: 'Not_Valid' } }))).toEqual(['bucket.bucketName']);
    expect(propsOf(props({ bucket: { namePrefix: 'UPPER' } }))).toEqual(['bucket.namePrefix']);
    expect(
      validateS3WorkflowProps(props({ bucket: { namePrefix: 'UPPER' } }), { stackName: 'S' }),
    ).toEqual([]);
  });

  it('keeps the EXPRESS queue visibility above the workflow timeout', () => {
    const short = props({ queue: { visibilityTimeout: Duration.minutes(5) } });
    expect(propsOf(short)).toEqual(['queue.visibilityTimeout']);
    expect(propsOf({ ...short, type: 'STANDARD' })).toEqual([]);
    expect(propsOf(props({ queue: { visibilityTimeout: Duration.hours(13) } }))).toEqual([
      'queue.visibilityTimeout',
    ]);
    expect(propsOf(props({ timeout: Duration.seconds(0) }))).toEqual(['timeout']);
  });

  it("folds MonitoredFunction's checks in under the workflow's prop names", () => {
    const { error } = constructError(
      props({
        steps: [
          WorkflowStep.lambda({ name: 'etl', entry: '/nowhere/missing.ts', memorySize: 64 }),
          lambdaStep('filter'),
        ],
        functions: { monitoring: { emails: [] } },
      }),
    );
    const issues = (error as S3WorkflowValidationError).issues.map((i) => i.prop);
    expect(issues).toEqual(
      expect.arrayContaining([
        'steps[0].entry',
        'steps[0].memorySize',
        'functions.monitoring.emails',
      ]),
    );
    // The shared monitoring problem is reported once, not once per stage.
    expect(issues.filter((p) => p === 'functions.monitoring.emails')).toHaveLength(1);
  });

  it('accepts the fixture entry (sanity check of the test setup)', () => {
    expect(STAGE_ENTRY).toMatch(/stage-handler\.ts$/);
    expect(propsOf(props())).toEqual([]);
  });
});
