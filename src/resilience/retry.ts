import type { MetricDimensions, MetricRecorder } from '../observability/metrics.js';
import { noopMetricRecorder } from '../observability/metrics.js';
import type { OpsLogger } from '../observability/logger.js';
import { silentLogger } from '../observability/logger.js';
import { backoffDelayMs } from './backoff.js';
import { systemClock, type Clock, type RandomSource } from './clock.js';
import {
  createErrorClassifier,
  isThrottlingError,
  type ErrorClassification,
  type ErrorClassifier,
  type RetryableErrorsOptions,
} from './error-classification.js';
import { RetryExhaustedError } from './errors.js';
import { ResilienceMetricNames } from './metric-names.js';
import { retryAfterMsOf } from './retry-after.js';
import { resolveRetryConfig, type Environment, type RetryConfig } from './retry-config.js';

/** What `onRetry` is told before each backoff sleep. */
export interface RetryEvent {
  readonly operation: string;
  /** The attempt that just failed (1-based); the next one is `attempt + 1`. */
  readonly attempt: number;
  /** The backoff about to be slept. */
  readonly delayMs: number;
  /** The service's retry-after hint, if it gave one. */
  readonly retryAfterMs: number | undefined;
  readonly error: unknown;
  readonly classification: ErrorClassification;
}

/** Everything but the config: where to sleep, log and count, and what to retry. */
export interface RetryRuntimeOptions {
  /** @default systemClock */
  readonly clock?: Clock;
  /** Jitter source. @default Math.random */
  readonly random?: RandomSource;
  /** WARN per retry, ERROR when retries run out. @default silentLogger */
  readonly logger?: OpsLogger;
  /** Throttles, Retries, RetriesExhausted. @default noopMetricRecorder */
  readonly metrics?: MetricRecorder;
  /** Added to every metric, e.g. `{ Service: 'drs' }`. @default {} */
  readonly metricDimensions?: MetricDimensions;
  /** Added to every log line, e.g. `{ service: 'drs', region: 'us-east-1' }`. */
  readonly logFields?: Readonly<Record<string, unknown>>;
  /** Additions to / removals from the retryable set. */
  readonly retryable?: RetryableErrorsOptions;
  /**
   * Replaces the retry decision. The kit's own errors and aborts are still never retried.
   * @default - the retryable set (see `classifyError`)
   */
  readonly isRetryable?: (error: unknown) => boolean;
  /** Aborting stops the backoff sleep and any further attempt (rejects with the reason). */
  readonly signal?: AbortSignal;
  /** Called before each backoff sleep, after the WARN log. */
  readonly onRetry?: (event: RetryEvent) => void;
}

/** Options of `withRetry`: any part of the config, plus the runtime. */
export interface RetryOptions extends Partial<RetryConfig>, RetryRuntimeOptions {
  /** Source of `OPSKIT_RETRY_*` overrides; `{}` ignores the environment. @default process.env */
  readonly env?: Environment;
}

export interface RetryOutcome<T> {
  readonly value: T;
  /** Attempts made, the successful one included. */
  readonly attempts: number;
  /** Sum of the backoff delays slept, in ms. */
  readonly totalRetryDelayMs: number;
}

/**
 * Runs `fn` until it succeeds, a non-retryable error occurs (rethrown unchanged, at once) or the
 * retries run out (`RetryExhaustedError` with the last error as `cause`). `fn` gets the attempt
 * number (1-based).
 */
export async function withRetry<T>(
  operation: string,
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  return (await runWithRetry(operation, fn, options)).value;
}

/** `withRetry` that also reports how many attempts and how much backoff it took. */
export async function runWithRetry<T>(
  operation: string,
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<RetryOutcome<T>> {
  const config = resolveRetryConfig(configPart(options), options.env);
  return createRetryPolicy(config, options).run(operation, fn);
}

/** A resolved config plus runtime, built once and reused for every call (clients do this). */
export interface RetryPolicy {
  readonly config: RetryConfig;
  run<T>(
    operation: string,
    fn: (attempt: number) => Promise<T>,
    perCall?: Pick<RetryRuntimeOptions, 'signal' | 'onRetry' | 'logFields'>,
  ): Promise<RetryOutcome<T>>;
}

export function createRetryPolicy(
  config: RetryConfig,
  options: RetryRuntimeOptions = {},
): RetryPolicy {
  // `isRetryable` is the classifier's predicate, so the hard rules (never retry the kit's own
  // errors or aborts) hold for it too.
  const { isRetryable } = options;
  const classify = createErrorClassifier(
    isRetryable
      ? { ...options.retryable, predicate: (error) => isRetryable(error) }
      : options.retryable,
  );
  return {
    config,
    run: (operation, fn, perCall = {}) =>
      retryLoop(operation, fn, config, classify, { ...options, ...definedOnly(perCall) }),
  };
}

async function retryLoop<T>(
  operation: string,
  fn: (attempt: number) => Promise<T>,
  config: RetryConfig,
  classify: ErrorClassifier,
  options: RetryRuntimeOptions,
): Promise<RetryOutcome<T>> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? noopMetricRecorder;
  const dimensions = options.metricDimensions ?? {};
  const { signal } = options;
  const maxAttempts = config.maxRetries + 1;
  let totalRetryDelayMs = 0;

  for (let attempt = 1; ; attempt += 1) {
    if (signal?.aborted) throw signal.reason;
    try {
      const value = await fn(attempt);
      return { value, attempts: attempt, totalRetryDelayMs };
    } catch (error) {
      const classification = classify(error);
      if (isThrottlingError(error)) {
        metrics.record(ResilienceMetricNames.throttles, 'Count', 1, {
          ...dimensions,
          ErrorCode: classification.code ?? 'Unknown',
        });
      }
      if (!classification.retryable || signal?.aborted) throw error;

      const logFields = {
        ...options.logFields,
        operation,
        attempt,
        maxAttempts,
        errorCode: classification.code,
        errorCategory: classification.kind,
        httpStatusCode: classification.httpStatusCode,
        requestId: requestIdOf(error),
      };
      if (attempt >= maxAttempts) {
        logger.error('Retries exhausted: giving up', {
          ...logFields,
          attempts: attempt,
          totalRetryDelayMs,
          errorMessage: error instanceof Error ? error.message : String(error),
        });
        metrics.record(ResilienceMetricNames.retriesExhausted, 'Count', 1, { ...dimensions });
        throw new RetryExhaustedError({
          operation,
          attempts: attempt,
          totalRetryDelayMs,
          lastErrorCode: classification.code,
          lastError: error,
        });
      }

      const retryAfterMs = retryAfterMsOf(error, clock.now());
      const delayMs = backoffDelayMs(attempt - 1, config, random, retryAfterMs);
      logger.warn('Retryable error: retrying after backoff', {
        ...logFields,
        delayMs,
        retryAfterMs,
      });
      metrics.record(ResilienceMetricNames.retries, 'Count', 1, {
        ...dimensions,
        Attempt: String(attempt),
      });
      options.onRetry?.({ operation, attempt, delayMs, retryAfterMs, error, classification });
      totalRetryDelayMs += delayMs;
      await clock.sleep(delayMs, signal);
    }
  }
}

function requestIdOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const metadata = (error as { $metadata?: { requestId?: unknown } }).$metadata;
  return typeof metadata?.requestId === 'string' ? metadata.requestId : undefined;
}

function configPart(options: Partial<RetryConfig>): Partial<RetryConfig> {
  return definedOnly({
    maxRetries: options.maxRetries,
    baseDelayMs: options.baseDelayMs,
    maxDelayMs: options.maxDelayMs,
    jitter: options.jitter,
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
