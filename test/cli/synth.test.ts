import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { synth, synthSummaryText, type SynthesizedStack } from '../../src/cli/synth.js';

function io(): CliIo & { out: () => string } {
  const out: string[] = [];
  return {
    stdout: (text) => out.push(text),
    stderr: (text) => out.push(text),
    readFile: () => Promise.reject(new Error('unused')),
    writeFile: () => Promise.resolve(),
    out: () => out.join(''),
  };
}

describe('cli: opskit synth', () => {
  it('synthesizes one stack per capability of the reference app, cdk-nag clean', async () => {
    // Prepare
    const outdir = mkdtempSync(join(tmpdir(), 'opskit-synth-'));
    const cli = io();
    // Act: the app registers cdk-nag AwsSolutions; any finding would fail the synthesis
    const code = await synth(['--out', outdir, '--skip-bundling', '--json'], cli);
    // Assess
    expect(code).toBe(0);
    const result = JSON.parse(cli.out()) as {
      outdir: string;
      stacks: SynthesizedStack[];
    };
    expect(result.outdir).toBe(outdir);
    expect(result.stacks.map((s) => s.stackName).sort()).toEqual([
      'OpsKitDisasterRecovery',
      'OpsKitLoadShedding',
      'OpsKitMonitoredFunction',
      'OpsKitTaskStarter',
      'OpsKitWorkflow',
    ]);
    for (const stack of result.stacks) expect(stack.resources).toBeGreaterThan(5);
    // The text form says the same, a stack a line.
    const text = synthSummaryText(result.outdir, result.stacks);
    expect(text.split('\n')[0]).toBe(
      `Synthesized 5 stacks into ${outdir} (cdk-nag AwsSolutions: clean):`,
    );
    for (const stack of result.stacks) {
      expect(text).toMatch(new RegExp(`^  ${stack.stackName} +${stack.resources} resources$`, 'm'));
    }
  }, 120_000);
});
