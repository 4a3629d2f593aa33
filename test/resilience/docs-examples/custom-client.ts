import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { attachResilience, LimiterRegistry } from '../../../src/resilience/index.js';

// An existing client (e.g. one a library built) made resilient in place; its SDK retry
// middleware becomes a pass-through whatever maxAttempts it was built with.
const registry = new LimiterRegistry({
  limits: { 'elastic-load-balancing-v2': { ratePerSecond: 5, capacity: 40 } },
});
export const client = attachResilience(new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }), {
  registry,
  retry: { maxRetries: 8, maxDelayMs: 30_000 },
  retryable: { retryCodes: ['ResourceInUse'], doNotRetryStatusCodes: [504] },
  metricDimensions: { Capability: 'load-shedding' },
});
// end of example
export { registry };
