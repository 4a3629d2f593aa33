import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GlueJobArguments } from '../../../src/workflow/contract.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const LIB = join(ROOT, 'src', 'workflow', 'glue', 'lib');
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const hasPython = python.status === 0;

if (!hasPython) {
  console.warn(
    'glue transform tests skipped: python3 is not on PATH (install Python 3 to run them)',
  );
}

describe.skipIf(!hasPython)('workflow glue: transform module (python3 -m unittest)', () => {
  it('passes its Python unit tests', () => {
    // Act
    const run = spawnSync(
      'python3',
      ['-m', 'unittest', 'discover', '-s', HERE, '-p', 'test_*.py', '-v'],
      { encoding: 'utf8', cwd: ROOT },
    );

    // Assess: unittest reports on stderr; a failure shows it in the assertion message
    expect(run.stderr, run.stderr).toMatch(/\nOK\s*$/);
    expect(run.status).toBe(0);
  });

  it('reads exactly the job arguments the state machine passes (contract.ts GlueJobArguments)', () => {
    // Act
    const run = spawnSync(
      'python3',
      ['-c', 'import json, workflow_transform as t; print(json.dumps(t.ARGUMENT_NAMES))'],
      { encoding: 'utf8', cwd: LIB },
    );

    // Assess
    const names = JSON.parse(run.stdout) as string[];
    expect(names.map((name) => `--${name}`).sort()).toEqual(Object.values(GlueJobArguments).sort());
  });
});
