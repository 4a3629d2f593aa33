/**
 * `opskit`: the command line of the kit. `main` takes argv and an IO object and returns the
 * exit code, so tests run it in process; bin/opskit.ts wires it to the real process.
 */
import { ScenarioError } from '../load-shedding/simulator/scenario.js';
import { KIT_VERSION } from '../version.js';
import { CliUsageError, ExitCodes } from './errors.js';
import { demo } from './demo.js';
import { SIMULATE_HELP, TOP_HELP, WORKFLOW_HELP } from './help.js';
import { synth } from './synth.js';
import { processIo, type CliIo } from './io.js';
import { simulateDrs } from './simulate-drs.js';
import { simulateLoadShedding } from './simulate-load-shedding.js';
import { workflowRun } from './workflow-run.js';
import { workflowSmoke } from './workflow-smoke.js';

const isHelp = (arg: string | undefined): boolean => arg === '--help' || arg === '-h';

async function simulate(args: readonly string[], io: CliIo): Promise<number> {
  const [capability, ...rest] = args;
  if (capability === undefined) {
    throw new CliUsageError(`name what to simulate.\n\n${SIMULATE_HELP}`);
  }
  if (isHelp(capability)) {
    io.stdout(SIMULATE_HELP);
    return ExitCodes.ok;
  }
  if (capability === 'load-shedding') return simulateLoadShedding(rest, io);
  if (capability === 'drs') return simulateDrs(rest, io);
  throw new CliUsageError(
    `unknown capability '${capability}' for 'opskit simulate'. Available: load-shedding, drs. ` +
      "Run 'opskit simulate --help'.",
  );
}

async function workflow(args: readonly string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined) {
    throw new CliUsageError(
      "name what to do: 'opskit workflow run' or 'opskit workflow smoke'. Run 'opskit workflow --help'.",
    );
  }
  if (isHelp(subcommand)) {
    io.stdout(WORKFLOW_HELP);
    return ExitCodes.ok;
  }
  if (subcommand === 'run') return workflowRun(rest, io);
  if (subcommand === 'smoke') return workflowSmoke(rest, io);
  throw new CliUsageError(
    `unknown subcommand '${subcommand}' for 'opskit workflow'. Available: run, smoke. ` +
      "Run 'opskit workflow --help'.",
  );
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || isHelp(command)) {
    io.stdout(TOP_HELP);
    return ExitCodes.ok;
  }
  if (command === '--version' || command === '-v') {
    io.stdout(`${KIT_VERSION}\n`);
    return ExitCodes.ok;
  }
  if (command === 'simulate') return simulate(rest, io);
  if (command === 'demo') return demo(rest, io);
  if (command === 'synth') return synth(rest, io);
  if (command === 'workflow') return workflow(rest, io);
  throw new CliUsageError(
    `unknown ${command.startsWith('-') ? 'option' : 'command'} '${command}'. ` +
      "Run 'opskit --help' for the commands.",
  );
}

/** Runs `opskit` with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof CliUsageError || error instanceof ScenarioError) {
      io.stderr(`opskit: ${error.message}\n`);
      return ExitCodes.usage;
    }
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`opskit: unexpected error: ${text}\n`);
    return ExitCodes.failure;
  }
}
