/**
 * Errors the handlers raise themselves about their input. (The controller's and the adapters'
 * errors live in `../errors.ts`; these could move there.)
 */
import { LoadSheddingError } from '../errors.js';

/**
 * The alarm handler was invoked with something that is not a "CloudWatch Alarm State Change"
 * event (or one missing a field the controller reads). Nothing was read or written; retrying
 * cannot fix it, so after Lambda's async retries the event lands in the function's dead-letter
 * queue or on-failure destination.
 */
export class AlarmEventError extends LoadSheddingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AlarmEventError';
  }
}

/**
 * The check handler was invoked with something that is not an SQS event, or with a record that
 * has no `messageId` to report as a batch item failure. The whole batch fails (nothing was
 * written); its messages return after the visibility timeout.
 */
export class CheckQueueEventError extends LoadSheddingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CheckQueueEventError';
  }
}

/**
 * The decision kept losing the conditional state save to concurrent invocations. Nothing was
 * written to ELBv2 by this invocation; the trigger should be redelivered and decided again.
 */
export class StateContentionError extends LoadSheddingError {
  readonly attempts: number;

  constructor(primaryTargetGroupArn: string, attempts: number, options?: ErrorOptions) {
    super(
      `Gave up after ${attempts} attempts to save the load-shedding state of ` +
        `${primaryTargetGroupArn}: other invocations kept saving it first. Nothing was written ` +
        'to ELBv2; the trigger is retried (EventBridge / SQS redelivery).',
      options,
    );
    this.name = 'StateContentionError';
    this.attempts = attempts;
  }
}
