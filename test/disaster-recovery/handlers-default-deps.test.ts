import { afterEach, describe, expect, it, vi } from 'vitest';
import { DrsEnvVars as V } from '../../src/disaster-recovery/contract.js';
import { defaultDeps } from '../../src/disaster-recovery/handlers/default-deps.js';
import {
  DynamoDbIdempotencyStore,
  InMemoryIdempotencyStore,
} from '../../src/disaster-recovery/handlers/idempotency.js';
import { emittedAlarmDimensions } from '../../src/disaster-recovery/handlers/service.js';
import {
  accountOfFunctionArn,
  invocationFields,
} from '../../src/disaster-recovery/handlers/deps.js';
import type { DrsRuntime } from '../../src/disaster-recovery/runtime.js';

const ENV = {
  AWS_REGION: 'us-east-1',
  [V.regions]: 'us-east-1,us-west-2',
  [V.limiterMode]: 'shared',
  [V.limiterTableName]: 'drs-limiter',
  [V.leaseTableName]: 'drs-leases',
  [V.alertTopicArn]: 'arn:aws:sns:us-east-1:123456789012:DRS-RateLimitAlerts',
};

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('handlers: default deps', () => {
  it('builds once per container from the environment, without calling AWS', () => {
    const source = defaultDeps(ENV);
    const deps = source();
    expect(source()).toBe(deps);
    expect(deps.config.regions).toEqual(['us-east-1', 'us-west-2']);
    expect(deps.idempotency).toBeInstanceOf(DynamoDbIdempotencyStore);
    expect(deps.newId()).not.toBe(deps.newId());
  });

  it('learns its own account from the Lambda context and names it in escalations', async () => {
    // Prepare: no alert topic, so the escalation is built and logged, not published.
    const deps = defaultDeps({ AWS_REGION: 'us-east-1', [V.regions]: 'us-east-1' })();
    const runtime = deps.services as DrsRuntime;
    const escalate = () =>
      runtime.escalator.escalate({
        kind: 'retries-exhausted',
        operation: 'DescribeJobs',
        target: { region: 'us-east-1' },
        errorMessage: 'throttled',
        retryCount: 5,
      });
    const before = await escalate();

    // Act: an invocation of the deployed function (the ARN's 5th field is the account).
    deps.setInvocationContext?.(
      invocationFields(
        'c-7',
        { invokedFunctionArn: 'arn:aws:lambda:us-east-1:210987654321:function:dr-execution:live' },
        'wave-9',
      ),
    );
    const after = await escalate();

    // Assess
    expect(JSON.parse(before.message.message)).toMatchObject({
      account: 'own account',
      correlationId: null,
      waveId: null,
    });
    expect(JSON.parse(after.message.message)).toMatchObject({
      account: '210987654321',
      correlationId: 'c-7',
      waveId: 'wave-9',
    });
    // The account is ours now: a target naming it needs no cross-account role.
    expect(runtime.resolve({ region: 'us-east-1', accountId: '210987654321' })).toEqual({
      region: 'us-east-1',
      accountKey: 'self',
    });
  });

  it('reads the account only from a well-formed function ARN', () => {
    expect(accountOfFunctionArn('arn:aws:lambda:eu-west-1:123456789012:function:f')).toBe(
      '123456789012',
    );
    expect(accountOfFunctionArn('arn:aws:lambda:eu-west-1::function:f')).toBeUndefined();
    expect(accountOfFunctionArn('not-an-arn')).toBeUndefined();
    expect(accountOfFunctionArn(undefined)).toBeUndefined();
    expect(invocationFields('c', undefined)).toEqual({ correlationId: 'c' });
  });

  it('keeps idempotency records in memory when no lease table is configured', () => {
    const deps = defaultDeps({ AWS_REGION: 'us-east-1', [V.regions]: 'us-east-1' })();
    expect(deps.idempotency).toBeInstanceOf(InMemoryIdempotencyStore);
  });

  it('emits the alarm metrics with exactly the dimensions the construct’s alarms watch', () => {
    // Prepare: metrics on (test/setup.ts disables them), the EMF blobs captured.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => lines.push(String(line)));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    const deps = defaultDeps(ENV)();

    // Act: a quota error counted through the runtime's recorder, as DrsClient counts it.
    const runtime = deps.services as unknown as { metrics: { rateLimitError(t: string): void } };
    runtime.metrics.rateLimitError('ServiceQuotaExceededException');
    deps.setInvocationContext?.({ correlationId: 'c-1' });
    deps.flushMetrics?.();

    // Assess: the blob with `Service` alone (plus Powertools' `service`) is the alarm's.
    const blobs = lines
      .flatMap((line) => line.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const dimensionSets = blobs.map(
      (blob) =>
        (blob._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]
          .Dimensions[0],
    );
    const alarm = emittedAlarmDimensions('rateLimitErrors');
    expect(dimensionSets.map((set) => [...set].sort())).toContainEqual(Object.keys(alarm).sort());
    const alarmBlob = blobs.find((blob) => blob.ErrorType === undefined);
    expect(alarmBlob).toMatchObject({ ...alarm, RateLimitErrors: 1 });
  });
});
