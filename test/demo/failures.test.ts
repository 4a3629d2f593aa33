import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { demo } from '../../src/cli/demo.js';
import type { CliIo } from '../../src/cli/io.js';
import { demoStacks } from '../../src/demo/acts/demo-constructs.js';
import { drillChecks } from '../../src/demo/acts/dr-drill.js';
import {
  DRILL_RATE_LIMIT_ALARM_NAME,
  createMonitoringAct,
} from '../../src/demo/acts/monitoring.js';
import { DEMO_FUNCTION_NAMES, DEMO_LOAD_SHEDDING_ALARM_NAME } from '../../src/demo/acts/names.js';
import { createWorkflowAct } from '../../src/demo/acts/workflow.js';
import type { AuditedAlarm } from '../../src/demo/alarm-audit.js';
import { inventoryOf } from '../../src/demo/inventory.js';
import type { ActResult, DemoCheck, DemoResult, MetricSeries } from '../../src/demo/result.js';
import { runDemo, type ActOutcome } from '../../src/demo/runner.js';
import type { DrillResult } from '../../src/disaster-recovery/simulator/drill.js';
import { EXAMPLE_STAGE_IMPLEMENTATIONS } from '../../src/workflow/local-run/example.js';

const START = Date.UTC(2026, 10, 23, 12);

function check(checks: readonly DemoCheck[], name: string): DemoCheck {
  const found = checks.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no check '${name}'`);
  return found;
}

/** Runs `opskit demo --json --no-html` on `acts`: its exit code and the result it printed. */
async function cli(
  acts: Parameters<typeof demo>[2],
): Promise<{ code: number; result: DemoResult }> {
  const out: string[] = [];
  const io: CliIo = {
    stdout: (text) => out.push(text),
    stderr: () => undefined,
    readFile: () => Promise.reject(new Error('unused')),
    writeFile: () => Promise.reject(new Error('unused')),
  };
  const code = await demo(['--json', '--no-html'], io, acts);
  return { code, result: JSON.parse(out.join('')) as DemoResult };
}

/** Datapoints that breach `alarm` in every period it evaluates. */
function breaching(alarm: AuditedAlarm): MetricSeries {
  return {
    namespace: alarm.namespace,
    metricName: alarm.metricName,
    dimensions: alarm.dimensions,
    points: Array.from({ length: alarm.evaluationPeriods }, (_, i) => ({
      time: START + i * alarm.periodSeconds * 1000,
      value: alarm.threshold * 10 + 10,
    })),
  };
}

/** An act that already ran, as the monitoring act sees it. */
function ranBefore(outcome: Partial<ActOutcome>): ActResult {
  return {
    id: 'load-shedding',
    title: 'an earlier act',
    checks: [{ name: 'ran', ok: true, detail: '' }],
    facts: [],
    events: [],
    charts: [],
    functions: [],
    metrics: [],
    virtualSeconds: 60,
    wallMs: 1,
    ...outcome,
  };
}

describe('demo failures: the workflow act', () => {
  it('fails when a stage throws for good, and opskit demo exits non-zero', async () => {
    // Prepare: the score stage breaks on every attempt
    const act = createWorkflowAct({
      batchSize: 20,
      stages: {
        ...EXAMPLE_STAGE_IMPLEMENTATIONS,
        score: () => {
          throw new Error('score stage is broken');
        },
      },
    });
    // Act
    const { code, result } = await cli([act]);
    // Assess
    const checks = result.acts[0]?.checks ?? [];
    expect(code).toBe(1);
    expect(result.ok).toBe(false);
    expect(check(checks, 'the execution succeeded')).toMatchObject({ ok: false });
    expect(check(checks, 'the execution succeeded').detail).toMatch(/^FAILED: /);
    const outputs = check(checks, 'every stage wrote executions/{executionId}/{stage}/output.json');
    expect(outputs.ok).toBe(false);
    expect(outputs.detail).toMatch(/^missing: .*score/);
  }, 60_000);
});

describe('demo failures: the monitoring act', () => {
  let stacks: Stack[];
  let alarms: readonly AuditedAlarm[];
  const expectedToFire = (): MetricSeries[] =>
    alarms
      .filter((a) =>
        [DEMO_LOAD_SHEDDING_ALARM_NAME, DRILL_RATE_LIMIT_ALARM_NAME].includes(a.alarmName),
      )
      .map(breaching);
  const ran = [
    { functionName: DEMO_FUNCTION_NAMES.loadShedding.alarmEvent, invocations: 3, errors: 0 },
  ];

  beforeAll(() => {
    stacks = demoStacks();
    alarms = inventoryOf(stacks).alarms;
  }, 60_000);

  it('passes on the demo deployment when only the expected alarms fire', async () => {
    const outcome = await createMonitoringAct(() => stacks).run({
      seed: 1,
      progress: () => undefined,
      previous: [ranBefore({ functions: ran, metrics: expectedToFire() })],
    });
    expect(outcome.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('fails when the deployment holds a plain lambda.Function', async () => {
    // Prepare
    const app = new App();
    const plain = new Stack(app, 'Extra');
    new lambda.Function(plain, 'Plain', {
      functionName: 'plain-function',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
    });
    const act = createMonitoringAct(() => [...stacks, plain]);
    // Act
    const result = await runDemo([
      {
        id: 'load-shedding',
        title: 'ran',
        run: () => Promise.resolve(ranBefore({ functions: ran, metrics: expectedToFire() })),
      },
      act,
    ]);
    // Assess
    const checks = result.acts[1]?.checks ?? [];
    const monitored = check(
      checks,
      'every Lambda function of the deployment is a MonitoredFunction',
    );
    expect(monitored).toEqual({
      name: monitored.name,
      ok: false,
      detail: 'not monitored: Extra/Plain/Resource',
    });
    expect(check(checks, 'every function the acts ran is one of them').ok).toBe(true);
    expect(result.ok).toBe(false);
  });

  it('fails when an act ran a function the deployment does not have', async () => {
    const outcome = await createMonitoringAct(() => stacks).run({
      seed: 1,
      progress: () => undefined,
      previous: [
        ranBefore({
          functions: [...ran, { functionName: 'mystery-function', invocations: 1, errors: 0 }],
          metrics: expectedToFire(),
        }),
      ],
    });
    expect(check(outcome.checks, 'every function the acts ran is one of them')).toMatchObject({
      ok: false,
      detail: 'not in the deployment: mystery-function',
    });
    expect(
      check(outcome.checks, 'every Lambda function of the deployment is a MonitoredFunction').ok,
    ).toBe(true);
  });

  it('fails when another alarm would have fired, or an expected one would not', async () => {
    // Prepare: a function's error alarm breaches too
    const other = alarms.find((a) => a.namespace === 'AWS/Lambda' && a.metricName === 'Errors');
    expect(other, 'a MonitoredFunction error alarm').toBeDefined();
    const name = 'the overload and DRS rate-limit alarms would have fired, and no other';
    // Act
    const extra = await createMonitoringAct(() => stacks).run({
      seed: 1,
      progress: () => undefined,
      previous: [
        ranBefore({
          functions: ran,
          metrics: [...expectedToFire(), breaching(other as AuditedAlarm)],
        }),
      ],
    });
    const missing = await createMonitoringAct(() => stacks).run({
      seed: 1,
      progress: () => undefined,
      previous: [ranBefore({ functions: ran, metrics: expectedToFire().slice(0, 1) })],
    });
    // Assess
    expect(check(extra.checks, name).ok).toBe(false);
    expect(check(extra.checks, name).detail).toContain((other as AuditedAlarm).alarmName);
    expect(check(missing.checks, name).ok).toBe(false);
    expect(extra.firedAlarms?.map((a) => a.alarmName)).toContain(other?.alarmName);
  });

  it('fails on an empty deployment with nothing run', async () => {
    const outcome = await createMonitoringAct(() => []).run({
      seed: 1,
      progress: () => undefined,
      previous: [ranBefore({})],
    });
    expect(outcome.checks.map((c) => c.ok)).toEqual([false, false, false]);
  });
});

describe('demo failures: the DR drill checks', () => {
  const good: Omit<DrillResult, 'timeline'> = {
    servers: 300,
    waves: 6,
    concurrency: 6,
    launched: 300,
    launchFailed: 0,
    jobsStarted: 6,
    jobsReused: 2,
    jobsExpected: 6,
    quotaErrors: 0,
    failedCalls: 0,
    tableWriteConflicts: 0,
    failedInvocations: 0,
    throttles: 16,
    retries: 16,
    rateLimitErrors: 16,
    escalations: 0,
    peakConcurrentJobs: 5,
    peakServersInActiveJobs: 250,
    durationMs: 600_000,
  };
  const failing = (result: Omit<DrillResult, 'timeline'>, throttles: number): string[] =>
    drillChecks(result, throttles)
      .filter((c) => !c.ok)
      .map((c) => c.name);

  it('passes a good drill', () => {
    expect(failing(good, 16)).toEqual([]);
  });

  it.each([
    [
      'the handlers recorded no RateLimitErrors',
      { ...good, rateLimitErrors: 0 },
      16,
      'the handlers recorded RateLimitErrors for every throttle (the DR alarm watches it)',
    ],
    [
      'DRS never throttled',
      { ...good, rateLimitErrors: 0 },
      0,
      'DRS throttled the drill and every throttled call was retried',
    ],
    [
      'a call failed for good',
      { ...good, failedCalls: 1 },
      16,
      'DRS throttled the drill and every throttled call was retried',
    ],
    [
      'a quota error',
      { ...good, quotaErrors: 1, rateLimitErrors: 17 },
      16,
      'no DRS quota was ever exceeded',
    ],
    [
      'a server did not launch',
      { ...good, launched: 299, launchFailed: 1 },
      16,
      'every source server launched a recovery instance',
    ],
    [
      'a job started twice',
      { ...good, jobsStarted: 7 },
      16,
      'each job started exactly once, redeliveries included',
    ],
  ] as const)('fails when %s', (_case, result, throttles, name) => {
    expect(failing(result, throttles)).toContain(name);
  });
});
