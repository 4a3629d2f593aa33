import * as s3Sdk from '@aws-sdk/client-s3';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  NoSuchUpload,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import { S3Errors } from '../../../src/simulation/models/s3-errors.js';
import { listPage } from '../../../src/simulation/models/s3-listing.js';
import { SegmentStore } from '../../../src/simulation/models/s3-storage.js';
import { MIN_PART_BYTES, S3Model, type S3ModelOptions } from '../../../src/simulation/models/s3.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

const START = Date.UTC(2025, 0, 1);
const BUCKET = 'workflow-bucket';
const models: S3Model[] = [];

function setup(options: Partial<S3ModelOptions> = {}) {
  const clock = VirtualClock.create({ start: START });
  const s3 = new S3Model({ clock, buckets: [BUCKET], ...options });
  models.push(s3);
  // One attempt: these tests look at each answer, not at the SDK's retries.
  const client = createSimulatedClient(S3Client, { maxAttempts: 1 }, s3, { exceptions: s3Sdk });
  return { clock, s3, client };
}

afterEach(() => {
  for (const model of models.splice(0)) model.dispose();
});

async function failure(promise: Promise<unknown>): Promise<S3ServiceException> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(S3ServiceException);
  return error as S3ServiceException;
}

describe('simulation: S3 objects through the SDK', () => {
  it('round-trips a string body; GetObject returns an SDK stream with metadata', async () => {
    // Prepare
    const { client } = setup();
    // Act
    const put = await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'a/b.json',
        Body: '{"x":1}',
        ContentType: 'application/json',
        Metadata: { stage: 'etl' },
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a/b.json' }));
    // Assess
    expect(put.ETag).toBe(`"${createHash('md5').update('{"x":1}').digest('hex')}"`);
    expect(got.ContentType).toBe('application/json');
    expect(got.ContentLength).toBe(7);
    expect(got.ETag).toBe(put.ETag);
    expect(got.Metadata).toEqual({ stage: 'etl' });
    expect(got.LastModified).toEqual(new Date(START));
    expect(await got.Body?.transformToString()).toBe('{"x":1}');
  });

  it('gives a body that supports transformToByteArray, async iteration and web streams', async () => {
    // Prepare
    const { client } = setup();
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: Buffer.from('héllo') }),
    );
    const get = () => client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k' }));
    // Act
    const bytes = await (await get()).Body?.transformToByteArray();
    const chunks: Buffer[] = [];
    for await (const chunk of (await get()).Body as Readable) chunks.push(chunk as Buffer);
    const web = (await get()).Body?.transformToWebStream();
    const webText = await new Response(web as ReadableStream).text();
    // Assess
    expect(Buffer.from(bytes ?? []).toString('utf8')).toBe('héllo');
    expect(Buffer.concat(chunks).toString('utf8')).toBe('héllo');
    expect(webText).toBe('héllo');
  });

  it('accepts stream, iterable and empty bodies; HEAD reports size and type', async () => {
    // Prepare
    const { client, s3 } = setup();
    // Act
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'stream', Body: Readable.from(['ab', 'cd']) }),
    );
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'empty', Body: '' }));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'stream' }));
    // Assess
    expect(await s3.readText(BUCKET, 'stream')).toBe('abcd');
    expect(head.ContentLength).toBe(4);
    expect(head.ContentType).toBe('binary/octet-stream');
    expect(s3.info(BUCKET, 'empty')?.size).toBe(0);
    expect(await s3.readText(BUCKET, 'empty')).toBe('');
  });

  it('answers a missing key with NoSuchKey 404 (GET) and NotFound 404 (HEAD)', async () => {
    // Prepare
    const { client } = setup();
    // Act
    const get = await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'nope' })));
    const head = await failure(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'nope' })));
    // Assess
    expect(get).toBeInstanceOf(NoSuchKey);
    expect(get.$metadata.httpStatusCode).toBe(404);
    expect(head).toBeInstanceOf(NotFound);
    expect(head.$metadata.httpStatusCode).toBe(404);
  });

  it('answers a missing bucket with NoSuchBucket 404', async () => {
    // Prepare
    const { client } = setup();
    // Act
    const error = await failure(
      client.send(new PutObjectCommand({ Bucket: 'other-bucket', Key: 'k', Body: 'x' })),
    );
    const head = await failure(client.send(new HeadBucketCommand({ Bucket: 'other-bucket' })));
    // Assess
    expect(error).toBeInstanceOf(NoSuchBucket);
    expect(error.$metadata.httpStatusCode).toBe(404);
    expect(head.name).toBe('NoSuchBucket');
    await expect(client.send(new HeadBucketCommand({ Bucket: BUCKET }))).resolves.toMatchObject({
      BucketRegion: 'us-east-1',
    });
  });

  it('denies requests a deny rule matches with AccessDenied 403, until the rule is removed', async () => {
    // Prepare
    const { client, s3 } = setup();
    await s3.putText(BUCKET, 'secret/x', 'x');
    const remove = s3.deny(
      (request) => request.action === 's3:GetObject' && request.key?.startsWith('secret/') === true,
    );
    // Act
    const denied = await failure(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'secret/x' })),
    );
    remove();
    const allowed = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'secret/x' }));
    // Assess
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(await allowed.Body?.transformToString()).toBe('x');
  });

  it('throttles with 503 SlowDown past the request rate, and on failNext', async () => {
    // Prepare
    const { client, s3 } = setup({ requestRates: { write: { ratePerSecond: 1, burst: 1 } } });
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a', Body: 'x' }));
    // Act
    const throttled = await failure(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'b', Body: 'x' })),
    );
    s3.failNext(1, S3Errors.slowDown, { operation: 'GetObject' });
    const faulted = await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a' })));
    // Assess
    expect(throttled.name).toBe('SlowDown');
    expect(throttled.$metadata.httpStatusCode).toBe(503);
    expect(faulted.name).toBe('SlowDown');
    expect(s3.stats().total.throttled).toBeGreaterThanOrEqual(1);
  });

  it('deletes one object, a batch (reporting denied keys), and deleting a missing key succeeds', async () => {
    // Prepare
    const { client, s3 } = setup();
    for (const key of ['a', 'b', 'c', 'keep']) await s3.putText(BUCKET, key, key);
    s3.deny((request) => request.operation === 'DeleteObjects' && request.key === 'c');
    // Act
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'a' }));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'never-was' }));
    const batch = await client.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: 'b' }, { Key: 'c' }] },
      }),
    );
    const empty = await failure(
      client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [] } })),
    );
    // Assess
    expect(batch.Deleted).toEqual([{ Key: 'b' }]);
    expect(batch.Errors).toEqual([{ Key: 'c', Code: 'AccessDenied', Message: 'Access Denied' }]);
    expect(empty.name).toBe('MalformedXML');
    expect(s3.keys(BUCKET)).toEqual(['c', 'keep']);
  });

  it('rejects an empty key and an invalid bucket name', async () => {
    // Prepare
    const { client, s3 } = setup();
    // Act
    const error = await failure(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: '', Body: 'x' })),
    );
    // Assess
    expect(error.name).toBe('InvalidArgument');
    expect(() => s3.createBucket('Bad_Name')).toThrow(SimulationConfigError);
    expect(() => s3.createBucket(BUCKET)).toThrow(/already exists/);
  });
});

describe('simulation: S3 ListObjectsV2', () => {
  it('pages with continuation tokens and groups by delimiter', async () => {
    // Prepare
    const { client, s3 } = setup();
    for (const key of [
      'executions/e1/a/output.json',
      'executions/e1/b/output.json',
      'executions/e2/a/output.json',
      'top.txt',
    ]) {
      await s3.putText(BUCKET, key, 'x');
    }
    // Act
    const first = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'executions/', MaxKeys: 2 }),
    );
    const second = await client.send(
      new ListObjectsV2Command({
        Bucket: BUCKET,
        Prefix: 'executions/',
        MaxKeys: 2,
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    const grouped = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'executions/', Delimiter: '/' }),
    );
    const badToken = await failure(
      client.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: 'garbage' })),
    );
    // Assess
    expect(first.Contents?.map((o) => o.Key)).toEqual([
      'executions/e1/a/output.json',
      'executions/e1/b/output.json',
    ]);
    expect(first.IsTruncated).toBe(true);
    expect(second.Contents?.map((o) => o.Key)).toEqual(['executions/e2/a/output.json']);
    expect(second.IsTruncated).toBe(false);
    expect(grouped.CommonPrefixes).toEqual([
      { Prefix: 'executions/e1/' },
      { Prefix: 'executions/e2/' },
    ]);
    expect(grouped.KeyCount).toBe(2);
    expect(badToken.name).toBe('InvalidArgument');
  });

  it('Property: paging through every page lists each key under the prefix exactly once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[a-c/]{1,6}$/), { maxLength: 25 }),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom('', 'a', 'b/'),
        fc.constantFrom(undefined, '/'),
        async (keys, pageSize, prefix, delimiter) => {
          // Prepare
          const { client, s3 } = setup();
          for (const key of keys) await s3.putText(BUCKET, key, 'x');
          // Act
          const seen: string[] = [];
          const prefixes: string[] = [];
          for await (const page of paginateListObjectsV2(
            { client, pageSize },
            { Bucket: BUCKET, Prefix: prefix, Delimiter: delimiter },
          )) {
            expect((page.KeyCount ?? 0) <= pageSize).toBe(true);
            seen.push(...(page.Contents ?? []).map((o) => o.Key as string));
            prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix as string));
          }
          // Assess
          const under = keys.filter((k) => k.startsWith(prefix)).sort();
          const expectedKeys = under.filter(
            (k) => delimiter === undefined || !k.slice(prefix.length).includes('/'),
          );
          const expectedPrefixes = [
            ...new Set(
              under
                .filter((k) => delimiter !== undefined && k.slice(prefix.length).includes('/'))
                .map((k) => prefix + k.slice(prefix.length).split('/')[0] + '/'),
            ),
          ].sort();
          expect(seen).toEqual(expectedKeys);
          expect(prefixes).toEqual(expectedPrefixes);
          s3.dispose();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('starts after StartAfter and caps MaxKeys at 1000', () => {
    // Act
    const page = listPage(['a', 'b', 'c'], {
      prefix: '',
      delimiter: undefined,
      maxKeys: 1000,
      startAfter: 'a',
      continuationToken: undefined,
    });
    // Assess
    expect(page.keys).toEqual(['b', 'c']);
  });
});

describe('simulation: S3 multipart uploads', () => {
  const part = (size: number, fill: number) => Buffer.alloc(size, fill);

  async function start(client: S3Client, key = 'big') {
    const created = await client.send(
      new CreateMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        ContentType: 'application/x-ndjson',
      }),
    );
    return created.UploadId as string;
  }

  it('completes parts into one object with a multipart ETag, kept on disk above the threshold', async () => {
    // Prepare
    const { client, s3 } = setup({ spillThresholdBytes: 1024 });
    const uploadId = await start(client);
    const one = await client.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: 'big',
        UploadId: uploadId,
        PartNumber: 1,
        Body: part(MIN_PART_BYTES, 97),
      }),
    );
    const two = await client.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: 'big',
        UploadId: uploadId,
        PartNumber: 2,
        Body: part(10, 98),
      }),
    );
    // Act
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'big',
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: one.ETag },
            { PartNumber: 2, ETag: two.ETag },
          ],
        },
      }),
    );
    // Assess
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    const info = s3.info(BUCKET, 'big');
    expect(info).toMatchObject({ size: MIN_PART_BYTES + 10, contentType: 'application/x-ndjson' });
    // The 10-byte last part stays under the threshold, in memory.
    expect(info?.bytesOnDisk).toBe(MIN_PART_BYTES);
    const text = (await s3.readText(BUCKET, 'big')) ?? '';
    expect(text.length).toBe(MIN_PART_BYTES + 10);
    expect(text.endsWith('b'.repeat(10))).toBe(true);
    expect(s3.pendingUploads()).toEqual([]);
  });

  it('rejects a non-last part under 5 MiB (EntityTooSmall), bad order, unknown parts and ids', async () => {
    // Prepare
    const { client } = setup();
    const uploadId = await start(client);
    const send = (n: number, body: Buffer) =>
      client.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'big',
          UploadId: uploadId,
          PartNumber: n,
          Body: body,
        }),
      );
    const one = await send(1, part(10, 1));
    const two = await send(2, part(10, 2));
    const complete = (parts: { PartNumber: number; ETag?: string }[]) =>
      failure(
        client.send(
          new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key: 'big',
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        ),
      );
    // Act
    const small = await complete([
      { PartNumber: 1, ETag: one.ETag },
      { PartNumber: 2, ETag: two.ETag },
    ]);
    const order = await complete([
      { PartNumber: 2, ETag: two.ETag },
      { PartNumber: 1, ETag: one.ETag },
    ]);
    const wrongTag = await complete([{ PartNumber: 1, ETag: '"nope"' }]);
    const missing = await complete([{ PartNumber: 3 }]);
    const none = await complete([]);
    const badNumber = await failure(send(10_001, part(1, 1)));
    const unknown = await failure(
      client.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'big',
          UploadId: 'nope',
          PartNumber: 1,
          Body: 'x',
        }),
      ),
    );
    // Assess
    expect(small.name).toBe('EntityTooSmall');
    expect(order.name).toBe('InvalidPartOrder');
    expect(wrongTag.name).toBe('InvalidPart');
    expect(missing.name).toBe('InvalidPart');
    expect(none.name).toBe('MalformedXML');
    expect(badNumber.name).toBe('InvalidArgument');
    expect(unknown).toBeInstanceOf(NoSuchUpload);
    expect(unknown.$metadata.httpStatusCode).toBe(404);
  });

  it('a single small last part is allowed; abort drops parts and frees their files', async () => {
    // Prepare
    const { client, s3 } = setup({ spillThresholdBytes: 0 });
    const uploadId = await start(client);
    const one = await client.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: 'big',
        UploadId: uploadId,
        PartNumber: 1,
        Body: 'tiny',
      }),
    );
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'big',
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: one.ETag }] },
      }),
    );
    const second = await start(client, 'other');
    await client.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: 'other',
        UploadId: second,
        PartNumber: 1,
        Body: 'zz',
      }),
    );
    // Act
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'other', UploadId: second }),
    );
    const again = await failure(
      client.send(
        new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'other', UploadId: second }),
      ),
    );
    // Assess
    expect(await s3.readText(BUCKET, 'big')).toBe('tiny');
    expect(s3.pendingUploads()).toEqual([]);
    expect(again.name).toBe('NoSuchUpload');
    expect(s3.keys(BUCKET)).toEqual(['big']);
  });

  it('works with lib-storage Upload for a multi-part stream', async () => {
    // Prepare
    const { client, s3 } = setup();
    function* body() {
      for (let i = 0; i < 3; i += 1) yield part(4 * 1024 * 1024, 65 + i);
    }
    // Act
    await new Upload({
      client,
      params: { Bucket: BUCKET, Key: 'up', Body: Readable.from(body()) },
      partSize: MIN_PART_BYTES,
      queueSize: 1,
    }).done();
    // Assess
    const info = s3.info(BUCKET, 'up');
    expect(info?.size).toBe(12 * 1024 * 1024);
    expect(info?.etag).toMatch(/-3"$/);
  });
});

describe('simulation: S3 spill storage', () => {
  it('keeps small bodies in memory, large ones in its temp dir, removed by dispose', async () => {
    // Prepare
    const store = new SegmentStore({ spillThresholdBytes: 4 });
    // Act
    const small = await store.ingest('abcd', 100);
    const large = await store.ingest(['abc', 'def'], 100);
    const file = large.segments[0];
    // Assess
    expect(small.segments[0]?.kind).toBe('memory');
    expect(file?.kind).toBe('file');
    const path = file?.kind === 'file' ? file.path : '';
    expect(existsSync(path)).toBe(true);
    const reader = store.open(large.segments);
    store.release(large.segments);
    // An open read survives the object being overwritten/deleted, as on S3.
    expect(Buffer.concat(await reader.toArray()).toString()).toBe('abcdef');
    store.dispose();
    expect(existsSync(path)).toBe(false);
  });

  it('uses a given directory and leaves it; rejects bodies above the limit and bad input', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 's3-test-'));
    const store = new SegmentStore({ spillThresholdBytes: 1, directory: dir });
    // Act
    const stored = await store.ingest(new Uint8Array([1, 2, 3]).buffer, 10);
    // Assess
    expect(readdirSync(dir)).toHaveLength(1);
    await expect(store.ingest('x'.repeat(11), 10)).rejects.toThrow(/larger than 10/);
    expect(readdirSync(dir)).toHaveLength(1);
    await expect(store.ingest(42, 10)).rejects.toThrow(TypeError);
    await expect(store.ingest([42], 10)).rejects.toThrow(TypeError);
    expect(stored.size).toBe(3);
    store.dispose();
    expect(existsSync(dir)).toBe(true);
    rmSync(dir, { recursive: true });
    expect(() => new SegmentStore({ spillThresholdBytes: -1 })).toThrow(SimulationConfigError);
  });

  it('reads Blob bodies', async () => {
    // Prepare
    const store = new SegmentStore();
    // Act
    const stored = await store.ingest(new Blob(['blob!']), 100);
    // Assess
    expect(Buffer.concat(await store.open(stored.segments).toArray()).toString()).toBe('blob!');
  });
});

describe('simulation: S3 edges', () => {
  it('read quotas throttle GET/HEAD/List only; EntityTooLarge above maxPutBytes', async () => {
    // Prepare
    const { client, s3 } = setup({
      requestRates: { read: { ratePerSecond: 1, burst: 1 } },
      maxPutBytes: 4,
    });
    await s3.putText(BUCKET, 'k', 'x');
    await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'k' }));
    // Act
    const throttled = await failure(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k' })),
    );
    const tooLarge = await failure(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big', Body: '12345' })),
    );
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'ok', Body: '1234' }));
    // Assess
    expect(throttled.name).toBe('SlowDown');
    expect(tooLarge.name).toBe('EntityTooLarge');
  });

  it('answers quiet batch deletes, StartAfter, bad MaxKeys, long keys and unknown uploads as S3 does', async () => {
    // Prepare
    const { client, s3 } = setup();
    for (const key of ['a', 'b', 'c']) await s3.putText(BUCKET, key, key);
    // Act
    const quiet = await client.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: 'a' }], Quiet: true },
      }),
    );
    const after = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: 'b' }));
    const badMax = await failure(
      client.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: -1 })),
    );
    const longKey = await failure(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k'.repeat(1025), Body: 'x' })),
    );
    const noUpload = await failure(
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'c',
          UploadId: 'missing',
          MultipartUpload: { Parts: [{ PartNumber: 1 }] },
        }),
      ),
    );
    // Assess
    expect(quiet.Deleted).toBeUndefined();
    expect(quiet.Errors).toEqual([]);
    expect(after).toMatchObject({ StartAfter: 'b', KeyCount: 1 });
    expect(after.Contents?.map((o) => o.Key)).toEqual(['c']);
    expect(badMax.name).toBe('InvalidArgument');
    expect(longKey.name).toBe('KeyTooLongError');
    expect(noUpload.name).toBe('NoSuchUpload');
    expect(() => s3.keys('no-such-bucket')).toThrow(SimulationConfigError);
    expect(await s3.readText(BUCKET, 'missing')).toBeUndefined();
    expect(s3.info(BUCKET, 'missing')).toBeUndefined();
    expect(s3.bucketNames()).toEqual([BUCKET]);
  });

  it('a re-sent part replaces the earlier one; parts left out of Complete are discarded', async () => {
    // Prepare
    const { client, s3 } = setup({ spillThresholdBytes: 0 });
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'm' }),
    );
    const send = (n: number, body: string) =>
      client.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: 'm', UploadId, PartNumber: n, Body: body }),
      );
    await send(1, 'old');
    const one = await send(1, 'new');
    await send(2, 'dropped');
    // Act
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'm',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: one.ETag }] },
      }),
    );
    // Assess
    expect(await s3.readText(BUCKET, 'm')).toBe('new');
    expect(s3.info(BUCKET, 'm')?.contentType).toBe('binary/octet-stream');
  });

  it('the store takes empty bodies and byte chunks, cleans up a file when a spilled body is too large, and refuses use after dispose', async () => {
    // Prepare
    const store = new SegmentStore({ spillThresholdBytes: 2 });
    // Act
    const empty = await store.ingest(undefined, 10);
    const bytes = await store.ingest([new Uint8Array([104, 105])], 10);
    const tooLarge = store.ingest(['abc', 'defghijklmnop'], 10);
    // Assess
    expect(empty).toMatchObject({ size: 0, segments: [] });
    expect(bytes.size).toBe(2);
    await expect(tooLarge).rejects.toThrow(/larger than 10/);
    store.dispose();
    await expect(store.ingest('abcdef', 10)).rejects.toThrow(/disposed/);
  });
});
