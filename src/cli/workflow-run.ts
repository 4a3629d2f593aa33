/**
 * `opskit workflow run`: synthesizes the example workflow (or reads a synthesized template),
 * sends one message to its queue and runs it locally — SQS → Pipe → the state machine's own
 * definition in the ASL interpreter → the real stage handlers on the S3 model, Glue simulated,
 * all in virtual time — then prints the execution timeline or JSON.
 */
import { VirtualClock } from '../simulation/virtual-clock.js';
import { WorkflowError } from '../workflow/errors.js';
import { validateStateMachines } from '../workflow/local-run/asl-validation.js';
import {
  EXAMPLE_INPUT,
  EXAMPLE_STAGE_IMPLEMENTATIONS,
  exampleGlueJob,
  synthesizeExampleWorkflow,
} from '../workflow/local-run/example.js';
import type { ExecutionResult } from '../workflow/local-run/runner.js';
import type { CfnTemplate, WorkflowType } from '../workflow/local-run/template.js';
import { createWorkflowWorld, type WorkflowWorld } from '../workflow/local-run/world.js';
import { parseCommandFlags } from './flags.js';
import { CliUsageError, ExitCodes } from './errors.js';
import type { CliIo } from './io.js';

export const WORKFLOW_RUN_HELP = `Usage: opskit workflow run [options]

Runs the example S3 workflow (ETL -> Filter -> Score -> Store -> Reactive; STANDARD adds a
Glue step) locally: one message on its queue, delivered by the Pipe to the synthesized state
machine, whose tasks run the real stage handlers against a simulated S3. Virtual time: retries
and Glue runs take no real time.

Options:
  --type express|standard   Workflow type of the example (default: express)
  --input <file.json>       The message body (the workflow's initialData); default: a sample
  --template <file.json>    Run a synthesized template (cdk.out/<Stack>.template.json) of an
                            S3Workflow whose stages are named like the example's
  --json                    Print the execution as JSON instead of the timeline
  -h, --help                Show this help
`;

const OPTIONS = {
  type: { type: 'string' },
  input: { type: 'string' },
  template: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A run longer than this (virtual) is reported, not waited for. */
const MAX_VIRTUAL_MS = 6 * 60 * 60_000;

function parseFlags(args: readonly string[]) {
  return parseCommandFlags(args, OPTIONS, 'workflow run');
}

function workflowType(raw: string | undefined): WorkflowType {
  const value = (raw ?? 'express').toLowerCase();
  if (value === 'express') return 'EXPRESS';
  if (value === 'standard') return 'STANDARD';
  throw new CliUsageError(`--type must be 'express' or 'standard', got '${raw}'.`);
}

async function readJson(io: CliIo, flag: string, path: string): Promise<unknown> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (error) {
    throw new CliUsageError(
      `--${flag}: cannot read '${path}': ${(error as Error).message}. Check the path.`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliUsageError(`--${flag}: '${path}' is not valid JSON: ${(error as Error).message}.`);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The execution timeline: one line per state entry, then what it wrote to S3. */
export function renderTimeline(result: ExecutionResult): string {
  const lines = [
    `${result.type} execution ${result.name}: ${result.status} in ${seconds(result.durationMs)} (virtual time)`,
    '',
    `${'state'.padEnd(22)}${'type'.padEnd(8)}${'start'.padEnd(10)}${'duration'.padEnd(10)}${'tries'.padEnd(7)}outcome`,
  ];
  for (const state of result.states) {
    const start = `+${seconds(state.enteredAt - result.startTime)}`;
    const duration = seconds((state.exitedAt ?? result.stopTime) - state.enteredAt);
    lines.push(
      `${state.name.padEnd(22)}${state.type.padEnd(8)}${start.padEnd(10)}${duration.padEnd(10)}` +
        `${String(state.attempts).padEnd(7)}${state.outcome}`,
    );
    for (const error of state.errors) lines.push(`${''.padEnd(24)}! ${error.error}`);
    for (const write of state.s3Writes) {
      const size = write.bytes === undefined ? '' : ` (${write.bytes} B)`;
      lines.push(`${''.padEnd(24)}-> s3://${write.bucket}/${write.key}${size}`);
    }
  }
  if (result.error !== undefined) {
    lines.push('', `Error: ${result.error}`, `Cause: ${result.cause ?? ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** asl-validator's verdict first: an invalid definition is reported as such, not run. */
function checkDefinitions(template: CfnTemplate): void {
  let results: ReturnType<typeof validateStateMachines>;
  try {
    results = validateStateMachines(template);
  } catch (error) {
    if (error instanceof WorkflowError) {
      throw new CliUsageError(`The template cannot run locally: ${error.message}`);
    }
    throw error;
  }
  const invalid = Object.entries(results).filter(([, result]) => !result.isValid);
  if (invalid.length > 0) {
    throw new CliUsageError(
      invalid
        .map(
          ([id, result]) =>
            `State machine ${id} is not valid ASL (asl-validator):\n  ${result.errors.join('\n  ')}`,
        )
        .join('\n') + '\nFix the definition and synthesize again; nothing was run.',
    );
  }
}

function buildWorld(template: CfnTemplate, clock: VirtualClock): WorkflowWorld {
  try {
    return createWorkflowWorld({
      template,
      clock,
      stages: EXAMPLE_STAGE_IMPLEMENTATIONS,
      glueJobs: exampleGlueJob(),
    });
  } catch (error) {
    if (error instanceof WorkflowError) {
      throw new CliUsageError(`The template cannot run locally: ${error.message}`);
    }
    throw error;
  }
}

async function runOnce(template: CfnTemplate, input: unknown): Promise<ExecutionResult> {
  const clock = VirtualClock.install();
  try {
    const world = buildWorld(template, clock);
    try {
      world.send(input);
      // Until the Pipe has delivered the message and that execution has ended.
      return await clock.run(
        async () => {
          while (world.pipe.executions().length === 0) await clock.sleep(1_000);
          return world.pipe.executions()[0].done;
        },
        { maxVirtualMs: MAX_VIRTUAL_MS },
      );
    } finally {
      await world.dispose();
    }
  } finally {
    clock.uninstall();
  }
}

/** Runs the command; returns the exit code. Usage problems are thrown as CliUsageError. */
export async function workflowRun(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args);
  if (flags.help === true) {
    io.stdout(WORKFLOW_RUN_HELP);
    return ExitCodes.ok;
  }
  if (flags.template !== undefined && flags.type !== undefined) {
    throw new CliUsageError(
      '--type applies to the example; a --template has its own type. Drop one.',
    );
  }
  const type = workflowType(flags.type);
  const input =
    flags.input === undefined ? EXAMPLE_INPUT : await readJson(io, 'input', flags.input);
  const template =
    flags.template === undefined
      ? synthesizeExampleWorkflow(type)
      : ((await readJson(io, 'template', flags.template)) as CfnTemplate);
  checkDefinitions(template);
  const result = await runOnce(template, input);
  io.stdout(flags.json === true ? `${JSON.stringify(result, null, 2)}\n` : renderTimeline(result));
  if (result.status !== 'SUCCEEDED') {
    io.stderr(`The execution ended ${result.status}.\n`);
    return ExitCodes.failure;
  }
  return ExitCodes.ok;
}
