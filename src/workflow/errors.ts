/**
 * Errors of the workflow capability. One base class, so a caller can catch "anything the
 * workflow kit raised"; subclasses say what went wrong. Step Functions sees `name` as the
 * task's `Error` (the Lambda runtime reports it as `errorType`), so Retry/Catch rules can match
 * these names exactly.
 */
export class WorkflowError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WorkflowError';
  }
}

/** A stage Lambda's environment is missing or invalid; fails the cold start. */
export class WorkflowConfigError extends WorkflowError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WorkflowConfigError';
  }
}

/** The payload Step Functions passed is not an `ExecutionContext`; nothing was read or written. */
export class InvalidExecutionContextError extends WorkflowError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidExecutionContextError';
  }
}

/** An execution id or stage name cannot be a segment of an S3 key. */
export class InvalidPathSegmentError extends WorkflowError {
  readonly segment: 'executionId' | 'stage';
  readonly value: string;

  constructor(segment: 'executionId' | 'stage', value: string, message: string) {
    super(message);
    this.name = 'InvalidPathSegmentError';
    this.segment = segment;
    this.value = value;
  }
}

/** Where an S3 operation pointed. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** Base of the S3 failures the kit tells apart; `location` is the object it was working on. */
export class WorkflowStorageError extends WorkflowError {
  readonly location: S3Location;
  /** The S3 error code (`NoSuchKey`, `AccessDenied`, `SlowDown`, ...) when S3 gave one. */
  readonly s3Code: string | undefined;

  constructor(
    location: S3Location,
    s3Code: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WorkflowStorageError';
    this.location = location;
    this.s3Code = s3Code;
  }
}

/**
 * 404 NoSuchKey on a stage's input: the previous stage wrote no output (it did not run, ran
 * under another execution id, or the object expired). Permanent: a retry reads the same nothing.
 */
export class StageInputNotFoundError extends WorkflowStorageError {
  constructor(location: S3Location, options?: ErrorOptions) {
    super(
      location,
      'NoSuchKey',
      `Stage input s3://${location.bucket}/${location.key} does not exist (404 NoSuchKey): the ` +
        'previous stage wrote no output for this execution. Check that it ran and succeeded, ' +
        "that 'previousStage' names it, and that the object has not expired (7-day lifecycle).",
      options,
    );
    this.name = 'StageInputNotFoundError';
  }
}

/** 404 NoSuchBucket: the workflow bucket is gone or misnamed. Permanent. */
export class WorkflowBucketNotFoundError extends WorkflowStorageError {
  constructor(location: S3Location, options?: ErrorOptions) {
    super(
      location,
      'NoSuchBucket',
      `Workflow bucket '${location.bucket}' does not exist (404 NoSuchBucket): check ` +
        'WORKFLOW_BUCKET / workflowBucket against the bucket the S3Workflow construct created.',
      options,
    );
    this.name = 'WorkflowBucketNotFoundError';
  }
}

/** 403 AccessDenied: the stage's role may not read or write this object. Permanent. */
export class StageAccessDeniedError extends WorkflowStorageError {
  readonly operation: 'read' | 'write';

  constructor(location: S3Location, operation: 'read' | 'write', options?: ErrorOptions) {
    super(
      location,
      'AccessDenied',
      `Access denied (403) to ${operation} s3://${location.bucket}/${location.key}: grant the ` +
        `stage's role s3:${operation === 'read' ? 'GetObject' : 'PutObject'} on ` +
        `arn:aws:s3:::${location.bucket}/executions/* (the S3Workflow construct does), and check ` +
        'the bucket policy and KMS key policy.',
      options,
    );
    this.name = 'StageAccessDeniedError';
    this.operation = operation;
  }
}

/**
 * Any other S3 failure, including throttling (503 SlowDown) that the resilience layer retried
 * until its budget ran out. `transient` says whether a later retry (Step Functions') may help.
 */
export class StageStorageFailedError extends WorkflowStorageError {
  readonly transient: boolean;

  constructor(
    location: S3Location,
    s3Code: string | undefined,
    transient: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(location, s3Code, message, options);
    this.name = 'StageStorageFailedError';
    this.transient = transient;
  }
}

/** A stage's input object is not valid JSON / JSON Lines. Permanent. */
export class StageInputFormatError extends WorkflowError {
  readonly location: S3Location;

  constructor(location: S3Location, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StageInputFormatError';
    this.location = location;
  }
}

/**
 * A stage's input is too large to hold as one JSON value (V8 strings stop at ~512 MiB; the
 * Lambda's memory stops earlier). Permanent: write the stage with `streamingStage` instead.
 */
export class StageInputTooLargeError extends WorkflowError {
  readonly location: S3Location;

  constructor(location: S3Location, options?: ErrorOptions) {
    super(
      `Stage input s3://${location.bucket}/${location.key} is too large to read as one JSON ` +
        'value: write this stage with streamingStage (JSON Lines, one record at a time), and ' +
        'the stage before it too.',
      options,
    );
    this.name = 'StageInputTooLargeError';
    this.location = location;
  }
}

/** A stage's output cannot be written as JSON (undefined, a function, a BigInt, a cycle). */
export class StageOutputFormatError extends WorkflowError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StageOutputFormatError';
  }
}

/**
 * The `name`s (Step Functions' task `Error`) of the kit errors a retry cannot fix: bad config or
 * payload, a missing or unreadable input, access denied, output that cannot be encoded. The
 * state machine's first Retry rule matches them with MaxAttempts 0, so they fail at once
 * instead of after 2 × 20 s × 2 of retries. StageStorageFailedError (throttling, 5xx) is left
 * out: it may be transient.
 */
export const PERMANENT_STAGE_ERRORS: readonly string[] = Object.freeze([
  'WorkflowConfigError',
  'InvalidExecutionContextError',
  'InvalidPathSegmentError',
  'StageInputNotFoundError',
  'WorkflowBucketNotFoundError',
  'StageAccessDeniedError',
  'StageInputFormatError',
  'StageInputTooLargeError',
  'StageOutputFormatError',
]);
