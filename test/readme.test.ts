import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = Array.from(readme.matchAll(/```ts\n([\s\S]*?)```/g), (m) => m[1]);

describe('README: code examples', () => {
  it('has one example per capability at least', () => {
    for (const subpath of [
      'monitored-function',
      'load-shedding',
      'task-starter',
      'workflow',
      'resilience',
      'disaster-recovery',
    ]) {
      expect(blocks.some((block) => block.includes(`'aws-ops-kit/${subpath}'`))).toBe(true);
    }
  });

  it('compiles every example against the package subpaths (mapped to src/)', () => {
    // Prepare: each block as its own module; `aws-ops-kit/<x>` resolves to src/<x>/index.ts,
    // exactly what the package's exports map names for the compiled tree.
    const dir = mkdtempSync(join(tmpdir(), 'opskit-readme-'));
    mkdirSync(join(dir, 'stages'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const files = blocks.map((block, index) => {
      const file = join(dir, `example-${index}.ts`);
      writeFileSync(file, block);
      return file;
    });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'readme-examples', type: 'module' }),
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          paths: {
            'aws-ops-kit': [join(ROOT, 'src/index.ts')],
            'aws-ops-kit/*': [join(ROOT, 'src/*/index.ts')],
          },
        },
        files,
      }),
    );
    // Act / Assess: tsc exits non-zero, and this throws with its diagnostics, on any error
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      output = String((error as { stdout?: unknown }).stdout ?? error);
    }
    expect(output).toBe('');
  }, 120_000);
});
