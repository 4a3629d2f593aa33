/**
 * The code examples of docs/disaster-recovery.md. Each example is the text between a
 * `// example: <name>` line and the next `// end of example` line; the page shows it verbatim
 * (construct-docs.test.ts checks that), and the tests run it.
 */
import { Duration } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { DisasterRecoveryOrchestration } from '../../src/disaster-recovery/construct.js';
import { createExecutionHandler } from '../../src/disaster-recovery/handlers/execution.js';
import { createQueryHandler } from '../../src/disaster-recovery/handlers/query.js';
import { runDrill } from '../../src/disaster-recovery/simulator/drill.js';
import { createDrsWorld } from '../../src/disaster-recovery/simulator/world.js';

export function minimal(scope: Construct): DisasterRecoveryOrchestration {
  // example: minimal
  // DRS in two regions of this account; escalations and rate-limit alarms to the DR team.
  const dr = new DisasterRecoveryOrchestration(scope, 'DisasterRecovery', {
    regions: ['us-east-1', 'us-west-2'],
    alerts: { emails: ['dr-team@example.com'] },
    monitoring: { emails: ['ops-team@example.com'] },
  });
  // end of example
  return dr;
}

export function crossAccount(scope: Construct, pager: sns.ITopic): DisasterRecoveryOrchestration {
  // example: cross-account
  // Recover servers of a workload account too, alert the existing pager topic, and keep
  // the whole account under 8 DRS requests per second with longer waits for capacity.
  const dr = new DisasterRecoveryOrchestration(scope, 'DisasterRecovery', {
    regions: ['eu-west-1'],
    crossAccountRoleArns: ['arn:aws:iam::210987654321:role/DrsOrchestration'],
    alerts: { topic: pager },
    rateLimit: { limiter: 'shared', ratePerSecond: 8, burst: 8 },
    jobThrottler: { maxActiveJobs: 15, timeout: Duration.minutes(12) },
    alarms: { rateLimitErrorThreshold: 20 },
    monitoring: { emails: ['ops-team@example.com'] },
  });
  // end of example
  return dr;
}

export async function invokeHandlers(): Promise<{ launched: number; available: number }> {
  // example: handlers
  // The real handlers against the simulation: start a wave, wait, read its status and the
  // region's capacity. On AWS the same events go to the two functions.
  const world = createDrsWorld();
  const servers = world.drs.seedSourceServers(150);
  const execution = createExecutionHandler(world.container());
  const query = createQueryHandler(world.container());

  const wave = await world.clock.run(() =>
    execution({
      action: 'startWave',
      waveId: 'wave-1',
      sourceServerIds: servers,
      isDrill: true,
      region: 'us-east-1',
    }),
  );
  const jobIds = 'jobs' in wave ? wave.jobs.map((job) => job.jobId) : [];
  await world.clock.advance(15 * 60 * 1000);
  const status = await world.clock.run(() =>
    execution({ action: 'waveStatus', waveId: 'wave-1', jobIds, region: 'us-east-1' }),
  );
  const capacity = await world.clock.run(() =>
    query({ action: 'regionalCapacity', region: 'us-east-1' }),
  );
  // end of example
  return {
    launched: 'servers' in status ? status.servers.launched : -1,
    available: 'availableJobs' in capacity ? capacity.availableJobs : -1,
  };
}

export async function drill(): Promise<{ launched: number; quotaErrors: number }> {
  // example: drill
  // A drill of 120 servers in 4 waves from 2 concurrent invocations, on a DRS that allows
  // only 2 jobs at once: the throttler makes the waves wait instead of failing.
  const result = await runDrill({
    servers: 120,
    waves: 4,
    concurrency: 2,
    world: { drs: { quotas: { concurrentJobs: 2 } } },
  });
  console.log(
    `${result.launched} launched in ${result.durationMs / 1000} s, ` +
      `${result.quotaErrors} quota errors, ${result.throttles} throttles`,
  );
  // end of example
  return { launched: result.launched, quotaErrors: result.quotaErrors };
}
