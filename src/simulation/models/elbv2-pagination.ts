import { validationError } from '../validation.js';

/**
 * Marker/PageSize pagination as the ELBv2 Describe* calls do it. Markers are opaque to callers;
 * here one holds the offset and the query it belongs to, so a marker replayed against another
 * query is refused instead of silently skipping items.
 */

/** ELBv2's documented PageSize range. */
export const MAX_PAGE_SIZE = 400;

export interface Page<T> {
  readonly items: T[];
  readonly nextMarker: string | undefined;
}

export function paginate<T>(
  items: readonly T[],
  query: string,
  marker: string | undefined,
  pageSize: number,
): Page<T> {
  const start = marker === undefined ? 0 : offsetOf(marker, query);
  const end = start + pageSize;
  return {
    items: items.slice(start, end),
    nextMarker: end < items.length ? encodeMarker(query, end) : undefined,
  };
}

function encodeMarker(query: string, offset: number): string {
  return Buffer.from(JSON.stringify({ q: query, o: offset })).toString('base64url');
}

function offsetOf(marker: string, query: string): number {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const { q, o } = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as {
    q?: unknown;
    o?: unknown;
  };
  if (q !== query || typeof o !== 'number' || !Number.isInteger(o) || o < 0) {
    throw validationError(
      'The marker is not valid for this request: pass the NextMarker of the previous page of ' +
        'the same query.',
      { errorName: 'ValidationError' },
    );
  }
  return o;
}
