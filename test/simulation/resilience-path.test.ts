import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { createResilientClient } from '../../src/resilience/resilient-client.js';
import type { RetryEvent } from '../../src/resilience/retry.js';
import { TokenBucket } from '../../src/resilience/token-bucket.js';
import { ThrottleStyles, ThrottlingApiModel } from '../../src/simulation/models/throttling-api.js';
import { createRandom } from '../../src/simulation/random.js';
import { mountModel, networkDisabledHandler } from '../../src/simulation/sdk-mount.js';
import { CommonErrors } from '../../src/simulation/service-error.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';

describe('simulation: model errors through the kit resilience path', () => {
  it('throttles and 5xx from a model are retried by the kit client on virtual time', async () => {
    // Prepare: ELBv2-like quota (10/s, burst 40), two scripted 503s, the kit's resilient client.
    const clock = VirtualClock.create();
    const model = new ThrottlingApiModel({
      clock,
      name: 'elbv2',
      throttle: ThrottleStyles.query,
      operations: { DescribeTargetHealth: { quota: { ratePerSecond: 10, burst: 40 } } },
    });
    model.failNext(2, CommonErrors.serviceUnavailable);
    const retries: RetryEvent[] = [];
    const client = createResilientClient(
      ElasticLoadBalancingV2Client,
      // No real HTTP handler: a broken mount must fail, never reach the network.
      { region: 'eu-west-1', requestHandler: networkDisabledHandler },
      {
        clock,
        random: createRandom(3),
        env: {},
        retry: { maxRetries: 8, baseDelayMs: 200, maxDelayMs: 5_000 },
        // Client-side limiter wide open, so the server-side quota is what pushes back.
        limiter: new TokenBucket({ ratePerSecond: 1_000, capacity: 1_000, clock }),
        onRetry: (event) => retries.push(event),
      },
    );
    mountModel(client, model, { exceptions: elbv2 });

    // Act
    const outputs = await clock.run(() =>
      Promise.all(
        Array.from({ length: 60 }, () =>
          client.send(new DescribeTargetHealthCommand({ TargetGroupArn: 'tg' })),
        ),
      ),
    );

    // Assess
    expect(outputs).toHaveLength(60);
    const stats = model.stats().total;
    expect(stats.succeeded).toBe(60);
    expect(stats.faulted).toBe(2);
    expect(stats.throttled).toBeGreaterThan(0);
    expect(retries.length).toBe(stats.throttled + stats.faulted);
    const names = new Set(retries.map((event) => (event.error as Error).name));
    expect(names).toEqual(new Set(['Throttling', 'ServiceUnavailable']));
    expect(
      retries.every((event) => event.error instanceof ElasticLoadBalancingV2ServiceException),
    ).toBe(true);
    const kinds = new Map(retries.map((e) => [(e.error as Error).name, e.classification]));
    expect(kinds.get('Throttling')).toMatchObject({ kind: 'throttling', httpStatusCode: 400 });
    expect(kinds.get('ServiceUnavailable')).toMatchObject({
      kind: 'transient',
      httpStatusCode: 503,
    });
  });
});
