import * as ddbSdk from '@aws-sdk/client-dynamodb';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import {
  DynamoDbModel,
  type DynamoDbModelOptions,
} from '../../../src/simulation/models/dynamodb.js';
import {
  addDecimals,
  checkAttributeValue,
  formatDecimal,
  itemSize,
  parseDecimal,
  valueSize,
} from '../../../src/simulation/models/dynamodb-values.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

const START = Date.UTC(2025, 0, 1);
const TABLE = 'load-shedding-state';

function setup(options: Partial<DynamoDbModelOptions> = {}) {
  const clock = VirtualClock.create({ start: START });
  const model = new DynamoDbModel({ clock, ...options });
  model.createTable({ name: TABLE, partitionKey: { name: 'pk', type: 'S' } });
  model.createTable({
    name: 'events',
    partitionKey: { name: 'topic', type: 'S' },
    sortKey: { name: 'seq', type: 'N' },
    ttl: { attributeName: 'expiresAt' },
  });
  const client = createSimulatedClient(DynamoDBClient, {}, model, { exceptions: ddbSdk });
  return { clock, model, client };
}

async function failure(promise: Promise<unknown>): Promise<DynamoDBServiceException> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DynamoDBServiceException);
  return error as DynamoDBServiceException;
}

describe('simulation: DynamoDB items through the SDK', () => {
  it('puts, gets, updates and deletes an item', async () => {
    // Prepare
    const { client, model } = setup();
    const state = { pk: 'listener#1', weights: { blue: 100, green: 0 }, version: 1, note: 'start' };

    // Act
    await client.send(new PutItemCommand({ TableName: TABLE, Item: marshall(state) }));
    const got = await client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: marshall({ pk: 'listener#1' }),
        ConsistentRead: true,
      }),
    );
    const updated = await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: marshall({ pk: 'listener#1' }),
        UpdateExpression: 'SET weights.green = :g, #v = #v + :one REMOVE note',
        ConditionExpression: '#v = :expected',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: marshall({ ':g': 50, ':one': 1, ':expected': 1 }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    const projected = await client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: marshall({ pk: 'listener#1' }),
        ProjectionExpression: 'weights.green, #v',
        ExpressionAttributeNames: { '#v': 'version' },
      }),
    );
    const deleted = await client.send(
      new DeleteItemCommand({
        TableName: TABLE,
        Key: marshall({ pk: 'listener#1' }),
        ReturnValues: 'ALL_OLD',
      }),
    );
    const gone = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: marshall({ pk: 'listener#1' }) }),
    );

    // Assess
    expect(unmarshall(got.Item ?? {})).toEqual(state);
    expect(unmarshall(updated.Attributes ?? {})).toEqual({
      pk: 'listener#1',
      weights: { blue: 100, green: 50 },
      version: 2,
    });
    expect(unmarshall(projected.Item ?? {})).toEqual({ weights: { green: 50 }, version: 2 });
    expect(unmarshall(deleted.Attributes ?? {})).toMatchObject({ version: 2 });
    expect(gone.Item).toBeUndefined();
    expect(model.items(TABLE)).toEqual([]);
  });

  it('returns ALL_OLD, UPDATED_OLD and UPDATED_NEW as asked; nothing by default', async () => {
    // Prepare
    const { client, model } = setup();
    model.setItem(TABLE, marshall({ pk: 'k', a: 1, b: 2 }));
    const update = (ReturnValues?: ddbSdk.ReturnValue) =>
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: marshall({ pk: 'k' }),
          UpdateExpression: 'ADD a :one',
          ExpressionAttributeValues: marshall({ ':one': 1 }),
          ReturnValues,
        }),
      );

    // Act
    const none = await update();
    const old = await update('UPDATED_OLD');
    const fresh = await update('UPDATED_NEW');
    const allOld = await update('ALL_OLD');
    const put = await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: marshall({ pk: 'k' }),
        ReturnValues: 'ALL_OLD',
      }),
    );
    const putNew = await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: marshall({ pk: 'new' }),
        ReturnValues: 'ALL_OLD',
      }),
    );
    const noTouch = await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: marshall({ pk: 'bare' }),
        ReturnValues: 'UPDATED_NEW',
      }),
    );

    // Assess
    expect(none.Attributes).toBeUndefined();
    expect(unmarshall(old.Attributes ?? {})).toEqual({ a: 2 });
    expect(unmarshall(fresh.Attributes ?? {})).toEqual({ a: 4 });
    expect(unmarshall(allOld.Attributes ?? {})).toEqual({ pk: 'k', a: 4, b: 2 });
    expect(unmarshall(put.Attributes ?? {})).toEqual({ pk: 'k', a: 5, b: 2 });
    expect(putNew.Attributes).toBeUndefined();
    expect(noTouch.Attributes).toBeUndefined();
    expect(model.item(TABLE, marshall({ pk: 'bare' }))).toEqual({ pk: { S: 'bare' } });
  });

  it('answers ConditionalCheckFailedException (HTTP 400), with the item when asked', async () => {
    // Prepare
    const { client, model } = setup();
    model.setItem(TABLE, marshall({ pk: 'k', version: 3 }));

    // Act
    const plain = await failure(
      client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: marshall({ pk: 'k' }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    const withItem = await failure(
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: marshall({ pk: 'k' }),
          UpdateExpression: 'SET version = :n',
          ConditionExpression: 'version = :old',
          ExpressionAttributeValues: marshall({ ':n': 5, ':old': 4 }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    const onDelete = await failure(
      client.send(
        new DeleteItemCommand({
          TableName: TABLE,
          Key: marshall({ pk: 'k' }),
          ConditionExpression: 'attribute_not_exists(version)',
        }),
      ),
    );

    // Assess
    for (const error of [plain, withItem, onDelete]) {
      expect(error).toBeInstanceOf(ConditionalCheckFailedException);
      expect(error).toMatchObject({
        message: 'The conditional request failed',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    }
    expect((plain as ConditionalCheckFailedException).Item).toBeUndefined();
    expect(unmarshall((withItem as ConditionalCheckFailedException).Item ?? {})).toEqual({
      pk: 'k',
      version: 3,
    });
    expect(unmarshall(model.item(TABLE, marshall({ pk: 'k' })) ?? {})).toEqual({
      pk: 'k',
      version: 3,
    });
  });

  it('stores numbers canonically and exactly', async () => {
    const { client } = setup();
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: 'n' },
          a: { N: '001.50' },
          big: { N: '99999999999999999999999999999999999999' },
          set: { NS: ['1.0', '2'] },
        },
      }),
    );
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: 'n' } },
        UpdateExpression: 'ADD big :one',
        ExpressionAttributeValues: { ':one': { N: '-1' } },
      }),
    );
    const got = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'n' } } }),
    );
    expect(got.Item).toMatchObject({
      a: { N: '1.5' },
      big: { N: '99999999999999999999999999999999999998' },
      set: { NS: ['1', '2'] },
    });
  });
});

describe('simulation: DynamoDB validation', () => {
  it.each([
    [
      'an unknown table',
      { TableName: 'nope' },
      'ResourceNotFoundException',
      /Requested resource not found/,
    ],
    ['a short table name', { TableName: 'ab' }, 'ValidationException', /TableName/],
    ['no table name', { TableName: undefined }, 'ValidationException', /tableName/],
    ['no item', { Item: undefined }, 'ValidationException', /item/],
    [
      'no partition key',
      { Item: marshall({ other: 1 }) },
      'ValidationException',
      /Missing the key pk in the item/,
    ],
    [
      'a key of the wrong type',
      { Item: { pk: { N: '1' } } },
      'ValidationException',
      /Type mismatch for key pk expected: S actual: N/,
    ],
    [
      'an empty string key',
      { Item: { pk: { S: '' } } },
      'ValidationException',
      /cannot contain an empty string value. Key: pk/,
    ],
    [
      'a key over 2048 bytes',
      { Item: { pk: { S: 'k'.repeat(2_049) } } },
      'ValidationException',
      /2048/,
    ],
    [
      'a value with two types',
      { Item: { pk: { S: 'k' }, x: { S: 'a', N: '1' } } },
      'ValidationException',
      /more than one datatypes/,
    ],
    [
      'an empty value',
      { Item: { pk: { S: 'k' }, x: {} } },
      'ValidationException',
      /AttributeValue is empty/,
    ],
    [
      'a bad number',
      { Item: { pk: { S: 'k' }, x: { N: '1e' } } },
      'ValidationException',
      /cannot be converted to a numeric value: 1e/,
    ],
    [
      '39 digits',
      { Item: { pk: { S: 'k' }, x: { N: '1'.repeat(39) } } },
      'ValidationException',
      /38 significant digits/,
    ],
    [
      'a huge number',
      { Item: { pk: { S: 'k' }, x: { N: '1e126' } } },
      'ValidationException',
      /Number overflow/,
    ],
    [
      'a tiny number',
      { Item: { pk: { S: 'k' }, x: { N: '1e-131' } } },
      'ValidationException',
      /Number underflow/,
    ],
    [
      'an empty set',
      { Item: { pk: { S: 'k' }, x: { SS: [] } } },
      'ValidationException',
      /string set {2}may not be empty/,
    ],
    [
      'a set with duplicates',
      { Item: { pk: { S: 'k' }, x: { NS: ['1', '1.0'] } } },
      'ValidationException',
      /contains duplicates/,
    ],
    [
      'NULL false',
      { Item: { pk: { S: 'k' }, x: { NULL: false } } },
      'ValidationException',
      /Null attribute value types must have the value of true/,
    ],
    [
      'an empty attribute name',
      { Item: { pk: { S: 'k' }, '': { S: 'x' } } },
      'ValidationException',
      /empty attribute name/,
    ],
    [
      'an item over 400 KB',
      { Item: { pk: { S: 'k' }, payload: { S: 'x'.repeat(409_600) } } },
      'ValidationException',
      /Item size has exceeded the maximum allowed size/,
    ],
    [
      'ReturnValues ALL_NEW on PutItem',
      { ReturnValues: 'ALL_NEW' },
      'ValidationException',
      /ReturnValues can only be NONE, ALL_OLD/,
    ],
    [
      'values without an expression',
      { ExpressionAttributeValues: marshall({ ':v': 1 }) },
      'ValidationException',
      /ExpressionAttributeValues can only be specified when using expressions/,
    ],
    [
      'names without an expression',
      { ExpressionAttributeNames: { '#n': 'n' } },
      'ValidationException',
      /ExpressionAttributeNames can only be specified when using expressions/,
    ],
    [
      'an unused value',
      {
        ConditionExpression: 'attribute_not_exists(pk)',
        ExpressionAttributeValues: marshall({ ':v': 1 }),
      },
      'ValidationException',
      /unused in expressions: keys: \{:v\}/,
    ],
    [
      'a missing value',
      { ConditionExpression: 'pk = :v' },
      'ValidationException',
      /attribute value: :v/,
    ],
    [
      'a reserved word',
      { ConditionExpression: 'attribute_not_exists(status)' },
      'ValidationException',
      /reserved keyword; reserved keyword: status/,
    ],
  ])('refuses PutItem with %s', async (_name, overrides, name, message) => {
    const { client } = setup();
    const error = await failure(
      client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { pk: { S: 'k' } },
          ...overrides,
        } as ddbSdk.PutItemCommandInput),
      ),
    );
    expect(error).toMatchObject({ name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
    expect(error.message).toMatch(message);
  });

  it.each([
    [
      'a key with an extra attribute',
      { Key: { pk: { S: 'k' }, x: { S: 'y' } } },
      /provided key element does not match the schema/,
    ],
    [
      'a key without the sort key',
      { TableName: 'events', Key: { topic: { S: 's' } } },
      /does not match the schema/,
    ],
    ['no key', { Key: undefined }, /key/],
    [
      'an update of the key',
      { UpdateExpression: 'SET pk = :v', ExpressionAttributeValues: marshall({ ':v': 'x' }) },
      /Cannot update attribute pk/,
    ],
    [
      'ReturnValues UPDATED_SOMETHING',
      { ReturnValues: 'UPDATED_SOMETHING' },
      /ReturnValues can only be/,
    ],
    [
      'ReturnValuesOnConditionCheckFailure ALL_NEW',
      { ReturnValuesOnConditionCheckFailure: 'ALL_NEW' },
      /ReturnValuesOnConditionCheckFailure/,
    ],
    [
      'an update past 400 KB',
      {
        UpdateExpression: 'SET payload = :v',
        ExpressionAttributeValues: marshall({ ':v': 'x'.repeat(409_600) }),
      },
      /Item size to update has exceeded/,
    ],
  ])('refuses UpdateItem with %s', async (_name, overrides, message) => {
    const { client } = setup();
    const error = await failure(
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: { pk: { S: 'k' } },
          ...overrides,
        } as ddbSdk.UpdateItemCommandInput),
      ),
    );
    expect(error).toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(error.message).toMatch(message);
  });

  it('refuses legacy parameters and unsupported features as scenario errors', async () => {
    const { client } = setup();
    await expect(
      client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { pk: { S: 'k' } },
          Expected: { pk: { Exists: false } },
        }),
      ),
    ).rejects.toThrow(SimulationConfigError);
    await expect(
      client.send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: 'gsi',
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': { S: 'k' } },
        }),
      ),
    ).rejects.toThrow(/secondary index/);
    await expect(
      client.send(
        new GetItemCommand({
          TableName: TABLE,
          Key: { pk: { S: 'k' } },
          ProjectionExpression: 'entries[0]',
        }),
      ),
    ).rejects.toThrow(/list indexes/);
    await expect(
      client.send(
        new GetItemCommand({
          TableName: TABLE,
          Key: { pk: { S: 'k' } },
          ExpressionAttributeNames: { '#a': 'a' },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('accepts a table ARN and refuses an ARN of another account', async () => {
    const { client } = setup();
    const arn = `arn:aws:dynamodb:us-east-1:123456789012:table/${TABLE}`;
    await client.send(new PutItemCommand({ TableName: arn, Item: { pk: { S: 'k' } } }));
    const error = await failure(
      client.send(
        new GetItemCommand({
          TableName: arn.replace('123456789012', '999999999999'),
          Key: { pk: { S: 'k' } },
        }),
      ),
    );
    expect(error).toBeInstanceOf(ddbSdk.ResourceNotFoundException);
  });

  it('refuses bad tables and setup calls with a clear message', () => {
    const { model } = setup();
    const clock = VirtualClock.create();
    expect(() => model.createTable({ name: 'x', partitionKey: { name: 'pk', type: 'S' } })).toThrow(
      /not a table name/,
    );
    expect(() =>
      model.createTable({ name: TABLE, partitionKey: { name: 'pk', type: 'S' } }),
    ).toThrow(/exists/);
    expect(() =>
      model.createTable({
        name: 'same',
        partitionKey: { name: 'k', type: 'S' },
        sortKey: { name: 'k', type: 'N' },
      }),
    ).toThrow(/must differ/);
    expect(() =>
      model.createTable({ name: 'typed', partitionKey: { name: 'k', type: 'BOOL' as 'S' } }),
    ).toThrow(/S, N or B/);
    expect(() =>
      model.createTable({
        name: 'ttl-bad',
        partitionKey: { name: 'k', type: 'S' },
        ttl: { attributeName: 't', deletionDelayMs: -1 },
      }),
    ).toThrow(/deletionDelayMs/);
    expect(() => model.items('nope')).toThrow(SimulationConfigError);
    expect(() => new DynamoDbModel({ clock, latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => new DynamoDbModel({ clock, accountId: 'x' })).toThrow(/12 digits/);
  });
});

describe('simulation: DynamoDB Query', () => {
  function seeded() {
    const env = setup();
    for (let seq = 1; seq <= 5; seq++) {
      env.model.setItem(
        'events',
        marshall({ topic: 'a', seq, kind: seq % 2 === 0 ? 'even' : 'odd', tag: `t${seq}` }),
      );
    }
    env.model.setItem('events', marshall({ topic: 'b', seq: 1, kind: 'odd' }));
    return env;
  }
  const query = (input: Partial<QueryCommandInput>): QueryCommandInput => ({
    TableName: 'events',
    KeyConditionExpression: 'topic = :s',
    ExpressionAttributeValues: marshall({ ':s': 'a' }),
    ...input,
  });
  const seqs = (output: ddbSdk.QueryCommandOutput) =>
    (output.Items ?? []).map((item) => Number(item.seq.N));

  it('queries a partition in sort key order, both directions, with sort key conditions and filters', async () => {
    const { client } = seeded();
    expect(seqs(await client.send(new QueryCommand(query({}))))).toEqual([1, 2, 3, 4, 5]);
    expect(seqs(await client.send(new QueryCommand(query({ ScanIndexForward: false }))))).toEqual([
      5, 4, 3, 2, 1,
    ]);
    expect(
      seqs(
        await client.send(
          new QueryCommand(
            query({
              KeyConditionExpression: 'topic = :s AND seq BETWEEN :a AND :b',
              ExpressionAttributeValues: marshall({ ':s': 'a', ':a': 2, ':b': 4 }),
            }),
          ),
        ),
      ),
    ).toEqual([2, 3, 4]);
    expect(
      seqs(
        await client.send(
          new QueryCommand(
            query({
              KeyConditionExpression: 'seq > :a AND topic = :s',
              ExpressionAttributeValues: marshall({ ':s': 'a', ':a': 3 }),
            }),
          ),
        ),
      ),
    ).toEqual([4, 5]);
    const filtered = await client.send(
      new QueryCommand(
        query({
          FilterExpression: 'kind = :k',
          ExpressionAttributeValues: marshall({ ':s': 'a', ':k': 'even' }),
          ProjectionExpression: 'seq',
        }),
      ),
    );
    expect(filtered).toMatchObject({
      Count: 2,
      ScannedCount: 5,
      Items: [{ seq: { N: '2' } }, { seq: { N: '4' } }],
    });
    const counted = await client.send(new QueryCommand(query({ Select: 'COUNT' })));
    expect(counted).toMatchObject({ Count: 5 });
    expect(counted.Items).toBeUndefined();
  });

  it('queries begins_with on a string sort key', async () => {
    const { client, model } = setup();
    model.createTable({
      name: 'docs',
      partitionKey: { name: 'p', type: 'S' },
      sortKey: { name: 's', type: 'S' },
    });
    for (const s of ['order#1', 'order#2', 'user#1'])
      model.setItem('docs', marshall({ p: 'x', s }));
    const output = await client.send(
      new QueryCommand({
        TableName: 'docs',
        KeyConditionExpression: 'p = :p AND begins_with(s, :o)',
        ExpressionAttributeValues: marshall({ ':p': 'x', ':o': 'order#' }),
      }),
    );
    expect(output.Items?.map((item) => item.s.S)).toEqual(['order#1', 'order#2']);
  });

  it('pages with Limit, LastEvaluatedKey and ExclusiveStartKey', async () => {
    const { client } = seeded();
    const first = await client.send(new QueryCommand(query({ Limit: 2 })));
    const second = await client.send(
      new QueryCommand(query({ Limit: 2, ExclusiveStartKey: first.LastEvaluatedKey })),
    );
    const last = await client.send(
      new QueryCommand(query({ Limit: 2, ExclusiveStartKey: second.LastEvaluatedKey })),
    );
    expect([seqs(first), seqs(second), seqs(last)]).toEqual([[1, 2], [3, 4], [5]]);
    expect(first.LastEvaluatedKey).toEqual(marshall({ topic: 'a', seq: 2 }));
    expect(last.LastEvaluatedKey).toBeUndefined();
  });

  it.each([
    [
      'no key condition',
      { KeyConditionExpression: undefined, ExpressionAttributeValues: undefined },
      /KeyConditionExpression parameter must be specified/,
    ],
    [
      'no partition key',
      { KeyConditionExpression: 'seq = :s', ExpressionAttributeValues: marshall({ ':s': 1 }) },
      /missed key schema element: topic/,
    ],
    [
      'an OR',
      {
        KeyConditionExpression: 'topic = :s OR topic = :t',
        ExpressionAttributeValues: marshall({ ':s': 'a', ':t': 'b' }),
      },
      /Invalid operator used in KeyConditionExpression: OR/,
    ],
    [
      'a non-key attribute',
      {
        KeyConditionExpression: 'topic = :s AND kind = :k',
        ExpressionAttributeValues: marshall({ ':s': 'a', ':k': 'x' }),
      },
      /Query key condition not supported/,
    ],
    [
      'a <> on the sort key',
      {
        KeyConditionExpression: 'topic = :s AND seq <> :k',
        ExpressionAttributeValues: marshall({ ':s': 'a', ':k': 1 }),
      },
      /not supported/,
    ],
    ['a range on the partition key', { KeyConditionExpression: 'topic > :s' }, /not supported/],
    [
      'three conditions',
      {
        KeyConditionExpression: 'topic = :s AND seq > :a AND seq < :b',
        ExpressionAttributeValues: marshall({ ':s': 'a', ':a': 1, ':b': 3 }),
      },
      /Invalid operator used in KeyConditionExpression: AND/,
    ],
    [
      'a filter on a key',
      { FilterExpression: 'seq > :a', ExpressionAttributeValues: marshall({ ':s': 'a', ':a': 1 }) },
      /Filter Expression can only contain non-primary key attributes: Primary key attribute: seq/,
    ],
    ['Limit 0', { Limit: 0 }, /limit/],
  ])('refuses a query with %s', async (_name, overrides, message) => {
    const { client } = seeded();
    const error = await failure(client.send(new QueryCommand(query(overrides))));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(message);
  });
});

describe('simulation: DynamoDB edge cases', () => {
  it('keys tables by binary and number attributes', async () => {
    // Prepare
    const { client, model } = setup();
    model.createTable({
      name: 'blobs',
      partitionKey: { name: 'id', type: 'B' },
      sortKey: { name: 'n', type: 'N' },
    });
    const id = new Uint8Array([0, 255]);

    // Act
    await client.send(
      new PutItemCommand({
        TableName: 'blobs',
        Item: { id: { B: id }, n: { N: '2' }, v: { S: 'x' } },
      }),
    );
    await client.send(
      new PutItemCommand({ TableName: 'blobs', Item: { id: { B: id }, n: { N: '1' } } }),
    );
    const got = await client.send(
      new GetItemCommand({ TableName: 'blobs', Key: { id: { B: id }, n: { N: '2.0' } } }),
    );
    const emptyKey = await failure(
      client.send(
        new PutItemCommand({
          TableName: 'blobs',
          Item: { id: { B: new Uint8Array() }, n: { N: '1' } },
        }),
      ),
    );

    // Assess
    expect(got.Item?.v).toEqual({ S: 'x' });
    expect(model.items('blobs').map((item) => item.n.N)).toEqual(['1', '2']);
    expect(emptyKey.message).toMatch(/empty binary value/);
  });

  it('deletes a missing item quietly and returns nothing for it', async () => {
    const { client, model } = setup();
    const deleted = await client.send(
      new DeleteItemCommand({
        TableName: TABLE,
        Key: { pk: { S: 'none' } },
        ReturnValues: 'ALL_OLD',
      }),
    );
    expect(deleted.Attributes).toBeUndefined();
    expect(model.item(TABLE, { pk: { S: 'none' } })).toBeUndefined();
  });

  it('finds key attributes anywhere in a compound filter', async () => {
    const { client, model } = setup();
    model.setItem('events', marshall({ topic: 'a', seq: 1, kind: 'odd', tag: 't1' }));
    const input = (FilterExpression: string, values: Record<string, unknown>) =>
      new QueryCommand({
        TableName: 'events',
        KeyConditionExpression: 'topic = :s',
        FilterExpression,
        ExpressionAttributeValues: marshall({ ':s': 'a', ...values }),
      });
    for (const filter of [
      'kind = :k OR NOT (seq IN (:n))',
      'NOT kind = :k AND seq BETWEEN :n AND :n',
      'contains(seq, :n) AND kind = :k',
    ]) {
      const error = await failure(client.send(input(filter, { ':k': 'odd', ':n': 1 })));
      expect(error.message).toMatch(/Primary key attribute: seq/);
    }
    const ok = await client.send(
      input('kind IN (:k) AND (size(tag) > :n OR NOT attribute_exists(tag))', {
        ':k': 'odd',
        ':n': 1,
      }),
    );
    expect(ok.Count).toBe(1);
  });

  it('starts after an unknown ExclusiveStartKey from the beginning', async () => {
    const { client, model } = setup();
    model.setItem('events', marshall({ topic: 'a', seq: 1 }));
    const output = await client.send(
      new QueryCommand({
        TableName: 'events',
        KeyConditionExpression: 'topic = :s',
        ExpressionAttributeValues: marshall({ ':s': 'a' }),
        ExclusiveStartKey: marshall({ topic: 'zzz', seq: 9 }),
      }),
    );
    expect(output.Count).toBe(1);
  });

  it('refuses Select values it does not model and takes a RandomSource', async () => {
    const clock = VirtualClock.create({ start: START });
    let draws = 0;
    const model = new DynamoDbModel({
      clock,
      latencyJitterMs: 10,
      random: () => ((draws += 1), 0.5),
    });
    model.createTable({ name: TABLE, partitionKey: { name: 'pk', type: 'S' } });
    const client = createSimulatedClient(DynamoDBClient, {}, model, { exceptions: ddbSdk });
    await clock.run(() =>
      client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'k' } } })),
    );
    expect(draws).toBe(1);
    expect(clock.now() - START).toBe(5);
    await expect(
      clock.run(() =>
        client.send(
          new QueryCommand({
            TableName: TABLE,
            KeyConditionExpression: 'pk = :p',
            ExpressionAttributeValues: { ':p': { S: 'k' } },
            Select: 'SPECIFIC_ATTRIBUTES',
          }),
        ),
      ),
    ).rejects.toThrow(/Select SPECIFIC_ATTRIBUTES/);
  });
});

describe('simulation: DynamoDB time: TTL, latency, races and eventual consistency', () => {
  it('hides items once their TTL passes (after the configured deletion delay)', async () => {
    // Prepare
    const { clock, client, model } = setup();
    model.createTable({
      name: 'sessions',
      partitionKey: { name: 'id', type: 'S' },
      ttl: { attributeName: 'expiresAt', deletionDelayMs: 60_000 },
    });
    const expiresAt = START / 1000 + 10;
    model.setItem('sessions', marshall({ id: 's1', expiresAt }));
    model.setItem('sessions', marshall({ id: 's2', expiresAt: 'not a number' }));
    const get = () =>
      client.send(new GetItemCommand({ TableName: 'sessions', Key: marshall({ id: 's1' }) }));

    // Act
    await clock.advance(10_000);
    const expiredButPresent = await get();
    await clock.advance(60_000);
    const deleted = await get();
    const conditional = await client.send(
      new PutItemCommand({
        TableName: 'sessions',
        Item: marshall({ id: 's1' }),
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );

    // Assess
    expect(expiredButPresent.Item).toBeDefined();
    expect(deleted.Item).toBeUndefined();
    expect(conditional.$metadata.httpStatusCode).toBe(200);
    expect(model.items('sessions').map((item) => item.id.S)).toEqual(['s1', 's2']);
  });

  it('lets exactly one of two concurrent conditional writes win', async () => {
    // Prepare
    const { clock, client } = setup({ latencyMs: 10 });
    const claim = (owner: string) =>
      client
        .send(
          new PutItemCommand({
            TableName: TABLE,
            Item: marshall({ pk: 'lock', holder: owner }),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .then(
          () => 'won',
          (error: unknown) => (error instanceof ConditionalCheckFailedException ? 'lost' : 'other'),
        );

    // Act
    const outcomes = await clock.run(() => Promise.all([claim('a'), claim('b')]));

    // Assess
    expect(outcomes.sort()).toEqual(['lost', 'won']);
    expect(clock.now() - START).toBe(10);
  });

  it('keeps exactly one winner among many concurrent optimistic updates, whatever the jitter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 8 }), fc.integer(), async (writers, seed) => {
        const { clock, client, model } = setup({ latencyMs: 5, latencyJitterMs: 20, random: seed });
        model.setItem(TABLE, marshall({ pk: 'state', version: 1 }));
        const bump = (writer: number) =>
          client
            .send(
              new UpdateItemCommand({
                TableName: TABLE,
                Key: marshall({ pk: 'state' }),
                UpdateExpression: 'SET version = :next, writer = :w',
                ConditionExpression: 'version = :seen',
                ExpressionAttributeValues: marshall({ ':next': 2, ':seen': 1, ':w': writer }),
              }),
            )
            .then(
              () => true,
              (error: unknown) => {
                if (!(error instanceof ConditionalCheckFailedException)) throw error;
                return false;
              },
            );
        const results = await clock.run(() =>
          Promise.all(Array.from({ length: writers }, (_, i) => bump(i))),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const stored = unmarshall(model.item(TABLE, marshall({ pk: 'state' })) ?? {});
        expect(stored.version).toBe(2);
        expect(results[stored.writer as number]).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('serves stale eventually consistent reads within the lag, fresh consistent ones', async () => {
    // Prepare
    const { clock, client, model } = setup({ eventualConsistencyLagMs: 1_000 });
    model.setItem(TABLE, marshall({ pk: 'k', v: 1 }));
    await clock.advance(5_000);
    await client.send(new PutItemCommand({ TableName: TABLE, Item: marshall({ pk: 'k', v: 2 }) }));
    await client.send(
      new PutItemCommand({ TableName: TABLE, Item: marshall({ pk: 'new', v: 1 }) }),
    );
    const read = async (pk: string, ConsistentRead?: boolean) =>
      (
        await client.send(
          new GetItemCommand({ TableName: TABLE, Key: marshall({ pk }), ConsistentRead }),
        )
      ).Item;

    // Act
    const stale = await read('k');
    const consistent = await read('k', true);
    const notYet = await read('new');
    const staleQuery = await client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: marshall({ ':p': 'k' }),
      }),
    );
    await clock.advance(1_000);
    const caughtUp = await read('k');

    // Assess
    expect(stale?.v).toEqual({ N: '1' });
    expect(consistent?.v).toEqual({ N: '2' });
    expect(notYet).toBeUndefined();
    expect(staleQuery.Items?.[0].v).toEqual({ N: '1' });
    expect(caughtUp?.v).toEqual({ N: '2' });
  });

  it('fails SDK calls on demand through the throttling model', async () => {
    const { model } = setup();
    model.failNext(1, { name: 'ProvisionedThroughputExceededException', httpStatusCode: 400 });
    const client = createSimulatedClient(DynamoDBClient, { maxAttempts: 1 }, model, {
      exceptions: ddbSdk,
    });
    const error = await failure(
      client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'k' } } })),
    );
    expect(error).toBeInstanceOf(ddbSdk.ProvisionedThroughputExceededException);
    expect(model.stats().total.faulted).toBe(1);
  });
});

describe('simulation: DynamoDB values', () => {
  it('parses, normalises, adds and formats decimals exactly', () => {
    const parse = (text: string) => parseDecimal(text) ?? { coefficient: 0n, exponent: 0 };
    expect(formatDecimal(parse('0012.3400'))).toBe('12.34');
    expect(formatDecimal(parse('-1.5e3'))).toBe('-1500');
    expect(formatDecimal(parse('.5'))).toBe('0.5');
    expect(formatDecimal(parse('5e-3'))).toBe('0.005');
    expect(formatDecimal(parse('-0.0'))).toBe('0');
    expect(formatDecimal(addDecimals(parse('0.1'), parse('0.2')))).toBe('0.3');
    expect(formatDecimal(addDecimals(parse('1'), parse('1'), -1))).toBe('0');
    expect(parseDecimal('abc')).toBeUndefined();
    expect(parseDecimal('.')).toBeUndefined();
  });

  it('sizes items as DynamoDB counts them', () => {
    expect(itemSize({ ab: { S: 'héllo' } })).toBe(2 + 6);
    expect(valueSize({ N: '12345' })).toBe(4);
    expect(valueSize({ BOOL: true }) + valueSize({ NULL: true })).toBe(2);
    expect(valueSize({ SS: ['a', 'bc'] })).toBe(3);
    expect(valueSize({ NS: ['1', '22'] })).toBe(4);
    expect(valueSize({ BS: [new Uint8Array(3)] })).toBe(3);
    expect(valueSize({ B: new Uint8Array(7) })).toBe(7);
    expect(valueSize({ L: [{ S: 'a' }, { N: '1' }] })).toBe(3 + 2 + 3);
    expect(valueSize({ M: { k: { S: 'v' } } })).toBe(3 + 1 + 1 + 1);
  });

  it('refuses malformed attribute values', () => {
    expect(() => checkAttributeValue('x')).toThrow(/not an object/);
    expect(() => checkAttributeValue({ S: 1 })).toThrow(/S must be a string/);
    expect(() => checkAttributeValue({ N: 1 })).toThrow(/N must be a string/);
    expect(() => checkAttributeValue({ B: 'x' })).toThrow(/B must be binary/);
    expect(() => checkAttributeValue({ BOOL: 'yes' })).toThrow(/BOOL/);
    expect(() => checkAttributeValue({ L: 'x' })).toThrow(/L must be a list/);
    expect(() => checkAttributeValue({ M: [] })).toThrow(/M must be a map/);
    expect(() => checkAttributeValue({ SS: 'x' })).toThrow(/SS must be a list/);
    expect(() => checkAttributeValue({ SS: [1] })).toThrow(/SS elements/);
    expect(() => checkAttributeValue({ NS: [1] })).toThrow(/NS elements/);
    expect(() => checkAttributeValue({ BS: ['x'] })).toThrow(/BS elements/);
    expect(() => checkAttributeValue({ BS: [new Uint8Array([1]), new Uint8Array([1])] })).toThrow(
      /duplicates/,
    );
    let deep: unknown = { S: 'x' };
    for (let i = 0; i < 33; i++) deep = { L: [deep] };
    expect(() => checkAttributeValue(deep)).toThrow(/Nesting Levels/);
  });
});
