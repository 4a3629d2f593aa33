/**
 * Bundles one Lambda handler the way MonitoredFunction does (node-bundling.ts): minified ESM for
 * Lambda's Node.js 22 with a source map, the AWS SDK included, `require` defined for bundled
 * CommonJS. Shared by `npm run build` and the handler benchmark, so both measure what ships.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { ESM_REQUIRE_BANNER } from '../src/monitored-function/node-bundling.js';

/** Lambda's Node.js runtime the bundles are built for (CODE_DEFAULTS.nodejsRuntime). */
export const BUNDLE_NODE_TARGET = 'node22';

/** Writes `outDir/index.mjs` (+ `.map`) from the handler module `entry`. */
export async function bundleHandler(entry: string, outDir: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile: join(outDir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_NODE_TARGET,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
}
