import { createHash } from 'node:crypto';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { SimulatedServiceError } from '../service-error.js';

/**
 * Message-level rules of SQS shared by the model's operations: the errors SQS answers with,
 * message attribute validation and size, and the MD5 digests (the SDK checks `MD5OfBody` and
 * `MD5OfMessageBody` against the body it sent or received, so they must be right).
 */

/** Largest message and largest batch request SQS accepts (1 MiB since August 2025). */
export const MAX_MESSAGE_BYTES = 1_048_576;
export const MAX_BATCH_BYTES = 1_048_576;
export const MAX_DELAY_SECONDS = 900;
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
export const MAX_WAIT_TIME_SECONDS = 20;
export const MAX_BATCH_ENTRIES = 10;
export const MAX_MESSAGE_ATTRIBUTES = 10;
/** FIFO deduplication interval. */
export const DEDUPLICATION_WINDOW_MS = 5 * 60_000;

/** `InvalidParameterValue` is not modeled by the SDK: callers get an `SQSServiceException`. */
export function invalidParameterValue(message: string): SimulatedServiceError {
  return new SimulatedServiceError({ name: 'InvalidParameterValue', httpStatusCode: 400, message });
}

export function missingParameter(parameter: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'MissingParameter',
    httpStatusCode: 400,
    message: `The request must contain the parameter ${parameter}.`,
  });
}

export function invalidRange(
  parameter: string,
  value: unknown,
  reason: string,
): SimulatedServiceError {
  return invalidParameterValue(
    `Value ${String(value)} for parameter ${parameter} is invalid. Reason: ${reason}`,
  );
}

export function queueDoesNotExist(): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'QueueDoesNotExist',
    httpStatusCode: 400,
    message: 'The specified queue does not exist.',
  });
}

export function receiptHandleIsInvalid(handle: string, reason?: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'ReceiptHandleIsInvalid',
    httpStatusCode: 404,
    message: reason ?? `The input receipt handle "${handle}" is not a valid receipt handle.`,
  });
}

export function md5Hex(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[A-Za-z0-9_.-]+)?$/;

function isBinaryType(dataType: string): boolean {
  return dataType.startsWith('Binary');
}

/**
 * Checks message attributes as SQS does and returns their size in bytes (name, type and
 * value all count toward the message size).
 */
export function checkMessageAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): number {
  if (attributes === undefined) return 0;
  const names = Object.keys(attributes);
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameterValue(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  let size = 0;
  for (const name of names) {
    const lower = name.toLowerCase();
    if (
      !ATTRIBUTE_NAME.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..') ||
      lower.startsWith('aws.') ||
      lower.startsWith('amazon.')
    ) {
      throw invalidParameterValue(`Message attribute name '${name}' is invalid.`);
    }
    const value = attributes[name];
    const dataType = value.DataType ?? '';
    if (!DATA_TYPE.test(dataType)) {
      throw invalidParameterValue(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    if (value.StringListValues !== undefined || value.BinaryListValues !== undefined) {
      throw invalidParameterValue(
        `Message attribute list values in SendMessage operation are not supported.`,
      );
    }
    size += utf8Length(name) + utf8Length(dataType);
    if (isBinaryType(dataType)) {
      if (value.BinaryValue === undefined || value.BinaryValue.length === 0) {
        throw invalidParameterValue(
          `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`,
        );
      }
      size += value.BinaryValue.length;
    } else {
      if (value.StringValue === undefined || value.StringValue.length === 0) {
        throw invalidParameterValue(
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
        );
      }
      if (dataType.startsWith('Number') && !Number.isFinite(Number(value.StringValue))) {
        throw invalidParameterValue(
          `Can't cast the value of message (user) attribute '${name}' to a number.`,
        );
      }
      size += utf8Length(value.StringValue);
    }
  }
  return size;
}

function lengthPrefixed(bytes: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * `MD5OfMessageAttributes` as SQS computes it: attributes sorted by name, each encoded as
 * length-prefixed name, length-prefixed type, a transport byte (1 string, 2 binary) and the
 * length-prefixed value.
 */
export function md5OfMessageAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): string | undefined {
  if (attributes === undefined || Object.keys(attributes).length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name];
    const dataType = value.DataType ?? '';
    parts.push(lengthPrefixed(Buffer.from(name, 'utf8')));
    parts.push(lengthPrefixed(Buffer.from(dataType, 'utf8')));
    if (isBinaryType(dataType)) {
      parts.push(Buffer.from([2]), lengthPrefixed(value.BinaryValue ?? new Uint8Array()));
    } else {
      parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8')));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

export function messageSize(
  body: string,
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): number {
  return utf8Length(body) + checkMessageAttributes(attributes);
}

/** Attributes selected by `MessageAttributeNames` (`All`, `.*`, `prefix.*` or exact names). */
export function selectMessageAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
  requested: readonly string[] | undefined,
): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined || requested === undefined || requested.length === 0) {
    return undefined;
  }
  const selected: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const wanted = requested.some(
      (pattern) =>
        pattern === 'All' ||
        pattern === '.*' ||
        pattern === name ||
        (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))),
    );
    if (wanted) selected[name] = value;
  }
  return Object.keys(selected).length === 0 ? undefined : selected;
}

const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** The checks SQS makes on any batch request before looking at the entries. */
export function checkBatchEntries(entries: readonly { Id?: string }[] | undefined): void {
  if (entries === undefined || entries.length === 0) {
    throw new SimulatedServiceError({
      name: 'EmptyBatchRequest',
      httpStatusCode: 400,
      message: 'There should be at least one entry in the request.',
    });
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SimulatedServiceError({
      name: 'TooManyEntriesInBatchRequest',
      httpStatusCode: 400,
      message: `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    });
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id ?? '';
    if (!BATCH_ENTRY_ID.test(id)) {
      throw new SimulatedServiceError({
        name: 'InvalidBatchEntryId',
        httpStatusCode: 400,
        message:
          'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      });
    }
    if (seen.has(id)) {
      throw new SimulatedServiceError({
        name: 'BatchEntryIdsNotDistinct',
        httpStatusCode: 400,
        message: `Id ${id} repeated.`,
      });
    }
    seen.add(id);
  }
}

/** A receipt handle: opaque to callers, but the model must find the message again. */
export interface ReceiptParts {
  readonly queueName: string;
  readonly sequence: number;
  readonly receive: number;
}

const HANDLE_PREFIX = 'AQEB';

export function encodeReceiptHandle(parts: ReceiptParts): string {
  const payload = `${parts.queueName}\n${parts.sequence}\n${parts.receive}`;
  return HANDLE_PREFIX + Buffer.from(payload, 'utf8').toString('base64');
}

export function decodeReceiptHandle(handle: string): ReceiptParts | undefined {
  if (!handle.startsWith(HANDLE_PREFIX)) return undefined;
  const fields = Buffer.from(handle.slice(HANDLE_PREFIX.length), 'base64')
    .toString('utf8')
    .split('\n');
  if (fields.length !== 3) return undefined;
  const [queueName, sequence, receive] = fields;
  if (!/^\d+$/.test(sequence) || !/^\d+$/.test(receive)) return undefined;
  return { queueName, sequence: Number(sequence), receive: Number(receive) };
}
