import { S3ServiceException } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { RetryExhaustedError } from '../../../src/resilience/errors.js';
import { S3Model } from '../../../src/simulation/models/s3.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';
import {
  StageAccessDeniedError,
  StageInputNotFoundError,
  StageInputTooLargeError,
  StageStorageFailedError,
  WorkflowBucketNotFoundError,
  WorkflowError,
} from '../../../src/workflow/errors.js';
import { simulatedS3Client } from '../../../src/workflow/stage-simulation.js';
import { StageStore, storageErrorOf } from '../../../src/workflow/stage-store.js';

const location = { bucket: 'b-bucket', key: 'executions/e/s/output.json' };

function sdkError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

describe('workflow stage store: S3 errors become typed errors', () => {
  it('tells 404 NoSuchKey / NotFound (input), NoSuchBucket and 403 apart', () => {
    // Assess
    expect(storageErrorOf(sdkError('NoSuchKey', 404), location, 'read')).toBeInstanceOf(
      StageInputNotFoundError,
    );
    expect(storageErrorOf(sdkError('NotFound', 404), location, 'read')).toBeInstanceOf(
      StageInputNotFoundError,
    );
    expect(storageErrorOf(sdkError('NoSuchBucket', 404), location, 'write')).toBeInstanceOf(
      WorkflowBucketNotFoundError,
    );
    const denied = storageErrorOf(sdkError('Forbidden', 403), location, 'write');
    expect(denied).toBeInstanceOf(StageAccessDeniedError);
    expect(denied.message).toContain('s3:PutObject');
    expect(storageErrorOf(sdkError('AccessDenied', 403), location, 'read').message).toContain(
      's3:GetObject',
    );
  });

  it('marks retry exhaustion and 5xx as transient, other failures as permanent', () => {
    // Prepare
    const exhausted = new RetryExhaustedError({
      operation: 'GetObject',
      attempts: 4,
      totalRetryDelayMs: 900,
      lastErrorCode: 'SlowDown',
      lastError: sdkError('SlowDown', 503),
    });
    // Act
    const slow = storageErrorOf(exhausted, location, 'read') as StageStorageFailedError;
    const internal = storageErrorOf(
      sdkError('InternalError', 500),
      location,
      'write',
    ) as StageStorageFailedError;
    const invalid = storageErrorOf(
      sdkError('InvalidArgument', 400),
      location,
      'write',
    ) as StageStorageFailedError;
    const odd = storageErrorOf('boom', location, 'read') as StageStorageFailedError;
    // Assess
    expect(slow).toMatchObject({ transient: true, s3Code: 'SlowDown' });
    expect(slow.message).toContain('4 attempt(s)');
    expect(internal).toMatchObject({ transient: true, s3Code: 'InternalError' });
    expect(invalid).toMatchObject({ transient: false, s3Code: 'InvalidArgument' });
    expect(invalid.message).toContain('(400)');
    expect(odd).toBeInstanceOf(StageStorageFailedError);
    expect(odd.message).toContain('boom');
    const own = new WorkflowError('already typed');
    expect(storageErrorOf(own, location, 'read')).toBe(own);
  });

  it('a NotFound on write is not a missing input', () => {
    // Assess
    expect(storageErrorOf(sdkError('NotFound', 404), location, 'write')).toBeInstanceOf(
      StageStorageFailedError,
    );
  });
});

describe('workflow stage store: formats and settings', () => {
  const models: S3Model[] = [];
  afterEach(() => {
    for (const m of models.splice(0)) m.dispose();
  });
  function store() {
    const clock = VirtualClock.create({ start: 0 });
    const model = new S3Model({ clock, buckets: ['b-bucket'] });
    models.push(model);
    return { model, store: new StageStore(simulatedS3Client(model, { clock })) };
  }
  async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const item of source) out.push(item);
    return out;
  }

  it('reads JSON Lines whole as an array, and a text/plain document whole when streaming', async () => {
    // Prepare
    const { model, store: s } = store();
    await model.putText('b-bucket', 'lines', '1\n2\n', 'application/x-ndjson; charset=utf-8');
    await model.putText('b-bucket', 'doc', '{"a":[1]}', 'text/plain');
    // Act
    const whole = await s.readJson({ bucket: 'b-bucket', key: 'lines' });
    const doc = await collect(s.readRecords({ bucket: 'b-bucket', key: 'doc' }));
    // Assess
    expect(whole).toEqual([1, 2]);
    expect(doc).toEqual([{ a: [1] }]);
  });

  it('refuses multipart settings S3 would reject', () => {
    // Prepare
    const { model } = store();
    const client = simulatedS3Client(model, { clock: VirtualClock.create({ start: 0 }) });
    // Assess
    expect(() => new StageStore(client, { partSizeBytes: 1024 })).toThrow(/5 MiB/);
    expect(() => new StageStore(client, { queueSize: 0 })).toThrow(/queueSize/);
  });

  it('an input too large to hold whole fails with StageInputTooLargeError, not a format error', async () => {
    // Prepare
    const { model, store: s } = store();
    await model.putText('b-bucket', 'huge', '[1]', 'application/json');
    // What Node throws from Buffer#toString past V8's string limit.
    const tooLong = Object.assign(
      new Error('Cannot create a string longer than 0x1fffffe8 characters'),
      {
        code: 'ERR_STRING_TOO_LONG',
      },
    );
    const original = JSON.parse;
    JSON.parse = () => {
      throw tooLong;
    };
    // Act
    const error = await s.readJson({ bucket: 'b-bucket', key: 'huge' }).catch((e: unknown) => e);
    JSON.parse = original;
    // Assess
    expect(error).toBeInstanceOf(StageInputTooLargeError);
    expect((error as Error).cause).toBe(tooLong);
    expect((error as Error).message).toContain('streamingStage');
  });
});
