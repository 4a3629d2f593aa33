import { describe, expect, it } from 'vitest';
import {
  exampleGlueJob,
  normalizeLines,
  pythonJsonDumps,
} from '../../../src/workflow/local-run/example.js';

describe('local-run: the example Glue job twin', () => {
  it('writes JSON as Python json.dumps(sort_keys=True, separators=(",", ":")) does', () => {
    expect(pythonJsonDumps({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'é' } })).toBe(
      '{"a":{"c":"\\u00e9","d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('trims strings, drops nulls, splits arrays and skips records missing a required field', () => {
    const input = ['{" id ":" 1 ","x":null}', '', '[{"id":"2"},{"id":""}]', '{"other":1}'].join(
      '\n',
    );
    expect(normalizeLines(input, ['id'])).toBe('{"id":"1"}\n{"id":"2"}\n');
    expect(normalizeLines(input)).toBe('{"id":"1"}\n{"id":"2"}\n{"id":""}\n{"other":1}\n');
  });

  it('fails on a line that is not JSON or a record that is not an object', () => {
    expect(() => normalizeLines('{"a":1}\nnope')).toThrow(/^line 2: not JSON/);
    expect(() => normalizeLines('[1]')).toThrow('line 1: a record must be a JSON object');
  });

  it('reads --required-fields from the job arguments and writes JSON Lines', async () => {
    const job = exampleGlueJob().normalize;
    expect(job?.outputContentType).toBe('application/x-ndjson');
    const output = await job?.transform('{"a":1}\n{"b":2}', {
      jobName: 'j',
      runId: 'r',
      arguments: { '--required-fields': ' a , ' },
    });
    expect(output).toBe('{"a":1}\n');
  });
});
