import * as s3Sdk from '@aws-sdk/client-s3';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import { DAY_MS, lifecycleDueTime } from '../../../src/simulation/models/s3-lifecycle.js';
import { S3Model } from '../../../src/simulation/models/s3.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

const BUCKET = 'workflow-bucket';
// 2025-01-01 10:30 UTC
const START = Date.UTC(2025, 0, 1, 10, 30);
const models: S3Model[] = [];

afterEach(() => {
  for (const model of models.splice(0)) model.dispose();
});

function setup() {
  const clock = VirtualClock.create({ start: START });
  const s3 = new S3Model({ clock, buckets: [BUCKET] });
  models.push(s3);
  const client = createSimulatedClient(S3Client, { maxAttempts: 1 }, s3, { exceptions: s3Sdk });
  return { clock, s3, client };
}

describe('simulation: S3 lifecycle timing', () => {
  it("rounds creation + N days up to the next midnight UTC (S3's documented example)", () => {
    // 2014-01-15 10:30 UTC + 3 days → eligible 2014-01-19 00:00 UTC.
    expect(new Date(lifecycleDueTime(Date.UTC(2014, 0, 15, 10, 30), 3)).toISOString()).toBe(
      '2014-01-19T00:00:00.000Z',
    );
    // Created exactly at midnight: N whole days later.
    expect(lifecycleDueTime(Date.UTC(2025, 0, 1), 7)).toBe(Date.UTC(2025, 0, 8));
  });

  it('is a midnight UTC at least N days and less than N + 1 days after creation', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.integer({ min: 1, max: 3650 }),
        (created, days) => {
          const due = lifecycleDueTime(created, days);
          expect(due % DAY_MS).toBe(0);
          expect(due).toBeGreaterThanOrEqual(created + days * DAY_MS);
          expect(due).toBeLessThan(created + (days + 1) * DAY_MS);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('simulation: S3 lifecycle rules', () => {
  it('expires objects under the prefix at the rounded time; other keys stay', async () => {
    // Prepare
    const { clock, s3, client } = setup();
    s3.setLifecycleRules(BUCKET, [{ id: 'executions', prefix: 'executions/', expirationDays: 7 }]);
    for (const key of ['executions/a/etl/output.json', 'scripts/job.py', 'executionsX/keep']) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
    }
    const due = Date.UTC(2025, 0, 9); // 7 days after 10:30, rounded up to midnight

    // Act: one millisecond before, then at the due time.
    await clock.advance(due - START - 1);
    const before = s3.keys(BUCKET);
    await clock.advance(1);

    // Assess
    expect(before).toContain('executions/a/etl/output.json');
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['executionsX/keep', 'scripts/job.py']);
    await expect(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'executions/a/etl/output.json' })),
    ).rejects.toBeInstanceOf(NoSuchKey);
    expect(s3.info(BUCKET, 'executions/a/etl/output.json')).toBeUndefined();
  });

  it('counts from the last write: an overwritten object lives on', async () => {
    const { clock, s3, client } = setup();
    s3.setLifecycleRules(BUCKET, [{ prefix: '', expirationDays: 1 }]);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'v1' }));
    await clock.advance(12 * 60 * 60 * 1000); // 22:30 the same day
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'v2' }));
    await clock.advance(2 * 60 * 60 * 1000); // 00:30 next day: v1 would be due at 00:00 on day 3
    expect(await s3.readText(BUCKET, 'k')).toBe('v2');
    await clock.advance(2 * DAY_MS);
    expect(await s3.readText(BUCKET, 'k')).toBeUndefined();
  });

  it('aborts incomplete multipart uploads after their days', async () => {
    const { clock, s3, client } = setup();
    s3.setLifecycleRules(BUCKET, [{ prefix: '', abortIncompleteMultipartUploadDays: 1 }]);
    await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'big' }));
    expect(s3.pendingUploads()).toHaveLength(1);
    await clock.advance(DAY_MS);
    expect(s3.pendingUploads()).toHaveLength(1);
    await clock.advance(DAY_MS);
    expect(s3.pendingUploads()).toEqual([]);
    expect(s3.lifecycleRules(BUCKET)).toEqual([
      { prefix: '', abortIncompleteMultipartUploadDays: 1 },
    ]);
    s3.setLifecycleRules(BUCKET, []);
    expect(s3.lifecycleRules(BUCKET)).toEqual([]);
  });

  it('refuses rules S3 would refuse, naming the rule and the fix', () => {
    const { s3 } = setup();
    expect(() =>
      s3.setLifecycleRules(BUCKET, [{ id: 'r1', prefix: 'a/', expirationDays: 0 }]),
    ).toThrow(/rule r1: expirationDays must be a whole number of days ≥ 1/);
    expect(() => s3.setLifecycleRules(BUCKET, [{ prefix: 'a/' }])).toThrow(
      /rule 0: give expirationDays or abortIncompleteMultipartUploadDays/,
    );
    expect(() =>
      s3.setLifecycleRules(BUCKET, [{ prefix: 'a/', abortIncompleteMultipartUploadDays: 1.5 }]),
    ).toThrow(SimulationConfigError);
    expect(() =>
      s3.setLifecycleRules(BUCKET, [{ prefix: 3 as unknown as string, expirationDays: 1 }]),
    ).toThrow(/prefix must be a string/);
    expect(() => s3.setLifecycleRules('nope-bucket', [])).toThrow(/no bucket 'nope-bucket'/);
  });
});
