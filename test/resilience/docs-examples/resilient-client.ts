import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  createLogger,
  createMetrics,
  MetricNamespaces,
  PowertoolsMetricRecorder,
} from '../../../src/observability/index.js';
import { createResilientClient } from '../../../src/resilience/index.js';

const logger = createLogger({ serviceName: 'load-shedding' });
const metrics = new PowertoolsMetricRecorder(
  createMetrics({ namespace: MetricNamespaces.resilience, serviceName: 'load-shedding' }),
);

// Once per Lambda container: every call is rate-limited per (service, region), retried by the
// kit only (SDK maxAttempts is 1), logged and counted.
export const elb = createResilientClient(ElasticLoadBalancingV2Client, {}, { logger, metrics });

export async function listRules(listenerArn: string) {
  const output = await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  // output.$metadata.attempts: attempts the kit made; totalRetryDelay: backoff slept (ms)
  return output.Rules ?? [];
}
// end of example
