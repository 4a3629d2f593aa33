/**
 * Act 3: the example S3 workflow (ETL -> Glue normalize -> Filter -> Score -> Store -> Reactive,
 * Standard type) processes a batch: a message on its queue, the EventBridge Pipe, the
 * synthesized state machine run by the ASL interpreter, the real stage handlers on simulated S3,
 * the Glue job simulated. Data moves through S3; only the small context travels the states.
 */
import { createRandom, deriveSeed } from '../../simulation/random.js';
import { VirtualClock } from '../../simulation/virtual-clock.js';
import {
  EXAMPLE_STAGE_IMPLEMENTATIONS,
  exampleGlueJob,
  synthesizeExampleWorkflow,
} from '../../workflow/local-run/example.js';
import { MAX_PAYLOAD_BYTES } from '../../workflow/local-run/errors.js';
import type { ExecutionResult } from '../../workflow/local-run/runner.js';
import type { Stage } from '../../workflow/stage.js';
import { createWorkflowWorld } from '../../workflow/local-run/world.js';
import type { ActContext, ActOutcome, DemoAct } from '../runner.js';
import type { DemoCheck, DemoEvent } from '../result.js';
import { functionUses, lambdaMetricSeries } from './metric-series.js';

/** Raw events in the demo's batch. */
export const WORKFLOW_BATCH_SIZE = 400;
/** The example stack the act synthesizes (the inventory builds the same one). */
export const WORKFLOW_TYPE = 'STANDARD' as const;
const MAX_VIRTUAL_MS = 60 * 60_000;
/** What the execution context (ids, stage names, bucket) may add to the input, at most. */
const CONTEXT_BYTES = 2048;

/** A seeded batch of raw events in the shapes the example's ETL stage accepts. */
export function demoBatch(seed: number, size = WORKFLOW_BATCH_SIZE): Record<string, unknown>[] {
  const random = createRandom(deriveSeed(seed, 'workflow-batch'));
  const types = ['purchase', 'view', 'refund', 'purchase', 'view'];
  return Array.from({ length: size }, (_, i) => {
    const customerId = `c-${1 + Math.floor(random() * 60)}`;
    const type = types[Math.floor(random() * types.length)];
    const cents = Math.round(random() * 200_000) / 100;
    if (i % 50 === 49) return { customer: 'unknown', kind: 'garbage' }; // dropped by ETL
    return {
      customerId,
      type,
      amount: i % 3 === 0 ? `$${cents.toFixed(2)}` : cents,
      timestamp: new Date(Date.UTC(2026, 10, 23, 8) + i * 60_000).toISOString(),
    };
  });
}

const jsonBytes = (value: unknown): number =>
  value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));

function checksOf(result: ExecutionResult, stages: readonly string[]): DemoCheck[] {
  const outputs = result.s3Writes.filter((w) => w.key.endsWith('/output.json'));
  const written = new Set(outputs.map((w) => w.key.split('/').at(-2)));
  const missing = stages.filter((stage) => !written.has(stage));
  const statePayload = Math.max(
    0,
    ...result.states.flatMap((s) => [jsonBytes(s.input), jsonBytes(s.output)]),
  );
  const inputBytes = jsonBytes(result.input);
  const dataBytes = outputs.reduce((sum, w) => sum + (w.bytes ?? 0), 0);
  const keysOk = outputs.every((w) => w.key.startsWith(`executions/${result.name}/`));
  return [
    {
      name: 'the execution succeeded',
      ok: result.status === 'SUCCEEDED',
      detail: `${result.status}${result.error === undefined ? '' : `: ${result.error}`}`,
    },
    {
      name: 'every stage wrote executions/{executionId}/{stage}/output.json',
      ok: missing.length === 0 && keysOk,
      detail:
        missing.length === 0
          ? `${outputs.length} outputs under executions/${result.name}/`
          : `missing: ${missing.join(', ')}`,
    },
    {
      // The execution input (the queue message, with the batch as initialData) rides along in
      // every state; what the stages produce must not.
      name: "the stages' outputs went through S3, never into the state payload",
      ok: statePayload <= inputBytes + CONTEXT_BYTES && dataBytes > statePayload,
      detail: `largest state payload ${statePayload} B = execution input ${inputBytes} B + ${statePayload - inputBytes} B of context (limit ${MAX_PAYLOAD_BYTES} B); ${dataBytes} B of stage outputs in S3`,
    },
  ];
}

function eventsOf(result: ExecutionResult): DemoEvent[] {
  const seconds = (time: number): number => (time - result.startTime) / 1000;
  return result.states.flatMap((state) => [
    {
      atSeconds: seconds(state.enteredAt),
      text: `${state.name} (${state.type}) ${state.outcome}${state.attempts > 1 ? ` after ${state.attempts} attempts` : ''}`,
    },
    ...state.s3Writes.map((write) => ({
      atSeconds: seconds(write.time),
      text: `  wrote s3://${write.bucket}/${write.key}${write.bytes === undefined ? '' : ` (${write.bytes} B)`}`,
    })),
  ]);
}

export interface WorkflowActOptions {
  /**
   * The stage handlers the functions run (tests swap one to see the act fail).
   * @default EXAMPLE_STAGE_IMPLEMENTATIONS
   */
  readonly stages?: Readonly<Record<string, Stage<never, unknown>>>;
  /** Raw events in the batch. @default WORKFLOW_BATCH_SIZE */
  readonly batchSize?: number;
}

/** The workflow act; every stage of the example must write its output, whatever runs them. */
export function createWorkflowAct(options: WorkflowActOptions = {}): DemoAct {
  return {
    id: 'workflow',
    title: 'S3-backed workflow processes a batch',
    run: (context) => runWorkflowAct(context, options),
  };
}

async function runWorkflowAct(
  context: ActContext,
  options: WorkflowActOptions,
): Promise<ActOutcome> {
  const batch = demoBatch(context.seed, options.batchSize);
  context.progress(
    `${batch.length} raw events -> ETL -> normalize (Glue) -> Filter -> Score -> Store -> Reactive`,
  );
  const template = synthesizeExampleWorkflow(WORKFLOW_TYPE);
  const clock = VirtualClock.install();
  try {
    const world = createWorkflowWorld({
      template,
      clock,
      stages: options.stages ?? EXAMPLE_STAGE_IMPLEMENTATIONS,
      glueJobs: exampleGlueJob(),
    });
    try {
      world.send(batch);
      const result = await clock.run(
        async () => {
          while (world.pipe.executions().length === 0) await clock.sleep(1_000);
          return world.pipe.executions()[0].done;
        },
        { maxVirtualMs: MAX_VIRTUAL_MS },
      );
      const stages = [...Object.keys(EXAMPLE_STAGE_IMPLEMENTATIONS), 'normalize'];
      const invocations = world.machine.runtime.invocations();
      const biggest = Math.max(0, ...result.s3Writes.map((w) => w.bytes ?? 0));
      return {
        checks: checksOf(result, stages),
        facts: [
          { label: 'raw events in the batch', value: String(batch.length) },
          { label: 'execution', value: `${result.type} ${result.name}: ${result.status}` },
          { label: 'duration (virtual)', value: `${(result.durationMs / 1000).toFixed(1)} s` },
          { label: 'states entered', value: String(result.states.length) },
          { label: 'S3 objects written', value: String(result.s3Writes.length) },
          { label: 'largest S3 object', value: `${biggest} B` },
        ],
        events: eventsOf(result),
        charts: [],
        functions: functionUses(invocations, (name) => name),
        metrics: lambdaMetricSeries(invocations, (name) => name, result.startTime),
        virtualSeconds: result.durationMs / 1000,
      };
    } finally {
      await world.dispose();
    }
  } finally {
    clock.uninstall();
  }
}

export const workflowAct: DemoAct = createWorkflowAct();
