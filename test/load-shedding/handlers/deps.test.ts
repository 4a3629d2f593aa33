import * as cloudwatchSdk from '@aws-sdk/client-cloudwatch';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as elbv2Sdk from '@aws-sdk/client-elastic-load-balancing-v2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import * as sqsSdk from '@aws-sdk/client-sqs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoadSheddingEnvVars as V } from '../../../src/load-shedding/contract.js';
import { LoadSheddingConfigError } from '../../../src/load-shedding/errors.js';
import { createAlarmEventHandler } from '../../../src/load-shedding/handlers/alarm-event.js';
import { createCheckQueueHandler } from '../../../src/load-shedding/handlers/check-queue.js';
import { defaultDeps } from '../../../src/load-shedding/handlers/deps.js';
import { PowertoolsMetricRecorder } from '../../../src/observability/metrics.js';
import { RESILIENCE_MIDDLEWARE_NAME } from '../../../src/resilience/resilient-client.js';
import { mountModel } from '../../../src/simulation/sdk-mount.js';
import { createWorld } from './world.js';

const REQUIRED = [
  V.primaryTargetGroupArn,
  V.listenerArns,
  V.alarmName,
  V.stateTableName,
  V.checkQueueUrl,
];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('load-shedding handlers: entry points and default deps', () => {
  it('importing the entry modules reads no environment; the first invocation fails naming every missing variable', async () => {
    // Prepare: the test environment sets none of the load-shedding variables.
    for (const variable of REQUIRED) expect(process.env[variable]).toBeUndefined();

    // Act
    const alarm = await import('../../../src/load-shedding/handlers/alarm-event.js');
    const check = await import('../../../src/load-shedding/handlers/check-queue.js');

    // Assess
    for (const handler of [alarm.handler, check.handler]) {
      const outcome = handler({ Records: [] });
      await expect(outcome).rejects.toBeInstanceOf(LoadSheddingConfigError);
      for (const variable of REQUIRED) {
        await expect(outcome).rejects.toThrow(new RegExp(`${variable} must be`));
      }
    }
  });

  it('a bad value fails the invocation with a message that names the variable and the fix', async () => {
    // Prepare
    const world = await createWorld();
    const handler = createCheckQueueHandler(defaultDeps({ ...world.env, [V.shedPercent]: '0' }));

    // Act
    const outcome = handler({ Records: [] });

    // Assess
    await expect(outcome).rejects.toThrow(
      /SHED_PERCENT must be a whole number from 1 to 100, got '0'/,
    );
  });

  it('builds the configuration and one resilient client per service once, on first use', async () => {
    // Prepare
    const world = await createWorld();
    const provider = defaultDeps(world.env);

    // Act
    const deps = provider();

    // Assess
    expect(provider()).toBe(deps);
    expect(deps.config).toEqual(world.config);
    expect(deps.clients.elbv2).toBeInstanceOf(ElasticLoadBalancingV2Client);
    expect(deps.clients.cloudwatch).toBeInstanceOf(CloudWatchClient);
    expect(deps.clients.sqs).toBeInstanceOf(SQSClient);
    expect(deps.clients.dynamodb).toBeInstanceOf(DynamoDBClient);
    for (const client of Object.values(deps.clients)) {
      const stack = (client as SQSClient).middlewareStack.identify();
      expect(stack.some((entry) => entry.startsWith(RESILIENCE_MIDDLEWARE_NAME))).toBe(true);
    }
    expect(deps.newId()).toMatch(/^[0-9a-f-]{36}$/);
    expect(deps.newId()).not.toBe(deps.newId());
  });

  it('the default deps carry an alarm event end to end (models mounted on their clients)', async () => {
    // Prepare
    const world = await createWorld();
    const provider = defaultDeps(world.env);
    const { clients } = provider();
    mountModel(clients.elbv2, world.models.elbv2, { exceptions: elbv2Sdk });
    mountModel(clients.cloudwatch, world.models.cloudwatch, { exceptions: cloudwatchSdk });
    mountModel(clients.sqs, world.models.sqs, { exceptions: sqsSdk });
    mountModel(clients.dynamodb, world.models.dynamodb, { exceptions: dynamodbSdk });
    const handler = createAlarmEventHandler(provider);
    const event = await world.setAlarm('ALARM');

    // Act
    const result = await world.clock.run(() => handler(event));

    // Assess
    expect(result).toEqual({ outcome: 'shed', correlationId: event.id });
    expect(world.managed().canary).toEqual({ primary: 70, spare: 30 });
    expect(world.queued()).toHaveLength(1);
  });

  it('flushes the Powertools buffers only when they hold metrics', async () => {
    // Prepare
    const world = await createWorld();
    const deps = defaultDeps(world.env)();
    const publish = vi.spyOn(PowertoolsMetricRecorder.prototype, 'flush');

    // Act + Assess: metrics with dimensions go out at once; nothing is buffered.
    deps.metrics.record('ShedActions', 'Count', 1, { PrimaryTargetGroup: 'targetgroup/a/b' });
    deps.flushMetrics?.();
    expect(publish).not.toHaveBeenCalled();

    // Act + Assess: a dimensionless metric is buffered until the flush.
    deps.metrics.record('Probe', 'Count', 1);
    deps.flushMetrics?.();
    expect(publish).toHaveBeenCalledTimes(1);
  });
});
