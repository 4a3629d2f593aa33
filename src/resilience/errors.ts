/** Base of every error the resilience layer raises itself (never of errors it passes through). */
export class ResilienceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ResilienceError';
  }
}

/** A retry or rate-limit setting (option or environment variable) is invalid. */
export class ResilienceConfigError extends ResilienceError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ResilienceConfigError';
  }
}

export interface RetryExhaustedErrorDetails {
  /** The operation that kept failing, e.g. `DescribeRules`. */
  readonly operation: string;
  /** Attempts made in total: the first one plus every retry (maxRetries + 1). */
  readonly attempts: number;
  /** Sum of the backoff delays slept between the attempts, in milliseconds. */
  readonly totalRetryDelayMs: number;
  /** Code of the last error (its `name` or Node `code`), if it had one. */
  readonly lastErrorCode: string | undefined;
  /** The last error; also available as `cause`. */
  readonly lastError: unknown;
}

/** Every attempt failed with a retryable error. `cause` holds the last one, unchanged. */
export class RetryExhaustedError extends ResilienceError {
  readonly operation: string;
  readonly attempts: number;
  readonly totalRetryDelayMs: number;
  readonly lastErrorCode: string | undefined;

  constructor(details: RetryExhaustedErrorDetails) {
    super(
      `${details.operation} failed after ${details.attempts} attempt(s); last error: ` +
        `${details.lastErrorCode ?? 'unknown'}. The service kept throttling or failing ` +
        'transiently: lower the call rate (rate limits) or raise the retry budget.',
      { cause: details.lastError },
    );
    this.name = 'RetryExhaustedError';
    this.operation = details.operation;
    this.attempts = details.attempts;
    this.totalRetryDelayMs = details.totalRetryDelayMs;
    this.lastErrorCode = details.lastErrorCode;
  }
}

export interface RateLimitTimeoutErrorDetails {
  /** Name of the limiter, e.g. `drs:us-east-1`. */
  readonly limiterName: string;
  /** The timeout the caller asked for. */
  readonly timeoutMs: number;
  /** How long the caller actually waited before giving up. */
  readonly waitedMs: number;
  /** Tokens the caller asked for. */
  readonly tokens: number;
}

/** `acquire()` could not get its tokens within `timeoutMs`; no token was consumed. */
export class RateLimitTimeoutError extends ResilienceError {
  readonly limiterName: string;
  readonly timeoutMs: number;
  readonly waitedMs: number;
  readonly tokens: number;

  constructor(details: RateLimitTimeoutErrorDetails) {
    super(
      `Rate limiter '${details.limiterName}' could not grant ${details.tokens} token(s) within ` +
        `${details.timeoutMs} ms (waited ${details.waitedMs} ms). Too many callers share this ` +
        'limit: raise its rate/capacity, spread the work, or allow a longer timeout.',
    );
    this.name = 'RateLimitTimeoutError';
    this.limiterName = details.limiterName;
    this.timeoutMs = details.timeoutMs;
    this.waitedMs = details.waitedMs;
    this.tokens = details.tokens;
  }
}
