/** `opskit demo`: runs the demo's acts, prints progress, the timeline and summary, writes the report. */
import { DEMO_ACTS } from '../demo/acts/index.js';
import { renderDemoHtml } from '../demo/report-html.js';
import { renderDemoText } from '../demo/report-text.js';
import { runDemo, type DemoAct } from '../demo/runner.js';
import { parseCommandFlags } from './flags.js';
import { CliUsageError, ExitCodes } from './errors.js';
import { DEMO_HELP } from './help.js';
import type { CliIo } from './io.js';
import { wholeFlag } from './simulate-load-shedding.js';

export const DEFAULT_REPORT_PATH = 'opskit-demo-report.html';

const OPTIONS = {
  seed: { type: 'string' },
  html: { type: 'string' },
  'no-html': { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseFlags(args: readonly string[]) {
  return parseCommandFlags(args, OPTIONS, 'demo');
}

/** Runs the demo; exit code 0 when every act reached its expected outcome, else 1. */
export async function demo(
  args: readonly string[],
  io: CliIo,
  acts: readonly DemoAct[] = DEMO_ACTS,
): Promise<number> {
  const flags = parseFlags(args);
  if (flags.help === true) {
    io.stdout(DEMO_HELP);
    return ExitCodes.ok;
  }
  if (flags.html !== undefined && flags['no-html'] === true) {
    throw new CliUsageError('--html and --no-html contradict each other: give one of them.');
  }
  const seed = flags.seed === undefined ? undefined : wholeFlag('seed', flags.seed, 0, 2 ** 32 - 1);
  const reportPath = flags['no-html'] === true ? undefined : (flags.html ?? DEFAULT_REPORT_PATH);
  const json = flags.json === true;
  // Progress goes to stderr under --json, so stdout stays one JSON document.
  const progress =
    flags.quiet === true
      ? undefined
      : (text: string) => (json ? io.stderr(`${text}\n`) : io.stdout(`${text}\n`));

  const result = await runDemo(acts, { seed, progress });
  if (reportPath !== undefined) {
    try {
      await io.writeFile(reportPath, renderDemoHtml(result));
    } catch (error) {
      throw new CliUsageError(
        `--html: cannot write '${reportPath}': ${(error as Error).message}. Check the path.`,
      );
    }
  }
  if (json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    io.stdout(renderDemoText(result, reportPath));
  }
  return result.ok ? ExitCodes.ok : ExitCodes.failure;
}
