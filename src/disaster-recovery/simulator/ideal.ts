/**
 * The shortest a drill can take under DRS's job quotas: a lower bound to judge a run against.
 *
 * At any moment at most `min(concurrentJobs × serversPerJob, serversInActiveJobs)` servers can
 * be in recovery jobs, and a job holds its servers for `jobStartDelay + launchDuration` (plus
 * the stagger of its last server). So `servers` need at least `ceil(servers / inFlight)`
 * back-to-back rounds of one job duration each. Pure arithmetic; API rates are ignored (a
 * start costs milliseconds against minutes of launch).
 */
export interface IdealDrillInput {
  readonly servers: number;
  readonly concurrentJobs: number;
  readonly serversPerJob: number;
  readonly serversInActiveJobs: number;
  /** PENDING → STARTED. */
  readonly jobStartDelayMs: number;
  /** STARTED → a server LAUNCHED. */
  readonly launchDurationMs: number;
  /** Extra per position in a job. @default 0 */
  readonly launchStaggerMs?: number;
}

export interface IdealDrill {
  /** Servers that can be in active jobs at once. */
  readonly inFlight: number;
  readonly rounds: number;
  /** One job's duration, PENDING to its last server launched. */
  readonly jobDurationMs: number;
  readonly durationMs: number;
}

export function idealDrillDuration(input: IdealDrillInput): IdealDrill {
  const inFlight = Math.min(input.concurrentJobs * input.serversPerJob, input.serversInActiveJobs);
  const rounds = Math.ceil(input.servers / inFlight);
  const lastPosition = Math.min(input.serversPerJob, input.servers) - 1;
  const jobDurationMs =
    input.jobStartDelayMs + input.launchDurationMs + (input.launchStaggerMs ?? 0) * lastPosition;
  return { inFlight, rounds, jobDurationMs, durationMs: rounds * jobDurationMs };
}
