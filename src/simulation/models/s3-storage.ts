import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createReadStream } from 'node:fs';
import { SimulationConfigError } from '../errors.js';

/**
 * Where the S3 model keeps object bytes: small bodies in memory, bodies above a threshold in
 * files of a private temp directory, so that a 1 GB workflow run does not live in RAM. An
 * object is a list of segments (one per PUT, one per multipart part), so completing a
 * multipart upload copies nothing. Hand-written because no maintained library offers an
 * S3-shaped spill-to-disk store for the SDK's body types.
 */

export type Segment =
  | { readonly kind: 'memory'; readonly data: Buffer }
  | { readonly kind: 'file'; readonly path: string; readonly size: number };

/** A body that was read in: its segments, byte count and MD5 (S3's ETag of a single PUT). */
export interface StoredBody {
  readonly segments: readonly Segment[];
  readonly size: number;
  readonly md5: Buffer;
}

/** A body the SDK accepts: string, bytes, Node stream, any (async) iterable of bytes, Blob. */
export type IncomingBody = unknown;

/** A body exceeded `maxBytes`; the caller maps it to S3's EntityTooLarge. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`body larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** 1 MiB: multipart parts (≥ 5 MiB) always go to disk, single small JSON documents stay in RAM. */
export const DEFAULT_SPILL_THRESHOLD_BYTES = 1024 * 1024;

export interface SegmentStoreOptions {
  /** Bodies larger than this are written to a temp file. @default 1 MiB */
  readonly spillThresholdBytes?: number;
  /** Directory for the files. @default - a fresh `mkdtemp` under the OS temp dir, on first need */
  readonly directory?: string;
}

async function* chunksOf(body: IncomingBody): AsyncGenerator<Uint8Array> {
  if (body === undefined || body === null) return;
  if (typeof body === 'string') {
    yield Buffer.from(body, 'utf8');
    return;
  }
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  if (body instanceof ArrayBuffer) {
    yield new Uint8Array(body);
    return;
  }
  if (typeof Blob !== 'undefined' && body instanceof Blob) {
    yield new Uint8Array(await body.arrayBuffer());
    return;
  }
  if (typeof body === 'object' && (Symbol.asyncIterator in body || Symbol.iterator in body)) {
    for await (const chunk of body as AsyncIterable<unknown>) {
      if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
      else if (chunk instanceof Uint8Array) yield chunk;
      else throw new TypeError(`a body chunk must be bytes or a string, got ${typeof chunk}`);
    }
    return;
  }
  throw new TypeError(
    `Body must be a string, Uint8Array, Blob, stream or iterable of bytes, got ${typeof body}`,
  );
}

export class SegmentStore {
  readonly spillThresholdBytes: number;
  private directory: string | undefined;
  private readonly ownsDirectory: boolean;
  private fileCounter = 0;
  private disposed = false;

  constructor(options: SegmentStoreOptions = {}) {
    const threshold = options.spillThresholdBytes ?? DEFAULT_SPILL_THRESHOLD_BYTES;
    if (!Number.isInteger(threshold) || threshold < 0) {
      throw new SimulationConfigError(
        `spillThresholdBytes must be a whole number >= 0, got ${String(options.spillThresholdBytes)}.`,
      );
    }
    this.spillThresholdBytes = threshold;
    this.directory = options.directory;
    this.ownsDirectory = options.directory === undefined;
  }

  /** Reads `body` in, spilling to a file once it passes the threshold. */
  async ingest(body: IncomingBody, maxBytes: number): Promise<StoredBody> {
    const hash = createHash('md5');
    const held: Buffer[] = [];
    let size = 0;
    let file: { handle: FileHandle; path: string } | undefined;
    try {
      for await (const chunk of chunksOf(body)) {
        size += chunk.byteLength;
        if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
        hash.update(chunk);
        if (file !== undefined) {
          await file.handle.write(chunk);
          continue;
        }
        // Copy: the caller may reuse its buffer (lib-storage does) once the call returns.
        held.push(Buffer.from(chunk));
        if (size > this.spillThresholdBytes) {
          file = await this.newFile();
          for (const part of held) await file.handle.write(part);
          held.length = 0;
        }
      }
    } catch (error) {
      if (file !== undefined) {
        await file.handle.close();
        rmSync(file.path, { force: true });
      }
      throw error;
    }
    if (file !== undefined) {
      await file.handle.close();
      return { segments: [{ kind: 'file', path: file.path, size }], size, md5: hash.digest() };
    }
    const data = Buffer.concat(held, size);
    return {
      segments: size === 0 ? [] : [{ kind: 'memory', data }],
      size,
      md5: hash.digest(),
    };
  }

  /**
   * A stream of the segments' bytes. Files are opened now, so that a later overwrite or
   * delete of the object (which unlinks them) cannot break a read in progress, as on S3.
   */
  open(segments: readonly Segment[]): Readable {
    const fds = new Map<Segment, number>();
    try {
      for (const segment of segments) {
        if (segment.kind === 'file') fds.set(segment, openSync(segment.path, 'r'));
      }
    } catch (error) {
      for (const fd of fds.values()) closeSync(fd);
      throw error;
    }
    async function* bytes(): AsyncGenerator<Buffer> {
      try {
        for (const segment of segments) {
          if (segment.kind === 'memory') {
            // Slices, so a consumer sees a stream of chunks as from the network.
            for (let at = 0; at < segment.data.byteLength; at += 64 * 1024) {
              yield segment.data.subarray(at, at + 64 * 1024);
            }
            continue;
          }
          const fd = fds.get(segment) as number;
          fds.delete(segment);
          for await (const chunk of createReadStream('', { fd, autoClose: true })) {
            yield chunk as Buffer;
          }
        }
      } finally {
        for (const fd of fds.values()) closeSync(fd);
        fds.clear();
      }
    }
    return Readable.from(bytes(), { objectMode: false });
  }

  /** Forgets segments: their files are unlinked (open readers keep their data). */
  release(segments: readonly Segment[]): void {
    for (const segment of segments) {
      if (segment.kind === 'file') rmSync(segment.path, { force: true });
    }
  }

  /** Bytes of `segments` that live on disk. */
  static diskBytes(segments: readonly Segment[]): number {
    return segments.reduce((sum, s) => sum + (s.kind === 'file' ? s.size : 0), 0);
  }

  /** Removes the temp directory the store created (and every file in it). Idempotent. */
  dispose(): void {
    this.disposed = true;
    if (this.ownsDirectory && this.directory !== undefined) {
      rmSync(this.directory, { recursive: true, force: true });
      this.directory = undefined;
    }
  }

  private async newFile(): Promise<{ handle: FileHandle; path: string }> {
    if (this.disposed) {
      throw new SimulationConfigError('This S3 model was disposed; create a new one.');
    }
    this.directory ??= mkdtempSync(join(tmpdir(), 'opskit-s3-'));
    this.fileCounter += 1;
    const path = join(this.directory, `segment-${this.fileCounter}.bin`);
    return { handle: await open(path, 'wx'), path };
  }
}
