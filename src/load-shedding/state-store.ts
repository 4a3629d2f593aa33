/**
 * DynamoDB adapter for the controller state: one item per primary target group, read with
 * ConsistentRead and written with PutItem conditional on the version the caller loaded
 * (optimistic locking). Two invocations that loaded the same version cannot both save: the
 * loser gets a {@link StateConflictError} and must not touch ELBv2.
 *
 * Pass a resilient client (`createResilientClient(DynamoDBClient, ...)`): throttling is retried
 * there; a lost condition is not retryable and is mapped here.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { STATE_TABLE_PARTITION_KEY } from './contract.js';
import { ControllerInputError, StateConflictError, StateCorruptError } from './errors.js';
import { loadSheddingStateSchema, type LoadSheddingState } from './state.js';

export interface StateStoreOptions {
  /** A DynamoDB client, preferably from `createResilientClient`. */
  readonly client: DynamoDBClient;
  /** Table name or ARN (`STATE_TABLE_NAME`). */
  readonly tableName: string;
}

/** Exactly this condition: the simulation's DynamoDB model supports this subset. */
export const SAVE_CONDITION = 'attribute_not_exists(#pk) OR #version = :expected';

export class LoadSheddingStateStore {
  private readonly client: DynamoDBClient;
  readonly tableName: string;

  constructor(options: StateStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  /**
   * The state of `primaryTargetGroupArn`, or `undefined` when no item exists (never saved, or
   * expired idle). Strongly consistent, so it sees every save that succeeded before.
   * @throws {StateCorruptError} when the item does not match the state schema.
   */
  async load(primaryTargetGroupArn: string): Promise<LoadSheddingState | undefined> {
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [STATE_TABLE_PARTITION_KEY]: { S: primaryTargetGroupArn } },
        ConsistentRead: true,
      }),
    );
    if (output.Item === undefined) return undefined;
    let item: Record<string, unknown>;
    try {
      item = unmarshall(output.Item);
    } catch (error) {
      throw new StateCorruptError(
        this.tableName,
        primaryTargetGroupArn,
        'it cannot be unmarshalled',
        { cause: error },
      );
    }
    const { [STATE_TABLE_PARTITION_KEY]: key, ...fields } = item;
    if (key !== primaryTargetGroupArn || fields.primaryTargetGroupArn !== primaryTargetGroupArn) {
      throw new StateCorruptError(
        this.tableName,
        primaryTargetGroupArn,
        `its key and primaryTargetGroupArn must both be the primary target group ARN, got ` +
          `${JSON.stringify(key)} and ${JSON.stringify(fields.primaryTargetGroupArn)}`,
      );
    }
    const result = loadSheddingStateSchema.safeParse(fields);
    if (!result.success) {
      // The schema is an object: every issue has a path (at least the discriminator, status).
      const issue = result.error.issues[0];
      throw new StateCorruptError(
        this.tableName,
        primaryTargetGroupArn,
        `${issue.path.join('.')}: ${issue.message}`,
        { cause: result.error },
      );
    }
    return result.data;
  }

  /**
   * Saves `next` if the stored item is still at `expectedVersion` (0: no item yet). `next.version`
   * must be `expectedVersion + 1`, as the controller's decisions set it.
   * @throws {StateConflictError} when another invocation saved first.
   * @throws {ControllerInputError} when `next` is not a valid successor of `expectedVersion`.
   */
  async save(next: LoadSheddingState, expectedVersion: number): Promise<void> {
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
      throw new ControllerInputError(
        `expectedVersion must be the version that was loaded (0 when there was no item), got ` +
          `${String(expectedVersion)}.`,
      );
    }
    if (next.version !== expectedVersion + 1) {
      throw new ControllerInputError(
        `The state to save has version ${next.version}, but it must be expectedVersion + 1 = ` +
          `${expectedVersion + 1}: save the state of the decision made from the loaded state.`,
      );
    }
    // Validate before writing: a bad item would stop every later invocation at load.
    const checked = loadSheddingStateSchema.safeParse(next);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new ControllerInputError(
        `Refusing to save an invalid state: ${issue.path.join('.')}: ${issue.message}.`,
      );
    }
    const item = marshall(
      { ...checked.data, [STATE_TABLE_PARTITION_KEY]: next.primaryTargetGroupArn },
      { removeUndefinedValues: true },
    );
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: SAVE_CONDITION,
          ExpressionAttributeNames: { '#pk': STATE_TABLE_PARTITION_KEY, '#version': 'version' },
          ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new StateConflictError(next.primaryTargetGroupArn, expectedVersion, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

/** By `name`, as the SDK's exception class sets it (also when a resilient client rethrows it). */
function isConditionalCheckFailed(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'ConditionalCheckFailedException'
  );
}
