import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ProvisionedThroughputExceededException,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ControllerInputError,
  LoadSheddingError,
  StateConflictError,
  StateCorruptError,
} from '../../src/load-shedding/errors.js';
import type { LoadSheddingState } from '../../src/load-shedding/state.js';
import { LoadSheddingStateStore, SAVE_CONDITION } from '../../src/load-shedding/state-store.js';

const TABLE = 'load-shedding-state';
const P =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/primary/0123456789abcdef';
const SPARE =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/spare/0123456789abcdef';
const RULE =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/alb/0123456789abcdef/1111111111111111/2222222222222222';
const T0 = Date.UTC(2025, 0, 1);

const shedding = (version: number): LoadSheddingState => ({
  primaryTargetGroupArn: P,
  version,
  updatedAt: T0,
  lastAlarmEventAt: T0 - 1000,
  lastStepAt: T0,
  rules: [
    {
      ruleArn: RULE,
      baseline: [
        { targetGroupArn: P, weight: 80 },
        { targetGroupArn: SPARE, weight: 20 },
      ],
      lastWritten: [
        { targetGroupArn: P, weight: 70 },
        { targetGroupArn: SPARE, weight: 30 },
      ],
      beforeLastWrite: [
        { targetGroupArn: P, weight: 80 },
        { targetGroupArn: SPARE, weight: 20 },
      ],
    },
  ],
  status: 'shedding',
  chainId: 'chain-1',
  chainStartedAt: T0,
  pendingCheck: { checkId: 'check-1', dueAt: T0 + 60_000, reason: 'shed' },
  insufficientDataChecks: 0,
});

const idle = (version: number): LoadSheddingState => ({
  primaryTargetGroupArn: P,
  version,
  updatedAt: T0,
  rules: [],
  status: 'idle',
  expiresAt: 1_738_000_000,
});

const itemOf = (state: LoadSheddingState): Record<string, AttributeValue> =>
  marshall({ ...state, pk: state.primaryTargetGroupArn }, { removeUndefinedValues: true });

const ddb = mockClient(DynamoDBClient);
const store = () =>
  new LoadSheddingStateStore({ client: new DynamoDBClient({}), tableName: TABLE });

beforeEach(() => {
  ddb.reset();
  ddb.rejects(new Error('unexpected call')); // strict: only the stubs below answer
});
afterEach(() => ddb.reset());

describe('state store: load', () => {
  const getInput = { TableName: TABLE, Key: { pk: { S: P } }, ConsistentRead: true };

  it('returns undefined when there is no item', async () => {
    ddb.on(GetItemCommand, getInput, true).resolves({});

    await expect(store().load(P)).resolves.toBeUndefined();
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(GetItemCommand, getInput);
  });

  it.each([
    ['an active', shedding(4)],
    ['an idle', idle(9)],
  ])('reads %s state with a consistent read', async (_, state) => {
    ddb.on(GetItemCommand, getInput, true).resolves({ Item: itemOf(state) });

    await expect(store().load(P)).resolves.toEqual(state);
  });

  it.each([
    ['a version that is not a number', { version: 'x' }, 'version'],
    ['an unknown status', { status: 'paused' }, 'status'],
    ['an active chain without a pending check', { pendingCheck: undefined }, 'pendingCheck'],
    [
      'a weight out of range',
      { rules: [{ ...shedding(1).rules[0], baseline: [{ targetGroupArn: P, weight: 1000 }] }] },
      'rules.0.baseline.0.weight',
    ],
  ])('refuses an item with %s, naming the attribute', async (_, change, path) => {
    const item = itemOf({ ...shedding(1), ...change } as LoadSheddingState);
    ddb.on(GetItemCommand, getInput, true).resolves({ Item: item });

    const error = await store()
      .load(P)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StateCorruptError);
    expect(error).toBeInstanceOf(LoadSheddingError);
    expect((error as Error).message).toContain(`'${P}' in table '${TABLE}' is invalid: ${path}`);
    expect(error).toMatchObject({
      name: 'StateCorruptError',
      tableName: TABLE,
      primaryTargetGroupArn: P,
    });
  });

  it('refuses an item whose primary does not match its key', async () => {
    const item = { ...itemOf(shedding(1)), primaryTargetGroupArn: { S: SPARE } };
    ddb.on(GetItemCommand, getInput, true).resolves({ Item: item });

    await expect(store().load(P)).rejects.toThrow(/key and primaryTargetGroupArn must both be/);
  });

  it('refuses an item DynamoDB types cannot be read from', async () => {
    const item = { ...itemOf(shedding(1)), version: {} as AttributeValue };
    ddb.on(GetItemCommand, getInput, true).resolves({ Item: item });

    await expect(store().load(P)).rejects.toThrow(/cannot be unmarshalled/);
  });

  it('passes other errors through unchanged', async () => {
    const throttled = new ProvisionedThroughputExceededException({
      message: 'slow down',
      $metadata: {},
    });
    ddb.on(GetItemCommand, getInput, true).rejects(throttled);

    await expect(store().load(P)).rejects.toBe(throttled);
  });
});

describe('state store: save', () => {
  const putInput = (state: LoadSheddingState, expected: number) => ({
    TableName: TABLE,
    Item: itemOf(state),
    ConditionExpression: 'attribute_not_exists(#pk) OR #version = :expected',
    ExpressionAttributeNames: { '#pk': 'pk', '#version': 'version' },
    ExpressionAttributeValues: { ':expected': { N: String(expected) } },
  });

  it.each([
    ['the first state (no item yet)', shedding(1), 0],
    ['a later state', idle(5), 4],
  ])('puts %s conditional on the loaded version', async (_, state, expected) => {
    ddb.on(PutItemCommand, putInput(state, expected), true).resolves({});

    await store().save(state, expected);

    expect(ddb).toHaveReceivedCommandExactlyOnceWith(PutItemCommand, putInput(state, expected));
    expect(SAVE_CONDITION).toBe('attribute_not_exists(#pk) OR #version = :expected');
  });

  it('maps a lost condition to StateConflictError, keeping the SDK error as cause', async () => {
    const failed = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    });
    ddb.on(PutItemCommand, putInput(shedding(3), 2), true).rejects(failed);

    const error = await store()
      .save(shedding(3), 2)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StateConflictError);
    expect(error).toMatchObject({
      name: 'StateConflictError',
      primaryTargetGroupArn: P,
      expectedVersion: 2,
      cause: failed,
    });
    expect((error as Error).message).toContain('no longer at version 2');
  });

  it('recognises the condition failure by name, as a plain error from a wrapper', async () => {
    const plain = Object.assign(new Error('conditional request failed'), {
      name: 'ConditionalCheckFailedException',
    });
    ddb.on(PutItemCommand, putInput(shedding(3), 2), true).rejects(plain);

    await expect(store().save(shedding(3), 2)).rejects.toBeInstanceOf(StateConflictError);
  });

  it('passes other errors through unchanged', async () => {
    const throttled = new ProvisionedThroughputExceededException({
      message: 'slow down',
      $metadata: {},
    });
    ddb.on(PutItemCommand, putInput(shedding(3), 2), true).rejects(throttled);

    await expect(store().save(shedding(3), 2)).rejects.toBe(throttled);
  });

  it.each([
    [
      'a version that does not follow the expected one',
      shedding(5),
      3,
      /must be expectedVersion \+ 1 = 4/,
    ],
    [
      'a negative expected version',
      shedding(1),
      -1,
      /expectedVersion must be the version that was loaded/,
    ],
    [
      'a fractional expected version',
      shedding(1),
      0.5,
      /expectedVersion must be the version that was loaded/,
    ],
    [
      'an invalid state',
      { ...shedding(1), insufficientDataChecks: -1 },
      0,
      /Refusing to save an invalid state: insufficientDataChecks/,
    ],
  ])('refuses %s without calling DynamoDB', async (_, state, expected, message) => {
    await expect(store().save(state, expected)).rejects.toThrow(message);
    await expect(store().save(state, expected)).rejects.toBeInstanceOf(ControllerInputError);
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});

describe('state store: round trip', () => {
  it('loads back exactly what it saved', async () => {
    const groupsArb = fc.uniqueArray(
      fc.record({
        targetGroupArn: fc.constantFrom(P, SPARE),
        weight: fc.integer({ min: 0, max: 999 }),
      }),
      { selector: (g) => g.targetGroupArn, maxLength: 2 },
    );
    const stateArb: fc.Arbitrary<LoadSheddingState> = fc.record(
      {
        primaryTargetGroupArn: fc.constant(P),
        version: fc.integer({ min: 1, max: 1_000_000 }),
        updatedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
        lastAlarmEventAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
        lastStepAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
        rules: fc.array(
          fc.record({
            ruleArn: fc.constant(RULE),
            baseline: groupsArb,
            lastWritten: groupsArb,
            beforeLastWrite: groupsArb,
          }),
          { maxLength: 2 },
        ),
        status: fc.constantFrom('shedding' as const, 'restoring' as const, 'holding' as const),
        chainId: fc.uuid(),
        chainStartedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
        pendingCheck: fc.record({
          checkId: fc.uuid(),
          dueAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
          reason: fc.constantFrom(
            'shed' as const,
            'restore' as const,
            'bake' as const,
            'wait' as const,
            'insufficient-data' as const,
          ),
        }),
        insufficientDataChecks: fc.integer({ min: 0, max: 100 }),
      },
      {
        requiredKeys: [
          'primaryTargetGroupArn',
          'version',
          'updatedAt',
          'rules',
          'status',
          'chainId',
          'chainStartedAt',
          'pendingCheck',
          'insufficientDataChecks',
        ],
      },
    );
    let stored: Record<string, AttributeValue> | undefined;
    ddb.on(PutItemCommand).callsFake((input: { Item: Record<string, AttributeValue> }) => {
      stored = input.Item;
      return {};
    });
    ddb.on(GetItemCommand).callsFake(() => ({ Item: stored }));

    await fc.assert(
      fc.asyncProperty(stateArb, async (state) => {
        await store().save(state, state.version - 1);

        await expect(store().load(P)).resolves.toEqual(state);
      }),
      { numRuns: 50 },
    );
  });
});
