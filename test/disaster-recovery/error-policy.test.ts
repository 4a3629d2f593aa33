import {
  ConflictException,
  DrsClient as SdkDrsClient,
  ServiceQuotaExceededException,
} from '@aws-sdk/client-drs';
import { describe, expect, it } from 'vitest';
import { sdkClientFactory } from '../../src/disaster-recovery/clients.js';
import { DrsClient } from '../../src/disaster-recovery/drs-client.js';
import {
  DrsConflictError,
  DrsQuotaExceededError,
  JobThrottlerTimeoutError,
} from '../../src/disaster-recovery/errors.js';
import { silentDrsLogger } from '../../src/disaster-recovery/observability.js';
import { RetryExhaustedError } from '../../src/resilience/errors.js';
import { HOME_REGION, createLibraryWorld } from './library-support.js';

/** An SDK client whose every send rejects with `error` (the policy is what is under test). */
function failingSdk(error: unknown): SdkDrsClient {
  const sdk = new SdkDrsClient({ region: 'us-east-1' });
  // Some tests reject with non-Error values on purpose: the policy must pass them through.
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  sdk.send = () => Promise.reject(error);
  return sdk;
}

const meta = { $metadata: {} };

describe('error-policy: DrsClient translation', () => {
  it('a quota error without a quota code, in another account', async () => {
    const cause = new ServiceQuotaExceededException({ message: 'no', ...meta });
    const client = new DrsClient(failingSdk(cause), {
      region: 'eu-west-1',
      accountId: '210987654321',
    });
    const error = await client.startRecovery({ sourceServers: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrsQuotaExceededError);
    expect((error as DrsQuotaExceededError).quotaCode).toBeUndefined();
    expect((error as Error).message).toMatch(
      /account 210987654321 in eu-west-1 exceeds a service quota:/,
    );
    expect((error as Error).cause).toBe(cause);
  });

  it('a conflict names the busy resource when DRS does', async () => {
    const named = new ConflictException({ message: 'busy', resourceId: 's-1', ...meta });
    const anonymous = new ConflictException({ message: 'busy', ...meta });
    const withId = await new DrsClient(failingSdk(named), { region: 'us-east-1' })
      .describeJobs()
      .catch((e: unknown) => e);
    const withoutId = await new DrsClient(failingSdk(anonymous), { region: 'us-east-1' })
      .describeJobs()
      .catch((e: unknown) => e);
    expect((withId as DrsConflictError).conflictingResources).toEqual(['s-1']);
    expect((withId as Error).message).toMatch(/this account in us-east-1 conflicts .*\(s-1\)/);
    expect((withoutId as DrsConflictError).conflictingResources).toEqual([]);
  });

  it('exhausted retries without an escalator, and non-Error causes, pass through', async () => {
    const exhausted = new RetryExhaustedError({
      operation: 'DescribeJobs',
      attempts: 3,
      totalRetryDelayMs: 10,
      lastErrorCode: undefined,
      lastError: 'text',
    });
    const client = new DrsClient(
      failingSdk(exhausted),
      { region: 'us-east-1' },
      { logger: silentDrsLogger },
    );
    await expect(client.describeJobs()).rejects.toBe(exhausted);
    await expect(
      new DrsClient(failingSdk('plain'), { region: 'us-east-1' }).describeJobs(),
    ).rejects.toBe('plain');
    await expect(
      new DrsClient(failingSdk(null), { region: 'us-east-1' }).describeRecoveryInstances(),
    ).rejects.toBeNull();
  });

  it('errors from a paginator are translated like single calls', async () => {
    const cause = new ConflictException({ message: 'busy', ...meta });
    const client = new DrsClient(failingSdk(cause), { region: 'us-east-1' });
    await expect(client.listAll('DescribeRecoveryInstances')).rejects.toBeInstanceOf(
      DrsConflictError,
    );
  });
});

describe('error-policy: typed errors', () => {
  it('the throttler timeout error says what it saw', () => {
    const error = new JobThrottlerTimeoutError({
      target: { region: 'us-east-1', accountId: '210987654321' },
      activeJobs: 20,
      serversInActiveJobs: 300,
      jobLimit: 20,
      requestedServers: 40,
      waitedMs: 600_400,
      timeoutMs: 600_000,
    });
    expect(error.message).toBe(
      'No DRS job capacity in account 210987654321 in us-east-1 after waiting 600 s (timeout ' +
        '600 s): 20 active job(s) of 20 allowed, 300 server(s) in active jobs, 40 requested. ' +
        'Retry the wave later, lower the wave size, or request a quota increase.',
    );
  });
});

describe('error-policy: SDK client factory', () => {
  it('builds clients of the request region with a single SDK attempt', async () => {
    const credentials = () =>
      Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
    const clients = [
      sdkClientFactory.drs({ region: 'eu-west-1', credentials }),
      sdkClientFactory.serviceQuotas({ region: 'eu-west-1' }),
      sdkClientFactory.dynamoDb({ region: 'eu-west-1' }),
      sdkClientFactory.sns({ region: 'eu-west-1' }),
    ];
    for (const client of clients) {
      const config = client.config as {
        region: () => Promise<string>;
        maxAttempts: () => Promise<number>;
      };
      expect(await config.region()).toBe('eu-west-1');
      expect(await config.maxAttempts()).toBe(1);
    }
  });
});

describe('error-policy: throttler edge paths', () => {
  it('startJob waits out a conflict and times out with the last capacity seen', async () => {
    // Prepare: the server is already in a job that outlives the 20 s timeout.
    const world = createLibraryWorld({
      drs: { throttling: { account: 'none' }, timings: { jobStartDelayMs: 3_600_000 } },
      env: {
        DRS_THROTTLER_TIMEOUT_SECONDS: '20',
        DRS_POLL_INTERVAL_SECONDS: '15',
        DRS_QUOTA_MAX_JOBS_PER_SERVER: '2',
      },
    });
    world.serviceQuotas.denyAccess(); // our view: 2 jobs per server, so we try and DRS refuses
    const [id = ''] = world.drs().seedSourceServers(1);
    const runtime = world.runtime();
    const drs = runtime.drs({ region: HOME_REGION });
    await world.clock.run(() => drs.startRecovery({ sourceServers: [{ sourceServerID: id }] }));

    // Act
    const error = await world.clock
      .run(() =>
        runtime.throttler({ region: HOME_REGION }).startJob({ sourceServerIds: [id] }, async () => {
          const out = await drs.startRecovery({ sourceServers: [{ sourceServerID: id }] });
          return out.job?.jobID ?? '';
        }),
      )
      .catch((e: unknown) => e);

    // Assess: refused for conflict twice (t=0, t=15 s), then out of time.
    expect(error).toBeInstanceOf(JobThrottlerTimeoutError);
    expect(world.drs().counters().quotaErrorsByQuota.jobsPerServer).toBeGreaterThanOrEqual(2);
  });

  it('an aborted wait stops at once', async () => {
    const world = createLibraryWorld();
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    const error = await world.clock
      .run(() =>
        world
          .runtime()
          .throttler({ region: HOME_REGION })
          .waitForCapacity({ sourceServerIds: ['s-1'] }, { signal: controller.signal }),
      )
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('cancelled');
  });

  it('the silent logger accepts every level', () => {
    for (const level of ['debug', 'info', 'warn', 'error', 'critical'] as const) {
      expect(() => silentDrsLogger[level]('x')).not.toThrow();
    }
  });
});
