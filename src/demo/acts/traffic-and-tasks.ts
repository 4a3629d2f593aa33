/**
 * The demo's first two acts, told from ONE simulation (they share the alarm; see
 * traffic-and-tasks-run.ts):
 * 1. `load-shedding`: a traffic spike drives the primary target group's alarm, and load
 *    shedding moves weight to the secondaries step by step, never below the floor;
 * 2. `task-starter`: the same alarm's event starts extra ECS tasks, which register in the
 *    primary (its capacity grows with each healthy target); the alarm clears, the weights
 *    return exactly to their baseline, and after the spike the tasks are stopped and
 *    deregistered.
 * The outcome builders are pure: a run record in, checks, facts, timeline, charts and metrics
 * out.
 */
import { parseTargetGroupArn } from '../../load-shedding/contract.js';
import { TaskStarterMetricNames as M } from '../../task-starter/contract.js';
import type { DemoEvent, DemoCheck, MetricSeries } from '../result.js';
import type { ActOutcome, DemoAct } from '../runner.js';
import { functionUses, lambdaMetricSeries } from './metric-series.js';
import { DEMO_FUNCTION_NAMES, DEMO_LOAD_SHEDDING_ALARM, DEMO_TRAFFIC_RESOURCES } from './names.js';
import { runTrafficAndTasks, type TrafficAndTasksRun } from './traffic-and-tasks-run.js';

const round1 = (value: number): number => Math.round(value * 10) / 10;

function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const check = (name: string, ok: boolean, detail: string): DemoCheck => ({ name, ok, detail });

/** What both acts read from the run. */
function common(run: TrafficAndTasksRun) {
  const { result, startTime } = run;
  const stepMs = run.scenario.stepSeconds * 1000;
  const seconds = (time: number): number => round1((time - startTime) / 1000);
  const minuteOf = (time: number): number => Math.floor((time - startTime) / stepMs);
  /** The primary's total share just after a step: the row sampled in the step's minute. */
  const shareAfter = (time: number): number =>
    result.timeline[Math.min(minuteOf(time), result.timeline.length - 1)].primarySharePercent;
  const steps = run.steps.map((step, i) => ({
    ...step,
    index: i,
    share: shareAfter(step.time),
  }));
  const transitions = result.alarmTransitions.filter((t) => t.from !== 'INSUFFICIENT_DATA');
  const firstAlarm = transitions.find((t) => t.to === 'ALARM');
  const lastOk = transitions.findLast((t) => t.to === 'OK');
  const finalAlarm = result.timeline.at(-1)?.alarm ?? 'INSUFFICIENT_DATA';
  const virtualSeconds = result.timeline.length * run.scenario.stepSeconds;
  return { seconds, minuteOf, steps, transitions, firstAlarm, lastOk, finalAlarm, virtualSeconds };
}

function alarmEvents(run: TrafficAndTasksRun, to: 'ALARM' | 'OK'): DemoEvent[] {
  return run.result.alarmTransitions
    .filter((t) => t.to === to && t.from !== 'INSUFFICIENT_DATA')
    .map((t) => ({
      atSeconds: t.atSeconds,
      text: `alarm ${t.from} → ${t.to}${to === 'ALARM' ? ': the primary serves 5xx' : ''}`,
    }));
}

function stepEvents(run: TrafficAndTasksRun, outcome: 'shed' | 'restore'): DemoEvent[] {
  const { steps } = common(run);
  const mine = steps.filter((s) => s.outcome === outcome);
  return mine.map((step, i) => ({
    atSeconds: round1((step.time - run.startTime) / 1000),
    text: `${outcome} step ${i + 1}/${mine.length}: primary share ${step.share} %`,
  }));
}

/** The ALB metrics of the primary, as CloudWatch would have them, for the alarm audit. */
function albSeries(run: TrafficAndTasksRun): MetricSeries[] {
  const dimensions = {
    TargetGroup: parseTargetGroupArn(run.primaryArn)?.resource ?? run.primaryArn,
    LoadBalancer: DEMO_TRAFFIC_RESOURCES.loadBalancer,
  };
  const at = (iso: string): number => Date.parse(iso);
  return [
    {
      namespace: DEMO_LOAD_SHEDDING_ALARM.namespace,
      metricName: DEMO_LOAD_SHEDDING_ALARM.metricName,
      dimensions,
      points: run.result.timeline.map((row) => ({ time: at(row.time), value: row.metricValue })),
    },
    {
      namespace: DEMO_LOAD_SHEDDING_ALARM.namespace,
      metricName: 'RequestCount',
      dimensions,
      points: run.result.timeline.map((row) => ({
        time: at(row.time),
        value: Math.round(row.primaryRps * run.scenario.stepSeconds),
      })),
    },
  ];
}

const LS_FUNCTIONS = new Set<string>(Object.values(DEMO_FUNCTION_NAMES.loadShedding));
const TS_FUNCTIONS = new Set<string>(Object.values(DEMO_FUNCTION_NAMES.taskStarter));

function functionsOf(run: TrafficAndTasksRun, names: ReadonlySet<string>) {
  const nameOf = (name: string): string | undefined => {
    const demo = run.functionNameOf(name);
    return demo !== undefined && names.has(demo) ? demo : undefined;
  };
  return {
    functions: functionUses(run.invocations, nameOf),
    metrics: lambdaMetricSeries(run.invocations, nameOf, run.startTime),
  };
}

/** Act 1: the spike, the alarm and the shedding. */
export function loadSheddingOutcome(run: TrafficAndTasksRun): ActOutcome {
  const { result, scenario } = run;
  const { summary } = result;
  const c = common(run);
  const sheds = c.steps.filter((s) => s.outcome === 'shed');
  const floor = summary.floorPercent;
  const peak5xx = Math.max(0, ...result.timeline.map((row) => row.metricValue));
  const peakOffered = Math.max(0, ...result.timeline.map((row) => row.offeredRps));
  const stepSizes = sheds.map(
    (s, i) => (i === 0 ? baselineShare(run) : sheds[i - 1].share) - s.share,
  );
  const maxStep = scenario.controller.shedPercent;
  const problems = [...result.errors].filter((e) => !/task-starter|opskit-demo-tasks/.test(e));
  const { functions, metrics } = functionsOf(run, LS_FUNCTIONS);

  const checks: DemoCheck[] = [
    check(
      'the spike drives the primary’s alarm to ALARM',
      c.firstAlarm !== undefined,
      c.firstAlarm === undefined
        ? `the alarm never fired (peak ${peak5xx} 5xx/min, threshold ${scenario.alarm.threshold})`
        : `ALARM at ${clock(c.firstAlarm.atSeconds)}: ${peak5xx} 5xx/min > ${scenario.alarm.threshold}`,
    ),
    check(
      'load shedding moves weight to the secondaries step by step',
      sheds.length > 0 && stepSizes.every((size) => size > 0 && size <= maxStep + 1e-9),
      `${sheds.length} shed steps of at most ${maxStep} points: primary share ` +
        [baselineShare(run), ...sheds.map((s) => s.share)].map((v) => `${v} %`).join(' → '),
    ),
    check(
      'no rule goes below the floor',
      summary.minPrimaryWeightPercent >= floor,
      `lowest primary share of any rule ${summary.minPrimaryWeightPercent} % (floor ${floor} %)`,
    ),
    check(
      'no handler error and no check in the dead-letter queue',
      problems.length === 0 && run.deadLetters.checks === 0,
      problems.length === 0
        ? `${functions.reduce((n, f) => n + f.invocations, 0)} invocations, 0 errors, ` +
            `${run.deadLetters.checks} dead letters`
        : problems.slice(0, 3).join('; '),
    ),
  ];

  const minutes = result.timeline;
  const markers = [
    ...c.steps.map((s) => ({ minute: c.minuteOf(s.time), label: s.outcome })),
    ...run.taskEvents
      .filter((e) => e.kind === 'start-requested' || e.kind === 'stopping')
      .filter((e, i, all) => all.findIndex((o) => o.kind === e.kind) === i)
      .map((e) => ({
        minute: c.minuteOf(e.time),
        label: e.kind === 'start-requested' ? 'tasks start' : 'scale-in',
      })),
  ].sort((a, b) => a.minute - b.minute);

  return {
    checks,
    facts: [
      {
        label: 'traffic',
        value: `${scenario.traffic.baseRps} rps, ${peakOffered} rps at the spike's peak`,
      },
      {
        label: 'first ALARM',
        value: c.firstAlarm === undefined ? '-' : clock(c.firstAlarm.atSeconds),
      },
      { label: 'shed steps', value: String(summary.shedSteps) },
      { label: 'deepest primary share', value: `${summary.maxShedPrimarySharePercent} %` },
      {
        label: 'lowest rule share / floor',
        value: `${summary.minPrimaryWeightPercent} % / ${floor} %`,
      },
      { label: 'minutes the primary was overloaded', value: String(summary.overloadedMinutes) },
      { label: 'ELBv2 writes', value: String(summary.totalElbv2Writes) },
    ],
    events: [...alarmEvents(run, 'ALARM'), ...stepEvents(run, 'shed')].sort(
      (a, b) => a.atSeconds - b.atSeconds,
    ),
    charts: [
      {
        kind: 'line',
        title: 'Load on the primary target group (requests / s)',
        yLabel: 'requests / s',
        series: [
          { label: 'offered', values: minutes.map((r) => r.offeredRps) },
          { label: 'primary', values: minutes.map((r) => r.primaryRps) },
          {
            label: 'primary capacity',
            values: minutes.map((r) => r.primaryCapacityRps ?? scenario.primary.capacityRps),
            step: true,
            dashed: true,
          },
        ],
      },
      {
        kind: 'line',
        title: 'Primary weight share (%)',
        yLabel: 'percent',
        yMax: 100,
        series: [
          { label: 'all rules', values: minutes.map((r) => r.primarySharePercent), step: true },
          {
            label: 'floor',
            values: minutes.map(() => floor),
            dashed: true,
          },
        ],
      },
      {
        kind: 'band',
        title: 'Alarm state, with shed / restore steps and the task starter',
        states: minutes.map((r) => r.alarm),
        markers,
      },
    ],
    functions,
    metrics: [...albSeries(run), ...run.metrics.loadShedding.series(), ...metrics],
    virtualSeconds: c.virtualSeconds,
  };
}

function baselineShare(run: TrafficAndTasksRun): number {
  const values = Object.values(run.baselinePercent);
  return values.length === 0
    ? 0
    : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
}

/** Act 2: the tasks, the capacity, the alarm clearing, the restore and the scale-in. */
export function taskStarterOutcome(run: TrafficAndTasksRun): ActOutcome {
  const { result, scenario } = run;
  const { summary } = result;
  const c = common(run);
  const ts = run.metrics.taskStarter;
  const started = ts.sum(M.tasksStarted);
  const registered = ts.sum(M.tasksRegistered);
  const deregistered = ts.sum(M.tasksDeregistered);
  const failures = ts.sum(M.startFailures);
  const toRegistered = ts.matching(M.timeToRegistered).map((p) => p.value);
  const toHealthy = ts.matching(M.timeToHealthy).map((p) => p.value);
  const capacities = result.timeline.map(
    (r) => r.primaryCapacityRps ?? scenario.primary.capacityRps,
  );
  const baseCapacity = capacities[0] ?? 0;
  const peakCapacity = Math.max(0, ...capacities);
  const restores = c.steps.filter((s) => s.outcome === 'restore');
  const okAfterAlarm =
    c.firstAlarm !== undefined &&
    c.lastOk !== undefined &&
    c.lastOk.atSeconds > c.firstAlarm.atSeconds;
  const problems = [
    ...result.errors.filter((e) => /task-starter|opskit-demo-tasks/.test(e)),
    ...run.taskStarterErrors,
  ];
  const { functions, metrics } = functionsOf(run, TS_FUNCTIONS);
  const range = (values: readonly number[]): string =>
    values.length === 0 ? '-' : `${round1(Math.min(...values))}–${round1(Math.max(...values))} s`;

  const checks: DemoCheck[] = [
    check(
      'the alarm’s event starts extra tasks through the task starter',
      started > 0 && failures === 0,
      `${started} tasks started by ${run.taskEvents.filter((e) => e.kind === 'start-requested').length} ALARM event(s), ${failures} start failures`,
    ),
    check(
      'every started task registers in the primary target group',
      started > 0 && registered === started && toRegistered.length === started,
      `${registered}/${started} registered; TimeToRegistered ${range(toRegistered)}`,
    ),
    check(
      'every registered task becomes healthy and adds capacity',
      toHealthy.length === registered && registered > 0 && peakCapacity > baseCapacity,
      `${toHealthy.length}/${registered} healthy (TimeToHealthy ${range(toHealthy)}); ` +
        `capacity ${baseCapacity} → ${peakCapacity} rps`,
    ),
    check(
      'the alarm clears',
      okAfterAlarm && c.finalAlarm === 'OK',
      c.lastOk === undefined || !okAfterAlarm
        ? `the alarm did not return to OK (now ${c.finalAlarm})`
        : `OK at ${clock(c.lastOk.atSeconds)}, ${round1((c.lastOk.atSeconds - (c.firstAlarm?.atSeconds ?? 0)) / 60)} min after ALARM; ${c.finalAlarm} at the end`,
    ),
    check(
      'the weights return exactly to their baseline',
      restores.length > 0 && summary.finalWeightsAtBaseline,
      `${restores.length} restore steps; every rule's final weights ` +
        `${summary.finalWeightsAtBaseline ? 'equal' : 'DIFFER from'} its baseline` +
        (summary.timeToRestoreSeconds === null
          ? ''
          : ` (${summary.timeToRestoreSeconds} s after OK)`),
    ),
    check(
      'after the spike, the stopped tasks are deregistered',
      run.scaleIn !== undefined &&
        deregistered === run.scaleIn.tasks.length &&
        run.final.liveKitTasks === 0 &&
        run.final.registeredTargets === run.final.healthyTargets,
      run.scaleIn === undefined
        ? 'no scale-in happened'
        : `${run.scaleIn.tasks.length} tasks stopped at ${clock(c.seconds(run.scaleIn.time))}, ` +
            `${deregistered} deregistered; ${run.final.healthyTargets} healthy targets remain`,
    ),
    check(
      'no handler error, no event in the dead-letter queue, reconcile clean',
      problems.length === 0 && run.deadLetters.taskStarter === 0 && run.reconcile.failed === 0,
      problems.length === 0
        ? `${functions.reduce((n, f) => n + f.invocations, 0)} invocations, 0 errors, ` +
            `${run.deadLetters.taskStarter} dead letters, ${run.reconcile.runs} reconcile runs ` +
            `(${ts.sum(M.driftFixed)} drift fixes)`
        : problems.slice(0, 3).join('; '),
    ),
  ];

  const kindText: Readonly<Record<string, string>> = {
    started: 'tasks started (RunTask)',
    running: 'task RUNNING',
    registered: 'task registered',
    stopping: 'tasks stopping',
    deregistered: 'task deregistered',
    stopped: 'tasks STOPPED',
  };
  const short = (task: string): string => `…${task.slice(-6)}`;
  // Tasks that RunTask (or StopTask) changed together make one line, so the console stays short.
  const grouped = new Map<string, { time: number; kind: string; tasks: string[] }>();
  const taskEvents: DemoEvent[] = [];
  for (const e of run.taskEvents) {
    if (e.kind === 'started' || e.kind === 'stopping' || e.kind === 'stopped') {
      const key = `${e.kind}@${Math.round(c.seconds(e.time))}`;
      const group = grouped.get(key) ?? { time: e.time, kind: e.kind, tasks: [] };
      grouped.set(key, group);
      group.tasks.push(short(e.task));
      continue;
    }
    taskEvents.push({
      atSeconds: c.seconds(e.time),
      text:
        e.kind === 'start-requested'
          ? `ALARM event → start event for ${e.detail} tasks`
          : e.kind === 'healthy'
            ? `target ${e.task} healthy, ${e.detail} s after registering`
            : `${kindText[e.kind]} ${short(e.task)}${e.detail === undefined ? '' : ` (${e.detail})`}`,
    });
  }
  for (const group of grouped.values()) {
    taskEvents.push({
      atSeconds: c.seconds(group.time),
      text: `${group.tasks.length} ${kindText[group.kind]}: ${group.tasks.join(', ')}`,
    });
  }
  const scaleIn: DemoEvent[] =
    run.scaleIn === undefined
      ? []
      : [
          {
            atSeconds: c.seconds(run.scaleIn.time),
            text: `scale-in after the spike: the ${run.scaleIn.tasks.length} extra tasks are stopped`,
          },
        ];
  const minutes = run.taskMinutes;
  return {
    checks,
    facts: [
      {
        label: 'tasks started / registered / healthy',
        value: `${started} / ${registered} / ${toHealthy.length}`,
      },
      { label: 'time to registered', value: range(toRegistered) },
      { label: 'primary capacity', value: `${baseCapacity} → ${peakCapacity} rps` },
      {
        label: 'alarm back to OK',
        value: c.lastOk === undefined ? '-' : clock(c.lastOk.atSeconds),
      },
      { label: 'restore steps', value: String(summary.restoreSteps) },
      {
        label: 'final weights at baseline',
        value: summary.finalWeightsAtBaseline ? 'yes, exactly' : 'NO',
      },
      { label: 'tasks deregistered at scale-in', value: String(deregistered) },
    ],
    events: [
      ...taskEvents,
      ...scaleIn,
      ...alarmEvents(run, 'OK'),
      ...stepEvents(run, 'restore'),
    ].sort((a, b) => a.atSeconds - b.atSeconds),
    charts: [
      {
        kind: 'line',
        title: 'Tasks and the primary’s targets',
        yLabel: 'count',
        series: [
          { label: 'kit tasks RUNNING', values: minutes.map((m) => m.runningTasks), step: true },
          { label: 'healthy targets', values: minutes.map((m) => m.healthyTargets), step: true },
          {
            label: 'registered targets',
            values: minutes.map((m) => m.registeredTargets),
            step: true,
            dashed: true,
          },
        ],
      },
    ],
    functions,
    metrics: [...ts.series(), ...metrics],
    virtualSeconds: c.virtualSeconds,
    sharesRunWith: 'load-shedding',
  };
}

/**
 * The two acts, sharing one run per seed: whichever runs first starts the simulation, the other
 * reads the same run (the runner runs acts in order; each act still reports its own outcome).
 */
export function createTrafficAndTaskActs(
  run: (seed: number) => Promise<TrafficAndTasksRun> = runTrafficAndTasks,
): [DemoAct, DemoAct] {
  const runs = new Map<number, Promise<TrafficAndTasksRun>>();
  const shared = (seed: number): Promise<TrafficAndTasksRun> => {
    let promise = runs.get(seed);
    if (promise === undefined) {
      promise = run(seed);
      runs.set(seed, promise);
    }
    return promise;
  };
  return [
    {
      id: 'load-shedding',
      title: 'Load shedding: a traffic spike, the alarm, weight moved step by step',
      run: async (context) => {
        context.progress('3× spike on the primary target group, 36 virtual minutes');
        return loadSheddingOutcome(await shared(context.seed));
      },
    },
    {
      id: 'task-starter',
      title: 'Task starter: the same alarm starts tasks; the alarm clears, weights return',
      run: async (context) => taskStarterOutcome(await shared(context.seed)),
    },
  ];
}
