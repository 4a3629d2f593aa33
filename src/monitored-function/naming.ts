/**
 * Names the construct derives from the function name, and the limits AWS puts on each. Pure.
 *
 * Lambda: function names 1–64 of [a-zA-Z0-9-_]. SNS topics: 1–256 of [a-zA-Z0-9-_].
 * SQS standard queues: 1–80 of [a-zA-Z0-9-_]. CloudWatch alarms: 1–255 characters.
 * CloudWatch dashboards: 1–255 of [a-zA-Z0-9-_].
 */

export const FUNCTION_NAME_PATTERN = /^[a-zA-Z0-9-_]+$/;
export const FUNCTION_NAME_MAX_LENGTH = 64;
export const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9-_]+$/;
export const TOPIC_NAME_MAX_LENGTH = 256;
export const QUEUE_NAME_MAX_LENGTH = 80;
export const ALARM_NAME_MAX_LENGTH = 255;
export const DASHBOARD_NAME_PATTERN = /^[a-zA-Z0-9-_]+$/;
export const DASHBOARD_NAME_MAX_LENGTH = 255;

/** The alarms a MonitoredFunction can create, by key; the value is the alarm name suffix. */
export const ALARM_SUFFIXES = Object.freeze({
  errors: 'errors',
  throttles: 'throttles',
  duration: 'duration',
  memory: 'memory',
  deadLetterQueue: 'dlq',
  deadLetterErrors: 'dlq-errors',
  destinationDeliveryFailures: 'destination-failures',
  asyncEventsDropped: 'async-dropped',
});

export type AlarmKey = keyof typeof ALARM_SUFFIXES;

/** Every alarm key, in the order alarms are created and listed. */
export const ALARM_KEYS: readonly AlarmKey[] = Object.freeze(
  Object.keys(ALARM_SUFFIXES) as AlarmKey[],
);

export function logGroupNameOf(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

export function alarmNameOf(functionName: string, key: AlarmKey): string {
  return `${functionName}-${ALARM_SUFFIXES[key]}`;
}

export function defaultTopicNameOf(functionName: string): string {
  return `${functionName}-alarms`;
}

export function deadLetterQueueNameOf(functionName: string): string {
  return `${functionName}-dlq`;
}
