import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../src/simulation/errors.js';
import {
  LambdaRuntime,
  type InvocationRecord,
  type SimulatedLambdaContext,
} from '../../src/simulation/lambda-runtime.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';

const START = Date.UTC(2025, 0, 1);

function setup(options: { accountConcurrency?: number } = {}) {
  const clock = VirtualClock.create({ start: START });
  const records: InvocationRecord[] = [];
  const runtime = new LambdaRuntime({
    clock,
    onInvocation: (record) => records.push(record),
    ...options,
  });
  return { clock, runtime, records };
}

describe('simulation: LambdaRuntime invocations', () => {
  it('runs the handler with a Lambda-like context and records the invocation', async () => {
    // Prepare
    const { clock, runtime, records } = setup();
    const seen: { remaining: number[]; context?: SimulatedLambdaContext } = { remaining: [] };
    const arn = runtime.register<{ n: number }, number>({
      name: 'doubler',
      timeoutMs: 10_000,
      memoryMb: 256,
      handler: async (event, context) => {
        seen.context = context;
        seen.remaining.push(context.getRemainingTimeInMillis());
        await clock.sleep(2_500);
        seen.remaining.push(context.getRemainingTimeInMillis());
        return event.n * 2;
      },
    });

    // Act
    const result = await clock.run(() => runtime.invoke<number>('doubler', { n: 21 }));

    // Assess
    expect(result).toMatchObject({ outcome: 'succeeded', result: 42, durationMs: 2_500 });
    expect(seen.remaining).toEqual([10_000, 7_500]);
    expect(seen.context).toMatchObject({
      functionName: 'doubler',
      functionVersion: '$LATEST',
      invokedFunctionArn: arn,
      memoryLimitInMB: '256',
      awsRequestId: '00000000-0000-4000-a000-000000000001',
      logGroupName: '/aws/lambda/doubler',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(seen.context?.logStreamName).toMatch(/^2025\/01\/01\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(arn).toBe('arn:aws:lambda:us-east-1:123456789012:function:doubler');
    expect(records).toEqual([
      {
        functionName: 'doubler',
        requestId: '00000000-0000-4000-a000-000000000001',
        source: 'direct',
        startTime: START,
        endTime: START + 2_500,
        durationMs: 2_500,
        outcome: 'succeeded',
      },
    ]);
    expect(runtime.invocations('doubler')).toEqual(records);
    expect(runtime.invocations('other')).toEqual([]);
  });

  it('gives each invocation its own deterministic request id and a copy of the event', async () => {
    // Prepare
    const { clock, runtime } = setup();
    runtime.register<{ list: number[] }, void>({
      name: 'mutator',
      handler: (event) => {
        event.list.push(99);
        return Promise.resolve();
      },
    });
    const event = { list: [1] };

    // Act
    const first = await clock.run(() => runtime.invoke('mutator', event, { source: 'test' }));
    const second = await clock.run(() => runtime.invoke('mutator', event));

    // Assess
    expect([first.requestId, second.requestId]).toEqual([
      '00000000-0000-4000-a000-000000000001',
      '00000000-0000-4000-a000-000000000002',
    ]);
    expect(first.source).toBe('test');
    expect(event.list).toEqual([1]);
  });

  it('records a handler error as failed, with the thrown value', async () => {
    // Prepare
    const { clock, runtime } = setup();
    const boom = new TypeError('bad input');
    runtime.register({ name: 'broken', handler: () => Promise.reject(boom) });
    runtime.register({
      name: 'throws-string',
      handler: () => {
        // A handler may reject with anything; Lambda reports it as an Error.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
        return Promise.reject(new Error('plain')).catch(() => Promise.reject('just text'));
      },
    });

    // Act
    const failed = await clock.run(() => runtime.invoke('broken', {}));
    const text = await clock.run(() => runtime.invoke('throws-string', {}));

    // Assess
    expect(failed).toMatchObject({
      outcome: 'failed',
      error: { name: 'TypeError', message: 'bad input' },
    });
    expect(failed.thrown).toBe(boom);
    expect(text.error).toEqual({ name: 'Error', message: 'just text' });
  });

  it('times a handler out after timeoutMs of virtual time and frees the slot then', async () => {
    // Prepare
    const { clock, runtime } = setup();
    let finishedLate = false;
    runtime.register({
      name: 'slow',
      timeoutMs: 3_000,
      reservedConcurrency: 1,
      handler: async () => {
        await clock.sleep(10_000);
        finishedLate = true;
        return 'too late';
      },
    });

    // Act
    const timedOut = await clock.run(() => runtime.invoke('slow', {}));
    const runningAfterTimeout = runtime.running('slow');
    await clock.advance(10_000);

    // Assess
    expect(timedOut).toMatchObject({
      outcome: 'timedOut',
      durationMs: 3_000,
      error: { name: 'Sandbox.Timedout', message: 'Task timed out after 3.00 seconds' },
    });
    expect(timedOut.result).toBeUndefined();
    expect(runningAfterTimeout).toBe(0);
    expect(finishedLate).toBe(true);
    expect(runtime.invocations()).toHaveLength(1);
  });
});

describe('simulation: LambdaRuntime concurrency', () => {
  it('throttles invocations beyond the reserved concurrency', async () => {
    // Prepare
    const { clock, runtime } = setup();
    runtime.register({
      name: 'limited',
      reservedConcurrency: 2,
      handler: () => clock.sleep(1_000),
    });
    runtime.register({
      name: 'disabled',
      reservedConcurrency: 0,
      handler: () => Promise.resolve(),
    });

    // Act
    const results = await clock.run(() =>
      Promise.all([1, 2, 3].map(() => runtime.invoke('limited', {}))),
    );
    const disabled = await clock.run(() => runtime.invoke('disabled', {}));
    const later = await clock.run(() => runtime.invoke('limited', {}));

    // Assess
    expect(results.map((result) => result.outcome)).toEqual([
      'succeeded',
      'succeeded',
      'throttled',
    ]);
    expect(results[2]).toMatchObject({
      durationMs: 0,
      error: {
        name: 'TooManyRequestsException',
        message: 'Rate Exceeded. (ReservedFunctionConcurrentInvocationLimitExceeded)',
      },
    });
    expect(disabled.outcome).toBe('throttled');
    expect(later.outcome).toBe('succeeded');
  });

  it('shares the account pool, less reserved concurrency, among the other functions', async () => {
    // Prepare
    const { clock, runtime } = setup({ accountConcurrency: 3 });
    runtime.register({ name: 'reserved', reservedConcurrency: 1, handler: () => clock.sleep(100) });
    runtime.register({ name: 'a', handler: () => clock.sleep(1_000) });
    runtime.register({ name: 'b', handler: () => clock.sleep(1_000) });

    // Act
    const results = await clock.run(() =>
      Promise.all([
        runtime.invoke('a', {}),
        runtime.invoke('b', {}),
        runtime.invoke('a', {}),
        runtime.invoke('reserved', {}),
      ]),
    );

    // Assess
    expect(results.map((result) => result.outcome)).toEqual([
      'succeeded',
      'succeeded',
      'throttled',
      'succeeded',
    ]);
    expect(results[2].error?.message).toContain('ConcurrentInvocationLimitExceeded');
    expect(runtime.running()).toBe(0);
  });
});

describe('simulation: LambdaRuntime configuration', () => {
  it('refuses bad names, duplicates, out-of-range settings and unknown functions', () => {
    // Prepare
    const { runtime } = setup();
    const handler = () => Promise.resolve();
    runtime.register({ name: 'ok', handler });

    // Act / Assess
    expect(() => runtime.register({ name: 'bad name', handler })).toThrow(/1–64 letters/);
    expect(() => runtime.register({ name: 'ok', handler })).toThrow(/exists/);
    expect(() => runtime.register({ name: 'slow', handler, timeoutMs: 900_001 })).toThrow(
      /timeoutMs must be an integer 1–900000/,
    );
    expect(() => runtime.register({ name: 'greedy', handler, reservedConcurrency: 1_001 })).toThrow(
      /reservedConcurrency/,
    );
    expect(() => runtime.register({ name: 'tiny', handler, memoryMb: 64 })).toThrow(/memoryMb/);
    expect(() => runtime.arnOf('missing')).toThrow(SimulationConfigError);
    expect(() => runtime.running('missing')).toThrow(/registered: ok/);
    expect(() => new LambdaRuntime({ clock: VirtualClock.create(), accountId: '1' })).toThrow(
      /12 digits/,
    );
    expect(
      () => new LambdaRuntime({ clock: VirtualClock.create(), accountConcurrency: 0 }),
    ).toThrow(/accountConcurrency/);
    expect(runtime.has('ok')).toBe(true);
    expect(runtime.arnOf('ok')).toContain(':function:ok');
  });

  it('rejects an invocation of an unknown function as a scenario mistake', async () => {
    const { runtime } = setup();
    await expect(runtime.invoke('nobody', {})).rejects.toThrow(/no function 'nobody'.*none/);
  });

  it('offers a context usable where @types/aws-lambda expects one, without callbacks', async () => {
    // Prepare
    const { clock, runtime } = setup();
    const calls: string[] = [];
    runtime.register({
      name: 'typed',
      handler: (_event: unknown, context: Context) => {
        for (const call of [
          () => context.done(),
          () => context.fail('x'),
          () => context.succeed('x'),
        ]) {
          try {
            call();
          } catch (error) {
            calls.push((error as Error).message);
          }
        }
        return Promise.resolve(context.functionName);
      },
    });

    // Act
    const result = await clock.run(() => runtime.invoke('typed', {}));

    // Assess
    expect(result.result).toBe('typed');
    expect(calls).toHaveLength(3);
    for (const message of calls) expect(message).toMatch(/callback handler style/);
  });
});
