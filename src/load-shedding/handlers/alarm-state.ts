/**
 * Reads the current state of the controller's alarm (DescribeAlarms). A check decides from this
 * state, not from the reason it was scheduled.
 */
import {
  AlarmType,
  DescribeAlarmsCommand,
  type CloudWatchClient,
} from '@aws-sdk/client-cloudwatch';
import type { OpsLogger } from '../../observability/logger.js';
import { AlarmStateValues, type AlarmStateValue } from '../contract.js';

/**
 * The state of the alarm named `alarmName`: a metric or metric-math alarm, or a composite alarm
 * (AlarmTypes asks for both; DescribeAlarms answers metric alarms only by default). A missing
 * alarm, or a state this code does not know, reads as INSUFFICIENT_DATA, so the controller holds
 * the weights and, after `MAX_INSUFFICIENT_DATA_CHECKS`, ends the chain rather than act blind.
 */
export async function readAlarmState(
  client: CloudWatchClient,
  alarmName: string,
  logger: OpsLogger,
): Promise<AlarmStateValue> {
  const output = await client.send(
    new DescribeAlarmsCommand({
      AlarmNames: [alarmName],
      AlarmTypes: [AlarmType.MetricAlarm, AlarmType.CompositeAlarm],
    }),
  );
  const alarm =
    output.MetricAlarms?.find((a) => a.AlarmName === alarmName) ??
    output.CompositeAlarms?.find((a) => a.AlarmName === alarmName);
  if (alarm === undefined) {
    logger.warn(
      `Alarm '${alarmName}' was not found: read as INSUFFICIENT_DATA. Check ALARM_NAME and ` +
        'that the alarm exists in this account and region.',
      { alarmName },
    );
    return 'INSUFFICIENT_DATA';
  }
  const state = alarm.StateValue;
  if (!isAlarmState(state)) {
    logger.warn(`Alarm '${alarmName}' has an unknown state: read as INSUFFICIENT_DATA.`, {
      alarmName,
      state,
    });
    return 'INSUFFICIENT_DATA';
  }
  return state;
}

function isAlarmState(value: unknown): value is AlarmStateValue {
  return (AlarmStateValues as readonly unknown[]).includes(value);
}
