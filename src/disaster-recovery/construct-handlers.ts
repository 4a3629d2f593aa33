/**
 * Where the construct finds the two Lambda entry files: `handlers/<name>.ts` beside this module
 * in the repository, `handlers/<name>.js` or a pre-built bundle in a compiled package. Kept apart from construct.ts so
 * tests can point the construct at other entries.
 */
import { kitHandlerCode } from '../common/handler-code.js';
import { handlersDirOf, resolveHandlerEntry } from '../common/handler-entry.js';
import type { FunctionCode } from '../monitored-function/function-code.js';
import { DrsHandlerFiles } from './contract.js';

/** The handler roles; each module exports `handler`. */
export type DisasterRecoveryHandlerRole = keyof typeof DrsHandlerFiles;

const HANDLERS_DIR = handlersDirOf(import.meta.url);

/** The module name (no extension) of a handler, from the contract's file names. */
export function handlerModuleName(role: DisasterRecoveryHandlerRole): string {
  return DrsHandlerFiles[role].replace(/\.ts$/, '');
}

/** The entry file of a handler (see resolveHandlerEntry for the extensions tried). */
export function handlerEntry(
  role: DisasterRecoveryHandlerRole,
  dir: string = HANDLERS_DIR,
): string {
  return resolveHandlerEntry(dir, handlerModuleName(role));
}

/** The deployable code of a handler: its pre-built bundle in the package, else its entry. */
export function handlerCode(
  role: DisasterRecoveryHandlerRole,
  dir: string = HANDLERS_DIR,
): FunctionCode {
  return kitHandlerCode(dir, handlerModuleName(role));
}
