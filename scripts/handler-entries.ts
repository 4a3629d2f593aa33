/**
 * The kit's Lambda entry modules: files directly in a capability's `handlers/` folder that
 * export `handler` (the Lambda entry point). Helper modules beside them (deps, errors) do not.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface HandlerEntry {
  /** The capability folder, e.g. `load-shedding`. */
  readonly capability: string;
  /** The module name without extension, e.g. `alarm-event`. */
  readonly name: string;
  /** Absolute path of the TypeScript entry. */
  readonly file: string;
}

const EXPORTS_HANDLER = /^export\s+(const|async function|function)\s+handler\b/m;

/** Every handler entry under `srcDir/<capability>/<folder>/`, sorted for stable output. */
export function findHandlerEntries(srcDir: string, folder = 'handlers'): HandlerEntry[] {
  const entries: HandlerEntry[] = [];
  for (const capability of readdirSync(srcDir).sort()) {
    const handlersDir = join(srcDir, capability, folder);
    if (!statSync(join(srcDir, capability)).isDirectory() || !isDirectory(handlersDir)) continue;
    for (const file of readdirSync(handlersDir).sort()) {
      if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
      const path = join(handlersDir, file);
      if (EXPORTS_HANDLER.test(readFileSync(path, 'utf8'))) {
        entries.push({ capability, name: file.slice(0, -'.ts'.length), file: path });
      }
    }
  }
  return entries;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
