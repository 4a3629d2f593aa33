import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DrsTargetError } from '../../src/disaster-recovery/errors.js';
import { createDrsRuntime } from '../../src/disaster-recovery/runtime.js';
import { SharedTokenBucket } from '../../src/disaster-recovery/shared-limiter.js';
import { parseDisasterRecoveryConfig } from '../../src/disaster-recovery/contract.js';
import { TokenBucket } from '../../src/resilience/token-bucket.js';
import {
  HOME_REGION,
  OTHER_ACCOUNT,
  OTHER_ROLE,
  OWN_ACCOUNT,
  createLibraryWorld,
} from './library-support.js';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'];

describe('runtime: Property 8 — region-specific rate limiters', () => {
  it('one limiter per region, shared by every client of that region in the container', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...REGIONS), { minLength: 1, maxLength: 12 }),
        (regions) => {
          // Prepare
          const world = createLibraryWorld({ regions: REGIONS });
          const runtime = world.runtime();

          // Act
          const limiters = regions.map((region) => runtime.limiter({ region }));
          const clients = regions.map((region) => runtime.drs({ region }));

          // Assess: same region → same limiter and client; different regions → different ones.
          regions.forEach((a, i) => {
            regions.forEach((b, j) => {
              expect(limiters[i] === limiters[j]).toBe(a === b);
              expect(clients[i] === clients[j]).toBe(a === b);
            });
          });
          expect(new Set(limiters.map((l) => l.name))).toEqual(
            new Set(regions.map((r) => `drs:self:${r}`)),
          );
        },
      ),
    );
  });

  it('throttling in one region does not slow another', async () => {
    // Prepare: two regions, 10/s burst 10 each; 30 calls to us-east-1, 5 to us-west-2.
    const world = createLibraryWorld({
      regions: ['us-east-1', 'us-west-2'],
      drs: { throttling: { account: 'none' } },
      env: { DRS_BURST: '10' },
    });
    const runtime = world.runtime();
    const east = runtime.drs({ region: 'us-east-1' });
    const west = runtime.drs({ region: 'us-west-2' });
    let westDoneAt = 0;
    const start = world.clock.now();

    // Act
    await world.clock.run(() =>
      Promise.all([
        ...Array.from({ length: 30 }, () => east.describeJobs()),
        Promise.all(Array.from({ length: 5 }, () => west.describeJobs())).then(() => {
          westDoneAt = world.clock.now() - start;
        }),
      ]),
    );

    // Assess: east needed ~2 s of refill, west none.
    expect(world.clock.now() - start).toBeGreaterThanOrEqual(1900);
    expect(westDoneAt).toBeLessThan(100);
    expect(world.drs('us-west-2').stats().total.calls).toBe(5);
  });

  it('accounts have their own limiters and clients', () => {
    // Prepare
    const world = createLibraryWorld();
    const runtime = world.runtime();

    // Act
    const own = runtime.limiter({ region: HOME_REGION });
    const ownById = runtime.limiter({ region: HOME_REGION, accountId: OWN_ACCOUNT });
    const other = runtime.limiter({ region: HOME_REGION, accountId: OTHER_ACCOUNT });

    // Assess
    expect(ownById).toBe(own);
    expect(other).not.toBe(own);
    expect(other.name).toBe(`drs:${OTHER_ACCOUNT}:${HOME_REGION}`);
  });

  it('limiter mode selects a TokenBucket or the shared DynamoDB bucket', () => {
    const local = createLibraryWorld().runtime();
    const shared = createLibraryWorld({ env: { DRS_LIMITER_MODE: 'shared' } }).runtime();
    expect(local.limiter({ region: HOME_REGION })).toBeInstanceOf(TokenBucket);
    expect(shared.limiter({ region: HOME_REGION })).toBeInstanceOf(SharedTokenBucket);
  });
});

describe('runtime: targets and cross-account access', () => {
  it('calls DRS of another account through its assumed role', async () => {
    // Prepare
    const world = createLibraryWorld();
    world.drs(HOME_REGION, OTHER_ACCOUNT).seedSourceServers(3);
    world.drs(HOME_REGION, OWN_ACCOUNT).seedSourceServers(1);
    const runtime = world.runtime();

    // Act
    const theirs = await world.clock.run(() =>
      runtime
        .drs({ region: HOME_REGION, accountId: OTHER_ACCOUNT })
        .listAll('DescribeSourceServers'),
    );
    const ours = await world.clock.run(() =>
      runtime.drs({ region: HOME_REGION }).listAll('DescribeSourceServers'),
    );

    // Assess
    expect(theirs).toHaveLength(3);
    expect(ours).toHaveLength(1);
    expect(world.sts.assumedRoles().map((r) => r.roleArn)).toEqual([OTHER_ROLE]);
  });

  it('rejects an unconfigured region or an account without a role, naming the fix', () => {
    const runtime = createLibraryWorld().runtime();
    expect(() => runtime.drs({ region: 'eu-north-1' })).toThrow(/DRS_REGIONS/);
    expect(() => runtime.drs({ region: HOME_REGION, accountId: '111122223333' })).toThrow(
      DrsTargetError,
    );
    expect(() => runtime.throttler({ region: HOME_REGION, accountId: '111122223333' })).toThrow(
      /DRS_CROSS_ACCOUNT_ROLES/,
    );
  });

  it('caches throttlers and reads quotas from Service Quotas once per cache period', async () => {
    // Prepare
    const world = createLibraryWorld({ env: { DRS_QUOTA_CACHE_SECONDS: '60' } });
    world.serviceQuotas.setValue('concurrentJobs', 7);
    const runtime = world.runtime();

    // Act
    const first = await world.clock.run(() => runtime.quotas({ region: HOME_REGION }));
    await world.clock.run(() => runtime.quotas({ region: HOME_REGION }));
    world.serviceQuotas.setValue('concurrentJobs', 9);
    const cached = await world.clock.run(() => runtime.quotas({ region: HOME_REGION }));
    await world.clock.run(() => world.clock.sleep(61_000));
    const fresh = await world.clock.run(() => runtime.quotas({ region: HOME_REGION }));

    // Assess
    expect(runtime.throttler({ region: HOME_REGION })).toBe(
      runtime.throttler({ region: HOME_REGION }),
    );
    expect(first.maxConcurrentJobs).toBe(7);
    expect(cached.maxConcurrentJobs).toBe(7);
    expect(fresh.maxConcurrentJobs).toBe(9);
    expect(world.serviceQuotas.stats().byOperation.GetServiceQuota?.calls).toBe(8);
  });

  it('needs a region for table names that are not ARNs', () => {
    const config = parseDisasterRecoveryConfig({
      DRS_REGIONS: 'us-east-1',
      DRS_LEASE_TABLE_NAME: 'leases',
    });
    const saved = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      expect(() => createDrsRuntime(config, {})).toThrow(/AWS_REGION/);
    } finally {
      process.env.AWS_REGION = saved;
    }
    expect(() =>
      createDrsRuntime({
        ...config,
        leaseTableName: 'arn:aws:dynamodb:eu-west-1:123456789012:table/leases',
      }),
    ).not.toThrow();
  });
});
