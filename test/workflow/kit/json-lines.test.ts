import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  counted,
  encodeJsonLines,
  JsonLineError,
  parseJsonLines,
  toJsonLine,
} from '../../../src/workflow/json-lines.js';
import { jsonArb } from './arbitraries.js';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

/** Re-cuts a byte stream at arbitrary points, as the network would. */
async function* rechunk(chunks: AsyncIterable<Buffer>, cuts: number[]): AsyncGenerator<Buffer> {
  const all = Buffer.concat(await collect(chunks));
  let at = 0;
  for (const cut of cuts) {
    const next = Math.min(all.length, at + cut);
    if (next > at) yield all.subarray(at, next);
    at = next;
  }
  if (at < all.length) yield all.subarray(at);
}

describe('workflow json lines', () => {
  it('Property: records survive encode → arbitrary chunking → parse unchanged and in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jsonArb, { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 50 }),
        fc.integer({ min: 1, max: 200 }),
        async (records, cuts, chunkBytes) => {
          // Act
          const parsed = await collect(
            parseJsonLines(rechunk(encodeJsonLines(records, chunkBytes), cuts)),
          );
          // Assess
          expect(parsed).toEqual(records);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('skips blank lines, accepts CRLF, and names the line that is not JSON', async () => {
    // Act
    const ok = await collect(parseJsonLines(['{"a":1}\r\n', '\n', '  \n2\n']));
    const bad = collect(parseJsonLines(['1\n', '{nope}\n']));
    // Assess
    expect(ok).toEqual([{ a: 1 }, 2]);
    await expect(bad).rejects.toThrow(JsonLineError);
    await expect(collect(parseJsonLines(['1\n', '{nope}\n']))).rejects.toThrow(/line 2/);
  });

  it('refuses records with no JSON form', () => {
    // Prepare
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // Assess
    expect(() => toJsonLine(undefined, 0)).toThrow(/record 1 is undefined/);
    expect(() => toJsonLine(cyclic, 4)).toThrow(/record 5 cannot be written/);
    expect(toJsonLine({ a: 'é' }, 0)).toBe('{"a":"é"}\n');
  });

  it('counts what passes through', async () => {
    // Prepare
    const counter = { count: 0 };
    // Act
    const items = await collect(counted([1, 2, 3], counter));
    // Assess
    expect(items).toEqual([1, 2, 3]);
    expect(counter.count).toBe(3);
  });
});
