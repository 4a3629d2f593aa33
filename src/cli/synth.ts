/**
 * `opskit synth`: synthesizes the reference app (one stack per capability, configured from a
 * cdk.json's context) offline, with cdk-nag AwsSolutions as a validation plugin, and lists what
 * it produced. The CDK CLI (`cdk synth`, `cdk deploy`) runs the same app from cdk.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { App, AppProps } from 'aws-cdk-lib';
import { parseCommandFlags } from './flags.js';
import { CliUsageError, ExitCodes } from './errors.js';
import { SYNTH_HELP } from './help.js';
import type { CliIo } from './io.js';

const OPTIONS = {
  context: { type: 'string' },
  out: { type: 'string' },
  'skip-bundling': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseFlags(args: readonly string[]) {
  return parseCommandFlags(args, OPTIONS, 'synth');
}

/** The checkout's app/ folder: the reference app is part of the repository, not the package. */
const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'app');

interface ReferenceApp {
  readonly createReferenceApp: (props: AppProps, options: { checkoutContext: boolean }) => App;
  readonly readCdkJsonContext: (path: string) => Record<string, unknown>;
}

/** app/config-error.ts's error: a context value or a construct prop it feeds is wrong. */
const isConfigError = (error: unknown): error is Error =>
  error instanceof Error && error.name === 'ReferenceAppConfigError';

/** Loads app/main.ts (under tsx, as `npm run opskit` runs); a clear error outside a checkout. */
async function loadReferenceApp(): Promise<ReferenceApp> {
  const entry = join(APP_DIR, 'main.ts');
  if (!existsSync(entry)) {
    throw new CliUsageError(
      "'opskit synth' synthesizes the reference app of an aws-ops-kit checkout (app/main.ts), " +
        'which the installed package does not ship. In your own CDK app, run `npx cdk synth`.',
    );
  }
  return (await import(pathToFileURL(entry).href)) as ReferenceApp;
}

export interface SynthesizedStack {
  readonly stackName: string;
  readonly template: string;
  readonly resources: number;
}

export async function synth(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args);
  if (flags.help === true) {
    io.stdout(SYNTH_HELP);
    return ExitCodes.ok;
  }
  const { createReferenceApp, readCdkJsonContext } = await loadReferenceApp();
  const contextPath = resolve(flags.context ?? join(APP_DIR, '..', 'cdk.json'));
  if (!existsSync(contextPath)) {
    throw new CliUsageError(`--context: '${contextPath}' does not exist. Give a cdk.json path.`);
  }
  const outdir = resolve(flags.out ?? 'cdk.out');
  let app: App;
  try {
    const context = readCdkJsonContext(contextPath);
    // The file read here is the whole configuration: no checkout defaults fill its gaps.
    app = createReferenceApp(
      {
        outdir,
        context: {
          ...context,
          ...(flags['skip-bundling'] === true ? { 'aws:cdk:bundling-stacks': [] } : {}),
        },
      },
      { checkoutContext: false },
    );
  } catch (error) {
    if (!isConfigError(error)) throw error;
    const message = error.message.startsWith(contextPath)
      ? error.message
      : `${contextPath}: ${error.message}`;
    throw new CliUsageError(`${message}\nFix the file, or pass another with --context.`);
  }
  const assembly = app.synth(); // throws on any unacknowledged cdk-nag finding
  const stacks: SynthesizedStack[] = assembly.stacks.map((stack) => ({
    stackName: stack.stackName,
    template: stack.templateFullPath,
    resources: Object.keys((stack.template as { Resources?: object }).Resources ?? {}).length,
  }));
  if (flags.json === true) {
    io.stdout(`${JSON.stringify({ outdir: assembly.directory, stacks }, null, 2)}\n`);
  } else {
    io.stdout(synthSummaryText(assembly.directory, stacks));
  }
  return ExitCodes.ok;
}

/** The text `opskit synth` prints: one line per stack with its resource count. */
export function synthSummaryText(outdir: string, stacks: readonly SynthesizedStack[]): string {
  return [
    `Synthesized ${stacks.length} stacks into ${outdir} (cdk-nag AwsSolutions: clean):`,
    ...stacks.map(
      (s) => `  ${s.stackName.padEnd(34)} ${String(s.resources).padStart(4)} resources`,
    ),
    '',
  ].join('\n');
}
