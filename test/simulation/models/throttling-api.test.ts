import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import {
  ThrottleStyles,
  ThrottlingApiModel,
  type CallEvent,
  type CallOutcome,
  type ThrottlingApiOptions,
} from '../../../src/simulation/models/throttling-api.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import type { SimulatedServiceError } from '../../../src/simulation/service-error.js';
import { CommonErrors } from '../../../src/simulation/service-error.js';
import type { ModelCallContext } from '../../../src/simulation/service-model.js';
import { validationError } from '../../../src/simulation/validation.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

let requests = 0;
function ctx(operation: string): ModelCallContext {
  requests++;
  return { operation, requestId: `req-${requests}`, clientName: undefined, attempt: 1 };
}

/** Calls `operation` and reports the outcome (or the error for assertions). */
async function call(
  model: ThrottlingApiModel,
  operation: string,
  input: Record<string, unknown> = {},
): Promise<{ ok: true; value: object } | { ok: false; error: SimulatedServiceError }> {
  try {
    return { ok: true, value: await model.handle(operation, input, ctx(operation)) };
  } catch (error) {
    return { ok: false, error: error as SimulatedServiceError };
  }
}

function describeApi(
  clock: VirtualClock,
  extra: Partial<ThrottlingApiOptions> = {},
): ThrottlingApiModel {
  return new ThrottlingApiModel({
    clock,
    operations: {
      DescribeTargetHealth: { quota: { ratePerSecond: 10, burst: 40 } },
      DescribeRules: {},
    },
    ...extra,
  });
}

describe('simulation: ThrottlingApiModel quotas', () => {
  it('lets a burst through, then throttles, then refills at the rate', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    const model = describeApi(clock);

    // Act
    const burst = await Promise.all(
      Array.from({ length: 41 }, () => call(model, 'DescribeTargetHealth')),
    );
    await clock.advance(100);
    const afterOneToken = await call(model, 'DescribeTargetHealth');
    const thenEmpty = await call(model, 'DescribeTargetHealth');

    // Assess
    expect(burst.filter((r) => r.ok)).toHaveLength(40);
    expect(burst[40]?.ok).toBe(false);
    expect(afterOneToken.ok).toBe(true);
    expect(thenEmpty.ok).toBe(false);
    expect(model.availableTokens('DescribeTargetHealth')).toBeLessThan(1);
    expect(model.availableTokens('DescribeRules')).toBeUndefined();
  });

  it('never lets more than burst + rate·t calls through in any window (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          ratePerSecond: fc.integer({ min: 1, max: 20 }),
          burst: fc.integer({ min: 1, max: 10 }),
          gaps: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 80 }),
        }),
        async ({ ratePerSecond, burst, gaps }) => {
          // Prepare
          const clock = VirtualClock.create({ start: 0, drainTurns: 1 });
          const model = new ThrottlingApiModel({
            clock,
            operations: { Op: { quota: { ratePerSecond, burst } } },
          });
          const successes: number[] = [];

          // Act: calls arrive after the given gaps (0 = same instant).
          for (const gap of gaps) {
            await clock.advance(gap);
            if ((await call(model, 'Op')).ok) successes.push(clock.now());
          }

          // Assess
          for (let i = 0; i < successes.length; i++) {
            for (let j = i; j < successes.length; j++) {
              const windowMs = successes[j] - successes[i];
              expect(j - i + 1).toBeLessThanOrEqual(
                burst + (ratePerSecond * windowMs) / 1000 + 1e-9,
              );
            }
          }
          const stats = model.stats().total;
          expect(stats.succeeded).toBe(successes.length);
          expect(stats.calls).toBe(gaps.length);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('never throttles calls spaced at least one refill apart (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 40 }),
        async (ratePerSecond, extra) => {
          const clock = VirtualClock.create({ start: 0, drainTurns: 1 });
          const model = new ThrottlingApiModel({
            clock,
            operations: { Op: { quota: { ratePerSecond, burst: 1 } } },
          });
          for (const more of extra) {
            expect((await call(model, 'Op')).ok).toBe(true);
            await clock.advance(Math.ceil(1000 / ratePerSecond) + more);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('shares a quota between the operations that name it', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    const model = new ThrottlingApiModel({
      clock,
      sharedQuotas: { describe: { ratePerSecond: 10, burst: 5 } },
      operations: {
        DescribeRules: { quota: 'describe' },
        DescribeTargetHealth: { quota: 'describe' },
      },
    });

    // Act
    const results = [];
    for (let i = 0; i < 8; i++) {
      results.push(await call(model, i % 2 === 0 ? 'DescribeRules' : 'DescribeTargetHealth'));
    }

    // Assess
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(model.stats().total.throttled).toBe(3);
  });
});

describe('simulation: ThrottlingApiModel throttle answers', () => {
  it('answers ThrottlingException 429 with the seconds until a token by default', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    const model = new ThrottlingApiModel({
      clock,
      operations: { StartRecovery: { quota: { ratePerSecond: 0.25, burst: 1 } } },
    });

    // Act
    await call(model, 'StartRecovery');
    await clock.advance(1_000);
    const throttled = await call(model, 'StartRecovery');

    // Assess
    expect(throttled.ok).toBe(false);
    const error = (throttled as { error: SimulatedServiceError }).error;
    expect(error).toMatchObject({
      name: 'ThrottlingException',
      httpStatusCode: 429,
      fault: 'client',
      message: 'Rate exceeded',
      retryAfterSeconds: 3,
      fields: { retryAfterSeconds: 3 },
    });
  });

  it('answers like ELBv2 with the query style: Throttling 400, no hint', async () => {
    const clock = VirtualClock.create({ start: 0 });
    const model = describeApi(clock, { throttle: ThrottleStyles.query });
    for (let i = 0; i < 40; i++) await call(model, 'DescribeTargetHealth');
    const throttled = await call(model, 'DescribeTargetHealth');
    expect(throttled.ok).toBe(false);
    const error = (throttled as { error: SimulatedServiceError }).error;
    expect(error).toMatchObject({ name: 'Throttling', httpStatusCode: 400, fields: {} });
    expect(error.retryAfterSeconds).toBeUndefined();
  });

  it('can send a fixed hint as a string member with extra fields (DRS style)', async () => {
    const clock = VirtualClock.create({ start: 0 });
    const model = new ThrottlingApiModel({
      clock,
      operations: { DescribeJobs: { quota: { ratePerSecond: 1, burst: 1 } } },
      throttle: { retryAfter: 7, retryAfterMember: 'string', fields: { serviceCode: 'drs' } },
    });
    await call(model, 'DescribeJobs');
    const throttled = await call(model, 'DescribeJobs');
    expect((throttled as { error: SimulatedServiceError }).error).toMatchObject({
      retryAfterSeconds: 7,
      fields: { retryAfterSeconds: '7', serviceCode: 'drs' },
    });
  });
});

describe('simulation: ThrottlingApiModel faults', () => {
  it('fails the next N calls with a scripted error, then recovers', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    const model = describeApi(clock);
    model.failNext(2, CommonErrors.serviceUnavailable);

    // Act
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await call(model, 'DescribeRules'));

    // Assess
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.name))).toEqual([
      'ServiceUnavailable',
      'ServiceUnavailable',
      'ok',
    ]);
    expect((outcomes[0] as { error: SimulatedServiceError }).error.httpStatusCode).toBe(503);
    expect(model.stats().byOperation.DescribeRules).toEqual({
      calls: 3,
      succeeded: 1,
      throttled: 0,
      faulted: 2,
      failed: 0,
    });
  });

  it('queues scripts, scopes them to an operation, and defaults to a 500', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    const model = describeApi(clock);
    model.failNext(1, CommonErrors.internalServerException, { operation: 'DescribeTargetHealth' });
    model.failNext(1);

    // Act
    const rules = await call(model, 'DescribeRules');
    const health = await call(model, 'DescribeTargetHealth');
    const healthAgain = await call(model, 'DescribeTargetHealth');

    // Assess
    expect(rules.ok ? 'ok' : rules.error.name).toBe('InternalServerException');
    expect(health.ok ? 'ok' : health.error.httpStatusCode).toBe(500);
    expect(healthAgain.ok).toBe(true);
  });

  it('does not spend a scripted fault on a throttled call', async () => {
    const clock = VirtualClock.create({ start: 0 });
    const model = new ThrottlingApiModel({
      clock,
      operations: { Op: { quota: { ratePerSecond: 1, burst: 1 } } },
    });
    await call(model, 'Op');
    model.failNext(1);
    const throttled = await call(model, 'Op');
    await clock.advance(1_000);
    const faulted = await call(model, 'Op');
    expect(throttled.ok ? 'ok' : throttled.error.name).toBe('ThrottlingException');
    expect(faulted.ok ? 'ok' : faulted.error.name).toBe('InternalServerException');
  });

  it('injects seeded random faults: same seed, same outcomes', async () => {
    const run = async (seed: number): Promise<boolean[]> => {
      const clock = VirtualClock.create({ start: 0 });
      const model = describeApi(clock, {
        faults: { probability: 0.3, error: CommonErrors.serviceUnavailable },
        random: seed,
      });
      const oks: boolean[] = [];
      for (let i = 0; i < 400; i++) oks.push((await call(model, 'DescribeRules')).ok);
      return oks;
    };
    const first = await run(11);
    const failures = first.filter((ok) => !ok).length;
    expect(await run(11)).toEqual(first);
    expect(await run(12)).not.toEqual(first);
    expect(failures).toBeGreaterThan(80);
    expect(failures).toBeLessThan(160);
  });

  it('limits random faults to the listed operations', async () => {
    const clock = VirtualClock.create({ start: 0 });
    const model = describeApi(clock, {
      faults: { probability: 1, operations: ['DescribeTargetHealth'] },
      random: () => 0.5,
    });
    expect((await call(model, 'DescribeRules')).ok).toBe(true);
    const health = await call(model, 'DescribeTargetHealth');
    expect(health.ok ? 'ok' : health.error.name).toBe('InternalServerException');
  });
});

describe('simulation: ThrottlingApiModel answers and counters', () => {
  it('answers with a computed response and counts every outcome', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: 0 });
    const events: CallEvent[] = [];
    const model = new ThrottlingApiModel({
      clock,
      latencyMs: 25,
      onCall: (event) => events.push(event),
      operations: {
        DescribeTargetHealth: {
          quota: { ratePerSecond: 1, burst: 1 },
          response: (input, context) => ({ echoed: input.TargetGroupArn, op: context.operation }),
        },
        ModifyRule: {
          response: (input) => {
            if (input.RuleArn === undefined) throw validationError('RuleArn is required');
            return { Rules: [] };
          },
        },
      },
    });

    // Act
    const answer = await clock.run(() =>
      call(model, 'DescribeTargetHealth', { TargetGroupArn: 'tg' }),
    );
    await call(model, 'DescribeTargetHealth');
    const invalid = await clock.run(() => call(model, 'ModifyRule'));
    const unknown = await call(model, 'DeleteRule');
    model.setResponse('ModifyRule', { Rules: [{ RuleArn: 'r' }] });
    const changed = await clock.run(() => call(model, 'ModifyRule', {}));

    // Assess
    expect(answer).toEqual({ ok: true, value: { echoed: 'tg', op: 'DescribeTargetHealth' } });
    expect(invalid.ok ? 'ok' : invalid.error.name).toBe('ValidationException');
    expect(unknown.ok ? 'ok' : unknown.error.name).toBe('UnknownOperationException');
    expect(changed).toEqual({ ok: true, value: { Rules: [{ RuleArn: 'r' }] } });
    const { total, byOperation } = model.stats();
    expect(total).toEqual({ calls: 5, succeeded: 2, throttled: 1, faulted: 0, failed: 2 });
    expect(byOperation.DeleteRule?.failed).toBe(1);
    const outcomes: CallOutcome[] = events.map((e) => e.outcome);
    expect(outcomes).toEqual(['succeeded', 'throttled', 'failed', 'failed', 'succeeded']);
    expect(events[0]).toMatchObject({ time: 25, operation: 'DescribeTargetHealth', attempt: 1 });
    expect(events[1]).toMatchObject({ time: 25, errorName: 'ThrottlingException' });
    expect(clock.now()).toBe(75);

    model.resetStats();
    expect(model.stats().total.calls).toBe(0);
  });

  it('counts calls as the sum of the outcomes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('A', 'B', 'C'), { maxLength: 60 }),
        fc.integer({ min: 0, max: 5 }),
        async (operations, scripted) => {
          const clock = VirtualClock.create({ start: 0 });
          const model = new ThrottlingApiModel({
            clock,
            operations: { A: { quota: { ratePerSecond: 1, burst: 3 } }, B: {} },
            faults: { probability: 0.2 },
            random: 5,
          });
          if (scripted > 0) model.failNext(scripted);
          for (const operation of operations) await call(model, operation);
          const { total, byOperation } = model.stats();
          expect(total.calls).toBe(operations.length);
          expect(total.succeeded + total.throttled + total.faulted + total.failed).toBe(
            total.calls,
          );
          for (const counters of Object.values(byOperation)) {
            const sum =
              counters.succeeded + counters.throttled + counters.faulted + counters.failed;
            expect(sum).toBe(counters.calls);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('simulation: ThrottlingApiModel configuration', () => {
  const clock = VirtualClock.create({ start: 0 });
  const make = (extra: Partial<ThrottlingApiOptions>) => () =>
    new ThrottlingApiModel({ clock, operations: { Op: {} }, ...extra });

  it.each([
    [{ operations: {} }, /at least one operation/],
    [{ operations: { op: {} } }, /not an operation name/],
    [{ operations: { Op: { quota: { ratePerSecond: 0, burst: 1 } } } }, /Op.quota.ratePerSecond/],
    [{ operations: { Op: { quota: { ratePerSecond: 1, burst: 0.5 } } } }, /Op.quota.burst/],
    [{ operations: { Op: { quota: 'missing' } } }, /'missing', which is not in sharedQuotas/],
    [{ sharedQuotas: { d: { ratePerSecond: Number.NaN, burst: 1 } } }, /sharedQuotas.d/],
    [{ faults: { probability: 2 } }, /faults.probability/],
    [{ faults: { probability: 0.1, operations: ['Nope'] } }, /faults.operations/],
    [{ latencyMs: -1 }, /latencyMs/],
    [{ throttle: { retryAfter: -1 } }, /throttle.retryAfter/],
  ] as const)('rejects %j', (options, message) => {
    expect(make(options as Partial<ThrottlingApiOptions>)).toThrow(message);
  });

  it('rejects a throttle answer that is not an error status', () => {
    expect(make({ throttle: { httpStatusCode: 200 } })).toThrow(SimulationConfigError);
    expect(make({ throttle: { httpStatusCode: 200 } })).toThrow(/^throttle: .*httpStatusCode/);
    expect(make({ faults: { probability: 0, error: { name: 'X', httpStatusCode: 99 } } })).toThrow(
      /^faults.error: /,
    );
  });

  it('rejects bad scripts and unknown operations in setResponse', () => {
    const model = make({})();
    expect(() => model.failNext(0)).toThrow(SimulationConfigError);
    expect(() => model.failNext(1, undefined, { operation: 'Nope' })).toThrow(/failNext operation/);
    expect(() => model.failNext(1, { name: 'X', httpStatusCode: 200 })).toThrow(
      /^failNext error: /,
    );
    expect(() => model.setResponse('Nope', {})).toThrow(/setResponse/);
    expect(model.name).toBe('throttling-api');
  });
});

describe('simulation: ThrottlingApiModel mounted on an SDK client', () => {
  it('throttles DescribeTargetHealth at 10 TPS / 40 burst like ELBv2', async () => {
    // Prepare
    const clock = VirtualClock.create();
    const model = describeApi(clock, { throttle: ThrottleStyles.query, name: 'elbv2' });
    const client = createSimulatedClient(ElasticLoadBalancingV2Client, { maxAttempts: 1 }, model, {
      exceptions: elbv2,
    });
    const send = () => client.send(new DescribeTargetHealthCommand({ TargetGroupArn: 'tg' }));

    // Act
    const results = await Promise.allSettled(Array.from({ length: 50 }, send));

    // Assess
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(10);
    const reason = rejected[0].reason as Record<string, unknown>;
    expect(reason).toBeInstanceOf(ElasticLoadBalancingV2ServiceException);
    expect(reason).toMatchObject({ name: 'Throttling', $fault: 'client' });
    expect(reason.$metadata).toMatchObject({ httpStatusCode: 400 });
    expect(model.stats().byOperation.DescribeTargetHealth).toMatchObject({
      calls: 50,
      succeeded: 40,
      throttled: 10,
    });
  });
});
