import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { InMemoryMetricRecorder } from '../src/observability/metrics.js';
import { LimiterRegistry } from '../src/resilience/limiter-registry.js';
import { ResilienceMetricNames } from '../src/resilience/metric-names.js';
import { createResilientClient } from '../src/resilience/resilient-client.js';
import {
  ThrottleStyles,
  ThrottlingApiModel,
  VirtualClock,
  createSimulatedClient,
  mountModel,
  networkDisabledHandler,
} from '../src/simulation/index.js';

/** The workload the issue fixes: 50 concurrent callers share 1,000 calls against a 10 TPS quota. */
export const WORKLOAD = {
  callers: 50,
  calls: 1_000,
  quotaPerSecond: 10,
  /** The service's burst: a bucket of one second's worth, as a plain "10 TPS" quota. */
  quotaBurst: 10,
  seed: 20261123,
} as const;

export type Strategy = 'sdk-standard' | 'sdk-adaptive' | 'kit';

export interface ThrottlingBenchResult {
  readonly strategy: Strategy;
  readonly label: string;
  /** Throttling errors the service answered (every attempt counts). */
  readonly throttles: number;
  /** Calls whose caller got an error in the end. */
  readonly failedCalls: number;
  /** Requests the service saw (first attempts + retries). */
  readonly requests: number;
  readonly virtualSeconds: number;
  /** Completion time over the ideal `calls / quotaPerSecond`. */
  readonly completionRatio: number;
  /** Retries the kit's metrics counted (kit only). */
  readonly kitRetries?: number;
}

const LABELS: Record<Strategy, string> = {
  'sdk-standard': '(a) SDK standard retry, no limiter',
  'sdk-adaptive': '(b) SDK adaptive retry mode',
  kit: '(c) kit limiter + retry (defaults: 10 TPS, burst 20, 5 retries)',
};

/**
 * Runs the workload once for a strategy, in global virtual time (the SDK's own retry sleeps
 * with `setTimeout`, so only a global clock puts all three on the same footing).
 */
export async function runThrottlingScenario(strategy: Strategy): Promise<ThrottlingBenchResult> {
  const clock = VirtualClock.install({ random: WORKLOAD.seed });
  try {
    const model = new ThrottlingApiModel({
      clock,
      name: 'elbv2',
      throttle: ThrottleStyles.query,
      operations: {
        DescribeTargetHealth: {
          quota: { ratePerSecond: WORKLOAD.quotaPerSecond, burst: WORKLOAD.quotaBurst },
        },
      },
      random: WORKLOAD.seed,
    });
    const metrics = new InMemoryMetricRecorder();
    const client = buildClient(strategy, clock, model, metrics);

    const start = clock.now();
    let started = 0;
    let failedCalls = 0;
    const caller = async (): Promise<void> => {
      while (started < WORKLOAD.calls) {
        started += 1;
        try {
          await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: 'arn:bench' }));
        } catch {
          failedCalls += 1;
        }
      }
    };
    await clock.run(() => Promise.all(Array.from({ length: WORKLOAD.callers }, caller)), {
      maxVirtualMs: 3_600_000,
      // The SDK's adaptive limiter re-polls every few ms for each of the 50 callers.
      maxTimers: 10_000_000,
    });
    const virtualSeconds = (clock.now() - start) / 1000;
    const stats = model.stats().total;
    return {
      strategy,
      label: LABELS[strategy],
      throttles: stats.throttled,
      failedCalls,
      requests: stats.calls,
      virtualSeconds,
      completionRatio: virtualSeconds / (WORKLOAD.calls / WORKLOAD.quotaPerSecond),
      ...(strategy === 'kit' ? { kitRetries: metrics.sum(ResilienceMetricNames.retries) } : {}),
    };
  } finally {
    clock.uninstall();
  }
}

function buildClient(
  strategy: Strategy,
  clock: VirtualClock,
  model: ThrottlingApiModel,
  metrics: InMemoryMetricRecorder,
): ElasticLoadBalancingV2Client {
  switch (strategy) {
    case 'sdk-standard':
      return createSimulatedClient(ElasticLoadBalancingV2Client, {}, model, { exceptions: elbv2 });
    case 'sdk-adaptive':
      return createSimulatedClient(ElasticLoadBalancingV2Client, { retryMode: 'adaptive' }, model, {
        exceptions: elbv2,
      });
    case 'kit': {
      const client = createResilientClient(
        ElasticLoadBalancingV2Client,
        // No real HTTP handler: a broken mount must fail, never reach the network.
        { region: 'us-east-1', requestHandler: networkDisabledHandler },
        // Defaults everywhere except the environment: the bench must not depend on the shell.
        { clock, registry: new LimiterRegistry({ clock, env: {} }), env: {}, metrics },
      );
      mountModel(client, model, { exceptions: elbv2 });
      return client;
    }
  }
}
