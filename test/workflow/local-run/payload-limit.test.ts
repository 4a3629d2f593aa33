import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DataLimitExceededFailure,
  MAX_PAYLOAD_BYTES,
  TaskFailure,
} from '../../../src/workflow/local-run/errors.js';
import {
  payloadBytes,
  payloadLimitViolation,
} from '../../../src/workflow/local-run/payload-limit.js';

describe('local-run: payload limit', () => {
  it('is 262,144 bytes, as Step Functions documents', () => {
    expect(MAX_PAYLOAD_BYTES).toBe(262_144);
  });

  it('measures the UTF-8 bytes of the JSON text, not its characters', () => {
    expect(payloadBytes({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}', 'utf8'));
    expect(payloadBytes({ a: 'é' })).toBe(10);
    expect(payloadBytes(undefined)).toBe(0);
  });

  it('accepts exactly the limit and refuses one byte more', () => {
    const atLimit = 'x'.repeat(MAX_PAYLOAD_BYTES - 2); // the two quotes
    expect(payloadLimitViolation(atLimit, 'it')).toBeUndefined();
    expect(payloadLimitViolation(`${atLimit}x`, 'The output')).toMatch(
      /^The output is 262145 bytes, above Step Functions' limit of 262144 bytes/,
    );
  });

  it('flags a payload exactly when its JSON is longer than the limit (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 2_000 }), (value, limit) => {
        const violation = payloadLimitViolation(value, 'v', limit);
        expect(violation !== undefined).toBe(
          Buffer.byteLength(JSON.stringify(value), 'utf8') > limit,
        );
      }),
      { numRuns: 100 },
    );
  });

  it('makes States.DataLimitExceeded neither retryable nor catchable', () => {
    const failure = new DataLimitExceededFailure('too big');
    expect(failure).toBeInstanceOf(TaskFailure);
    expect(failure.name).toBe('States.DataLimitExceeded');
    expect(failure.cause).toBe('too big');
    expect(failure.message).toBe('too big');
    expect(failure.isRetryable).toBe(false);
    expect(failure.isCatchable).toBe(false);
  });
});
