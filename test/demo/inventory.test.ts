import { App, CfnParameter, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoStacks } from '../../src/demo/acts/demo-constructs.js';
import { inventoryOf, type Inventory } from '../../src/demo/inventory.js';

function plainFunction(stack: Stack, id: string, functionName?: string): lambda.Function {
  return new lambda.Function(stack, id, {
    functionName,
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
  });
}

describe('inventory: functions', () => {
  it('names the MonitoredFunction that owns each function of the demo, and none for a plain one', () => {
    // Prepare
    const [stack, workflow] = demoStacks();
    plainFunction(stack, 'Plain', 'plain-function');
    // Act
    const { functions } = inventoryOf([stack, workflow]);
    // Assess
    const plain = functions.filter((fn) => fn.monitoredBy === undefined);
    expect(plain).toEqual([
      { path: 'OpsKitDemo/Plain/Resource', functionName: 'plain-function', monitoredBy: undefined },
    ]);
    const monitored = functions.filter((fn) => fn.monitoredBy !== undefined);
    expect(monitored.length).toBeGreaterThan(5);
    for (const fn of monitored) expect(fn.path.startsWith(`${fn.monitoredBy}/`)).toBe(true);
  }, 60_000);

  it('falls back to the construct path for a function without a literal name', () => {
    const stack = new Stack(new App(), 'S');
    plainFunction(stack, 'Unnamed');
    expect(inventoryOf([stack]).functions).toEqual([
      { path: 'S/Unnamed/Resource', functionName: 'S/Unnamed/Resource', monitoredBy: undefined },
    ]);
  });
});

describe('inventory: alarms', () => {
  let inventory: Inventory;

  beforeAll(() => {
    const stack = new Stack(new App(), 'S');
    const fn = plainFunction(stack, 'Fn', 'orders');
    const unnamed = plainFunction(stack, 'Unnamed');
    const queue = new sqs.Queue(stack, 'Queue');
    // L2: literal name, Ref to a named function in the dimensions, a percentile
    fn.metricDuration({ statistic: 'p99', period: Duration.minutes(5) }).createAlarm(
      stack,
      'Slow',
      {
        alarmName: 'orders-slow',
        threshold: 1000,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    );
    // Metric math: not audited
    new cloudwatch.MathExpression({
      expression: 'errors / invocations',
      usingMetrics: { errors: fn.metricErrors(), invocations: fn.metricInvocations() },
    }).createAlarm(stack, 'Ratio', {
      alarmName: 'orders-error-ratio',
      threshold: 0.1,
      evaluationPeriods: 1,
    });
    // L1 with the optional fields left out, a lazy period, a Ref to an unnamed function and to a
    // queue, and a GetAtt
    new cloudwatch.CfnAlarm(stack, 'Deployed', {
      alarmName: 'period-from-a-parameter',
      namespace: 'Custom',
      metricName: 'Depth',
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 1,
      period: new CfnParameter(stack, 'Period', { type: 'Number' }).valueAsNumber,
    });
    new cloudwatch.CfnAlarm(stack, 'Raw', {
      namespace: 'Custom',
      metricName: 'Depth',
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 2,
      period: Lazy.number({ produce: () => 120 }),
      dimensions: [
        { name: 'Function', value: unnamed.functionName },
        { name: 'Queue', value: queue.queueUrl },
        { name: 'Arn', value: queue.queueArn },
      ],
    });
    inventory = inventoryOf([stack]);
  });

  it('reads a metric alarm with its resolved dimensions and evaluation settings', () => {
    expect(inventory.alarms.find((a) => a.alarmName === 'orders-slow')).toEqual({
      alarmName: 'orders-slow',
      namespace: 'AWS/Lambda',
      metricName: 'Duration',
      dimensions: { FunctionName: 'orders' },
      statistic: 'p99',
      periodSeconds: 300,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      threshold: 1000,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'breaching',
    });
  });

  it('lists metric-math alarms, and alarms whose period only deployment knows, as not audited', () => {
    expect(inventory.unaudited).toEqual([
      { alarmName: 'orders-error-ratio', reason: 'metric math' },
      { alarmName: 'period-from-a-parameter', reason: 'period unknown before deployment' },
    ]);
  });

  it("applies CloudWatch's defaults where an alarm leaves a field out", () => {
    const raw = inventory.alarms.find((a) => a.namespace === 'Custom');
    const queueRef = raw?.dimensions.Queue ?? '';
    expect(raw).toEqual({
      alarmName: 'S/Raw',
      namespace: 'Custom',
      metricName: 'Depth',
      dimensions: {
        Function: 'S/Unnamed/Resource',
        Queue: queueRef,
        Arn: expect.stringContaining('Fn::GetAtt') as unknown,
      },
      statistic: 'Average',
      periodSeconds: 120,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'missing',
    });
    // A Ref to something that is not a function stays a visible reference.
    expect(queueRef).toMatch(/^<Queue[0-9A-F]+>$/);
  });
});
