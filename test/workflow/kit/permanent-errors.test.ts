import { describe, expect, it } from 'vitest';
import * as errors from '../../../src/workflow/errors.js';
import {
  InvalidExecutionContextError,
  InvalidPathSegmentError,
  PERMANENT_STAGE_ERRORS,
  StageAccessDeniedError,
  StageInputFormatError,
  StageInputNotFoundError,
  StageInputTooLargeError,
  StageOutputFormatError,
  StageStorageFailedError,
  WorkflowBucketNotFoundError,
  WorkflowConfigError,
} from '../../../src/workflow/errors.js';

const at = { bucket: 'b', key: 'executions/x/etl/output.json' };

/**
 * The exported error classes deliberately left out of PERMANENT_STAGE_ERRORS, each with why. A
 * class added to errors.ts later fails the test below until it is put here or there.
 */
const NOT_PERMANENT: readonly string[] = [
  // Base classes: the kit never throws them themselves, only their subclasses.
  'WorkflowError',
  'WorkflowStorageError',
  // Throttling (503 SlowDown) and other 5xx after the client's own retries: Step Functions'
  // 2 × 20 s × 2 retry may still succeed.
  'StageStorageFailedError',
];

/** The classes errors.ts exports (functions whose prototype is an Error's). */
function exportedErrorClasses(): string[] {
  return Object.entries(errors)
    .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
    .map(([exported]) => exported);
}

describe('workflow kit: permanent errors', () => {
  it("names exactly the kit errors a retry cannot fix, by the `name` Step Functions sees as the task's Error", () => {
    // Prepare: one instance of each permanent error, as the kit throws them.
    const permanent = [
      new WorkflowConfigError('x'),
      new InvalidExecutionContextError('x'),
      new InvalidPathSegmentError('stage', 'a/b', 'x'),
      new StageInputNotFoundError(at),
      new WorkflowBucketNotFoundError(at),
      new StageAccessDeniedError(at, 'read'),
      new StageInputFormatError(at, 'x'),
      new StageInputTooLargeError(at),
      new StageOutputFormatError('x'),
    ];

    // Assess
    expect([...PERMANENT_STAGE_ERRORS].sort()).toEqual(permanent.map((e) => e.name).sort());
    // Throttling and 5xx may pass: they stay under the 2 × 20 s rule.
    expect(PERMANENT_STAGE_ERRORS).not.toContain(
      new StageStorageFailedError(at, 'SlowDown', true, 'x').name,
    );
  });

  it('classifies every error class errors.ts exports: permanent, or listed here as not permanent', () => {
    // Prepare
    const exported = exportedErrorClasses();

    // Assess: each class in exactly one list, and no list names a class that is not exported.
    expect(PERMANENT_STAGE_ERRORS.filter((name) => NOT_PERMANENT.includes(name))).toEqual([]);
    expect([...exported].sort()).toEqual([...PERMANENT_STAGE_ERRORS, ...NOT_PERMANENT].sort());
  });
});
