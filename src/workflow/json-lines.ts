/**
 * JSON Lines (one JSON value per line) in and out as async iterables, one record at a time, so a
 * stage's memory does not grow with its data. Pure: no AWS import.
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { JsonValue } from './contract.js';

/** Where a line came from, for error messages. */
export class JsonLineError extends Error {
  constructor(
    readonly lineNumber: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'JsonLineError';
  }
}

/**
 * The JSON values of a byte stream of JSON Lines. Blank lines are skipped (a trailing newline
 * is normal); a line that is not JSON throws `JsonLineError` with its 1-based number.
 */
export async function* parseJsonLines(
  bytes: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<JsonValue> {
  // readline splits on \n and \r\n across chunk boundaries and decodes UTF-8 safely.
  const lines = createInterface({ input: Readable.from(bytes), crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      let value: JsonValue;
      try {
        value = JSON.parse(line) as JsonValue;
      } catch (error) {
        throw new JsonLineError(
          lineNumber,
          `line ${lineNumber} is not JSON (${(error as Error).message}): each line must hold one JSON value`,
          { cause: error },
        );
      }
      yield value;
    }
  } finally {
    lines.close();
  }
}

/** One line of JSON Lines; throws when `record` has no JSON form (undefined, a function...). */
export function toJsonLine(record: unknown, index: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(record);
  } catch (error) {
    throw new JsonLineError(
      index + 1,
      `record ${index + 1} cannot be written as JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (text === undefined) {
    throw new JsonLineError(
      index + 1,
      `record ${index + 1} is ${typeof record}, which has no JSON form: emit JSON values only`,
    );
  }
  return `${text}\n`;
}

/**
 * The bytes of `records` as JSON Lines, in chunks of about `chunkBytes` (joining small lines
 * saves per-chunk overhead in the upload; a chunk never holds more than one big line over).
 */
export async function* encodeJsonLines(
  records: AsyncIterable<unknown> | Iterable<unknown>,
  chunkBytes = 64 * 1024,
): AsyncGenerator<Buffer> {
  let pending: string[] = [];
  let pendingLength = 0;
  let index = 0;
  for await (const record of records) {
    const line = toJsonLine(record, index);
    index += 1;
    pending.push(line);
    pendingLength += line.length;
    if (pendingLength >= chunkBytes) {
      yield Buffer.from(pending.join(''), 'utf8');
      pending = [];
      pendingLength = 0;
    }
  }
  if (pending.length > 0) yield Buffer.from(pending.join(''), 'utf8');
}

/** Passes `source` through, counting what went by in `counter.count`. */
export async function* counted<T>(
  source: AsyncIterable<T> | Iterable<T>,
  counter: { count: number },
): AsyncGenerator<T> {
  for await (const item of source) {
    counter.count += 1;
    yield item;
  }
}
