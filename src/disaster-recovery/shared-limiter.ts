/**
 * An account-wide token bucket in DynamoDB. DRS limits requests per account and region, but an
 * in-process `TokenBucket` only limits its own Lambda container: twenty containers at 10 TPS
 * each send 200 TPS. Here every container draws from one item.
 *
 * Hand-written because no maintained library keeps a token bucket in DynamoDB on an injectable
 * clock. The item holds `tokens` and `lastRefillMs`; a caller reads it, computes the refill from
 * the elapsed time (the stored state is all there is, nothing ticks), and writes the result back
 * on the condition that its `version` is unchanged (optimistic concurrency). A caller that loses
 * the race retries after a random pause; one that finds too few tokens sleeps exactly until the
 * next token is due (computed, not polled), plus a jitter of up to one token interval so that
 * waiting containers do not all wake at once.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { systemClock, type Clock, type RandomSource } from '../resilience/clock.js';
import { errorCodeOf } from '../resilience/error-classification.js';
import { RateLimitTimeoutError, ResilienceConfigError } from '../resilience/errors.js';
import type { AcquireOptions, Limiter } from '../resilience/token-bucket.js';
import { DRS_TABLE_PARTITION_KEY, DRS_TABLE_TTL_ATTRIBUTE } from './contract.js';
import { DrsStateCorruptError } from './errors.js';

export interface SharedTokenBucketOptions {
  /** DynamoDB client with the resilience layer attached (its own, generous, limiter). */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Item key, e.g. `limiter#drs#<account>#<region>`; one bucket per key. */
  readonly key: string;
  /** Tokens per second for the whole account. */
  readonly ratePerSecond: number;
  /** Most tokens the bucket holds (the burst). */
  readonly capacity: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default Math.random */
  readonly random?: RandomSource;
  /** Longest pause after a lost race, doubled per consecutive loss up to this. @default 100 */
  readonly maxContentionBackoffMs?: number;
  /** Shows up in errors. @default key */
  readonly name?: string;
}

interface BucketState {
  readonly version: number;
  readonly tokens: number;
  readonly lastRefillMs: number;
}

const EPSILON = 1e-9;
const TOKENS = 'tokens';
const LAST_REFILL = 'lastRefillMs';
const VERSION = 'version';
/** An idle bucket item is deleted by TTL after a day: it would be full again anyway. */
const IDLE_TTL_SECONDS = 86_400;

/** Counters for benchmarks and tests. */
export interface SharedTokenBucketStats {
  readonly grants: number;
  /** Conditional writes lost to another container. */
  readonly contentions: number;
  /** Sleeps until the next token. */
  readonly waits: number;
}

export class SharedTokenBucket implements Limiter {
  readonly name: string;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly maxBackoffMs: number;
  private stats_ = { grants: 0, contentions: 0, waits: 0 };

  constructor(private readonly options: SharedTokenBucketOptions) {
    for (const field of ['ratePerSecond', 'capacity'] as const) {
      const value = options[field];
      if (!(Number.isFinite(value) && value > 0)) {
        throw new ResilienceConfigError(
          `SharedTokenBucket '${options.key}': ${field} must be a number > 0, got ${String(value)}.`,
        );
      }
    }
    this.name = options.name ?? options.key;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.maxBackoffMs = options.maxContentionBackoffMs ?? 100;
  }

  stats(): SharedTokenBucketStats {
    return { ...this.stats_ };
  }

  async acquire(options: AcquireOptions = {}): Promise<number> {
    const { timeoutMs, signal, tokens = 1 } = options;
    const { capacity, ratePerSecond } = this.options;
    if (!(Number.isFinite(tokens) && tokens > 0 && tokens <= capacity)) {
      throw new ResilienceConfigError(
        `SharedTokenBucket '${this.name}': tokens must be > 0 and <= capacity (${capacity}), ` +
          `got ${String(tokens)}.`,
      );
    }
    const startedAt = this.clock.now();
    let losses = 0;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const state = await this.read();
      const now = this.clock.now();
      const available = refilled(state, now, ratePerSecond, capacity);
      if (available + EPSILON >= tokens) {
        const next: BucketState = {
          version: state.version + 1,
          tokens: Math.max(0, available - tokens),
          // Never backwards: a container whose clock lags must not re-grant refilled time.
          lastRefillMs: Math.max(now, state.lastRefillMs),
        };
        if (await this.write(state.version, next)) {
          this.stats_.grants += 1;
          return this.clock.now() - startedAt;
        }
        this.stats_.contentions += 1;
        losses += 1;
        const ceiling = Math.min(this.maxBackoffMs, 2 ** Math.min(losses, 10));
        await this.pause(this.random() * ceiling, startedAt, timeoutMs, tokens, signal);
        continue;
      }
      losses = 0;
      this.stats_.waits += 1;
      const untilNext = Math.ceil(((tokens - available) / ratePerSecond) * 1000);
      const spread = this.random() * (1000 / ratePerSecond);
      await this.pause(untilNext + spread, startedAt, timeoutMs, tokens, signal);
    }
  }

  /** Sleeps `ms`, unless that would pass the caller's timeout: then fails at once. */
  private async pause(
    ms: number,
    startedAt: number,
    timeoutMs: number | undefined,
    tokens: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const waited = this.clock.now() - startedAt;
    if (timeoutMs !== undefined && waited + ms > timeoutMs) {
      throw new RateLimitTimeoutError({
        limiterName: this.name,
        timeoutMs,
        waitedMs: waited,
        tokens,
      });
    }
    await this.clock.sleep(Math.ceil(ms), signal);
  }

  private async read(): Promise<BucketState> {
    const { client, tableName, key, capacity } = this.options;
    const output = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { [DRS_TABLE_PARTITION_KEY]: { S: key } },
        ConsistentRead: true,
      }),
    );
    const item = output.Item;
    // No item yet (or deleted by TTL after a quiet day): a full bucket.
    if (item === undefined) return { version: 0, tokens: capacity, lastRefillMs: 0 };
    const state = {
      version: Number(item[VERSION]?.N),
      tokens: Number(item[TOKENS]?.N),
      lastRefillMs: Number(item[LAST_REFILL]?.N),
    };
    if (
      !Number.isInteger(state.version) ||
      state.version < 1 ||
      !Number.isFinite(state.tokens) ||
      state.tokens < 0 ||
      !Number.isFinite(state.lastRefillMs)
    ) {
      throw new DrsStateCorruptError(
        tableName,
        key,
        `expected whole ${VERSION} >= 1, ${TOKENS} >= 0 and ${LAST_REFILL}, got ` +
          JSON.stringify(state),
      );
    }
    return state;
  }

  private async write(expectedVersion: number, next: BucketState): Promise<boolean> {
    const { client, tableName, key } = this.options;
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            [DRS_TABLE_PARTITION_KEY]: { S: key },
            [VERSION]: { N: String(next.version) },
            [TOKENS]: { N: String(next.tokens) },
            [LAST_REFILL]: { N: String(next.lastRefillMs) },
            [DRS_TABLE_TTL_ATTRIBUTE]: {
              N: String(Math.ceil(next.lastRefillMs / 1000) + IDLE_TTL_SECONDS),
            },
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

/** Tokens in the bucket at `now`: stored tokens plus the refill since the last grant. */
export function refilled(
  state: Pick<BucketState, 'tokens' | 'lastRefillMs'>,
  now: number,
  ratePerSecond: number,
  capacity: number,
): number {
  const elapsed = Math.max(0, now - state.lastRefillMs);
  return Math.min(capacity, state.tokens + (elapsed * ratePerSecond) / 1000);
}

/** Key of the shared limiter item of an (account, region). */
export function limiterKey(accountKey: string, region: string): string {
  return `limiter#drs#${accountKey}#${region}`;
}
