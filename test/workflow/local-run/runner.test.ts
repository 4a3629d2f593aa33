import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3Model } from '../../../src/simulation/models/s3.js';
import { createSimulatedClient } from '../../../src/simulation/sdk-mount.js';
import type { ServiceModel } from '../../../src/simulation/service-model.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';
import { LocalRunConfigError } from '../../../src/workflow/local-run/errors.js';
import { SimulatedGlue, jsonGlueJob } from '../../../src/workflow/local-run/glue.js';
import { s3ObjectStore } from '../../../src/workflow/local-run/object-store.js';
import {
  LocalStateMachine,
  type LocalLambdaHandler,
} from '../../../src/workflow/local-run/runner.js';
import type { CfnTemplate } from '../../../src/workflow/local-run/template.js';
import { FIXTURE_BUCKET, functionIdOf, synthFixture } from './fixtures.js';

let express: CfnTemplate;
let expressCatch: CfnTemplate;
let expressBig: CfnTemplate;
let standardGlue: CfnTemplate;
let clock: VirtualClock | undefined;

beforeAll(() => {
  express = synthFixture({ steps: ['etl', 'filter'] });
  expressCatch = synthFixture({
    steps: ['etl', 'filter'],
    catchAll: true,
    lambdaTimeoutSeconds: 900,
  });
  expressBig = synthFixture({ steps: ['etl'], bigOutputBytes: 300_000 });
  standardGlue = synthFixture({ steps: ['etl', 'glue:score', 'filter'], type: 'STANDARD' });
});

afterEach(() => {
  clock?.uninstall();
  clock = undefined;
});

const ok: LocalLambdaHandler = () => Promise.resolve({ ok: true });
/** A handler from a synchronous function (a throw becomes a rejection, as in an async one). */
const sync =
  (fn: (event: unknown) => unknown): LocalLambdaHandler =>
  (event) =>
    Promise.resolve().then(() => fn(event));

function machineOf(
  template: CfnTemplate,
  handlers: Record<string, LocalLambdaHandler>,
  extra: Partial<ConstructorParameters<typeof LocalStateMachine>[0]> = {},
): { machine: LocalStateMachine; clock: VirtualClock } {
  clock = VirtualClock.install();
  const lambdas = Object.fromEntries(
    Object.entries(handlers).map(([step, handler]) => [functionIdOf(template, step), handler]),
  );
  return { machine: new LocalStateMachine({ template, clock, lambdas, ...extra }), clock };
}

class StageBrokeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StageBrokeError';
  }
}

describe('local-run: LocalStateMachine runs tasks', () => {
  it('runs each Lambda task through its bound handler with the rendered payload', async () => {
    // Prepare
    const seen: unknown[] = [];
    const record: LocalLambdaHandler = sync((event) => {
      seen.push(event);
      return { ok: true };
    });
    const { machine, clock } = machineOf(express, { etl: record, filter: record });
    // Act
    const result = await clock.run(() =>
      machine.run([{ body: { orders: 3 } }], { name: 'exec-1' }),
    );
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.executionArn).toMatch(
      /^arn:aws:states:us-east-1:123456789012:express:.+:exec-1$/,
    );
    expect(seen).toEqual([
      {
        executionId: 'exec-1',
        currentStage: 'etl',
        workflowBucket: FIXTURE_BUCKET,
        initialData: { orders: 3 },
      },
      {
        executionId: 'exec-1',
        currentStage: 'filter',
        previousStage: 'etl',
        workflowBucket: FIXTURE_BUCKET,
        initialData: { orders: 3 },
      },
    ]);
    expect(result.states.map((s) => [s.name, s.outcome, s.attempts])).toEqual([
      ['Unwrap', 'succeeded', 1],
      ['Step-etl', 'succeeded', 1],
      ['Step-filter', 'succeeded', 1],
    ]);
    // ResultPath null: the state output is its input, the Lambda result is discarded.
    expect(result.output).toEqual({ executionId: 'exec-1', initialData: { orders: 3 } });
    expect(machine.executions()).toHaveLength(1);
  });

  it('retries a failing stage after 20 s of virtual time, not real time', async () => {
    let calls = 0;
    const { machine, clock } = machineOf(express, {
      etl: sync(() => {
        calls++;
        if (calls === 1) throw new StageBrokeError('first attempt breaks');
        return {};
      }),
      filter: ok,
    });
    const realStart = performance.now();
    const result = await clock.run(() => machine.run([{ body: {} }]));
    expect(result.status).toBe('SUCCEEDED');
    expect(calls).toBe(2);
    expect(result.durationMs).toBe(20_000);
    expect(performance.now() - realStart).toBeLessThan(5_000);
    const etl = result.states.find((s) => s.name === 'Step-etl');
    expect(etl?.attempts).toBe(2);
    expect(etl?.errors[0]?.error).toBe('StageBrokeError');
  });

  it('fails the execution with the Lambda error type and a Lambda-shaped cause after 2 retries', async () => {
    let calls = 0;
    const { machine, clock } = machineOf(express, {
      etl: sync(() => {
        calls++;
        throw new StageBrokeError(`attempt ${calls}`);
      }),
      filter: ok,
    });
    const result = await clock.run(() => machine.run([{ body: {} }]));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StageBrokeError');
    const cause = JSON.parse(result.cause ?? '{}') as Record<string, unknown>;
    expect(cause).toMatchObject({ errorType: 'StageBrokeError', errorMessage: 'attempt 3' });
    expect(calls).toBe(3);
    // 20 s, then 40 s (backoff 2).
    expect(result.durationMs).toBe(60_000);
  });

  it('reports a Lambda timeout as Sandbox.Timedout', async () => {
    const { machine, clock } = machineOf(express, {
      etl: async () => {
        await clock.sleep(31_000);
        return {};
      },
      filter: ok,
    });
    const result = await clock.run(() => machine.run([{ body: {} }]));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Sandbox.Timedout');
  });

  it('lets a Catch route a failed stage to the Fail state', async () => {
    const { machine, clock } = machineOf(expressCatch, {
      etl: sync(() => {
        throw new StageBrokeError('always');
      }),
      filter: ok,
    });
    const result = await clock.run(() => machine.run([{ body: {} }]));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StageFailed');
    expect(result.states.find((s) => s.name === 'Step-etl')?.outcome).toBe('caught');
    expect(result.states.map((s) => s.name)).toContain('Failed');
  });
});

describe('local-run: LocalStateMachine enforces Step Functions limits', () => {
  it('fails with States.DataLimitExceeded when a task result exceeds 256 KB, without retry or catch', async () => {
    let calls = 0;
    const { machine, clock } = machineOf(expressCatch, {
      etl: sync(() => {
        calls++;
        return { blob: 'x'.repeat(262_144) };
      }),
      filter: ok,
    });
    const result = await clock.run(() => machine.run([{ body: {} }]));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.DataLimitExceeded');
    expect(result.cause).toMatch(/result of task 'Step-etl' is \d+ bytes/);
    expect(calls).toBe(1);
    expect(result.states.map((s) => s.name)).not.toContain('Failed');
  });

  it('accepts a task result just under 256 KB (lambda:invoke wraps it with its metadata)', async () => {
    const blob = 'x'.repeat(261_500);
    const { machine, clock } = machineOf(express, { etl: sync(() => ({ blob })), filter: ok });
    const result = await clock.run(() => machine.run([{ body: {} }]));
    expect(result.status).toBe('SUCCEEDED');
  });

  it('fails when a state output exceeds 256 KB, even a Pass state', async () => {
    const { machine, clock } = machineOf(expressBig, { etl: ok });
    const result = await clock.run(() => machine.run([{ body: {} }]));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.DataLimitExceeded');
    expect(result.cause).toMatch(/output of state 'Big'/);
  });

  it('refuses an execution input above 256 KB before any state runs', async () => {
    let calls = 0;
    const { machine, clock } = machineOf(express, {
      etl: sync(() => {
        calls++;
        return {};
      }),
      filter: ok,
    });
    const result = await clock.run(() => machine.run([{ body: 'y'.repeat(300_000) }]));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.DataLimitExceeded');
    expect(result.states).toEqual([]);
    expect(calls).toBe(0);
  });

  it('stops a task before it runs when its input is already too large', async () => {
    let filterCalls = 0;
    const { machine, clock } = machineOf(
      express,
      {
        etl: ok,
        filter: sync(() => {
          filterCalls++;
          return {};
        }),
      },
      { maxPayloadBytes: 150 },
    );
    const result = await clock.run(() => machine.run([{ body: { note: 'z'.repeat(100) } }]));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.DataLimitExceeded');
    expect(filterCalls).toBe(0);
  });

  it('times out an Express execution after 5 minutes of virtual time', async () => {
    const slow = (): LocalLambdaHandler => async () => {
      await clock?.sleep(4 * 60_000);
      return {};
    };
    const { machine, clock: c } = machineOf(expressCatch, { etl: slow(), filter: slow() });
    const result = await c.run(() => machine.run([{ body: {} }]));
    expect(result.status).toBe('TIMED_OUT');
    expect(result.error).toBe('States.Timeout');
    expect(result.durationMs).toBe(300_000);
  });
});

describe('local-run: LocalStateMachine with Glue and S3', () => {
  function glueWorld(failFirst: boolean): {
    machine: LocalStateMachine;
    clock: VirtualClock;
    s3: S3Model;
    glue: SimulatedGlue;
  } {
    clock = VirtualClock.install();
    const s3 = new S3Model({ clock, buckets: [FIXTURE_BUCKET] });
    const holder: { machine?: LocalStateMachine } = {};
    // Writes go through the machine's recorder once it exists.
    const recorded: ServiceModel = {
      name: 's3',
      handle: (operation, input, context) =>
        (holder.machine?.recordingS3Model(s3) ?? s3).handle(operation, input, context),
    };
    const client = createSimulatedClient(S3Client, {}, recorded);
    const glue = new SimulatedGlue({
      clock,
      store: s3ObjectStore(client),
      jobs: {
        'job-score': jsonGlueJob((input) => (input as number[]).map((n) => n * 10), {
          durationMs: 90_000,
          ...(failFirst ? { failRun: (n: number) => (n === 1 ? 'executor lost' : undefined) } : {}),
        }),
      },
    });
    const writer =
      (step: string, data: unknown): LocalLambdaHandler =>
      async (event) => {
        const executionId = (event as { executionId: string }).executionId;
        await client.send(
          new PutObjectCommand({
            Bucket: FIXTURE_BUCKET,
            Key: `executions/${executionId}/${step}/output.json`,
            Body: JSON.stringify(data),
          }),
        );
        return {};
      };
    const machine = new LocalStateMachine({
      template: standardGlue,
      clock,
      glue,
      lambdas: {
        [functionIdOf(standardGlue, 'etl')]: writer('etl', [1, 2, 3]),
        [functionIdOf(standardGlue, 'filter')]: writer('filter', []),
      },
    });
    holder.machine = machine;
    return { machine, clock, s3, glue };
  }

  it('runs a glue:startJobRun.sync step through the simulated job, reading and writing S3', async () => {
    const { machine, clock, s3, glue } = glueWorld(false);
    const result = await clock.run(() => machine.run([{ body: {} }], { name: 'g1' }));
    expect(result.status).toBe('SUCCEEDED');
    expect(await s3.readText(FIXTURE_BUCKET, 'executions/g1/score/output.json')).toBe('[10,20,30]');
    expect(glue.jobRuns().map((run) => run.JobRunState)).toEqual(['SUCCEEDED']);
    const score = result.states.find((s) => s.name === 'Step-score');
    expect((score?.exitedAt ?? 0) - (score?.enteredAt ?? 0)).toBe(90_000);
    expect(result.states.find((s) => s.name === 'Step-etl')?.s3Writes.map((w) => w.key)).toEqual([
      'executions/g1/etl/output.json',
    ]);
    expect(score?.s3Writes.map((w) => w.key)).toEqual(['executions/g1/score/output.json']);
    expect(result.s3Writes).toHaveLength(3);
  });

  it('retries a failed Glue job run after 5 minutes', async () => {
    const { machine, clock, glue } = glueWorld(true);
    const result = await clock.run(() => machine.run([{ body: {} }]));
    expect(result.status).toBe('SUCCEEDED');
    expect(glue.jobRuns().map((run) => run.JobRunState)).toEqual(['FAILED', 'SUCCEEDED']);
    const score = result.states.find((s) => s.name === 'Step-score');
    expect(score?.attempts).toBe(2);
    expect(score?.errors[0]?.error).toBe('States.TaskFailed');
    expect(JSON.parse(score?.errors[0]?.cause ?? '{}')).toMatchObject({
      JobRunState: 'FAILED',
      ErrorMessage: 'executor lost',
    });
    // Two 90 s runs and the 5-minute retry interval.
    expect((score?.exitedAt ?? 0) - (score?.enteredAt ?? 0)).toBe(90_000 + 300_000 + 90_000);
  });
});

describe('local-run: LocalStateMachine configuration errors', () => {
  it('needs an installed global VirtualClock', () => {
    const isolated = VirtualClock.create();
    expect(
      () => new LocalStateMachine({ template: express, clock: isolated, lambdas: {} }),
    ).toThrow(/installed global VirtualClock/);
  });

  it('names the logical id of a function without a handler', () => {
    clock = VirtualClock.install();
    const c = clock;
    expect(
      () =>
        new LocalStateMachine({
          template: express,
          clock: c,
          lambdas: { [functionIdOf(express, 'etl')]: ok },
        }),
    ).toThrow(new RegExp(`options.lambdas\\['${functionIdOf(express, 'filter')}'\\]`));
  });

  it('refuses a binding to a resource that is not a Lambda function', () => {
    clock = VirtualClock.install();
    const c = clock;
    const roleId =
      Object.entries(express.Resources ?? {}).find(([, r]) => r.Type === 'AWS::IAM::Role')?.[0] ??
      '';
    expect(
      () => new LocalStateMachine({ template: express, clock: c, lambdas: { [roleId]: ok } }),
    ).toThrow(/not an AWS::Lambda::Function/);
  });

  it('asks for the simulated Glue when the definition has a Glue step', () => {
    clock = VirtualClock.install();
    const c = clock;
    expect(
      () =>
        new LocalStateMachine({
          template: standardGlue,
          clock: c,
          lambdas: {
            [functionIdOf(standardGlue, 'etl')]: ok,
            [functionIdOf(standardGlue, 'filter')]: ok,
          },
        }),
    ).toThrow(LocalRunConfigError);
  });
});
