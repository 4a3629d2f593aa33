/**
 * `npm run build`: the published package. Compiles src/ and bin/ to dist/ with declarations,
 * bundles every Lambda handler of the kit (and of the example workflow) ahead of time (so consumers synthesize without our
 * sources or esbuild, see src/common/handler-code.ts), and copies the non-TypeScript assets
 * (the Glue job's Python) beside the compiled modules.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handlerBundleDir } from '../src/common/handler-code.js';
import { bundleHandler } from './bundle-handler.js';
import { findHandlerEntries, type HandlerEntry } from './handler-entries.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const ASSET_EXTENSIONS = ['.py', '.txt'];

function compile(): void {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  // tsc keeps the source's shebang (tsx, for the repository); the package runs compiled JS.
  const bin = join(DIST, 'bin', 'opskit.js');
  const text = readFileSync(bin, 'utf8').replace(/^#!.*\n/, '#!/usr/bin/env node\n');
  writeFileSync(bin, text, { mode: 0o755 });
}

/** Bundles `entry` beside its compiled module: `dist/<same folder>/<name>.bundle/`. */
async function bundle(entry: HandlerEntry): Promise<string> {
  const outDir = handlerBundleDir(join(DIST, relative(ROOT, dirname(entry.file))), entry.name);
  await bundleHandler(entry.file, outDir);
  return outDir;
}

function copyAssets(dir: string): void {
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) {
      if (item.name !== '__pycache__') copyAssets(path);
    } else if (ASSET_EXTENSIONS.some((extension) => item.name.endsWith(extension))) {
      cpSync(path, join(DIST, relative(ROOT, path)));
    }
  }
}

async function main(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  compile();
  // The kit's handlers, and the example workflow's stages (the packaged demo deploys them).
  const entries = [
    ...findHandlerEntries(join(ROOT, 'src')),
    ...findHandlerEntries(join(ROOT, 'examples'), 'stages'),
  ];
  for (const entry of entries) {
    const outDir = await bundle(entry);
    process.stdout.write(`bundled ${relative(ROOT, entry.file)} -> ${relative(ROOT, outDir)}\n`);
  }
  copyAssets(join(ROOT, 'src'));
  if (!existsSync(join(DIST, 'src', 'version.js'))) throw new Error('dist/src/version.js missing');
  process.stdout.write(`built dist/ with ${entries.length} pre-bundled handlers\n`);
}

await main();
