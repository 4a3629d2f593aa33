/**
 * The simulation behind the demo's first two acts: one load-shedding scenario (a 3× spike on
 * the primary target group) run by the load-shedding simulator, with the task starter deployed
 * on the same clock and models (task-starter-on-primary.ts). The primary's capacity follows its
 * healthy targets: the application's own fleet plus the tasks the kit starts when the alarm
 * fires. After the spike, once the alarm is OK and every rule is back at its baseline, the run
 * scales in (stops the kit's tasks, as a scheduled scale-in would) and the task starter
 * deregisters them. Deterministic for a seed.
 */
import { MetricNamespaces } from '../../observability/namespaces.js';
import { LOAD_SHEDDING_SERVICE_NAME } from '../../load-shedding/handlers/deps.js';
import type { LoadSheddingDeployment } from '../../load-shedding/simulator/deployment.js';
import type { SimulationResult } from '../../load-shedding/simulator/result.js';
import { runScenario, type MinuteSample } from '../../load-shedding/simulator/runner.js';
import { parseScenario, type Scenario } from '../../load-shedding/simulator/scenario.js';
import type { InvocationRecord } from '../../simulation/lambda-runtime.js';
import { TASK_STARTER_SERVICE_NAME } from '../../task-starter/contract.js';
import { TimedMetricRecorder } from './metric-series.js';
import { DEMO_FUNCTION_NAMES } from './names.js';
import {
  PRIMARY_TARGET_GROUP_SETTINGS,
  deployTaskStarterOnPrimary,
  type TaskEvent,
  type TaskStarterOnPrimary,
} from './task-starter-on-primary.js';

/** Requests per second one healthy target of the primary serves. */
export const RPS_PER_TARGET = 375;
/** The application's own fleet in the primary: 4 × 375 = 1,500 rps. */
export const BASELINE_TARGETS = Object.freeze([
  '10.0.100.10',
  '10.0.100.11',
  '10.0.100.12',
  '10.0.100.13',
]);
/** Tasks each ALARM starts: with them the primary serves 3,000 rps, above the spike's share. */
export const TASKS_PER_ALARM = 4;
/** Seconds the task-state function waits for a registered task's target to be healthy. */
export const WAIT_FOR_HEALTHY_SECONDS = 60;
/** The construct's default reconcile schedule. */
export const RECONCILE_EVERY_MINUTES = 5;

/** A 3× spike from minute 10 for 20 minutes. */
export const SPIKE = Object.freeze({ multiplier: 3, startMinute: 10, durationMinutes: 20 });

/** The scenario: a 3× spike for 20 minutes, shed and restored 5 points a minute, floor 50 %. */
export function trafficScenario(seed: number): Scenario {
  return parseScenario({
    name: 'demo: 3x spike on the primary',
    durationMinutes: 36,
    seed,
    traffic: {
      baseRps: 1000,
      noisePercent: 2,
      profile: { kind: 'spike', ...SPIKE },
    },
    primary: { capacityRps: BASELINE_TARGETS.length * RPS_PER_TARGET, baseLatencyMs: 50 },
    alarm: { metric: '5xx', threshold: 60, evaluationPeriods: 1 },
    controller: {
      shedPercent: 5,
      restorePercent: 5,
      maxShedPercent: 50,
      shedDelaySeconds: 60,
      restoreDelaySeconds: 60,
    },
  });
}

/** One minute of the task side, sampled with the traffic. */
export interface TaskMinute {
  readonly minute: number;
  readonly runningTasks: number;
  readonly healthyTargets: number;
  readonly registeredTargets: number;
}

export interface TrafficAndTasksRun {
  readonly scenario: Scenario;
  readonly primaryArn: string;
  readonly result: SimulationResult;
  /** Epoch ms of minute 0 (virtual). */
  readonly startTime: number;
  /** The primary's share (percent) of every rule at baseline, by rule id. */
  readonly baselinePercent: Readonly<Record<string, number>>;
  /** Controller steps that changed weights (`shed`, `restore`), in time order. */
  readonly steps: readonly { readonly time: number; readonly outcome: string }[];
  readonly taskMinutes: readonly TaskMinute[];
  readonly taskEvents: readonly TaskEvent[];
  readonly scaleIn: { readonly time: number; readonly tasks: readonly string[] } | undefined;
  readonly reconcile: { readonly runs: number; readonly failed: number };
  readonly invocations: readonly InvocationRecord[];
  readonly metrics: {
    readonly loadShedding: TimedMetricRecorder;
    readonly taskStarter: TimedMetricRecorder;
  };
  /** Error lines the task-starter handlers logged (the simulator reports the others). */
  readonly taskStarterErrors: readonly string[];
  readonly deadLetters: { readonly checks: number; readonly taskStarter: number };
  /** At the end of the run. */
  readonly final: {
    readonly healthyTargets: number;
    readonly registeredTargets: number;
    readonly liveKitTasks: number;
  };
  /** The simulation's function name → the demo construct's. */
  readonly functionNameOf: (name: string) => string | undefined;
}

const RUNTIME_NAMES: Readonly<Record<string, string>> = {
  'alarm-event': DEMO_FUNCTION_NAMES.loadShedding.alarmEvent,
  'check-queue': DEMO_FUNCTION_NAMES.loadShedding.checkQueue,
};
const KNOWN = new Set<string>(Object.values(DEMO_FUNCTION_NAMES.taskStarter));

export function demoFunctionNameOf(name: string): string | undefined {
  return RUNTIME_NAMES[name] ?? (KNOWN.has(name) ? name : undefined);
}

/** Runs the scenario with the task starter; see the module comment. */
export async function runTrafficAndTasks(seed: number): Promise<TrafficAndTasksRun> {
  const scenario = trafficScenario(seed);
  const spikeEnd = SPIKE.startMinute + SPIKE.durationMinutes;
  let deployment: LoadSheddingDeployment | undefined;
  let starter: TaskStarterOnPrimary | undefined;
  let loadSheddingMetrics: TimedMetricRecorder | undefined;
  let taskStarterMetrics: TimedMetricRecorder | undefined;
  const taskMinutes: TaskMinute[] = [];
  let scaleIn: TrafficAndTasksRun['scaleIn'];
  let baselineActions = '';
  const reconcile = { runs: 0, failed: 0 };
  const pending: Promise<unknown>[] = [];
  let runStart = Number.NaN;

  const rulesJson = (d: LoadSheddingDeployment): string =>
    JSON.stringify(d.rules.map((rule) => d.models.elbv2.rule(rule.ruleArn).Actions));

  const result = await runScenario(scenario, {
    deployment: {
      primaryTargetGroup: PRIMARY_TARGET_GROUP_SETTINGS,
      // The recorder needs the clock, which the deployment creates: it is swapped in below.
      metrics: { record: (...args) => loadSheddingMetrics?.record(...args) },
    },
    extend: async (d) => {
      deployment = d;
      loadSheddingMetrics = new TimedMetricRecorder(
        d.clock,
        d.config.metricsNamespace,
        LOAD_SHEDDING_SERVICE_NAME,
      );
      taskStarterMetrics = new TimedMetricRecorder(
        d.clock,
        MetricNamespaces.taskStarter,
        TASK_STARTER_SERVICE_NAME,
      );
      const s = deployTaskStarterOnPrimary({
        deployment: d,
        seed,
        tasksPerAlarm: TASKS_PER_ALARM,
        startMs: { min: 45_000, max: 150_000 },
        baselineTargets: BASELINE_TARGETS,
        metrics: taskStarterMetrics,
        waitForHealthySeconds: WAIT_FOR_HEALTHY_SECONDS,
      });
      starter = s;
      baselineActions = rulesJson(d);
      await d.clock.run(() => s.registerBaseline());
      return {
        capacityRps: () => s.healthyTargets() * RPS_PER_TARGET,
        afterMinute: async (sample: MinuteSample, startTime: number) => {
          runStart = startTime;
          taskMinutes.push({
            minute: sample.minute,
            runningTasks: s.runningTasks(),
            healthyTargets: s.healthyTargets(),
            registeredTargets: s.registeredTargets(),
          });
          if ((sample.minute + 1) % RECONCILE_EVERY_MINUTES === 0) {
            // On its schedule, without holding up the traffic.
            pending.push(
              s.reconcile().then((r) => {
                reconcile.runs++;
                if (r.outcome !== 'succeeded') reconcile.failed++;
              }),
            );
          }
          const atBaseline = rulesJson(d) === baselineActions;
          if (
            scaleIn === undefined &&
            sample.minute >= spikeEnd &&
            sample.alarm === 'OK' &&
            atBaseline &&
            s.liveTaskArns().length > 0
          ) {
            const time = d.clock.now();
            scaleIn = { time, tasks: await s.stopKitTasks('Scale-in after the spike') };
          }
        },
        stop: async () => {
          await Promise.all(pending);
        },
      };
    },
  });
  // The extension ran (runScenario awaits it), so these are set.
  const d = deployment as LoadSheddingDeployment;
  const s = starter as TaskStarterOnPrimary;
  return {
    scenario,
    primaryArn: s.primaryArn,
    result,
    startTime: runStart,
    baselinePercent: Object.fromEntries(result.rules.map((r) => [r.id, r.baselinePercent])),
    steps: d.steps
      .filter((step) => step.outcome === 'shed' || step.outcome === 'restore')
      .map((step) => ({ time: step.time, outcome: step.outcome })),
    taskMinutes,
    taskEvents: [...s.events].sort((a, b) => a.time - b.time),
    scaleIn,
    reconcile,
    invocations: d.runtime.invocations(),
    metrics: {
      loadShedding: loadSheddingMetrics as TimedMetricRecorder,
      taskStarter: taskStarterMetrics as TimedMetricRecorder,
    },
    taskStarterErrors: s.errorLogs,
    deadLetters: {
      checks: d.models.sqs.messages(d.dlqUrl).length,
      taskStarter: d.models.sqs.messages(s.dlqUrl).length,
    },
    final: {
      healthyTargets: s.healthyTargets(),
      registeredTargets: s.registeredTargets(),
      liveKitTasks: s.liveTaskArns().length,
    },
    functionNameOf: demoFunctionNameOf,
  };
}
