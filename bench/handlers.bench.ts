/**
 * Every Lambda handler of the kit, bundled as it ships (scripts/bundle-handler.ts): its bundle
 * size, and its cold module-init time — the time a fresh `node` process takes to import the
 * bundle (what Lambda's Init phase runs before the first invocation), median of repeated loads.
 * Handlers build their SDK clients and parse their configuration on the first invocation, so
 * module init needs no environment.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleHandler } from '../scripts/bundle-handler.js';
import { findHandlerEntries } from '../scripts/handler-entries.js';

export const COLD_LOADS = 9;

export interface HandlerBenchRow {
  readonly handler: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Median over COLD_LOADS fresh processes, milliseconds. */
  readonly initMs: number;
  /** Set when the bundle could not be imported (then initMs is NaN). */
  readonly error?: string;
}

/** Imports `bundle` in a fresh node process; returns the milliseconds the import took. */
function coldImportMs(bundle: string): number {
  const script =
    `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle).href)}); ` +
    `process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return Number(out);
}

/** Python handlers of the reference app (no dependencies: the package is the module alone). */
export const PYTHON_HANDLERS = ['app/handlers/monitored-function/main.py'];

/** Imports the module `file` in a fresh python3 process; the milliseconds the import took. */
function coldPythonImportMs(file: string): number {
  const script = [
    'import sys, time',
    `sys.path.insert(0, ${JSON.stringify(dirname(file))})`,
    't = time.perf_counter()',
    `import ${basename(file, '.py')}`,
    'sys.stdout.write(str((time.perf_counter() - t) * 1000))',
  ].join('\n');
  const out = execFileSync('python3', ['-B', '-c', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return Number(out);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function measureHandlers(root: string): Promise<HandlerBenchRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'opskit-handler-bench-'));
  const rows: HandlerBenchRow[] = [];
  try {
    // The kit's own handlers, and the example workflow's stage handlers (built on the kit).
    const examples = findHandlerEntries(join(root, 'examples'), 'stages');
    for (const entry of [...findHandlerEntries(join(root, 'src')), ...examples]) {
      const outDir = join(work, entry.capability, entry.name);
      await bundleHandler(entry.file, outDir);
      const bundle = join(outDir, 'index.mjs');
      const bytes = statSync(bundle).size;
      const gzipBytes = gzipSync(readFileSync(bundle)).length;
      const handler = relative(root, entry.file);
      try {
        const times = Array.from({ length: COLD_LOADS }, () => coldImportMs(bundle));
        rows.push({ handler, bytes, gzipBytes, initMs: median(times) });
      } catch (error) {
        const text = error instanceof Error ? error.message.split('\n')[0] : String(error);
        rows.push({ handler, bytes, gzipBytes, initMs: Number.NaN, error: text });
      }
    }
    for (const handler of PYTHON_HANDLERS) {
      const file = join(root, handler);
      const source = readFileSync(file);
      try {
        const times = Array.from({ length: COLD_LOADS }, () => coldPythonImportMs(file));
        rows.push({
          handler,
          bytes: source.length,
          gzipBytes: gzipSync(source).length,
          initMs: median(times),
        });
      } catch (error) {
        const text = error instanceof Error ? error.message.split('\n')[0] : String(error);
        rows.push({ handler, bytes: source.length, gzipBytes: 0, initMs: Number.NaN, error: text });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

const kib = (bytes: number): string =>
  bytes < 10_240 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024).toFixed(0)} KiB`;

export async function runHandlersBench(root: string): Promise<{ ok: boolean; markdown: string }> {
  const rows = await measureHandlers(root);
  const failed = rows.filter((row) => row.error !== undefined);
  const table = [
    '| Handler | Bundle | Gzipped | Cold module init (median) |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| \`${row.handler}\` | ${kib(row.bytes)} | ${kib(row.gzipBytes)} | ${
          row.error === undefined ? `${row.initMs.toFixed(0)} ms` : `failed: ${row.error}`
        } |`,
    ),
  ].join('\n');
  const markdown = [
    '## Lambda handlers: bundle size and cold module-init time',
    '',
    `Each handler bundled as it ships (minified ESM for node22, AWS SDK included), then imported in ${COLD_LOADS} fresh \`node\` processes (the reference app's Python handler: its module imported in ${COLD_LOADS} fresh \`python3 -B\` processes) on this machine (Node ${process.version}); the median import time is the module-init part of a cold start (Lambda's own runtime start-up and the first invocation's client set-up come on top).`,
    '',
    table,
    '',
    failed.length === 0
      ? `All ${rows.length} handlers import without configuration.`
      : `${failed.length} handler(s) failed to import: ${failed.map((row) => row.handler).join(', ')}.`,
  ].join('\n');
  return { ok: failed.length === 0, markdown };
}
