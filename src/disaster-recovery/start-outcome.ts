/**
 * Whether the error of the DRS call that creates a job (StartRecovery,
 * TerminateRecoveryInstances) proves that DRS created no job. Judged on that call's own error
 * only: an error of a later step (recording the job, updating a lease) says nothing about the
 * job, and a DynamoDB 400 there would otherwise read as "DRS refused".
 */
import { httpStatusOf, isThrottlingError } from '../resilience/error-classification.js';
import { RetryExhaustedError } from '../resilience/errors.js';
import { DrsConflictError, DrsQuotaExceededError } from './errors.js';

/**
 * True when DRS answered a client error (4xx: quota, conflict, validation, access denied) or
 * throttled every attempt. A 5xx, a timeout, a lost answer or an answer without a job id
 * proves nothing: DRS may have created the job.
 */
export function startWasRejected(drsError: unknown): boolean {
  if (drsError instanceof DrsQuotaExceededError || drsError instanceof DrsConflictError) {
    return true;
  }
  // The write client retries throttling only: out of retries means DRS throttled every call.
  if (drsError instanceof RetryExhaustedError) return isThrottlingError(drsError.cause);
  const status = httpStatusOf(drsError);
  return status !== undefined && status >= 400 && status < 500;
}
