import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  type DescribeAlarmsCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LoadSheddingAlarmType } from '../../../src/load-shedding/contract.js';
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

describe('load-shedding handlers: alarm state, AlarmTypes by ALARM_TYPE', () => {
  it.each<[LoadSheddingAlarmType | undefined, DescribeAlarmsCommandInput['AlarmTypes']]>([
    ['metric', ['MetricAlarm']],
    ['composite', ['CompositeAlarm']],
    [undefined, ['MetricAlarm', 'CompositeAlarm']],
  ])('asks for a %s alarm with exactly AlarmTypes %j', async (alarmType, alarmTypes) => {
    // Prepare: only the exact request answers; anything else rejects.
    const request = { AlarmNames: ['shop'], AlarmTypes: alarmTypes };
    const alarms =
      alarmType === 'composite'
        ? { CompositeAlarms: [{ AlarmName: 'shop', StateValue: 'ALARM' as const }] }
        : { MetricAlarms: [{ AlarmName: 'shop', StateValue: 'ALARM' as const }] };
    cloudwatch.on(DescribeAlarmsCommand, request, true).resolves(alarms);

    // Act
    const state = await readAlarmState(
      new CloudWatchClient({}),
      'shop',
      recordingLogger(),
      alarmType,
    );

    // Assess
    expect(state).toBe('ALARM');
    expect(
      cloudwatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input),
    ).toEqual([request]);
  });

  it('reads a metric alarm asked for as composite as missing (INSUFFICIENT_DATA), naming ALARM_TYPE', async () => {
    // Prepare: CloudWatch answers AlarmTypes [CompositeAlarm] with no metric alarm.
    cloudwatch
      .on(DescribeAlarmsCommand, { AlarmNames: ['shop'], AlarmTypes: ['CompositeAlarm'] }, true)
      .resolves({ CompositeAlarms: [] });
    const logger = recordingLogger();

    // Act
    const state = await readAlarmState(new CloudWatchClient({}), 'shop', logger, 'composite');

    // Assess
    expect(state).toBe('INSUFFICIENT_DATA');
    expect(logger.lines).toMatchObject([
      {
        level: 'warn',
        message: expect.stringContaining('ALARM_TYPE') as string,
        attributes: { alarmName: 'shop', alarmType: 'composite' },
      },
    ]);
  });
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
