import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReferenceAppConfigError } from './config-error.js';

/** cdk.json at the repository root: the reference app's configuration. */
export const CDK_JSON_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'cdk.json');

/**
 * The `context` object of cdk.json. The CDK CLI passes it to the app itself; read here too so
 * that `npm run synth` (which runs the app with tsx, without the CLI) sees the same settings.
 */
export function readCdkJsonContext(path: string = CDK_JSON_PATH): Record<string, unknown> {
  if (!existsSync(path)) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ReferenceAppConfigError(
      `${path} is not valid JSON (${(error as Error).message}): fix the file.`,
    );
  }
  const context = (parsed as { context?: unknown } | null)?.context;
  if (context === undefined) {
    return {};
  }
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new ReferenceAppConfigError(`${path}: "context" must be an object of context keys.`);
  }
  return context as Record<string, unknown>;
}
