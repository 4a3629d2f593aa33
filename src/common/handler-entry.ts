/**
 * Where a construct finds a Lambda entry file: `<dir>/<name>.ts` in the repository, `.js`/`.mjs`
 * in a compiled package. One resolver for every capability so that packaging changes (issue 8:
 * pre-bundled handlers) happen in one place.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

/** The `handlers/` folder beside a module, given that module's `import.meta.url`. */
export function handlersDirOf(moduleUrl: string): string {
  return join(dirname(fileURLToPath(moduleUrl)), 'handlers');
}

/**
 * The entry file `<dir>/<name>`: the first of `.ts`, `.mts`, `.js`, `.mjs` that exists, or the
 * `.ts` path when none does (MonitoredFunction then reports the missing file by name).
 */
export function resolveHandlerEntry(dir: string, name: string): string {
  const base = join(dir, name);
  const found = EXTENSIONS.map((extension) => base + extension).find((path) => existsSync(path));
  return found ?? `${base}.ts`;
}
