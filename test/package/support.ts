/**
 * Builds and packs the package once per test file, and lays out a consumer app that has the
 * packed tarball installed. The consumer's other packages are links to this checkout's
 * node_modules, so the test needs no registry; the kit itself comes only from the tarball. Only
 * the kit's dependencies and peer dependencies are linked (and @types/node for the type check):
 * a module of the kit that imports a dev dependency fails here, as it would for a consumer.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
const NODE_MODULES = join(ROOT, 'node_modules');

export interface PackResult {
  /** Absolute path of the tarball. */
  readonly tarball: string;
  /** Paths inside the package, e.g. `dist/src/index.js`. */
  readonly files: readonly string[];
}

interface NpmPackJson {
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

/** `npm pack` (its prepack script runs `npm run build`) into a fresh temporary folder. */
export function packKit(): PackResult {
  const destination = mkdtempSync(join(tmpdir(), 'opskit-pack-'));
  const output = execFileSync(
    'npm',
    ['pack', '--json', '--silent', '--pack-destination', destination],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 },
  );
  const [result] = JSON.parse(output.slice(output.indexOf('['))) as NpmPackJson[];
  if (result === undefined) throw new Error(`npm pack printed no result: ${output}`);
  return {
    tarball: join(destination, result.filename),
    files: result.files.map((file) => file.path),
  };
}

/** A folder with `node_modules/aws-ops-kit` extracted from `tarball` and links to the rest. */
export function consumerApp(tarball: string): string {
  const app = mkdtempSync(join(tmpdir(), 'opskit-consumer-'));
  const modules = join(app, 'node_modules');
  const kit = join(modules, 'aws-ops-kit');
  mkdirSync(kit, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module' }));
  execFileSync('tar', ['-xzf', tarball, '-C', kit, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
  const names = [
    ...Object.keys(manifest.dependencies),
    ...Object.keys(manifest.peerDependencies),
    '@types/node',
  ];
  for (const name of names) {
    const link = join(modules, name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(NODE_MODULES, name), link);
  }
  return app;
}
