/**
 * Act 4: a DR drill. A few hundred replicating source servers are recovered in waves by
 * concurrent invocations of the real execution handler, through the rate-limited DRS client,
 * while the simulated DRS throttles the account and enforces its job quotas.
 */
import { DRS_METRICS_NAMESPACE } from '../../disaster-recovery/contract.js';
import { DISASTER_RECOVERY_SERVICE_NAME } from '../../disaster-recovery/handlers/service.js';
import { runDrill, type DrillResult } from '../../disaster-recovery/simulator/drill.js';
import type { CallEvent } from '../../simulation/models/throttling-api.js';
import { VirtualClock } from '../../simulation/virtual-clock.js';
import { TimedMetricRecorder } from './metric-series.js';
import type { ActOutcome, DemoAct } from '../runner.js';
import type { DemoCheck, DemoEvent } from '../result.js';

/** The drill's size: enough servers to need several rounds of jobs, small enough for a demo. */
export const DRILL = Object.freeze({
  servers: 300,
  waves: 6,
  concurrency: 6,
  /**
   * DRS requests per second the simulated account gets: less than the kit's limiter assumes
   * (other tools share the account's quota), so DRS throttles and the retries show.
   */
  accountTps: 3,
});

/** `functions.namePrefix` of the demo's DisasterRecoveryOrchestration. */
export const DRILL_NAME_PREFIX = 'opskit-demo-dr';
/** The execution function's name in the demo's constructs (prefix + the construct's suffix). */
export const DRILL_FUNCTION_NAME = `${DRILL_NAME_PREFIX}-execution`;

const minuteOf = (ms: number): number => Math.floor(ms / 60_000);

/**
 * The drill's expected outcomes. `throttles` counts the calls the simulated DRS throttled;
 * `result.rateLimitErrors` the `RateLimitErrors` data the handlers recorded (Service alone, the
 * construct alarm's series), which must account for every throttle and quota error.
 */
export function drillChecks(result: Omit<DrillResult, 'timeline'>, throttles: number): DemoCheck[] {
  return [
    {
      name: 'every source server launched a recovery instance',
      ok: result.launched === result.servers && result.launchFailed === 0,
      detail: `${result.launched} of ${result.servers} launched, ${result.launchFailed} failed`,
    },
    {
      name: 'DRS throttled the drill and every throttled call was retried',
      ok: throttles > 0 && result.failedCalls === 0,
      detail: `${throttles} throttles, ${result.retries} retries, ${result.failedCalls} calls failed for good`,
    },
    {
      name: 'the handlers recorded RateLimitErrors for every throttle (the DR alarm watches it)',
      ok: throttles > 0 && result.rateLimitErrors === throttles + result.quotaErrors,
      detail: `${result.rateLimitErrors} RateLimitErrors recorded in ${DRS_METRICS_NAMESPACE} for ${throttles} throttles and ${result.quotaErrors} quota errors`,
    },
    {
      name: 'no DRS quota was ever exceeded',
      ok:
        result.quotaErrors === 0 &&
        result.peakConcurrentJobs <= 20 &&
        result.peakServersInActiveJobs <= 500,
      detail: `${result.quotaErrors} quota errors; peaks: ${result.peakConcurrentJobs} jobs (quota 20), ${result.peakServersInActiveJobs} servers in jobs (quota 500)`,
    },
    {
      name: 'each job started exactly once, redeliveries included',
      ok: result.jobsStarted === result.jobsExpected && result.failedInvocations === 0,
      detail: `${result.jobsStarted} jobs started for ${result.jobsExpected} needed; ${result.jobsReused} found by duplicate deliveries`,
    },
  ];
}

function eventsOf(result: DrillResult): DemoEvent[] {
  return result.timeline
    .filter((event) => event.kind !== 'wave-requested')
    .map((event) => ({
      atSeconds: event.atMs / 1000,
      text: `${event.waveId} ${event.kind.replace('wave-', '')} (container ${event.container})${
        event.detail === undefined ? '' : `: ${event.detail}`
      }`,
    }));
}

export const drDrillAct: DemoAct = {
  id: 'dr-drill',
  title: 'DR drill through the rate-limited DRS client',
  async run(context): Promise<ActOutcome> {
    const throttled: CallEvent[] = [];
    // The handlers' own metrics, timed on the world's clock: the DR alarm is audited on them.
    const clock = VirtualClock.create();
    const recorded = new TimedMetricRecorder(
      clock,
      DRS_METRICS_NAMESPACE,
      DISASTER_RECOVERY_SERVICE_NAME,
    );
    context.progress(
      `recovering ${DRILL.servers} source servers in ${DRILL.waves} waves from ${DRILL.concurrency} concurrent invocations`,
    );
    const result = await runDrill({
      servers: DRILL.servers,
      waves: DRILL.waves,
      concurrency: DRILL.concurrency,
      world: {
        clock,
        metrics: recorded,
        seed: context.seed,
        drs: {
          throttling: { account: { ratePerSecond: DRILL.accountTps, burst: DRILL.accountTps } },
          onCall: (event) => {
            if (event.outcome === 'throttled') throttled.push(event);
          },
        },
      },
    });
    // Minute 0 of the chart is the first throttle's (the drill's start is the world's own).
    const origin = throttled.length === 0 ? 0 : Math.min(...throttled.map((e) => e.time));
    const minutes = Math.max(1, Math.ceil(result.durationMs / 60_000));
    const throttlesPerMinute = Array.from({ length: minutes }, () => 0);
    for (const event of throttled) {
      const minute = Math.min(minutes - 1, minuteOf(event.time - origin));
      throttlesPerMinute[minute] += 1;
    }
    const launchedByMinute = Array.from({ length: minutes }, (_, minute) =>
      result.timeline
        .filter((e) => e.kind === 'wave-completed' && minuteOf(e.atMs) <= minute)
        .reduce((sum) => sum + Math.round(result.servers / result.waves), 0),
    );
    return {
      checks: drillChecks(result, throttled.length),
      facts: [
        { label: 'servers launched', value: `${result.launched} / ${result.servers}` },
        {
          label: 'drill duration (virtual)',
          value: `${(result.durationMs / 60_000).toFixed(1)} min`,
        },
        { label: 'DRS account rate in the demo', value: `${DRILL.accountTps} requests/s` },
        { label: 'DRS throttles / retries', value: `${throttled.length} / ${result.retries}` },
        {
          label: 'quota errors / failed calls',
          value: `${result.quotaErrors} / ${result.failedCalls}`,
        },
        { label: 'escalations to SNS', value: String(result.escalations) },
      ],
      events: eventsOf(result),
      charts: [
        {
          kind: 'line',
          title: 'DRS throttling errors per minute (all retried by the kit)',
          yLabel: 'throttles',
          series: [{ label: 'throttles', values: throttlesPerMinute, step: true }],
        },
        {
          kind: 'line',
          title: 'Source servers recovered',
          yLabel: 'servers',
          yMax: result.servers,
          series: [{ label: 'launched (waves completed)', values: launchedByMinute, step: true }],
        },
      ],
      functions: [
        {
          functionName: DRILL_FUNCTION_NAME,
          invocations: result.timeline.filter((e) => e.kind === 'wave-requested').length,
          errors: result.failedInvocations,
        },
      ],
      metrics: recorded.series(),
      virtualSeconds: result.durationMs / 1000,
    };
  },
};
