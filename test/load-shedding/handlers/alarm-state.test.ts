import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  type DescribeAlarmsCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readAlarmState } from '../../../src/load-shedding/handlers/alarm-state.js';
import { recordingLogger } from './world.js';

// The CloudWatch model has no composite alarms: these cases use a strict SDK mock.

const cloudwatch = mockClient(CloudWatchClient);
const REQUEST: DescribeAlarmsCommandInput = {
  AlarmNames: ['shop'],
  AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
};

function answer(output: Partial<DescribeAlarmsCommandOutput>): void {
  cloudwatch.on(DescribeAlarmsCommand, REQUEST, true).resolves(output);
}

beforeEach(() => {
  cloudwatch.reset();
  cloudwatch.rejects(new Error('unexpected call')); // strict: only the exact request answers
});

describe('load-shedding handlers: alarm state', () => {
  it('reads a composite alarm', async () => {
    // Prepare
    answer({ MetricAlarms: [], CompositeAlarms: [{ AlarmName: 'shop', StateValue: 'ALARM' }] });

    // Act
    const state = await readAlarmState(new CloudWatchClient({}), 'shop', recordingLogger());

    // Assess
    expect(state).toBe('ALARM');
  });

  it('reads a metric alarm by its exact name', async () => {
    // Prepare
    answer({
      MetricAlarms: [
        { AlarmName: 'shop-other', StateValue: 'ALARM' },
        { AlarmName: 'shop', StateValue: 'OK' },
      ],
    });

    // Act
    const state = await readAlarmState(new CloudWatchClient({}), 'shop', recordingLogger());

    // Assess
    expect(state).toBe('OK');
  });

  it.each([
    ['is missing', {}],
    [
      'has a state this code does not know',
      { MetricAlarms: [{ AlarmName: 'shop', StateValue: 'PAUSED' as 'OK' }] },
    ],
    ['has no state', { CompositeAlarms: [{ AlarmName: 'shop' }] }],
  ])('reads an alarm that %s as INSUFFICIENT_DATA, with a warning', async (_, output) => {
    // Prepare
    answer(output);
    const logger = recordingLogger();

    // Act
    const state = await readAlarmState(new CloudWatchClient({}), 'shop', logger);

    // Assess
    expect(state).toBe('INSUFFICIENT_DATA');
    expect(logger.lines).toMatchObject([{ level: 'warn', attributes: { alarmName: 'shop' } }]);
  });
});
