import { StartRecoveryCommand, type ParticipatingServer } from '@aws-sdk/client-drs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DrsConfigError, DrsEventError } from '../../src/disaster-recovery/errors.js';
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
} from '../../src/disaster-recovery/handlers/idempotency.js';
import {
  launchCounts,
  waveStatusOf,
  type StartWaveResult,
  type TerminateResult,
  type WaveStatusResult,
} from '../../src/disaster-recovery/handlers/wave.js';
import { REGION, loggedWorld } from './handlers-support.js';

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
    result.jobs.forEach((job, index) => {
      expect(world.drs.job(job.jobId)?.tags).toEqual({
        [IDEMPOTENCY_TAG]: idempotencyKey({ region: REGION }, 'w1', index),
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
    const key = idempotencyKey({ region: REGION }, 'w1', 0);
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
    expect(logger.lines.some((l) => l.level === 'warn' && /by its tag/.test(l.message))).toBe(true);
  });

  it('gives the claim back when a start fails, so that a retry starts the chunk', async () => {
    // Prepare: DRS answers 500 to every StartRecovery for a while (retries run out).
    const { world, logger } = loggedWorld({ config: { maxRetries: 1 } });
    const servers = world.drs.seedSourceServers(5);
    world.drs.failNext(2, undefined, { operation: 'StartRecovery' });
    const handler = createExecutionHandler(world.container());

    // Act
    const failed = world.clock.run(() => handler(startWave('w1', servers), { awsRequestId: 'r1' }));
    await expect(failed).rejects.toThrow(RetryExhaustedError);
    const retried = (await world.clock.run(() =>
      handler(startWave('w1', servers)),
    )) as StartWaveResult;

    // Assess: escalated once (SNS), then started exactly one job.
    expect(retried.startedJobs).toBe(1);
    expect(world.drs.counters().jobsStarted).toBe(1);
    expect(world.sns.published(world.alertTopicArn)).toHaveLength(1);
    expect(
      logger.lines.some((l) => l.level === 'error' && l.attributes.correlationId === 'r1'),
    ).toBe(true);
  });

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
