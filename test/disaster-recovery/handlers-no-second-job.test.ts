/**
 * Regression tests: ways a retried or redelivered startWave/terminate could start a second DRS
 * job for the same servers (issue 7: "a retried invocation never starts a second job").
 */
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DrsClient } from '../../src/disaster-recovery/drs-client.js';
import type { DrsTarget } from '../../src/disaster-recovery/errors.js';
import type { DisasterRecoveryDeps } from '../../src/disaster-recovery/handlers/deps.js';
import { createExecutionHandler } from '../../src/disaster-recovery/handlers/execution.js';
import {
  idempotencyKey,
  type IdempotencyStore,
} from '../../src/disaster-recovery/handlers/idempotency.js';
import {
  ChunkPlanMismatchError,
  type TerminateResult,
} from '../../src/disaster-recovery/handlers/wave.js';
import { LEASE_TABLE, type DrsWorld } from '../../src/disaster-recovery/simulator/world.js';
import { RetryExhaustedError } from '../../src/resilience/errors.js';
import { createSimulatedClient } from '../../src/simulation/sdk-mount.js';
import { REGION, loggedWorld } from './handlers-support.js';

const startWave = (waveId: string, sourceServerIds: readonly string[]) => ({
  action: 'startWave',
  waveId,
  sourceServerIds,
  region: REGION,
  isDrill: true,
});

const sdkError = (name: string, httpStatusCode: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });

/** Runs a handler call, answering its result or the error it threw. */
const settle = <T>(world: DrsWorld, call: () => Promise<T>): Promise<T | Error> =>
  world.clock.run(call).then(
    (result) => result,
    (error: unknown) => error as Error,
  );

/** `deps` whose DRS client answers with `change(real client)` where it defines a method. */
function withDrs(
  deps: DisasterRecoveryDeps,
  change: (drs: DrsClient) => Partial<DrsClient>,
): DisasterRecoveryDeps {
  const real = deps.services;
  const wrap = (drs: DrsClient): DrsClient => {
    const overrides = change(drs);
    return new Proxy(drs, {
      get: (target, prop, receiver) => {
        if (prop in overrides) return overrides[prop as keyof DrsClient];
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
  };
  return {
    ...deps,
    services: {
      drs: (target) => wrap(real.drs(target)),
      throttler: (target) => real.throttler(target),
      quotas: (target) => real.quotas(target),
    },
  };
}

/** `deps` that read a servers-per-job quota of `maxServersPerJob`. */
function withServersPerJob(deps: DisasterRecoveryDeps, maxServersPerJob: number) {
  const real = deps.services;
  return {
    ...deps,
    services: {
      drs: (target: DrsTarget) => real.drs(target),
      throttler: (target: DrsTarget) => real.throttler(target),
      quotas: async (target: DrsTarget) => ({ ...(await real.quotas(target)), maxServersPerJob }),
    },
  };
}

/** How many jobs each source server took part in. */
function jobsPerServer(world: DrsWorld, initiatedBy?: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const job of world.drs.allJobs()) {
    if (initiatedBy !== undefined && job.initiatedBy !== initiatedBy) continue;
    for (const server of job.participatingServers ?? []) {
      const id = server.sourceServerID ?? '';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

describe('no second job: failures after the job exists', () => {
  it('a record failing with a DynamoDB 400 (throughput exceeded) keeps the claim', async () => {
    // Prepare: every completion fails with throttling retries exhausted on a 400.
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(5);
    const deps = world.container();
    const throttled = sdkError('ProvisionedThroughputExceededException', 400);
    const idempotency: IdempotencyStore = {
      claim: (...args) => deps.idempotency.claim(...args),
      abandon: (...args) => deps.idempotency.abandon(...args),
      expire: (...args) => deps.idempotency.expire(...args),
      plan: (...args) => deps.idempotency.plan(...args),
      complete: () =>
        Promise.reject(
          new RetryExhaustedError({
            operation: 'UpdateItem',
            attempts: 4,
            totalRetryDelayMs: 1,
            lastErrorCode: throttled.name,
            lastError: throttled,
          }),
        ),
    };

    // Act: the delivery; the drill job completes; a redelivery elsewhere.
    const first = await settle(world, () =>
      createExecutionHandler({ ...deps, idempotency })(startWave('w1', servers)),
    );
    await world.clock.advance(400_000);
    const again = await settle(world, () =>
      createExecutionHandler(world.container())(startWave('w1', servers)),
    );

    // Assess
    expect(world.drs.counters().jobsStarted).toBe(1);
    const [job] = world.drs.allJobs();
    expect(first).toMatchObject({ startedJobs: 1, jobs: [{ jobId: job.jobID }] });
    expect(again).toMatchObject({ startedJobs: 0, reusedJobs: 1, jobs: [{ jobId: job.jobID }] });
  });
});

describe('no second job: steps around the start failing', () => {
  it('returns and records the job when the throttler fails after DRS answered it', async () => {
    // Prepare: a throttler that starts the job, then fails (e.g. its lease update).
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(4);
    const deps = world.container();
    const real = deps.services;
    const failingAfterStart: DisasterRecoveryDeps = {
      ...deps,
      services: {
        drs: (target) => real.drs(target),
        quotas: (target) => real.quotas(target),
        throttler: (target) =>
          new Proxy(real.throttler(target), {
            get: (throttler, prop) =>
              prop === 'startJob'
                ? async (...args: Parameters<typeof throttler.startJob>) => {
                    await throttler.startJob(...args);
                    throw sdkError('ProvisionedThroughputExceededException', 400);
                  }
                : (Reflect.get(throttler, prop) as unknown),
          }),
      },
    };

    // Act
    const first = await settle(world, () =>
      createExecutionHandler(failingAfterStart)(startWave('w1', servers)),
    );
    const again = await settle(world, () =>
      createExecutionHandler(world.container())(startWave('w1', servers)),
    );

    // Assess
    const [job] = world.drs.allJobs();
    expect(world.drs.counters().jobsStarted).toBe(1);
    expect(first).toMatchObject({ startedJobs: 1, jobs: [{ jobId: job.jobID }] });
    expect(again).toMatchObject({ reusedJobs: 1, jobs: [{ jobId: job.jobID }] });
  });

  it('throws the refusal of DRS, not the failure to drop the claim', async () => {
    // Prepare: DRS refuses the start (400); dropping the claim fails too.
    const { world, logger } = loggedWorld();
    const servers = world.drs.seedSourceServers(2);
    const deps = world.container();
    const refused = sdkError('ValidationException', 400);
    const broken: DisasterRecoveryDeps = {
      ...withDrs(deps, () => ({ startRecovery: () => Promise.reject(refused) })),
      idempotency: {
        claim: (...args) => deps.idempotency.claim(...args),
        complete: (...args) => deps.idempotency.complete(...args),
        expire: (...args) => deps.idempotency.expire(...args),
        plan: (...args) => deps.idempotency.plan(...args),
        abandon: () => Promise.reject(sdkError('AccessDeniedException', 400)),
      },
    };

    // Act
    const failed = await settle(world, () =>
      createExecutionHandler(broken)(startWave('w1', servers)),
    );

    // Assess
    expect(failed).toBe(refused);
    expect(logger.lines.some((l) => /Could not end the claim/.test(l.message))).toBe(true);
  });
});

describe('no second job: a start whose outcome is unknown', () => {
  it('a takeover whose lookup fails keeps the maybe-started record', async () => {
    // Prepare: StartRecovery creates the job but its answer is lost.
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(5);
    world.drs.loseNextAnswers(1, 'StartRecovery');
    const failingLookups = (failWhen: () => boolean) => (deps: DisasterRecoveryDeps) =>
      withDrs(deps, (drs) => ({
        listAll: (operation: Parameters<DrsClient['listAll']>[0], input: never) =>
          failWhen()
            ? Promise.reject(sdkError('InternalServerException', 500))
            : drs.listAll(operation, input),
      }));
    const startCalls = () => world.drs.stats().byOperation.StartRecovery?.calls ?? 0;

    // Act: 1st delivery: the lookups after the lost answer fail. 2nd delivery (a takeover):
    // every lookup fails. 3rd delivery: DRS answers again.
    const first = await settle(world, () =>
      createExecutionHandler(failingLookups(() => startCalls() > 0)(world.container()))(
        startWave('w1', servers),
      ),
    );
    const second = await settle(world, () =>
      createExecutionHandler(failingLookups(() => true)(world.container()))(
        startWave('w1', servers),
      ),
    );
    const third = await settle(world, () =>
      createExecutionHandler(world.container())(startWave('w1', servers)),
    );

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(second).toBeInstanceOf(Error);
    expect(world.drs.counters().jobsStarted).toBe(1);
    expect(startCalls()).toBe(1);
    const [job] = world.drs.allJobs();
    expect(third).toMatchObject({ startedJobs: 0, reusedJobs: 1, jobs: [{ jobId: job.jobID }] });
  });

  it('finds the job by its tag even when DynamoDB deleted the maybe-started record', async () => {
    // Prepare: a lost answer and a failing lookup leave a maybe-started record; then the
    // record disappears (TTL, an operator).
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(5);
    world.drs.loseNextAnswers(1, 'StartRecovery');
    let started = false;
    const deps = withDrs(world.container(), (drs) => ({
      startRecovery: (input) => {
        started = true;
        return drs.startRecovery(input);
      },
      listAll: (operation: Parameters<DrsClient['listAll']>[0], input: never) =>
        started
          ? Promise.reject(sdkError('InternalServerException', 500))
          : drs.listAll(operation, input),
    }));
    const first = await settle(world, () => createExecutionHandler(deps)(startWave('w1', servers)));
    const client = createSimulatedClient(DynamoDBClient, { region: REGION }, world.dynamodb, {
      exceptions: dynamodbSdk,
    });
    await world.clock.run(() =>
      client.send(
        new DeleteItemCommand({
          TableName: LEASE_TABLE,
          Key: { pk: { S: idempotencyKey({ region: REGION }, 'w1', servers) } },
        }),
      ),
    );

    // Act
    const again = await settle(world, () =>
      createExecutionHandler(world.container())(startWave('w1', servers)),
    );

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(world.drs.counters().jobsStarted).toBe(1);
    const [job] = world.drs.allJobs();
    expect(again).toMatchObject({ startedJobs: 0, reusedJobs: 1, jobs: [{ jobId: job.jobID }] });
  });
});

describe('no second job: chunking fixed by the first delivery', () => {
  it('two deliveries under different per-job quotas never start a server twice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          servers: fc.integer({ min: 6, max: 40 }),
          firstPerJob: fc.integer({ min: 3, max: 25 }),
          secondPerJob: fc.integer({ min: 3, max: 25 }),
          startsBeforeFailure: fc.integer({ min: 1, max: 3 }),
        }),
        async ({ servers: count, firstPerJob, secondPerJob, startsBeforeFailure }) => {
          // Prepare: the first delivery starts some chunks, then DRS refuses one (400).
          const { world } = loggedWorld();
          const servers = world.drs.seedSourceServers(count);
          let starts = 0;
          const first = withDrs(withServersPerJob(world.container(), firstPerJob), (drs) => ({
            startRecovery: (input) =>
              ++starts > startsBeforeFailure
                ? Promise.reject(sdkError('ValidationException', 400))
                : drs.startRecovery(input),
          }));

          // Act: the delivery, then a redelivery that reads another quota.
          await settle(world, () => createExecutionHandler(first)(startWave('w1', servers)));
          const again = await settle(world, () =>
            createExecutionHandler(withServersPerJob(world.container(), secondPerJob))(
              startWave('w1', servers),
            ),
          );

          // Assess: every server in exactly one job, whatever the quotas.
          expect(again).not.toBeInstanceOf(Error);
          const perServer = jobsPerServer(world);
          expect([...perServer.keys()].sort()).toEqual([...servers].sort());
          expect([...perServer.values()].every((jobs) => jobs === 1)).toBe(true);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('refuses a wave id reused for other servers, starting nothing', async () => {
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(6);
    await world.clock.run(() =>
      createExecutionHandler(world.container())(startWave('w1', servers.slice(0, 3))),
    );
    const reused = settle(world, () =>
      createExecutionHandler(world.container())(startWave('w1', servers.slice(3))),
    );
    await expect(reused).resolves.toBeInstanceOf(ChunkPlanMismatchError);
    expect(world.drs.counters().jobsStarted).toBe(1);
  });

  it('a terminate redelivered under another per-job quota terminates each instance once', async () => {
    // Prepare: 12 launched recovery instances; the first terminate starts one job of several.
    const { world } = loggedWorld();
    const servers = world.drs.seedSourceServers(12);
    await world.clock.run(() =>
      createExecutionHandler(world.container())(startWave('w1', servers)),
    );
    await world.clock.advance(400_000);
    const instanceIds = world.drs.recoveryInstances().map((i) => i.recoveryInstanceID ?? '');
    const terminate = { action: 'terminate', recoveryInstanceIds: instanceIds, region: REGION };
    let calls = 0;
    const first = withDrs(withServersPerJob(world.container(), 5), (drs) => ({
      terminateRecoveryInstances: (input) =>
        ++calls > 1
          ? Promise.reject(sdkError('ValidationException', 400))
          : drs.terminateRecoveryInstances(input),
    }));

    // Act
    await settle(world, () => createExecutionHandler(first)(terminate));
    const again = await settle(world, () =>
      createExecutionHandler(withServersPerJob(world.container(), 7))({
        ...terminate,
        recoveryInstanceIds: [...instanceIds].reverse(),
      }),
    );

    // Assess
    expect(again).toMatchObject({ reusedJobs: 1 } satisfies Partial<TerminateResult>);
    const perServer = jobsPerServer(world, 'TERMINATE_RECOVERY_INSTANCES');
    expect(perServer.size).toBe(12);
    expect([...perServer.values()].every((jobs) => jobs === 1)).toBe(true);
  });
});
