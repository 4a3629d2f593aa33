/**
 * The code of one of the kit's own Lambda handlers. In the published package `npm run build`
 * has bundled each handler into `<handlers dir>/<name>.bundle/`, which is deployed as is, so a
 * consumer's synthesis needs neither our sources nor esbuild. In this repository there is no
 * bundle and the entry file is bundled from source by esbuild, as for any MonitoredFunction.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FunctionCode } from '../monitored-function/function-code.js';
import { resolveHandlerEntry } from './handler-entry.js';

/** The folder `npm run build` writes the bundle of handler `name` to. */
export function handlerBundleDir(handlersDir: string, name: string): string {
  return join(handlersDir, `${name}.bundle`);
}

/** The pre-built bundle of handler `name` when there is one, else its entry file for esbuild. */
export function kitHandlerCode(handlersDir: string, name: string): FunctionCode {
  const bundle = handlerBundleDir(handlersDir, name);
  if (existsSync(join(bundle, 'index.mjs'))) {
    return FunctionCode.nodejsBundle({ directory: bundle });
  }
  return FunctionCode.nodejs({ entry: resolveHandlerEntry(handlersDir, name) });
}
