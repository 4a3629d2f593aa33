/**
 * The stage kit's S3 adapter: reads and writes stage data as JSON or JSON Lines, and turns S3's
 * failures into the kit's typed errors. The client is built through `src/resilience`, so
 * throttling (503 SlowDown) and 5xx are retried there; what reaches this module is either
 * permanent (403, 404) or a retry budget that ran out.
 */
import {
  GetObjectCommand,
  PutObjectCommand,
  type GetObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { classifyError, errorCodeOf, httpStatusOf } from '../resilience/error-classification.js';
import { RetryExhaustedError } from '../resilience/errors.js';
import { StageContentTypes, type JsonValue } from './contract.js';
import {
  StageAccessDeniedError,
  StageInputFormatError,
  StageInputNotFoundError,
  StageInputTooLargeError,
  StageOutputFormatError,
  StageStorageFailedError,
  WorkflowBucketNotFoundError,
  WorkflowError,
  type S3Location,
} from './errors.js';
import { encodeJsonLines, JsonLineError, parseJsonLines } from './json-lines.js';
import { s3Uri } from './paths.js';

/** Multipart settings of streamed outputs. */
export interface MultipartOptions {
  /** Bytes per part, ≥ 5 MiB (S3's minimum for all parts but the last). @default 8 MiB */
  readonly partSizeBytes?: number;
  /** Parts in flight at once; memory is about partSize × (queueSize + 1). @default 2 */
  readonly queueSize?: number;
}

export const DEFAULT_PART_SIZE_BYTES = 8 * 1024 * 1024;
export const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;
export const DEFAULT_QUEUE_SIZE = 2;

/** Maps an S3 (or resilience) error to the kit's typed error for `location`. */
export function storageErrorOf(
  error: unknown,
  location: S3Location,
  operation: 'read' | 'write',
): WorkflowError {
  if (error instanceof WorkflowError) return error;
  const code = errorCodeOf(error);
  const status = httpStatusOf(error);
  if (operation === 'read' && (code === 'NoSuchKey' || (code === 'NotFound' && status === 404))) {
    return new StageInputNotFoundError(location, { cause: error });
  }
  if (code === 'NoSuchBucket') return new WorkflowBucketNotFoundError(location, { cause: error });
  if (code === 'AccessDenied' || status === 403) {
    return new StageAccessDeniedError(location, operation, { cause: error });
  }
  if (error instanceof RetryExhaustedError) {
    return new StageStorageFailedError(
      location,
      error.lastErrorCode,
      true,
      `Could not ${operation} ${s3Uri(location)}: S3 kept failing transiently ` +
        `(${error.lastErrorCode ?? 'unknown'}) for ${error.attempts} attempt(s). The workflow's ` +
        'retry will try again; if it persists, lower the request rate (503 SlowDown) or spread ' +
        'keys across prefixes.',
      { cause: error },
    );
  }
  const transient = classifyError(error).retryable;
  return new StageStorageFailedError(
    location,
    code,
    transient,
    `Could not ${operation} ${s3Uri(location)}: ${code ?? 'error'}${status ? ` (${status})` : ''}: ` +
      `${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

function formatError(location: S3Location, error: unknown): WorkflowError {
  if (error instanceof WorkflowError) return error;
  // Node's ERR_STRING_TOO_LONG ("Cannot create a string longer than ...") and V8's RangeErrors
  // ("Invalid array length") say the input is too big to hold whole, not that it is malformed.
  if (error instanceof RangeError || errorCodeOf(error) === 'ERR_STRING_TOO_LONG') {
    return new StageInputTooLargeError(location, { cause: error });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new StageInputFormatError(
    location,
    `Stage input ${s3Uri(location)} cannot be read: ${detail}. The previous stage must write ` +
      'JSON (application/json) or JSON Lines (application/x-ndjson).',
    { cause: error },
  );
}

function isJsonLines(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim() === StageContentTypes.jsonLines;
}

export class StageStore {
  private readonly partSizeBytes: number;
  private readonly queueSize: number;

  constructor(
    private readonly s3: S3Client,
    multipart: MultipartOptions = {},
  ) {
    this.partSizeBytes = multipart.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES;
    this.queueSize = multipart.queueSize ?? DEFAULT_QUEUE_SIZE;
    if (!Number.isInteger(this.partSizeBytes) || this.partSizeBytes < MIN_PART_SIZE_BYTES) {
      throw new WorkflowError(
        `multipart.partSizeBytes must be a whole number ≥ ${MIN_PART_SIZE_BYTES} (S3's 5 MiB ` +
          `minimum part), got ${String(multipart.partSizeBytes)}.`,
      );
    }
    if (!Number.isInteger(this.queueSize) || this.queueSize < 1) {
      throw new WorkflowError(
        `multipart.queueSize must be a whole number ≥ 1, got ${String(multipart.queueSize)}.`,
      );
    }
  }

  private async get(location: S3Location): Promise<GetObjectCommandOutput> {
    try {
      return await this.s3.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
      );
    } catch (error) {
      throw storageErrorOf(error, location, 'read');
    }
  }

  /**
   * The object as one JSON value. A JSON Lines object becomes the array of its records (the
   * previous stage streamed; this one asked for the whole).
   */
  async readJson(location: S3Location): Promise<JsonValue> {
    const object = await this.get(location);
    try {
      if (isJsonLines(object.ContentType)) {
        const records: JsonValue[] = [];
        for await (const record of parseJsonLines(object.Body as Readable)) records.push(record);
        return records;
      }
      const text = (await object.Body?.transformToString('utf-8')) ?? '';
      return JSON.parse(text) as JsonValue;
    } catch (error) {
      throw formatError(location, error);
    }
  }

  /**
   * The object's records, one at a time. A JSON object (from a stage that wrote JSON) is read
   * whole, which is safe because that stage held it in memory too: an array yields its
   * elements, any other value is one record.
   */
  async *readRecords(location: S3Location): AsyncGenerator<JsonValue> {
    const object = await this.get(location);
    try {
      if (!isJsonLines(object.ContentType) && object.ContentType !== undefined) {
        const value = JSON.parse(
          (await object.Body?.transformToString('utf-8')) ?? '',
        ) as JsonValue;
        if (Array.isArray(value)) yield* value as JsonValue[];
        else yield value;
        return;
      }
      yield* parseJsonLines(object.Body as Readable);
    } catch (error) {
      throw formatError(location, error);
    }
  }

  /** Writes `value` as one JSON document (overwriting: keys are deterministic). */
  async writeJson(location: S3Location, value: unknown): Promise<void> {
    let body: string | undefined;
    try {
      body = JSON.stringify(value);
    } catch (error) {
      throw new StageOutputFormatError(
        `The stage's output cannot be written as JSON: ${(error as Error).message}.`,
        { cause: error },
      );
    }
    if (body === undefined) {
      throw new StageOutputFormatError(
        `The stage returned ${typeof value}, which has no JSON form: return a JSON value (null included).`,
      );
    }
    await this.putObject(location, body, StageContentTypes.json);
  }

  /** Writes a small text object (the `StageResult`). */
  async putObject(location: S3Location, body: string, contentType: string): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: location.bucket,
          Key: location.key,
          Body: body,
          ContentType: contentType,
        }),
      );
    } catch (error) {
      throw storageErrorOf(error, location, 'write');
    }
  }

  /**
   * Streams `records` to `location` as JSON Lines with a multipart upload (a single PUT when
   * the whole fits in one part). Memory stays about partSize × (queueSize + 1) whatever the
   * size. On failure lib-storage aborts the upload, so no parts are left behind.
   */
  async writeRecords(
    location: S3Location,
    records: AsyncIterable<unknown> | Iterable<unknown>,
  ): Promise<void> {
    let encodingError: unknown;
    async function* body(): AsyncGenerator<Buffer> {
      try {
        yield* encodeJsonLines(records);
      } catch (error) {
        encodingError = error;
        throw error;
      }
    }
    const upload = new Upload({
      client: this.s3,
      params: {
        Bucket: location.bucket,
        Key: location.key,
        Body: Readable.from(body()),
        ContentType: StageContentTypes.jsonLines,
      },
      partSize: this.partSizeBytes,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      if (encodingError !== undefined) {
        if (encodingError instanceof JsonLineError) {
          throw new StageOutputFormatError(`The stage's output ${encodingError.message}.`, {
            cause: encodingError,
          });
        }
        throw encodingError instanceof Error
          ? encodingError
          : new Error(JSON.stringify(encodingError));
      }
      throw storageErrorOf(error, location, 'write');
    }
  }
}
