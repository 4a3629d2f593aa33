import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DrsEventError } from '../../src/disaster-recovery/errors.js';
import {
  capacityStatusOf,
  replicationSummary,
  type AccountCapacityResult,
  type RegionalCapacityResult,
} from '../../src/disaster-recovery/handlers/capacity-query.js';
import { createExecutionHandler } from '../../src/disaster-recovery/handlers/execution.js';
import { createQueryHandler } from '../../src/disaster-recovery/handlers/query.js';
import { REGION, loggedWorld } from './handlers-support.js';

describe('query handler: regional capacity', () => {
  it('reports replicating servers and active jobs against the quotas', async () => {
    // Prepare: 300 servers (10 stopped), a wave of 250 running.
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(300);
    for (const id of servers.slice(0, 10)) world.drs.setReplicationState(id, 'STOPPED');
    await world.clock.run(() =>
      createExecutionHandler(world.container())({
        action: 'startWave',
        waveId: 'w1',
        sourceServerIds: servers.slice(10, 260),
        isDrill: true,
        region: REGION,
      }),
    );
    const query = createQueryHandler(world.container());

    // Act
    const result = (await world.clock.run(() =>
      query({ action: 'regionalCapacity', region: REGION }, { awsRequestId: 'q1' }),
    )) as RegionalCapacityResult;

    // Assess
    expect(result).toMatchObject({
      action: 'regionalCapacity',
      region: REGION,
      correlationId: 'q1',
      quotas: { maxConcurrentJobs: 20, maxServersPerJob: 100, maxServersInActiveJobs: 500 },
      sourceServers: { total: 300, replicating: 290, byState: { CONTINUOUS: 290, STOPPED: 10 } },
      activeJobs: 3,
      serversInActiveJobs: 250,
      availableJobs: 17,
      availableServers: 250,
      utilization: 0.5,
      status: 'OK',
    });
  });
  it('counts a live lease (a start in flight) once in the utilization', async () => {
    // Prepare: a wave of 150 running (2 jobs), and a lease of 100 servers held by another
    // invocation that has not called StartRecovery yet.
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(250);
    await world.clock.run(() =>
      createExecutionHandler(world.container())({
        action: 'startWave',
        waveId: 'w1',
        sourceServerIds: servers.slice(0, 150),
        isDrill: true,
        region: REGION,
      }),
    );
    const other = world.container();
    await world.clock.run(() =>
      other.services
        .throttler({ region: REGION })
        .waitForCapacity({ sourceServerIds: servers.slice(150, 250) }),
    );
    const query = createQueryHandler(world.container());

    // Act
    const result = (await world.clock.run(() =>
      query({ action: 'regionalCapacity', region: REGION }),
    )) as RegionalCapacityResult;

    // Assess: 3 jobs of 20 and 250 servers of 500 in use: the servers bind, at exactly 50 %.
    expect(result).toMatchObject({ activeJobs: 3, serversInActiveJobs: 250, availableJobs: 17 });
    expect(result.utilization).toBe(Math.max(3 / 20, 250 / 500));
    expect(result.status).toBe('OK');
  });
});

describe('query handler: account capacity', () => {
  it('queries every configured region concurrently and sums them', async () => {
    const { world } = loggedWorld({ otherRegions: ['us-west-2'] });
    world.drs.seedSourceServers(40);
    world.drsIn('us-west-2').seedSourceServers(60);
    const query = createQueryHandler(world.container());
    const started = world.clock.now();

    const result = (await world.clock.run(() =>
      query({ action: 'accountCapacity' }),
    )) as AccountCapacityResult;

    expect(result.regions.map((r) => r.region)).toEqual(['us-east-1', 'us-west-2']);
    expect(result).toMatchObject({
      failures: [],
      totals: { sourceServers: 100, replicating: 100, activeJobs: 0, serversInActiveJobs: 0 },
      status: 'OK',
    });
    // Each region's calls wait on their own limiter only: the two went out at the same time.
    expect(world.clock.now() - started).toBeLessThan(1000);
  });

  it('reports a region it cannot read as a failure and the account as CRITICAL', async () => {
    const { world, logger } = loggedWorld();
    world.drs.seedSourceServers(5);
    const query = createQueryHandler(world.container());

    const result = (await world.clock.run(() =>
      query({ action: 'accountCapacity', regions: [REGION, 'eu-west-1'] }, { awsRequestId: 'q2' }),
    )) as AccountCapacityResult;

    expect(result.regions).toHaveLength(1);
    expect(result.failures).toEqual([
      {
        region: 'eu-west-1',
        errorName: 'DrsTargetError',
        errorMessage: expect.stringMatching(/not one of the configured DRS regions/),
      },
    ]);
    expect(result.status).toBe('CRITICAL');
    expect(logger.lines.find((l) => l.level === 'error')?.attributes.correlationId).toBe('q2');
  });

  it('rejects a malformed query', async () => {
    const { world } = loggedWorld();
    const query = createQueryHandler(world.container());
    await expect(query({ action: 'capacity' })).rejects.toThrow(DrsEventError);
  });
});

describe('query handler: capacity arithmetic', () => {
  it('counts every server once by state, replicating ones among them', () => {
    const states = ['CONTINUOUS', 'STOPPED', 'INITIAL_SYNC', 'DISCONNECTED', undefined];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...states), { maxLength: 200 }), (list) => {
        const summary = replicationSummary(
          list.map((state) => ({ dataReplicationInfo: { dataReplicationState: state } }) as never),
        );
        const byState = Object.values(summary.byState).reduce((a, b) => a + b, 0);
        return (
          summary.total === list.length &&
          byState === list.length &&
          summary.replicating ===
            list.filter((s) => s === 'CONTINUOUS' || s === 'INITIAL_SYNC').length
        );
      }),
      { numRuns: 100 },
    );
  });

  it('is OK below 80 %, WARNING below 100 %, CRITICAL at or above the limit', () => {
    expect([0, 0.79, 0.8, 0.99, 1, 1.2].map(capacityStatusOf)).toEqual([
      'OK',
      'OK',
      'WARNING',
      'WARNING',
      'CRITICAL',
      'CRITICAL',
    ]);
  });
});
