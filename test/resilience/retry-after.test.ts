import { describe, expect, it } from 'vitest';
import { retryAfterMsOf } from '../../src/resilience/retry-after.js';
import { sdkError } from './helpers/sdk-errors.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');

describe('resilience: retry-after hint', () => {
  it('reads the DRS retryAfterSeconds member, as a string or a number', () => {
    const asString = sdkError({ name: 'ThrottlingException', status: 429, retryAfterSeconds: '3' });
    const asNumber = sdkError({ name: 'ThrottlingException', status: 429, retryAfterSeconds: 1.5 });

    expect(retryAfterMsOf(asString, NOW)).toBe(3_000);
    expect(retryAfterMsOf(asNumber, NOW)).toBe(1_500);
  });

  it('reads a Retry-After header in seconds, any case', () => {
    const error = sdkError({ name: 'SlowDown', status: 503, headers: { 'Retry-After': '2' } });
    expect(retryAfterMsOf(error, NOW)).toBe(2_000);
  });

  it('reads a Retry-After HTTP date relative to the clock, never negative', () => {
    const later = sdkError({
      name: 'SlowDown',
      status: 503,
      headers: { 'retry-after': 'Sun, 01 Jun 2025 12:00:05 GMT' },
    });
    const past = sdkError({
      name: 'SlowDown',
      status: 503,
      headers: { 'retry-after': 'Sun, 01 Jun 2025 11:59:00 GMT' },
    });

    expect(retryAfterMsOf(later, NOW)).toBe(5_000);
    expect(retryAfterMsOf(past, NOW)).toBe(0);
  });

  it('reads x-amz-retry-after in milliseconds', () => {
    const error = sdkError({
      name: 'Throttling',
      status: 400,
      headers: { 'x-amz-retry-after': '250' },
    });
    expect(retryAfterMsOf(error, NOW)).toBe(250);
  });

  it('prefers the modelled member over headers', () => {
    const error = sdkError({
      name: 'ThrottlingException',
      status: 429,
      retryAfterSeconds: '1',
      headers: { 'retry-after': '9' },
    });
    expect(retryAfterMsOf(error, NOW)).toBe(1_000);
  });

  it('ignores malformed or absent hints', () => {
    const cases = [
      sdkError({ name: 'X', status: 429, retryAfterSeconds: '-1' }),
      sdkError({ name: 'X', status: 429, retryAfterSeconds: Number.NaN }),
      sdkError({ name: 'X', status: 429, headers: { 'retry-after': 'soon' } }),
      sdkError({ name: 'X', status: 429, headers: { 'x-amz-retry-after': 'later' } }),
      sdkError({ name: 'X', status: 429, headers: { other: '1' } }),
      new Error('plain'),
      undefined,
    ];
    for (const error of cases) expect(retryAfterMsOf(error, NOW)).toBeUndefined();
  });
});
