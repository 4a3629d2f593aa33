import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyUpdate,
  evaluateCondition,
  updatedAttributes,
  valueAt,
} from '../../../src/simulation/models/dynamodb-evaluate.js';
import { ExpressionContext } from '../../../src/simulation/models/dynamodb-expressions.js';
import { isReservedWord } from '../../../src/simulation/models/dynamodb-reserved-words.js';
import type { Item } from '../../../src/simulation/models/dynamodb-values.js';
import type { SimulatedServiceError } from '../../../src/simulation/service-error.js';

const item: Item = marshall({
  pk: 'user#1',
  name: 'Ada',
  age: 36,
  score: 12.5,
  active: true,
  nothing: null,
  tags: new Set(['admin', 'ops']),
  lucky: new Set([7, 13]),
  history: [1, 'two', { three: 3 }],
  address: { city: 'London', zip: 'N1' },
});
item.bytes = { B: new Uint8Array([1, 2, 3]) };

function check(
  expression: string,
  values: Record<string, unknown> = {},
  names?: Record<string, string>,
  target: { item: Item | undefined } = { item },
): boolean {
  const context = new ExpressionContext(
    names,
    Object.keys(values).length === 0 ? undefined : marshall(values),
  );
  const condition = context.parseCondition(expression, 'ConditionExpression');
  context.checkAllUsed();
  return evaluateCondition(condition, target.item);
}

function validationMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toMatchObject({ name: 'ValidationException', httpStatusCode: 400 });
    return (error as SimulatedServiceError).message;
  }
  throw new Error('expected a ValidationException');
}

describe('simulation: DynamoDB condition expressions, per operator', () => {
  it.each([
    ['attribute_exists(#n)', {}, true],
    ['attribute_exists(absent)', {}, false],
    ['attribute_not_exists(absent)', {}, true],
    ['attribute_not_exists(#n)', {}, false],
    ['attribute_exists(address.city)', {}, true],
    ['attribute_exists(history[2].three)', {}, true],
    ['attribute_exists(history[5])', {}, false],
    ['age = :v', { ':v': 36 }, true],
    ['age = :v', { ':v': '36' }, false],
    ['age <> :v', { ':v': 35 }, true],
    ['age <> :v', { ':v': 36 }, false],
    ['absent <> :v', { ':v': 1 }, true],
    ['absent = :v', { ':v': 1 }, false],
    ['age < :v', { ':v': 37 }, true],
    ['age < :v', { ':v': 36 }, false],
    ['age <= :v', { ':v': 36 }, true],
    ['age > :v', { ':v': 35.5 }, true],
    ['age >= :v', { ':v': 36.0001 }, false],
    ['#n < :v', { ':v': 'Adb' }, true],
    ['#n > :v', { ':v': 'ADA' }, true],
    ['age < :v', { ':v': 'x' }, false],
    ['absent < :v', { ':v': 1 }, false],
    ['age BETWEEN :a AND :b', { ':a': 30, ':b': 40 }, true],
    ['age BETWEEN :a AND :b', { ':a': 36, ':b': 36 }, true],
    ['age BETWEEN :a AND :b', { ':a': 37, ':b': 40 }, false],
    ['age IN (:a, :b)', { ':a': 1, ':b': 36 }, true],
    ['age IN (:a)', { ':a': 1 }, false],
    ['active = :t', { ':t': true }, true],
    ['nothing = :n', { ':n': null }, true],
    ['tags = :s', { ':s': new Set(['ops', 'admin']) }, true],
    ['address = :m', { ':m': { zip: 'N1', city: 'London' } }, true],
    ['history = :l', { ':l': [1, 'two', { three: 3 }] }, true],
    ['history = :l', { ':l': ['two', 1, { three: 3 }] }, false],
    ['begins_with(pk, :p)', { ':p': 'user#' }, true],
    ['begins_with(pk, :p)', { ':p': 'order#' }, false],
    ['begins_with(age, :p)', { ':p': '3' }, false],
    ['begins_with(absent, :p)', { ':p': 'x' }, false],
    ['contains(#n, :s)', { ':s': 'd' }, true],
    ['contains(tags, :s)', { ':s': 'ops' }, true],
    ['contains(tags, :s)', { ':s': 'dev' }, false],
    ['contains(lucky, :n)', { ':n': 13 }, true],
    ['contains(history, :e)', { ':e': 'two' }, true],
    ['contains(age, :e)', { ':e': 3 }, false],
    ['size(#n) = :n', { ':n': 3 }, true],
    ['size(tags) = :n', { ':n': 2 }, true],
    ['size(history) > :n', { ':n': 2 }, true],
    ['size(address) = :n', { ':n': 2 }, true],
    ['size(bytes) = :n', { ':n': 3 }, true],
    ['size(age) = :n', { ':n': 2 }, false],
    ['attribute_type(age, :t)', { ':t': 'N' }, true],
    ['attribute_type(tags, :t)', { ':t': 'SS' }, true],
    ['attribute_type(tags, :t)', { ':t': 'L' }, false],
    ['age = :a AND active = :t', { ':a': 36, ':t': true }, true],
    ['age = :a AND active = :t', { ':a': 1, ':t': true }, false],
    ['age = :a OR active = :t', { ':a': 1, ':t': true }, true],
    ['NOT age = :a', { ':a': 36 }, false],
    ['NOT (age = :a OR active = :t)', { ':a': 1, ':t': false }, true],
    ['age = :a OR age = :b AND active = :f', { ':a': 36, ':b': 1, ':f': false }, true],
    ['(age = :a OR age = :b) AND active = :f', { ':a': 36, ':b': 1, ':f': false }, false],
    ['not attribute_exists(absent) and age = :a', { ':a': 36 }, true],
  ])('%s with %j is %s', (expression, values, expected) => {
    expect(
      check(expression, values, expression.includes('#n') ? { '#n': 'name' } : undefined),
    ).toBe(expected);
  });

  it('compares binary values and prefixes', () => {
    const values = {
      ':p': { B: new Uint8Array([1, 2]) },
      ':q': { B: new Uint8Array([1, 3]) },
      ':b': { B: new Uint8Array([2]) },
    };
    const context = new ExpressionContext(undefined, values);
    const begins = context.parseCondition('begins_with(bytes, :p)', 'ConditionExpression');
    const less = context.parseCondition('bytes < :q', 'ConditionExpression');
    const contains = context.parseCondition('contains(bytes, :b)', 'ConditionExpression');
    expect([
      evaluateCondition(begins, item),
      evaluateCondition(less, item),
      evaluateCondition(contains, item),
    ]).toEqual([true, true, true]);
  });

  it('treats a missing item as having no attributes', () => {
    expect(check('attribute_not_exists(pk)', {}, undefined, { item: undefined })).toBe(true);
    expect(check('pk = :v', { ':v': 'x' }, undefined, { item: undefined })).toBe(false);
  });
});

describe('simulation: DynamoDB expression validation', () => {
  it.each([
    [
      'a syntax error',
      'age = = :v',
      { ':v': 1 },
      undefined,
      /Invalid ConditionExpression: Syntax error; token: "=", near: "age = ="/,
    ],
    ['a missing operand at the end', 'age =', {}, undefined, /token: "<EOF>"/],
    ['an unknown character', 'age ! :v', { ':v': 1 }, undefined, /token: "!"/],
    [
      'a reserved word',
      'status = :v',
      { ':v': 'x' },
      undefined,
      /reserved keyword; reserved keyword: status/,
    ],
    [
      'an undefined name',
      '#missing = :v',
      { ':v': 1 },
      undefined,
      /attribute name used in the document path is not defined; attribute name: #missing/,
    ],
    [
      'an undefined value',
      'age = :missing',
      {},
      undefined,
      /attribute value used in expression is not defined; attribute value: :missing/,
    ],
    [
      'an unused name',
      'age = :v',
      { ':v': 1 },
      { '#x': 'x' },
      /unused in expressions: keys: \{#x\}/,
    ],
    [
      'an unused value',
      'age = :v',
      { ':v': 1, ':w': 2 },
      undefined,
      /ExpressionAttributeValues unused in expressions: keys: \{:w\}/,
    ],
    ['an unknown function', 'nope(age)', {}, undefined, /Invalid function name; function: nope/],
    [
      'a function on a value',
      'attribute_exists(:v)',
      { ':v': 1 },
      undefined,
      /requires a document path; operator or function: attribute_exists/,
    ],
    ['too many operands', 'attribute_exists(a, b)', {}, undefined, /Incorrect number of operands/],
    [
      'a bad attribute type',
      'attribute_type(a, :t)',
      { ':t': 'X' },
      undefined,
      /Invalid attribute type name/,
    ],
    ['begins_with a number', 'begins_with(a, :n)', { ':n': 1 }, undefined, /operand type: N/],
    ['size of a value', 'size(:v) = :v', { ':v': 1 }, undefined, /operator or function: size/],
    [
      'BETWEEN reversed',
      'a BETWEEN :hi AND :lo',
      { ':hi': 9, ':lo': 1 },
      undefined,
      /upper bound to be greater than or equal to lower bound/,
    ],
    [
      'BETWEEN of two types',
      'a BETWEEN :lo AND :s',
      { ':lo': 1, ':s': 'x' },
      undefined,
      /same data type/,
    ],
    ['BETWEEN without AND', 'a BETWEEN :lo :hi', { ':lo': 1, ':hi': 2 }, undefined, /Syntax error/],
    [
      'IN with 101 operands',
      `a IN (${Array.from({ length: 101 }, () => ':v').join(', ')})`,
      { ':v': 1 },
      undefined,
      /too many operands/,
    ],
    ['an operand alone', 'age', {}, undefined, /token: "<EOF>"/],
    ['a bad list index', 'a[x] = :v', { ':v': 1 }, undefined, /token: "x"/],
    ['an empty expression', '  ', {}, undefined, /The expression can not be empty/],
    ['a trailing token', 'a = :v )', { ':v': 1 }, undefined, /token: "\)"/],
    ['an unclosed parenthesis', '(a = :v', { ':v': 1 }, undefined, /token: "<EOF>"/],
    [
      'BETWEEN of two sets',
      'a BETWEEN :x AND :y',
      { ':x': new Set(['a']), ':y': new Set([1]) },
      undefined,
      /\{SS:\[a\]\}.*\{NS:\[1\]\}/,
    ],
    ['attribute_type with a path', 'attribute_type(a, b)', {}, undefined, /type: path/],
    [
      'a 4 KB expression',
      `a = :v${' '.repeat(4_100)}`,
      { ':v': 1 },
      undefined,
      /Expression size has exceeded/,
    ],
  ])('refuses %s', (_name, expression, values, names, message) => {
    expect(validationMessage(() => check(expression, values, names))).toMatch(message);
  });

  it('accepts BETWEEN with path bounds', () => {
    expect(check('age BETWEEN score AND age', {})).toBe(true);
  });

  it('refuses empty and malformed placeholder maps and invalid values', () => {
    expect(validationMessage(() => new ExpressionContext({}, undefined))).toBe(
      'ExpressionAttributeNames must not be empty',
    );
    expect(validationMessage(() => new ExpressionContext(undefined, {}))).toBe(
      'ExpressionAttributeValues must not be empty',
    );
    expect(validationMessage(() => new ExpressionContext({ n: 'x' }, undefined))).toMatch(
      /invalid key/,
    );
    expect(validationMessage(() => new ExpressionContext(undefined, { v: { S: 'x' } }))).toMatch(
      /invalid key/,
    );
    expect(
      validationMessage(() => new ExpressionContext(undefined, { ':v': { N: 'abc' } })),
    ).toMatch(
      /invalid value: The parameter cannot be converted to a numeric value: abc for key :v/,
    );
  });

  it('knows DynamoDB reserved words case-insensitively', () => {
    expect(['status', 'NAME', 'Value', 'ttl', 'data'].every(isReservedWord)).toBe(true);
    expect(['pk', 'score', 'weights'].some(isReservedWord)).toBe(false);
  });
});

describe('simulation: DynamoDB update expressions', () => {
  function update(
    expression: string,
    values: Record<string, unknown> = {},
    names?: Record<string, string>,
    target: { item: Item | undefined } = { item },
  ): Item {
    const context = new ExpressionContext(
      names,
      Object.keys(values).length === 0 ? undefined : marshall(values),
    );
    const actions = context.parseUpdate(expression);
    context.checkAllUsed();
    return applyUpdate(actions, target.item, ['pk']);
  }

  it('SETs values, arithmetic, if_not_exists and list_append, from the item before the update', () => {
    const result = update(
      'SET age = age + :one, score = score - :half, visits = if_not_exists(visits, :zero) + :one, history = list_append(history, :more), #n = :new, address.city = :city, dup = age',
      { ':one': 1, ':half': 0.5, ':zero': 0, ':more': [4], ':new': 'Grace', ':city': 'Paris' },
      { '#n': 'name' },
    );
    expect(valueAt(result, ['age'])).toEqual({ N: '37' });
    expect(valueAt(result, ['score'])).toEqual({ N: '12' });
    expect(valueAt(result, ['visits'])).toEqual({ N: '1' });
    expect(valueAt(result, ['history'])?.L).toHaveLength(4);
    expect(valueAt(result, ['name'])).toEqual({ S: 'Grace' });
    expect(valueAt(result, ['address', 'city'])).toEqual({ S: 'Paris' });
    expect(valueAt(result, ['dup'])).toEqual({ N: '36' });
    expect(valueAt(item, ['age'])).toEqual({ N: '36' });
  });

  it('sets list elements, appending past the end, and REMOVEs attributes and elements', () => {
    const result = update(
      'SET history[1] = :x, history[10] = :y REMOVE active, address.zip, absent',
      { ':x': 'deux', ':y': 'end' },
    );
    expect(valueAt(result, ['history'])?.L?.map((v) => v.S ?? v.N ?? 'map')).toEqual([
      '1',
      'deux',
      'map',
      'end',
    ]);
    expect(result.active).toBeUndefined();
    expect(valueAt(result, ['address'])).toEqual({ M: { city: { S: 'London' } } });
    const removed = update('REMOVE history[0]');
    expect(valueAt(removed, ['history'])?.L).toHaveLength(2);
  });

  it('ADDs to numbers and sets, and DELETEs from sets', () => {
    const result = update('ADD age :n, hits :n, tags :t, fresh :t DELETE lucky :l', {
      ':n': 5,
      ':t': new Set(['ops', 'dev']),
      ':l': new Set([7, 13]),
    });
    expect(valueAt(result, ['age'])).toEqual({ N: '41' });
    expect(valueAt(result, ['hits'])).toEqual({ N: '5' });
    expect(valueAt(result, ['tags'])).toEqual({ SS: ['admin', 'ops', 'dev'] });
    expect(valueAt(result, ['fresh'])).toEqual({ SS: ['ops', 'dev'] });
    expect(result.lucky).toBeUndefined();
    const partial = update('DELETE lucky :l, nowhere :l', { ':l': new Set([7]) });
    expect(valueAt(partial, ['lucky'])).toEqual({ NS: ['13'] });
    const bytes = applyUpdate(
      new ExpressionContext(undefined, { ':b': { BS: [new Uint8Array([1])] } }).parseUpdate(
        'ADD bin :b',
      ),
      { pk: { S: 'x' }, bin: { BS: [new Uint8Array([2])] } },
      ['pk'],
    );
    expect(bytes.bin.BS).toHaveLength(2);
  });

  it('creates the item when there is none, and lists the attributes it touched', () => {
    expect(update('SET a = :v', { ':v': 1 }, undefined, { item: undefined })).toEqual({
      a: { N: '1' },
    });
    const context = new ExpressionContext(undefined, marshall({ ':v': 1 }));
    expect(updatedAttributes(context.parseUpdate('SET a.b = :v, c = :v REMOVE d'))).toEqual([
      'a',
      'c',
      'd',
    ]);
  });

  it('adds numbers exactly, beyond what a double holds', () => {
    const big = { pk: { S: 'x' }, n: { N: '12345678901234567890123456789012345678' } };
    const result = applyUpdate(
      new ExpressionContext(undefined, { ':one': { N: '1' } }).parseUpdate('ADD n :one'),
      big,
      ['pk'],
    );
    expect(result.n).toEqual({ N: '12345678901234567890123456789012345679' });
  });

  it.each([
    [
      'a key attribute',
      'SET pk = :v',
      { ':v': 'x' },
      /Cannot update attribute pk. This attribute is part of the key/,
    ],
    [
      'overlapping paths',
      'SET address.city = :v REMOVE address',
      { ':v': 'x' },
      /Two document paths overlap with each other; must remove or rewrite one of these paths; path one: \[address, city\], path two: \[address\]/,
    ],
    [
      'a section twice',
      'SET a = :v SET b = :v',
      { ':v': 1 },
      /The "SET" section can only be used once/,
    ],
    ['an unknown section', 'UPSERT a = :v', { ':v': 1 }, /Syntax error/],
    ['a section that is not a word', '= a', {}, /Syntax error; token: "="/],
    [
      'overlapping list elements',
      'SET history[0] = :v REMOVE history[0]',
      { ':v': 1 },
      /path one: \[history, \[0\]\]/,
    ],
    ['a string plus a number', 'SET x = #n + :v', { ':v': 1 }, /incorrect data type/],
    [
      'list_append of a number',
      'SET x = list_append(age, :v)',
      { ':v': [1] },
      /incorrect data type/,
    ],
    [
      'a missing attribute on the right',
      'SET x = nowhere',
      {},
      /refers to an attribute that does not exist/,
    ],
    [
      'a nested path under nothing',
      'SET nowhere.deep = :v',
      { ':v': 1 },
      /document path provided in the update expression is invalid/,
    ],
    [
      'an index into a map',
      'SET address[0] = :v',
      { ':v': 1 },
      /document path provided in the update expression is invalid/,
    ],
    [
      'a name into a list',
      'SET history.x = :v',
      { ':v': 1 },
      /document path provided in the update expression is invalid/,
    ],
    ['ADD of a string', 'ADD age :v', { ':v': 'x' }, /operator: ADD, operand type: S/],
    ['ADD a number to a string', 'ADD #n :v', { ':v': 1 }, /incorrect data type/],
    ['ADD a set to a number', 'ADD age :v', { ':v': new Set(['x']) }, /incorrect data type/],
    ['DELETE of a number', 'DELETE lucky :v', { ':v': 1 }, /operator: DELETE/],
    [
      'DELETE from another set type',
      'DELETE lucky :v',
      { ':v': new Set(['x']) },
      /incorrect data type/,
    ],
    ['ADD without a value', 'ADD age age', {}, /Syntax error/],
    ['an unknown function', 'SET a = upper(#n)', {}, /Invalid function name; function: upper/],
    [
      'a number past 38 digits',
      'SET age = age + :v',
      { ':v': { N: '2'.repeat(38) } },
      /38 significant digits/,
    ],
  ])('refuses %s', (_name, expression, values, message) => {
    const raw = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [
        k,
        typeof v === 'object' && v !== null && 'N' in v ? v : marshall({ v }).v,
      ]),
    ) as Record<string, AttributeValue>;
    expect(
      validationMessage(() => {
        const context = new ExpressionContext(
          expression.includes('#n') ? { '#n': 'name' } : undefined,
          Object.keys(raw).length === 0 ? undefined : raw,
        );
        return applyUpdate(
          context.parseUpdate(expression),
          { ...item, age: { N: '9'.repeat(38) } },
          ['pk'],
        );
      }),
    ).toMatch(message);
  });

  it('parses projections and refuses overlapping ones', () => {
    const context = new ExpressionContext({ '#n': 'name' }, undefined);
    expect(context.parseProjection('#n, address.city, history[1]')).toEqual([
      ['name'],
      ['address', 'city'],
      ['history', 1],
    ]);
    expect(validationMessage(() => context.parseProjection('a, a.b'))).toMatch(/overlap/);
  });
});

// ---- property: the evaluator agrees with a direct JavaScript evaluation ----

type Plain = number | string | boolean | undefined;
const ATTRIBUTES = ['a', 'b', 'c'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

type Cond =
  | {
      kind: 'cmp';
      op: '=' | '<>' | '<' | '<=' | '>' | '>=';
      attr: Attribute;
      value: number | string;
    }
  | { kind: 'exists' | 'notExists'; attr: Attribute }
  | { kind: 'between'; attr: Attribute; low: number; high: number }
  | { kind: 'beginsWith'; attr: Attribute; prefix: string }
  | { kind: 'in'; attr: Attribute; values: (number | string)[] }
  | { kind: 'and' | 'or'; left: Cond; right: Cond }
  | { kind: 'not'; operand: Cond };

const scalar = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom('', 'a', 'ab', 'b', 'ba'));
const attribute = fc.constantFrom(...ATTRIBUTES);
const condition: fc.Arbitrary<Cond> = fc.letrec<{ cond: Cond }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('cmp' as const),
      op: fc.constantFrom('=', '<>', '<', '<=', '>', '>=' as const),
      attr: attribute,
      value: scalar,
    }),
    fc.record({ kind: fc.constantFrom('exists' as const, 'notExists' as const), attr: attribute }),
    fc
      .record({
        attr: attribute,
        low: fc.integer({ min: -5, max: 5 }),
        width: fc.integer({ min: 0, max: 5 }),
      })
      .map(({ attr, low, width }) => ({ kind: 'between' as const, attr, low, high: low + width })),
    fc.record({
      kind: fc.constant('beginsWith' as const),
      attr: attribute,
      prefix: fc.constantFrom('', 'a', 'b', 'ab'),
    }),
    fc.record({
      kind: fc.constant('in' as const),
      attr: attribute,
      values: fc.array(scalar, { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      kind: fc.constantFrom('and' as const, 'or' as const),
      left: tie('cond'),
      right: tie('cond'),
    }),
    fc.record({ kind: fc.constant('not' as const), operand: tie('cond') }),
  ),
})).cond;
const plainItem = fc.record({
  a: fc.option(scalar, { nil: undefined }),
  b: fc.option(scalar, { nil: undefined }),
  c: fc.option(scalar, { nil: undefined }),
});

/** Direct JS semantics of DynamoDB conditions on scalars. */
function reference(cond: Cond, row: Record<Attribute, Plain>): boolean {
  const ordered = (x: Plain, y: Plain): boolean =>
    x !== undefined && y !== undefined && typeof x === typeof y && typeof x !== 'boolean';
  switch (cond.kind) {
    case 'cmp': {
      const x = row[cond.attr];
      const y = cond.value;
      if (cond.op === '=') return x === y;
      if (cond.op === '<>') return x !== y;
      if (!ordered(x, y)) return false;
      const [p, q] = [x as number | string, y];
      return cond.op === '<' ? p < q : cond.op === '<=' ? p <= q : cond.op === '>' ? p > q : p >= q;
    }
    case 'exists':
      return row[cond.attr] !== undefined;
    case 'notExists':
      return row[cond.attr] === undefined;
    case 'between': {
      const x = row[cond.attr];
      return typeof x === 'number' && x >= cond.low && x <= cond.high;
    }
    case 'beginsWith': {
      const x = row[cond.attr];
      return typeof x === 'string' && x.startsWith(cond.prefix);
    }
    case 'in':
      return cond.values.some((v) => v === row[cond.attr]);
    case 'and':
      return reference(cond.left, row) && reference(cond.right, row);
    case 'or':
      return reference(cond.left, row) || reference(cond.right, row);
    default:
      return !reference(cond.operand, row);
  }
}

/** Renders a condition with placeholders for every name and value. */
function render(
  cond: Cond,
  values: Record<string, AttributeValue>,
  names: Record<string, string>,
): string {
  const name = (attr: string): string => {
    names[`#${attr}`] = attr;
    return `#${attr}`;
  };
  const value = (v: number | string): string => {
    const key = `:v${Object.keys(values).length}`;
    values[key] = typeof v === 'number' ? { N: String(v) } : { S: v };
    return key;
  };
  switch (cond.kind) {
    case 'cmp':
      return `${name(cond.attr)} ${cond.op} ${value(cond.value)}`;
    case 'exists':
      return `attribute_exists(${name(cond.attr)})`;
    case 'notExists':
      return `attribute_not_exists(${name(cond.attr)})`;
    case 'between':
      return `${name(cond.attr)} BETWEEN ${value(cond.low)} AND ${value(cond.high)}`;
    case 'beginsWith':
      return `begins_with(${name(cond.attr)}, ${value(cond.prefix)})`;
    case 'in':
      return `${name(cond.attr)} IN (${cond.values.map(value).join(', ')})`;
    case 'and':
    case 'or':
      return `(${render(cond.left, values, names)}) ${cond.kind.toUpperCase()} (${render(cond.right, values, names)})`;
    default:
      return `NOT (${render(cond.operand, values, names)})`;
  }
}

describe('simulation: DynamoDB condition evaluation properties', () => {
  it('agrees with a direct JavaScript evaluation on random items and conditions', () => {
    fc.assert(
      fc.property(condition, plainItem, (cond, row) => {
        const values: Record<string, AttributeValue> = {};
        const names: Record<string, string> = {};
        const expression = render(cond, values, names);
        const context = new ExpressionContext(
          Object.keys(names).length === 0 ? undefined : names,
          Object.keys(values).length === 0 ? undefined : values,
        );
        const parsed = context.parseCondition(expression, 'ConditionExpression');
        context.checkAllUsed();
        const stored: Item = marshall(row, { removeUndefinedValues: true });
        expect(evaluateCondition(parsed, stored)).toBe(reference(cond, row));
      }),
      { numRuns: 500 },
    );
  });
});
