import { describe, expect, it } from 'vitest';
import { DEFAULT_REPORT_PATH, demo } from '../../src/cli/demo.js';
import { CliUsageError } from '../../src/cli/errors.js';
import type { DemoAct } from '../../src/demo/runner.js';
import { fakeIo } from './fake-io.js';

/** A one-act demo whose single check passes or fails as told; fast, no simulation. */
function act(ok: boolean): DemoAct {
  return {
    id: 'load-shedding',
    title: 'A stand-in act',
    run: (context) => {
      context.progress('working');
      return Promise.resolve({
        checks: [{ name: 'the outcome was reached', ok, detail: ok ? 'yes' : 'no' }],
        facts: [{ label: 'answer', value: '42' }],
        events: [],
        charts: [],
        functions: [],
        metrics: [],
        virtualSeconds: 60,
      });
    },
  };
}

describe('cli: opskit demo', () => {
  it('prints progress and the summary, writes the report to the default path, exits 0', async () => {
    const fake = fakeIo();

    const code = await demo([], fake.io, [act(true)]);

    expect(code).toBe(0);
    const stdout = fake.stdout();
    expect(stdout).toContain('[1/1] A stand-in act ...');
    expect(stdout).toContain('working');
    expect(stdout).toContain(`report: ${DEFAULT_REPORT_PATH}`);
    expect(fake.written.get(DEFAULT_REPORT_PATH)).toMatch(/^<!doctype html>/i);
  });

  it('--quiet drops the progress, --no-html writes nothing', async () => {
    const fake = fakeIo();

    const code = await demo(['--quiet', '--no-html'], fake.io, [act(true)]);

    expect(code).toBe(0);
    const stdout = fake.stdout();
    expect(stdout).not.toContain('working');
    expect(stdout).toContain('1/1 expected outcomes reached');
    expect(fake.written.size).toBe(0);
  });

  it('--json keeps stdout one JSON document and sends the progress to stderr', async () => {
    const fake = fakeIo();

    const code = await demo(['--json', '--html', 'r.html'], fake.io, [act(true)]);

    expect(code).toBe(0);
    expect((JSON.parse(fake.stdout()) as { ok: boolean }).ok).toBe(true);
    expect(fake.stderr()).toContain('working');
    expect(fake.written.has('r.html')).toBe(true);
  });

  it('exits 1 when an act misses its outcome', async () => {
    const fake = fakeIo();

    const code = await demo(['--no-html'], fake.io, [act(false)]);

    expect(code).toBe(1);
    expect(fake.stdout()).toContain('Demo FAILED');
  });

  it('names the report path it cannot write', async () => {
    const fake = fakeIo();

    const error: unknown = await demo(['--html', '/readonly/report.html'], fake.io, [
      act(true),
    ]).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toBe(
      "--html: cannot write '/readonly/report.html': EACCES: permission denied. Check the path.",
    );
  });
});
