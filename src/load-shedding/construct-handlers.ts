/**
 * Where the construct finds the two Lambda entry files: `handlers/<name>.ts` beside this module
 * in the repository, `handlers/<name>.js` in a compiled package. Kept apart from construct.ts so
 * tests can point the construct at other entries.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The handler modules, by role; each exports `handler`. */
export const LOAD_SHEDDING_HANDLERS = Object.freeze({
  alarmEvent: 'alarm-event',
  checkQueue: 'check-queue',
} as const);

export type LoadSheddingHandlerRole = keyof typeof LOAD_SHEDDING_HANDLERS;

const HANDLERS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'handlers');
const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

/**
 * The entry file of a handler: the first of `.ts`, `.mts`, `.js`, `.mjs` that exists, or the
 * `.ts` path when none does (MonitoredFunction then reports the missing file by name).
 */
export function handlerEntry(role: LoadSheddingHandlerRole, dir: string = HANDLERS_DIR): string {
  const base = join(dir, LOAD_SHEDDING_HANDLERS[role]);
  const found = EXTENSIONS.map((extension) => base + extension).find((path) => existsSync(path));
  return found ?? `${base}.ts`;
}
