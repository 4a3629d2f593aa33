import { describe, expect, it } from 'vitest';
import { correlationIdOf } from '../../src/observability/correlation.js';

describe('observability: correlationIdOf', () => {
  it('prefers an explicit correlationId', () => {
    expect(correlationIdOf({ correlationId: 'c-1', id: 'e-1', 'detail-type': 'x' })).toBe('c-1');
  });

  it('uses the EventBridge event id', () => {
    expect(correlationIdOf({ id: 'evt-42', 'detail-type': 'CloudWatch Alarm State Change' })).toBe(
      'evt-42',
    );
  });

  it('uses the first SQS record messageId', () => {
    expect(correlationIdOf({ Records: [{ messageId: 'm-1' }, { messageId: 'm-2' }] })).toBe('m-1');
  });

  it('uses a Step Functions execution id carried in the payload', () => {
    expect(correlationIdOf({ executionId: 'exec-7' })).toBe('exec-7');
  });

  it('falls back to the Lambda request id, then to "unknown"', () => {
    expect(correlationIdOf({ foo: 1 }, { awsRequestId: 'req-9' })).toBe('req-9');
    expect(correlationIdOf(null)).toBe('unknown');
    expect(correlationIdOf({ id: 'no-detail-type' })).toBe('unknown');
    expect(correlationIdOf({ Records: [] })).toBe('unknown');
  });
});
