import { ResilienceError } from './errors.js';

/**
 * Throttling error codes, as the SDK's own retry strategy knows them (@smithy/core 3.41
 * `THROTTLING_ERROR_CODES`), so moving retries from the SDK to the kit retries the same errors.
 */
export const THROTTLING_ERROR_CODES: readonly string[] = Object.freeze([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

/** Server-side failures, timeouts and broken connections that a new attempt usually cures. */
export const TRANSIENT_ERROR_CODES: readonly string[] = Object.freeze([
  // Service faults
  'InternalServerException',
  'InternalServerError',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  // Timeouts (SDK `TimeoutError` from the HTTP handler, S3 `RequestTimeout`)
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  // Node network errors (`code`); "socket hang up" is ECONNRESET
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export const THROTTLING_STATUS_CODES: readonly number[] = Object.freeze([429]);
export const TRANSIENT_STATUS_CODES: readonly number[] = Object.freeze([500, 502, 503, 504]);

/**
 * Never retried by default although a status or trait might suggest it: they say "no capacity
 * now" (402 quota, 409 conflict e.g. a DRS server already in a job). Retrying them in
 * milliseconds only burns the budget; waiting for capacity is the job throttler's work.
 */
export const NON_RETRYABLE_ERROR_CODES: readonly string[] = Object.freeze([
  'ServiceQuotaExceededException',
  'ConflictException',
]);
export const NON_RETRYABLE_STATUS_CODES: readonly number[] = Object.freeze([402, 409]);

export type ErrorKind = 'throttling' | 'transient' | 'non-retryable';

export interface ErrorClassification {
  readonly retryable: boolean;
  readonly kind: ErrorKind;
  /** `name` of an SDK exception, Node `code` of a system error. */
  readonly code: string | undefined;
  readonly httpStatusCode: number | undefined;
}

/** Changes to the retryable set, per client or per call. */
export interface RetryableErrorsOptions {
  /** Also retry these codes (matched against `name` and `code`), even default exclusions. */
  readonly retryCodes?: readonly string[];
  /** Also retry these HTTP statuses, even default exclusions (402, 409). */
  readonly retryStatusCodes?: readonly number[];
  /** Never retry these codes; beats everything else. */
  readonly doNotRetryCodes?: readonly string[];
  /** Never retry these HTTP statuses; beats everything else. */
  readonly doNotRetryStatusCodes?: readonly number[];
  /**
   * Last word on an error: return true/false to decide, undefined to keep the decision made
   * from the sets. Not consulted for the kit's own errors or aborts, which are never retried.
   */
  readonly predicate?: (error: unknown, decision: ErrorClassification) => boolean | undefined;
}

export type ErrorClassifier = (error: unknown) => ErrorClassification;

// A Node system error is an `Error` named 'Error' whose identity is its `code`.
const GENERIC_NAMES = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError']);
const CAUSE_DEPTH = 5;

type Fields = Record<string, unknown>;

function fieldsOf(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null ? (value as Fields) : undefined;
}

/** The identifying names of an error: its `name`, its `code` and SDK `Code`, when strings. */
function codesOf(error: Fields): string[] {
  return [error.name, error.code, error.Code].filter((c): c is string => typeof c === 'string');
}

/** The code to log and count: the SDK exception name, else a Node system error's code. */
export function errorCodeOf(error: unknown): string | undefined {
  const fields = fieldsOf(error);
  if (!fields) return undefined;
  const name = typeof fields.name === 'string' ? fields.name : undefined;
  const code =
    typeof fields.code === 'string'
      ? fields.code
      : typeof fields.Code === 'string'
        ? fields.Code
        : undefined;
  if (name === undefined || (GENERIC_NAMES.has(name) && code !== undefined)) return code ?? name;
  return name;
}

/** HTTP status of an SDK exception (`$metadata.httpStatusCode`). */
export function httpStatusOf(error: unknown): number | undefined {
  const status = fieldsOf(fieldsOf(error)?.$metadata)?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Throttling by code, HTTP 429 or the Smithy `@retryable(throttling: true)` trait. */
export function isThrottlingError(error: unknown): boolean {
  const fields = fieldsOf(error);
  if (!fields) return false;
  if (codesOf(fields).some((code) => THROTTLING_ERROR_CODES.includes(code))) return true;
  const status = httpStatusOf(error);
  if (status !== undefined && THROTTLING_STATUS_CODES.includes(status)) return true;
  return fieldsOf(fields.$retryable)?.throttling === true;
}

/** Builds the retry decision; `classifyError` is the default one. */
export function createErrorClassifier(options: RetryableErrorsOptions = {}): ErrorClassifier {
  const extraCodes = new Set(options.retryCodes ?? []);
  const extraStatuses = new Set(options.retryStatusCodes ?? []);
  const blockedCodes = new Set(options.doNotRetryCodes ?? []);
  const blockedStatuses = new Set(options.doNotRetryStatusCodes ?? []);
  const codes = new Set([...THROTTLING_ERROR_CODES, ...TRANSIENT_ERROR_CODES]);
  const statuses = new Set([...THROTTLING_STATUS_CODES, ...TRANSIENT_STATUS_CODES]);
  const excludedCodes = new Set(NON_RETRYABLE_ERROR_CODES);
  const excludedStatuses = new Set(NON_RETRYABLE_STATUS_CODES);

  const decide = (fields: Fields, status: number | undefined): boolean => {
    const names = codesOf(fields);
    const statusIn = (set: ReadonlySet<number>): boolean => status !== undefined && set.has(status);
    // The caller's own statements beat the defaults; "do not retry" beats "retry".
    if (names.some((c) => blockedCodes.has(c)) || statusIn(blockedStatuses)) return false;
    if (names.some((c) => extraCodes.has(c)) || statusIn(extraStatuses)) return true;
    if (names.some((c) => excludedCodes.has(c)) || statusIn(excludedStatuses)) return false;
    if (names.some((c) => codes.has(c)) || statusIn(statuses)) return true;
    // Modelled `@retryable` trait, and the SDK's clock-skew correction (re-signing cures it).
    if (fields.$retryable !== undefined && fields.$retryable !== null) return true;
    if (fieldsOf(fields.$metadata)?.clockSkewCorrected === true) return true;
    return causeIsNetworkError(fields.cause, CAUSE_DEPTH);
  };

  const causeIsNetworkError = (cause: unknown, depth: number): boolean => {
    const fields = fieldsOf(cause);
    if (!fields || depth === 0 || cause instanceof ResilienceError) return false;
    if (codesOf(fields).some((c) => TRANSIENT_ERROR_CODES.includes(c) && !blockedCodes.has(c))) {
      return true;
    }
    return causeIsNetworkError(fields.cause, depth - 1);
  };

  return (error: unknown): ErrorClassification => {
    const fields = fieldsOf(error);
    const code = errorCodeOf(error);
    const httpStatusCode = httpStatusOf(error);
    // Hard rules: the kit's own errors (a RetryExhaustedError must not be retried again by an
    // outer layer: that is the N × N stacking this layer exists to prevent) and aborts.
    if (!fields || error instanceof ResilienceError || fields.name === 'AbortError') {
      return { retryable: false, kind: 'non-retryable', code, httpStatusCode };
    }
    let retryable = decide(fields, httpStatusCode);
    const kindOf = (yes: boolean): ErrorKind =>
      !yes ? 'non-retryable' : isThrottlingError(error) ? 'throttling' : 'transient';
    const decision = { retryable, kind: kindOf(retryable), code, httpStatusCode };
    const override = options.predicate?.(error, decision);
    if (override === undefined || override === retryable) return decision;
    retryable = override;
    return { retryable, kind: kindOf(retryable), code, httpStatusCode };
  };
}

/** The default retry decision (no additions or removals). */
export const classifyError: ErrorClassifier = createErrorClassifier();
