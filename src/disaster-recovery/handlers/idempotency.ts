/**
 * Idempotency records of job starts: one item per (account, region, wave, chunk) — or per
 * terminate job, keyed by its instances — so that a retried or redelivered invocation never
 * starts a second DRS job for the same chunk.
 *
 * Hand-written rather than Powertools' idempotency utility (not a dependency here): a record
 * must also survive the crash window "StartRecovery answered, record not yet written", which
 * no generic library can close. The execution handler closes it by tagging each job with its
 * key and looking for a job with that tag before every start.
 *
 * Item (lease table, key `pk`): `{ pk, status: 'in-progress' | 'done', owner, claimExpiresAtMs,
 * jobId?, expiresAt (TTL, epoch seconds) }`; a request's chunk plan: `{ pk, chunkSize, digest,
 * expiresAt }`.
 */
import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { errorCodeOf } from '../../resilience/error-classification.js';
import { DRS_TABLE_PARTITION_KEY, DRS_TABLE_TTL_ATTRIBUTE } from '../contract.js';
import { DisasterRecoveryError, type DrsTarget } from '../errors.js';

/** DRS job tag that carries the idempotency key of the chunk the job started. */
export const IDEMPOTENCY_TAG = 'aws-ops-kit:idempotency-key';
/** DRS job tag that carries the wave id. */
export const WAVE_TAG = 'aws-ops-kit:wave-id';

/** A finished record is kept this long: a redelivery days later still finds it. */
export const DONE_RECORD_RETENTION_MS = 7 * 24 * 3600 * 1000;

const digestOf = (ids: readonly string[]): string =>
  createHash('sha256')
    .update([...ids].sort().join(','))
    .digest('hex')
    .slice(0, 32);

/**
 * The key of one job of one wave: its source servers (order-free, hashed to keep the key short),
 * so the key names the same servers whatever chunk position they had; also the value of the
 * job's {@link IDEMPOTENCY_TAG}.
 */
export function idempotencyKey(
  target: DrsTarget,
  waveId: string,
  sourceServerIds: readonly string[],
): string {
  return `idem#${target.accountId ?? 'self'}#${target.region}#${waveId}#${digestOf(sourceServerIds)}`;
}

/**
 * The key of one terminate job: the instances it terminates (order-free, hashed to keep the key
 * short), so a redelivered terminate of the same instances finds the job of the first delivery.
 */
export function terminateIdempotencyKey(
  target: DrsTarget,
  recoveryInstanceIds: readonly string[],
): string {
  return `idem#${target.accountId ?? 'self'}#${target.region}#terminate#${digestOf(recoveryInstanceIds)}`;
}

/** The key of a wave's chunk plan (the job size its first delivery chose). */
export function wavePlanKey(target: DrsTarget, waveId: string): string {
  return `plan#${target.accountId ?? 'self'}#${target.region}#${waveId}`;
}

/** The key of the chunk plan of a terminate request (all its instances). */
export function terminatePlanKey(
  target: DrsTarget,
  recoveryInstanceIds: readonly string[],
): string {
  return `plan#${target.accountId ?? 'self'}#${target.region}#terminate#${digestOf(recoveryInstanceIds)}`;
}

/**
 * How a request is split into jobs, fixed by its first delivery: later deliveries split the
 * same way even if the quotas changed in between, so no server lands in two jobs.
 */
export interface ChunkPlan {
  /** Most servers (or instances) per job. */
  readonly chunkSize: number;
  /** Digest of the request's ids (order-free): a different request under the same id differs. */
  readonly digest: string;
}

/** The plan a request of `ids` split into jobs of at most `chunkSize` would record. */
export function chunkPlanOf(ids: readonly string[], chunkSize: number): ChunkPlan {
  return { chunkSize, digest: digestOf(ids) };
}

/** What a claim found. */
export type ClaimResult =
  /** The caller owns the record now; `takeover` when it replaced an expired claim. */
  | { readonly kind: 'claimed'; readonly takeover: boolean }
  /** The chunk's job was started before. */
  | { readonly kind: 'done'; readonly jobId: string }
  /** Another invocation holds a live claim. */
  | { readonly kind: 'busy'; readonly owner: string; readonly claimExpiresAtMs: number };

export interface IdempotencyStore {
  /** Claims `key` for `owner` until `nowMs + ttlMs`, unless it is done or claimed (live). */
  claim(key: string, owner: string, nowMs: number, ttlMs: number): Promise<ClaimResult>;
  /** Records the started job. @throws {IdempotencyRecordError} when `owner` lost the claim. */
  complete(key: string, owner: string, jobId: string, nowMs: number): Promise<void>;
  /**
   * Drops `owner`'s claim: the start was never attempted or DRS rejected it, so no job exists.
   * A no-op when the claim is not `owner`'s any more.
   */
  abandon(key: string, owner: string): Promise<void>;
  /**
   * Ends `owner`'s claim now but keeps the record: the start was attempted and its outcome is
   * unknown (DRS may have created the job), so the next claimer takes it over (`takeover:
   * true`) and looks for the job by its tag before starting one. A no-op when the claim is not
   * `owner`'s any more. Keeps the record as long as a done one: a job it may have started stays
   * findable by the handler's lookup, which runs before every start anyway.
   */
  expire(key: string, owner: string, nowMs: number): Promise<void>;
  /** Records `proposed` unless a plan is recorded under `key`; answers the recorded plan. */
  plan(key: string, proposed: ChunkPlan, nowMs: number): Promise<ChunkPlan>;
}

/** The claim was lost between claim and completion (it outlived its TTL). */
export class IdempotencyRecordError extends DisasterRecoveryError {
  constructor(key: string, owner: string) {
    super(
      `The idempotency record '${key}' is no longer held by '${owner}': the start outlived the ` +
        'claim TTL. The job was started and tagged with the key, so a retry finds it; raise ' +
        'the lease TTL if this repeats.',
    );
    this.name = 'IdempotencyRecordError';
  }
}

interface StoredRecord {
  status: 'in-progress' | 'done';
  owner: string;
  claimExpiresAtMs: number;
  jobId?: string;
}

function resultOf(record: StoredRecord, nowMs: number): ClaimResult | undefined {
  if (record.status === 'done' && record.jobId !== undefined) {
    return { kind: 'done', jobId: record.jobId };
  }
  if (record.claimExpiresAtMs > nowMs) {
    return { kind: 'busy', owner: record.owner, claimExpiresAtMs: record.claimExpiresAtMs };
  }
  return undefined; // an expired claim: free to take over
}

/** Records in process memory: correct for one container only (no lease table configured). */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, StoredRecord>();
  private readonly plans = new Map<string, ChunkPlan>();

  plan(key: string, proposed: ChunkPlan): Promise<ChunkPlan> {
    const recorded = this.plans.get(key) ?? proposed;
    this.plans.set(key, recorded);
    return Promise.resolve(recorded);
  }

  claim(key: string, owner: string, nowMs: number, ttlMs: number): Promise<ClaimResult> {
    const existing = this.records.get(key);
    const found = existing && resultOf(existing, nowMs);
    if (found) return Promise.resolve(found);
    this.records.set(key, { status: 'in-progress', owner, claimExpiresAtMs: nowMs + ttlMs });
    return Promise.resolve({ kind: 'claimed', takeover: existing !== undefined });
  }

  complete(key: string, owner: string, jobId: string): Promise<void> {
    const record = this.records.get(key);
    if (record?.owner !== owner || record.status !== 'in-progress') {
      return Promise.reject(new IdempotencyRecordError(key, owner));
    }
    this.records.set(key, { ...record, status: 'done', jobId });
    return Promise.resolve();
  }

  abandon(key: string, owner: string): Promise<void> {
    const record = this.records.get(key);
    if (record?.owner === owner && record.status === 'in-progress') this.records.delete(key);
    return Promise.resolve();
  }

  expire(key: string, owner: string, nowMs: number): Promise<void> {
    const record = this.records.get(key);
    if (record?.owner === owner && record.status === 'in-progress') {
      this.records.set(key, { ...record, claimExpiresAtMs: nowMs });
    }
    return Promise.resolve();
  }
}

const epochSeconds = (ms: number): string => String(Math.ceil(ms / 1000));

function recordOf(item: Record<string, AttributeValue> | undefined): StoredRecord | undefined {
  if (item === undefined) return undefined;
  const status = item.status?.S;
  return {
    status: status === 'done' ? 'done' : 'in-progress',
    owner: item.owner?.S ?? '',
    claimExpiresAtMs: Number(item.claimExpiresAtMs?.N ?? 0),
    ...(item.jobId?.S === undefined ? {} : { jobId: item.jobId.S }),
  };
}

/** Records in the lease table: every container of the account sees the same claims. */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  constructor(
    /** DynamoDB client with the resilience layer attached. */
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  async claim(key: string, owner: string, nowMs: number, ttlMs: number): Promise<ClaimResult> {
    const expires = nowMs + ttlMs;
    try {
      const output = await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [DRS_TABLE_PARTITION_KEY]: { S: key },
            status: { S: 'in-progress' },
            owner: { S: owner },
            claimExpiresAtMs: { N: String(expires) },
            // Kept as long as a done record: an unfinished claim marks a job that may exist.
            [DRS_TABLE_TTL_ATTRIBUTE]: { N: epochSeconds(expires + DONE_RECORD_RETENTION_MS) },
          },
          // New, or an in-progress claim whose holder is gone (expired).
          ConditionExpression:
            'attribute_not_exists(#pk) OR (#status = :inProgress AND #claimExpires <= :now)',
          ExpressionAttributeNames: {
            '#pk': DRS_TABLE_PARTITION_KEY,
            '#status': 'status',
            '#claimExpires': 'claimExpiresAtMs',
          },
          ExpressionAttributeValues: {
            ':inProgress': { S: 'in-progress' },
            ':now': { N: String(nowMs) },
          },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'claimed', takeover: output.Attributes !== undefined };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const record = recordOf(error.Item);
      /* v8 ignore next 3 -- the condition fails only for a done or live record */
      const found = record && resultOf(record, nowMs);
      if (!found) throw error;
      return found;
    }
  }

  async complete(key: string, owner: string, jobId: string, nowMs: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [DRS_TABLE_PARTITION_KEY]: { S: key } },
          UpdateExpression: 'SET #status = :done, jobId = :jobId, #ttl = :ttl',
          ConditionExpression: '#owner = :owner AND #status = :inProgress',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#owner': 'owner',
            '#ttl': DRS_TABLE_TTL_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ':done': { S: 'done' },
            ':inProgress': { S: 'in-progress' },
            ':jobId': { S: jobId },
            ':owner': { S: owner },
            ':ttl': { N: epochSeconds(nowMs + DONE_RECORD_RETENTION_MS) },
          },
        }),
      );
    } catch (error) {
      if (errorCodeOf(error) === 'ConditionalCheckFailedException') {
        throw new IdempotencyRecordError(key, owner);
      }
      throw error;
    }
  }

  async abandon(key: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [DRS_TABLE_PARTITION_KEY]: { S: key } },
          ConditionExpression: '#owner = :owner AND #status = :inProgress',
          ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
          ExpressionAttributeValues: {
            ':owner': { S: owner },
            ':inProgress': { S: 'in-progress' },
          },
        }),
      );
    } catch (error) {
      if (errorCodeOf(error) !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async expire(key: string, owner: string, nowMs: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [DRS_TABLE_PARTITION_KEY]: { S: key } },
          UpdateExpression: 'SET #claimExpires = :now, #ttl = :ttl',
          ConditionExpression: '#owner = :owner AND #status = :inProgress',
          ExpressionAttributeNames: {
            '#claimExpires': 'claimExpiresAtMs',
            '#owner': 'owner',
            '#status': 'status',
            '#ttl': DRS_TABLE_TTL_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ':now': { N: String(nowMs) },
            ':ttl': { N: epochSeconds(nowMs + DONE_RECORD_RETENTION_MS) },
            ':owner': { S: owner },
            ':inProgress': { S: 'in-progress' },
          },
        }),
      );
    } catch (error) {
      if (errorCodeOf(error) !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async plan(key: string, proposed: ChunkPlan, nowMs: number): Promise<ChunkPlan> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [DRS_TABLE_PARTITION_KEY]: { S: key },
            chunkSize: { N: String(proposed.chunkSize) },
            digest: { S: proposed.digest },
            [DRS_TABLE_TTL_ATTRIBUTE]: { N: epochSeconds(nowMs + DONE_RECORD_RETENTION_MS) },
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': DRS_TABLE_PARTITION_KEY },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return proposed;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const chunkSize = Number(error.Item?.chunkSize?.N);
      const digest = error.Item?.digest?.S;
      /* v8 ignore next -- only this method writes plan items */
      if (!(Number.isInteger(chunkSize) && chunkSize >= 1 && digest !== undefined)) throw error;
      return { chunkSize, digest };
    }
  }
}
