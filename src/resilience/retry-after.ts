type Fields = Record<string, unknown>;

function fieldsOf(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null ? (value as Fields) : undefined;
}

const DELTA_SECONDS = /^\d+(\.\d+)?$/;

function secondsToMs(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value === 'string' && DELTA_SECONDS.test(value.trim())) return Number(value) * 1000;
  return undefined;
}

/** `Retry-After`: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfterHeader(value: string, nowMs: number): number | undefined {
  const seconds = secondsToMs(value);
  if (seconds !== undefined) return seconds;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * How long the service asked the caller to wait, in ms, if it said so: the `retryAfterSeconds`
 * member of an SDK exception (DRS ThrottlingException), else a `Retry-After` (seconds or date)
 * or `x-amz-retry-after` (ms) header on the raw response (`$response`). Malformed hints are
 * ignored rather than trusted.
 */
export function retryAfterMsOf(error: unknown, nowMs: number): number | undefined {
  const fields = fieldsOf(error);
  if (!fields) return undefined;
  const fromMember = secondsToMs(fields.retryAfterSeconds);
  if (fromMember !== undefined) return fromMember;
  const headers = fieldsOf(fieldsOf(fields.$response)?.headers);
  if (!headers) return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') continue;
    const header = name.toLowerCase();
    if (header === 'retry-after') return parseRetryAfterHeader(value.trim(), nowMs);
    if (header === 'x-amz-retry-after' && DELTA_SECONDS.test(value.trim())) return Number(value);
  }
  return undefined;
}
