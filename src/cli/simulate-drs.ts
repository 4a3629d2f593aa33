/** `opskit simulate drs`: a DR drill through the real execution handler against simulated DRS. */
import {
  runDrill,
  type DrillOptions,
  type DrillResult,
} from '../disaster-recovery/simulator/drill.js';
import { parseCommandFlags } from './flags.js';
import { CliUsageError, ExitCodes } from './errors.js';
import { DRS_HELP } from './help.js';
import type { CliIo } from './io.js';
import { wholeFlag } from './simulate-load-shedding.js';

const OPTIONS = {
  servers: { type: 'string' },
  waves: { type: 'string' },
  concurrency: { type: 'string' },
  tps: { type: 'string' },
  seed: { type: 'string' },
  terminate: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseFlags(args: readonly string[]) {
  return parseCommandFlags(args, OPTIONS, 'simulate drs');
}

/** The drill's options from the flags (validated; defaults are the drill's own). */
export function drillOptionsOf(flags: ReturnType<typeof parseFlags>): DrillOptions {
  const servers = flags.servers === undefined ? 600 : wholeFlag('servers', flags.servers, 1, 5000);
  const waves = flags.waves === undefined ? 5 : wholeFlag('waves', flags.waves, 1, 100);
  if (waves > servers) {
    throw new CliUsageError(`--waves (${waves}) cannot exceed --servers (${servers}).`);
  }
  const tps = flags.tps === undefined ? undefined : wholeFlag('tps', flags.tps, 1, 1000);
  const seed = flags.seed === undefined ? undefined : wholeFlag('seed', flags.seed, 0, 2 ** 32 - 1);
  return {
    servers,
    waves,
    concurrency:
      flags.concurrency === undefined ? 5 : wholeFlag('concurrency', flags.concurrency, 1, 50),
    terminate: flags.terminate === true,
    world: {
      ...(seed === undefined ? {} : { seed }),
      ...(tps === undefined
        ? {}
        : { drs: { throttling: { account: { ratePerSecond: tps, burst: tps } } } }),
    },
  };
}

const minutes = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`;

export function renderDrill(result: DrillResult): string {
  const ok = drillSucceeded(result);
  return [
    `DR drill: ${result.servers} source servers in ${result.waves} waves, ${result.concurrency} concurrent invocations`,
    `  launched               ${result.launched} of ${result.servers} (failed ${result.launchFailed})`,
    `  jobs started           ${result.jobsStarted} (needed ${result.jobsExpected}; duplicates found theirs: ${result.jobsReused})`,
    `  quota errors           ${result.quotaErrors}`,
    `  failed calls           ${result.failedCalls}`,
    `  throttles / retries    ${result.throttles} / ${result.retries}`,
    `  peak concurrent jobs   ${result.peakConcurrentJobs}`,
    `  peak servers in jobs   ${result.peakServersInActiveJobs}`,
    `  escalations            ${result.escalations}`,
    `  duration (virtual)     ${minutes(result.durationMs)}`,
    ok ? '  Drill succeeded.' : '  Drill FAILED: not every server launched cleanly (see above).',
    '',
  ].join('\n');
}

/** Every server launched, with no quota error and no call failed for good. */
export function drillSucceeded(result: DrillResult): boolean {
  return (
    result.launched === result.servers &&
    result.quotaErrors === 0 &&
    result.failedCalls === 0 &&
    result.failedInvocations === 0
  );
}

export async function simulateDrs(
  args: readonly string[],
  io: CliIo,
  run: typeof runDrill = runDrill,
): Promise<number> {
  const flags = parseFlags(args);
  if (flags.help === true) {
    io.stdout(DRS_HELP);
    return ExitCodes.ok;
  }
  const result = await run(drillOptionsOf(flags));
  io.stdout(flags.json === true ? `${JSON.stringify(result, null, 2)}\n` : renderDrill(result));
  return drillSucceeded(result) ? ExitCodes.ok : ExitCodes.failure;
}
