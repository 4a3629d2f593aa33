import {
  DescribeSourceServersCommand,
  DrsClient,
  StartRecoveryCommand,
  ThrottlingException,
} from '@aws-sdk/client-drs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import { DrsFleet } from '../../../src/simulation/models/drs-fleet.js';
import { StsModel, assumeRoleClientOptions } from '../../../src/simulation/models/sts.js';
import { networkDisabledHandler } from '../../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';

const ROLE = 'arn:aws:iam::111111111111:role/DrsCrossAccount';

function drsClient(region: string, credentials?: DrsClient['config']['credentials']) {
  return new DrsClient({
    region,
    maxAttempts: 1,
    requestHandler: networkDisabledHandler,
    ...(credentials === undefined ? {} : { credentials }),
  });
}

async function serverIds(client: DrsClient): Promise<string[]> {
  const output = await client.send(new DescribeSourceServersCommand({}));
  return (output.items ?? []).map((server) => server.sourceServerID ?? '');
}

describe('simulation: DRS fleet across accounts and regions', () => {
  it('answers each client from the model of its region', async () => {
    // Prepare
    const clock = VirtualClock.create();
    const fleet = new DrsFleet({ clock, throttling: { account: 'none' } });
    const west = fleet.model(fleet.defaultAccountId, 'eu-west-1').seedSourceServers(2);
    const east = fleet.model(fleet.defaultAccountId, 'us-east-1').seedSourceServers(1);
    const westClient = drsClient('eu-west-1');
    const eastClient = drsClient('us-east-1');
    fleet.mount(westClient, { keepCredentials: false });
    fleet.mount(eastClient, { keepCredentials: false });

    // Act
    const seenWest = await serverIds(westClient);
    const seenEast = await serverIds(eastClient);

    // Assess
    expect(seenWest).toEqual(west);
    expect(seenEast).toEqual(east);
    expect(fleet.models()).toHaveLength(2);
  });

  it('answers an assumed-role client as the role account (fromTemporaryCredentials + STS model)', async () => {
    // Prepare
    const clock = VirtualClock.create();
    const sts = new StsModel({ clock, roles: [ROLE] });
    const fleet = new DrsFleet({ clock, accounts: sts, throttling: { account: 'none' } });
    const theirs = fleet.model('111111111111', 'eu-west-1').seedSourceServers(3);
    const ours = fleet.model(fleet.defaultAccountId, 'eu-west-1').seedSourceServers(1);
    const credentials = fromTemporaryCredentials({
      params: { RoleArn: ROLE, RoleSessionName: 'drs' },
      ...assumeRoleClientOptions(sts, { region: 'eu-west-1' }),
    });
    const crossAccount = drsClient('eu-west-1', credentials);
    fleet.mount(crossAccount);
    const own = drsClient('eu-west-1'); // the test environment's static keys
    fleet.mount(own);

    // Act
    const seenTheirs = await clock.run(() => serverIds(crossAccount));
    const seenOurs = await clock.run(() => serverIds(own));

    // Assess
    expect(seenTheirs).toEqual(theirs);
    expect(seenOurs).toEqual(ours);
    expect(sts.assumedRoles()).toHaveLength(1);
  });

  it('keeps rates per account and region, and sums counters with the highest peaks', async () => {
    // Prepare: one call per account and region at most.
    const clock = VirtualClock.create();
    const fleet = new DrsFleet({
      clock,
      throttling: { account: { ratePerSecond: 0.1, burst: 1 } },
      overrides: { '123456789012/us-east-1': { quotas: { concurrentJobs: 5 } } },
    });
    const ids = fleet.model(fleet.defaultAccountId, 'eu-west-1').seedSourceServers(1);
    const west = drsClient('eu-west-1');
    const east = drsClient('us-east-1');
    fleet.mount(west, { keepCredentials: false });
    fleet.mount(east, { keepCredentials: false });

    // Act
    await west.send(
      new StartRecoveryCommand({
        sourceServers: ids.map((sourceServerID) => ({ sourceServerID })),
      }),
    );
    const throttled = await west
      .send(new DescribeSourceServersCommand({}))
      .catch((e: unknown) => e);
    await east.send(new DescribeSourceServersCommand({}));

    // Assess
    expect(throttled).toBeInstanceOf(ThrottlingException);
    expect(fleet.model(fleet.defaultAccountId, 'us-east-1').quotas.concurrentJobs).toBe(5);
    expect(fleet.counters()).toMatchObject({
      throttles: 1,
      accountThrottles: 1,
      throttlesByOperation: { DescribeSourceServers: 1 },
      jobsStarted: 1,
      peakConcurrentJobs: 1,
      peakServersInActiveJobs: 1,
      quotaErrorsByQuota: { concurrentJobs: 0 },
    });
  });

  it('rejects malformed override keys and a client without a region', async () => {
    const clock = VirtualClock.create();
    expect(() => new DrsFleet({ clock, overrides: { 'eu-west-1': {} } })).toThrow(
      SimulationConfigError,
    );
    const fleet = new DrsFleet({ clock });
    const router = fleet.routerFor({ config: { region: () => Promise.resolve('') } });
    const context = {
      operation: 'DescribeJobs',
      requestId: 'r',
      clientName: undefined,
      attempt: 1,
    };
    await expect(router.handle('DescribeJobs', {}, context)).rejects.toThrow(/no region/);
    expect(fleet.counters().peakConcurrentJobs).toBe(0);
  });
});
