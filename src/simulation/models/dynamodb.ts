import type {
  AttributeValue,
  DeleteItemCommandInput,
  DeleteItemCommandOutput,
  GetItemCommandInput,
  GetItemCommandOutput,
  PutItemCommandInput,
  PutItemCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  UpdateItemCommandInput,
  UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { RandomSource } from '../../resilience/clock.js';
import { checkNonNegative } from '../config-checks.js';
import { SimulationConfigError } from '../errors.js';
import { randomSourceOf, type Seed } from '../random.js';
import { SimulatedServiceError } from '../service-error.js';
import { OperationTable, type ModelResult } from '../service-model.js';
import { validateInput } from '../validation.js';
import { applyUpdate, evaluateCondition, updatedAttributes, valueAt } from './dynamodb-evaluate.js';
import {
  ExpressionContext,
  type Condition,
  type Operand,
  type Path,
  type UpdateActions,
} from './dynamodb-expressions.js';
import {
  MAX_ITEM_BYTES,
  checkItem,
  compareScalars,
  itemSize,
  typeOf,
  validationException,
  type Item,
} from './dynamodb-values.js';
import { ThrottledServiceModel, type CommonModelOptions } from './model-base.js';
import type { ThrottlingApiModel } from './throttling-api.js';

/**
 * An in-memory Amazon DynamoDB for the item operations the kit uses: GetItem, PutItem,
 * UpdateItem, DeleteItem and Query, with condition, update, key condition, filter and
 * projection expressions (see `dynamodb-expressions.ts`), ReturnValues,
 * ReturnValuesOnConditionCheckFailure, the 400 KB item limit, exact decimal numbers and TTL.
 *
 * Each request is validated as it arrives, then takes `latencyMs` (plus a seeded jitter) of
 * virtual time before it reaches the item, where its condition and write happen atomically.
 * So two concurrent conditional writes race as on AWS: exactly one wins, the other gets
 * `ConditionalCheckFailedException`. Eventually consistent reads may see the table as it was
 * up to `eventualConsistencyLagMs` ago (0 by default: every read is consistent).
 *
 * Errors: `ResourceNotFoundException` (unknown table), `ConditionalCheckFailedException`
 * (HTTP 400, with `Item` when asked for), and `ValidationException` (not modeled by the SDK:
 * a `DynamoDBServiceException` named so) with DynamoDB's messages.
 *
 * Simplifications: no secondary indexes, Scan, batch or transaction operations, streams,
 * capacity accounting or throttling by capacity (use `faults` / `failNext`), 1 MB query pages
 * or legacy parameters (Expected, AttributesToGet, KeyConditions); TTL deletion happens
 * `ttl.deletionDelayMs` after expiry (AWS: within days), tables are made with `createTable`.
 */

/** An item as the SDK's low-level client carries it: attribute names to AttributeValues. */
export type { Item as DynamoDbItem } from './dynamodb-values.js';

export type KeyType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

export interface TtlOptions {
  /** The attribute holding the expiry time in epoch seconds (a Number). */
  readonly attributeName: string;
  /**
   * How long after expiry the item disappears. AWS deletes expired items within a few days
   * and they stay readable until then.
   * @default 0 - gone at expiry
   */
  readonly deletionDelayMs?: number;
}

export interface CreateTableOptions {
  /** 3–255 letters, digits, `_`, `-` and `.`. */
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly ttl?: TtlOptions;
}

export interface DynamoDbModelOptions extends CommonModelOptions {
  /** Virtual time between a request's arrival and its effect. @default 0 */
  readonly latencyMs?: number;
  /** Up to this much more, drawn from `random` (so concurrent requests can reorder). @default 0 */
  readonly latencyJitterMs?: number;
  /** Eventually consistent reads see the table as of this long ago. @default 0 */
  readonly eventualConsistencyLagMs?: number;
  /** Seed or RandomSource for the jitter and the faults. @default - seeded with `name` */
  readonly random?: Seed | RandomSource;
  /** @default 'dynamodb' */
  readonly name?: string;
}

interface Version {
  readonly at: number;
  readonly item: Item | undefined;
}

interface TableState {
  readonly name: string;
  readonly arn: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute | undefined;
  readonly ttl: Required<TtlOptions> | undefined;
  readonly items: Map<string, Version[]>;
}

interface Expressions {
  readonly context: ExpressionContext;
  readonly condition: Condition | undefined;
}

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
const tableNameSchema = z.object({
  TableName: z
    .string()
    .min(1)
    .max(1024)
    .refine(
      (name) =>
        TABLE_NAME.test(name) ||
        /^arn:aws[a-z-]*:dynamodb:[^:]+:\d{12}:table\/[a-zA-Z0-9_.-]{3,255}$/.test(name),
      'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ (3 to 255 characters) or a table ARN',
    ),
});

function conditionalCheckFailed(old: Item | undefined, returnOld: boolean): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'ConditionalCheckFailedException',
    httpStatusCode: 400,
    message: 'The conditional request failed',
    fields: returnOld && old !== undefined ? { Item: structuredClone(old) } : {},
  });
}

function checkReturnValues(
  value: string | undefined,
  allowed: readonly string[],
  parameter = 'ReturnValues',
): string {
  const chosen = value ?? 'NONE';
  if (!allowed.includes(chosen)) {
    throw validationException(
      `${parameter} can only be ${allowed.join(', ')} for this operation; got ${chosen}`,
    );
  }
  return chosen;
}

/** ReturnValuesOnConditionCheckFailure, as every conditional write takes it. */
function checkOnConditionFailure(input: {
  readonly ReturnValuesOnConditionCheckFailure?: string;
}): string {
  return checkReturnValues(
    input.ReturnValuesOnConditionCheckFailure,
    ['NONE', 'ALL_OLD'],
    'ReturnValuesOnConditionCheckFailure',
  );
}

function pathsOf(condition: Condition): Path[] {
  const operandPaths = (operand: Operand): Path[] =>
    operand.kind === 'value' ? [] : [operand.path];
  switch (condition.kind) {
    case 'and':
    case 'or':
      return [...pathsOf(condition.left), ...pathsOf(condition.right)];
    case 'not':
      return pathsOf(condition.operand);
    case 'compare':
      return [...operandPaths(condition.left), ...operandPaths(condition.right)];
    case 'between':
      return [condition.value, condition.low, condition.high].flatMap(operandPaths);
    case 'in':
      return [condition.value, ...condition.list].flatMap(operandPaths);
    default:
      return condition.args.flatMap(operandPaths);
  }
}

/** Projection paths the simulation supports: attribute names and map keys (no list indexes). */
function checkProjection(paths: readonly Path[]): readonly Path[] {
  if (paths.some((path) => path.some((element) => typeof element === 'number'))) {
    throw new SimulationConfigError(
      'ProjectionExpression paths with list indexes are not supported by the simulation.',
    );
  }
  return paths;
}

/** Copies the values at `paths` (attribute names and map keys) into a new item. */
function project(item: Item, paths: readonly Path[]): Item {
  const result: Item = {};
  for (const path of paths) {
    const value = valueAt(item, path);
    if (value === undefined) continue;
    let target = result;
    for (const name of path.slice(0, -1) as string[]) {
      const existing = target[name]?.M ?? {};
      target[name] = { M: existing };
      target = existing;
    }
    target[path[path.length - 1] as string] = structuredClone(value);
  }
  return result;
}

export class DynamoDbModel extends ThrottledServiceModel {
  private readonly random: RandomSource;
  private readonly latencyMs: number;
  private readonly jitterMs: number;
  private readonly lagMs: number;
  protected readonly api: ThrottlingApiModel;
  private readonly tables = new Map<string, TableState>();

  constructor(options: DynamoDbModelOptions) {
    super('DynamoDbModel', 'dynamodb', options);
    this.latencyMs = checkNonNegative('DynamoDbModel latencyMs', options.latencyMs, 0);
    this.jitterMs = checkNonNegative('DynamoDbModel latencyJitterMs', options.latencyJitterMs, 0);
    this.lagMs = checkNonNegative(
      'DynamoDbModel eventualConsistencyLagMs',
      options.eventualConsistencyLagMs,
      0,
    );
    this.random = randomSourceOf(options.random ?? this.name);
    // The jitter and the faults draw from one stream; latency is the model's own (see
    // `latency()`), taken between validation and the write, so the front adds none.
    this.api = this.front(this.operationTable(), options, { random: this.random, latencyMs: 0 });
  }

  // ---- setup and inspection (not API) ----

  createTable(options: CreateTableOptions): string {
    if (!TABLE_NAME.test(options.name)) {
      throw new SimulationConfigError(
        `createTable: '${options.name}' is not a table name (3–255 letters, digits, '_', '-', '.').`,
      );
    }
    if (this.tables.has(options.name)) {
      throw new SimulationConfigError(`createTable: the table '${options.name}' exists.`);
    }
    for (const key of [options.partitionKey, options.sortKey]) {
      if (key !== undefined && (key.name.length === 0 || !['S', 'N', 'B'].includes(key.type))) {
        throw new SimulationConfigError(
          `createTable(${options.name}): a key attribute needs a name and the type S, N or B.`,
        );
      }
    }
    if (options.sortKey?.name === options.partitionKey.name) {
      throw new SimulationConfigError(
        `createTable(${options.name}): the sort key must differ from the partition key.`,
      );
    }
    const delay = options.ttl?.deletionDelayMs ?? 0;
    if (!(Number.isFinite(delay) && delay >= 0)) {
      throw new SimulationConfigError(
        `createTable(${options.name}): ttl.deletionDelayMs must be >= 0.`,
      );
    }
    const arn = `arn:aws:dynamodb:${this.region}:${this.accountId}:table/${options.name}`;
    this.tables.set(options.name, {
      name: options.name,
      arn,
      partitionKey: { ...options.partitionKey },
      sortKey: options.sortKey === undefined ? undefined : { ...options.sortKey },
      ttl:
        options.ttl === undefined
          ? undefined
          : { attributeName: options.ttl.attributeName, deletionDelayMs: delay },
      items: new Map(),
    });
    return arn;
  }

  /** Stores an item directly (setup), validated like PutItem's. */
  setItem(tableName: string, item: Item): void {
    const table = this.knownTable(tableName);
    const checked = this.checkNewItem(table, item);
    this.write(table, this.keyString(table, checked), checked);
  }

  /** The item with this key as a consistent read sees it, or undefined. */
  item(tableName: string, key: Item): Item | undefined {
    const table = this.knownTable(tableName);
    const current = this.read(table, this.keyString(table, this.checkKey(table, key)), true);
    return current === undefined ? undefined : structuredClone(current);
  }

  /** Every live item of a table, in key order. */
  items(tableName: string): Item[] {
    const table = this.knownTable(tableName);
    return this.liveItems(table, true).map((item) => structuredClone(item));
  }

  // ---- operations ----

  private operationTable(): OperationTable {
    return new OperationTable(this.name)
      .on<GetItemCommandInput, GetItemCommandOutput>('GetItem', (input) => this.getItem(input))
      .on<PutItemCommandInput, PutItemCommandOutput>('PutItem', (input) => this.putItem(input))
      .on<UpdateItemCommandInput, UpdateItemCommandOutput>('UpdateItem', (input) =>
        this.updateItem(input),
      )
      .on<DeleteItemCommandInput, DeleteItemCommandOutput>('DeleteItem', (input) =>
        this.deleteItem(input),
      )
      .on<QueryCommandInput, QueryCommandOutput>('Query', (input) => this.query(input));
  }

  private async getItem(input: GetItemCommandInput): Promise<ModelResult<GetItemCommandOutput>> {
    const table = this.tableOf(input);
    this.refuseLegacy(input, ['AttributesToGet']);
    const key = this.keyString(table, this.checkKey(table, input.Key));
    const context = new ExpressionContext(input.ExpressionAttributeNames, undefined);
    const projection =
      input.ProjectionExpression === undefined
        ? undefined
        : checkProjection(context.parseProjection(input.ProjectionExpression));
    if (input.ProjectionExpression === undefined && input.ExpressionAttributeNames !== undefined) {
      throw validationException(
        'ExpressionAttributeNames can only be specified when using expressions',
      );
    }
    context.checkAllUsed();
    await this.latency();
    const item = this.read(table, key, input.ConsistentRead ?? false);
    if (item === undefined) return {};
    return { Item: projection === undefined ? structuredClone(item) : project(item, projection) };
  }

  private async putItem(input: PutItemCommandInput): Promise<ModelResult<PutItemCommandOutput>> {
    const table = this.tableOf(input);
    this.refuseLegacy(input, ['Expected', 'ConditionalOperator']);
    const item = this.checkNewItem(table, input.Item);
    const returnValues = checkReturnValues(input.ReturnValues, ['NONE', 'ALL_OLD']);
    const onFailure = checkOnConditionFailure(input);
    const { condition } = this.expressions(input, undefined);
    const key = this.keyString(table, item);
    await this.latency();
    const old = this.readChecked(table, key, condition, onFailure);
    this.write(table, key, item);
    return returnValues === 'ALL_OLD' && old !== undefined
      ? { Attributes: structuredClone(old) }
      : {};
  }

  private async updateItem(
    input: UpdateItemCommandInput,
  ): Promise<ModelResult<UpdateItemCommandOutput>> {
    const table = this.tableOf(input);
    this.refuseLegacy(input, ['Expected', 'ConditionalOperator', 'AttributeUpdates']);
    const keyItem = this.checkKey(table, input.Key);
    const returnValues = checkReturnValues(input.ReturnValues, [
      'NONE',
      'ALL_OLD',
      'UPDATED_OLD',
      'ALL_NEW',
      'UPDATED_NEW',
    ]);
    const onFailure = checkOnConditionFailure(input);
    let actions: UpdateActions | undefined;
    const { condition } = this.expressions(input, (context) => {
      if (input.UpdateExpression !== undefined)
        actions = context.parseUpdate(input.UpdateExpression);
    });
    const keyNames = this.keyNames(table);
    const key = this.keyString(table, keyItem);
    await this.latency();
    const old = this.readChecked(table, key, condition, onFailure);
    const empty = { set: [], remove: [], add: [], delete: [] };
    const updated = { ...applyUpdate(actions ?? empty, old, keyNames), ...keyItem };
    if (itemSize(updated) > MAX_ITEM_BYTES) {
      throw validationException('Item size to update has exceeded the maximum allowed size');
    }
    this.write(table, key, updated);
    const touched = actions === undefined ? [] : updatedAttributes(actions);
    const pick = (item: Item | undefined): Item | undefined => {
      if (item === undefined) return undefined;
      const picked = Object.fromEntries(
        touched.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]),
      );
      return Object.keys(picked).length === 0 ? undefined : picked;
    };
    let attributes: Item | undefined;
    if (returnValues === 'ALL_OLD') attributes = old;
    else if (returnValues === 'ALL_NEW') attributes = updated;
    else if (returnValues === 'UPDATED_OLD') attributes = pick(old);
    else if (returnValues === 'UPDATED_NEW') attributes = pick(updated);
    return attributes === undefined ? {} : { Attributes: structuredClone(attributes) };
  }

  private async deleteItem(
    input: DeleteItemCommandInput,
  ): Promise<ModelResult<DeleteItemCommandOutput>> {
    const table = this.tableOf(input);
    this.refuseLegacy(input, ['Expected', 'ConditionalOperator']);
    const key = this.keyString(table, this.checkKey(table, input.Key));
    const returnValues = checkReturnValues(input.ReturnValues, ['NONE', 'ALL_OLD']);
    const onFailure = checkOnConditionFailure(input);
    const { condition } = this.expressions(input, undefined);
    await this.latency();
    const old = this.readChecked(table, key, condition, onFailure);
    if (old !== undefined) this.write(table, key, undefined);
    return returnValues === 'ALL_OLD' && old !== undefined
      ? { Attributes: structuredClone(old) }
      : {};
  }

  private async query(input: QueryCommandInput): Promise<ModelResult<QueryCommandOutput>> {
    const table = this.tableOf(input);
    this.refuseLegacy(input, [
      'KeyConditions',
      'QueryFilter',
      'AttributesToGet',
      'ConditionalOperator',
    ]);
    if (input.IndexName !== undefined) {
      throw new SimulationConfigError(
        'Query on a secondary index (IndexName) is not supported by the simulation.',
      );
    }
    if (input.KeyConditionExpression === undefined) {
      throw validationException(
        'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.',
      );
    }
    const select = input.Select ?? 'ALL_ATTRIBUTES';
    if (select !== 'ALL_ATTRIBUTES' && select !== 'COUNT') {
      throw new SimulationConfigError(`Query Select ${select} is not supported by the simulation.`);
    }
    if (input.Limit !== undefined && !(Number.isInteger(input.Limit) && input.Limit >= 1)) {
      throw validationException(
        `1 validation error detected: Value '${input.Limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
      );
    }
    const context = new ExpressionContext(
      input.ExpressionAttributeNames,
      input.ExpressionAttributeValues,
    );
    const keyCondition = context.parseCondition(
      input.KeyConditionExpression,
      'KeyConditionExpression',
    );
    const filter =
      input.FilterExpression === undefined
        ? undefined
        : context.parseCondition(input.FilterExpression, 'FilterExpression');
    const projection =
      input.ProjectionExpression === undefined
        ? undefined
        : checkProjection(context.parseProjection(input.ProjectionExpression));
    context.checkAllUsed();
    const { partition, sort } = this.keyConditionParts(table, keyCondition);
    const keyNames = this.keyNames(table);
    if (filter !== undefined) {
      const keyPath = pathsOf(filter).find(
        (path) => typeof path[0] === 'string' && keyNames.includes(path[0]),
      );
      if (keyPath !== undefined) {
        throw validationException(
          `Filter Expression can only contain non-primary key attributes: Primary key attribute: ${String(keyPath[0])}`,
        );
      }
    }
    const startKey =
      input.ExclusiveStartKey === undefined
        ? undefined
        : this.keyString(table, this.checkKey(table, input.ExclusiveStartKey, 'ExclusiveStartKey'));
    await this.latency();
    let candidates = this.liveItems(table, input.ConsistentRead ?? false).filter(
      (item) =>
        evaluateCondition(partition, item) && (sort === undefined || evaluateCondition(sort, item)),
    );
    if (input.ScanIndexForward === false) candidates = candidates.reverse();
    if (startKey !== undefined) {
      const index = candidates.findIndex((item) => this.keyString(table, item) === startKey);
      candidates = index < 0 ? candidates : candidates.slice(index + 1);
    }
    const limit = input.Limit ?? Infinity;
    const scanned = candidates.slice(0, limit);
    const more = candidates.length > scanned.length;
    const matched = scanned.filter(
      (item) => filter === undefined || evaluateCondition(filter, item),
    );
    const last = scanned[scanned.length - 1];
    return {
      ...(select === 'COUNT'
        ? {}
        : {
            Items: matched.map((item) =>
              projection === undefined ? structuredClone(item) : project(item, projection),
            ),
          }),
      Count: matched.length,
      ScannedCount: scanned.length,
      ...(more && last !== undefined ? { LastEvaluatedKey: this.keyOf(table, last) } : {}),
    };
  }

  // ---- expressions ----

  private expressions(
    input: {
      ConditionExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues?: Record<string, AttributeValue>;
      UpdateExpression?: string;
    },
    more: ((context: ExpressionContext) => void) | undefined,
  ): Expressions {
    const hasExpression =
      input.ConditionExpression !== undefined || input.UpdateExpression !== undefined;
    if (!hasExpression && input.ExpressionAttributeNames !== undefined) {
      throw validationException(
        'ExpressionAttributeNames can only be specified when using expressions',
      );
    }
    if (!hasExpression && input.ExpressionAttributeValues !== undefined) {
      throw validationException(
        'ExpressionAttributeValues can only be specified when using expressions',
      );
    }
    const context = new ExpressionContext(
      input.ExpressionAttributeNames,
      input.ExpressionAttributeValues,
    );
    more?.(context);
    const condition =
      input.ConditionExpression === undefined
        ? undefined
        : context.parseCondition(input.ConditionExpression, 'ConditionExpression');
    context.checkAllUsed();
    return { context, condition };
  }

  /** Splits a key condition into the partition key equality and the optional sort key part. */
  private keyConditionParts(
    table: TableState,
    condition: Condition,
  ): { partition: Condition; sort: Condition | undefined } {
    const parts = condition.kind === 'and' ? [condition.left, condition.right] : [condition];
    const unsupported = (): Error => validationException('Query key condition not supported');
    const keyOf = (part: Condition): string | undefined => {
      const path =
        part.kind === 'compare'
          ? part.left.kind === 'path'
            ? part.left.path
            : undefined
          : part.kind === 'between'
            ? part.value.kind === 'path'
              ? part.value.path
              : undefined
            : part.kind === 'function' &&
                part.name === 'begins_with' &&
                part.args[0].kind === 'path'
              ? part.args[0].path
              : undefined;
      if (path === undefined || path.length !== 1 || typeof path[0] !== 'string') return undefined;
      const bounds =
        part.kind === 'compare'
          ? [part.right]
          : part.kind === 'between'
            ? [part.low, part.high]
            : part.kind === 'function'
              ? [part.args[1]]
              : [];
      return bounds.every((bound) => bound.kind === 'value') ? path[0] : undefined;
    };
    let partition: Condition | undefined;
    let sort: Condition | undefined;
    for (const part of parts) {
      if (part.kind === 'or' || part.kind === 'not' || part.kind === 'and' || part.kind === 'in') {
        throw validationException(
          `Invalid operator used in KeyConditionExpression: ${part.kind.toUpperCase()}`,
        );
      }
      const name = keyOf(part);
      if (
        name === table.partitionKey.name &&
        part.kind === 'compare' &&
        part.op === '=' &&
        partition === undefined
      ) {
        partition = part;
      } else if (
        name !== undefined &&
        name === table.sortKey?.name &&
        sort === undefined &&
        !(part.kind === 'compare' && part.op === '<>')
      ) {
        sort = part;
      } else {
        throw unsupported();
      }
    }
    if (partition === undefined) {
      throw validationException(
        `Query condition missed key schema element: ${table.partitionKey.name}`,
      );
    }
    return { partition, sort };
  }

  // ---- keys and storage ----

  private keyNames(table: TableState): string[] {
    return table.sortKey === undefined
      ? [table.partitionKey.name]
      : [table.partitionKey.name, table.sortKey.name];
  }

  private checkKeyAttribute(
    table: TableState,
    key: KeyAttribute,
    value: AttributeValue | undefined,
  ): void {
    if (value === undefined) {
      throw validationException(
        `One or more parameter values were invalid: Missing the key ${key.name} in the item`,
      );
    }
    const actual = typeOf(value);
    if (actual !== key.type) {
      throw validationException(
        `One or more parameter values were invalid: Type mismatch for key ${key.name} expected: ${key.type} actual: ${actual}`,
      );
    }
    const size =
      actual === 'S'
        ? Buffer.byteLength(value.S ?? '', 'utf8')
        : actual === 'B'
          ? (value.B?.length ?? 0)
          : 1;
    if (size === 0) {
      throw validationException(
        `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${actual === 'S' ? 'string' : 'binary'} value. Key: ${key.name}`,
      );
    }
    const limit = key === table.partitionKey ? 2048 : 1024;
    if (size > limit) {
      throw validationException(
        `One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of ${limit} bytes`,
      );
    }
  }

  private checkNewItem(table: TableState, raw: unknown): Item {
    if (raw === undefined)
      throw validationException(
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null",
      );
    const item = checkItem(raw);
    this.checkKeyAttribute(table, table.partitionKey, item[table.partitionKey.name]);
    if (table.sortKey !== undefined)
      this.checkKeyAttribute(table, table.sortKey, item[table.sortKey.name]);
    if (itemSize(item) > MAX_ITEM_BYTES) {
      throw validationException('Item size has exceeded the maximum allowed size');
    }
    return item;
  }

  private checkKey(table: TableState, raw: unknown, what = 'Key'): Item {
    if (raw === undefined) {
      throw validationException(
        `1 validation error detected: Value null at '${what.toLowerCase()}' failed to satisfy constraint: Member must not be null`,
      );
    }
    const key = checkItem(raw, what);
    const names = this.keyNames(table);
    if (
      Object.keys(key).length !== names.length ||
      !names.every((name) => key[name] !== undefined)
    ) {
      throw validationException('The provided key element does not match the schema');
    }
    this.checkKeyAttribute(table, table.partitionKey, key[table.partitionKey.name]);
    if (table.sortKey !== undefined)
      this.checkKeyAttribute(table, table.sortKey, key[table.sortKey.name]);
    return key;
  }

  private keyOf(table: TableState, item: Item): Item {
    return Object.fromEntries(
      this.keyNames(table).map((name) => [name, structuredClone(item[name])]),
    );
  }

  private keyString(table: TableState, item: Item): string {
    return JSON.stringify(
      this.keyNames(table).map((name) => {
        const value = item[name];
        return value.B !== undefined
          ? Buffer.from(value.B).toString('base64')
          : (value.S ?? value.N);
      }),
    );
  }

  private expired(table: TableState, item: Item, now: number): boolean {
    if (table.ttl === undefined) return false;
    const ttl = item[table.ttl.attributeName];
    if (ttl?.N === undefined) return false;
    const expiresAt = Number(ttl.N) * 1000;
    return Number.isFinite(expiresAt) && expiresAt + table.ttl.deletionDelayMs <= now;
  }

  /** The item as a read sees it: the latest version, or the one `lagMs` ago for eventual reads. */
  private read(table: TableState, key: string, consistent: boolean): Item | undefined {
    const versions = table.items.get(key);
    if (versions === undefined) return undefined;
    const now = this.clock.now();
    let version = versions[versions.length - 1];
    if (!consistent && this.lagMs > 0) {
      const asOf = now - this.lagMs;
      const visible = versions.filter((candidate) => candidate.at <= asOf);
      version = visible[visible.length - 1] ?? { at: 0, item: undefined };
    }
    const item = version.item;
    return item === undefined || this.expired(table, item, now) ? undefined : item;
  }

  private write(table: TableState, key: string, item: Item | undefined): void {
    const now = this.clock.now();
    const versions = (table.items.get(key) ?? []).filter(
      // Keep what an eventually consistent read may still see.
      (version) => version.at > now - this.lagMs,
    );
    const latest = table.items.get(key)?.at(-1);
    if (latest !== undefined && !versions.includes(latest)) versions.unshift(latest);
    versions.push({ at: now, item: item === undefined ? undefined : structuredClone(item) });
    table.items.set(key, versions);
  }

  private liveItems(table: TableState, consistent: boolean): Item[] {
    const items: Item[] = [];
    for (const key of table.items.keys()) {
      const item = this.read(table, key, consistent);
      if (item !== undefined) items.push(item);
    }
    const { partitionKey, sortKey } = table;
    return items.sort(
      (a, b) =>
        (compareScalars(a[partitionKey.name], b[partitionKey.name]) ?? 0) ||
        (sortKey === undefined ? 0 : (compareScalars(a[sortKey.name], b[sortKey.name]) ?? 0)),
    );
  }

  /**
   * The item a write replaces, once its condition holds. Synchronous on purpose: the caller
   * writes in the same turn, so the check and the write are atomic, as on AWS.
   */
  private readChecked(
    table: TableState,
    key: string,
    condition: Condition | undefined,
    onFailure: string,
  ): Item | undefined {
    const old = this.read(table, key, true);
    if (condition !== undefined && !evaluateCondition(condition, old)) {
      throw conditionalCheckFailed(old, onFailure === 'ALL_OLD');
    }
    return old;
  }

  private async latency(): Promise<void> {
    const delay = this.latencyMs + (this.jitterMs > 0 ? this.random() * this.jitterMs : 0);
    if (delay > 0) await this.clock.sleep(delay);
  }

  private refuseLegacy(input: object, parameters: readonly string[]): void {
    const used = parameters.filter(
      (parameter) => (input as Record<string, unknown>)[parameter] !== undefined,
    );
    if (used.length > 0) {
      throw new SimulationConfigError(
        `The legacy parameter ${used.join(', ')} is not supported by the simulation: use expressions.`,
      );
    }
  }

  private tableOf(input: { TableName?: string }): TableState {
    if (input.TableName === undefined) {
      throw validationException(
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
      );
    }
    validateInput(tableNameSchema, input);
    const name = input.TableName.startsWith('arn:')
      ? (input.TableName.split('/').pop() ?? '')
      : input.TableName;
    const table = this.tables.get(name);
    if (
      table === undefined ||
      (input.TableName.startsWith('arn:') && input.TableName !== table.arn)
    ) {
      throw new SimulatedServiceError({
        name: 'ResourceNotFoundException',
        httpStatusCode: 400,
        message: 'Requested resource not found',
      });
    }
    return table;
  }

  private knownTable(tableName: string): TableState {
    const table = this.tables.get(tableName);
    if (table === undefined) {
      throw new SimulationConfigError(
        `DynamoDbModel has no table '${tableName}'; create it with createTable.`,
      );
    }
    return table;
  }
}
