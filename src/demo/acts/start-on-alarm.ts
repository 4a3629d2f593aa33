/**
 * How the demo's task starter turns the load-shedding alarm into a start: its start rule
 * matches the alarm's changes to ALARM, and the rule target's input transformer turns each such
 * event into a start event `{ id, time, detail: { count } }` (every other detail field defaults
 * from the start function's configuration). The act (task-starter-on-primary.ts) and the
 * demo's construct (demo-constructs.ts) both build theirs from here, so they cannot drift.
 */
import type { StartEvent } from '../../task-starter/contract.js';

/** The event CloudWatch sends to EventBridge when an alarm changes state. */
export const ALARM_STATE_CHANGE = Object.freeze({
  source: 'aws.cloudwatch',
  detailType: 'CloudWatch Alarm State Change',
} as const);

/** The start rule's pattern: `alarmArn` going to ALARM (OK and INSUFFICIENT_DATA start nothing). */
export function alarmStartPattern(alarmArn: string): Record<string, unknown> {
  return {
    source: [ALARM_STATE_CHANGE.source],
    'detail-type': [ALARM_STATE_CHANGE.detailType],
    resources: [alarmArn],
    detail: { state: { value: ['ALARM'] } },
  };
}

/**
 * The start event the input transformer makes of an alarm event: its id (so a redelivered
 * event starts nothing twice) and time (for time-to-registered), and `count` tasks.
 */
export function startEventOfAlarm(
  event: { readonly id: string; readonly time: string },
  count: number,
): StartEvent {
  return { id: event.id, time: event.time, detail: { count } };
}
