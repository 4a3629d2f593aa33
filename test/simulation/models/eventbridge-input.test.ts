import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import { LambdaRuntime } from '../../../src/simulation/lambda-runtime.js';
import { EventBridgeModel } from '../../../src/simulation/models/eventbridge.js';
import type { EventBridgeEvent } from '../../../src/simulation/models/eventbridge.js';
import {
  minifyJson,
  applyInputTransformer,
  checkTargetInput,
  MAX_INPUT_PATHS,
  parseEventPath,
  renderTemplate,
  targetInputProblems,
  targetPayload,
  valueAtPath,
  type InputTransformer,
  type TransformContext,
} from '../../../src/simulation/models/eventbridge-input.js';
import { SqsModel } from '../../../src/simulation/models/sqs.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

const START = Date.UTC(2025, 0, 1);

/** The EC2 state-change event of the EventBridge user guide's input transformer examples. */
function ec2Event(): EventBridgeEvent {
  return {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2015-11-11T21:29:54Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', tags: { team: 'ops' }, n: 3 },
  };
}

const context: TransformContext = {
  ruleName: 'example',
  ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example',
  ingestionTime: '2015-11-11T21:29:55.000Z',
};

const paths = { instance: '$.detail.instance-id', state: '$.detail.state' };

function transform(inputTemplate: string, inputPathsMap: Record<string, string> = paths) {
  const transformer: InputTransformer = { inputPathsMap, inputTemplate };
  checkTargetInput('test', { inputTransformer: transformer });
  return applyInputTransformer(transformer, ec2Event(), context);
}

describe('simulation: EventBridge input paths', () => {
  it.each([
    ['$', ec2Event()],
    ['$.detail.instance-id', 'i-0123456789'],
    ['$.detail-type', 'EC2 Instance State-change Notification'],
    ['$.resources[0]', 'arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    ['$.resources[1]', undefined],
    ['$.detail.missing', undefined],
    ['$.detail.state.deeper', undefined],
    ['$.detail.tags.*', ['ops']],
    ['$.resources[*]', ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111']],
    ['$.detail.none[*]', undefined],
  ])('%s', (path, expected) => {
    // Act
    const value = valueAtPath(ec2Event(), path);
    // Assess
    expect(value).toEqual(expected);
  });

  it.each([
    ['detail.state', "must start with '$'"],
    ['$.detail.', "no name after '.'"],
    ["$['detail']", 'only an index or'],
    ['$.detail state', "unexpected ' state'"],
    [`$.${'a'.repeat(300)}`, 'longer than 256'],
  ])('rejects %s', (path, why) => {
    // Act / Assess
    expect(() => parseEventPath(path)).toThrow(SimulationConfigError);
    expect(() => parseEventPath(path)).toThrow(why);
  });

  it('parses keys, indices and wildcards', () => {
    // Act
    const segments = parseEventPath('$.detail.a/b[2].*[*]');
    // Assess
    expect(segments).toEqual([
      { kind: 'key', key: 'detail' },
      { kind: 'key', key: 'a/b' },
      { kind: 'index', index: 2 },
      { kind: 'wildcard' },
      { kind: 'wildcard' },
    ]);
  });
});

describe('simulation: EventBridge input transformer', () => {
  it('quotes a string value outside quotes and places its text inside them (user guide examples)', () => {
    // Act
    const payload = transform(
      '{"instance": <instance>, "state": [9, <state>, true], "status": "instance \\"<instance>\\" is in <state>"}',
    );
    // Assess
    expect(payload).toEqual({
      kind: 'json',
      value: {
        instance: 'i-0123456789',
        state: [9, 'RUNNING', true],
        status: 'instance "i-0123456789" is in RUNNING',
      },
      text: '{"instance":"i-0123456789","state":[9,"RUNNING",true],"status":"instance \\"i-0123456789\\" is in RUNNING"}',
    });
  });

  it('makes a JSON string of a quoted string template', () => {
    // Act
    const payload = transform('"instance <instance> is in <state>"');
    // Assess
    expect(payload).toEqual({
      kind: 'json',
      value: 'instance i-0123456789 is in RUNNING',
      text: '"instance i-0123456789 is in RUNNING"',
    });
  });

  it('delivers a template that does not make JSON as text', () => {
    // Act
    const payload = transform('<instance> is in state <state>');
    // Assess
    expect(payload).toEqual({ kind: 'text', text: '"i-0123456789" is in state "RUNNING"' });
  });

  it('places numbers, objects and arrays as JSON outside quotes, as text inside', () => {
    // Act
    const payload = transform('{"n": <n>, "tags": <tags>, "both": "<n> <tags> <ids>"}', {
      n: '$.detail.n',
      tags: '$.detail.tags',
      ids: '$.resources',
    });
    // Assess
    expect(payload.kind === 'json' && payload.value).toEqual({
      n: 3,
      tags: { team: 'ops' },
      both: '3 {team:ops} [arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111]',
    });
  });

  it('gives null outside quotes and nothing inside them for a path that matches nothing', () => {
    // Act
    const payload = transform('{"a": <gone>, "b": "[<gone>]"}', { gone: '$.detail.gone' });
    // Assess
    expect(payload.kind === 'json' && payload.value).toEqual({ a: null, b: '[]' });
  });

  it('escapes quotes, backslashes and newlines of a value placed inside quotes', () => {
    // Prepare
    const event = { ...ec2Event(), detail: { text: 'say "hi"\\\n' } };
    // Act
    const payload = applyInputTransformer(
      { inputPathsMap: { text: '$.detail.text' }, inputTemplate: '{"said": "<text>!"}' },
      event,
      context,
    );
    // Assess
    expect(payload.kind === 'json' && payload.value).toEqual({ said: 'say "hi"\\\n!' });
  });

  it('fills the predefined variables', () => {
    // Act
    const payload = transform(
      '{"name": <aws.events.rule-name>, "arn": "<aws.events.rule-arn>", "at": <aws.events.event.ingestion-time>, "event": <aws.events.event>, "json": <aws.events.event.json>}',
      {},
    );
    // Assess
    const { detail, ...withoutDetail } = ec2Event();
    expect(payload.kind === 'json' && payload.value).toEqual({
      name: 'example',
      arn: context.ruleArn,
      at: context.ingestionTime,
      event: withoutDetail,
      json: { ...withoutDetail, detail },
    });
  });

  it('leaves <text> that names no variable as it is', () => {
    // Act
    const payload = transform('"<b>bold</b> <instance>"');
    // Assess
    expect(payload).toEqual({
      kind: 'json',
      value: '<b>bold</b> i-0123456789',
      text: '"<b>bold</b> i-0123456789"',
    });
  });

  it('round-trips any JSON values placed outside quotes', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), { minLength: 1, maxLength: 6 }),
        fc.array(fc.jsonValue(), { minLength: 6, maxLength: 6 }),
        (names, values) => {
          // Prepare: each value under detail, one placeholder per value
          const detail = Object.fromEntries(names.map((name, i) => [name, values[i]]));
          const event = { ...ec2Event(), detail };
          const inputPathsMap = Object.fromEntries(names.map((name) => [name, `$.detail.${name}`]));
          const inputTemplate = `{${names.map((name, i) => `"k${i}": <${name}>`).join(', ')}}`;
          expect(
            targetInputProblems({ inputTransformer: { inputPathsMap, inputTemplate } }),
          ).toEqual([]);
          // Act
          const payload = applyInputTransformer({ inputPathsMap, inputTemplate }, event, context);
          // Assess: JSON.parse(JSON.stringify(v)) is how any JSON value travels (-0 becomes 0)
          expect(payload.kind).toBe('json');
          expect(payload.kind === 'json' && payload.value).toEqual(
            Object.fromEntries(
              names.map((_, i) => [`k${i}`, JSON.parse(JSON.stringify(values[i])) as unknown]),
            ),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('places any string inside quotes so that it reads back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        // Act
        const rendered = renderTemplate('{"a": "(<v>)"}', new Map([['v', text]]));
        // Assess
        expect(JSON.parse(rendered)).toEqual({ a: `(${text})` });
      }),
      { numRuns: 100 },
    );
  });
});

describe('simulation: EventBridge JSON output text', () => {
  it('drops the whitespace between tokens and keeps numbers and strings as written', () => {
    const text = '{ "price": 1.50, "id": 12345678901234567890, "note": "a  b \\" c" }';

    expect(minifyJson(text)).toBe('{"price":1.50,"id":12345678901234567890,"note":"a  b \\" c"}');
  });

  it('is JSON.stringify of the value for any JSON written without insignificant choices', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const spaced = JSON.stringify(value, null, 2);
        expect(minifyJson(spaced)).toBe(JSON.stringify(value));
      }),
      { numRuns: 100 },
    );
  });
});

describe('simulation: EventBridge target input options', () => {
  it('delivers a constant input as written and the part of the event at inputPath', () => {
    // Act
    const constant = targetPayload({ input: '{ "fixed": true }' }, ec2Event(), context);
    const part = targetPayload({ inputPath: '$.detail.tags' }, ec2Event(), context);
    const nothing = targetPayload({ inputPath: '$.detail.gone' }, ec2Event(), context);
    const plain = targetPayload({}, ec2Event(), context);
    // Assess
    expect(constant).toEqual({ kind: 'json', value: { fixed: true }, text: '{ "fixed": true }' });
    expect(part).toEqual({ kind: 'json', value: { team: 'ops' }, text: '{"team":"ops"}' });
    expect(nothing).toEqual({ kind: 'json', value: null, text: 'null' });
    expect(plain).toBeUndefined();
  });

  it.each([
    [
      { input: '{}', inputPath: '$.detail' },
      'only one of input, inputPath or inputTransformer may be set, got input, inputPath',
    ],
    [{ input: '' }, 'input must be JSON text of 1–8192 characters'],
    [{ input: 'not json' }, "input must be valid JSON text, got 'not json'"],
    [{ inputPath: 'detail' }, "inputPath: 'detail' is not an EventBridge JSON path"],
    [
      { inputTransformer: { inputPathsMap: { 'aws.mine': '$.id' }, inputTemplate: '<x>' } },
      "'aws.mine' is reserved",
    ],
    [
      { inputTransformer: { inputPathsMap: { 'a b': '$.id' }, inputTemplate: '"x"' } },
      "the name 'a b' must be 1–256 letters, digits, '_' or '-'",
    ],
    [
      { inputTransformer: { inputPathsMap: { id: 'id' }, inputTemplate: '<id>' } },
      "inputTransformer.inputPathsMap.id: 'id' is not an EventBridge JSON path",
    ],
    [
      {
        inputTransformer: { inputPathsMap: { id: 42 as unknown as string }, inputTemplate: '<id>' },
      },
      'inputTransformer.inputPathsMap.id must be a string path',
    ],
    [{ inputTransformer: { inputTemplate: '' } }, 'inputTemplate must be 1–8192 characters'],
    [
      { inputTransformer: { inputPathsMap: { id: '$.id' }, inputTemplate: '{<id>: 1}' } },
      'a placeholder cannot be (part of) an object key',
    ],
    [
      { inputTransformer: { inputPathsMap: { id: '$.id' }, inputTemplate: '{"k-<id>" : 1}' } },
      'a placeholder cannot be (part of) an object key',
    ],
    [
      { inputTransformer: { inputTemplate: '"seen: <aws.events.event>"' } },
      '<aws.events.event> can only be a JSON value, not part of a string',
    ],
  ])('rejects %j', (options, message) => {
    // Act / Assess
    expect(targetInputProblems(options).join('; ')).toContain(message);
    expect(() => checkTargetInput('putTargets(r)', options)).toThrow(SimulationConfigError);
  });

  it(`allows at most ${MAX_INPUT_PATHS} input paths`, () => {
    // Prepare
    const map = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`v${i}`, `$.detail.v${i}`]));
    // Act / Assess
    expect(
      targetInputProblems({ inputTransformer: { inputPathsMap: map(100), inputTemplate: '{}' } }),
    ).toEqual([]);
    expect(
      targetInputProblems({ inputTransformer: { inputPathsMap: map(101), inputTemplate: '{}' } }),
    ).toEqual(['inputTransformer.inputPathsMap has 101 entries, at most 100 are allowed']);
  });

  it('accepts a placeholder as a value next to keys and inside a value string', () => {
    // Act / Assess
    expect(
      targetInputProblems({
        inputTransformer: {
          inputPathsMap: paths,
          inputTemplate: '{ "a" : <instance> , "b": "<state>:", "c": {"d": <state>} }',
        },
      }),
    ).toEqual([]);
  });
});

describe('simulation: EventBridge model delivers target input', () => {
  it('gives Lambda and SQS targets the transformed payload, and refuses two input options at putRule', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: START });
    const bus = new EventBridgeModel({ clock });
    const runtime = new LambdaRuntime({ clock });
    const received: unknown[] = [];
    runtime.register({
      name: 'fn',
      handler: (e: unknown) => Promise.resolve(void received.push(e)),
    });
    const sqs = new SqsModel({ clock });
    const queue = sqs.createQueue({ name: 'q' });
    const inputTransformer: InputTransformer = {
      inputPathsMap: { instance: '$.detail.instance-id', state: '$.detail.state' },
      inputTemplate:
        '{"instance": <instance>, "message": "<instance> is <state>", "rule": <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>}',
    };
    const ruleArn = bus.putRule({
      name: 'ec2',
      eventPattern: { source: ['aws.ec2'] },
      targets: [
        { id: 'lambda', type: 'lambda', runtime, functionName: 'fn', inputTransformer },
        { id: 'queue', type: 'sqs', sqs, queueUrl: queue.url, inputTransformer },
        {
          id: 'text',
          type: 'sqs',
          sqs,
          queueUrl: queue.url,
          inputTransformer: { ...inputTransformer, inputTemplate: '<instance> is <state>' },
        },
      ],
    });

    // Act
    bus.publish(ec2Event());
    await clock.advance(100);

    // Assess
    const expected = {
      instance: 'i-0123456789',
      message: 'i-0123456789 is RUNNING',
      rule: 'ec2',
      at: new Date(START).toISOString(),
    };
    expect(ruleArn).toBe('arn:aws:events:us-east-1:123456789012:rule/ec2');
    expect(received).toEqual([expected]);
    expect(sqs.messages(queue.url).map((message) => message.body)).toEqual([
      JSON.stringify(expected),
      '"i-0123456789" is "RUNNING"',
    ]);
    expect(() =>
      bus.putRule({
        name: 'both',
        eventPattern: { source: ['aws.ec2'] },
        targets: [
          { id: 't', type: 'function', handler: () => undefined, input: '{}', inputPath: '$' },
        ],
      }),
    ).toThrow(
      "putTargets(both) target 't': only one of input, inputPath or inputTransformer may be set, got input, inputPath.",
    );
  });

  it('gives function targets the constant input and the part of the event at inputPath', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: START });
    const bus = new EventBridgeModel({ clock });
    const got: unknown[] = [];
    bus.putRule({
      name: 'r',
      eventPattern: { source: ['aws.ec2'] },
      targets: [
        { id: 'constant', type: 'function', handler: (e) => void got.push(e), input: '[1, 2]' },
        {
          id: 'part',
          type: 'function',
          handler: (e) => void got.push(e),
          inputPath: '$.detail.tags',
        },
      ],
    });

    // Act
    bus.publish(ec2Event());
    await clock.advance(100);

    // Assess
    expect(got).toEqual([[1, 2], { team: 'ops' }]);
  });
});
