import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALARM_KEYS,
  ALARM_NAME_MAX_LENGTH,
  FUNCTION_NAME_MAX_LENGTH,
  FUNCTION_NAME_PATTERN,
  QUEUE_NAME_MAX_LENGTH,
  TOPIC_NAME_MAX_LENGTH,
  TOPIC_NAME_PATTERN,
  alarmNameOf,
  deadLetterQueueNameOf,
  defaultTopicNameOf,
  logGroupNameOf,
} from '../../src/monitored-function/index.js';

const functionName = fc.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/);

describe('naming: derived names', () => {
  it('names each resource after the function', () => {
    expect(logGroupNameOf('orders-fn')).toBe('/aws/lambda/orders-fn');
    expect(defaultTopicNameOf('orders-fn')).toBe('orders-fn-alarms');
    expect(deadLetterQueueNameOf('orders-fn')).toBe('orders-fn-dlq');
    expect(ALARM_KEYS.map((key) => alarmNameOf('orders-fn', key))).toEqual([
      'orders-fn-errors',
      'orders-fn-throttles',
      'orders-fn-duration',
      'orders-fn-memory',
      'orders-fn-dlq',
      'orders-fn-dlq-errors',
      'orders-fn-destination-failures',
      'orders-fn-async-dropped',
    ]);
  });

  it('every valid function name leaves room for every derived name', () => {
    fc.assert(
      fc.property(functionName, (name) => {
        expect(FUNCTION_NAME_PATTERN.test(name) && name.length <= FUNCTION_NAME_MAX_LENGTH).toBe(
          true,
        );
        const topic = defaultTopicNameOf(name);
        expect(TOPIC_NAME_PATTERN.test(topic) && topic.length <= TOPIC_NAME_MAX_LENGTH).toBe(true);
        expect(deadLetterQueueNameOf(name).length).toBeLessThanOrEqual(QUEUE_NAME_MAX_LENGTH);
        for (const key of ALARM_KEYS) {
          expect(alarmNameOf(name, key).length).toBeLessThanOrEqual(ALARM_NAME_MAX_LENGTH);
        }
      }),
    );
  });
});
