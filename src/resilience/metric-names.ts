/**
 * Metrics the resilience layer records through a `MetricRecorder`; the caller picks the
 * namespace (e.g. `MetricNamespaces.resilience`, or `DRS/RateLimits` for the DRS alarms).
 */
export const ResilienceMetricNames = Object.freeze({
  /** Count, one per logical SDK call. Dimensions: Service, Operation, Outcome (Success|Failure). */
  apiCalls: 'ApiCalls',
  /** Count, one per throttling error seen (retried or not). Dimensions: Service, ErrorCode. */
  throttles: 'Throttles',
  /** Count, one per retry scheduled. Dimensions: Service, Attempt (1 = first retry). */
  retries: 'Retries',
  /** Count, one per call that ran out of retries. Dimensions: Service. */
  retriesExhausted: 'RetriesExhausted',
  /** Milliseconds waited for a rate-limiter token, one per attempt. Dimensions: Service. */
  rateLimiterWaitTime: 'RateLimiterWaitTime',
} as const);

export type ResilienceMetricName =
  (typeof ResilienceMetricNames)[keyof typeof ResilienceMetricNames];

/** Values of the `Outcome` dimension of `ApiCalls`. */
export const ApiCallOutcome = Object.freeze({ success: 'Success', failure: 'Failure' } as const);
