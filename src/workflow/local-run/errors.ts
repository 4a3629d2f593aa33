import { WorkflowError } from '../errors.js';

/** The template or the local-run options are unusable; nothing was run. */
export class LocalRunConfigError extends WorkflowError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalRunConfigError';
  }
}

/**
 * How a Task reports a failure to the interpreter: `name` is the Step Functions error
 * (`Error`), `message` and `cause` the `Cause`, as Step Functions puts them in the execution
 * history and in a Catch's error output.
 */
export class TaskFailure extends Error {
  override readonly cause: string;

  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
    this.cause = cause;
  }
}

/** Step Functions' payload quota (256 KiB), on every state input, output and task result. */
export const MAX_PAYLOAD_BYTES = 262_144;

/**
 * `States.DataLimitExceeded`: terminal. Neither `States.ALL` nor `States.TaskFailed` matches it,
 * so the interpreter must neither retry nor catch it (its `isRetryable`/`isCatchable` say so).
 */
export class DataLimitExceededFailure extends TaskFailure {
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor(cause: string) {
    super('States.DataLimitExceeded', cause);
  }
}
