import { describe, expect, it } from 'vitest';
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
});
