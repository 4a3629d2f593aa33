/**
 * Where the throttler's leases live. One record per (account, region) holds every lease, and
 * each change is a conditional write on its version, so concurrent invocations serialise their
 * "count then start" decisions: of two that count the same free slot, exactly one takes it.
 *
 * `InMemoryLeaseBackend` serves one process (and tests); `DynamoDbLeaseBackend` every Lambda
 * container of the account.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { errorCodeOf } from '../resilience/error-classification.js';
import type { Lease } from './capacity.js';
import { DRS_TABLE_PARTITION_KEY, DRS_TABLE_TTL_ATTRIBUTE } from './contract.js';
import { DrsStateCorruptError } from './errors.js';

/** The leases of one (account, region) and the version a write must match. */
export interface LeaseState {
  /** 0 when nothing was ever written. */
  readonly version: number;
  readonly leases: readonly Lease[];
}

export interface LeaseBackend {
  read(key: string): Promise<LeaseState>;
  /**
   * Replaces the leases if the stored version is still `expectedVersion` (the new one is
   * `expectedVersion + 1`). Resolves false when another writer came first.
   */
  write(key: string, expectedVersion: number, leases: readonly Lease[]): Promise<boolean>;
}

/** Leases in process memory: correct for one container only (no lease table configured). */
export class InMemoryLeaseBackend implements LeaseBackend {
  private readonly states = new Map<string, LeaseState>();

  read(key: string): Promise<LeaseState> {
    return Promise.resolve(this.states.get(key) ?? { version: 0, leases: [] });
  }

  write(key: string, expectedVersion: number, leases: readonly Lease[]): Promise<boolean> {
    const current = this.states.get(key)?.version ?? 0;
    if (current !== expectedVersion) return Promise.resolve(false);
    this.states.set(key, { version: expectedVersion + 1, leases: structuredClone([...leases]) });
    return Promise.resolve(true);
  }
}

const leaseSchema = z.object({
  id: z.string().min(1),
  sourceServerIds: z.array(z.string()),
  expiresAtMs: z.number().finite(),
  jobId: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
});
const leasesSchema = z.array(leaseSchema);

/** Attribute names of a lease item besides the key and TTL. */
const VERSION = 'version';
const LEASES = 'leases';

/**
 * Leases in DynamoDB: item `{ pk, version, leases (JSON), expiresAt }`. `expiresAt` (TTL, epoch
 * seconds) is an hour after the latest lease expiry, so a record left by crashed holders
 * disappears on its own.
 */
export class DynamoDbLeaseBackend implements LeaseBackend {
  constructor(
    /** DynamoDB client with the resilience layer attached. */
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  async read(key: string): Promise<LeaseState> {
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [DRS_TABLE_PARTITION_KEY]: { S: key } },
        ConsistentRead: true,
      }),
    );
    const item = output.Item;
    if (item === undefined) return { version: 0, leases: [] };
    const version = Number(item[VERSION]?.N);
    const text = item[LEASES]?.S;
    if (!Number.isInteger(version) || version < 1 || text === undefined) {
      throw new DrsStateCorruptError(this.tableName, key, 'no whole version or leases text');
    }
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      throw new DrsStateCorruptError(this.tableName, key, 'leases is not JSON');
    }
    const parsed = leasesSchema.safeParse(json);
    if (!parsed.success) {
      throw new DrsStateCorruptError(this.tableName, key, `leases: ${parsed.error.message}`);
    }
    return { version, leases: parsed.data };
  }

  async write(key: string, expectedVersion: number, leases: readonly Lease[]): Promise<boolean> {
    const latest = leases.reduce((max, lease) => Math.max(max, lease.expiresAtMs), 0);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [DRS_TABLE_PARTITION_KEY]: { S: key },
            [VERSION]: { N: String(expectedVersion + 1) },
            [LEASES]: { S: JSON.stringify(leases) },
            // An hour past the last lease: DynamoDB deletes within days anyway, never early.
            // No lease: no TTL (a TTL in the past would delete the record under a reader).
            ...(leases.length === 0
              ? {}
              : { [DRS_TABLE_TTL_ATTRIBUTE]: { N: String(Math.ceil(latest / 1000) + 3600) } }),
          },
          ConditionExpression:
            expectedVersion === 0 ? 'attribute_not_exists(#pk)' : '#version = :expected',
          ExpressionAttributeNames:
            expectedVersion === 0 ? { '#pk': DRS_TABLE_PARTITION_KEY } : { '#version': VERSION },
          ...(expectedVersion === 0
            ? {}
            : { ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } } }),
        }),
      );
      return true;
    } catch (error) {
      if (errorCodeOf(error) === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

/** Key of the lease record of an (account, region). */
export function leaseKey(accountKey: string, region: string): string {
  return `lease#drs#${accountKey}#${region}`;
}
