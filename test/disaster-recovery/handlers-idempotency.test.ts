import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DONE_RECORD_RETENTION_MS,
  DynamoDbIdempotencyStore,
  IdempotencyRecordError,
  InMemoryIdempotencyStore,
  chunkPlanOf,
  idempotencyKey,
  type IdempotencyStore,
} from '../../src/disaster-recovery/handlers/idempotency.js';
import { DynamoDbModel } from '../../src/simulation/models/dynamodb.js';
import { createSimulatedClient } from '../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';

const TABLE = 'drs-leases';

function dynamoDbStore(): {
  store: DynamoDbIdempotencyStore;
  client: DynamoDBClient;
  clock: VirtualClock;
} {
  const clock = VirtualClock.create();
  const model = new DynamoDbModel({ clock, region: 'us-east-1' });
  model.createTable({
    name: TABLE,
    partitionKey: { name: 'pk', type: 'S' },
    ttl: { attributeName: 'expiresAt' },
  });
  const client = createSimulatedClient(DynamoDBClient, { region: 'us-east-1' }, model, {
    exceptions: dynamodbSdk,
  });
  return { store: new DynamoDbIdempotencyStore(client, TABLE), client, clock };
}

/** A store, how to run calls on it, and `at(ms)`: a time `ms` after the test's start. */
interface Subject {
  readonly store: IdempotencyStore;
  readonly run: <T>(f: () => Promise<T>) => Promise<T>;
  readonly at: (ms: number) => number;
}

const stores: [string, () => Subject][] = [
  ['in memory', () => ({ store: new InMemoryIdempotencyStore(), run: (f) => f(), at: (ms) => ms })],
  [
    'in DynamoDB',
    () => {
      const { store, clock } = dynamoDbStore();
      // The model expires items by TTL on its clock: stamp claims in the clock's present.
      const start = clock.now();
      return { store, run: (f) => clock.run(f), at: (ms) => start + ms };
    },
  ],
];

describe.each(stores)('idempotency records %s', (_name, make) => {
  const KEY = 'idem#self#us-east-1#wave-1#0';

  it('records the first chunk plan of a key and answers it to every later delivery', async () => {
    const { store, run, at } = make();
    const first = chunkPlanOf(['s-2', 's-1'], 100);
    await expect(run(() => store.plan('plan#k', first, at(1000)))).resolves.toEqual(first);
    await expect(
      run(() => store.plan('plan#k', chunkPlanOf(['s-1', 's-2'], 40), at(2000))),
    ).resolves.toEqual({ chunkSize: 100, digest: first.digest });
  });

  it('claims a new key, then reports it busy to another owner while the claim lives', async () => {
    const { store, run, at } = make();
    await expect(run(() => store.claim(KEY, 'a', at(1000), 500))).resolves.toEqual({
      kind: 'claimed',
      takeover: false,
    });
    await expect(run(() => store.claim(KEY, 'b', at(1499), 500))).resolves.toEqual({
      kind: 'busy',
      owner: 'a',
      claimExpiresAtMs: at(1500),
    });
  });

  it('lets another owner take over an expired claim', async () => {
    const { store, run, at } = make();
    await run(() => store.claim(KEY, 'a', at(1000), 500));
    await expect(run(() => store.claim(KEY, 'b', at(1500), 500))).resolves.toEqual({
      kind: 'claimed',
      takeover: true,
    });
    // a lost its claim: completing fails, abandoning does nothing to b's claim.
    await expect(run(() => store.complete(KEY, 'a', 'drsjob-1', at(1600)))).rejects.toThrow(
      IdempotencyRecordError,
    );
    await run(() => store.abandon(KEY, 'a'));
    await expect(run(() => store.claim(KEY, 'c', at(1600), 500))).resolves.toMatchObject({
      kind: 'busy',
      owner: 'b',
    });
  });

  it('answers done with the job id forever after completion, to anyone', async () => {
    const { store, run, at } = make();
    await run(() => store.claim(KEY, 'a', at(1000), 500));
    await run(() => store.complete(KEY, 'a', 'drsjob-1', at(1100)));
    for (const [owner, ms] of [
      ['a', 1200],
      ['b', 10_000_000],
    ] as const) {
      await expect(run(() => store.claim(KEY, owner, at(ms), 500))).resolves.toEqual({
        kind: 'done',
        jobId: 'drsjob-1',
      });
    }
    await run(() => store.abandon(KEY, 'a')); // a done record is never abandoned
    await expect(run(() => store.claim(KEY, 'x', at(1300), 500))).resolves.toMatchObject({
      kind: 'done',
    });
  });

  it('frees the key when the owner abandons it', async () => {
    const { store, run, at } = make();
    await run(() => store.claim(KEY, 'a', at(1000), 500));
    await run(() => store.abandon(KEY, 'a'));
    await expect(run(() => store.claim(KEY, 'b', at(1001), 500))).resolves.toEqual({
      kind: 'claimed',
      takeover: false,
    });
  });
  it('expires a claim whose start had an unknown outcome: the next claimer takes it over', async () => {
    const { store, run, at } = make();
    await run(() => store.claim(KEY, 'a', at(1000), 60_000));
    await run(() => store.expire(KEY, 'a', at(1100)));
    await expect(run(() => store.claim(KEY, 'b', at(1100), 60_000))).resolves.toEqual({
      kind: 'claimed',
      takeover: true,
    });
    // a lost its claim: expiring it again does nothing to b's claim.
    await run(() => store.expire(KEY, 'a', at(1200)));
    await expect(run(() => store.claim(KEY, 'c', at(1200), 60_000))).resolves.toMatchObject({
      kind: 'busy',
      owner: 'b',
    });
    // A done record is never expired.
    await run(() => store.complete(KEY, 'b', 'drsjob-1', at(1300)));
    await run(() => store.expire(KEY, 'b', at(1300)));
    await expect(run(() => store.claim(KEY, 'c', at(1400), 60_000))).resolves.toEqual({
      kind: 'done',
      jobId: 'drsjob-1',
    });
  });
});

describe('idempotency records: layout', () => {
  it('keys by account, region, wave and the servers of the chunk, whatever their order', () => {
    const key = idempotencyKey({ region: 'us-east-1' }, 'w1', ['s-2', 's-1']);
    expect(key).toMatch(/^idem#self#us-east-1#w1#[0-9a-f]{32}$/);
    expect(idempotencyKey({ region: 'us-east-1' }, 'w1', ['s-1', 's-2'])).toBe(key);
    expect(idempotencyKey({ region: 'us-east-1' }, 'w1', ['s-1'])).not.toBe(key);
    expect(
      idempotencyKey({ region: 'eu-west-1', accountId: '210987654321' }, 'w1', ['s-1']),
    ).toMatch(/^idem#210987654321#eu-west-1#w1#/);
  });

  it('stores a done record with a TTL a week out, in epoch seconds', async () => {
    const { store, client, clock } = dynamoDbStore();
    const now = clock.now();
    const item = await clock.run(async () => {
      await store.claim('k', 'a', now, 60_000);
      await store.complete('k', 'a', 'drsjob-9', now);
      return (await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'k' } } })))
        .Item;
    });
    expect(item).toMatchObject({
      status: { S: 'done' },
      jobId: { S: 'drsjob-9' },
      expiresAt: { N: String(Math.ceil((now + DONE_RECORD_RETENTION_MS) / 1000)) },
    });
  });

  it('keeps an ended (maybe started) claim as long as a done record', async () => {
    // Prepare: a claim whose start had an unknown outcome, ended a minute later.
    const { store, client, clock } = dynamoDbStore();
    const now = clock.now();
    const item = await clock.run(async () => {
      await store.claim('k', 'a', now, 60_000);
      await store.expire('k', 'a', now + 60_000);
      return (await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'k' } } })))
        .Item;
    });

    // Assess: DynamoDB keeps the record a week from the end of the claim, not an hour.
    expect(item).toMatchObject({
      status: { S: 'in-progress' },
      claimExpiresAtMs: { N: String(now + 60_000) },
      expiresAt: { N: String(Math.ceil((now + 60_000 + DONE_RECORD_RETENTION_MS) / 1000)) },
    });
  });

  it('passes on errors other than a failed condition', async () => {
    const { clock } = dynamoDbStore();
    const model = new DynamoDbModel({ clock, region: 'us-east-1' });
    const client = createSimulatedClient(DynamoDBClient, { region: 'us-east-1' }, model, {
      exceptions: dynamodbSdk,
    });
    const store = new DynamoDbIdempotencyStore(client, 'missing-table');
    await expect(clock.run(() => store.claim('k', 'a', 0, 1))).rejects.toThrow(
      /not found|Requested resource/i,
    );
    await expect(clock.run(() => store.complete('k', 'a', 'j', 0))).rejects.toThrow();
    await expect(clock.run(() => store.abandon('k', 'a'))).rejects.toThrow();
    await expect(clock.run(() => store.expire('k', 'a', 0))).rejects.toThrow();
    await expect(clock.run(() => store.plan('p', chunkPlanOf(['s-1'], 1), 0))).rejects.toThrow();
  });
});
