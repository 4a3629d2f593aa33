import type {
  AbortMultipartUploadCommandInput,
  AbortMultipartUploadCommandOutput,
  CompleteMultipartUploadCommandInput,
  CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommandInput,
  CreateMultipartUploadCommandOutput,
  DeleteObjectCommandInput,
  DeleteObjectCommandOutput,
  DeleteObjectsCommandInput,
  DeleteObjectsCommandOutput,
  GetObjectCommandInput,
  GetObjectCommandOutput,
  HeadBucketCommandInput,
  HeadBucketCommandOutput,
  HeadObjectCommandInput,
  HeadObjectCommandOutput,
  ListObjectsV2CommandInput,
  ListObjectsV2CommandOutput,
  PutObjectCommandInput,
  PutObjectCommandOutput,
  UploadPartCommandInput,
  UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { createHash } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { SimulationConfigError } from '../errors.js';
import { sequentialUuid } from '../ids.js';
import { OperationTable, type ModelResult } from '../service-model.js';
import { ThrottledServiceModel, type CommonModelOptions } from './model-base.js';
import {
  accessDenied,
  badRequest,
  headNotFound,
  noSuchBucket,
  noSuchKey,
  noSuchUpload,
  S3Errors,
} from './s3-errors.js';
import { compareKeys, listPage, MAX_KEYS_LIMIT } from './s3-listing.js';
import { checkLifecycleRules, earliestDue, type S3LifecycleRule } from './s3-lifecycle.js';
import {
  BodyTooLargeError,
  SegmentStore,
  type IncomingBody,
  type Segment,
  type StoredBody,
} from './s3-storage.js';
import type { QuotaOptions, ThrottlingApiModel } from './throttling-api.js';

/**
 * An Amazon S3 (general purpose buckets) for the workflow kit and its tests: buckets,
 * Put/Get/Head/DeleteObject(s), ListObjectsV2 with paging and delimiters, and multipart uploads
 * with S3's part rules (1–10,000 parts, every part but the last ≥ 5 MiB, ascending order,
 * matching ETags). Errors carry S3's codes and statuses: NoSuchBucket / NoSuchKey / NoSuchUpload
 * / NotFound (HEAD) 404, AccessDenied 403 (from deny rules a test adds), SlowDown 503 (from the
 * request-rate quotas of the throttling front, or `failNext`), EntityTooSmall, InvalidPart,
 * InvalidPartOrder, MalformedXML, InvalidArgument 400.
 *
 * GetObject's `Body` is a Node stream with the SDK's `transformToString` /
 * `transformToByteArray` / `transformToWebStream` mixin, as the real client returns it. Bytes
 * above `spillThresholdBytes` live in a temp directory, not in memory; call `dispose()` when
 * done to remove it.
 *
 * Lifecycle rules (`setLifecycleRules`) expire objects and abort uploads by prefix on the
 * model's clock, at S3's "N days, rounded up to midnight UTC" time (see s3-lifecycle.ts).
 *
 * Simplifications: one region, no versioning, ACLs, SSE headers, checksums, ranges,
 * conditional requests or storage classes; request rates are per model, not per prefix;
 * bucket policies are the deny rules.
 */

/** S3's smallest part (all but the last), largest single PUT and largest part number. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PUT_BYTES = 5 * 1024 * 1024 * 1024;
export const MAX_PART_NUMBER = 10_000;

/** The IAM action each operation needs, as deny rules see it. */
export const S3Actions = {
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  DeleteObject: 's3:DeleteObject',
  DeleteObjects: 's3:DeleteObject',
  ListObjectsV2: 's3:ListBucket',
  HeadBucket: 's3:ListBucket',
} as const;

export type S3Operation = keyof typeof S3Actions;

/** A request as deny rules see it. */
export interface S3AccessRequest {
  readonly operation: S3Operation;
  readonly action: (typeof S3Actions)[S3Operation];
  readonly bucket: string;
  /** The object key; absent for bucket-level operations. */
  readonly key?: string;
}

/** Returns true to deny the request with 403 AccessDenied. */
export type S3DenyRule = (request: S3AccessRequest) => boolean;

export interface S3ModelOptions extends CommonModelOptions {
  /**
   * Request-rate quotas, answered with 503 SlowDown when exceeded: `read` (GET/HEAD/List, S3
   * documents 5,500/s per prefix) and `write` (PUT/DELETE/multipart, 3,500/s per prefix).
   * @default - unlimited
   */
  readonly requestRates?: { readonly read?: QuotaOptions; readonly write?: QuotaOptions };
  /** Bodies above this many bytes are kept in a temp file. @default 1 MiB */
  readonly spillThresholdBytes?: number;
  /** Directory for spilled bodies. @default - a fresh temp directory, removed by `dispose()` */
  readonly spillDirectory?: string;
  /** Buckets that exist from the start. @default - none */
  readonly buckets?: readonly string[];
  /** Largest single PUT or part (EntityTooLarge above). @default 5 GiB, S3's limit */
  readonly maxPutBytes?: number;
}

interface StoredObject {
  readonly segments: readonly Segment[];
  readonly size: number;
  readonly etag: string;
  readonly contentType: string;
  readonly lastModified: Date;
  readonly metadata: Readonly<Record<string, string>>;
}

interface UploadState {
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly parts: Map<number, { readonly body: StoredBody; readonly etag: string }>;
  readonly initiatedAt: number;
}

/** Facts about a stored object, for tests and tools. */
export interface S3ObjectInfo {
  readonly size: number;
  readonly etag: string;
  readonly contentType: string;
  readonly lastModified: Date;
  /** Bytes kept in the temp directory rather than in memory. */
  readonly bytesOnDisk: number;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const READ_OPERATIONS = new Set<string>(['GetObject', 'HeadObject', 'ListObjectsV2', 'HeadBucket']);

const quoted = (hex: string): string => `"${hex}"`;

export class S3Model extends ThrottledServiceModel {
  protected readonly api: ThrottlingApiModel;
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private readonly uploads = new Map<string, UploadState>();
  private readonly denyRules = new Set<S3DenyRule>();
  private readonly lifecycles = new Map<string, readonly S3LifecycleRule[]>();
  private readonly store: SegmentStore;
  private uploadCounter = 0;
  private readonly maxPutBytes: number;

  constructor(options: S3ModelOptions) {
    super('S3Model', 's3', options);
    this.maxPutBytes = options.maxPutBytes ?? MAX_PUT_BYTES;
    this.store = new SegmentStore({
      spillThresholdBytes: options.spillThresholdBytes,
      directory: options.spillDirectory,
    });
    const rates = options.requestRates ?? {};
    const sharedQuotas: Record<string, QuotaOptions> = {};
    if (rates.read) sharedQuotas.read = rates.read;
    if (rates.write) sharedQuotas.write = rates.write;
    this.api = this.front(this.operationTable(), options, {
      throttle: { ...S3Errors.slowDown, retryAfter: 'none', retryAfterMember: 'none' },
      sharedQuotas,
      quotaOf: (operation) => {
        const quota = READ_OPERATIONS.has(operation) ? 'read' : 'write';
        return quota in sharedQuotas ? quota : undefined;
      },
    });
    for (const bucket of options.buckets ?? []) this.createBucket(bucket);
  }

  // -------------------------------------------------------------------------------------------
  // Set-up and inspection (not SDK operations)
  // -------------------------------------------------------------------------------------------

  /** Creates an empty bucket; the name follows S3's rules. */
  createBucket(name: string): void {
    if (!BUCKET_NAME.test(name) || name.includes('..')) {
      throw new SimulationConfigError(
        `S3Model bucket name '${name}' is invalid: use 3–63 lowercase letters, digits, dots and hyphens.`,
      );
    }
    if (this.buckets.has(name)) {
      throw new SimulationConfigError(`S3Model bucket '${name}' already exists.`);
    }
    this.buckets.set(name, new Map());
  }

  bucketNames(): string[] {
    return [...this.buckets.keys()].sort();
  }

  /** Keys of `bucket` under `prefix`, in S3's order. */
  keys(bucket: string, prefix = ''): string[] {
    this.applyLifecycle(bucket);
    const objects = this.buckets.get(bucket);
    if (objects === undefined)
      throw new SimulationConfigError(`S3Model has no bucket '${bucket}'.`);
    return [...objects.keys()].filter((key) => key.startsWith(prefix)).sort(compareKeys);
  }

  info(bucket: string, key: string): S3ObjectInfo | undefined {
    this.applyLifecycle(bucket);
    const object = this.buckets.get(bucket)?.get(key);
    if (object === undefined) return undefined;
    return {
      size: object.size,
      etag: object.etag,
      contentType: object.contentType,
      lastModified: object.lastModified,
      bytesOnDisk: SegmentStore.diskBytes(object.segments),
    };
  }

  /** The object's bytes as UTF-8 text (tests and tools; reads without an SDK call). */
  async readText(bucket: string, key: string): Promise<string | undefined> {
    this.applyLifecycle(bucket);
    const object = this.buckets.get(bucket)?.get(key);
    return object === undefined ? undefined : text(this.store.open(object.segments));
  }

  /** Stores an object without an SDK call (seeding tests). */
  async putText(
    bucket: string,
    key: string,
    body: string,
    contentType = 'text/plain',
  ): Promise<void> {
    this.requireBucket(bucket);
    const stored = await this.store.ingest(body, MAX_PUT_BYTES);
    this.replace(
      bucket,
      key,
      this.objectOf(stored, contentType, {}, quoted(stored.md5.toString('hex'))),
    );
  }

  /** Multipart uploads started and neither completed nor aborted. */
  pendingUploads(): { uploadId: string; bucket: string; key: string; parts: number }[] {
    for (const bucket of this.lifecycles.keys()) this.applyLifecycle(bucket);
    return [...this.uploads].map(([uploadId, upload]) => ({
      uploadId,
      bucket: upload.bucket,
      key: upload.key,
      parts: upload.parts.size,
    }));
  }

  /**
   * Replaces the bucket's lifecycle rules (PutBucketLifecycleConfiguration); `[]` removes
   * them. Objects and uploads already there are subject to the new rules, as on S3.
   */
  setLifecycleRules(bucket: string, rules: readonly S3LifecycleRule[]): void {
    if (!this.buckets.has(bucket)) {
      throw new SimulationConfigError(`S3Model has no bucket '${bucket}'.`);
    }
    checkLifecycleRules(rules);
    if (rules.length === 0) this.lifecycles.delete(bucket);
    else
      this.lifecycles.set(
        bucket,
        rules.map((rule) => ({ ...rule })),
      );
  }

  lifecycleRules(bucket: string): readonly S3LifecycleRule[] {
    return this.lifecycles.get(bucket) ?? [];
  }

  /** Adds a rule that denies matching requests with 403 AccessDenied; returns its remover. */
  deny(rule: S3DenyRule): () => void {
    this.denyRules.add(rule);
    return () => {
      this.denyRules.delete(rule);
    };
  }

  /** Deletes the temp directory of spilled bodies. The model must not be used afterwards. */
  dispose(): void {
    this.store.dispose();
  }

  // -------------------------------------------------------------------------------------------
  // Operations
  // -------------------------------------------------------------------------------------------

  private operationTable(): OperationTable {
    return new OperationTable(this.name)
      .on<PutObjectCommandInput, PutObjectCommandOutput>('PutObject', (input) =>
        this.putObject(input),
      )
      .on<GetObjectCommandInput, GetObjectCommandOutput>('GetObject', (input) =>
        this.getObject(input),
      )
      .on<HeadObjectCommandInput, HeadObjectCommandOutput>('HeadObject', (input) =>
        this.headObject(input),
      )
      .on<HeadBucketCommandInput, HeadBucketCommandOutput>('HeadBucket', (input) => {
        this.check('HeadBucket', input.Bucket);
        return { BucketRegion: this.region };
      })
      .on<DeleteObjectCommandInput, DeleteObjectCommandOutput>('DeleteObject', (input) => {
        const objects = this.check('DeleteObject', input.Bucket, this.keyOf(input.Key));
        this.drop(objects, input.Key as string);
        return {};
      })
      .on<DeleteObjectsCommandInput, DeleteObjectsCommandOutput>('DeleteObjects', (input) =>
        this.deleteObjects(input),
      )
      .on<ListObjectsV2CommandInput, ListObjectsV2CommandOutput>('ListObjectsV2', (input) =>
        this.listObjects(input),
      )
      .on<CreateMultipartUploadCommandInput, CreateMultipartUploadCommandOutput>(
        'CreateMultipartUpload',
        (input) => this.createUpload(input),
      )
      .on<UploadPartCommandInput, UploadPartCommandOutput>('UploadPart', (input) =>
        this.uploadPart(input),
      )
      .on<CompleteMultipartUploadCommandInput, CompleteMultipartUploadCommandOutput>(
        'CompleteMultipartUpload',
        (input) => this.completeUpload(input),
      )
      .on<AbortMultipartUploadCommandInput, AbortMultipartUploadCommandOutput>(
        'AbortMultipartUpload',
        (input) => {
          const upload = this.uploadOf('AbortMultipartUpload', input);
          for (const part of upload.parts.values()) this.store.release(part.body.segments);
          this.uploads.delete(input.UploadId as string);
          return {};
        },
      );
  }

  private async putObject(
    input: PutObjectCommandInput,
  ): Promise<ModelResult<PutObjectCommandOutput>> {
    const key = this.keyOf(input.Key);
    this.check('PutObject', input.Bucket, key);
    const stored = await this.ingest(input.Body, this.maxPutBytes);
    const etag = quoted(stored.md5.toString('hex'));
    this.replace(
      input.Bucket as string,
      key,
      this.objectOf(stored, input.ContentType, input.Metadata ?? {}, etag),
    );
    return { ETag: etag };
  }

  private getObject(input: GetObjectCommandInput): ModelResult<GetObjectCommandOutput> {
    const key = this.keyOf(input.Key);
    const object = this.check('GetObject', input.Bucket, key).get(key);
    if (object === undefined) throw noSuchKey(key);
    return {
      Body: sdkStreamMixin(this.store.open(object.segments)),
      ContentLength: object.size,
      ContentType: object.contentType,
      ETag: object.etag,
      LastModified: object.lastModified,
      Metadata: { ...object.metadata },
    };
  }

  private headObject(input: HeadObjectCommandInput): ModelResult<HeadObjectCommandOutput> {
    const key = this.keyOf(input.Key);
    const object = this.check('HeadObject', input.Bucket, key).get(key);
    if (object === undefined) throw headNotFound();
    return {
      ContentLength: object.size,
      ContentType: object.contentType,
      ETag: object.etag,
      LastModified: object.lastModified,
      Metadata: { ...object.metadata },
    };
  }

  private deleteObjects(input: DeleteObjectsCommandInput): ModelResult<DeleteObjectsCommandOutput> {
    const entries = input.Delete?.Objects ?? [];
    if (entries.length === 0 || entries.length > 1000) {
      throw badRequest(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    }
    const objects = this.requireBucket(input.Bucket);
    const deleted: { Key: string }[] = [];
    const errors: { Key: string; Code: string; Message: string }[] = [];
    for (const entry of entries) {
      const key = this.keyOf(entry.Key);
      if (this.denied('DeleteObjects', input.Bucket as string, key)) {
        errors.push({ Key: key, Code: 'AccessDenied', Message: 'Access Denied' });
        continue;
      }
      this.drop(objects, key);
      deleted.push({ Key: key });
    }
    return { ...(input.Delete?.Quiet ? {} : { Deleted: deleted }), Errors: errors };
  }

  private listObjects(input: ListObjectsV2CommandInput): ModelResult<ListObjectsV2CommandOutput> {
    const objects = this.check('ListObjectsV2', input.Bucket);
    const maxKeys = input.MaxKeys ?? MAX_KEYS_LIMIT;
    if (!Number.isInteger(maxKeys) || maxKeys < 0) {
      throw badRequest(
        'InvalidArgument',
        'Provided max-keys not an integer or within integer range',
      );
    }
    const prefix = input.Prefix ?? '';
    const page = listPage([...objects.keys()].sort(compareKeys), {
      prefix,
      delimiter: input.Delimiter,
      maxKeys: Math.min(maxKeys, MAX_KEYS_LIMIT),
      startAfter: input.StartAfter,
      continuationToken: input.ContinuationToken,
    });
    return {
      Name: input.Bucket,
      Prefix: prefix,
      ...(input.Delimiter === undefined ? {} : { Delimiter: input.Delimiter }),
      MaxKeys: maxKeys,
      KeyCount: page.keys.length + page.commonPrefixes.length,
      IsTruncated: page.nextContinuationToken !== undefined,
      ...(page.keys.length === 0
        ? {}
        : {
            Contents: page.keys.map((key) => {
              const object = objects.get(key) as StoredObject;
              return {
                Key: key,
                Size: object.size,
                ETag: object.etag,
                LastModified: object.lastModified,
                StorageClass: 'STANDARD' as const,
              };
            }),
          }),
      ...(page.commonPrefixes.length === 0
        ? {}
        : { CommonPrefixes: page.commonPrefixes.map((Prefix) => ({ Prefix })) }),
      ...(input.ContinuationToken === undefined
        ? {}
        : { ContinuationToken: input.ContinuationToken }),
      ...(page.nextContinuationToken === undefined
        ? {}
        : { NextContinuationToken: page.nextContinuationToken }),
      ...(input.StartAfter === undefined ? {} : { StartAfter: input.StartAfter }),
    };
  }

  private createUpload(
    input: CreateMultipartUploadCommandInput,
  ): ModelResult<CreateMultipartUploadCommandOutput> {
    const key = this.keyOf(input.Key);
    this.check('CreateMultipartUpload', input.Bucket, key);
    this.uploadCounter += 1;
    const uploadId = sequentialUuid('5000', this.uploadCounter);
    this.uploads.set(uploadId, {
      bucket: input.Bucket as string,
      key,
      contentType: input.ContentType ?? 'binary/octet-stream',
      metadata: { ...input.Metadata },
      parts: new Map(),
      initiatedAt: this.clock.now(),
    });
    return { Bucket: input.Bucket, Key: key, UploadId: uploadId };
  }

  private async uploadPart(
    input: UploadPartCommandInput,
  ): Promise<ModelResult<UploadPartCommandOutput>> {
    const upload = this.uploadOf('UploadPart', input);
    const partNumber = input.PartNumber;
    if (
      partNumber === undefined ||
      !Number.isInteger(partNumber) ||
      partNumber < 1 ||
      partNumber > MAX_PART_NUMBER
    ) {
      throw badRequest(
        'InvalidArgument',
        `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
      );
    }
    const body = await this.ingest(input.Body, this.maxPutBytes);
    const etag = quoted(body.md5.toString('hex'));
    const previous = upload.parts.get(partNumber);
    if (previous !== undefined) this.store.release(previous.body.segments);
    upload.parts.set(partNumber, { body, etag });
    return { ETag: etag };
  }

  private completeUpload(
    input: CompleteMultipartUploadCommandInput,
  ): ModelResult<CompleteMultipartUploadCommandOutput> {
    const upload = this.uploadOf('CompleteMultipartUpload', input);
    const listed = input.MultipartUpload?.Parts ?? [];
    if (listed.length === 0) {
      throw badRequest(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    }
    // S3 checks order and existence of every listed part before the sizes.
    const chosen: { body: StoredBody; etag: string }[] = [];
    let previousNumber = 0;
    for (const entry of listed) {
      const number = entry.PartNumber ?? 0;
      if (number <= previousNumber) {
        throw badRequest(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
        );
      }
      previousNumber = number;
      const part = upload.parts.get(number);
      if (part === undefined || (entry.ETag !== undefined && entry.ETag !== part.etag)) {
        throw badRequest(
          'InvalidPart',
          'One or more of the specified parts could not be found. The part may not have been ' +
            "uploaded, or the specified entity tag may not match the part's entity tag.",
        );
      }
      chosen.push(part);
    }
    if (chosen.slice(0, -1).some((part) => part.body.size < MIN_PART_BYTES)) {
      throw badRequest(
        'EntityTooSmall',
        'Your proposed upload is smaller than the minimum allowed object size.',
      );
    }
    const digest = createHash('md5');
    for (const part of chosen) digest.update(part.body.md5);
    const etag = quoted(`${digest.digest('hex')}-${chosen.length}`);
    const size = chosen.reduce((sum, part) => sum + part.body.size, 0);
    const object: StoredObject = {
      segments: chosen.flatMap((part) => part.body.segments),
      size,
      etag,
      contentType: upload.contentType,
      lastModified: new Date(this.clock.now()),
      metadata: upload.metadata,
    };
    // Parts not listed are discarded, as S3 does.
    for (const [number, part] of upload.parts) {
      if (!chosen.includes(part)) {
        this.store.release(part.body.segments);
        upload.parts.delete(number);
      }
    }
    this.uploads.delete(input.UploadId as string);
    this.replace(upload.bucket, upload.key, object);
    return {
      Bucket: upload.bucket,
      Key: upload.key,
      ETag: etag,
      Location: `https://${upload.bucket}.s3.${this.region}.amazonaws.com/${encodeURI(upload.key)}`,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------------------------

  private keyOf(key: string | undefined): string {
    if (key === undefined || key.length === 0) {
      throw badRequest('InvalidArgument', 'A key must be provided and must not be empty.');
    }
    if (Buffer.byteLength(key, 'utf8') > 1024) {
      throw badRequest('KeyTooLongError', 'Your key is too long');
    }
    return key;
  }

  private requireBucket(bucket: string | undefined): Map<string, StoredObject> {
    const objects = bucket === undefined ? undefined : this.buckets.get(bucket);
    if (objects === undefined) throw noSuchBucket(String(bucket));
    this.applyLifecycle(bucket as string);
    return objects;
  }

  /**
   * Removes what the bucket's lifecycle rules made eligible by now. Lazy (on every access to
   * the bucket) rather than on timers, so that the model adds no timers to the clock.
   */
  private applyLifecycle(bucket: string): void {
    const rules = this.lifecycles.get(bucket);
    const objects = this.buckets.get(bucket);
    if (rules === undefined || objects === undefined) return;
    const now = this.clock.now();
    for (const [key, object] of [...objects]) {
      const due = earliestDue(rules, key, object.lastModified.getTime(), 'expirationDays');
      if (due !== undefined && due <= now) this.drop(objects, key);
    }
    for (const [uploadId, upload] of [...this.uploads]) {
      if (upload.bucket !== bucket) continue;
      const due = earliestDue(
        rules,
        upload.key,
        upload.initiatedAt,
        'abortIncompleteMultipartUploadDays',
      );
      if (due === undefined || due > now) continue;
      for (const part of upload.parts.values()) this.store.release(part.body.segments);
      this.uploads.delete(uploadId);
    }
  }

  private denied(operation: S3Operation, bucket: string, key?: string): boolean {
    const request: S3AccessRequest = {
      operation,
      action: S3Actions[operation],
      bucket,
      ...(key === undefined ? {} : { key }),
    };
    for (const rule of this.denyRules) if (rule(request)) return true;
    return false;
  }

  /** The bucket's objects, after the bucket-exists and access checks S3 makes. */
  private check(
    operation: S3Operation,
    bucket: string | undefined,
    key?: string,
  ): Map<string, StoredObject> {
    const objects = this.requireBucket(bucket);
    if (this.denied(operation, bucket as string, key)) throw accessDenied();
    return objects;
  }

  private uploadOf(
    operation: S3Operation,
    input: { Bucket?: string; Key?: string; UploadId?: string },
  ): UploadState {
    const key = this.keyOf(input.Key);
    this.check(operation, input.Bucket, key);
    const upload = input.UploadId === undefined ? undefined : this.uploads.get(input.UploadId);
    if (upload === undefined || upload.bucket !== input.Bucket || upload.key !== key) {
      throw noSuchUpload(String(input.UploadId));
    }
    return upload;
  }

  private async ingest(body: IncomingBody, maxBytes: number): Promise<StoredBody> {
    try {
      return await this.store.ingest(body, maxBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        throw badRequest('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
      }
      throw error;
    }
  }

  private objectOf(
    stored: StoredBody,
    contentType: string | undefined,
    metadata: Readonly<Record<string, string>>,
    etag: string,
  ): StoredObject {
    return {
      segments: stored.segments,
      size: stored.size,
      etag,
      contentType: contentType ?? 'binary/octet-stream',
      lastModified: new Date(this.clock.now()),
      metadata: { ...metadata },
    };
  }

  private replace(bucket: string, key: string, object: StoredObject): void {
    const objects = this.requireBucket(bucket);
    const previous = objects.get(key);
    if (previous !== undefined) this.store.release(previous.segments);
    objects.set(key, object);
  }

  private drop(objects: Map<string, StoredObject>, key: string): void {
    const previous = objects.get(key);
    if (previous === undefined) return;
    this.store.release(previous.segments);
    objects.delete(key);
  }
}
