/**
 * Where the construct finds the Lambda entry files: `handlers/<name>.ts` beside this module in
 * the repository, `handlers/<name>.js` or a pre-built bundle in a compiled package. Kept apart
 * from construct.ts so tests can point the construct at other entries.
 */
import { kitHandlerCode } from '../common/handler-code.js';
import { handlersDirOf, resolveHandlerEntry } from '../common/handler-entry.js';
import type { FunctionCode } from '../monitored-function/function-code.js';
import { TASK_STARTER_HANDLERS, type TaskStarterHandlerRole } from './contract.js';

const HANDLERS_DIR = handlersDirOf(import.meta.url);

/** The entry file of a handler (see resolveHandlerEntry for the extensions tried). */
export function handlerEntry(role: TaskStarterHandlerRole, dir: string = HANDLERS_DIR): string {
  return resolveHandlerEntry(dir, TASK_STARTER_HANDLERS[role]);
}

/** The deployable code of a handler: its pre-built bundle in the package, else its entry. */
export function handlerCode(
  role: TaskStarterHandlerRole,
  dir: string = HANDLERS_DIR,
): FunctionCode {
  return kitHandlerCode(dir, TASK_STARTER_HANDLERS[role]);
}
