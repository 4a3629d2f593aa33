/**
 * Wall time of the commands a newcomer runs: `npm start` (the demo, as the README's first
 * command runs it) and `npm run synth` (the reference app and the examples, bundled, with
 * cdk-nag), each in a fresh process, as on a clean checkout after `npm install`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The bar for `npm start` on a 2-core machine. */
export const DEMO_BAR_SECONDS = 60;
const DEMO_RUNS = 3;

function timed(root: string, command: string, args: readonly string[], env = {}): number {
  const started = performance.now();
  execFileSync(command, [...args], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  return (performance.now() - started) / 1000;
}

export async function runCommandsBench(root: string): Promise<{ ok: boolean; markdown: string }> {
  const report = join(mkdtempSync(join(tmpdir(), 'opskit-bench-')), 'report.html');
  const demo = Array.from({ length: DEMO_RUNS }, () =>
    timed(root, 'npm', ['start', '--silent', '--', '--html', report, '--quiet']),
  ).sort((a, b) => a - b);
  const outdir = mkdtempSync(join(tmpdir(), 'opskit-synth-'));
  const synth = timed(root, 'npm', ['run', '--silent', 'synth'], { CDK_OUTDIR: outdir });
  rmSync(outdir, { recursive: true, force: true });
  const median = demo[Math.floor(demo.length / 2)];
  const ok = median < DEMO_BAR_SECONDS;
  const markdown = [
    '## Commands: `npm start` and `npm run synth`',
    '',
    'Wall time of fresh processes on this machine (tsx compiles the TypeScript on the fly, as on a clean checkout).',
    '',
    '| Command | Wall time |',
    '| --- | ---: |',
    `| \`npm start\` (the demo, all five acts, HTML report) | ${median.toFixed(1)} s (median of ${DEMO_RUNS}; ${demo.map((s) => s.toFixed(1)).join(', ')}) |`,
    `| \`npm run synth\` (reference app + examples, every handler bundled by esbuild, cdk-nag) | ${synth.toFixed(1)} s |`,
    '',
    ok
      ? `\`npm start\` finishes well within the ${DEMO_BAR_SECONDS} s bar.`
      : `\`npm start\` took ${median.toFixed(1)} s: over the ${DEMO_BAR_SECONDS} s bar.`,
  ].join('\n');
  return Promise.resolve({ ok, markdown });
}
