import { createHash } from 'node:crypto';
import { z } from 'zod';
import { validationError } from '../validation.js';

/**
 * What DRS validates on the operations the model answers (lengths, counts and formats from the
 * DRS API reference), as zod schemas for `validateInput`. DRS speaks JSON: invalid input is a
 * `ValidationException`, HTTP 400.
 */

export const SOURCE_SERVER_ID = /^s-[0-9a-zA-Z]{17}$/;
export const RECOVERY_INSTANCE_ID = /^i-[0-9a-fA-F]{8,}$/;
export const JOB_ID = /^drsjob-[0-9a-zA-Z]{17}$/;
/** StartRecovery and TerminateRecoveryInstances take 1–200 ids. */
export const MAX_IDS_PER_CALL = 200;
/** The Describe* calls' maxResults range. */
export const MAX_RESULTS = 1000;

const tags = z
  .record(z.string().min(1).max(256), z.string().max(256))
  .refine((value) => Object.keys(value).length <= 50, 'at most 50 tags');
const isoDate = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'an ISO-8601 date and time');
const maxResults = z.number().int().min(1).max(MAX_RESULTS).optional();
const nextToken = z.string().min(1).max(2048).optional();

export const startRecoveryInput = z.object({
  sourceServers: z
    .array(
      z.object({
        sourceServerID: z.string().regex(SOURCE_SERVER_ID, 'a source server id (s-…)'),
        recoverySnapshotID: z.string().optional(),
      }),
    )
    .min(1)
    .max(MAX_IDS_PER_CALL),
  isDrill: z.boolean().optional(),
  tags: tags.optional(),
});

export const terminateRecoveryInstancesInput = z.object({
  recoveryInstanceIDs: z
    .array(z.string().regex(RECOVERY_INSTANCE_ID, 'a recovery instance id (i-…)'))
    .min(1)
    .max(MAX_IDS_PER_CALL),
});

export const describeJobsInput = z.object({
  filters: z
    .object({
      jobIDs: z.array(z.string().regex(JOB_ID, 'a job id (drsjob-…)')).max(1000).optional(),
      fromDate: isoDate.optional(),
      toDate: isoDate.optional(),
    })
    .strict()
    .optional(),
  maxResults,
  nextToken,
});

export const describeSourceServersInput = z.object({
  filters: z
    .object({
      sourceServerIDs: z.array(z.string().regex(SOURCE_SERVER_ID)).max(200).optional(),
      hardwareId: z.string().max(256).optional(),
      stagingAccountIDs: z
        .array(z.string().regex(/^\d{12}$/))
        .max(200)
        .optional(),
    })
    .strict()
    .optional(),
  maxResults,
  nextToken,
});

export const describeRecoveryInstancesInput = z.object({
  filters: z
    .object({
      recoveryInstanceIDs: z.array(z.string().regex(RECOVERY_INSTANCE_ID)).max(200).optional(),
      sourceServerIDs: z.array(z.string().regex(SOURCE_SERVER_ID)).max(200).optional(),
    })
    .strict()
    .optional(),
  maxResults,
  nextToken,
});

export interface Page<T> {
  readonly items: T[];
  readonly nextToken: string | undefined;
}

/**
 * One page of `items` (already in answer order). The token is a cursor (the position of the
 * last item answered, in a stable sequence) rather than an offset, so items created between
 * pages (new jobs appear first) neither repeat nor shift the next page. It also names the query,
 * so a token replayed against another query is refused instead of skipping items.
 */
export function paginate<T>(
  items: readonly T[],
  sequenceOf: (item: T) => number,
  query: string,
  token: string | undefined,
  pageSize: number,
  descending: boolean,
): Page<T> {
  const after = token === undefined ? undefined : cursorOf(token, query);
  const remaining =
    after === undefined
      ? items
      : items.filter((item) => (descending ? sequenceOf(item) < after : sequenceOf(item) > after));
  const page = remaining.slice(0, pageSize);
  const last = page.at(-1);
  return {
    items: page,
    nextToken:
      remaining.length > pageSize && last !== undefined
        ? encodeCursor(query, sequenceOf(last))
        : undefined,
  };
}

/** A short digest of the query: tokens stay far below DRS's 2048 characters whatever the filters. */
function queryDigest(query: string): string {
  return createHash('sha256').update(query).digest('base64url').slice(0, 16);
}

function encodeCursor(query: string, sequence: number): string {
  return Buffer.from(JSON.stringify({ q: queryDigest(query), s: sequence })).toString('base64url');
}

function cursorOf(token: string, query: string): number {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const { q, s } = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as {
    q?: unknown;
    s?: unknown;
  };
  if (q !== queryDigest(query) || typeof s !== 'number' || !Number.isInteger(s)) {
    throw validationError(
      'Invalid nextToken: pass the nextToken of the previous page of the same query ' +
        '(same filters).',
    );
  }
  return s;
}
