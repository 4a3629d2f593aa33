import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { GlueJobArguments } from '../../../src/workflow/contract.js';
import { normalizeLines } from '../../../src/workflow/local-run/example.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const LIB = join(ROOT, 'src', 'workflow', 'glue', 'lib');
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const hasPython = python.status === 0;
const inCi = Boolean(process.env.CI);

if (!hasPython && !inCi) {
  console.warn(
    'glue transform tests skipped: python3 is not on PATH (install Python 3 to run them)',
  );
}

interface TransformCase {
  readonly name: string;
  readonly input: string;
  readonly requiredFields: readonly string[];
}

type Outcome = { readonly output: string } | { readonly error: string };

const CASES = JSON.parse(
  readFileSync(join(HERE, 'fixtures', 'transform-cases.json'), 'utf8'),
) as TransformCase[];

/** Runs workflow_transform.transform_lines on each case in one python3 process. */
function pythonOutcomes(cases: readonly TransformCase[]): Outcome[] {
  const script = [
    'import json, sys',
    'import workflow_transform as t',
    'out = []',
    'for case in json.load(sys.stdin):',
    '    try:',
    '        lines = case["input"].split("\\n")',
    '        text = "".join(line + "\\n" for line in t.transform_lines(lines, tuple(case["requiredFields"])))',
    '        out.append({"output": text})',
    '    except t.TransformError as error:',
    '        out.append({"error": str(error)})',
    'json.dump(out, sys.stdout)',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    cwd: LIB,
  });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Outcome[];
}

/** The TS twin the local run's simulated Glue step uses. */
function twinOutcome(c: TransformCase): Outcome {
  try {
    return { output: normalizeLines(c.input, c.requiredFields) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Errors are compared by their line number: the parsers word the detail differently. */
function comparable(outcome: Outcome): Outcome {
  return 'error' in outcome
    ? { error: /^line \d+:/.exec(outcome.error)?.[0] ?? outcome.error }
    : outcome;
}

describe.skipIf(!hasPython && !inCi)('workflow glue: transform module (python3)', () => {
  beforeAll(() => {
    if (!hasPython) {
      throw new Error(
        'python3 is not on PATH but CI is set: the Glue transform must be tested in CI. ' +
          'Install Python 3 in the CI image (e.g. actions/setup-python) instead of skipping.',
      );
    }
  });

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

  it('the TS twin of the local run gives the same output as transform_lines on the shared fixtures', () => {
    // Act
    const fromPython = pythonOutcomes(CASES);

    // Assess: byte for byte, case by case (errors: on the same line).
    expect(fromPython).toHaveLength(CASES.length);
    CASES.forEach((c, index) => {
      expect(comparable(twinOutcome(c)), c.name).toEqual(comparable(fromPython[index]));
    });
    expect(fromPython.filter((o) => 'error' in o)).toHaveLength(2);
  });

  it('and on generated records (strings with spaces, nulls, nesting, required fields)', () => {
    // Prepare: integers only — JS has one number type, so Python's 1.0 comes back as 1 in the
    // twin; the workflow's records (ETL output) carry integer cents.
    const text = fc.string({ unit: fc.constantFrom('a', 'é', ' ', '\t', 'Z', '"', '😀') });
    const value = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null));
    const record = fc.dictionary(
      fc.constantFrom('id', ' id', 'name ', 'n', 'x'),
      fc.oneof(value, fc.array(value, { maxLength: 3 })),
    );
    const cases = fc.sample(
      fc.record({
        name: fc.constant('generated'),
        input: fc
          .array(fc.oneof(record, fc.array(record, { maxLength: 3 })), { maxLength: 6 })
          .map((lines) => lines.map((line) => JSON.stringify(line)).join('\n')),
        requiredFields: fc.subarray(['id', 'name']),
      }),
      { numRuns: 60, seed: 42 },
    );

    // Act
    const fromPython = pythonOutcomes(cases);

    // Assess
    cases.forEach((c, index) => {
      expect(comparable(twinOutcome(c)), c.input).toEqual(comparable(fromPython[index]));
    });
  });
});
