import { afterEach, describe, expect, it, vi } from 'vitest';
import { DrsEnvVars as V } from '../../src/disaster-recovery/contract.js';
import { defaultDeps } from '../../src/disaster-recovery/handlers/default-deps.js';
import {
  DynamoDbIdempotencyStore,
  InMemoryIdempotencyStore,
} from '../../src/disaster-recovery/handlers/idempotency.js';
import { emittedAlarmDimensions } from '../../src/disaster-recovery/handlers/service.js';

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
    deps.setCorrelationId?.('c-1');
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
