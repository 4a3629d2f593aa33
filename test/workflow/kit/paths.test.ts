import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPathSegmentError } from '../../../src/workflow/errors.js';
import {
  EXECUTIONS_PREFIX,
  executionPrefix,
  isFirstStage,
  parseStageKey,
  s3Uri,
  segmentProblem,
  stageInputSource,
  stageOutputKey,
  stageOutputLocation,
  stageResultKey,
} from '../../../src/workflow/paths.js';
import { segmentArb, stagePairArb } from './arbitraries.js';

describe('workflow paths: convention', () => {
  it('Property 2: S3 Output Path Convention (pure) — executions/{executionId}/{stage}/output.json', () => {
    fc.assert(
      fc.property(
        segmentArb,
        segmentArb,
        fc.string({ minLength: 3, maxLength: 10 }),
        (id, stage, bucket) => {
          // Act
          const key = stageOutputKey(id, stage);
          const location = stageOutputLocation({
            executionId: id,
            currentStage: stage,
            workflowBucket: bucket,
          });
          // Assess
          expect(key).toBe(`executions/${id}/${stage}/output.json`);
          expect(location).toEqual({ bucket, key });
          expect(parseStageKey(key)).toEqual({ executionId: id, stage, file: 'output.json' });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('Property 3: S3 Input Path Convention (pure) — a later stage reads its previous stage output', () => {
    fc.assert(
      fc.property(segmentArb, stagePairArb, (id, [previous, current]) => {
        // Act
        const source = stageInputSource({
          executionId: id,
          currentStage: current,
          previousStage: previous,
          workflowBucket: 'b',
        });
        // Assess
        expect(source).toEqual({ kind: 's3', bucket: 'b', key: stageOutputKey(id, previous) });
      }),
      { numRuns: 100 },
    );
  });

  it('Property 4: First Stage Input Source (pure) — null, absent or empty previousStage means initialData', () => {
    fc.assert(
      fc.property(segmentArb, fc.constantFrom(null, undefined, ''), (stage, previousStage) => {
        // Act
        const source = stageInputSource({
          executionId: 'e',
          currentStage: stage,
          previousStage,
          workflowBucket: 'b',
        });
        // Assess
        expect(source).toEqual({ kind: 'initialData' });
        expect(isFirstStage({ previousStage })).toBe(true);
      }),
    );
  });

  it('Property 5: S3 Organization by Execution ID (pure) — executions never share a prefix', () => {
    fc.assert(
      fc.property(stagePairArb, segmentArb, segmentArb, ([a, b], stageA, stageB) => {
        // Act
        const keysOfA = [stageOutputKey(a, stageA), stageResultKey(a, stageB)];
        // Assess
        expect(executionPrefix(a).startsWith(EXECUTIONS_PREFIX)).toBe(true);
        for (const key of keysOfA) {
          expect(key.startsWith(executionPrefix(a))).toBe(true);
          expect(key.startsWith(executionPrefix(b))).toBe(false);
          expect(parseStageKey(key)?.executionId).toBe(a);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rejects segments that could escape or break a key, naming the rule', () => {
    // Assess
    for (const bad of ['', 'a/b', '.', '..', 'x y', 'a:b', 'x'.repeat(81), 'tab\t', 'q?']) {
      expect(segmentProblem(bad)).toBeDefined();
      expect(() => stageOutputKey(bad, 'etl')).toThrow(InvalidPathSegmentError);
      expect(() => stageOutputKey('e', bad)).toThrow(/stage '/);
    }
    expect(segmentProblem('ok_name-1.2')).toBeUndefined();
  });

  it('parseStageKey refuses keys outside the convention', () => {
    // Assess
    expect(parseStageKey('other/e/s/output.json')).toBeUndefined();
    expect(parseStageKey('executions/e/output.json')).toBeUndefined();
    expect(parseStageKey('executions/e/s/')).toBeUndefined();
    expect(parseStageKey('executions/../s/output.json')).toBeUndefined();
    expect(s3Uri({ bucket: 'b', key: 'k/x' })).toBe('s3://b/k/x');
  });
});
