import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import * as cwSdk from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchClient,
  CloudWatchServiceException,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  type PutMetricAlarmCommandInput,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import {
  alarmTimestamp,
  evaluateAlarm,
  javaDouble,
  reasonFor,
  statisticOf,
  summarise,
  type TreatMissingData,
} from '../../../src/simulation/models/cloudwatch-alarms.js';
import {
  CloudWatchModel,
  type AlarmStateChangeEvent,
  type CloudWatchModelOptions,
} from '../../../src/simulation/models/cloudwatch.js';
import {
  EventBridgeModel,
  type EventBridgeEvent,
} from '../../../src/simulation/models/eventbridge.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

const START = Date.UTC(2025, 0, 1);
const MINUTE = 60_000;

function setup(options: Partial<CloudWatchModelOptions> = {}) {
  const clock = VirtualClock.create({ start: START });
  const events: EventBridgeEvent[] = [];
  const model = new CloudWatchModel({
    clock,
    events: { publish: (e) => void events.push(e) },
    ...options,
  });
  const client = createSimulatedClient(CloudWatchClient, {}, model, { exceptions: cwSdk });
  return { clock, model, client, events };
}

async function failure(promise: Promise<unknown>): Promise<CloudWatchServiceException> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CloudWatchServiceException);
  return error as CloudWatchServiceException;
}

const alarmInput: PutMetricAlarmCommandInput = {
  AlarmName: 'errors-high',
  AlarmDescription: 'Too many errors',
  Namespace: 'Kit/Shop',
  MetricName: 'Errors',
  Dimensions: [{ Name: 'Service', Value: 'checkout' }],
  Statistic: 'Sum',
  Period: 60,
  EvaluationPeriods: 3,
  DatapointsToAlarm: 2,
  Threshold: 10,
  ComparisonOperator: 'GreaterThanThreshold',
  TreatMissingData: 'notBreaching',
};

function datum(value: number, minute: number) {
  return {
    MetricName: 'Errors',
    Dimensions: [{ Name: 'Service', Value: 'checkout' }],
    Value: value,
    Timestamp: new Date(START + minute * MINUTE + 1_000),
  };
}

describe('simulation: CloudWatch metrics', () => {
  it('stores data points and answers GetMetricStatistics per period', async () => {
    // Prepare
    const { clock, client } = setup();
    await clock.advance(3 * MINUTE);
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'Kit/Shop',
        MetricData: [
          datum(4, 0),
          datum(6, 0),
          { ...datum(0, 1), Value: undefined, Values: [1, 9], Counts: [3, 1], Unit: 'Count' },
          {
            ...datum(0, 2),
            Value: undefined,
            StatisticValues: { SampleCount: 2, Sum: 10, Minimum: 5, Maximum: 5 },
          },
          { ...datum(100, 0), Dimensions: [{ Name: 'Service', Value: 'other' }] },
        ],
      }),
    );

    // Act
    const stats = await client.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Kit/Shop',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'Service', Value: 'checkout' }],
        StartTime: new Date(START),
        EndTime: new Date(START + 3 * MINUTE),
        Period: 60,
        Statistics: ['Sum', 'Average', 'SampleCount', 'Minimum', 'Maximum'],
      }),
    );
    const percentiles = await client.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Kit/Shop',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'Service', Value: 'checkout' }],
        StartTime: new Date(START),
        EndTime: new Date(START + 3 * MINUTE),
        Period: 180,
        ExtendedStatistics: ['p50', 'p99'],
        Unit: 'Count',
      }),
    );

    // Assess
    expect(stats.Label).toBe('Errors');
    expect(stats.Datapoints).toEqual([
      {
        Timestamp: new Date(START),
        Unit: 'None',
        Sum: 10,
        Average: 5,
        SampleCount: 2,
        Minimum: 4,
        Maximum: 6,
      },
      {
        Timestamp: new Date(START + MINUTE),
        Unit: 'Count',
        Sum: 12,
        Average: 3,
        SampleCount: 4,
        Minimum: 1,
        Maximum: 9,
      },
      {
        Timestamp: new Date(START + 2 * MINUTE),
        Unit: 'None',
        Sum: 10,
        Average: 5,
        SampleCount: 2,
        Minimum: 5,
        Maximum: 5,
      },
    ]);
    expect(percentiles.Datapoints).toEqual([
      { Timestamp: new Date(START), Unit: 'Count', ExtendedStatistics: { p50: 1, p99: 9 } },
    ]);
  });

  it.each([
    [
      'no Namespace',
      { Namespace: undefined },
      'MissingRequiredParameterException',
      /Namespace is required/,
    ],
    ['an AWS/ namespace', { Namespace: 'AWS/EC2' }, 'InvalidParameterValueException', /AWS\/EC2/],
    ['no MetricData', { MetricData: [] }, 'MissingRequiredParameterException', /MetricData/],
    [
      '1001 metrics',
      { MetricData: Array.from({ length: 1001 }, () => datum(1, 0)) },
      'InvalidParameterValueException',
      /greater than 1000/,
    ],
    [
      'Value and Values',
      { MetricData: [{ ...datum(1, 0), Values: [1] }] },
      'InvalidParameterCombinationException',
      /mutually exclusive/,
    ],
    [
      'no value at all',
      { MetricData: [{ MetricName: 'Errors' }] },
      'MissingRequiredParameterException',
      /member.1.Value/,
    ],
    [
      'no MetricName',
      { MetricData: [{ Value: 1 }] },
      'MissingRequiredParameterException',
      /MetricName/,
    ],
    [
      'NaN',
      { MetricData: [{ ...datum(0, 0), Value: Number.NaN }] },
      'InvalidParameterValueException',
      /NaN/,
    ],
    [
      'a value above 2^360',
      { MetricData: [{ ...datum(0, 0), Value: 2 ** 361 }] },
      'InvalidParameterValueException',
      /Value is invalid/,
    ],
    [
      '151 values',
      { MetricData: [{ MetricName: 'm', Values: Array.from({ length: 151 }, () => 1) }] },
      'InvalidParameterValueException',
      /1 to 150 values/,
    ],
    [
      'Counts of another size',
      { MetricData: [{ MetricName: 'm', Values: [1, 2], Counts: [1] }] },
      'InvalidParameterValueException',
      /same size/,
    ],
    [
      'a negative count',
      { MetricData: [{ MetricName: 'm', Values: [1], Counts: [-1] }] },
      'InvalidParameterValueException',
      /Counts is invalid/,
    ],
    [
      'a bad statistic set',
      {
        MetricData: [
          { MetricName: 'm', StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 2, Maximum: 1 } },
        ],
      },
      'InvalidParameterValueException',
      /Minimum <= Maximum/,
    ],
    [
      'an incomplete statistic set',
      {
        MetricData: [{ MetricName: 'm', StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1 } }],
      },
      'MissingRequiredParameterException',
      /Maximum/,
    ],
    [
      '31 dimensions',
      {
        MetricData: [
          {
            ...datum(1, 0),
            Dimensions: Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: 'v' })),
          },
        ],
      },
      'ValidationException',
      /Dimensions/,
    ],
    [
      'duplicate dimensions',
      {
        MetricData: [
          {
            ...datum(1, 0),
            Dimensions: [
              { Name: 'a', Value: '1' },
              { Name: 'a', Value: '2' },
            ],
          },
        ],
      },
      'InvalidParameterValueException',
      /duplicate dimension/,
    ],
    [
      'an unknown unit',
      { MetricData: [{ ...datum(1, 0), Unit: 'Parsecs' }] },
      'ValidationException',
      /Unit/,
    ],
    [
      'a storage resolution of 5',
      { MetricData: [{ ...datum(1, 0), StorageResolution: 5 }] },
      'ValidationException',
      /StorageResolution/,
    ],
    [
      'a time over two weeks ago',
      { MetricData: [{ ...datum(1, 0), Timestamp: new Date(START - 15 * 86_400_000) }] },
      'InvalidParameterValueException',
      /two weeks/,
    ],
    [
      'a time over two hours ahead',
      { MetricData: [{ ...datum(1, 0), Timestamp: new Date(START + 3 * 3_600_000) }] },
      'InvalidParameterValueException',
      /two hours/,
    ],
  ])('refuses PutMetricData with %s', async (_name, overrides, name, message) => {
    const { client } = setup();
    const error = await failure(
      client.send(
        new PutMetricDataCommand({
          Namespace: 'Kit/Shop',
          MetricData: [datum(1, 0)],
          ...overrides,
        } as cwSdk.PutMetricDataCommandInput),
      ),
    );
    expect(error).toMatchObject({ name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
    expect(error).toBeInstanceOf((cwSdk as unknown as Record<string, typeof Error>)[name]);
    expect(error.message).toMatch(message);
  });

  it('refuses a request over 1 MB', async () => {
    const { client } = setup();
    const error = await failure(
      client.send(
        new PutMetricDataCommand({
          Namespace: 'Kit/Shop',
          MetricData: Array.from({ length: 1000 }, (_, i) => ({
            MetricName: `m${i}`,
            Dimensions: [{ Name: 'd', Value: 'v'.repeat(1_000) }],
            Value: 1,
          })),
        }),
      ),
    );
    expect(error).toMatchObject({
      name: 'RequestEntityTooLarge',
      $metadata: { httpStatusCode: 413 },
    });
  });

  it.each([
    [
      'both statistic kinds',
      { Statistics: ['Sum'], ExtendedStatistics: ['p90'] },
      'InvalidParameterCombinationException',
    ],
    ['no statistic', {}, 'InvalidParameterCombinationException'],
    [
      'a start after the end',
      { Statistics: ['Sum'], StartTime: new Date(START + MINUTE) },
      'InvalidParameterValueException',
    ],
    ['a period of 45', { Statistics: ['Sum'], Period: 45 }, 'InvalidParameterValueException'],
    [
      'over 1440 data points',
      { Statistics: ['Sum'], Period: 1, EndTime: new Date(START + 1441_000) },
      'InvalidParameterCombinationException',
    ],
    [
      '6 statistics',
      { Statistics: ['Sum', 'Sum', 'Sum', 'Sum', 'Sum', 'Sum'] },
      'ValidationException',
    ],
    ['no Period', { Statistics: ['Sum'], Period: undefined }, 'MissingRequiredParameterException'],
    [
      'an unknown extended statistic',
      { ExtendedStatistics: ['q90'] },
      'InvalidParameterValueException',
    ],
  ])('refuses GetMetricStatistics with %s', async (_name, overrides, name) => {
    const { client } = setup();
    const error = await failure(
      client.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Kit/Shop',
          MetricName: 'Errors',
          StartTime: new Date(START),
          EndTime: new Date(START),
          Period: 60,
          ...overrides,
        } as cwSdk.GetMetricStatisticsCommandInput),
      ),
    );
    expect(error.name).toBe(name);
  });

  it('refuses extended statistics the simulation does not compute, as a scenario error', async () => {
    const { client } = setup();
    await expect(
      client.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Kit/Shop',
          MetricName: 'Errors',
          StartTime: new Date(START),
          EndTime: new Date(START + MINUTE),
          Period: 60,
          ExtendedStatistics: ['tm90'],
        }),
      ),
    ).rejects.toThrow(SimulationConfigError);
  });
});

describe('simulation: CloudWatch alarm configuration', () => {
  it('creates an alarm in INSUFFICIENT_DATA and describes it; an update keeps the state', async () => {
    // Prepare
    const { client, model } = setup();
    await client.send(new PutMetricAlarmCommand(alarmInput));
    await client.send(
      new SetAlarmStateCommand({
        AlarmName: 'errors-high',
        StateValue: 'ALARM',
        StateReason: 'test',
      }),
    );

    // Act
    await client.send(new PutMetricAlarmCommand({ ...alarmInput, Threshold: 20 }));
    const described = await client.send(new DescribeAlarmsCommand({ AlarmNames: ['errors-high'] }));

    // Assess
    expect(described.MetricAlarms).toEqual([
      {
        AlarmName: 'errors-high',
        AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors-high',
        AlarmDescription: 'Too many errors',
        AlarmConfigurationUpdatedTimestamp: new Date(START),
        ActionsEnabled: true,
        OKActions: [],
        AlarmActions: [],
        InsufficientDataActions: [],
        StateValue: 'ALARM',
        StateReason: 'test',
        StateUpdatedTimestamp: new Date(START),
        StateTransitionedTimestamp: new Date(START),
        MetricName: 'Errors',
        Namespace: 'Kit/Shop',
        Statistic: 'Sum',
        Dimensions: [{ Name: 'Service', Value: 'checkout' }],
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 20,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      },
    ]);
    expect(model.alarmHistory('errors-high').map((item) => item.HistoryItemType)).toEqual([
      'ConfigurationUpdate',
      'StateUpdate',
      'ConfigurationUpdate',
    ]);
  });

  it.each([
    ['no AlarmName', { AlarmName: undefined }, 'MissingRequiredParameterException'],
    ['no Threshold', { Threshold: undefined }, 'MissingRequiredParameterException'],
    ['EvaluationPeriods 0', { EvaluationPeriods: 0 }, 'ValidationException'],
    ['a name with a control character', { AlarmName: 'bad\u0001name' }, 'ValidationException'],
    ['6 alarm actions', { AlarmActions: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'ValidationException'],
    [
      'Statistic and ExtendedStatistic',
      { ExtendedStatistic: 'p99' },
      'InvalidParameterCombinationException',
    ],
    ['neither statistic', { Statistic: undefined }, 'InvalidParameterCombinationException'],
    ['a period of 45', { Period: 45 }, 'InvalidParameterValueException'],
    [
      'more than a day of periods under an hour',
      { Period: 60, EvaluationPeriods: 1441, DatapointsToAlarm: 1 },
      'InvalidParameterValueException',
    ],
    [
      'more than seven days of hourly periods',
      { Period: 3600, EvaluationPeriods: 169, DatapointsToAlarm: 1 },
      'InvalidParameterValueException',
    ],
    [
      'DatapointsToAlarm above EvaluationPeriods',
      { DatapointsToAlarm: 4 },
      'InvalidParameterValueException',
    ],
    [
      'an unknown TreatMissingData',
      { TreatMissingData: 'sometimes' },
      'InvalidParameterValueException',
    ],
    [
      'an anomaly band operator',
      { ComparisonOperator: 'LessThanLowerThreshold' },
      'InvalidParameterCombinationException',
    ],
  ])('refuses PutMetricAlarm with %s', async (_name, overrides, name) => {
    const { client } = setup();
    const error = await failure(
      client.send(
        new PutMetricAlarmCommand({ ...alarmInput, ...overrides } as PutMetricAlarmCommandInput),
      ),
    );
    expect(error).toMatchObject({ name, $metadata: { httpStatusCode: 400 } });
  });

  it('accepts percentile alarms and refuses metric math as unsupported', async () => {
    const { client, model } = setup();
    await client.send(
      new PutMetricAlarmCommand({
        ...alarmInput,
        Statistic: undefined,
        ExtendedStatistic: 'p99.9',
      }),
    );
    expect(model.alarm('errors-high').ExtendedStatistic).toBe('p99.9');
    await expect(
      client.send(
        new PutMetricAlarmCommand({
          ...alarmInput,
          AlarmName: 'math',
          Metrics: [{ Id: 'm1', Expression: 'm2*2' }],
        }),
      ),
    ).rejects.toThrow(SimulationConfigError);
  });

  it('answers LimitExceededFault past the account alarm quota', async () => {
    const { client } = setup({ maxAlarms: 1 });
    await client.send(new PutMetricAlarmCommand(alarmInput));
    const error = await failure(
      client.send(new PutMetricAlarmCommand({ ...alarmInput, AlarmName: 'second' })),
    );
    expect(error).toBeInstanceOf(cwSdk.LimitExceededFault);
  });

  it('filters and paginates DescribeAlarms', async () => {
    // Prepare
    const { client } = setup();
    for (const name of ['b-alarm', 'a-alarm', 'c-alarm', 'other']) {
      await client.send(
        new PutMetricAlarmCommand({
          ...alarmInput,
          AlarmName: name,
          AlarmActions: [`arn:aws:sns:topic-${name}`],
        }),
      );
    }
    await client.send(
      new SetAlarmStateCommand({ AlarmName: 'c-alarm', StateValue: 'OK', StateReason: 'manual' }),
    );

    // Act
    const first = await client.send(new DescribeAlarmsCommand({ MaxRecords: 2 }));
    const second = await client.send(
      new DescribeAlarmsCommand({ MaxRecords: 2, NextToken: first.NextToken }),
    );
    const all = await client.send(new DescribeAlarmsCommand({}));
    const prefixed = await client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'a-' }));
    const ok = await client.send(new DescribeAlarmsCommand({ StateValue: 'OK' }));
    const byAction = await client.send(
      new DescribeAlarmsCommand({ ActionPrefix: 'arn:aws:sns:topic-b' }),
    );
    const composites = await client.send(
      new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }),
    );

    // Assess
    const names = (output: cwSdk.DescribeAlarmsCommandOutput) =>
      output.MetricAlarms?.map((alarm) => alarm.AlarmName);
    expect([names(first), names(second)]).toEqual([
      ['a-alarm', 'b-alarm'],
      ['c-alarm', 'other'],
    ]);
    expect(second.NextToken).toBeUndefined();
    expect(all.MetricAlarms).toHaveLength(4);
    expect(names(prefixed)).toEqual(['a-alarm']);
    expect(names(ok)).toEqual(['c-alarm']);
    expect(names(byAction)).toEqual(['b-alarm']);
    expect(composites).toMatchObject({ CompositeAlarms: [] });
    expect(composites.MetricAlarms).toBeUndefined();
  });

  it.each([
    [
      'AlarmNames and AlarmNamePrefix',
      { AlarmNames: ['a'], AlarmNamePrefix: 'a' },
      'InvalidParameterCombinationException',
    ],
    ['MaxRecords 101', { MaxRecords: 101 }, 'ValidationException'],
    [
      '101 alarm names',
      { AlarmNames: Array.from({ length: 101 }, (_, i) => `a${i}`) },
      'ValidationException',
    ],
    ['an invalid NextToken', { NextToken: 'bogus' }, 'InvalidNextToken'],
    ['an unknown state', { StateValue: 'MAYBE' }, 'ValidationException'],
  ])('refuses DescribeAlarms with %s', async (_name, input, name) => {
    const { client } = setup();
    const error = await failure(
      client.send(new DescribeAlarmsCommand(input as cwSdk.DescribeAlarmsCommandInput)),
    );
    expect(error.name).toBe(name);
  });

  it('refuses composite alarm lookups as unsupported', async () => {
    const { client } = setup();
    await expect(
      client.send(new DescribeAlarmsCommand({ ChildrenOfAlarmName: 'x' })),
    ).rejects.toThrow(SimulationConfigError);
  });

  it('sets an alarm state by hand, announcing the change; refuses unknown alarms and bad reason data', async () => {
    // Prepare
    const { client, events } = setup();
    await client.send(new PutMetricAlarmCommand(alarmInput));

    // Act
    await client.send(
      new SetAlarmStateCommand({
        AlarmName: 'errors-high',
        StateValue: 'ALARM',
        StateReason: 'drill',
        StateReasonData: '{"a":1}',
      }),
    );
    await client.send(
      new SetAlarmStateCommand({
        AlarmName: 'errors-high',
        StateValue: 'ALARM',
        StateReason: 'again',
      }),
    );
    const unknown = await failure(
      client.send(
        new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' }),
      ),
    );
    const badJson = await failure(
      client.send(
        new SetAlarmStateCommand({
          AlarmName: 'errors-high',
          StateValue: 'OK',
          StateReason: 'x',
          StateReasonData: '{',
        }),
      ),
    );
    const missing = await failure(
      client.send(
        new SetAlarmStateCommand({
          AlarmName: 'errors-high',
          StateValue: 'OK',
        } as cwSdk.SetAlarmStateCommandInput),
      ),
    );

    // Assess
    expect(events).toHaveLength(1);
    expect((events[0] as AlarmStateChangeEvent).detail.state).toEqual({
      value: 'ALARM',
      reason: 'drill',
      reasonData: '{"a":1}',
      timestamp: '2025-01-01T00:00:00.000+0000',
    });
    expect(unknown).toBeInstanceOf(cwSdk.ResourceNotFound);
    expect(unknown.$metadata.httpStatusCode).toBe(404);
    expect(badJson).toBeInstanceOf(cwSdk.InvalidFormatFault);
    expect(missing).toBeInstanceOf(cwSdk.MissingRequiredParameterException);
  });
});

// ---- evaluation ----

const TREATMENTS: TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];

/** `X` breaching, `0` not breaching, `-` missing; oldest first. */
function periods(pattern: string) {
  return [...pattern.replaceAll(' ', '')].map((symbol, i) => ({
    start: START + i * MINUTE,
    value: symbol === 'X' ? 20 : symbol === '0' ? 1 : undefined,
  }));
}

describe('simulation: CloudWatch alarm evaluation (pure)', () => {
  // The user guide's table for DatapointsToAlarm 3 of EvaluationPeriods 3, "retain" being the
  // current state (here OK).
  it.each([
    ['0 0 0', ['OK', 'OK', 'OK', 'OK']],
    ['0 0 X', ['OK', 'OK', 'OK', 'OK']],
    ['0 X X', ['OK', 'OK', 'OK', 'OK']],
    ['X X X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    ['0 0 -', ['OK', 'OK', 'OK', 'OK']],
    ['0 X -', ['OK', 'OK', 'OK', 'OK']],
    ['X X -', ['ALARM', 'retain', 'ALARM', 'OK']],
    ['0 - -', ['OK', 'OK', 'OK', 'OK']],
    ['X - -', ['ALARM', 'retain', 'ALARM', 'OK']],
    ['- - -', ['INSUFFICIENT_DATA', 'retain', 'ALARM', 'OK']],
  ])('3 of 3, %s', (pattern, expected) => {
    const states = TREATMENTS.map(
      (treatMissingData) =>
        evaluateAlarm({
          periods: periods(pattern),
          datapointsToAlarm: 3,
          operator: 'GreaterThanThreshold',
          threshold: 10,
          treatMissingData,
          currentState: 'OK',
        }).state ?? 'retain',
    );
    expect(states).toEqual(expected);
  });

  it.each([
    ['0 X X', 'ALARM'],
    ['X 0 X', 'ALARM'],
    ['X 0 0', 'OK'],
    ['- X X', 'ALARM'],
    ['- X 0', 'OK'],
  ])('2 of 3, %s', (pattern, expected) => {
    expect(
      evaluateAlarm({
        periods: periods(pattern),
        datapointsToAlarm: 2,
        operator: 'GreaterThanThreshold',
        threshold: 10,
        treatMissingData: 'missing',
        currentState: 'INSUFFICIENT_DATA',
      }).state,
    ).toBe(expected);
  });

  it('compares with each operator', () => {
    const at = (operator: cwSdk.ComparisonOperator, value: number) =>
      evaluateAlarm({
        periods: [{ start: START, value }],
        datapointsToAlarm: 1,
        operator,
        threshold: 10,
        treatMissingData: 'missing',
        currentState: 'OK',
      }).state;
    expect([at('GreaterThanOrEqualToThreshold', 10), at('GreaterThanThreshold', 10)]).toEqual([
      'ALARM',
      'OK',
    ]);
    expect([at('LessThanThreshold', 10), at('LessThanOrEqualToThreshold', 10)]).toEqual([
      'OK',
      'ALARM',
    ]);
    expect(() => at('LessThanLowerThreshold', 1)).toThrow(/anomaly detection/);
  });

  it('computes statistics, percentiles by nearest rank, and numbers as CloudWatch prints them', () => {
    const summary = summarise([
      {
        timestamp: 0,
        unit: 'None',
        values: [
          { value: 1, count: 1 },
          { value: 3, count: 3 },
        ],
        sampleCount: 4,
        sum: 10,
        minimum: 1,
        maximum: 3,
      },
    ]);
    expect(
      summary && [
        statisticOf(summary, 'p25'),
        statisticOf(summary, 'p26'),
        statisticOf(summary, 'p100'),
      ],
    ).toEqual([1, 3, 3]);
    expect(summary && statisticOf(summary, 'tm90')).toBeUndefined();
    const sets = summarise([
      {
        timestamp: 0,
        unit: 'None',
        values: undefined,
        sampleCount: 2,
        sum: 4,
        minimum: 1,
        maximum: 3,
      },
    ]);
    expect(sets && statisticOf(sets, 'p50')).toBeUndefined();
    expect(summarise([])).toBeUndefined();
    expect([javaDouble(4), javaDouble(0.25)]).toEqual(['4.0', '0.25']);
    expect(alarmTimestamp(START + 5)).toBe('2025-01-01T00:00:00.005+0000');
  });

  it('words reasons like CloudWatch', () => {
    const input = (
      pattern: string,
      treatMissingData: TreatMissingData,
      currentState: StateValue = 'OK',
    ) => ({
      periods: periods(pattern),
      datapointsToAlarm: 2,
      operator: 'GreaterThanThreshold' as const,
      threshold: 10,
      treatMissingData,
      currentState,
    });
    const reason = (pattern: string, treat: TreatMissingData, from: StateValue = 'OK') =>
      reasonFor(evaluateAlarm(input(pattern, treat, from)), input(pattern, treat, from), from);
    expect(reason('X 0 X', 'missing')).toBe(
      'Threshold Crossed: 2 out of the last 3 datapoints [20.0 (01/01/25 00:02:00), 20.0 (01/01/25 00:00:00)] were greater than the threshold (10.0) (minimum 2 datapoints for OK -> ALARM transition).',
    );
    expect(reason('X 0 0', 'missing', 'ALARM')).toBe(
      'Threshold Crossed: 2 out of the last 3 datapoints [1.0 (01/01/25 00:02:00), 1.0 (01/01/25 00:01:00)] were not greater than the threshold (10.0) (minimum 2 datapoints for ALARM -> OK transition).',
    );
    expect(reason('- - -', 'notBreaching', 'ALARM')).toBe(
      'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].',
    );
    expect(reason('- - -', 'breaching')).toMatch(/treated as \[Breaching\]/);
    expect(reason('- - -', 'missing')).toBe('Insufficient Data: 3 datapoints were unknown.');
    expect(reason('0 0 0', 'missing', 'OK')).not.toMatch(/transition/);
  });
});

describe('simulation: CloudWatch alarm evaluation on the virtual clock', () => {
  it('goes to ALARM on M of N breaching periods and sends the state change event AWS documents', async () => {
    // Prepare
    const { clock, client, model, events } = setup();
    await client.send(new PutMetricAlarmCommand(alarmInput));
    await clock.advance(3 * MINUTE);
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'Kit/Shop',
        MetricData: [datum(20, 0), datum(5, 1), datum(15, 2)],
      }),
    );

    // Act
    const transitions = model.evaluateAlarms();

    // Assess
    expect(transitions).toEqual([
      expect.objectContaining({
        alarmName: 'errors-high',
        from: 'INSUFFICIENT_DATA',
        to: 'ALARM',
        time: START + 3 * MINUTE,
      }),
    ]);
    expect(events).toHaveLength(1);
    const event = events[0] as AlarmStateChangeEvent;
    expect(event).toEqual({
      version: '0',
      id: '00000000-0000-4000-d000-000000000002',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '123456789012',
      time: '2025-01-01T00:03:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors-high'],
      detail: {
        alarmName: 'errors-high',
        state: {
          value: 'ALARM',
          reason:
            'Threshold Crossed: 2 out of the last 3 datapoints [15.0 (01/01/25 00:02:00), 20.0 (01/01/25 00:00:00)] were greater than the threshold (10.0) (minimum 2 datapoints for INSUFFICIENT_DATA -> ALARM transition).',
          reasonData: expect.any(String) as string,
          timestamp: '2025-01-01T00:03:00.000+0000',
        },
        previousState: {
          value: 'INSUFFICIENT_DATA',
          reason: 'Unchecked: Initial alarm creation',
          timestamp: '2025-01-01T00:00:00.000+0000',
        },
        configuration: {
          description: 'Too many errors',
          metrics: [
            {
              id: '00000000-0000-4000-d100-000000000001',
              metricStat: {
                metric: {
                  namespace: 'Kit/Shop',
                  name: 'Errors',
                  dimensions: { Service: 'checkout' },
                },
                period: 60,
                stat: 'Sum',
              },
              returnData: true,
            },
          ],
        },
      },
    });
    expect(EventBridgeSchema.safeParse(event).success).toBe(true);
    expect(JSON.parse(event.detail.state.reasonData ?? '')).toEqual({
      version: '1.0',
      queryDate: '2025-01-01T00:03:00.000+0000',
      startDate: '2025-01-01T00:00:00.000+0000',
      statistic: 'Sum',
      period: 60,
      recentDatapoints: [20, 5, 15],
      threshold: 10,
      evaluatedDatapoints: [
        { timestamp: '2025-01-01T00:02:00.000+0000', value: 15 },
        { timestamp: '2025-01-01T00:01:00.000+0000', value: 5 },
        { timestamp: '2025-01-01T00:00:00.000+0000', value: 20 },
      ],
    });
    expect(model.alarm('errors-high')).toMatchObject({
      StateValue: 'ALARM',
      StateTransitionedTimestamp: new Date(START + 3 * MINUTE),
    });
    expect(model.alarmHistory('errors-high')[1]).toMatchObject({
      HistoryItemType: 'StateUpdate',
      HistorySummary: 'Alarm updated from INSUFFICIENT_DATA to ALARM',
    });
  });

  it('sends no event while the state stays, and one when data stops (notBreaching)', async () => {
    // Prepare
    const { clock, client, model, events } = setup();
    await client.send(new PutMetricAlarmCommand(alarmInput));
    await clock.advance(3 * MINUTE);
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'Kit/Shop',
        MetricData: [datum(20, 0), datum(20, 1), datum(20, 2)],
      }),
    );
    model.evaluateAlarms();

    // Act
    await clock.advance(MINUTE);
    const still = model.evaluateAlarms();
    await clock.advance(3 * MINUTE);
    const cleared = model.evaluateAlarms();

    // Assess
    expect(still).toEqual([]);
    expect(cleared.map((t) => [t.from, t.to])).toEqual([['ALARM', 'OK']]);
    expect(events.map((e) => (e as AlarmStateChangeEvent).detail.state.value)).toEqual([
      'ALARM',
      'OK',
    ]);
    expect((events[1] as AlarmStateChangeEvent).detail.previousState.value).toBe('ALARM');
  });

  it.each([
    ['missing', undefined],
    ['ignore', undefined],
    ['breaching', 'ALARM'],
    ['notBreaching', 'OK'],
  ])('with no data at all and TreatMissingData %s goes to %s', async (treatment, expected) => {
    const { clock, client, model, events } = setup();
    await client.send(new PutMetricAlarmCommand({ ...alarmInput, TreatMissingData: treatment }));
    await clock.advance(5 * MINUTE);
    const transitions = model.evaluateAlarms();
    expect(transitions.map((t) => t.to)).toEqual(expected === undefined ? [] : [expected]);
    expect(events).toHaveLength(expected === undefined ? 0 : 1);
  });

  it('ignores data of another unit when the alarm names one, and evaluates percentiles', async () => {
    const { clock, client, model } = setup();
    await client.send(
      new PutMetricAlarmCommand({
        ...alarmInput,
        Unit: 'Milliseconds',
        Statistic: undefined,
        ExtendedStatistic: 'p90',
        DatapointsToAlarm: 1,
        EvaluationPeriods: 1,
      }),
    );
    await clock.advance(MINUTE);
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'Kit/Shop',
        MetricData: [
          { ...datum(50, 0), Unit: 'Seconds' },
          { ...datum(0, 0), Value: undefined, Values: [1, 2, 3], Unit: 'Milliseconds' },
        ],
      }),
    );
    expect(model.evaluateAlarms().map((t) => t.to)).toEqual(['OK']);
    expect(JSON.parse(model.alarm('errors-high').StateReasonData ?? '')).toMatchObject({
      extendedStatistic: 'p90',
      unit: 'Milliseconds',
    });
  });

  it('evaluates every minute once started, feeding EventBridge rules', async () => {
    // Prepare
    const clock = VirtualClock.create({ start: START });
    const bus = new EventBridgeModel({ clock });
    const model = new CloudWatchModel({ clock, events: bus });
    const client = createSimulatedClient(CloudWatchClient, {}, model, { exceptions: cwSdk });
    const alarms: { at: number; state: string }[] = [];
    bus.putRule({
      name: 'on-alarm',
      eventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { state: { value: ['ALARM'] } },
      },
      targets: [
        {
          id: 'shed',
          type: 'function',
          handler: (e) =>
            void alarms.push({
              at: clock.now() - START,
              state: (e as AlarmStateChangeEvent).detail.state.value,
            }),
        },
      ],
    });
    await client.send(
      new PutMetricAlarmCommand({ ...alarmInput, EvaluationPeriods: 1, DatapointsToAlarm: 1 }),
    );
    const seen: string[] = [];
    const unsubscribe = model.subscribe((e) => seen.push(e.detail.state.value));
    clock.schedule(90_000, () =>
      client.send(
        new PutMetricDataCommand({
          Namespace: 'Kit/Shop',
          MetricData: [{ ...datum(50, 0), Timestamp: undefined }],
        }),
      ),
    );

    // Act
    const handle = model.startAlarmEvaluation();
    await clock.advance(3 * MINUTE);
    handle.stop();
    unsubscribe();
    const pending = clock.pendingTimers();

    // Assess
    expect(alarms).toEqual([{ at: 2 * MINUTE + 100, state: 'ALARM' }]);
    expect(seen).toEqual(['OK', 'ALARM', 'OK']);
    expect(pending).toBe(0);
    expect(() => model.startAlarmEvaluation(500)).toThrow(/intervalMs/);
  });

  it('stops evaluating when a listener stops it during an evaluation', async () => {
    const { clock, client, model } = setup();
    await client.send(new PutMetricAlarmCommand({ ...alarmInput, TreatMissingData: 'breaching' }));
    const handle = model.startAlarmEvaluation();
    model.subscribe(() => handle.stop());
    await clock.advance(5 * MINUTE);
    expect(
      model.alarmHistory('errors-high').filter((item) => item.HistoryItemType === 'StateUpdate'),
    ).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('words a single missing period in the singular', () => {
    const input = {
      periods: periods('-'),
      datapointsToAlarm: 1,
      operator: 'GreaterThanThreshold' as const,
      threshold: 1,
      treatMissingData: 'missing' as const,
      currentState: 'OK' as const,
    };
    expect(reasonFor(evaluateAlarm(input), input, 'OK')).toBe(
      'Insufficient Data: 1 datapoint was unknown.',
    );
  });

  it('runs evaluation on any Clock and refuses unknown alarm lookups', async () => {
    const virtual = VirtualClock.create({ start: START });
    const clock = {
      now: () => virtual.now(),
      sleep: (ms: number, signal?: AbortSignal) => virtual.sleep(ms, signal),
    };
    const model = new CloudWatchModel({ clock });
    const client = createSimulatedClient(CloudWatchClient, {}, model, { exceptions: cwSdk });
    await client.send(new PutMetricAlarmCommand({ ...alarmInput, TreatMissingData: 'breaching' }));
    const handle = model.startAlarmEvaluation(60_000);
    await virtual.advance(MINUTE);
    handle.stop();
    await virtual.advance(MINUTE);
    expect(model.alarm('errors-high').StateValue).toBe('ALARM');
    expect(() => model.alarm('nope')).toThrow(SimulationConfigError);
    expect(() => new CloudWatchModel({ clock, accountId: '12' })).toThrow(/12 digits/);
  });

  it('fails SDK calls on demand through the throttling model', async () => {
    const { client, model } = setup();
    model.failNext(1, { name: 'InternalServiceError', httpStatusCode: 500 });
    const error = await failure(
      createSimulatedClient(CloudWatchClient, { maxAttempts: 1 }, model, {
        exceptions: cwSdk,
      }).send(new PutMetricDataCommand({ Namespace: 'Kit/Shop', MetricData: [datum(1, 0)] })),
    );
    expect(error.$fault).toBe('server');
    expect(model.stats().total.faulted).toBe(1);
    await client.send(
      new PutMetricDataCommand({ Namespace: 'Kit/Shop', MetricData: [datum(1, 0)] }),
    );
  });
});
