/** `opskit simulate load-shedding`: flags → scenario → run → text, JSON and HTML reports. */
import { MAX_DELAY_SECONDS } from '../load-shedding/contract.js';
import { renderHtml } from '../load-shedding/simulator/report-html.js';
import { renderText } from '../load-shedding/simulator/report-text.js';
import { runScenario } from '../load-shedding/simulator/runner.js';
import {
  MAX_DURATION_MINUTES,
  ScenarioError,
  parseScenario,
  type Scenario,
} from '../load-shedding/simulator/scenario.js';
import { parseCommandFlags } from './flags.js';
import { CliUsageError, ExitCodes } from './errors.js';
import { LOAD_SHEDDING_HELP } from './help.js';
import type { CliIo } from './io.js';

const OPTIONS = {
  scenario: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  html: { type: 'string' },
  'print-scenario': { type: 'boolean' },
  duration: { type: 'string' },
  capacity: { type: 'string' },
  'spike-multiplier': { type: 'string' },
  'shed-percent': { type: 'string' },
  'restore-percent': { type: 'string' },
  'max-shed-percent': { type: 'string' },
  'shed-delay': { type: 'string' },
  'restore-delay': { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseFlags>;

function parseFlags(args: readonly string[]) {
  return parseCommandFlags(args, OPTIONS, 'simulate load-shedding');
}

/** A whole number flag within [min, max]. */
export function wholeFlag(name: string, raw: string, min: number, max: number): number {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliUsageError(
      `--${name} must be a whole number from ${min} to ${max}, got '${raw}'.`,
    );
  }
  return value;
}

/** A decimal flag within (min, max] or [min, max]. */
export function numberFlag(
  name: string,
  raw: string,
  range: { min: number; max: number; exclusiveMin?: boolean },
): number {
  const value = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  const low = range.exclusiveMin ? value <= range.min : value < range.min;
  if (Number.isNaN(value) || low || value > range.max) {
    const lower = range.exclusiveMin ? `above ${range.min}` : `at least ${range.min}`;
    throw new CliUsageError(
      `--${name} must be a number ${lower} and at most ${range.max}, got '${raw}'.`,
    );
  }
  return value;
}

type Json = Record<string, unknown>;

function objectAt(parent: Json, key: string, where: string): Json {
  const value = parent[key];
  if (value === undefined) return (parent[key] = {});
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ScenarioError(`${where} is invalid:\n  - ${key}: must be an object`, [
      `${key}: must be an object`,
    ]);
  }
  return value as Json;
}

/** The scenario input (from a file, or empty) with the flags written over it. */
function applyFlags(input: unknown, flags: Values, where: string): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return input; // parseScenario reports it
  }
  const scenario = structuredClone(input) as Json;
  const controller = (key: string, value: number | boolean): void => {
    objectAt(scenario, 'controller', where)[key] = value;
  };
  if (flags.seed !== undefined) scenario.seed = wholeFlag('seed', flags.seed, 0, 2 ** 32 - 1);
  if (flags.duration !== undefined) {
    scenario.durationMinutes = wholeFlag('duration', flags.duration, 1, MAX_DURATION_MINUTES);
  }
  if (flags.capacity !== undefined) {
    objectAt(scenario, 'primary', where).capacityRps = numberFlag('capacity', flags.capacity, {
      min: 0,
      max: 10_000_000,
    });
  }
  if (flags['spike-multiplier'] !== undefined) {
    const multiplier = numberFlag('spike-multiplier', flags['spike-multiplier'], {
      min: 0,
      max: 100,
      exclusiveMin: true,
    });
    const traffic = objectAt(scenario, 'traffic', where);
    const profile = objectAt(traffic, 'profile', where);
    if (profile.kind !== undefined && profile.kind !== 'spike') {
      throw new CliUsageError(
        `--spike-multiplier applies to a 'spike' traffic profile, but ${where} uses ` +
          `${JSON.stringify(profile.kind)} (traffic.profile.kind): drop the flag or use a spike profile.`,
      );
    }
    traffic.profile = { ...profile, kind: 'spike', multiplier };
  }
  const percent = (flag: string, key: string): void => {
    const raw = flags[flag as keyof Values];
    if (typeof raw === 'string') controller(key, wholeFlag(flag, raw, 1, 100));
  };
  percent('shed-percent', 'shedPercent');
  percent('restore-percent', 'restorePercent');
  percent('max-shed-percent', 'maxShedPercent');
  if (flags['shed-delay'] !== undefined) {
    controller(
      'shedDelaySeconds',
      wholeFlag('shed-delay', flags['shed-delay'], 0, MAX_DELAY_SECONDS),
    );
  }
  if (flags['restore-delay'] !== undefined) {
    controller(
      'restoreDelaySeconds',
      wholeFlag('restore-delay', flags['restore-delay'], 0, MAX_DELAY_SECONDS),
    );
  }
  if (flags['dry-run'] === true) controller('dryRun', true);
  return scenario;
}

async function loadScenarioInput(io: CliIo, path: string | undefined): Promise<unknown> {
  if (path === undefined) return {};
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (error) {
    throw new CliUsageError(
      `--scenario: cannot read '${path}': ${(error as Error).message}. Check the path.`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ScenarioError(
      `scenario file '${path}' is not valid JSON: ${(error as Error).message}. Write a JSON ` +
        'object such as { "traffic": { "profile": { "kind": "spike", "multiplier": 3 } } }; ' +
        "'--print-scenario' prints a complete one.",
    );
  }
}

/** Runs the command; returns the exit code. Usage problems are thrown as CliUsageError or ScenarioError. */
export async function simulateLoadShedding(
  args: readonly string[],
  io: CliIo,
  run: typeof runScenario = runScenario,
): Promise<number> {
  const flags = parseFlags(args);
  if (flags.help === true) {
    io.stdout(LOAD_SHEDDING_HELP);
    return ExitCodes.ok;
  }
  const where = flags.scenario === undefined ? 'the scenario' : `scenario file '${flags.scenario}'`;
  const input = applyFlags(await loadScenarioInput(io, flags.scenario), flags, where);
  const scenario: Scenario = parseScenario(input, where);
  if (flags['print-scenario'] === true) {
    io.stdout(`${JSON.stringify(scenario, null, 2)}\n`);
    return ExitCodes.ok;
  }

  const result = await run(scenario);
  const notices: string[] = [];
  if (flags.html !== undefined) {
    try {
      await io.writeFile(flags.html, renderHtml(result));
    } catch (error) {
      throw new CliUsageError(
        `--html: cannot write '${flags.html}': ${(error as Error).message}. Check the path.`,
      );
    }
    notices.push(`HTML report written to ${flags.html}\n`);
  }
  if (flags.json === true) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    notices.forEach((notice) => io.stderr(notice)); // stdout stays pure JSON
  } else {
    io.stdout(renderText(result));
    notices.forEach((notice) => io.stdout(notice));
  }
  if (result.errors.length > 0) {
    io.stderr(`The run met ${result.errors.length} error(s); see the report.\n`);
    return ExitCodes.failure;
  }
  return ExitCodes.ok;
}
