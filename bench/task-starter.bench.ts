/**
 * Task starter: Lambda seconds per started task, event-driven mode against synchronous mode, in
 * the simulation (the real handlers on the ECS, ELBv2 and EventBridge models). Each task takes
 * 15–120 s from RunTask to RUNNING (seeded), every ECS and ELBv2 call 50 ms of virtual time.
 * Lambda seconds are the virtual durations of every invocation of the deployment's functions
 * (start or start-sync, and task-state, which both modes deploy), divided by the tasks that were
 * registered.
 */
import { pathToFileURL } from 'node:url';
import { TaskStarterMetricNames as M } from '../src/task-starter/contract.js';
import {
  FUNCTION_NAMES,
  createTaskStarterDeployment,
} from '../src/task-starter/simulator/deployment.js';

export const TASK_STARTER_BENCH_SEED = 2026;
const TASKS = 20;
const EVENT_SPACING_MS = 5_000;
const START_MS = { min: 15_000, max: 120_000 } as const;
const API_LATENCY_MS = 50;
/** The bar: event-driven below one Lambda second per task and at least 10× under synchronous. */
const MAX_EVENT_DRIVEN_SECONDS = 1;
const MIN_ADVANTAGE = 10;

export interface TaskStarterBenchCase {
  readonly mode: 'event-driven' | 'synchronous';
  readonly tasksRegistered: number;
  readonly startSeconds: number;
  readonly taskStateSeconds: number;
  readonly lambdaSecondsPerTask: number;
  readonly meanTimeToRegisteredSeconds: number;
  readonly failedInvocations: number;
}

async function runCase(mode: TaskStarterBenchCase['mode']): Promise<TaskStarterBenchCase> {
  const d = createTaskStarterDeployment({
    mode,
    seed: TASK_STARTER_BENCH_SEED,
    startMs: START_MS,
    apiLatencyMs: API_LATENCY_MS,
  });
  for (let i = 0; i < TASKS; i++) {
    d.sendStartEvent({});
    await d.clock.advance(EVENT_SPACING_MS);
  }
  await d.clock.advance(START_MS.max + 60_000);
  const seconds = d.lambdaSeconds();
  const startSeconds =
    (seconds[FUNCTION_NAMES.start] ?? 0) + (seconds[FUNCTION_NAMES.startSync] ?? 0);
  const taskStateSeconds = seconds[FUNCTION_NAMES.taskState] ?? 0;
  const registered = d.models.elbv2.targetHealth(d.targetGroups.web).length;
  const times = d.metrics.matching(M.timeToRegistered).map((p) => p.value);
  return {
    mode,
    tasksRegistered: registered,
    startSeconds,
    taskStateSeconds,
    lambdaSecondsPerTask:
      registered === 0 ? Infinity : (startSeconds + taskStateSeconds) / registered,
    meanTimeToRegisteredSeconds: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length),
    failedInvocations: d.runtime.invocations().filter((r) => r.outcome !== 'succeeded').length,
  };
}

export async function runTaskStarterBench(): Promise<{ ok: boolean; markdown: string }> {
  const eventDriven = await runCase('event-driven');
  const synchronous = await runCase('synchronous');
  const cases = [eventDriven, synchronous];
  const advantage = synchronous.lambdaSecondsPerTask / eventDriven.lambdaSecondsPerTask;
  const problems: string[] = [];
  for (const c of cases) {
    if (c.tasksRegistered !== TASKS)
      problems.push(`${c.mode}: ${c.tasksRegistered}/${TASKS} registered`);
    if (c.failedInvocations > 0)
      problems.push(`${c.mode}: ${c.failedInvocations} failed invocations`);
  }
  if (eventDriven.lambdaSecondsPerTask >= MAX_EVENT_DRIVEN_SECONDS) {
    problems.push(`event-driven uses ${eventDriven.lambdaSecondsPerTask.toFixed(2)} s per task`);
  }
  if (advantage < MIN_ADVANTAGE) problems.push(`advantage only ${advantage.toFixed(1)}×`);
  const ok = problems.length === 0;
  const row = (c: TaskStarterBenchCase) =>
    `| ${c.mode} | ${c.tasksRegistered} | ${c.startSeconds.toFixed(2)} s | ${c.taskStateSeconds.toFixed(2)} s | ${c.lambdaSecondsPerTask.toFixed(2)} s | ${c.meanTimeToRegisteredSeconds.toFixed(1)} s |`;
  const markdown = [
    '## ECS task starter: Lambda seconds per started task',
    '',
    `${TASKS} start events, ${EVENT_SPACING_MS / 1000} s apart, each starting one awsvpc task ` +
      `that takes ${START_MS.min / 1000}–${START_MS.max / 1000} s to reach RUNNING (seed ` +
      `${TASK_STARTER_BENCH_SEED}); every ECS and ELBv2 call takes ${API_LATENCY_MS} ms of ` +
      'virtual time. Lambda seconds are the billed durations of every invocation of the ' +
      'deployment (start or start-sync, plus task-state, which both modes deploy for ' +
      'deregistration), divided by the tasks registered. Virtual time, so the numbers do not ' +
      'depend on the machine.',
    '',
    '| Mode | Tasks registered | Start function | Task-state function | Lambda s per task | Mean event → registered |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...cases.map(row),
    '',
    ok
      ? `Verdict: the event-driven mode uses ${eventDriven.lambdaSecondsPerTask.toFixed(2)} Lambda s per task, ` +
        `${advantage.toFixed(0)}× less than the synchronous mode ` +
        `(${synchronous.lambdaSecondsPerTask.toFixed(1)} s), for the same time to registered ` +
        `(bar: < ${MAX_EVENT_DRIVEN_SECONDS} s and ≥ ${MIN_ADVANTAGE}×).`
      : `Verdict: FAILED: ${problems.join('; ')}.`,
    '',
  ].join('\n');
  return { ok, markdown };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { ok, markdown } = await runTaskStarterBench();
  process.stdout.write(markdown);
  process.exitCode = ok ? 0 : 1;
}
