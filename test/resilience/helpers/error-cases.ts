import fc from 'fast-check';
import { sdkError } from './sdk-errors.js';

// The retryable set as the requirement states it, written out here (not imported) so that the
// tests check the implementation against the requirement rather than against itself.
export const SPEC_THROTTLING = [
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'Throttling',
  'ThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'BandwidthLimitExceeded',
  'TransactionInProgressException',
];
export const SPEC_TRANSIENT = [
  'InternalServerException',
  'InternalFailure',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
];
export const SPEC_NETWORK = ['ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'ECONNREFUSED'];
export const SPEC_NEVER = ['ServiceQuotaExceededException', 'ConflictException'];
export const SPEC_OTHER = [
  'ValidationException',
  'AccessDeniedException',
  'ResourceNotFoundException',
  'UninitializedAccountException',
  'RuleNotFoundException',
  'TargetGroupNotFoundException',
];
export const SPEC_RETRY_STATUSES = [429, 500, 502, 503, 504];
export const STATUSES = [200, 400, 401, 402, 403, 404, 409, 413, 429, 500, 501, 502, 503, 504];

export interface ErrorCase {
  readonly name: string;
  readonly status: number;
  readonly modelledRetryable: boolean;
}

/** Random SDK-shaped errors over known and unknown codes and statuses. */
export const errorCase: fc.Arbitrary<ErrorCase> = fc.record({
  name: fc.constantFrom(...SPEC_THROTTLING, ...SPEC_TRANSIENT, ...SPEC_NEVER, ...SPEC_OTHER),
  status: fc.constantFrom(...STATUSES),
  modelledRetryable: fc.boolean(),
});

/** What the requirement says about an error case. */
export function specSaysRetry(c: ErrorCase): boolean {
  if (SPEC_NEVER.includes(c.name) || c.status === 402 || c.status === 409) return false;
  return (
    SPEC_THROTTLING.includes(c.name) ||
    SPEC_TRANSIENT.includes(c.name) ||
    SPEC_RETRY_STATUSES.includes(c.status) ||
    c.modelledRetryable
  );
}

export function toError(c: ErrorCase): Error {
  return sdkError({
    name: c.name,
    status: c.status,
    ...(c.modelledRetryable ? { retryable: {} } : {}),
  });
}
