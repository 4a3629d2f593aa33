import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketNameProblem,
  executionContextSchema,
  parseExecutionContext,
  parseStageConfig,
  payloadBytes,
  STATE_PAYLOAD_LIMIT_BYTES,
  stageResultSchema,
  WorkflowEnvVars,
} from '../../../src/workflow/contract.js';
import type { JsonValue } from '../../../src/workflow/contract.js';
import { InvalidExecutionContextError, WorkflowConfigError } from '../../../src/workflow/errors.js';
import { jsonArb, segmentArb, stagePairArb } from './arbitraries.js';

describe('workflow contract: execution context', () => {
  it('keeps the workflow input as sent, own __proto__ keys included (counterexample of Property 8)', () => {
    const initialData = JSON.parse('{"__proto__": "", "a": [{"__proto__": 1}]}') as JsonValue;

    const ctx = parseExecutionContext({ executionId: 'e', currentStage: 's', initialData }, 'b');

    expect(ctx.initialData).toEqual(initialData);
    expect(Object.keys(ctx.initialData as object)).toEqual(['__proto__', 'a']);
  });

  it('Property 8: Execution Context Payload Structure — exactly the spec fields, bucket resolved', () => {
    fc.assert(
      fc.property(
        segmentArb,
        stagePairArb,
        fc.boolean(),
        fc.option(jsonArb, { nil: undefined }),
        fc.option(fc.constantFrom('payload-bucket', 'another.bucket-1'), { nil: undefined }),
        (executionId, [current, previous], first, initialData, bucket) => {
          // Prepare
          const payload = {
            executionId,
            currentStage: current,
            ...(first ? {} : { previousStage: previous }),
            ...(bucket === undefined ? {} : { workflowBucket: bucket }),
            initialData: initialData ?? null,
            extra: 'ignored',
          };
          // Act
          const ctx = parseExecutionContext(payload, 'env-bucket');
          // Assess
          expect(Object.keys(ctx).sort()).toEqual(
            [
              'currentStage',
              'executionId',
              'initialData',
              'previousStage',
              'workflowBucket',
            ].sort(),
          );
          expect(ctx).toEqual({
            executionId,
            currentStage: current,
            previousStage: first ? null : previous,
            workflowBucket: bucket ?? 'env-bucket',
            initialData: initialData ?? null,
          });
          expect(executionContextSchema.safeParse(payload).success).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects payloads without the required fields, with every problem named', () => {
    // Act
    const missing = () => parseExecutionContext({ currentStage: 'a b' }, 'b');
    // Assess
    expect(missing).toThrow(InvalidExecutionContextError);
    expect(missing).toThrow(/executionId/);
    expect(missing).toThrow(/currentStage 'a b' contains " "/);
    expect(() => parseExecutionContext('nope', 'b')).toThrow(InvalidExecutionContextError);
    expect(() =>
      parseExecutionContext(
        { executionId: 'e', currentStage: 's', initialData: 1, workflowBucket: 'UPPER' },
        'b',
      ),
    ).toThrow(/workflowBucket 'UPPER'/);
  });

  it('refuses a first stage without initialData, a stage reading itself, and no bucket at all', () => {
    // Assess
    expect(() => parseExecutionContext({ executionId: 'e', currentStage: 's' }, 'b')).toThrow(
      /no initialData/,
    );
    expect(() =>
      parseExecutionContext({ executionId: 'e', currentStage: 's', previousStage: 's' }, 'b'),
    ).toThrow(/cannot read its own output/);
    expect(() =>
      parseExecutionContext({ executionId: 'e', currentStage: 's', initialData: 1 }),
    ).toThrow(/WORKFLOW_BUCKET/);
    expect(
      parseExecutionContext(
        { executionId: 'e', currentStage: 's', previousStage: null, initialData: 0 },
        'b',
      ).previousStage,
    ).toBeNull();
  });
});

describe('workflow contract: stage config', () => {
  it('reads the bucket, name and stage from the environment', () => {
    // Act
    const config = parseStageConfig({
      [WorkflowEnvVars.workflowBucket]: ' my-bucket ',
      [WorkflowEnvVars.workflowName]: 'orders',
      [WorkflowEnvVars.stageName]: 'etl',
    });
    // Assess
    expect(config).toEqual({
      workflowBucket: 'my-bucket',
      workflowName: 'orders',
      stageName: 'etl',
    });
    expect(parseStageConfig({ WORKFLOW_BUCKET: 'b-b', WORKFLOW_STAGE_NAME: ' ' })).toEqual({
      workflowBucket: 'b-b',
      workflowName: 'workflow',
      stageName: undefined,
    });
  });

  it('fails the cold start with a message naming the variable and the fix', () => {
    // Assess
    expect(() => parseStageConfig({})).toThrow(WorkflowConfigError);
    expect(() => parseStageConfig({ WORKFLOW_BUCKET: 's3://b/k' })).toThrow(
      /WORKFLOW_BUCKET 's3:\/\/b\/k' is not an S3 bucket name/,
    );
    expect(() => parseStageConfig({ WORKFLOW_BUCKET: 'bkt', WORKFLOW_STAGE_NAME: 'a/b' })).toThrow(
      /WORKFLOW_STAGE_NAME 'a\/b'/,
    );
  });

  it('knows S3 bucket naming rules', () => {
    // Assess
    expect(bucketNameProblem('ceap-workflow-dev-123456789012')).toBeUndefined();
    expect(bucketNameProblem('a..b')).toMatch(/adjacent dots/);
    expect(bucketNameProblem('192.168.1.1')).toMatch(/IP address/);
    expect(bucketNameProblem('ab')).toBeDefined();
  });
});

describe('workflow contract: stage result', () => {
  it('a FAILED result needs errorType; results stay far below the 256 KB state limit', () => {
    // Prepare
    const failed = {
      status: 'FAILED',
      executionId: 'e',
      stage: 's',
      recordsProcessed: 0,
      input: 'initialData',
      errorType: 'X',
      errorMessage: 'm',
      stackTrace: ['at x'],
    };
    // Assess
    expect(stageResultSchema.safeParse(failed).success).toBe(true);
    expect(stageResultSchema.safeParse({ ...failed, errorType: '' }).success).toBe(false);
    expect(payloadBytes(failed)).toBeLessThan(STATE_PAYLOAD_LIMIT_BYTES / 100);
    expect(payloadBytes(undefined)).toBe(0);
  });
});
