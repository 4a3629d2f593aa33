import type { OpsLogger } from '../../../src/observability/index.js';
import type { Clock } from '../../../src/resilience/index.js';
import { RetryExhaustedError, withRetry } from '../../../src/resilience/index.js';

interface QuotaDeps {
  readonly clock: Clock; // systemClock in production, a virtual clock in tests
  readonly logger: OpsLogger;
  readonly readQuota: () => Promise<number>;
}

/** Any async call can be wrapped; the callback receives the attempt number (1, 2, ...). */
export async function concurrentJobQuota(deps: QuotaDeps): Promise<number | undefined> {
  try {
    return await withRetry('GetServiceQuota', () => deps.readQuota(), {
      clock: deps.clock,
      logger: deps.logger,
      maxRetries: 3, // the rest comes from OPSKIT_RETRY_* or the defaults
    });
  } catch (error) {
    // Non-retryable errors arrive here unchanged; exhaustion arrives typed.
    if (error instanceof RetryExhaustedError) return undefined; // error.cause: the last failure
    throw error;
  }
}
// end of example
