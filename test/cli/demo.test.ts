import { describe, expect, it } from 'vitest';
import { DEFAULT_REPORT_PATH, demo } from '../../src/cli/demo.js';
import { CliUsageError } from '../../src/cli/errors.js';
import type { CliIo } from '../../src/cli/io.js';
import type { DemoAct } from '../../src/demo/runner.js';

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

interface RecordedIo extends CliIo {
  readonly out: string[];
  readonly err: string[];
  readonly files: Map<string, string>;
}

function recordingIo(writeFails = false): RecordedIo {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  return {
    out,
    err,
    files,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readFile: () => Promise.reject(new Error('unused')),
    writeFile: (path, text) => {
      if (writeFails) return Promise.reject(new Error('EACCES: permission denied'));
      files.set(path, text);
      return Promise.resolve();
    },
  };
}

describe('cli: opskit demo', () => {
  it('prints progress and the summary, writes the report to the default path, exits 0', async () => {
    const io = recordingIo();

    const code = await demo([], io, [act(true)]);

    expect(code).toBe(0);
    const stdout = io.out.join('');
    expect(stdout).toContain('[1/1] A stand-in act ...');
    expect(stdout).toContain('working');
    expect(stdout).toContain(`report: ${DEFAULT_REPORT_PATH}`);
    expect(io.files.get(DEFAULT_REPORT_PATH)).toMatch(/^<!doctype html>/i);
  });

  it('--quiet drops the progress, --no-html writes nothing', async () => {
    const io = recordingIo();

    const code = await demo(['--quiet', '--no-html'], io, [act(true)]);

    expect(code).toBe(0);
    const stdout = io.out.join('');
    expect(stdout).not.toContain('working');
    expect(stdout).toContain('1/1 expected outcomes reached');
    expect(io.files.size).toBe(0);
  });

  it('--json keeps stdout one JSON document and sends the progress to stderr', async () => {
    const io = recordingIo();

    const code = await demo(['--json', '--html', 'r.html'], io, [act(true)]);

    expect(code).toBe(0);
    expect((JSON.parse(io.out.join('')) as { ok: boolean }).ok).toBe(true);
    expect(io.err.join('')).toContain('working');
    expect(io.files.has('r.html')).toBe(true);
  });

  it('exits 1 when an act misses its outcome', async () => {
    const io = recordingIo();

    const code = await demo(['--no-html'], io, [act(false)]);

    expect(code).toBe(1);
    expect(io.out.join('')).toContain('Demo FAILED');
  });

  it('names the report path it cannot write', async () => {
    const io = recordingIo(true);

    const error: unknown = await demo(['--html', '/root/x/report.html'], io, [act(true)]).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toBe(
      "--html: cannot write '/root/x/report.html': EACCES: permission denied. Check the path.",
    );
  });
});
