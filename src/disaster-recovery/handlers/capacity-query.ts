/**
 * The query handler's two actions: DRS capacity of one region (replicating source servers,
 * active jobs and servers in active jobs against the quotas) and of the account across regions,
 * the regions queried concurrently. Concurrency stays within the limits because every region
 * has its own rate limiter (DRS limits per account and region), and each call takes a token.
 */
import type { SourceServer } from '@aws-sdk/client-drs';
import type { AccountCapacityEvent, DrsQuotas, RegionalCapacityEvent } from '../contract.js';
import type { DrsTarget } from '../errors.js';
import type { DrsLogger } from '../observability.js';
import type { DisasterRecoveryDeps } from './deps.js';

/** Replication states in which a source server can be recovered or soon will be. */
export const REPLICATING_STATES: readonly string[] = Object.freeze([
  'CONTINUOUS',
  'INITIAL_SYNC',
  'RESCAN',
  'BACKLOG',
  'CREATING_SNAPSHOT',
  'INITIATING',
]);

/** Share of the binding quota in use from which a region reports WARNING, then CRITICAL. */
export const CAPACITY_THRESHOLDS = Object.freeze({ warning: 0.8, critical: 1 });

export type CapacityStatus = 'OK' | 'WARNING' | 'CRITICAL';

export interface RegionalCapacity {
  readonly region: string;
  readonly accountId?: string;
  readonly quotas: DrsQuotas;
  readonly sourceServers: {
    readonly total: number;
    readonly replicating: number;
    /** Count per replication state (`UNKNOWN` when DRS gives none). */
    readonly byState: Readonly<Record<string, number>>;
  };
  readonly activeJobs: number;
  readonly serversInActiveJobs: number;
  /** Jobs and servers still free under the limits (threshold and quotas, leases included). */
  readonly availableJobs: number;
  readonly availableServers: number;
  /** The higher of jobs/job limit and servers/server limit, 0–1 (or above on overuse). */
  readonly utilization: number;
  readonly status: CapacityStatus;
}

export interface RegionalCapacityResult extends RegionalCapacity {
  readonly action: 'regionalCapacity';
}

export interface RegionFailure {
  readonly region: string;
  readonly errorName: string;
  readonly errorMessage: string;
}

export interface AccountCapacityResult {
  readonly action: 'accountCapacity';
  readonly accountId?: string;
  readonly regions: readonly RegionalCapacity[];
  /** Regions that could not be read; the others are still reported. */
  readonly failures: readonly RegionFailure[];
  readonly totals: {
    readonly sourceServers: number;
    readonly replicating: number;
    readonly activeJobs: number;
    readonly serversInActiveJobs: number;
  };
  /** The worst status of the regions (CRITICAL when a region failed). */
  readonly status: CapacityStatus;
}

/** Count per replication state, and how many are replicating. */
export function replicationSummary(
  servers: readonly SourceServer[],
): RegionalCapacity['sourceServers'] {
  const byState: Record<string, number> = {};
  let replicating = 0;
  for (const server of servers) {
    const state = server.dataReplicationInfo?.dataReplicationState ?? 'UNKNOWN';
    byState[state] = (byState[state] ?? 0) + 1;
    if (REPLICATING_STATES.includes(state)) replicating += 1;
  }
  return { total: servers.length, replicating, byState };
}

/** OK below 80 % of the binding limit, WARNING up to it, CRITICAL at or above it. */
export function capacityStatusOf(utilization: number): CapacityStatus {
  if (utilization >= CAPACITY_THRESHOLDS.critical) return 'CRITICAL';
  return utilization >= CAPACITY_THRESHOLDS.warning ? 'WARNING' : 'OK';
}

const STATUS_ORDER: readonly CapacityStatus[] = ['OK', 'WARNING', 'CRITICAL'];

/** The capacity of one region; the DRS reads run concurrently (each takes a token). */
export async function regionalCapacity(
  deps: DisasterRecoveryDeps,
  target: DrsTarget,
): Promise<RegionalCapacity> {
  const [servers, snapshot] = await Promise.all([
    deps.services.drs(target).listAll('DescribeSourceServers', {}),
    deps.services.throttler(target).checkCapacity(),
  ]);
  // The snapshot's counts already include the leased jobs and servers (starts in flight).
  const utilization = Math.max(
    snapshot.activeJobs / snapshot.limits.jobLimit,
    snapshot.serversInActiveJobs / snapshot.limits.serverLimit,
  );
  return {
    region: target.region,
    ...(target.accountId === undefined ? {} : { accountId: target.accountId }),
    quotas: snapshot.quotas,
    sourceServers: replicationSummary(servers),
    activeJobs: snapshot.activeJobs,
    serversInActiveJobs: snapshot.serversInActiveJobs,
    availableJobs: snapshot.availableJobs,
    availableServers: snapshot.availableServers,
    utilization,
    status: capacityStatusOf(utilization),
  };
}

export async function queryRegionalCapacity(
  deps: DisasterRecoveryDeps,
  event: RegionalCapacityEvent,
): Promise<RegionalCapacityResult> {
  const target: DrsTarget =
    event.accountId === undefined
      ? { region: event.region }
      : { region: event.region, accountId: event.accountId };
  return { action: 'regionalCapacity', ...(await regionalCapacity(deps, target)) };
}

/**
 * The capacity of every region (the event's, else the configured ones), queried concurrently;
 * a region that fails is reported as a failure, not as a failed query.
 */
export async function queryAccountCapacity(
  deps: DisasterRecoveryDeps,
  event: AccountCapacityEvent,
  logger: DrsLogger,
): Promise<AccountCapacityResult> {
  const regions = event.regions ?? deps.config.regions;
  const settled = await Promise.allSettled(
    regions.map((region) =>
      regionalCapacity(
        deps,
        event.accountId === undefined ? { region } : { region, accountId: event.accountId },
      ),
    ),
  );
  const results: RegionalCapacity[] = [];
  const failures: RegionFailure[] = [];
  settled.forEach((outcome, index) => {
    if (outcome.status === 'fulfilled') {
      results.push(outcome.value);
      return;
    }
    const error: unknown = outcome.reason;
    const failure = {
      region: regions[index],
      errorName: error instanceof Error ? error.name : 'Error',
      errorMessage: error instanceof Error ? error.message : String(error),
    };
    logger.error('Could not read the DRS capacity of a region', { ...failure });
    failures.push(failure);
  });
  const sum = (pick: (r: RegionalCapacity) => number): number =>
    results.reduce((total, r) => total + pick(r), 0);
  const initial: CapacityStatus = failures.length > 0 ? 'CRITICAL' : 'OK';
  const worst = results.reduce<CapacityStatus>(
    (status, r) =>
      STATUS_ORDER.indexOf(r.status) > STATUS_ORDER.indexOf(status) ? r.status : status,
    initial,
  );
  return {
    action: 'accountCapacity',
    ...(event.accountId === undefined ? {} : { accountId: event.accountId }),
    regions: results,
    failures,
    totals: {
      sourceServers: sum((r) => r.sourceServers.total),
      replicating: sum((r) => r.sourceServers.replicating),
      activeJobs: sum((r) => r.activeJobs),
      serversInActiveJobs: sum((r) => r.serversInActiveJobs),
    },
    status: worst,
  };
}
