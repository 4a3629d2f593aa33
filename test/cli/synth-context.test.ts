import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliUsageError } from '../../src/cli/errors.js';
import type { CliIo } from '../../src/cli/io.js';
import { synth } from '../../src/cli/synth.js';

const CHECKOUT_CONTEXT = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, Record<string, unknown>>;
  }
).context;

const silent: CliIo = {
  stdout: () => undefined,
  stderr: () => undefined,
  readFile: () => Promise.reject(new Error('unused')),
  writeFile: () => Promise.resolve(),
};

/** A cdk.json holding `text` in a fresh folder; its path. */
function cdkJson(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'opskit-context-')), 'cdk.json');
  writeFileSync(path, text);
  return path;
}

/** The checkout's context with `key` replaced (or removed when `value` is undefined). */
function contextWith(key: string, value: unknown): string {
  const context: Record<string, unknown> = { ...CHECKOUT_CONTEXT };
  if (value === undefined) delete context[key];
  else context[key] = value;
  return JSON.stringify({ context });
}

async function usageErrorOf(path: string): Promise<CliUsageError> {
  const error: unknown = await synth(
    ['--context', path, '--out', mkdtempSync(join(tmpdir(), 'opskit-out-')), '--skip-bundling'],
    silent,
  ).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(CliUsageError);
  return error as CliUsageError;
}

describe('cli: opskit synth --context errors name the file and the problem', () => {
  it('a file that is not JSON', async () => {
    const path = cdkJson('{ context: {} }');

    const error = await usageErrorOf(path);

    expect(error.message).toContain(`${path} is not valid JSON`);
    expect(error.message).toContain('Fix the file, or pass another with --context.');
  });

  it('a "context" that is not an object', async () => {
    const path = cdkJson('{ "context": [1, 2] }');

    const error = await usageErrorOf(path);

    expect(error.message).toContain(`${path}: "context" must be an object of context keys.`);
  });

  it('a missing key: the given file alone configures the app, the checkout fills no gap', async () => {
    const path = cdkJson(contextWith('aws-ops-kit:task-starter', undefined));

    const error = await usageErrorOf(path);

    expect(error.message).toContain(path);
    expect(error.message).toContain('"aws-ops-kit:task-starter" is missing');
  });

  it('a value of the wrong type', async () => {
    const starter = { ...CHECKOUT_CONTEXT['aws-ops-kit:task-starter'], cluster: 5 };
    const path = cdkJson(contextWith('aws-ops-kit:task-starter', starter));

    const error = await usageErrorOf(path);

    expect(error.message).toContain(
      `${path}: cdk.json context "aws-ops-kit:task-starter" is invalid`,
    );
    expect(error.message).toContain('cluster');
  });

  it('a value the construct rejects: its validation message, naming the prop', async () => {
    const shedding = { ...CHECKOUT_CONTEXT['aws-ops-kit:load-shedding'], shedPercent: 0 };
    const path = cdkJson(contextWith('aws-ops-kit:load-shedding', shedding));

    const error = await usageErrorOf(path);

    expect(error.message).toContain(path);
    expect(error.message).toMatch(/LoadShedding\(.*\).*shedPercent/s);
  });
});
