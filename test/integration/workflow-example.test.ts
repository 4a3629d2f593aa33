/**
 * End-to-end runs of the example workflow (ETL → [Glue normalize] → Filter → Score → Store →
 * Reactive) as synthesized: SQS → Pipe → the state machine's own definition in the ASL
 * interpreter → the REAL stage handlers on the S3 model, Glue simulated. Virtual time.
 */
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';
import {
  EXAMPLE_INPUT,
  EXAMPLE_STAGE_IMPLEMENTATIONS,
  exampleGlueJob,
  synthesizeExampleWorkflow,
} from '../../src/workflow/local-run/example.js';
import type { SimulatedGlueJob } from '../../src/workflow/local-run/glue.js';
import { lifecycleDueTime } from '../../src/simulation/models/s3-lifecycle.js';
import { payloadBytes } from '../../src/workflow/local-run/payload-limit.js';
import type { ExecutionResult, LocalLambdaHandler } from '../../src/workflow/local-run/runner.js';
import type { CfnTemplate } from '../../src/workflow/local-run/template.js';
import { createWorkflowWorld, type WorkflowWorld } from '../../src/workflow/local-run/world.js';
import { expectValidStateMachines } from '../workflow/helpers/asl.js';

const STAGES = ['etl', 'filter', 'score', 'store', 'reactive'] as const;
let express: CfnTemplate;
let standard: CfnTemplate;
let world: WorkflowWorld | undefined;

beforeAll(() => {
  express = synthesizeExampleWorkflow('EXPRESS');
  standard = synthesizeExampleWorkflow('STANDARD');
});

afterEach(async () => {
  await world?.dispose();
  world?.clock.uninstall();
  world = undefined;
});

interface WorldOptions {
  readonly wrapStage?: (stage: string, handler: LocalLambdaHandler) => LocalLambdaHandler;
  readonly glue?: Omit<SimulatedGlueJob, 'transform'>;
}

function start(template: CfnTemplate, options: WorldOptions = {}): WorkflowWorld {
  const clock = VirtualClock.install();
  world = createWorkflowWorld({
    template,
    clock,
    stages: EXAMPLE_STAGE_IMPLEMENTATIONS,
    glueJobs: exampleGlueJob(options.glue),
    ...(options.wrapStage === undefined ? {} : { wrapStage: options.wrapStage }),
  });
  return world;
}

/** Fails the first `times` calls of `stage`. */
function failing(stage: string, times: number): WorldOptions['wrapStage'] {
  let calls = 0;
  return (name, handler) =>
    name !== stage
      ? handler
      : (event, context) => {
          calls++;
          return calls <= times
            ? Promise.reject(new Error(`injected failure ${calls} of ${stage}`))
            : handler(event, context);
        };
}

/** Sends one message and runs until the Pipe has started and finished its executions. */
async function deliver(
  w: WorkflowWorld,
  body: unknown,
  forMs = 60 * 60_000,
): Promise<ExecutionResult[]> {
  w.send(body);
  await w.clock.advance(forMs);
  await w.clock.run(() => w.pipe.stop());
  return w.pipe.settled();
}

/** Runs `body` in a fresh world and always tears it down (property runs share the globals). */
async function inWorld(
  template: CfnTemplate,
  options: WorldOptions,
  body: (w: WorkflowWorld) => Promise<void>,
): Promise<void> {
  const w = start(template, options);
  try {
    await body(w);
  } finally {
    await w.dispose();
    w.clock.uninstall();
    world = undefined;
  }
}

function taskNames(result: ExecutionResult): string[] {
  return result.states.filter((s) => s.type === 'Task').map((s) => s.name);
}

describe('workflow example, end to end: Express', () => {
  it('has valid ASL definitions for both variants', () => {
    expect(expectValidStateMachines(express)).toBe(1);
    expect(expectValidStateMachines(standard)).toBe(1);
  });

  it('runs ETL → Filter → Score → Store → Reactive from one SQS message, data in S3 only', async () => {
    const w = start(express);
    const [execution, ...others] = await deliver(w, EXAMPLE_INPUT);
    expect(others).toEqual([]);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(taskNames(execution)).toEqual([...STAGES]);
    for (const stage of STAGES) {
      const key = `executions/${execution.name}/${stage}/output.json`;
      expect(await w.s3.readText(w.bucket, key), key).toBeDefined();
    }
    const reactive = JSON.parse(
      (await w.s3.readText(w.bucket, `executions/${execution.name}/reactive/output.json`)) ?? '{}',
    ) as { actions?: unknown[] };
    expect(Array.isArray(reactive.actions)).toBe(true);
    // The message was processed: deleted, nothing in the DLQ.
    expect(w.sqs.counts(w.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(w.sqs.messages(w.dlqUrl)).toEqual([]);
    // Each stage's writes are attributed to its state.
    for (const state of execution.states.filter((s) => s.type === 'Task')) {
      expect(state.s3Writes.map((write) => write.key)).toContain(
        `executions/${execution.name}/${state.name}/output.json`,
      );
    }
  });

  it('retries a failing stage after 20 s and then succeeds (2 attempts, backoff 2)', async () => {
    const w = start(express, { wrapStage: failing('filter', 1) });
    const [execution] = await deliver(w, EXAMPLE_INPUT);
    expect(execution?.status).toBe('SUCCEEDED');
    const filter = execution.states.find((s) => s.name === 'filter');
    expect(filter?.attempts).toBe(2);
    expect(filter?.errors.map((e) => e.error)).toEqual(['Error']);
    expect((filter?.exitedAt ?? 0) - (filter?.enteredAt ?? 0)).toBeGreaterThanOrEqual(20_000);
    expect(w.pipe.deliveries().map((d) => d.outcome)).toEqual(['succeeded']);
  });

  it('runs a stage that fails with a permanent kit error once, and retries a transient one', async () => {
    // Prepare: filter may not read etl's output (403 → StageAccessDeniedError, permanent).
    const w = start(express);
    w.s3.deny((r) => r.operation === 'GetObject' && /\/etl\/output\.json$/.test(r.key ?? ''));

    // Act: one receive of the message.
    w.send(EXAMPLE_INPUT);
    await w.clock.advance(2 * 60_000);
    const [permanent] = await w.pipe.settled();

    // Assess: one attempt, no 20 s wait, the typed error is the execution's.
    expect(permanent?.status).toBe('FAILED');
    expect(permanent?.error).toBe('StageAccessDeniedError');
    const filter = permanent?.states.find((s) => s.name === 'filter');
    expect(filter?.attempts).toBe(1);
    expect((filter?.exitedAt ?? 0) - (filter?.enteredAt ?? 0)).toBeLessThan(20_000);

    // Act: a transient failure (any other error) of the same stage, in a fresh world.
    await w.dispose();
    w.clock.uninstall();
    const t = start(express, { wrapStage: failing('filter', Infinity) });
    t.send(EXAMPLE_INPUT);
    await t.clock.advance(2 * 60_000);
    const [transient] = await t.pipe.settled();

    // Assess: 1 + 2 retries, 20 s then 40 s apart.
    const retried = transient?.states.find((s) => s.name === 'filter');
    expect(retried?.attempts).toBe(3);
    expect((retried?.exitedAt ?? 0) - (retried?.enteredAt ?? 0)).toBeGreaterThanOrEqual(60_000);
  });

  it('sends a poison message to the DLQ after 3 receives', async () => {
    const w = start(express, { wrapStage: failing('score', Infinity) });
    const executions = await deliver(w, EXAMPLE_INPUT);
    expect(executions.map((e) => e.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(w.pipe.deliveries().map((d) => d.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(w.sqs.messages(w.dlqUrl).map((m) => JSON.parse(m.body) as unknown)).toEqual([
      EXAMPLE_INPUT,
    ]);
    expect(w.sqs.counts(w.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('fails with States.DataLimitExceeded when a message makes a state payload exceed 256 KB', async () => {
    const w = start(express);
    const big = Array.from({ length: 2_000 }, (_, i) => ({
      customerId: `c-${i}`,
      note: 'x'.repeat(140),
    }));
    expect(JSON.stringify(big).length).toBeGreaterThan(262_144);
    const executions = await deliver(w, big);
    expect(executions[0]?.status).toBe('FAILED');
    expect(executions[0]?.error).toBe('States.DataLimitExceeded');
    // Not caught by the workflow's States.ALL catch into a Fail state.
    expect(executions[0]?.states.some((s) => s.type === 'Fail')).toBe(false);
  });
});

describe('workflow example, end to end: Standard with Glue', () => {
  it('runs ETL → Glue normalize → Filter → Score → Store → Reactive; payloads stay small', async () => {
    const w = start(standard);
    const [execution] = await deliver(w, EXAMPLE_INPUT);
    expect(execution?.error ?? '', execution?.cause).toBe('');
    expect(execution?.status).toBe('SUCCEEDED');
    expect(taskNames(execution)).toEqual([
      'etl',
      'normalize',
      'filter',
      'score',
      'store',
      'reactive',
    ]);
    const normalized = await w.s3.readText(
      w.bucket,
      `executions/${execution.name}/normalize/output.json`,
    );
    expect(normalized?.trim().split('\n').length).toBeGreaterThan(0);
    expect(w.glue.jobRuns().map((run) => run.JobRunState)).toEqual(['SUCCEEDED']);
    for (const state of execution.states) {
      expect(payloadBytes(state.output)).toBeLessThan(8_192);
    }
    // Fire-and-forget: the message was deleted as soon as the execution started.
    expect(w.pipe.invocationType).toBe('FIRE_AND_FORGET');
    expect(w.sqs.counts(w.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});

describe('workflow example: observability', () => {
  it('logs the execution history (level ALL, with execution data) as Step Functions would', async () => {
    // Prepare
    const w = start(express);
    expect(w.machine.logging).toEqual({
      level: 'ALL',
      includeExecutionData: true,
      logGroupArn: expect.stringMatching(/^arn:aws:logs:us-east-1:123456789012:log-group:.+:\*$/),
      logGroupName: expect.any(String),
    });

    // Act
    const [execution] = await deliver(w, EXAMPLE_INPUT, 60_000);

    // Assess: one execution's events, in order, ids chained.
    const events = execution.logEvents;
    expect(events.every((e) => e.execution_arn === execution.executionArn)).toBe(true);
    events.forEach((event, index) => {
      expect(event.id).toBe(String(index + 1));
      expect(event.previous_event_id).toBe(String(index));
    });
    expect(events[0]?.type).toBe('ExecutionStarted');
    expect(JSON.parse(String(events[0]?.details.input))).toEqual([
      expect.objectContaining({ body: JSON.stringify(EXAMPLE_INPUT) }),
    ]);
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    for (const stage of STAGES) {
      const entered = events.find((e) => e.type === 'TaskStateEntered' && e.details.name === stage);
      const exited = events.find((e) => e.type === 'TaskStateExited' && e.details.name === stage);
      // Execution data included: the stage's input (the small context) and its output.
      expect(JSON.parse(String(entered?.details.input))).toMatchObject({
        initialData: EXAMPLE_INPUT,
      });
      expect(exited?.details.outputDetails).toEqual({ truncated: false });
      expect(Number(exited?.event_timestamp)).toBeGreaterThanOrEqual(
        Number(entered?.event_timestamp),
      );
    }
    expect(events.filter((e) => e.type === 'TaskScheduled')).toHaveLength(STAGES.length);
  });

  it('logs a failed attempt and the execution failure with the error and cause', async () => {
    const w = start(express, { wrapStage: failing('score', Infinity) });
    w.send(EXAMPLE_INPUT);
    await w.clock.advance(2 * 60_000);
    const [execution] = await w.pipe.settled();
    const failed = execution?.logEvents.filter((e) => e.type === 'TaskFailed') ?? [];
    expect(failed).toHaveLength(3);
    expect(failed[0]?.details).toMatchObject({
      error: 'Error',
      resourceType: 'lambda',
      resource: 'invoke',
    });
    expect(execution?.logEvents.at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      details: { error: 'Error', cause: expect.stringContaining('injected failure 3 of score') },
    });
  });

  it('enables X-Ray tracing on the state machine (traces themselves cannot be checked locally)', () => {
    for (const template of [express, standard]) {
      const machines = Object.values(template.Resources ?? {}).filter(
        (r) => r.Type === 'AWS::StepFunctions::StateMachine',
      );
      expect(machines.map((m) => m.Properties?.TracingConfiguration)).toEqual([{ Enabled: true }]);
    }
  });
});

describe('workflow example: lifecycle of execution data (time travel)', () => {
  it('empties executions/ 7 days after the run (rounded up to midnight UTC) and keeps other keys', async () => {
    // Prepare: a finished run and an object outside executions/.
    const w = start(express);
    expect(w.s3.lifecycleRules(w.bucket)).toEqual([
      {
        id: 'ExpireExecutionData',
        prefix: 'executions/',
        expirationDays: 7,
        abortIncompleteMultipartUploadDays: 1,
      },
    ]);
    const [execution] = await deliver(w, EXAMPLE_INPUT, 60_000);
    expect(execution?.status).toBe('SUCCEEDED');
    await w.s3.putText(w.bucket, 'reports/2025-01.json', '{}');
    const written = w.s3.keys(w.bucket, 'executions/');
    expect(written.length).toBeGreaterThanOrEqual(10);
    const lastWrite = Math.max(
      ...written.map((key) => w.s3.info(w.bucket, key)?.lastModified.getTime() ?? 0),
    );
    const due = lifecycleDueTime(lastWrite, 7);
    expect(due - lastWrite).toBeGreaterThanOrEqual(7 * 86_400_000);

    // Act + Assess: still there 1 ms before the due time, gone at it.
    await w.clock.advance(due - w.clock.now() - 1);
    expect(w.s3.keys(w.bucket, 'executions/').length).toBeGreaterThan(0);
    await w.clock.advance(1);
    expect(w.s3.keys(w.bucket, 'executions/')).toEqual([]);
    expect(w.s3.keys(w.bucket)).toEqual(['reports/2025-01.json']);
  });
});

describe('workflow example: spec properties', () => {
  it('Property 14: Express Workflow Failure Handling — a failed execution fails the Pipe batch, so SQS redelivers the message', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...STAGES), async (stage) => {
        await inWorld(express, { wrapStage: failing(stage, Infinity) }, async (w) => {
          w.send(EXAMPLE_INPUT);
          // One receive: the execution fails after its retries (60 s); the message is in flight.
          await w.clock.advance(2 * 60_000);
          const [first] = await w.pipe.settled();
          expect(first?.status).toBe('FAILED');
          expect(w.pipe.deliveries().map((d) => d.outcome)).toEqual(['failed']);
          expect(w.sqs.messages(w.queueUrl).map((m) => m.receiveCount)).toEqual([1]);
        });
      }),
      { numRuns: 5 },
    );
  });

  it("Property 15: Express Workflow Structure — the stages run once each, in order, each reading the previous one's output", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            customerId: fc.constantFrom('a', 'b', 'c'),
            type: fc.constantFrom('purchase', 'view', 'refund'),
            amount: fc.integer({ min: 0, max: 100_000 }),
            timestamp: fc.constant('2025-01-01T00:00:00Z'),
          }),
          { maxLength: 20 },
        ),
        async (records) => {
          await inWorld(express, {}, async (w) => {
            const [execution] = await deliver(w, records, 60_000);
            expect(execution?.status).toBe('SUCCEEDED');
            expect(taskNames(execution)).toEqual([...STAGES]);
            const results = await Promise.all(
              STAGES.map((stage) =>
                w.s3.readText(w.bucket, `executions/${execution.name}/${stage}/result.json`),
              ),
            );
            results.forEach((text, index) => {
              const result = JSON.parse(text ?? '{}') as { stage?: string; input?: string };
              expect(result.stage).toBe(STAGES[index]);
              // The first stage reads initialData; each later one its predecessor's output.
              expect(result.input).toBe(
                index === 0
                  ? 'initialData'
                  : `s3://${w.bucket}/executions/${execution.name}/${STAGES[index - 1]}/output.json`,
              );
            });
          });
        },
      ),
      { numRuns: 4 },
    );
  });

  it('Property 29: Glue Job Failure Handling — a failed job run is retried after 5 minutes; failing twice fails the execution before later stages', async () => {
    const w = start(standard, { glue: { failRun: () => 'executor lost' } });
    const [execution] = await deliver(w, EXAMPLE_INPUT);
    expect(execution?.status).toBe('FAILED');
    expect(execution?.error).toBe('States.TaskFailed');
    expect(w.glue.jobRuns().map((run) => run.JobRunState)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(taskNames(execution)).toEqual(['etl', 'normalize']);
    const normalize = execution.states.find((s) => s.name === 'normalize');
    // 3 runs of 2 minutes, retries after 5 and 10 minutes.
    expect((normalize?.exitedAt ?? 0) - (normalize?.enteredAt ?? 0)).toBe(
      3 * 120_000 + 300_000 + 600_000,
    );
  });

  it('Property 30: Step Failure State Transition — a step failing after its retries ends the execution in its Fail state with the error and cause', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...STAGES), async (stage) => {
        await inWorld(standard, { wrapStage: failing(stage, Infinity) }, async (w) => {
          const [execution] = await deliver(w, EXAMPLE_INPUT);
          expect(execution?.status).toBe('FAILED');
          expect(execution?.error).toBe('Error');
          expect(execution?.cause).toContain(`injected failure 3 of ${stage}`);
          const names = execution.states.map((s) => s.name);
          expect(names.at(-1)).toMatch(new RegExp(`^${stage}`));
          expect(execution.states.at(-1)?.type).toBe('Fail');
          const index = STAGES.indexOf(stage);
          for (const later of STAGES.slice(index + 1)) expect(names).not.toContain(later);
        });
      }),
      { numRuns: 5 },
    );
  });

  it('Property 33: Express Workflow SQS Retry — a transient failure succeeds on the next receive; a permanent one reaches the DLQ after 3', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), async (failedReceives) => {
        // Each receive runs the stage 3 times (1 + 2 retries).
        await inWorld(express, { wrapStage: failing('store', failedReceives * 3) }, async (w) => {
          const executions = await deliver(w, EXAMPLE_INPUT);
          const expectedFailures = Math.min(failedReceives, 3);
          expect(executions.filter((e) => e.status === 'FAILED')).toHaveLength(expectedFailures);
          if (failedReceives < 3) {
            expect(executions.at(-1)?.status).toBe('SUCCEEDED');
            expect(w.sqs.messages(w.dlqUrl)).toEqual([]);
          } else {
            expect(w.sqs.messages(w.dlqUrl)).toHaveLength(1);
          }
        });
      }),
      { numRuns: 4 },
    );
  });
});
