import { MAX_PAYLOAD_BYTES } from './errors.js';

/** UTF-8 size of a value serialised as JSON, as Step Functions measures a payload. */
export function payloadBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}

/**
 * Why a payload breaks the 256 KiB quota, or undefined when it fits. `what` names it for the
 * message ("the output of state 'Filter'").
 */
export function payloadLimitViolation(
  value: unknown,
  what: string,
  limit: number = MAX_PAYLOAD_BYTES,
): string | undefined {
  const bytes = payloadBytes(value);
  if (bytes <= limit) return undefined;
  return (
    `${what} is ${bytes} bytes, above Step Functions' limit of ${limit} bytes ` +
    '(States.DataLimitExceeded). Keep data in S3 and pass only its location between states.'
  );
}
