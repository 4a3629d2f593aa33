/**
 * Where the construct finds the two Lambda entry files: `handlers/<name>.ts` beside this module
 * in the repository, `handlers/<name>.js` in a compiled package. Kept apart from construct.ts so
 * tests can point the construct at other entries.
 */
import { kitHandlerCode } from '../common/handler-code.js';
import { handlersDirOf, resolveHandlerEntry } from '../common/handler-entry.js';
import type { FunctionCode } from '../monitored-function/function-code.js';

/** The handler modules, by role; each exports `handler`. */
export const LOAD_SHEDDING_HANDLERS = Object.freeze({
  alarmEvent: 'alarm-event',
  checkQueue: 'check-queue',
} as const);

export type LoadSheddingHandlerRole = keyof typeof LOAD_SHEDDING_HANDLERS;

const HANDLERS_DIR = handlersDirOf(import.meta.url);

/** The entry file of a handler (see resolveHandlerEntry for the extensions tried). */
export function handlerEntry(role: LoadSheddingHandlerRole, dir: string = HANDLERS_DIR): string {
  return resolveHandlerEntry(dir, LOAD_SHEDDING_HANDLERS[role]);
}

/** The deployable code of a handler: its pre-built bundle in the package, else its entry. */
export function handlerCode(
  role: LoadSheddingHandlerRole,
  dir: string = HANDLERS_DIR,
): FunctionCode {
  return kitHandlerCode(dir, LOAD_SHEDDING_HANDLERS[role]);
}
