import { badRequest } from './s3-errors.js';

/**
 * ListObjectsV2 paging, pure: which keys and common prefixes one page holds and where the next
 * page starts. Keys are ordered by their UTF-8 bytes, as S3 orders them.
 */

export const MAX_KEYS_LIMIT = 1000;

export interface ListRequest {
  readonly prefix: string;
  readonly delimiter: string | undefined;
  readonly maxKeys: number;
  readonly startAfter: string | undefined;
  readonly continuationToken: string | undefined;
}

export interface ListPage {
  readonly keys: string[];
  readonly commonPrefixes: string[];
  readonly nextContinuationToken: string | undefined;
}

interface Cursor {
  /** Last key or common prefix returned. */
  readonly after: string;
  /** `after` is a common prefix: skip every key under it. */
  readonly prefix: boolean;
}

export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function encodeToken(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.after, cursor.prefix ? 1 : 0])).toString('base64url');
}

function decodeToken(token: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      typeof value[0] === 'string' &&
      (value[1] === 0 || value[1] === 1)
    ) {
      return { after: value[0], prefix: value[1] === 1 };
    }
  } catch {
    // reported below
  }
  throw badRequest('InvalidArgument', 'The continuation token provided is incorrect');
}

/** One page of `sortedKeys` (already in `compareKeys` order). */
export function listPage(sortedKeys: readonly string[], request: ListRequest): ListPage {
  const cursor =
    request.continuationToken !== undefined
      ? decodeToken(request.continuationToken)
      : request.startAfter !== undefined && request.startAfter !== ''
        ? { after: request.startAfter, prefix: false }
        : undefined;
  const keys: string[] = [];
  const commonPrefixes: string[] = [];
  let skipUnder: string | undefined = cursor?.prefix ? cursor.after : undefined;
  let last: Cursor | undefined;
  for (const key of sortedKeys) {
    if (!key.startsWith(request.prefix)) continue;
    if (cursor !== undefined && compareKeys(key, cursor.after) <= 0) continue;
    if (skipUnder !== undefined && key.startsWith(skipUnder)) continue;
    if (keys.length + commonPrefixes.length >= request.maxKeys) {
      return { keys, commonPrefixes, nextContinuationToken: last && encodeToken(last) };
    }
    const rest = key.slice(request.prefix.length);
    const at =
      request.delimiter === undefined || request.delimiter === ''
        ? -1
        : rest.indexOf(request.delimiter);
    if (at >= 0) {
      const common = request.prefix + rest.slice(0, at + (request.delimiter as string).length);
      commonPrefixes.push(common);
      skipUnder = common;
      last = { after: common, prefix: true };
    } else {
      keys.push(key);
      last = { after: key, prefix: false };
    }
  }
  return { keys, commonPrefixes, nextContinuationToken: undefined };
}
