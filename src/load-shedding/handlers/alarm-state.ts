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
import { AlarmStateValues, type AlarmStateValue, type LoadSheddingAlarmType } from '../contract.js';

/** DescribeAlarms' `AlarmTypes` per alarm kind; an unknown kind asks for both. */
const ALARM_TYPES_TO_ASK: Readonly<Record<LoadSheddingAlarmType | 'unknown', AlarmType[]>> = {
  metric: [AlarmType.MetricAlarm],
  composite: [AlarmType.CompositeAlarm],
  // DescribeAlarms answers metric alarms only unless told otherwise.
  unknown: [AlarmType.MetricAlarm, AlarmType.CompositeAlarm],
};

/**
 * The state of the alarm named `alarmName`, of kind `alarmType` (`ALARM_TYPE`): a metric or
 * metric-math alarm, or a composite alarm. Only that type is asked for, so a metric alarm can be
 * read with a DescribeAlarms permission on its own ARN; an unknown kind asks for both (which
 * needs the permission on `*`, the only scope CloudWatch answers composite alarms to). A missing
 * alarm, or a state this code does not know, reads as INSUFFICIENT_DATA, so the controller holds
 * the weights and, after `MAX_INSUFFICIENT_DATA_CHECKS`, ends the chain rather than act blind.
 */
export async function readAlarmState(
  client: CloudWatchClient,
  alarmName: string,
  logger: OpsLogger,
  alarmType?: LoadSheddingAlarmType,
): Promise<AlarmStateValue> {
  const output = await client.send(
    new DescribeAlarmsCommand({
      AlarmNames: [alarmName],
      AlarmTypes: ALARM_TYPES_TO_ASK[alarmType ?? 'unknown'],
    }),
  );
  const alarm =
    output.MetricAlarms?.find((a) => a.AlarmName === alarmName) ??
    output.CompositeAlarms?.find((a) => a.AlarmName === alarmName);
  if (alarm === undefined) {
    logger.warn(
      `Alarm '${alarmName}' was not found: read as INSUFFICIENT_DATA. Check ALARM_NAME, ` +
        'that the alarm exists in this account and region, and that ALARM_TYPE is its kind.',
      { alarmName, alarmType },
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
