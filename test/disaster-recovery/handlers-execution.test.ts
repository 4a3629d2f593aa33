import { StartRecoveryCommand, type ParticipatingServer } from '@aws-sdk/client-drs';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  DrsConfigError,
  DrsConflictError,
  DrsEventError,
  DrsQuotaExceededError,
} from '../../src/disaster-recovery/errors.js';
import { RetryExhaustedError } from '../../src/resilience/errors.js';
import { defaultDeps } from '../../src/disaster-recovery/handlers/default-deps.js';
import {
  createExecutionHandler,
  type ExecutionResult,
} from '../../src/disaster-recovery/handlers/execution.js';
import {
  IDEMPOTENCY_TAG,
  WAVE_TAG,
  idempotencyKey,
  type IdempotencyStore,
} from '../../src/disaster-recovery/handlers/idempotency.js';
import { CommonErrors } from '../../src/simulation/service-error.js';
import { SIMULATED_ACCOUNT_ID } from '../../src/disaster-recovery/simulator/world.js';
import {
  launchCounts,
  startWasRejected,
  waveStatusOf,
  type StartWaveResult,
  type TerminateResult,
  type WaveStatusResult,
} from '../../src/disaster-recovery/handlers/wave.js';
import { REGION, loggedWorld } from './handlers-support.js';

/** The key of a one-job wave 'w1' of `servers`. */
const keyOf = (servers: readonly string[]) => idempotencyKey({ region: REGION }, 'w1', servers);

const startWave = (waveId: string, sourceServerIds: readonly string[]) => ({
  action: 'startWave',
  waveId,
  sourceServerIds,
  isDrill: true,
  region: REGION,
});

describe('execution handler: startWave', () => {
  it('splits a wave into jobs within the per-job quota, tagged with their keys', async () => {
    // Prepare
    const { world, logger } = loggedWorld();
    const servers = world.drs.seedSourceServers(250);
    const handler = createExecutionHandler(world.container());

    // Act
    const result = (await world.clock.run(() =>
      handler(startWave('w1', servers), { awsRequestId: 'req-1' }),
    )) as StartWaveResult & ExecutionResult;

    // Assess: 250 at ≤ 100 per job → 84 + 83 + 83, in order, each job tagged.
    expect(result.jobs.map((job) => job.sourceServerIds.length)).toEqual([84, 83, 83]);
    expect(result.jobs.flatMap((job) => job.sourceServerIds)).toEqual(servers);
    expect(result).toMatchObject({ startedJobs: 3, reusedJobs: 0, correlationId: 'req-1' });
    result.jobs.forEach((job) => {
      expect(world.drs.job(job.jobId)?.tags).toEqual({
        [IDEMPOTENCY_TAG]: keyOf(job.sourceServerIds),
        [WAVE_TAG]: 'w1',
      });
    });
    const own = logger.lines.filter((line) => line.message === 'Recovery job started');
    expect(own).toHaveLength(3);
    expect(own.every((line) => line.attributes.correlationId === 'req-1')).toBe(true);
  });

  it('starts nothing when the same wave is delivered again, in another container', async () => {
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(150);
    const first = (await world.clock.run(() =>
      createExecutionHandler(world.container())(startWave('w1', servers)),
    )) as StartWaveResult;
    const again = (await world.clock.run(() =>
      createExecutionHandler(world.container())(startWave('w1', servers)),
    )) as StartWaveResult;
    expect(again).toMatchObject({ startedJobs: 0, reusedJobs: 2 });
    expect(again.jobs.map((job) => job.jobId)).toEqual(first.jobs.map((job) => job.jobId));
    expect(world.drs.counters().jobsStarted).toBe(2);
  });

  it('starts each chunk once when two deliveries of a wave run at the same time', async () => {
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(120);
    const [a, b] = (await world.clock.run(() =>
      Promise.all([
        createExecutionHandler(world.container())(startWave('w1', servers)),
        createExecutionHandler(world.container())(startWave('w1', servers)),
      ]),
    )) as StartWaveResult[];
    expect(world.drs.counters().jobsStarted).toBe(2);
    expect(a.startedJobs + b.startedJobs).toBe(2);
    expect(a.jobs.map((j) => j.jobId).sort()).toEqual(b.jobs.map((j) => j.jobId).sort());
  });

  it('finds the job of a crashed invocation by its tag instead of starting another', async () => {
    // Prepare: an invocation claimed chunk 0, started its job (tagged) and died before
    // recording it; its claim has since expired.
    const { world, logger } = loggedWorld();
    const servers = world.drs.seedSourceServers(10);
    const deps = world.container();
    const key = keyOf(servers);
    const orphan = await world.clock.run(async () => {
      await deps.idempotency.claim(key, 'dead-invocation#0', world.clock.now(), 1000);
      const output = await deps.services.drs({ region: REGION }).sdk.send(
        new StartRecoveryCommand({
          sourceServers: servers.map((sourceServerID) => ({ sourceServerID })),
          isDrill: true,
          tags: { [IDEMPOTENCY_TAG]: key },
        }),
      );
      await world.clock.sleep(2000);
      return output.job?.jobID;
    });

    // Act
    const result = (await world.clock.run(() =>
      createExecutionHandler(deps)(startWave('w1', servers)),
    )) as StartWaveResult;

    // Assess
    expect(result.jobs).toEqual([
      { chunkIndex: 0, jobId: orphan, sourceServerIds: servers, reused: true },
    ]);
    expect(world.drs.counters().jobsStarted).toBe(1);
    expect(logger.lines.some((l) => l.level === 'warn' && /unfinished start/.test(l.message))).toBe(
      true,
    );
  });

  it('gives the claim back when DRS throttled every start, so that a retry starts the chunk', async () => {
    // Prepare: DRS throttles every StartRecovery for a while (retries run out).
    const { world, logger } = loggedWorld({ config: { maxRetries: 1 } });
    const servers = world.drs.seedSourceServers(5);
    world.drs.failNext(2, CommonErrors.throttlingException, { operation: 'StartRecovery' });
    const deps = world.container();
    const handler = createExecutionHandler(deps);

    // Act
    const failed = world.clock.run(() => handler(startWave('w1', servers), { awsRequestId: 'r1' }));
    await expect(failed).rejects.toThrow(RetryExhaustedError);
    // DRS refused both calls: no job exists, so the claim was dropped (not left to expire).
    const probe = await world.clock.run(() =>
      deps.idempotency.claim(keyOf(servers), 'probe', world.clock.now(), 1000),
    );
    await world.clock.run(() => deps.idempotency.abandon(keyOf(servers), 'probe'));
    const retried = (await world.clock.run(() =>
      handler(startWave('w1', servers)),
    )) as StartWaveResult;

    // Assess: escalated once (SNS), naming the invocation, then started exactly one job.
    expect(probe).toEqual({ kind: 'claimed', takeover: false });
    expect(retried.startedJobs).toBe(1);
    expect(world.drs.counters().jobsStarted).toBe(1);
    const escalations = world.sns.published(world.alertTopicArn);
    expect(escalations).toHaveLength(1);
    expect(JSON.parse(escalations[0].message)).toMatchObject({
      kind: 'retries-exhausted',
      operation: 'StartRecovery',
      account: SIMULATED_ACCOUNT_ID,
      errorCode: 'ThrottlingException',
      retryCount: 1,
      waveId: 'w1',
      correlationId: 'r1',
    });
    expect(
      logger.lines.some((l) => l.level === 'error' && l.attributes.correlationId === 'r1'),
    ).toBe(true);
  });

  it('does not retry a StartRecovery that answered 500: the redelivery looks before starting', async () => {
    // Prepare: the next StartRecovery fails with a 500 before DRS creates anything.
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(5);
    world.drs.failNext(1, undefined, { operation: 'StartRecovery' });
    const deps = world.container();
    const handler = createExecutionHandler(deps);

    // Act
    const failed = world.clock.run(() => handler(startWave('w1', servers)));
    await expect(failed).rejects.toMatchObject({ name: 'InternalServerException' });
    const callsAfterFailure = world.drs.stats().byOperation.StartRecovery?.calls;
    const probe = await world.clock.run(() =>
      deps.idempotency.claim(keyOf(servers), 'probe', world.clock.now(), 1000),
    );
    await world.clock.run(() =>
      deps.idempotency.expire(keyOf(servers), 'probe', world.clock.now()),
    );
    const lookups = vi.spyOn(deps.services.drs({ region: REGION }), 'listAll');
    const retried = (await world.clock.run(() =>
      handler(startWave('w1', servers)),
    )) as StartWaveResult;

    // Assess: one attempt only; the claim was left for a takeover (the job might have existed),
    // and the redelivery walked DescribeJobs for the tagged job before it started one.
    expect(callsAfterFailure).toBe(1);
    expect(probe).toEqual({ kind: 'claimed', takeover: true });
    const describeJobs = lookups.mock.invocationCallOrder.filter(
      (_order, i) => lookups.mock.calls[i]?.[0] === 'DescribeJobs',
    );
    const start = world.drs.stats().byOperation.StartRecovery;
    expect(describeJobs.length).toBeGreaterThanOrEqual(2); // the tag lookup + the capacity count
    expect(start?.calls).toBe(2);
    expect(retried).toMatchObject({ startedJobs: 1, reusedJobs: 0 });
    expect(world.drs.counters().jobsStarted).toBe(1);
  });

  it('never starts a second job when StartRecovery created one but answered 500', async () => {
    // Prepare: DRS creates the job, then the answer is lost (500).
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(5);
    world.drs.loseNextAnswers(1, 'StartRecovery');
    const handler = createExecutionHandler(world.container());

    // Act: the delivery, and a redelivery in another container.
    const first = (await world.clock.run(() =>
      handler(startWave('w1', servers)),
    )) as StartWaveResult;
    const again = (await world.clock.run(() =>
      createExecutionHandler(world.container())(startWave('w1', servers)),
    )) as StartWaveResult;

    // Assess: the failed start was not retried; its job was found by its tag and recorded.
    expect(world.drs.counters().jobsStarted).toBe(1);
    expect(world.drs.stats().byOperation.StartRecovery?.calls).toBe(1);
    const [job] = world.drs.allJobs();
    expect(first.jobs.map((j) => j.jobId)).toEqual([job.jobID]);
    expect(again).toMatchObject({ startedJobs: 0, reusedJobs: 1 });
    expect(again.jobs[0].jobId).toBe(job.jobID);
  });

  const dynamoError = (name: string, httpStatusCode: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });
  it.each([
    ['one failure: the retry of the record succeeds', 1, new Error('DynamoDB is unavailable')],
    ['every record fails with a 500', Infinity, dynamoError('InternalServerError', 500)],
    [
      'every record fails with ProvisionedThroughputExceeded (400)',
      Infinity,
      dynamoError('ProvisionedThroughputExceededException', 400),
    ],
    [
      'every record is denied (AccessDenied, 400)',
      Infinity,
      dynamoError('AccessDeniedException', 400),
    ],
    [
      'every record ends with throttling retries exhausted',
      Infinity,
      new RetryExhaustedError({
        operation: 'UpdateItem',
        attempts: 4,
        totalRetryDelayMs: 100,
        lastErrorCode: 'ThrottlingException',
        lastError: dynamoError('ThrottlingException', 400),
      }),
    ],
  ])(
    'never starts a second job when recording a started job fails (%s)',
    async (_name, fails, failure) => {
      // Prepare: the idempotency store fails its next `fails` completions with `failure`.
      const { world, logger } = loggedWorld();
      const servers = world.drs.seedSourceServers(5);
      const deps = world.container();
      let failuresLeft = fails;
      const idempotency: IdempotencyStore = {
        claim: (...args) => deps.idempotency.claim(...args),
        abandon: (...args) => deps.idempotency.abandon(...args),
        expire: (...args) => deps.idempotency.expire(...args),
        plan: (...args) => deps.idempotency.plan(...args),
        complete: (...args) => {
          if (failuresLeft > 0) {
            failuresLeft -= 1;
            return Promise.reject(failure);
          }
          return deps.idempotency.complete(...args);
        },
      };
      const handler = createExecutionHandler({ ...deps, idempotency });

      // Act: the delivery, then (after the drill job completed) a redelivery elsewhere.
      const first = (await world.clock.run(() =>
        handler(startWave('w1', servers)),
      )) as StartWaveResult;
      await world.clock.advance(400_000);
      const again = (await world.clock.run(() =>
        createExecutionHandler(world.container())(startWave('w1', servers)),
      )) as StartWaveResult;

      // Assess: the job exists, so the first delivery returns it (recorded or not); the
      // redelivery reuses it (from the record, or found by its tag).
      expect(world.drs.counters().jobsStarted).toBe(1);
      const [job] = world.drs.allJobs();
      expect(first).toMatchObject({ startedJobs: 1, jobs: [{ jobId: job.jobID }] });
      expect(again).toMatchObject({ startedJobs: 0, reusedJobs: 1, jobs: [{ jobId: job.jobID }] });
      const unrecorded = logger.lines.some((l) =>
        /Could not record the started job/.test(l.message),
      );
      expect(unrecorded).toBe(fails === Infinity);
    },
  );

  it('rejects a malformed event before any AWS call, logging it with the correlation id', async () => {
    const { world, logger } = loggedWorld();
    const handler = createExecutionHandler(world.container());
    await expect(
      world.clock.run(() =>
        handler({ action: 'startWave', waveId: 'w 1', sourceServerIds: [] }, { awsRequestId: 'x' }),
      ),
    ).rejects.toThrow(DrsEventError);
    expect(world.drs.counters().jobsStarted).toBe(0);
    expect(logger.lines.at(-1)).toMatchObject({
      level: 'error',
      attributes: { correlationId: 'x' },
    });
  });
});

describe('execution handler: waveStatus and terminate', () => {
  it('reports launches and terminates the recovery instances of a finished wave', async () => {
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(30);
    world.drs.failNextLaunchOf([servers[0]]);
    const handler = createExecutionHandler(world.container());
    const started = (await world.clock.run(() =>
      handler(startWave('w1', servers)),
    )) as StartWaveResult;
    const jobIds = started.jobs.map((job) => job.jobId);
    const status = (event: object) =>
      world.clock.run(() =>
        handler({ action: 'waveStatus', waveId: 'w1', region: REGION, ...event }),
      );

    const early = (await status({ jobIds })) as WaveStatusResult;
    await world.clock.advance(400_000);
    const done = (await status({
      jobIds: [...jobIds, 'drsjob-00000000000000000'],
    })) as WaveStatusResult;
    const terminated = (await world.clock.run(() =>
      handler({
        action: 'terminate',
        waveId: 'w1',
        recoveryInstanceIds: done.recoveryInstanceIds,
        region: REGION,
      }),
    )) as TerminateResult;

    expect(early.status).not.toBe('COMPLETED');
    expect(done).toMatchObject({
      status: 'STARTED', // one asked-for job is unknown to DRS: the wave is not complete
      servers: { launched: 29, failed: 1 },
      missingJobIds: ['drsjob-00000000000000000'],
    });
    expect(done.recoveryInstanceIds).toHaveLength(29);
    expect(terminated.jobIds).toHaveLength(1);
    await world.clock.advance(120_000);
    expect(world.drs.activeJobCount()).toBe(0);
  });
  it.each([
    ['a redelivery', false],
    ['a redelivery after a terminate whose answer was lost', true],
  ])('starts one terminate job per chunk whatever the deliveries (%s)', async (_name, lost) => {
    // Prepare: a launched wave of 12 servers.
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(12);
    await world.clock.run(() =>
      createExecutionHandler(world.container())(startWave('w1', servers)),
    );
    await world.clock.advance(400_000);
    const instanceIds = world.drs.recoveryInstances().map((i) => i.recoveryInstanceID ?? '');
    if (lost) world.drs.loseNextAnswers(1, 'TerminateRecoveryInstances');
    const terminate = {
      action: 'terminate',
      waveId: 'w1',
      recoveryInstanceIds: instanceIds,
      region: REGION,
    };

    // Act: the delivery, then a redelivery (instances listed in another order) elsewhere.
    const first = (await world.clock.run(() =>
      createExecutionHandler(world.container())(terminate),
    )) as TerminateResult;
    const again = (await world.clock.run(() =>
      createExecutionHandler(world.container())({
        ...terminate,
        recoveryInstanceIds: [...instanceIds].reverse(),
      }),
    )) as TerminateResult;

    // Assess
    const terminateJobs = world.drs
      .allJobs()
      .filter((job) => job.initiatedBy === 'TERMINATE_RECOVERY_INSTANCES');
    expect(terminateJobs).toHaveLength(1);
    expect(world.drs.stats().byOperation.TerminateRecoveryInstances?.calls).toBe(1);
    expect(first).toMatchObject({ jobIds: [terminateJobs[0].jobID], reusedJobs: 0 });
    expect(again).toMatchObject({ jobIds: [terminateJobs[0].jobID], reusedJobs: 1 });
  });
});

describe('execution handler: which failed starts prove that no job exists', () => {
  const sdkError = (name: string, httpStatusCode: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });
  const exhausted = (lastError: unknown) =>
    new RetryExhaustedError({
      operation: 'StartRecovery',
      attempts: 6,
      totalRetryDelayMs: 1000,
      lastErrorCode: (lastError as Error).name,
      lastError,
    });

  it.each([
    [
      'a quota error',
      new DrsQuotaExceededError('StartRecovery', { region: REGION }, 'L-1', null),
      true,
    ],
    ['a conflict', new DrsConflictError('StartRecovery', { region: REGION }, [], null), true],
    ['a client error (400)', sdkError('ValidationException', 400), true],
    ['access denied (403)', sdkError('AccessDeniedException', 403), true],
    ['throttling every attempt', exhausted(sdkError('ThrottlingException', 429)), true],
    ['a server error (500)', sdkError('InternalServerException', 500), false],
    ['retries ending in a 500', exhausted(sdkError('InternalServerException', 500)), false],
    ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), false],
    ['a non-error', 'boom', false],
  ])('%s: %s', (_name, error, rejected) => {
    expect(startWasRejected(error)).toBe(rejected);
  });
});

describe('execution handler: wave status arithmetic', () => {
  it('counts every server in exactly one launch status', () => {
    const statuses = ['PENDING', 'IN_PROGRESS', 'LAUNCHED', 'FAILED', 'TERMINATED', undefined];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...statuses), { maxLength: 300 }), (list) => {
        const servers = list.map((launchStatus) => ({ launchStatus }) as ParticipatingServer);
        const counts = launchCounts(servers);
        const total =
          counts.pending + counts.inProgress + counts.launched + counts.failed + counts.terminated;
        return (
          total === list.length && counts.launched === list.filter((s) => s === 'LAUNCHED').length
        );
      }),
      { numRuns: 100 },
    );
  });

  it('is COMPLETED only when every asked-for job completed', () => {
    expect(waveStatusOf(['COMPLETED', 'COMPLETED'], 2)).toBe('COMPLETED');
    expect(waveStatusOf(['COMPLETED'], 2)).toBe('STARTED');
    expect(waveStatusOf(['PENDING', 'STARTED'], 2)).toBe('STARTED');
    expect(waveStatusOf(['PENDING'], 1)).toBe('PENDING');
    expect(waveStatusOf([], 1)).toBe('PENDING');
  });
});

describe('execution handler: cold start', () => {
  it('fails every invocation with the variable to fix when the environment is bad', async () => {
    const handler = createExecutionHandler(defaultDeps({ DRS_REGIONS: 'moon-1' }));
    await expect(handler({ action: 'startWave' })).rejects.toThrow(DrsConfigError);
    await expect(handler({ action: 'startWave' })).rejects.toThrow(/DRS_REGIONS\[0\]/);
  });
});
