import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import { LambdaRuntime } from '../../../src/simulation/lambda-runtime.js';
import {
  EventBridgeModel,
  eventTime,
  putEventsEntrySize,
  type DeliveryFailure,
  type EventBridgeEvent,
  type EventBridgeModelOptions,
  type PutEventsOutput,
} from '../../../src/simulation/models/eventbridge.js';
import {
  compileEventPattern,
  matchesEventPattern,
} from '../../../src/simulation/models/eventbridge-patterns.js';
import { SqsModel } from '../../../src/simulation/models/sqs.js';
import type { SimulatedServiceError } from '../../../src/simulation/service-error.js';
import type { ModelCallContext } from '../../../src/simulation/service-model.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

const START = Date.UTC(2025, 0, 1);

function event(overrides: Partial<EventBridgeEvent> = {}): EventBridgeEvent {
  return {
    version: '0',
    id: 'evt-1',
    'detail-type': 'Order Placed',
    source: 'shop.orders',
    account: '123456789012',
    time: '2025-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:shop:order/1'],
    detail: { status: 'NEW', amount: 42, customer: { tier: 'gold', tags: ['a', 'b'] } },
    ...overrides,
  };
}

function setup(options: Partial<EventBridgeModelOptions> = {}) {
  const clock = VirtualClock.create({ start: START });
  const bus = new EventBridgeModel({ clock, ...options });
  return { clock, bus };
}

let requests = 0;
function ctx(): ModelCallContext {
  requests++;
  return {
    operation: 'PutEvents',
    requestId: `req-${requests}`,
    clientName: undefined,
    attempt: 1,
  };
}

async function putEvents(bus: EventBridgeModel, input: unknown): Promise<PutEventsOutput> {
  return await bus.handle('PutEvents', input as Record<string, unknown>, ctx());
}

describe('simulation: EventBridge event patterns', () => {
  it.each([
    ['exact string', { source: ['shop.orders'] }, true],
    ['exact string, other value', { source: ['shop.billing'] }, false],
    ['one of several values', { source: ['x', 'shop.orders'] }, true],
    ['nested exact number', { detail: { amount: [42] } }, true],
    ['number compared numerically', { detail: { amount: [42.0] } }, true],
    ['nested two levels', { detail: { customer: { tier: ['gold'] } } }, true],
    ['array in the event: any element', { detail: { customer: { tags: ['b'] } } }, true],
    ['array in the event: no element', { detail: { customer: { tags: ['c'] } } }, false],
    ['prefix', { 'detail-type': [{ prefix: 'Order' }] }, true],
    ['prefix, no match', { 'detail-type': [{ prefix: 'order' }] }, false],
    [
      'prefix ignoring case',
      { 'detail-type': [{ prefix: { 'equals-ignore-case': 'order' } }] },
      true,
    ],
    ['suffix', { 'detail-type': [{ suffix: 'Placed' }] }, true],
    [
      'suffix ignoring case',
      { 'detail-type': [{ suffix: { 'equals-ignore-case': 'PLACED' } }] },
      true,
    ],
    ['equals-ignore-case', { detail: { status: [{ 'equals-ignore-case': 'new' }] } }, true],
    ['anything-but value', { detail: { status: [{ 'anything-but': 'DONE' }] } }, true],
    ['anything-but the value', { detail: { status: [{ 'anything-but': 'NEW' }] } }, false],
    ['anything-but list', { detail: { status: [{ 'anything-but': ['DONE', 'NEW'] }] } }, false],
    ['anything-but prefix', { detail: { status: [{ 'anything-but': { prefix: 'DO' } }] } }, true],
    ['anything-but suffix', { detail: { status: [{ 'anything-but': { suffix: 'EW' } }] } }, false],
    ['anything-but on a missing field', { detail: { nope: [{ 'anything-but': 'x' }] } }, false],
    ['numeric range', { detail: { amount: [{ numeric: ['>', 0, '<=', 42] }] } }, true],
    ['numeric equal', { detail: { amount: [{ numeric: ['=', 41] }] } }, false],
    ['numeric >=', { detail: { amount: [{ numeric: ['>=', 42] }] } }, true],
    ['numeric <', { detail: { amount: [{ numeric: ['<', 42] }] } }, false],
    ['numeric on a string', { detail: { status: [{ numeric: ['>', 0] }] } }, false],
    ['exists true', { detail: { status: [{ exists: true }] } }, true],
    ['exists false', { detail: { missing: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { status: [{ exists: false }] } }, false],
    ['exists true on an object', { detail: { customer: [{ exists: true }] } }, true],
    ['a value does not match an object', { detail: { customer: ['gold'] } }, false],
    ['wildcard', { source: [{ wildcard: 'shop.*' }] }, true],
    ['wildcard, no match', { source: [{ wildcard: '*.billing' }] }, false],
    ['null matches null only', { detail: { status: [null] } }, false],
    ['$or', { $or: [{ source: ['x'] }, { detail: { amount: [42] } }] }, true],
    ['$or, none', { $or: [{ source: ['x'] }, { detail: { amount: [1] } }] }, false],
    ['every field must match', { source: ['shop.orders'], detail: { status: ['DONE'] } }, false],
    ['nested pattern on a scalar', { source: { nested: ['x'] } }, false],
    ['prefix on a number', { detail: { amount: [{ prefix: '4' }] } }, false],
    [
      'anything-but prefix on a number',
      { detail: { amount: [{ 'anything-but': { prefix: '4' } }] } },
      false,
    ],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesEventPattern(pattern, event())).toBe(expected);
  });

  it('matches null values, empty arrays as absent, and arrays of objects', () => {
    const withNull = event({ detail: { a: null, list: [], items: [{ k: 'x' }, { k: 'y' }] } });
    expect(matchesEventPattern({ detail: { a: [null] } }, withNull)).toBe(true);
    expect(matchesEventPattern({ detail: { list: [{ exists: false }] } }, withNull)).toBe(true);
    expect(matchesEventPattern({ detail: { items: { k: ['y'] } } }, withNull)).toBe(true);
    expect(matchesEventPattern({ detail: { items: [{ exists: true }] } }, withNull)).toBe(true);
    expect(matchesEventPattern({ detail: { items: ['x'] } }, withNull)).toBe(false);
    expect(matchesEventPattern({ detail: { x: ['y'] } }, 'not an event')).toBe(false);
  });

  it.each([
    ['not an object', [], /non-empty JSON object/],
    ['empty', {}, /non-empty JSON object/],
    ['a scalar leaf', { source: 'x' }, /list or an object/],
    ['an empty list', { source: [] }, /cannot be empty/],
    ['an unsupported operator', { source: [{ cidr: '10.0.0.0/8' }] }, /'cidr' is not supported/],
    ['two operators in one', { source: [{ prefix: 'a', suffix: 'b' }] }, /\{ operator \}/],
    ['a bad numeric', { n: [{ numeric: ['>'] }] }, /pairs/],
    ['a bad numeric operator', { n: [{ numeric: ['!=', 1] }] }, /operator must be/],
    ['a bad numeric bound', { n: [{ numeric: ['>', 'one'] }] }, /bound must be a number/],
    ['a bad prefix', { s: [{ prefix: 1 }] }, /prefix needs a string/],
    ['a bad exists', { s: [{ exists: 'yes' }] }, /exists needs true or false/],
    ['a bad equals-ignore-case', { s: [{ 'equals-ignore-case': 1 }] }, /needs a string/],
    ['a bad anything-but', { s: [{ 'anything-but': { exists: true } }] }, /anything-but needs/],
    ['an empty anything-but list', { s: [{ 'anything-but': [] }] }, /non-empty list/],
    [
      'a two-key anything-but',
      { s: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] },
      /anything-but needs/,
    ],
    ['a bad wildcard', { s: [{ wildcard: 'a**b' }] }, /consecutive/],
    ['a non-string wildcard', { s: [{ wildcard: 3 }] }, /wildcard needs a string/],
    ['a short $or', { $or: [{ s: ['a'] }] }, /at least two/],
    ['a huge pattern', { s: Array.from({ length: 1_000 }, (_, i) => `value-${i}`) }, /4096/],
  ])('refuses %s', (_name, pattern, message) => {
    expect(() => compileEventPattern(pattern)).toThrow(SimulationConfigError);
    expect(() => compileEventPattern(pattern)).toThrow(message);
  });
});

// ---- property: an event built to match a pattern matches; one leaf changed out of it does not ----

type Presence = { present: true; value: unknown } | { present: false };
interface Leaf {
  kind: 'leaf';
  pattern: unknown[];
  match: Presence;
  miss: Presence;
}
type Tree = Record<string, Leaf | { kind: 'tree'; fields: Record<string, Leaf> }>;

const word = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const key = fc.stringMatching(/^[a-z]{1,4}$/);
const leafOf = (value: Leaf): Leaf => value;
const leaf: fc.Arbitrary<Leaf> = fc.oneof(
  word.map((v) =>
    leafOf({
      kind: 'leaf',
      pattern: [v],
      match: { present: true, value: v },
      miss: { present: true, value: `${v}x` },
    }),
  ),
  fc.integer({ min: -1000, max: 1000 }).map((v) =>
    leafOf({
      kind: 'leaf',
      pattern: [v],
      match: { present: true, value: v },
      miss: { present: true, value: v + 1 },
    }),
  ),
  fc.boolean().map((v) =>
    leafOf({
      kind: 'leaf',
      pattern: [v],
      match: { present: true, value: v },
      miss: { present: true, value: !v },
    }),
  ),
  fc.tuple(word, word).map(([p, rest]) =>
    leafOf({
      kind: 'leaf',
      pattern: [{ prefix: p }],
      match: { present: true, value: p + rest },
      miss: { present: true, value: `#${p}` },
    }),
  ),
  fc.tuple(word, word).map(([s, rest]) =>
    leafOf({
      kind: 'leaf',
      pattern: [{ suffix: s }],
      match: { present: true, value: rest + s },
      miss: { present: true, value: `${s}#` },
    }),
  ),
  fc.tuple(word, word).map(([a, b]) =>
    leafOf({
      kind: 'leaf',
      pattern: [{ 'anything-but': [a, b] }],
      match: { present: true, value: `${a}${b}!` },
      miss: { present: true, value: b },
    }),
  ),
  fc
    .tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 100 }))
    .map(([low, width]) =>
      leafOf({
        kind: 'leaf',
        pattern: [{ numeric: ['>=', low, '<', low + width] }],
        match: { present: true, value: low },
        miss: { present: true, value: low + width },
      }),
    ),
  word.map((v) =>
    leafOf({
      kind: 'leaf',
      pattern: [{ 'equals-ignore-case': v }],
      match: { present: true, value: v.toUpperCase() },
      miss: { present: true, value: `${v}y` },
    }),
  ),
  word.map((v) =>
    leafOf({
      kind: 'leaf',
      pattern: [{ exists: true }],
      match: { present: true, value: v },
      miss: { present: false },
    }),
  ),
  word.map((v) =>
    leafOf({
      kind: 'leaf',
      pattern: [{ exists: false }],
      match: { present: false },
      miss: { present: true, value: v },
    }),
  ),
);
const tree: fc.Arbitrary<Tree> = fc.dictionary(
  key,
  fc.oneof(
    leaf,
    fc
      .dictionary(key, leaf, { minKeys: 1, maxKeys: 3 })
      .map((fields) => ({ kind: 'tree' as const, fields })),
  ),
  { minKeys: 1, maxKeys: 4 },
);

function leafPaths(spec: Tree): string[][] {
  return Object.entries(spec).flatMap(([name, node]) =>
    node.kind === 'leaf' ? [[name]] : Object.keys(node.fields).map((child) => [name, child]),
  );
}

function patternOf(spec: Tree): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(spec).map(([name, node]) => [
      name,
      node.kind === 'leaf'
        ? node.pattern
        : Object.fromEntries(Object.entries(node.fields).map(([child, l]) => [child, l.pattern])),
    ]),
  );
}

function eventOf(spec: Tree, miss: string[] | undefined): Record<string, unknown> {
  const place = (target: Record<string, unknown>, name: string, l: Leaf, path: string[]): void => {
    const presence = miss !== undefined && miss.join('.') === path.join('.') ? l.miss : l.match;
    if (presence.present) target[name] = presence.value;
  };
  // Extra fields the pattern does not mention never stop a match.
  const result: Record<string, unknown> = { unrelated: 'noise' };
  for (const [name, node] of Object.entries(spec)) {
    if (node.kind === 'leaf') {
      place(result, name, node, [name]);
    } else {
      const nested: Record<string, unknown> = { other: 1 };
      for (const [child, l] of Object.entries(node.fields)) place(nested, child, l, [name, child]);
      result[name] = nested;
    }
  }
  return result;
}

describe('simulation: EventBridge pattern matching properties', () => {
  it('matches an event built to match, and not once one field leaves the pattern', () => {
    fc.assert(
      fc.property(tree, fc.nat(), (spec, pick) => {
        const matcher = compileEventPattern(patternOf(spec));
        const paths = leafPaths(spec);
        const miss = paths[pick % paths.length];
        expect(matcher(eventOf(spec, undefined))).toBe(true);
        expect(matcher(eventOf(spec, miss))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

// ---- delivery ----

describe('simulation: EventBridge delivery', () => {
  it('delivers matching events to function targets after the delivery delay, not others', async () => {
    // Prepare
    const { clock, bus } = setup({ deliveryDelayMs: 250 });
    const received: { time: number; event: EventBridgeEvent }[] = [];
    const arn = bus.putRule({
      name: 'orders',
      eventPattern: { source: ['shop.orders'] },
      targets: [
        {
          id: 'fn',
          type: 'function',
          handler: (e) => void received.push({ time: clock.now(), event: e }),
        },
      ],
    });
    bus.putRule({
      name: 'disabled',
      eventPattern: { source: ['shop.orders'] },
      state: 'DISABLED',
      targets: [
        {
          id: 'never',
          type: 'function',
          handler: () => {
            throw new Error('must not run');
          },
        },
      ],
    });

    // Act
    bus.publish(event());
    bus.publish(event({ id: 'evt-2', source: 'shop.billing' }));
    const beforeDelay = received.length;
    await clock.advance(250);

    // Assess
    expect(arn).toBe('arn:aws:events:us-east-1:123456789012:rule/orders');
    expect(beforeDelay).toBe(0);
    expect(received).toEqual([{ time: START + 250, event: event() }]);
    expect(bus.events().map((published) => published.matchedRules)).toEqual([['orders'], []]);
    expect(bus.deliveries()).toEqual([
      {
        time: START + 250,
        eventId: 'evt-1',
        eventBusName: 'default',
        ruleName: 'orders',
        targetId: 'fn',
        attempt: 1,
        duplicate: false,
        outcome: 'delivered',
      },
    ]);
    expect(bus.pendingDeliveries()).toBe(0);
  });

  it('invokes Lambda targets through the runtime and sends SQS targets the event JSON', async () => {
    // Prepare
    const { clock, bus } = setup();
    const runtime = new LambdaRuntime({ clock });
    const handled: unknown[] = [];
    runtime.register({
      name: 'on-order',
      handler: (e: unknown) => Promise.resolve(void handled.push(e)),
    });
    const sqs = new SqsModel({ clock });
    const queue = sqs.createQueue({ name: 'orders' });
    const fifo = sqs.createQueue({ name: 'orders.fifo', contentBasedDeduplication: false });
    bus.putRule({
      name: 'fan-out',
      eventPattern: { 'detail-type': ['Order Placed'] },
      targets: [
        { id: 'lambda', type: 'lambda', runtime, functionName: 'on-order' },
        { id: 'queue', type: 'sqs', sqs, queueUrl: queue.url },
        { id: 'fifo', type: 'sqs', sqs, queueUrl: fifo.url, messageGroupId: 'orders' },
      ],
    });

    // Act
    bus.publish(event());
    bus.publish(event());
    await clock.advance(100);

    // Assess
    expect(handled).toEqual([event(), event()]);
    expect(runtime.invocations('on-order').map((record) => record.source)).toEqual([
      'eventbridge:fan-out',
      'eventbridge:fan-out',
    ]);
    expect(sqs.messages(queue.url).map((message) => JSON.parse(message.body) as unknown)).toEqual([
      event(),
      event(),
    ]);
    // The event id deduplicates a FIFO target: the same event twice is one message.
    expect(sqs.messages(fifo.url)).toHaveLength(1);
  });

  it('retries a failing Lambda-like target one, then two minutes later, then succeeds', async () => {
    // Prepare
    const { clock, bus } = setup({ deliveryDelayMs: 0 });
    const attempts: number[] = [];
    bus.putRule({
      name: 'flaky',
      eventPattern: { source: ['shop.orders'] },
      targets: [
        {
          id: 'fn',
          type: 'function',
          handler: () => {
            attempts.push(clock.now() - START);
            if (attempts.length < 3) throw new Error(`failure ${attempts.length}`);
          },
        },
      ],
    });

    // Act
    bus.publish(event());
    await clock.runUntilIdle();

    // Assess
    expect(attempts).toEqual([0, 60_000, 180_000]);
    expect(
      bus.deliveries().map((record) => [record.attempt, record.outcome, record.error?.message]),
    ).toEqual([
      [1, 'failed', 'failure 1'],
      [2, 'failed', 'failure 2'],
      [3, 'delivered', undefined],
    ]);
  });

  it('hands an event to the dead-letter handler once the retries are used up', async () => {
    // Prepare
    const { clock, bus } = setup({ deliveryDelayMs: 0 });
    const dead: DeliveryFailure[] = [];
    bus.putRule({
      name: 'broken',
      eventPattern: { source: ['shop.orders'] },
      targets: [
        {
          id: 'fn',
          type: 'function',
          retryPolicy: { maximumRetryAttempts: 1 },
          handler: () => Promise.reject(new RangeError('nope')),
          deadLetter: (failure) => void dead.push(failure),
        },
        {
          id: 'dropped',
          type: 'function',
          retryPolicy: { maximumRetryAttempts: 0 },
          handler: () => {
            throw new Error('x');
          },
        },
      ],
    });

    // Act
    bus.publish(event());
    await clock.runUntilIdle();

    // Assess
    expect(dead).toEqual([
      {
        event: event(),
        eventBusName: 'default',
        ruleName: 'broken',
        targetId: 'fn',
        attempts: 2,
        reason: 'RetriesExhausted',
        error: { name: 'RangeError', message: 'nope' },
      },
    ]);
    expect(bus.deliveries().filter((record) => record.targetId === 'dropped')).toHaveLength(1);
  });

  it('retries throttled Lambda invocations with backoff without using up retries, within the event age', async () => {
    // Prepare
    const { clock, bus } = setup({ deliveryDelayMs: 0, random: 7 });
    const runtime = new LambdaRuntime({ clock });
    runtime.register({ name: 'off', reservedConcurrency: 0, handler: () => Promise.resolve() });
    const dead: DeliveryFailure[] = [];
    bus.putRule({
      name: 'throttled',
      eventPattern: { source: ['shop.orders'] },
      targets: [
        {
          id: 'lambda',
          type: 'lambda',
          runtime,
          functionName: 'off',
          retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 600 },
          deadLetter: (failure) => void dead.push(failure),
        },
      ],
    });

    // Act
    bus.publish(event());
    await clock.runUntilIdle();

    // Assess
    const records = bus.deliveries();
    expect(records.every((record) => record.outcome === 'throttled')).toBe(true);
    expect(records.length).toBeGreaterThan(3);
    const gaps = records.slice(1).map((record, i) => record.time - records[i].time);
    for (const [i, gap] of gaps.entries()) {
      const cap = Math.min(300_000, 1_000 * 2 ** i);
      expect(gap).toBeGreaterThanOrEqual(cap / 2);
      expect(gap).toBeLessThanOrEqual(cap);
    }
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ reason: 'MaximumEventAgeExceeded', attempts: records.length });
    expect(records[records.length - 1].time - START).toBeLessThanOrEqual(600_000);
  });

  it('retries SQS targets with backoff and gives up after maximumRetryAttempts', async () => {
    // Prepare
    const { clock, bus } = setup({ deliveryDelayMs: 0 });
    const sqs = new SqsModel({ clock });
    const queue = sqs.createQueue({ name: 'small', maximumMessageSize: 1024 });
    const dead: DeliveryFailure[] = [];
    bus.putRule({
      name: 'to-queue',
      eventPattern: { source: ['shop.orders'] },
      targets: [
        {
          id: 'queue',
          type: 'sqs',
          sqs,
          queueUrl: queue.url,
          retryPolicy: { maximumRetryAttempts: 3 },
          deadLetter: (failure) => void dead.push(failure),
        },
      ],
    });

    // Act: the event is too large for the queue, every send fails.
    bus.publish(event({ detail: { blob: 'x'.repeat(2_000) } }));
    await clock.runUntilIdle();

    // Assess
    expect(bus.deliveries()).toHaveLength(4);
    expect(dead[0]).toMatchObject({
      reason: 'RetriesExhausted',
      attempts: 4,
      error: { name: 'InvalidParameterValue' },
    });
  });

  it('reports a thrown non-Error as an Error, and lets a scenario bug in a target surface', async () => {
    // Prepare
    const { clock, bus } = setup({ deliveryDelayMs: 0 });
    const sqs = new SqsModel({ clock });
    const queue = sqs.createQueue({ name: 'q' });
    const dead: DeliveryFailure[] = [];
    bus.putRule({
      name: 'odd',
      eventPattern: { source: ['shop.orders'] },
      targets: [
        {
          id: 'text',
          type: 'function',
          retryPolicy: { maximumRetryAttempts: 0 },
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
          handler: () => Promise.reject('plain text'),
          deadLetter: (failure) => void dead.push(failure),
        },
      ],
    });
    bus.putRule({
      name: 'bug',
      eventPattern: { source: ['shop.bug'] },
      targets: [{ id: 'q', type: 'sqs', sqs, queueUrl: queue.url }],
    });
    sqs.sendMessage = () => {
      throw new TypeError('scenario bug');
    };

    // Act
    bus.publish(event());
    await clock.advance(0);
    bus.publish(event({ source: 'shop.bug' }));
    const surfaced = await clock.advance(0).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(dead[0].error).toEqual({ name: 'Error', message: 'plain text' });
    expect(surfaced).toBeInstanceOf(TypeError);
  });

  it('takes a RandomSource for jitter and duplicates', async () => {
    let draws = 0;
    const { clock, bus } = setup({ duplicateProbability: 0.5, random: () => ((draws += 1), 0.9) });
    bus.putRule({
      name: 'r',
      eventPattern: { source: ['shop.orders'] },
      targets: [{ id: 't', type: 'function', handler: () => undefined }],
    });
    bus.publish(event());
    await clock.runUntilIdle();
    expect(draws).toBe(1);
    expect(bus.deliveries()).toHaveLength(1);
  });

  it('injects duplicates with the seeded probability, same event id', async () => {
    // Prepare
    const { clock, bus } = setup({ duplicateProbability: 1 });
    const ids: string[] = [];
    bus.putRule({
      name: 'dup',
      eventPattern: { source: ['shop.orders'] },
      targets: [{ id: 'fn', type: 'function', handler: (e) => void ids.push(e.id) }],
    });

    // Act
    bus.publish(event());
    await clock.runUntilIdle();

    // Assess
    expect(ids).toEqual(['evt-1', 'evt-1']);
    expect(bus.deliveries().map((record) => record.duplicate)).toEqual([false, true]);
  });

  it('replays the same duplicates for the same seed', async () => {
    const run = async (seed: number): Promise<boolean[]> => {
      const { clock, bus } = setup({ duplicateProbability: 0.5, random: seed });
      bus.putRule({
        name: 'r',
        eventPattern: { source: ['shop.orders'] },
        targets: [{ id: 't', type: 'function', handler: () => undefined }],
      });
      for (let i = 0; i < 20; i++) bus.publish(event({ id: `e${i}` }));
      await clock.runUntilIdle();
      return bus.deliveries().map((record) => record.duplicate);
    };
    const first = await run(11);
    expect(await run(11)).toEqual(first);
    expect(first.filter(Boolean).length).toBeGreaterThan(0);
    expect(first.filter(Boolean).length).toBeLessThan(20);
  });
});

describe('simulation: EventBridge rules and buses', () => {
  it('routes by bus, replaces rules and targets, removes rules', async () => {
    // Prepare
    const { clock, bus } = setup();
    const got: string[] = [];
    const busArn = bus.createEventBus('ops');
    bus.putRule({ name: 'r', eventBusName: 'ops', eventPattern: { source: ['a'] } });
    bus.putTargets(
      'r',
      [{ id: 't', type: 'function', handler: () => void got.push('first') }],
      'ops',
    );
    bus.putTargets(
      'r',
      [{ id: 't', type: 'function', handler: () => void got.push('replaced') }],
      'ops',
    );
    bus.putRule({ name: 'r', eventBusName: 'ops', eventPattern: { source: ['b'] } });

    // Act
    bus.publish(event({ source: 'a' }), 'ops');
    bus.publish(event({ source: 'b' }), 'ops');
    bus.publish(event({ source: 'b' }));
    await clock.advance(100);
    bus.setRuleState('r', 'DISABLED', 'ops');
    bus.publish(event({ source: 'b' }), 'ops');
    bus.setRuleState('r', 'ENABLED', 'ops');
    bus.removeRule('r', 'ops');
    bus.publish(event({ source: 'b' }), 'ops');
    await clock.advance(100);

    // Assess
    expect(busArn).toBe('arn:aws:events:us-east-1:123456789012:event-bus/ops');
    expect(got).toEqual(['replaced']);
  });

  it('refuses bad rules, targets and events with a clear message', () => {
    // Prepare
    const { clock, bus } = setup();
    const runtime = new LambdaRuntime({ clock });
    const sqs = new SqsModel({ clock });
    const fifo = sqs.createQueue({ name: 'q.fifo' });
    const handler = (): void => undefined;
    bus.putRule({ name: 'r', eventPattern: { source: ['a'] } });

    // Act / Assess
    expect(() => bus.putRule({ name: 'bad name', eventPattern: { a: ['b'] } })).toThrow(
      /1–64 letters/,
    );
    expect(() =>
      bus.putRule({ name: 'x', eventBusName: 'nope', eventPattern: { a: ['b'] } }),
    ).toThrow(/no event bus 'nope'/);
    expect(() => bus.createEventBus('default')).toThrow(/exists/);
    expect(() => bus.putTargets('missing', [])).toThrow(/No rule 'missing'/);
    expect(() =>
      bus.putTargets(
        'r',
        Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, type: 'function' as const, handler })),
      ),
    ).toThrow(/at most 5 targets/);
    expect(() =>
      bus.putTargets('r', [{ id: 'l', type: 'lambda', runtime, functionName: 'ghost' }]),
    ).toThrow(/not registered/);
    expect(() => bus.putTargets('r', [{ id: 'q', type: 'sqs', sqs, queueUrl: fifo.url }])).toThrow(
      /needs messageGroupId/,
    );
    expect(() =>
      bus.putTargets('r', [
        { id: 'f', type: 'function', handler, retryPolicy: { maximumRetryAttempts: 3 } },
      ]),
    ).toThrow(/maximumRetryAttempts must be an integer 0–2/);
    expect(() =>
      bus.putTargets('r', [
        {
          id: 'q',
          type: 'sqs',
          sqs,
          queueUrl: fifo.url,
          messageGroupId: 'g',
          retryPolicy: { maximumEventAgeSeconds: 30 },
        },
      ]),
    ).toThrow(/maximumEventAgeSeconds must be an integer 60–86400/);
    expect(() => bus.publish({ ...event(), detail: 'text' })).toThrow(/invalid detail/);
    expect(() => bus.publish({ ...event(), id: '' })).toThrow(/invalid id/);
    expect(() =>
      bus.publish({ ...event(), resources: 'x' } as unknown as EventBridgeEvent),
    ).toThrow(/resources/);
    expect(() => new EventBridgeModel({ clock, deliveryDelayMs: -1 })).toThrow(/deliveryDelayMs/);
    expect(() => new EventBridgeModel({ clock, duplicateProbability: 2 })).toThrow(
      /duplicateProbability/,
    );
    expect(() => new EventBridgeModel({ clock, accountId: 'abc' })).toThrow(/12 digits/);
  });

  it('works on any Clock, not only a VirtualClock', async () => {
    // Prepare
    const virtual = VirtualClock.create({ start: START });
    const clock = { now: () => virtual.now(), sleep: (ms: number) => virtual.sleep(ms) };
    const bus = new EventBridgeModel({ clock, deliveryDelayMs: 10 });
    const got: string[] = [];
    bus.putRule({
      name: 'r',
      eventPattern: { source: ['shop.orders'] },
      targets: [{ id: 't', type: 'function', handler: (e) => void got.push(e.id) }],
    });

    // Act
    bus.publish(event());
    await virtual.advance(10);

    // Assess
    expect(got).toEqual(['evt-1']);
  });
});

describe('simulation: EventBridge PutEvents', () => {
  it('puts entries as events with ids, time, account and region, and routes them', async () => {
    // Prepare
    const { clock, bus } = setup();
    const got: EventBridgeEvent[] = [];
    bus.putRule({
      name: 'r',
      eventPattern: { source: ['kit.test'] },
      targets: [{ id: 't', type: 'function', handler: (e) => void got.push(e) }],
    });

    // Act
    const output = await putEvents(bus, {
      Entries: [
        { Source: 'kit.test', DetailType: 'Ping', Detail: '{"n":1}', Resources: ['arn:x'] },
        {
          Source: 'kit.test',
          DetailType: 'Ping',
          Detail: '{"n":2}',
          Time: new Date(START + 1_500),
        },
      ],
    });
    await clock.advance(100);

    // Assess
    expect(output).toEqual({
      FailedEntryCount: 0,
      Entries: [
        { EventId: '00000000-0000-4000-c000-000000000001' },
        { EventId: '00000000-0000-4000-c000-000000000002' },
      ],
    });
    expect(got).toEqual([
      {
        version: '0',
        id: '00000000-0000-4000-c000-000000000001',
        'detail-type': 'Ping',
        source: 'kit.test',
        account: '123456789012',
        time: '2025-01-01T00:00:00Z',
        region: 'us-east-1',
        resources: ['arn:x'],
        detail: { n: 1 },
      },
      expect.objectContaining({ time: '2025-01-01T00:00:01Z', detail: { n: 2 } }),
    ]);
    for (const e of got) expect(EventBridgeSchema.safeParse(e).success).toBe(true);
  });

  it('reports per-entry failures as AWS does and keeps going', async () => {
    // Prepare
    const { bus } = setup();
    bus.createEventBus('ops');

    // Act
    const output = await putEvents(bus, {
      Entries: [
        { DetailType: 'x', Detail: '{}' },
        { Source: 'a', Detail: '{}' },
        { Source: 'a', DetailType: 'x' },
        { Source: 'a', DetailType: 'x', Detail: 'not json' },
        { Source: 'a', DetailType: 'x', Detail: '[1]' },
        { Source: 'aws.cloudwatch', DetailType: 'x', Detail: '{}' },
        { Source: 'a', DetailType: 'x', Detail: '{}', EventBusName: 'nope' },
        {
          Source: 'a',
          DetailType: 'x',
          Detail: '{}',
          EventBusName: 'arn:aws:events:us-east-1:123456789012:event-bus/ops',
        },
        {
          Source: 'a',
          DetailType: 'x',
          Detail: '{}',
          EventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/ops',
        },
        { Source: 'a', DetailType: 'x', Detail: '{}', EventBusName: 'ops' },
      ],
    });

    // Assess
    expect(output.FailedEntryCount).toBe(8);
    expect(output.Entries?.map((entry) => entry.ErrorCode ?? 'ok')).toEqual([
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'NotAuthorizedForSourceException',
      'ResourceNotFoundException',
      'ok',
      'ResourceNotFoundException',
      'ok',
    ]);
    expect(output.Entries?.[0].ErrorMessage).toBe(
      'Parameter Source is not valid. Reason: Source is a required argument.',
    );
  });

  it('refuses more than 10 entries, none, and requests over the size limit', async () => {
    // Prepare
    const { bus } = setup();
    const entry = { Source: 'a', DetailType: 'b', Detail: '{}' };
    const fail = (input: unknown) =>
      putEvents(bus, input).then(
        () => undefined,
        (error: unknown) => error as SimulatedServiceError,
      );

    // Act
    const tooMany = await fail({ Entries: Array.from({ length: 11 }, () => entry) });
    const none = await fail({ Entries: [] });
    const big = await fail({
      Entries: [{ ...entry, Detail: JSON.stringify({ x: 'y'.repeat(262_144) }) }],
    });

    // Assess
    for (const error of [tooMany, none, big]) {
      expect(error).toMatchObject({ name: 'ValidationException', httpStatusCode: 400 });
    }
    expect(tooMany?.message).toMatch(/Entries/);
    expect(big?.message).toMatch(/Total size of the entries/);
  });

  it('sizes entries as EventBridge documents it', () => {
    expect(
      putEventsEntrySize({
        Time: new Date(),
        Source: 'ab',
        DetailType: 'é',
        Detail: '{}',
        Resources: ['r1', 'r2'],
      }),
    ).toBe(14 + 2 + 2 + 2 + 4);
    expect(putEventsEntrySize({})).toBe(0);
    expect(eventTime(START + 999)).toBe('2025-01-01T00:00:00Z');
  });

  it('passes SDK-level faults through the throttling model', async () => {
    const { bus } = setup();
    bus.failNext(1);
    await expect(
      putEvents(bus, { Entries: [{ Source: 'a', DetailType: 'b', Detail: '{}' }] }),
    ).rejects.toMatchObject({
      name: 'InternalServerException',
    });
    expect(bus.stats().total).toMatchObject({ calls: 1, faulted: 1 });
  });
});
