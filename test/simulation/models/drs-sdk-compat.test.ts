import * as drs from '@aws-sdk/client-drs';
import {
  DescribeJobsCommand,
  DrsClient,
  InternalServerException,
  ServiceQuotaExceededException,
  StartRecoveryCommand,
  ThrottlingException,
} from '@aws-sdk/client-drs';
import { describe, expect, it } from 'vitest';
import { RetryExhaustedError } from '../../../src/resilience/errors.js';
import {
  attachResilience,
  createResilientClient,
} from '../../../src/resilience/resilient-client.js';
import type { RetryEvent } from '../../../src/resilience/retry.js';
import { TokenBucket } from '../../../src/resilience/token-bucket.js';
import { DrsModel, drsInternalServerError } from '../../../src/simulation/models/drs.js';
import { createRandom } from '../../../src/simulation/random.js';
import {
  createSimulatedClient,
  mountModel,
  networkDisabledHandler,
} from '../../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

// @aws-sdk/client-drs is 3.523.0 with its own, older @smithy tree (core 1.x, middleware-retry
// 2.x): these tests pin that the mount and the kit's resilience layer work with it as with the
// current clients.

function kitOptions(clock: VirtualClock, retries: RetryEvent[], maxRetries = 3) {
  return {
    clock,
    random: createRandom(7),
    env: {},
    retry: { maxRetries, baseDelayMs: 100, maxDelayMs: 5_000 },
    limiter: new TokenBucket({ ratePerSecond: 1_000, capacity: 1_000, clock }),
    onRetry: (event: RetryEvent) => retries.push(event),
  };
}

describe('simulation: DRS 3.523 client with the mount and the kit resilience layer', () => {
  it('a throttled call is retried once by the kit (after retryAfterSeconds), never by the SDK', async () => {
    // Prepare: one call per second at most; the SDK client keeps its default 3 attempts.
    const clock = VirtualClock.create();
    const model = new DrsModel({ clock, throttling: { account: { ratePerSecond: 1, burst: 1 } } });
    const client = createSimulatedClient(DrsClient, {}, model, { exceptions: drs });
    const retries: RetryEvent[] = [];
    attachResilience(client, kitOptions(clock, retries));

    // Act: the second call finds the bucket empty.
    const first = await clock.run(() => client.send(new DescribeJobsCommand({})));
    const second = await clock.run(() => client.send(new DescribeJobsCommand({})));

    // Assess
    expect(first.$metadata.attempts).toBe(1);
    expect(second.$metadata.attempts).toBe(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({
      attempt: 1,
      classification: { code: 'ThrottlingException' },
    });
    // The kit honoured the model's hint of 1 s rather than its own 100 ms base delay.
    expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(1_000);
    expect(model.stats().byOperation.DescribeJobs).toMatchObject({
      calls: 3,
      throttled: 1,
      succeeded: 2,
    });
  });

  it('exhausted retries carry the DRS package ThrottlingException with retryAfterSeconds', async () => {
    // Prepare: no retries, so the first throttle ends the call.
    const clock = VirtualClock.create();
    const model = new DrsModel({
      clock,
      throttling: { account: { ratePerSecond: 0.5, burst: 1 } },
    });
    const client = createResilientClient(
      DrsClient,
      { region: 'eu-west-1', requestHandler: networkDisabledHandler },
      kitOptions(clock, [], 0),
    );
    mountModel(client, model, { exceptions: drs });

    // Act
    await clock.run(() => client.send(new DescribeJobsCommand({})));
    const error = await clock
      .run(() => client.send(new DescribeJobsCommand({})))
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(RetryExhaustedError);
    const cause = (error as RetryExhaustedError).cause;
    expect(cause).toBeInstanceOf(ThrottlingException);
    expect(cause).toMatchObject({
      name: 'ThrottlingException',
      $fault: 'client',
      retryAfterSeconds: '2',
      serviceCode: 'drs',
      $metadata: { httpStatusCode: 429, attempts: 1 },
    });
  });

  it('5xx faults become the DRS InternalServerException and are retried by the kit', async () => {
    // Prepare
    const clock = VirtualClock.create();
    const model = new DrsModel({ clock });
    model.failNext(2, drsInternalServerError(3));
    const retries: RetryEvent[] = [];
    const client = createSimulatedClient(DrsClient, { region: 'eu-west-1' }, model, {
      exceptions: drs,
    });
    attachResilience(client, kitOptions(clock, retries));

    // Act
    const output = await clock.run(() => client.send(new DescribeJobsCommand({})));

    // Assess
    expect(output.items).toEqual([]);
    expect(retries.map((event) => event.classification.code)).toEqual([
      'InternalServerException',
      'InternalServerException',
    ]);
    expect(retries.every((event) => event.delayMs >= 3_000)).toBe(true);
    expect(model.counters().faults).toBe(2);
  });

  it('quota errors are not retried and arrive as the DRS class with the quota codes', async () => {
    // Prepare
    const clock = VirtualClock.create();
    const model = new DrsModel({ clock, quotas: { serversPerJob: 2 } });
    const ids = model.seedSourceServers(3);
    const retries: RetryEvent[] = [];
    const client = createSimulatedClient(DrsClient, {}, model, { exceptions: drs });
    attachResilience(client, kitOptions(clock, retries));

    // Act
    const error = await clock
      .run(() =>
        client.send(
          new StartRecoveryCommand({
            sourceServers: ids.map((sourceServerID) => ({ sourceServerID })),
          }),
        ),
      )
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ServiceQuotaExceededException);
    expect(error).toMatchObject({
      quotaCode: 'L-B827C881',
      serviceCode: 'drs',
      resourceType: 'SOURCE_SERVER',
      $metadata: { httpStatusCode: 402 },
    });
    expect(retries).toHaveLength(0);
    expect(error).not.toBeInstanceOf(InternalServerException);
  });

  it('without the kit, the SDK 3.523 standard retry sees the model answers (3 attempts)', async () => {
    // Prepare: every call throttled after the first one.
    const clock = VirtualClock.install({ random: 1 });
    try {
      const model = new DrsModel({
        clock,
        throttling: { account: { ratePerSecond: 0.001, burst: 1 } },
      });
      const client = createSimulatedClient(DrsClient, {}, model, { exceptions: drs });

      // Act
      await clock.run(() => client.send(new DescribeJobsCommand({})));
      const error = await clock
        .run(() => client.send(new DescribeJobsCommand({})))
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(ThrottlingException);
      expect((error as ThrottlingException).$metadata.attempts).toBe(3);
      expect(model.counters().throttles).toBe(3);
    } finally {
      clock.uninstall();
    }
  });
});
