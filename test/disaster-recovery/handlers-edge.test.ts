import { describe, expect, it, vi } from 'vitest';
import { createExecutionHandler } from '../../src/disaster-recovery/handlers/execution.js';
import { idempotencyKey } from '../../src/disaster-recovery/handlers/idempotency.js';
import { withCorrelationId } from '../../src/disaster-recovery/handlers/observe.js';
import { createQueryHandler } from '../../src/disaster-recovery/handlers/query.js';
import {
  MissingJobIdError,
  WaveChunkBusyError,
  type StartWaveResult,
} from '../../src/disaster-recovery/handlers/wave.js';
import { SIMULATED_ACCOUNT_ID } from '../../src/disaster-recovery/simulator/world.js';
import { REGION, loggedWorld, recordingLogger } from './handlers-support.js';

describe('handlers: correlation ids', () => {
  it('keeps a lone string or Error argument beside the correlation id', () => {
    const inner = recordingLogger();
    const logger = withCorrelationId(inner, 'c-9');
    const error = new Error('boom');
    logger.warn('text', 'detail');
    logger.critical('error', error);
    logger.debug('plain');
    expect(inner.lines.map((l) => l.attributes)).toEqual([
      { correlationId: 'c-9', extra: 'detail' },
      { correlationId: 'c-9', error },
      { correlationId: 'c-9' },
    ]);
  });
});

describe('handlers: events naming the account', () => {
  it('treats the function’s own account id like no account id', async () => {
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(5);
    const execution = createExecutionHandler(world.container());
    const query = createQueryHandler(world.container());
    const accountId = SIMULATED_ACCOUNT_ID;

    const wave = (await world.clock.run(() =>
      execution({
        action: 'startWave',
        waveId: 'w1',
        sourceServerIds: servers,
        isDrill: false,
        region: REGION,
        accountId,
      }),
    )) as StartWaveResult;
    const regional = await world.clock.run(() =>
      query({ action: 'regionalCapacity', region: REGION, accountId }),
    );
    const account = await world.clock.run(() => query({ action: 'accountCapacity', accountId }));

    expect(wave.startedJobs).toBe(1);
    expect(regional).toMatchObject({ accountId, activeJobs: 1 });
    expect(account).toMatchObject({ accountId, totals: { activeJobs: 1 } });
  });
});

describe('handlers: a chunk held by another delivery', () => {
  it('gives up after the throttler timeout without starting anything', async () => {
    // Prepare: another invocation holds chunk 0's claim for an hour.
    const { world } = loggedWorld({
      config: { throttlerTimeoutSeconds: 60, pollIntervalSeconds: 20 },
    });
    const servers = world.drs.seedSourceServers(3);
    const deps = world.container();
    const key = idempotencyKey({ region: REGION }, 'w1', servers);
    await world.clock.run(() =>
      deps.idempotency.claim(key, 'other#0', world.clock.now(), 3_600_000),
    );
    const started = world.clock.now();

    // Act
    const act = world.clock.run(() =>
      createExecutionHandler(deps)({
        action: 'startWave',
        waveId: 'w1',
        sourceServerIds: servers,
        isDrill: true,
        region: REGION,
      }),
    );

    // Assess
    await expect(act).rejects.toThrow(WaveChunkBusyError);
    await expect(act).rejects.toThrow(/'other#0'/);
    expect(world.clock.now() - started).toBeGreaterThanOrEqual(60_000);
    expect(world.drs.counters().jobsStarted).toBe(0);
  });
});

describe('handlers: a start DRS answered without a job id', () => {
  it('treats it as an unknown outcome: the claim is left for a takeover, nothing is dropped', async () => {
    // Prepare: DRS answers StartRecovery without a job.
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(3);
    const deps = world.container();
    const drs = deps.services.drs({ region: REGION });
    const spy = vi.spyOn(drs, 'startRecovery').mockResolvedValue({ $metadata: {} });
    const handler = createExecutionHandler(deps);
    const event = {
      action: 'startWave',
      waveId: 'w1',
      sourceServerIds: servers,
      isDrill: true,
      region: REGION,
    };

    // Act
    const failed = world.clock.run(() => handler(event));
    await expect(failed).rejects.toThrow(MissingJobIdError);
    spy.mockRestore();
    const claim = await world.clock.run(() =>
      deps.idempotency.claim(
        idempotencyKey({ region: REGION }, 'w1', servers),
        'probe',
        world.clock.now(),
        1000,
      ),
    );

    // Assess: the next claimer takes over (and would look for the job first).
    expect(claim).toEqual({ kind: 'claimed', takeover: true });
  });
});
