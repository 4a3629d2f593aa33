import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DRS_TABLE_PARTITION_KEY,
  DRS_TABLE_TTL_ATTRIBUTE,
} from '../../src/disaster-recovery/contract.js';
import { DrsStateCorruptError } from '../../src/disaster-recovery/errors.js';
import {
  DynamoDbLeaseBackend,
  InMemoryLeaseBackend,
  leaseKey,
} from '../../src/disaster-recovery/lease-store.js';
import { DynamoDbModel } from '../../src/simulation/models/dynamodb.js';
import { createSimulatedClient } from '../../src/simulation/sdk-mount.js';
import { DEFAULT_START_TIME, VirtualClock } from '../../src/simulation/virtual-clock.js';

const KEY = leaseKey('self', 'us-east-1');
const EXPIRY = DEFAULT_START_TIME + 86_400_000;
const lease = { id: 'l1', sourceServerIds: ['s-1'], expiresAtMs: EXPIRY };

function dynamo() {
  const clock = VirtualClock.create();
  const model = new DynamoDbModel({ clock, region: 'us-east-1', accountId: '123456789012' });
  model.createTable({
    name: 'leases',
    partitionKey: { name: DRS_TABLE_PARTITION_KEY, type: 'S' },
    ttl: { attributeName: DRS_TABLE_TTL_ATTRIBUTE },
  });
  const client = createSimulatedClient(DynamoDBClient, { region: 'us-east-1' }, model, {
    exceptions: dynamodbSdk,
  });
  return { clock, model, client, backend: new DynamoDbLeaseBackend(client, 'leases') };
}

describe.each([
  [
    'in memory',
    () => ({
      run: <T>(f: () => Promise<T>) => f(),
      backend: new InMemoryLeaseBackend(),
    }),
  ],
  [
    'DynamoDB',
    () => {
      const { clock, backend } = dynamo();
      return { run: <T>(f: () => Promise<T>) => clock.run(f), backend: backend };
    },
  ],
])('lease-store: %s backend', (_name, make) => {
  it('starts empty, and each write must name the version it read', async () => {
    // Prepare
    const { run, backend } = make();

    // Act
    const empty = await run(() => backend.read(KEY));
    const first = await run(() => backend.write(KEY, 0, [lease]));
    const again = await run(() => backend.write(KEY, 0, []));
    const stored = await run(() => backend.read(KEY));
    const second = await run(() => backend.write(KEY, 1, []));
    const last = await run(() => backend.read(KEY));

    // Assess
    expect(empty).toEqual({ version: 0, leases: [] });
    expect([first, again, second]).toEqual([true, false, true]);
    expect(stored).toEqual({ version: 1, leases: [lease] });
    expect(last).toEqual({ version: 2, leases: [] });
  });

  it('of two writers that read the same version, exactly one wins', async () => {
    const { run, backend } = make();
    const results = await run(() =>
      Promise.all([
        backend.write(KEY, 0, [lease]),
        backend.write(KEY, 0, [{ ...lease, id: 'l2' }]),
      ]),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('lease-store: DynamoDB item', () => {
  it('sets a TTL an hour past the latest lease, none without leases', async () => {
    const { clock, model, backend } = dynamo();
    const later = EXPIRY + 100_000;
    await clock.run(() =>
      backend.write(KEY, 0, [lease, { ...lease, id: 'l2', expiresAtMs: later }]),
    );
    const item = model.item('leases', { [DRS_TABLE_PARTITION_KEY]: { S: KEY } });
    expect(item?.[DRS_TABLE_TTL_ATTRIBUTE]).toEqual({ N: String(later / 1000 + 3600) });
    await clock.run(() => backend.write(KEY, 1, []));
    const idle = model.item('leases', { [DRS_TABLE_PARTITION_KEY]: { S: KEY } });
    expect(idle?.[DRS_TABLE_TTL_ATTRIBUTE]).toBeUndefined();
  });

  it.each([
    [{ version: { N: '0' }, leases: { S: '[]' } }, /no whole version/],
    [{ version: { N: '1' } }, /no whole version/],
    [{ version: { N: '1' }, leases: { S: '{' } }, /not JSON/],
    [{ version: { N: '1' }, leases: { S: '[{"id":1}]' } }, /leases:/],
  ])('refuses an item it did not write (%j)', async (attributes, message) => {
    const { clock, client, backend } = dynamo();
    await clock.run(() =>
      client.send(
        new PutItemCommand({
          TableName: 'leases',
          Item: { [DRS_TABLE_PARTITION_KEY]: { S: KEY }, ...attributes },
        }),
      ),
    );
    const error = await clock.run(() => backend.read(KEY)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrsStateCorruptError);
    expect((error as Error).message).toMatch(message);
  });

  it('passes errors other than a lost condition through', async () => {
    const { clock, client } = dynamo();
    const missing = new DynamoDbLeaseBackend(client, 'missing');
    const error = await clock.run(() => missing.write(KEY, 0, [])).catch((e: unknown) => e);
    expect((error as Error).name).toBe('ResourceNotFoundException');
  });
});
