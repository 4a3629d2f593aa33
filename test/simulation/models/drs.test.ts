import * as drs from '@aws-sdk/client-drs';
import {
  ConflictException,
  DescribeJobsCommand,
  DescribeRecoveryInstancesCommand,
  DescribeSourceServersCommand,
  DrsClient,
  DrsServiceException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  StartRecoveryCommand,
  TerminateRecoveryInstancesCommand,
  ThrottlingException,
  ValidationException,
  type Job,
  type SourceServer,
} from '@aws-sdk/client-drs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import {
  DrsModel,
  type DrsModelOptions,
  drsInternalServerError,
} from '../../../src/simulation/models/drs.js';
import type { CallEvent } from '../../../src/simulation/models/throttling-api.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import type { ModelCallContext } from '../../../src/simulation/service-model.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

const START = Date.UTC(2025, 0, 1);

function setup(options: Partial<DrsModelOptions> = {}) {
  const clock = VirtualClock.create({ start: START });
  const model = new DrsModel({ clock, throttling: { account: 'none' }, ...options });
  const client = createSimulatedClient(DrsClient, { maxAttempts: 1 }, model, { exceptions: drs });
  return { clock, model, client };
}

async function failure(promise: Promise<unknown>): Promise<DrsServiceException> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DrsServiceException);
  return error as DrsServiceException;
}

function start(client: DrsClient, ids: readonly string[], isDrill = true) {
  return client.send(
    new StartRecoveryCommand({
      sourceServers: ids.map((sourceServerID) => ({ sourceServerID })),
      isDrill,
      tags: { wave: '1' },
    }),
  );
}

async function allServers(client: DrsClient, maxResults: number): Promise<SourceServer[]> {
  const items: SourceServer[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new DescribeSourceServersCommand({ maxResults, nextToken }));
    items.push(...(page.items ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return items;
}

const context: ModelCallContext = {
  operation: 'StartRecovery',
  requestId: 'r',
  clientName: undefined,
  attempt: 1,
};

describe('simulation: DRS source servers', () => {
  it('seeds replicating servers with hostnames, tags and lifecycle', async () => {
    // Prepare
    const { client, model } = setup({ region: 'eu-west-1', accountId: '111122223333' });
    const ids = model.seedSourceServers(3, { hostnamePrefix: 'web', tags: { app: 'shop' } });

    // Act
    const output = await client.send(new DescribeSourceServersCommand({}));

    // Assess
    expect(output.items?.map((server) => server.sourceServerID)).toEqual(ids);
    expect(ids.every((id) => /^s-[0-9a-f]{17}$/.test(id))).toBe(true);
    const first = output.items?.[0];
    expect(first).toMatchObject({
      arn: `arn:aws:drs:eu-west-1:111122223333:source-server/${ids[0]}`,
      tags: { Name: 'web-0001', app: 'shop' },
      lastLaunchResult: 'NOT_STARTED',
      dataReplicationInfo: { dataReplicationState: 'CONTINUOUS' },
      sourceProperties: { identificationHints: { hostname: 'web-0001' } },
      lifeCycle: { addedToServiceDateTime: new Date(START).toISOString() },
    });
    expect(output.nextToken).toBeUndefined();
  });

  it('gives different ids in different accounts and regions', () => {
    const clock = VirtualClock.create();
    const a = new DrsModel({ clock, region: 'eu-west-1' }).seedSourceServers(1);
    const b = new DrsModel({ clock, region: 'us-east-1' }).seedSourceServers(1);
    expect(a[0]).not.toBe(b[0]);
  });

  it('pages with maxResults and filters by ids, hostname and staging account', async () => {
    // Prepare
    const { client, model } = setup();
    const ids = model.seedSourceServers(5);

    // Act
    const paged = await allServers(client, 2);
    const filtered = await client.send(
      new DescribeSourceServersCommand({ filters: { sourceServerIDs: [ids[3] ?? ''] } }),
    );
    const byHostname = await client.send(
      new DescribeSourceServersCommand({ filters: { hardwareId: 'server-0002' } }),
    );
    const staging = await client.send(
      new DescribeSourceServersCommand({ filters: { stagingAccountIDs: ['999999999999'] } }),
    );

    // Assess
    expect(paged.map((server) => server.sourceServerID)).toEqual(ids);
    expect(filtered.items?.map((server) => server.sourceServerID)).toEqual([ids[3]]);
    expect(byHostname.items?.map((server) => server.sourceServerID)).toEqual([ids[1]]);
    expect(staging.items).toEqual([]);
  });

  it('refuses a token of another query and invalid input', async () => {
    // Prepare
    const { client, model } = setup();
    const ids = model.seedSourceServers(3);
    const page = await client.send(new DescribeSourceServersCommand({ maxResults: 1 }));

    // Act
    const replayed = await failure(
      client.send(
        new DescribeSourceServersCommand({
          filters: { sourceServerIDs: ids },
          nextToken: page.nextToken,
        }),
      ),
    );
    const garbage = await failure(
      client.send(new DescribeSourceServersCommand({ nextToken: 'not-a-token' })),
    );
    const tooMany = await failure(
      client.send(new DescribeSourceServersCommand({ maxResults: 1001 })),
    );

    // Assess
    expect(replayed).toBeInstanceOf(ValidationException);
    expect(garbage).toBeInstanceOf(ValidationException);
    expect(tooMany).toBeInstanceOf(ValidationException);
    expect(tooMany.message).toContain('maxResults');
  });
});

describe('simulation: DRS recovery jobs', () => {
  it('runs PENDING -> STARTED -> COMPLETED with per-server launch status and instances', async () => {
    // Prepare
    const { client, model, clock } = setup({
      timings: { jobStartDelayMs: 1_000, launchDurationMs: 60_000, launchStaggerMs: 10_000 },
    });
    const ids = model.seedSourceServers(2);

    // Act
    const started = await start(client, ids);
    const jobID = started.job?.jobID ?? '';
    const statusAt = async (ms: number) => {
      await clock.advanceTo(START + ms);
      const output = await client.send(new DescribeJobsCommand({ filters: { jobIDs: [jobID] } }));
      const job = output.items?.[0];
      return [job?.status, job?.participatingServers?.map((server) => server.launchStatus)];
    };
    const atStart = [
      started.job?.status,
      started.job?.participatingServers?.map((s) => s.launchStatus),
    ];
    const running = await statusAt(1_000);
    const half = await statusAt(61_000);
    const done = await statusAt(71_000);

    // Assess
    expect(jobID).toMatch(/^drsjob-[0-9a-f]{17}$/);
    expect(started.job).toMatchObject({
      type: 'LAUNCH',
      initiatedBy: 'START_DRILL',
      tags: { wave: '1' },
      creationDateTime: new Date(START).toISOString(),
    });
    expect(atStart).toEqual(['PENDING', ['PENDING', 'PENDING']]);
    expect(running).toEqual(['STARTED', ['IN_PROGRESS', 'IN_PROGRESS']]);
    expect(half).toEqual(['STARTED', ['LAUNCHED', 'IN_PROGRESS']]);
    expect(done).toEqual(['COMPLETED', ['LAUNCHED', 'LAUNCHED']]);
    expect(model.job(jobID)?.endDateTime).toBe(new Date(START + 71_000).toISOString());
    const instances = await client.send(new DescribeRecoveryInstancesCommand({}));
    expect(instances.items?.map((instance) => instance.sourceServerID)).toEqual(ids);
    expect(instances.items?.[0]).toMatchObject({
      jobID,
      isDrill: true,
      ec2InstanceState: 'RUNNING',
      tags: { wave: '1' },
    });
    const server = model.sourceServer(ids[0] ?? '');
    expect(server).toMatchObject({
      lastLaunchResult: 'SUCCEEDED',
      recoveryInstanceId: instances.items?.[0]?.recoveryInstanceID,
      lifeCycle: { lastLaunch: { initiated: { jobID, type: 'DRILL' }, status: 'LAUNCHED' } },
    });
    expect(model.counters()).toMatchObject({ jobsStarted: 1, launched: 2, launchFailed: 0 });
  });

  it('fails the launches that are scripted to fail and those of servers not replicating', async () => {
    // Prepare
    const { client, model, clock } = setup();
    const [scripted = '', stalled = '', fine = ''] = model.seedSourceServers(3);
    model.failNextLaunchOf([scripted]);
    model.setReplicationState(stalled, 'STALLED');

    // Act
    const started = await start(client, [scripted, stalled, fine], false);
    await clock.runUntilIdle();
    const job = model.job(started.job?.jobID ?? '');
    const again = await start(client, [scripted]);
    await clock.runUntilIdle();

    // Assess
    expect(started.job?.initiatedBy).toBe('START_RECOVERY');
    expect(job?.participatingServers?.map((server) => server.launchStatus)).toEqual([
      'FAILED',
      'FAILED',
      'LAUNCHED',
    ]);
    expect(job?.status).toBe('COMPLETED');
    expect(model.sourceServer(stalled).lastLaunchResult).toBe('FAILED');
    // A scripted failure is used up by one launch.
    expect(model.job(again.job?.jobID ?? '')?.participatingServers?.[0]?.launchStatus).toBe(
      'LAUNCHED',
    );
    expect(model.counters()).toMatchObject({ launched: 2, launchFailed: 2 });
  });

  it('rejects unknown and duplicate servers and more than 200 per call', async () => {
    // Prepare
    const { client, model } = setup();
    const [id = ''] = model.seedSourceServers(1);

    // Act
    const unknown = await failure(start(client, ['s-00000000000000000']));
    const duplicate = await failure(start(client, [id, id]));
    const tooMany = await failure(
      start(
        client,
        Array.from({ length: 201 }, (_, n) => `s-${n.toString(16).padStart(17, '0')}`),
      ),
    );
    const none = await failure(start(client, []));

    // Assess
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    expect(unknown).toMatchObject({
      resourceId: 's-00000000000000000',
      resourceType: 'SOURCE_SERVER',
      $metadata: { httpStatusCode: 404 },
    });
    expect(duplicate).toBeInstanceOf(ValidationException);
    expect(tooMany).toBeInstanceOf(ValidationException);
    expect(none).toBeInstanceOf(ValidationException);
    expect(model.activeJobCount()).toBe(0);
  });
});

describe('simulation: DRS job quotas', () => {
  it('answers 402 with the quota codes for servers per job, concurrent jobs and servers in jobs', async () => {
    // Prepare
    const { client, model, clock } = setup({
      quotas: { serversPerJob: 3, concurrentJobs: 2, serversInActiveJobs: 5 },
    });
    const ids = model.seedSourceServers(12);

    // Act
    const perJob = await failure(start(client, ids.slice(0, 4)));
    await start(client, ids.slice(0, 3));
    const inJobs = await failure(start(client, ids.slice(3, 6)));
    await start(client, ids.slice(3, 5));
    const concurrent = await failure(start(client, ids.slice(5, 6)));
    await clock.runUntilIdle();
    const afterwards = await start(client, ids.slice(6, 9));

    // Assess
    expect(perJob).toBeInstanceOf(ServiceQuotaExceededException);
    expect(perJob).toMatchObject({
      quotaCode: 'L-B827C881',
      serviceCode: 'drs',
      resourceType: 'SOURCE_SERVER',
      $metadata: { httpStatusCode: 402 },
    });
    expect(inJobs).toMatchObject({
      name: 'ServiceQuotaExceededException',
      quotaCode: 'L-05AFA8C6',
    });
    expect(concurrent).toMatchObject({
      name: 'ServiceQuotaExceededException',
      quotaCode: 'L-D88FAC3A',
      resourceType: 'JOB',
    });
    expect(afterwards.job?.status).toBe('PENDING');
    expect(model.counters()).toMatchObject({
      quotaErrors: 3,
      quotaErrorsByQuota: {
        serversPerJob: 1,
        serversInActiveJobs: 1,
        concurrentJobs: 1,
        jobsPerServer: 0,
      },
      peakConcurrentJobs: 2,
      peakServersInActiveJobs: 5,
    });
  });

  it('answers ConflictException 409 for a server already in an active job', async () => {
    // Prepare
    const { client, model, clock } = setup();
    const [id = '', other = ''] = model.seedSourceServers(2);
    const first = await start(client, [id]);

    // Act
    const conflict = await failure(start(client, [other, id]));
    await clock.runUntilIdle();
    const later = await start(client, [id]);

    // Assess
    expect(conflict).toBeInstanceOf(ConflictException);
    expect(conflict).toMatchObject({
      resourceId: id,
      resourceType: 'SOURCE_SERVER',
      $metadata: { httpStatusCode: 409 },
    });
    expect(conflict.message).toContain(first.job?.jobID);
    expect(later.job?.jobID).not.toBe(first.job?.jobID);
    expect(model.counters().quotaErrorsByQuota.jobsPerServer).toBe(1);
  });

  it('never exceeds a quota, whatever the sequence of starts and waits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 40_000 })), {
          minLength: 1,
          maxLength: 25,
        }),
        fc.integer({ min: 0, max: 1_000 }),
        async (steps, seed) => {
          // Prepare: small quotas so that the random starts hit all of them.
          const clock = VirtualClock.create({ start: START });
          const quotas = { concurrentJobs: 3, serversPerJob: 4, serversInActiveJobs: 8 };
          const model = new DrsModel({
            clock,
            quotas,
            throttling: { account: 'none' },
            timings: { jobStartDelayMs: 5_000, launchDurationMs: 30_000 },
          });
          const ids = model.seedSourceServers(16);
          let offset = seed;
          // Act
          for (const [size, waitMs] of steps) {
            const chosen = Array.from(
              { length: size },
              (_, n) => ids[(offset + n) % ids.length] ?? '',
            );
            offset += size;
            await model
              .handle(
                'StartRecovery',
                { sourceServers: chosen.map((sourceServerID) => ({ sourceServerID })) },
                context,
              )
              .catch(() => undefined);
            // Assess: the invariants hold after every step.
            const active = model.allJobs().filter((job) => job.status !== 'COMPLETED');
            const inJobs = active.flatMap((job) => job.participatingServers ?? []);
            expect(active.length).toBeLessThanOrEqual(quotas.concurrentJobs);
            expect(inJobs.length).toBeLessThanOrEqual(quotas.serversInActiveJobs);
            expect(new Set(inJobs.map((server) => server.sourceServerID)).size).toBe(inJobs.length);
            await clock.advance(waitMs);
          }
          const counters = model.counters();
          expect(counters.peakConcurrentJobs).toBeLessThanOrEqual(quotas.concurrentJobs);
          expect(counters.peakServersInActiveJobs).toBeLessThanOrEqual(quotas.serversInActiveJobs);
          expect(counters.jobsStarted + counters.quotaErrors).toBe(steps.length);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('simulation: DRS DescribeJobs', () => {
  it('answers newest first, filters by ids and dates, and pages stably while jobs are created', async () => {
    // Prepare: three jobs a minute apart.
    const { client, model, clock } = setup();
    const ids = model.seedSourceServers(4);
    const jobs: string[] = [];
    for (const id of ids.slice(0, 3)) {
      jobs.push((await start(client, [id])).job?.jobID ?? '');
      await clock.advance(60_000);
    }

    // Act
    const all = await client.send(new DescribeJobsCommand({}));
    const first = await client.send(new DescribeJobsCommand({ maxResults: 2 }));
    await start(client, [ids[3] ?? '']); // a new job between the pages
    const second = await client.send(
      new DescribeJobsCommand({ maxResults: 2, nextToken: first.nextToken }),
    );
    const byId = await client.send(
      new DescribeJobsCommand({ filters: { jobIDs: [jobs[1] ?? ''] } }),
    );
    const byDate = await client.send(
      new DescribeJobsCommand({
        filters: {
          fromDate: new Date(START + 30_000).toISOString(),
          toDate: new Date(START + 60_000).toISOString(),
        },
      }),
    );
    const empty = await client.send(new DescribeJobsCommand({ filters: { jobIDs: [] } }));

    // Assess
    const idsOf = (items: Job[] | undefined) => items?.map((job) => job.jobID);
    expect(idsOf(all.items)).toEqual([...jobs].reverse());
    expect(idsOf(first.items)).toEqual([jobs[2], jobs[1]]);
    expect(idsOf(second.items)).toEqual([jobs[0]]);
    expect(second.nextToken).toBeUndefined();
    expect(idsOf(byId.items)).toEqual([jobs[1]]);
    expect(idsOf(byDate.items)).toEqual([jobs[1]]);
    expect(empty.items).toHaveLength(4);
  });

  it('cannot filter by status, as on AWS', async () => {
    const { model } = setup();
    const error = await model
      .handle('DescribeJobs', { filters: { status: 'STARTED' } }, context)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ValidationException', httpStatusCode: 400 });
  });
});

describe('simulation: DRS recovery instances', () => {
  it('terminates instances with a TERMINATE job and pages DescribeRecoveryInstances', async () => {
    // Prepare: three launched instances.
    const { client, model, clock } = setup({ timings: { terminateDurationMs: 30_000 } });
    const ids = model.seedSourceServers(3);
    await start(client, ids);
    await clock.runUntilIdle();
    const instances = model
      .recoveryInstances()
      .map((instance) => instance.recoveryInstanceID ?? '');

    // Act
    const page = await client.send(new DescribeRecoveryInstancesCommand({ maxResults: 2 }));
    const rest = await client.send(
      new DescribeRecoveryInstancesCommand({ maxResults: 2, nextToken: page.nextToken }),
    );
    const bySource = await client.send(
      new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: [ids[2] ?? ''] } }),
    );
    const terminated = await client.send(
      new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: instances.slice(0, 2) }),
    );
    const twice = await failure(
      client.send(
        new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: [instances[0] ?? ''] }),
      ),
    );
    const unknown = await failure(
      client.send(
        new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: ['i-00000000000000000'] }),
      ),
    );
    const shuttingDown = model.recoveryInstances()[0]?.ec2InstanceState;
    await clock.runUntilIdle();
    const after = await client.send(new DescribeRecoveryInstancesCommand({}));

    // Assess
    expect([...(page.items ?? []), ...(rest.items ?? [])].map((i) => i.recoveryInstanceID)).toEqual(
      instances,
    );
    expect(bySource.items?.map((i) => i.recoveryInstanceID)).toEqual([instances[2]]);
    expect(terminated.job).toMatchObject({
      type: 'TERMINATE',
      initiatedBy: 'TERMINATE_RECOVERY_INSTANCES',
      status: 'PENDING',
      participatingServers: [
        { sourceServerID: ids[0], recoveryInstanceID: instances[0] },
        { sourceServerID: ids[1], recoveryInstanceID: instances[1] },
      ],
    });
    expect(twice).toBeInstanceOf(ConflictException);
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    expect(shuttingDown).toBe('SHUTTING-DOWN');
    expect(after.items?.map((i) => i.recoveryInstanceID)).toEqual([instances[2]]);
    expect(model.job(terminated.job?.jobID ?? '')).toMatchObject({
      status: 'COMPLETED',
      participatingServers: [{ launchStatus: 'TERMINATED' }, { launchStatus: 'TERMINATED' }],
    });
    expect(model.sourceServer(ids[0] ?? '').recoveryInstanceId).toBeUndefined();
  });

  it('counts terminate jobs against the concurrent-job quota', async () => {
    // Prepare
    const { client, model, clock } = setup({ quotas: { concurrentJobs: 1 } });
    const ids = model.seedSourceServers(2);
    await start(client, ids.slice(0, 1));
    await clock.runUntilIdle();
    const [instance = ''] = model.recoveryInstances().map((i) => i.recoveryInstanceID ?? '');
    await start(client, ids.slice(1, 2));

    // Act
    const error = await failure(
      client.send(new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: [instance] })),
    );
    const duplicate = await failure(
      client.send(
        new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: [instance, instance] }),
      ),
    );

    // Assess
    expect(error).toMatchObject({ name: 'ServiceQuotaExceededException', quotaCode: 'L-D88FAC3A' });
    expect(duplicate).toBeInstanceOf(ValidationException);
  });
});

describe('simulation: DRS request rates and faults', () => {
  it('throttles per operation with retryAfterSeconds as DRS models it', async () => {
    // Prepare
    const events: CallEvent[] = [];
    const { client, model, clock } = setup({
      throttling: {
        account: 'none',
        operations: { DescribeJobs: { ratePerSecond: 0.25, burst: 2 } },
      },
      onCall: (event) => events.push(event),
    });

    // Act
    await client.send(new DescribeJobsCommand({}));
    await client.send(new DescribeJobsCommand({}));
    const error = await failure(client.send(new DescribeJobsCommand({})));
    await client.send(new DescribeSourceServersCommand({})); // its own operation is not limited
    await clock.advance(4_000);
    await client.send(new DescribeJobsCommand({}));

    // Assess
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error).toMatchObject({
      retryAfterSeconds: '4',
      serviceCode: 'drs',
      $metadata: { httpStatusCode: 429 },
    });
    expect(model.counters()).toMatchObject({
      throttles: 1,
      accountThrottles: 0,
      throttlesByOperation: { DescribeJobs: 1 },
    });
    expect(model.stats().byOperation.DescribeJobs).toEqual({
      calls: 4,
      succeeded: 3,
      throttled: 1,
      faulted: 0,
      failed: 0,
    });
    expect(model.stats().total.calls).toBe(5);
    expect(events.filter((event) => event.outcome === 'throttled')).toHaveLength(1);
  });

  it('shares the account-wide rate between operations; a refused call consumes nothing', async () => {
    // Prepare: the account allows 2 calls, StartRecovery 1.
    const { client, model } = setup({
      throttling: {
        account: { ratePerSecond: 1, burst: 2 },
        operations: { StartRecovery: { ratePerSecond: 1, burst: 1 } },
      },
    });
    const [id = '', other = ''] = model.seedSourceServers(2);

    // Act
    await start(client, [id]);
    const byOperation = await failure(start(client, [other])); // operation empty, account not
    await client.send(new DescribeJobsCommand({})); // so the account still had this token
    const byAccount = await failure(client.send(new DescribeSourceServersCommand({})));

    // Assess
    expect(byOperation).toBeInstanceOf(ThrottlingException);
    expect(byAccount).toBeInstanceOf(ThrottlingException);
    expect(model.counters()).toMatchObject({
      throttles: 2,
      accountThrottles: 1,
      throttlesByOperation: { StartRecovery: 1, DescribeSourceServers: 1 },
    });
    model.resetStats();
    expect(model.counters().throttles).toBe(0);
    expect(model.stats().total.calls).toBe(0);
  });

  it('injects InternalServerException 500 and answers unknown operations', async () => {
    // Prepare
    const { client, model } = setup();
    model.failNext(1, drsInternalServerError(), { operation: 'DescribeJobs' });

    // Act
    const fault = await failure(client.send(new DescribeJobsCommand({})));
    const unknown = await model.handle('StartFailback', {}, context).catch((e: unknown) => e);

    // Assess
    expect(fault).toMatchObject({ name: 'InternalServerException', $fault: 'server' });
    expect(fault.$metadata.httpStatusCode).toBe(500);
    expect(model.counters().faults).toBe(1);
    expect(unknown).toMatchObject({ name: 'UnknownOperationException' });
  });

  it('loses the answer of a call that took effect, and only of one that did', async () => {
    // Prepare: two lost answers of StartRecovery; the first call is throttled by DRS.
    const { client, model, clock } = setup({
      throttling: { account: { ratePerSecond: 1, burst: 1 } },
    });
    const [a, b] = model.seedSourceServers(2);
    await client.send(new DescribeJobsCommand({})); // uses the only token
    model.loseNextAnswers(2, 'StartRecovery');

    // Act
    const throttled = await failure(start(client, [a]));
    await clock.advance(1000);
    const lost = await failure(start(client, [a]));
    await clock.advance(1000);
    const lostAgain = await failure(start(client, [b]));
    await clock.advance(1000);
    await client.send(new DescribeJobsCommand({})).catch(() => undefined);

    // Assess: the throttled call neither acted nor used a lost answer; the others acted.
    expect(throttled.name).toBe('ThrottlingException');
    expect(lost).toMatchObject({ name: 'InternalServerException' });
    expect(lostAgain.$metadata.httpStatusCode).toBe(500);
    expect(model.counters().jobsStarted).toBe(2);
    expect(() => model.loseNextAnswers(1, 'StartFailback')).toThrow(SimulationConfigError);
    expect(() => model.loseNextAnswers(0, 'StartRecovery')).toThrow(SimulationConfigError);
  });

  it('keeps page tokens short whatever the filters', async () => {
    // Prepare: 150 recovery instances asked for by id (a filter of ~3 KB).
    const { client, model, clock } = setup();
    const servers = model.seedSourceServers(150);
    await start(client, servers.slice(0, 100));
    await start(client, servers.slice(100));
    await clock.advance(3_600_000);
    const ids = model.recoveryInstances().map((i) => i.recoveryInstanceID ?? '');

    // Act
    const first = await client.send(
      new DescribeRecoveryInstancesCommand({ filters: { recoveryInstanceIDs: ids } }),
    );
    const second = await client.send(
      new DescribeRecoveryInstancesCommand({
        filters: { recoveryInstanceIDs: ids },
        nextToken: first.nextToken,
      }),
    );

    // Assess
    expect(first.nextToken?.length).toBeLessThan(100);
    expect((first.items ?? []).length + (second.items ?? []).length).toBe(150);
    expect(second.nextToken).toBeUndefined();
  });

  it('uses a 10 TPS account rate by default', async () => {
    // Prepare
    const clock = VirtualClock.create();
    const model = new DrsModel({ clock });

    // Act
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => model.handle('DescribeJobs', {}, context)),
    );

    // Assess
    expect(results.filter((result) => result.status === 'rejected')).toHaveLength(2);
    expect(model.counters().accountThrottles).toBe(2);
  });
});

describe('simulation: DRS model configuration', () => {
  it.each([
    [{ quotas: { concurrentJobs: 0 } }, 'quotas.concurrentJobs'],
    [
      { throttling: { operations: { StartFailback: { ratePerSecond: 1, burst: 1 } } } },
      'StartFailback',
    ],
    [
      { throttling: { account: { ratePerSecond: 0, burst: 1 } } },
      'throttling.account.ratePerSecond',
    ],
    [{ throttling: { account: { ratePerSecond: 1, burst: 0.5 } } }, 'throttling.account.burst'],
    [{ timings: { launchDurationMs: -1 } }, 'timings.launchDurationMs'],
    [{ defaultPageSize: 0 }, 'defaultPageSize'],
    [{ accountId: '12' }, 'accountId'],
  ])('rejects %j naming the option', (options, named) => {
    const clock = VirtualClock.create();
    expect(() => new DrsModel({ clock, ...(options as Partial<DrsModelOptions>) })).toThrow(
      expect.objectContaining({
        name: 'SimulationConfigError',
        message: expect.stringContaining(named),
      }),
    );
  });

  it('refuses to script or inspect a server it does not have', () => {
    const { model } = setup();
    expect(() => model.failNextLaunchOf(['s-00000000000000000'])).toThrow(SimulationConfigError);
    expect(() => model.sourceServer('s-1')).toThrow(/no source server/);
    expect(model.job('drsjob-00000000000000000')).toBeUndefined();
    expect(model.sourceServerIds()).toEqual([]);
  });
});
