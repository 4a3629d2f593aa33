import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { firstFiring, type AuditedAlarm } from '../../src/demo/alarm-audit.js';
import {
  DEMO_FUNCTION_NAMES,
  DEMO_LOAD_SHEDDING_ALARM,
  DEMO_TRAFFIC_RESOURCES,
  demoElbv2Arn,
} from '../../src/demo/acts/names.js';
import {
  TimedMetricRecorder,
  functionUses,
  lambdaMetricSeries,
} from '../../src/demo/acts/metric-series.js';
import {
  createTrafficAndTaskActs,
  loadSheddingOutcome,
  taskStarterOutcome,
} from '../../src/demo/acts/traffic-and-tasks.js';
import {
  TASKS_PER_ALARM,
  demoFunctionNameOf,
  runTrafficAndTasks,
  trafficScenario,
  type TrafficAndTasksRun,
} from '../../src/demo/acts/traffic-and-tasks-run.js';
import {
  PRIMARY_TARGET_GROUP_SETTINGS,
  deployTaskStarterOnPrimary,
} from '../../src/demo/acts/task-starter-on-primary.js';
import { createLoadSheddingDeployment } from '../../src/load-shedding/simulator/deployment.js';
import { DEFAULT_DEMO_SEED, runDemo, type ActOutcome } from '../../src/demo/runner.js';
import type { ActResult } from '../../src/demo/result.js';
import type { InvocationRecord } from '../../src/simulation/lambda-runtime.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';

const failed = (outcome: ActOutcome): string[] =>
  outcome.checks.filter((c) => !c.ok).map((c) => c.name);
const checkNamed = (outcome: ActOutcome, part: string) => {
  const found = outcome.checks.find((c) => c.name.includes(part));
  if (found === undefined) throw new Error(`no check named like '${part}'`);
  return found;
};

describe('demo: traffic and tasks (one simulated run)', () => {
  let run: TrafficAndTasksRun;
  let acts: readonly ActResult[];
  let wallMs: number;

  beforeAll(async () => {
    // Act (shared by the tests below: one run of the real handlers on the simulation)
    const started = performance.now();
    const result = await runDemo(createTrafficAndTaskActs());
    wallMs = performance.now() - started;
    acts = result.acts;
    run = await runTrafficAndTasks(DEFAULT_DEMO_SEED);
  }, 60_000);

  it('reaches every expected outcome of both acts, well within the time budget', () => {
    expect(acts.map((a) => a.id)).toEqual(['load-shedding', 'task-starter']);
    for (const act of acts) {
      expect(act.checks.filter((c) => !c.ok)).toEqual([]);
      expect(act.checks.length).toBeGreaterThanOrEqual(4);
    }
    expect(wallMs).toBeLessThan(15_000);
  });

  it('is deterministic for a seed', () => {
    // Assess: the demo's run and a second run of the same seed tell the same story
    const [first, second] = [acts[0], loadSheddingOutcome(run)];
    expect(second.events).toEqual(first.events);
    expect(second.facts).toEqual(first.facts);
    expect(taskStarterOutcome(run).events).toEqual(acts[1].events);
  });

  it('sheds step by step, never below the floor, and restores exactly to the baseline', () => {
    const { summary } = run.result;
    const shares = run.result.timeline.map((row) => row.primarySharePercent);
    expect(summary.shedSteps).toBeGreaterThan(0);
    expect(summary.minPrimaryWeightPercent).toBeGreaterThanOrEqual(summary.floorPercent);
    expect(Math.min(...shares)).toBeLessThan(shares[0]);
    expect(summary.restoreSteps).toBeGreaterThan(0);
    expect(summary.finalWeightsAtBaseline).toBe(true);
    expect(run.result.timeline.at(-1)?.alarm).toBe('OK');
    expect(run.result.errors).toEqual([]);
  });

  it('starts, registers and deregisters the tasks; capacity follows the healthy targets', () => {
    const ts = run.metrics.taskStarter;
    expect(ts.sum('TasksStarted')).toBe(TASKS_PER_ALARM);
    expect(ts.sum('TasksRegistered')).toBe(TASKS_PER_ALARM);
    expect(ts.sum('TasksDeregistered')).toBe(TASKS_PER_ALARM);
    for (const [i, row] of run.result.timeline.entries()) {
      expect(row.primaryCapacityRps).toBe(run.taskMinutes[i].healthyTargets * 375);
    }
    const kinds = run.taskEvents.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'registered')).toHaveLength(TASKS_PER_ALARM);
    expect(kinds.filter((k) => k === 'healthy')).toHaveLength(TASKS_PER_ALARM);
    expect(run.final).toEqual({ healthyTargets: 4, registeredTargets: 4, liveKitTasks: 0 });
    expect(run.deadLetters).toEqual({ checks: 0, taskStarter: 0 });
  });

  it('reports the functions it ran under the demo constructs’ names', () => {
    const names = acts.flatMap((a) => a.functions.map((f) => f.functionName)).sort();
    expect(names).toEqual(
      [
        ...Object.values(DEMO_FUNCTION_NAMES.loadShedding),
        ...Object.values(DEMO_FUNCTION_NAMES.taskStarter),
      ].sort(),
    );
    expect(acts.flatMap((a) => a.functions).every((f) => f.invocations > 0 && f.errors === 0)).toBe(
      true,
    );
  });

  it('reports metrics the alarm audit can evaluate: the overload alarm fires when it did', () => {
    // Prepare: the load-shedding construct's alarm as the demo configures it
    expect(run.primaryArn).toBe(demoElbv2Arn(DEMO_TRAFFIC_RESOURCES.primaryTargetGroup));
    const alarm: AuditedAlarm = {
      alarmName: 'overload',
      namespace: DEMO_LOAD_SHEDDING_ALARM.namespace,
      metricName: DEMO_LOAD_SHEDDING_ALARM.metricName,
      dimensions: {
        TargetGroup: DEMO_TRAFFIC_RESOURCES.primaryTargetGroup,
        LoadBalancer: DEMO_TRAFFIC_RESOURCES.loadBalancer,
      },
      statistic: DEMO_LOAD_SHEDDING_ALARM.statistic,
      periodSeconds: DEMO_LOAD_SHEDDING_ALARM.periodSeconds,
      evaluationPeriods: DEMO_LOAD_SHEDDING_ALARM.evaluationPeriods,
      datapointsToAlarm: DEMO_LOAD_SHEDDING_ALARM.evaluationPeriods,
      threshold: DEMO_LOAD_SHEDDING_ALARM.threshold,
      comparisonOperator: DEMO_LOAD_SHEDDING_ALARM.comparisonOperator,
      treatMissingData: DEMO_LOAD_SHEDDING_ALARM.treatMissingData,
    };
    const end = run.startTime + run.result.timeline.length * 60_000;
    // Act
    const firing = firstFiring(alarm, acts[0].metrics, run.startTime, end);
    // Assess: the same minute the simulated CloudWatch set it to ALARM
    const alarmAt = run.result.alarmTransitions.find((t) => t.to === 'ALARM')?.atSeconds;
    expect(firing?.time).toBe(run.startTime + (alarmAt ?? NaN) * 1000);
    const startFailures = acts[1].metrics.filter((m) => m.metricName === 'StartFailures');
    expect(startFailures).toEqual([]);
    const lambdaErrors = [...acts[0].metrics, ...acts[1].metrics].filter(
      (m) => m.namespace === 'AWS/Lambda' && m.metricName === 'Errors',
    );
    expect(lambdaErrors.length).toBe(5);
    expect(lambdaErrors.every((m) => m.points.every((p) => p.value === 0))).toBe(true);
  });

  it('gives each act a timeline and charts', () => {
    const [shedding, tasks] = acts;
    expect(shedding.events.some((e) => e.text.includes('OK → ALARM'))).toBe(true);
    expect(shedding.events.filter((e) => e.text.startsWith('shed step'))).toHaveLength(
      run.result.summary.shedSteps,
    );
    expect(tasks.events.some((e) => e.text.includes('ALARM → OK'))).toBe(true);
    expect(tasks.events.some((e) => e.text.startsWith('scale-in'))).toBe(true);
    expect(shedding.charts.map((c) => c.kind)).toEqual(['line', 'line', 'band']);
    const band = shedding.charts[2];
    expect(band.kind === 'band' && band.states.length).toBe(run.result.timeline.length);
    expect(tasks.charts).toHaveLength(1);
  });

  it('runs the simulation once per seed for both acts', async () => {
    // Prepare
    const seeds: number[] = [];
    const [first, second] = createTrafficAndTaskActs((seed) => {
      seeds.push(seed);
      return Promise.resolve(run);
    });
    const context = (seed: number) => ({ seed, progress: () => undefined, previous: [] });
    // Act
    await first.run(context(1));
    await second.run(context(1));
    await second.run(context(2));
    // Assess
    expect(seeds).toEqual([1, 2]);
  });

  it('fails the checks whose outcome a run did not reach, saying why', () => {
    // Prepare: the same run with what could go wrong
    const summary = { ...run.result.summary, finalWeightsAtBaseline: false, shedSteps: 0 };
    const broken: TrafficAndTasksRun = {
      ...run,
      result: {
        ...run.result,
        summary: { ...summary, minPrimaryWeightPercent: 10 },
        alarmTransitions: [],
        errors: ['x opskit-demo-tasks-start invocation failed: Error: boom'],
      },
      steps: [],
      scaleIn: undefined,
      taskStarterErrors: [],
      deadLetters: { checks: 1, taskStarter: 2 },
    };
    // Act
    const shedding = loadSheddingOutcome(broken);
    const tasks = taskStarterOutcome(broken);
    // Assess
    expect(failed(shedding)).toHaveLength(4);
    expect(checkNamed(shedding, 'ALARM').detail).toContain('never fired');
    expect(checkNamed(shedding, 'floor').detail).toContain('10 %');
    expect(checkNamed(tasks, 'baseline').detail).toContain('DIFFER');
    expect(checkNamed(tasks, 'deregistered').detail).toBe('no scale-in happened');
    expect(checkNamed(tasks, 'clears').detail).toContain('did not return');
    expect(checkNamed(tasks, 'dead-letter').detail).toContain('boom');
  });
});

describe('demo: metric series', () => {
  const START = Date.UTC(2026, 10, 23);
  const record = (
    functionName: string,
    second: number,
    outcome: InvocationRecord['outcome'],
  ): InvocationRecord => ({
    functionName,
    requestId: `${functionName}-${second}`,
    source: 'direct',
    startTime: START + second * 1000,
    endTime: START + second * 1000,
    durationMs: 0,
    outcome,
  });
  const nameOf = (name: string) => (name === 'skip' ? undefined : `demo-${name}`);

  it('counts Invocations, Errors and Throttles per function and minute, as Lambda does', () => {
    const series = lambdaMetricSeries(
      [
        record('a', 10, 'succeeded'),
        record('a', 50, 'failed'),
        record('a', 70, 'throttled'),
        record('a', 80, 'timedOut'),
        record('skip', 1, 'failed'),
      ],
      nameOf,
      START,
    );
    const values = (metric: string) =>
      series.find((s) => s.metricName === metric)?.points.map((p) => [p.time - START, p.value]);
    expect(series.map((s) => s.dimensions.FunctionName)).toEqual(['demo-a', 'demo-a', 'demo-a']);
    expect(values('Invocations')).toEqual([
      [0, 2],
      [60_000, 1],
    ]);
    expect(values('Errors')).toEqual([
      [0, 1],
      [60_000, 1],
    ]);
    expect(values('Throttles')).toEqual([
      [0, 0],
      [60_000, 1],
    ]);
  });

  it('Invocations sum to the uses, which leave throttles out', () => {
    const outcomes = fc.constantFrom<InvocationRecord['outcome']>(
      'succeeded',
      'failed',
      'timedOut',
      'throttled',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'skip'), fc.nat(600), outcomes), {
          maxLength: 40,
        }),
        (items) => {
          const records = items.map(([name, second, outcome]) => record(name, second, outcome));
          const series = lambdaMetricSeries(records, nameOf, START);
          const uses = functionUses(records, nameOf);
          for (const use of uses) {
            const sum = (metric: string) =>
              series
                .filter(
                  (s) => s.metricName === metric && s.dimensions.FunctionName === use.functionName,
                )
                .flatMap((s) => s.points)
                .reduce((total, p) => total + p.value, 0);
            expect(sum('Invocations')).toBe(use.invocations);
            expect(sum('Errors')).toBe(use.errors);
          }
          expect(uses.some((u) => u.functionName === 'demo-skip')).toBe(false);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('timestamps EMF metrics on the virtual clock, with Powertools’ service dimension', async () => {
    // Prepare
    const clock = VirtualClock.create();
    const recorder = new TimedMetricRecorder(clock, 'Ns', 'svc');
    // Act
    recorder.record('Done', 'Count', 1, { Group: 'g' });
    await clock.advance(60_000);
    recorder.record('Done', 'Count', 2, { Group: 'g' });
    recorder.record('Done', 'Count', 5);
    // Assess
    const series = recorder.series();
    expect(series).toHaveLength(2);
    expect(series[0]).toEqual({
      namespace: 'Ns',
      metricName: 'Done',
      dimensions: { service: 'svc', Group: 'g' },
      points: [
        { time: series[0].points[0].time, value: 1 },
        { time: series[0].points[0].time + 60_000, value: 2 },
      ],
    });
    expect(recorder.sum('Done')).toBe(8);
  });
});

describe('demo: names shared with the constructs', () => {
  it('derive the function and alarm names as the constructs do from their prefixes', async () => {
    // Prepare: the constructs' own suffixes (aws-cdk-lib, so loaded only here)
    const { LOAD_SHEDDING_RESOURCE_SETTINGS: ls } =
      await import('../../src/load-shedding/construct-props.js');
    const { TASK_STARTER_RESOURCE_SETTINGS: ts } =
      await import('../../src/task-starter/construct-props.js');
    const { DEMO_NAME_PREFIXES: p, DEMO_LOAD_SHEDDING_ALARM_NAME } =
      await import('../../src/demo/acts/names.js');
    // Assess
    expect(DEMO_FUNCTION_NAMES.loadShedding).toEqual({
      alarmEvent: p.loadShedding + ls.alarmEventSuffix,
      checkQueue: p.loadShedding + ls.checkQueueSuffix,
    });
    expect(DEMO_FUNCTION_NAMES.taskStarter).toEqual({
      start: p.taskStarter + ts.suffixes.start,
      taskState: p.taskStarter + ts.suffixes.taskState,
      reconcile: p.taskStarter + ts.suffixes.reconcile,
    });
    expect(DEMO_LOAD_SHEDDING_ALARM_NAME).toBe(p.loadShedding + ls.alarmNameSuffix);
  }, 30_000);
});

describe('demo: task starter on the load-shedding deployment', () => {
  async function world() {
    const deployment = await createLoadSheddingDeployment(trafficScenario(3), {
      primaryTargetGroup: PRIMARY_TARGET_GROUP_SETTINGS,
    });
    const metrics = new TimedMetricRecorder(deployment.clock, 'AwsOpsKit/TaskStarter', 'ts');
    const starter = deployTaskStarterOnPrimary({
      deployment,
      seed: 3,
      tasksPerAlarm: 2,
      startMs: 30_000,
      baselineTargets: ['10.0.100.10'],
      metrics,
      waitForHealthySeconds: 0,
    });
    const alarmArn = deployment.models.cloudwatch.alarm(deployment.config.alarmName)
      .AlarmArn as string;
    const publish = (state: string, id: string) =>
      deployment.models.eventBridge.publish({
        version: '0',
        id,
        'detail-type': 'CloudWatch Alarm State Change',
        source: 'aws.cloudwatch',
        account: '123456789012',
        time: new Date(deployment.clock.now()).toISOString(),
        region: 'us-east-1',
        resources: [alarmArn],
        detail: { alarmName: deployment.config.alarmName, state: { value: state } },
      });
    return { deployment, starter, metrics, publish };
  }

  it('starts tasks on ALARM only, with the start function’s defaults, and registers them', async () => {
    // Prepare
    const { deployment, starter, metrics, publish } = await world();
    await deployment.clock.run(() => starter.registerBaseline());
    // Act
    publish('OK', 'ok-1');
    publish('ALARM', 'alarm-1');
    await deployment.clock.advance(60_000);
    // Assess
    expect(metrics.sum('TasksStarted')).toBe(2);
    expect(metrics.sum('TasksRegistered')).toBe(2);
    expect(starter.runningTasks()).toBe(2);
    expect(starter.registeredTargets()).toBe(3);
    const [task] = starter.liveTaskArns().map((arn) => starter.ecs.task(arn));
    expect(task.clusterArn).toBe(starter.clusterArn);
    expect(task.taskDefinitionArn).toContain(
      `:task-definition/${DEMO_TRAFFIC_RESOURCES.taskDefinitionFamily}:`,
    );
    expect(starter.events.filter((e) => e.kind === 'start-requested')).toHaveLength(1);
    expect(starter.errorLogs).toEqual([]);
  });

  it('sends a start that fails for good to the dead-letter queue and logs why', async () => {
    // Prepare: no capacity for any attempt of any delivery
    const { deployment, starter, metrics, publish } = await world();
    starter.ecs.failNextPlacements(100, 'RESOURCE:CPU');
    // Act
    publish('ALARM', 'alarm-1');
    await deployment.clock.advance(10 * 60_000);
    // Assess: no Lambda retry for the start (a replay would reuse the client tokens), straight
    // to the dead-letter queue, the two missing tasks counted once
    expect(deployment.runtime.invocations(DEMO_FUNCTION_NAMES.taskStarter.start)).toHaveLength(1);
    expect(deployment.models.sqs.messages(starter.dlqUrl)).toHaveLength(1);
    expect(metrics.sum('StartFailures')).toBe(2);
    expect(starter.errorLogs[0]).toMatch(/Starting the tasks failed\.: TaskStartError/);
  });

  it('maps only the demo’s functions to their construct names', () => {
    expect(demoFunctionNameOf('alarm-event')).toBe(DEMO_FUNCTION_NAMES.loadShedding.alarmEvent);
    expect(demoFunctionNameOf(DEMO_FUNCTION_NAMES.taskStarter.start)).toBe(
      DEMO_FUNCTION_NAMES.taskStarter.start,
    );
    expect(demoFunctionNameOf('other')).toBeUndefined();
  });
});
