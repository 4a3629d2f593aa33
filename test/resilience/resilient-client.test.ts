import { Readable } from 'node:stream';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { SMITHY_CONTEXT_KEY } from '@smithy/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryMetricRecorder } from '../../src/observability/metrics.js';
import {
  RateLimitTimeoutError,
  ResilienceConfigError,
  RetryExhaustedError,
} from '../../src/resilience/errors.js';
import {
  defaultLimiterRegistry,
  LimiterRegistry,
  resetDefaultLimiterRegistries,
} from '../../src/resilience/limiter-registry.js';
import { ResilienceMetricNames } from '../../src/resilience/metric-names.js';
import {
  attachResilience,
  createResilientClient,
  RESILIENCE_MIDDLEWARE_NAME,
  type ResilienceOptions,
} from '../../src/resilience/resilient-client.js';
import { TokenBucket } from '../../src/resilience/token-bucket.js';
import { drive } from './helpers/drive.js';
import {
  describeRulesOk,
  queryError,
  ScriptedHttpHandler,
  type ScriptedResponse,
} from './helpers/scripted-http-handler.js';
import { TestClock } from './helpers/test-clock.js';

afterEach(() => resetDefaultLimiterRegistries());

const SERVICE = 'elastic-load-balancing-v2';

interface Setup {
  readonly clock: TestClock;
  readonly handler: ScriptedHttpHandler;
  readonly registry: LimiterRegistry;
  readonly metrics: InMemoryMetricRecorder;
  readonly client: ElasticLoadBalancingV2Client;
}

function setup(
  script: (call: number) => ScriptedResponse,
  options: Partial<ResilienceOptions> = {},
): Setup {
  const clock = new TestClock();
  const handler = new ScriptedHttpHandler(script);
  const registry = new LimiterRegistry({ clock, env: {} });
  const metrics = new InMemoryMetricRecorder();
  const client = createResilientClient(
    ElasticLoadBalancingV2Client,
    { region: 'eu-west-1', requestHandler: handler },
    { clock, registry, metrics, env: {}, random: () => 0.5, ...options },
  );
  return { clock, handler, registry, metrics, client };
}

const describeRules = (client: ElasticLoadBalancingV2Client, abortSignal?: AbortSignal) =>
  client.send(new DescribeRulesCommand({ ListenerArn: 'arn:listener' }), { abortSignal });

describe('resilience: one retry layer', () => {
  it('attempts an always-503 call exactly maxRetries + 1 times although the SDK was set to retry', async () => {
    // Prepare: a client built the ordinary way, with SDK retries (3 attempts) switched on.
    const clock = new TestClock();
    const handler = new ScriptedHttpHandler(() =>
      queryError('ServiceUnavailable', 503, 'Receiver'),
    );
    const client = new ElasticLoadBalancingV2Client({
      region: 'eu-west-1',
      requestHandler: handler,
      maxAttempts: 3,
    });
    attachResilience(client, {
      clock,
      registry: new LimiterRegistry({ clock, env: {} }),
      env: {},
      retry: { maxRetries: 4 },
    });

    // Act
    const error = await drive(
      clock,
      describeRules(client).catch((e: unknown) => e),
    );

    // Assess: 5 attempts, not 5 × 3.
    expect(handler.calls).toBe(5);
    expect(error).toBeInstanceOf(RetryExhaustedError);
    const exhausted = error as RetryExhaustedError;
    expect(exhausted.attempts).toBe(5);
    expect(exhausted.operation).toBe('DescribeRules');
    const cause = exhausted.cause as { name: string; $fault: string; $metadata: object };
    expect(cause.name).toBe('ServiceUnavailable');
    expect(cause.$fault).toBe('server');
    expect(cause.$metadata).toMatchObject({
      httpStatusCode: 503,
      attempts: 5,
      totalRetryDelay: exhausted.totalRetryDelayMs,
    });
  });

  it('keeps the SDK retry middleware name in the stack but runs the kit first', () => {
    const { client } = setup(() => describeRulesOk);

    const stack = client.middlewareStack.identify();

    expect(stack[0]).toBe(`${RESILIENCE_MIDDLEWARE_NAME} - initialize`);
    expect(stack).toContain('retryMiddleware - finalizeRequest');
    expect(stack.filter((entry) => entry.startsWith(RESILIENCE_MIDDLEWARE_NAME))).toHaveLength(1);
  });

  it('builds clients with SDK maxAttempts 1 and refuses SDK retry settings', async () => {
    const { client } = setup(() => describeRulesOk);
    const build = (config: object) => () =>
      createResilientClient(ElasticLoadBalancingV2Client, { region: 'eu-west-1', ...config });

    await expect(client.config.maxAttempts()).resolves.toBe(1);
    expect(build({ maxAttempts: 3 })).toThrow(ResilienceConfigError);
    expect(build({ maxAttempts: 3 })).toThrow(/clientConfig.maxAttempts is set.*options.retry/);
    expect(build({ retryMode: 'adaptive' })).toThrow(/clientConfig.retryMode/);
    expect(build({ retryStrategy: {} })).toThrow(/clientConfig.retryStrategy/);
    expect(build({ maxAttempts: 1 })).not.toThrow();
  });

  it('can be attached again, replacing the previous options', async () => {
    // Prepare
    const { client, clock, handler } = setup(() => queryError('Throttling', 400), {
      retry: { maxRetries: 5 },
    });
    attachResilience(client, { clock, env: {}, retry: { maxRetries: 1 } });

    // Act
    await drive(
      clock,
      describeRules(client).catch(() => undefined),
    );

    // Assess
    expect(handler.calls).toBe(2);
  });

  it('takes effect on a client that already cached its handlers', async () => {
    // Prepare: cacheMiddleware makes the SDK reuse the chain resolved by the first call.
    const clock = new TestClock();
    const handler = new ScriptedHttpHandler((call) =>
      call === 1 ? describeRulesOk : queryError('InternalFailure', 500, 'Receiver'),
    );
    const client = new ElasticLoadBalancingV2Client({
      region: 'eu-west-1',
      requestHandler: handler,
      cacheMiddleware: true,
    });
    await describeRules(client);

    // Act
    attachResilience(client, { clock, env: {}, retry: { maxRetries: 2 } });
    const error = await drive(
      clock,
      describeRules(client).catch((e: unknown) => e),
    );

    // Assess
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(handler.calls).toBe(1 + 3);
  });
});

describe('resilience: resilient client retries', () => {
  it('retries throttling until success and reports attempts in $metadata', async () => {
    // Prepare
    const { client, clock, handler } = setup(
      (call) => (call <= 2 ? queryError('Throttling', 400) : describeRulesOk),
      { retry: { jitter: 0, baseDelayMs: 100 } },
    );

    // Act
    const output = await drive(clock, describeRules(client));

    // Assess
    expect(handler.calls).toBe(3);
    expect(output.Rules).toEqual([]);
    expect(output.$metadata).toMatchObject({ attempts: 3, totalRetryDelay: 300 });
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it("keeps the SDK's attempt headers truthful: one invocation id per call, attempt n of max", async () => {
    // Prepare
    const { client, clock, handler } = setup((call) =>
      call === 1 ? queryError('Throttling', 400) : describeRulesOk,
    );

    // Act
    await drive(clock, describeRules(client));
    await drive(clock, describeRules(client));

    // Assess
    const headers = handler.requests.map((request) => request.headers);
    expect(headers.map((h) => h['amz-sdk-request'])).toEqual([
      'attempt=1; max=6',
      'attempt=2; max=6',
      'attempt=1; max=6',
    ]);
    const ids = headers.map((h) => h['amz-sdk-invocation-id']);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('does not retry a 409 ConflictException or a client error, and rethrows the SDK exception', async () => {
    for (const answer of [queryError('ConflictException', 409), queryError('RuleNotFound', 400)]) {
      // Prepare
      const { client, clock, handler, metrics } = setup(() => answer);

      // Act
      const error = await drive(
        clock,
        describeRules(client).catch((e: unknown) => e),
      );

      // Assess
      expect(handler.calls).toBe(1);
      expect(error).not.toBeInstanceOf(RetryExhaustedError);
      expect((error as { $metadata: object }).$metadata).toMatchObject({ attempts: 1 });
      expect(metrics.sum(ResilienceMetricNames.apiCalls, { Outcome: 'Failure' })).toBe(1);
    }
  });

  it('honours a Retry-After header within the cap', async () => {
    const { client, clock } = setup(
      (call) =>
        call === 1
          ? { ...queryError('SlowDown', 503, 'Receiver'), headers: { 'retry-after': '3' } }
          : describeRulesOk,
      { retry: { maxDelayMs: 2_000 } },
    );

    const output = await drive(clock, describeRules(client));

    expect(clock.sleeps).toEqual([2_000]);
    expect(output.$metadata.totalRetryDelay).toBe(2_000);
  });

  it('gives a call with a stream in its input a single attempt', async () => {
    // Prepare: a stream member cannot be replayed, so a retry would send a drained body.
    const { client, clock, handler } = setup(() => queryError('InternalFailure', 500, 'Receiver'));
    const input = { ListenerArn: 'arn:listener', Body: Readable.from(['payload']) };

    // Act
    const error = await drive(
      clock,
      client.send(new DescribeRulesCommand(input)).catch((e: unknown) => e),
    );

    // Assess
    expect(handler.calls).toBe(1);
    expect((error as Error).name).toBe('InternalFailure');
    expect(handler.requests[0]?.headers['amz-sdk-request']).toBe('attempt=1; max=1');
  });
});

describe('resilience: resilient client rate limiting', () => {
  it('takes a token from the (service, region) limiter for every attempt, retries included', async () => {
    // Prepare
    const { client, clock, registry } = setup((call) =>
      call <= 2 ? queryError('Throttling', 400) : describeRulesOk,
    );
    const limiter = registry.get(SERVICE, 'eu-west-1');
    const acquire = vi.spyOn(limiter, 'acquire');

    // Act
    await drive(clock, describeRules(client));

    // Assess
    expect(acquire).toHaveBeenCalledTimes(3);
    expect([...registry.limiters().keys()]).toEqual([`${SERVICE}:eu-west-1`]);
  });

  it('spaces calls to the configured rate and records the wait', async () => {
    // Prepare: 1 call per second, no burst.
    const clock = new TestClock();
    const calledAt: number[] = [];
    const handler = new ScriptedHttpHandler(() => {
      calledAt.push(clock.now());
      return describeRulesOk;
    });
    const metrics = new InMemoryMetricRecorder();
    const client = createResilientClient(
      ElasticLoadBalancingV2Client,
      { region: 'eu-west-1', requestHandler: handler },
      {
        clock,
        metrics,
        env: {},
        limiter: new TokenBucket({ ratePerSecond: 1, capacity: 1, clock }),
      },
    );
    const start = clock.now();

    // Act
    await drive(
      clock,
      Promise.all([describeRules(client), describeRules(client), describeRules(client)]),
    );

    // Assess
    expect(calledAt.map((t) => t - start)).toEqual([0, 1_000, 2_000]);
    expect(metrics.sum(ResilienceMetricNames.rateLimiterWaitTime, { Service: SERVICE })).toBe(
      3_000,
    );
    expect(metrics.matching(ResilienceMetricNames.rateLimiterWaitTime)[0]?.unit).toBe(
      'Milliseconds',
    );
  });

  it('shares the process-wide registry of its clock when given none', async () => {
    const clock = new TestClock();
    const client = createResilientClient(
      ElasticLoadBalancingV2Client,
      { region: 'us-east-1', requestHandler: new ScriptedHttpHandler(() => describeRulesOk) },
      { clock, env: {} },
    );

    await drive(clock, describeRules(client));

    expect([...defaultLimiterRegistry(clock).limiters().keys()]).toEqual([`${SERVICE}:us-east-1`]);
  });

  it('fails with RateLimitTimeoutError when no token comes within acquireTimeoutMs', async () => {
    const clock = new TestClock();
    const { client, handler } = setup(() => describeRulesOk, {
      clock,
      limiter: new TokenBucket({ ratePerSecond: 0.1, capacity: 1, initialTokens: 0, clock }),
      acquireTimeoutMs: 100,
    });
    const start = clock.now();

    const error = await drive(
      clock,
      describeRules(client).catch((e: unknown) => e),
    );

    expect(error).toBeInstanceOf(RateLimitTimeoutError);
    expect((error as RateLimitTimeoutError).waitedMs).toBe(100);
    expect(clock.now() - start).toBe(100);
    expect(handler.calls).toBe(0);
  });

  it('stops waiting for a token when the call is aborted', async () => {
    // Prepare
    const clock = new TestClock();
    const limiter = new TokenBucket({ ratePerSecond: 1, capacity: 1, initialTokens: 0, clock });
    const { client, handler } = setup(() => describeRulesOk, { limiter, clock });
    const controller = new AbortController();
    const call = describeRules(client, controller.signal).catch((e: unknown) => e);

    // Act
    await drive(clock, new Promise((resolve) => setImmediate(resolve)));
    controller.abort(new Error('caller gave up'));
    const error = await call;

    // Assess
    expect((error as Error).message).toBe('caller gave up');
    expect(limiter.queueLength).toBe(0);
    expect(handler.calls).toBe(0);
  });

  it('uses options.service and options.region for the limiter', async () => {
    const { client, clock, registry } = setup(() => describeRulesOk, {
      service: 'ELBv2',
      region: 'ap-southeast-2',
    });

    await drive(clock, describeRules(client));

    expect([...registry.limiters().keys()]).toEqual(['elbv2:ap-southeast-2']);
  });
});

describe('resilience: resilient client metrics and failures', () => {
  it('counts calls by operation and outcome, throttles by code and retries by attempt', async () => {
    // Prepare
    const { client, clock, metrics } = setup(
      (call) => (call === 1 ? queryError('Throttling', 400) : describeRulesOk),
      { metricDimensions: { Capability: 'load-shedding' } },
    );

    // Act
    await drive(clock, describeRules(client));

    // Assess
    const { apiCalls, throttles, retries } = ResilienceMetricNames;
    expect(
      metrics.sum(apiCalls, {
        Service: SERVICE,
        Operation: 'DescribeRules',
        Outcome: 'Success',
        Capability: 'load-shedding',
      }),
    ).toBe(1);
    expect(metrics.sum(apiCalls, { Outcome: 'Failure' })).toBe(0);
    expect(metrics.sum(throttles, { Service: SERVICE, ErrorCode: 'Throttling' })).toBe(1);
    expect(metrics.sum(retries, { Service: SERVICE, Attempt: '1' })).toBe(1);
  });

  it('names the operation after the command when the Smithy context has none', async () => {
    // Prepare: an outer middleware (added before the kit's) hides the context fields.
    const clock = new TestClock();
    const metrics = new InMemoryMetricRecorder();
    const client = new ElasticLoadBalancingV2Client({
      region: 'eu-west-1',
      requestHandler: new ScriptedHttpHandler(() => describeRulesOk),
    });
    let hideCommand = false;
    client.middlewareStack.add(
      (next, context) => (args) => {
        const smithy = context[SMITHY_CONTEXT_KEY];
        if (smithy) delete smithy.operation;
        if (hideCommand) delete context.commandName;
        return next(args);
      },
      { step: 'initialize', priority: 'high', name: 'hideOperation' },
    );
    attachResilience(client, {
      clock,
      metrics,
      env: {},
      registry: new LimiterRegistry({ clock, env: {} }),
    });

    // Act
    await drive(clock, describeRules(client));
    hideCommand = true;
    await drive(clock, describeRules(client));

    // Assess
    const operations = metrics
      .matching(ResilienceMetricNames.apiCalls)
      .map((point) => point.dimensions.Operation);
    expect(operations).toEqual(['DescribeRules', 'Unknown']);
  });

  it('refuses a client without a service id unless options.service is given', () => {
    const { client } = setup(() => describeRulesOk);
    const anonymous = { middlewareStack: client.middlewareStack, config: {} };

    expect(() => attachResilience(anonymous)).toThrow(/no config.serviceId; pass options.service/);
    expect(() => attachResilience(anonymous, { service: 'custom', env: {} })).not.toThrow();
  });

  it('looks the region up again on the next call when the lookup failed', async () => {
    // Prepare
    const clock = new TestClock();
    let region = '';
    const client = createResilientClient(
      ElasticLoadBalancingV2Client,
      {
        region: () => Promise.resolve(region),
        requestHandler: new ScriptedHttpHandler(() => describeRulesOk),
      },
      { clock, registry: new LimiterRegistry({ clock, env: {} }), env: {} },
    );

    // Act
    const first = await drive(
      clock,
      describeRules(client).catch((e: unknown) => e),
    );
    region = 'eu-central-1';
    const second = await drive(clock, describeRules(client));

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(second.$metadata.attempts).toBe(1);
  });

  it('explains a client whose config yields no region', async () => {
    const { client, clock } = setup(() => describeRulesOk);
    // Some hand-built clients carry no region provider at all.
    Object.assign(client.config, { region: undefined });

    const error = await drive(
      clock,
      describeRules(client).catch((e: unknown) => e),
    );

    expect(error).toBeInstanceOf(ResilienceConfigError);
    expect((error as Error).message).toMatch(/no region; set clientConfig.region or AWS_REGION/);
  });

  it('explains when the SDK retry middleware cannot be replaced', () => {
    const { client } = setup(() => describeRulesOk);
    const stack = client.middlewareStack;
    const odd = {
      config: { serviceId: 'odd' },
      middlewareStack: {
        ...stack,
        add: () => {
          throw new Error('cannot be overridden');
        },
      },
    };

    expect(() => attachResilience(odd)).toThrow(/cannot replace the SDK's retryMiddleware/);
  });
});

describe('resilience: a retryable set configured per client', () => {
  it('retries a 409 ConflictException only on the client that asks for it', async () => {
    // Prepare: the first call conflicts, the second succeeds, on two clients.
    const script = (call: number): ScriptedResponse =>
      call === 1 ? queryError('ConflictException', 409, 'Sender') : describeRulesOk;
    const opted = setup(script, { retryable: { retryCodes: ['ConflictException'] } });
    const plain = setup(script);

    // Act
    const optedResult = await drive(opted.clock, describeRules(opted.client));
    const plainError = await drive(
      plain.clock,
      describeRules(plain.client).catch((e: unknown) => e),
    );

    // Assess: the opted-in client retried once; the default one gave up at once.
    expect(optedResult.$metadata.attempts).toBe(2);
    expect(opted.handler.calls).toBe(2);
    expect(plain.handler.calls).toBe(1);
    expect((plainError as { name: string }).name).toBe('ConflictException');
  });

  it('does not retry a 503 on a client that excludes it', async () => {
    // Prepare
    const { client, clock, handler } = setup(
      () => queryError('ServiceUnavailable', 503, 'Receiver'),
      { retryable: { doNotRetryStatusCodes: [503] } },
    );

    // Act
    const error = await drive(
      clock,
      describeRules(client).catch((e: unknown) => e),
    );

    // Assess: one attempt, and the service's own error, not RetryExhaustedError.
    expect(handler.calls).toBe(1);
    expect(error).not.toBeInstanceOf(RetryExhaustedError);
    expect((error as { name: string }).name).toBe('ServiceUnavailable');
  });
});
