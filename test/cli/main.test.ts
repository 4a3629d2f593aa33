import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { processIo, type CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { simulateDrs } from '../../src/cli/simulate-drs.js';
import { simulateLoadShedding } from '../../src/cli/simulate-load-shedding.js';
import { runDrill } from '../../src/disaster-recovery/simulator/drill.js';
import { runScenario } from '../../src/load-shedding/simulator/runner.js';
import type { SimulationResult } from '../../src/load-shedding/simulator/result.js';
import type { Scenario } from '../../src/load-shedding/simulator/scenario.js';
import { fakeIo } from './fake-io.js';

async function run(argv: string[], files?: Record<string, string>) {
  const fake = fakeIo(files);
  const code = await main(argv, fake.io);
  return { code, ...fake };
}

const SHORT = ['simulate', 'load-shedding', '--duration', '20'];

describe('cli: help', () => {
  it.each([[[]], [['--help']], [['-h']]])('opskit %j prints every command', async (argv) => {
    const { code, stdout, stderr } = await run(argv);
    expect(code).toBe(0);
    expect(stdout()).toMatch(/^Usage: opskit <command>/);
    for (const command of [
      'demo',
      'simulate load-shedding',
      'simulate drs',
      'workflow run',
      'workflow smoke',
      'synth',
    ]) {
      expect(stdout()).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    expect(stdout()).not.toMatch(/planned/i);
    expect(stderr()).toBe('');
  });

  it('opskit simulate --help and opskit simulate load-shedding --help', async () => {
    const simulate = await run(['simulate', '--help']);
    const command = await run(['simulate', 'load-shedding', '--help']);
    expect(simulate.code).toBe(0);
    expect(simulate.stdout()).toMatch(/^Usage: opskit simulate <capability>/);
    expect(command.code).toBe(0);
    expect(command.stdout()).toMatch(/^Usage: opskit simulate load-shedding/);
    for (const flag of [
      '--scenario',
      '--seed',
      '--json',
      '--html',
      '--shed-percent',
      '--max-shed-percent',
      '--shed-delay',
      '--restore-delay',
      '--spike-multiplier',
    ]) {
      expect(command.stdout()).toContain(flag);
    }
  });

  it('opskit --version prints the package version', async () => {
    const { code, stdout } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('cli: usage errors exit 2 and name the problem', () => {
  it.each([
    [['deploy'], /unknown command 'deploy'/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['demo', '--bogus'], /Unknown option '--bogus'\. Run 'opskit demo --help'/],
    [['demo', '--seed', 'x'], /--seed must be a whole number from 0 to 4294967295, got 'x'/],
    [['demo', '--html', 'a.html', '--no-html'], /--html and --no-html contradict each other/],
    [
      ['synth', '--context', '/nowhere/cdk.json'],
      /--context: '\/nowhere\/cdk\.json' does not exist/,
    ],
    [['synth', 'extra'], /Unexpected argument 'extra'/],
    [['simulate'], /name what to simulate/],
    [['workflow'], /name what to do: 'opskit workflow run' or 'opskit workflow smoke'/],
    [['workflow', 'smoke'], /--queue-url is required/],
    [['workflow', 'walk'], /unknown subcommand 'walk' for 'opskit workflow'/],
    [['simulate', 'dns'], /unknown capability 'dns'.*Available: load-shedding, drs/],
    [
      ['simulate', 'drs', '--servers', '0'],
      /--servers must be a whole number from 1 to 5000, got '0'/,
    ],
    [
      ['simulate', 'drs', '--servers', '3', '--waves', '4'],
      /--waves \(4\) cannot exceed --servers \(3\)/,
    ],
    [['simulate', 'drs', '--tps', 'fast'], /--tps must be a whole number from 1 to 1000/],
    [
      ['simulate', 'drs', '--concurrency', '51'],
      /--concurrency must be a whole number from 1 to 50/,
    ],
    [['simulate', 'load-shedding', '--shed-precent', '5'], /Unknown option '--shed-precent'/],
    [['simulate', 'load-shedding', 'extra'], /Unexpected argument 'extra'/],
    [['simulate', 'load-shedding', '--seed'], /--seed <value>' argument missing/],
    [
      ['simulate', 'load-shedding', '--shed-percent', '0'],
      /--shed-percent must be a whole number from 1 to 100, got '0'/,
    ],
    [
      ['simulate', 'load-shedding', '--max-shed-percent', 'lots'],
      /--max-shed-percent must be a whole number from 1 to 100, got 'lots'/,
    ],
    [
      ['simulate', 'load-shedding', '--restore-percent', '101'],
      /--restore-percent must be a whole number from 1 to 100/,
    ],
    [
      ['simulate', 'load-shedding', '--shed-delay', '901'],
      /--shed-delay must be a whole number from 0 to 900, got '901'/,
    ],
    [
      ['simulate', 'load-shedding', '--restore-delay=-1'],
      /--restore-delay must be a whole number from 0 to 900/,
    ],
    [
      ['simulate', 'load-shedding', '--spike-multiplier', '0'],
      /--spike-multiplier must be a number above 0 and at most 100, got '0'/,
    ],
    [['simulate', 'load-shedding', '--capacity', '1e3'], /--capacity must be a number at least 0/],
    [
      ['simulate', 'load-shedding', '--duration', '1441'],
      /--duration must be a whole number from 1 to 1440/,
    ],
    [['simulate', 'load-shedding', '--seed', '1.5'], /--seed must be a whole number/],
  ])('%j', async (argv, message) => {
    const { code, stderr, stdout } = await run(argv);
    expect(code).toBe(2);
    expect(stderr()).toMatch(message);
    expect(stderr()).toMatch(/^opskit: /);
    expect(stdout()).toBe('');
  });

  it('an unreadable scenario file names the flag and the path', async () => {
    const { code, stderr } = await run([...SHORT, '--scenario', 'missing.json']);
    expect(code).toBe(2);
    expect(stderr()).toMatch(/--scenario: cannot read 'missing\.json': ENOENT/);
  });

  it('a scenario file that is not JSON says so', async () => {
    const { code, stderr } = await run([...SHORT, '--scenario', 's.json'], { 's.json': '{ nope' });
    expect(code).toBe(2);
    expect(stderr()).toMatch(/scenario file 's\.json' is not valid JSON: /);
  });

  it('an invalid scenario file names the file and the field', async () => {
    const file = JSON.stringify({ controller: { shedPercent: 500 }, traffic: { baseRps: 'many' } });
    const { code, stderr } = await run([...SHORT, '--scenario', 's.json'], { 's.json': file });
    expect(code).toBe(2);
    expect(stderr()).toContain("scenario file 's.json' is invalid:");
    expect(stderr()).toContain('controller.shedPercent: must be a whole number from 1 to 100');
    expect(stderr()).toContain('traffic.baseRps: must be a number from 0 to 10000000');
  });

  it('a scenario whose controller is not an object, and a spike flag on a points profile', async () => {
    const notObject = await run([...SHORT, '--scenario', 'a.json', '--shed-percent', '5'], {
      'a.json': '{"controller": 5}',
    });
    const points = JSON.stringify({
      traffic: { profile: { kind: 'points', points: [{ minute: 0, rps: 1 }] } },
    });
    const spike = await run([...SHORT, '--scenario', 'b.json', '--spike-multiplier', '2'], {
      'b.json': points,
    });
    expect(notObject.code).toBe(2);
    expect(notObject.stderr()).toContain('controller: must be an object');
    expect(spike.code).toBe(2);
    expect(spike.stderr()).toMatch(
      /--spike-multiplier applies to a 'spike' traffic profile, but scenario file 'b\.json' uses "points"/,
    );
  });

  it('an HTML path that cannot be written names the flag', async () => {
    const { code, stderr } = await run([...SHORT, '--html', '/readonly/r.html']);
    expect(code).toBe(2);
    expect(stderr()).toMatch(/--html: cannot write '\/readonly\/r\.html': EACCES/);
  });
});

describe('cli: simulate load-shedding', () => {
  it('prints the text report: scenario, timeline and summary', async () => {
    const { code, stdout } = await run(SHORT);
    expect(code).toBe(0);
    expect(stdout()).toMatch(/^Load-shedding simulation: 3x traffic spike \(seed 1, 20 min/);
    expect(stdout()).toContain('l1-r3');
    expect(stdout()).toMatch(/time to first shed\s+\d/);
    expect(stdout()).toContain('Errors: none');
  });

  it('--json prints only JSON: the result with the flags applied', async () => {
    const { code, stdout } = await run([
      ...SHORT,
      '--json',
      '--seed',
      '9',
      '--shed-percent',
      '20',
      '--spike-multiplier',
      '4',
      '--capacity',
      '1200',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout()) as SimulationResult;
    expect(result.scenario.seed).toBe(9);
    expect(result.scenario.controller.shedPercent).toBe(20);
    expect(result.scenario.traffic.profile).toMatchObject({ kind: 'spike', multiplier: 4 });
    expect(result.scenario.primary.capacityRps).toBe(1200);
    expect(result.timeline).toHaveLength(20);
    expect(result.summary.shedSteps).toBeGreaterThan(0);
  });

  it('flags override a scenario file; --print-scenario shows the result without running', async () => {
    const file = JSON.stringify({
      name: 'mine',
      controller: { shedPercent: 7, restorePercent: 3 },
    });
    const { code, stdout } = await run(
      [
        'simulate',
        'load-shedding',
        '--scenario',
        'm.json',
        '--shed-percent',
        '9',
        '--restore-delay',
        '300',
        '--shed-delay',
        '30',
        '--max-shed-percent',
        '50',
        '--restore-percent',
        '4',
        '--dry-run',
        '--print-scenario',
      ],
      { 'm.json': file },
    );
    expect(code).toBe(0);
    const scenario = JSON.parse(stdout()) as Scenario;
    expect(scenario.name).toBe('mine');
    expect(scenario.controller).toMatchObject({
      shedPercent: 9,
      restorePercent: 4,
      shedDelaySeconds: 30,
      restoreDelaySeconds: 300,
      maxShedPercent: 50,
      dryRun: true,
    });
  });

  it('--html writes a self-contained report; with --json the notice goes to stderr', async () => {
    const { code, stdout, stderr, written } = await run([...SHORT, '--json', '--html', 'out.html']);
    expect(code).toBe(0);
    expect(() => JSON.parse(stdout()) as unknown).not.toThrow();
    expect(stderr()).toContain('HTML report written to out.html');
    const html = written.get('out.html') ?? '';
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|src=/i);
  });

  it('--html without --json tells where the report went on stdout', async () => {
    const { code, stdout } = await run([...SHORT, '--html', 'r.html']);
    expect(code).toBe(0);
    expect(stdout()).toContain('HTML report written to r.html');
  });
});

describe('cli: simulate drs', () => {
  it('runs a small drill and prints its counts', async () => {
    const { code, stdout } = await run([
      'simulate',
      'drs',
      '--servers',
      '30',
      '--waves',
      '3',
      '--concurrency',
      '2',
    ]);
    expect(code).toBe(0);
    expect(stdout()).toMatch(/^DR drill: 30 source servers in 3 waves, 2 concurrent invocations/);
    expect(stdout()).toMatch(/launched\s+30 of 30/);
    expect(stdout()).toMatch(/quota errors\s+0/);
    expect(stdout()).toContain('Drill succeeded.');
  });

  it('--json prints the result; --help lists the flags', async () => {
    const json = await run(['simulate', 'drs', '--servers', '10', '--waves', '1', '--json']);
    const help = await run(['simulate', 'drs', '--help']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ servers: 10, waves: 1, launched: 10 });
    expect(help.code).toBe(0);
    for (const flag of ['--servers', '--waves', '--concurrency', '--tps', '--seed', '--json']) {
      expect(help.stdout()).toContain(flag);
    }
  });

  it('a drill that did not launch everything exits 1', async () => {
    const fake = fakeIo();
    const failing: typeof runDrill = async (options) => ({
      ...(await runDrill({ ...options, servers: 5, waves: 1 })),
      quotaErrors: 2,
    });
    expect(await simulateDrs([], fake.io, failing)).toBe(1);
    expect(fake.stdout()).toContain('Drill FAILED');
  });
});

describe('cli: demo and synth help', () => {
  it.each([
    [['demo', '--help'], /^Usage: opskit demo/, ['--seed', '--html', '--no-html', '--json']],
    [['synth', '--help'], /^Usage: opskit synth/, ['--context', '--out', '--skip-bundling']],
    [['workflow', '--help'], /^Usage: opskit workflow <subcommand>/, ['run', 'smoke']],
    [['workflow', 'run', '--help'], /^Usage: opskit workflow run/, ['--type']],
    [
      ['workflow', 'smoke', '--help'],
      /^Usage: opskit workflow smoke/,
      ['--queue-url', '--bucket', '--timeout', '--last-stage', '--json'],
    ],
  ])('%j', async (argv, usage, flags) => {
    const { code, stdout } = await run(argv);
    expect(code).toBe(0);
    expect(stdout()).toMatch(usage);
    for (const flag of flags) expect(stdout()).toContain(flag);
  });
});

describe('cli: failures', () => {
  it('a run that met errors exits 1 and says so', async () => {
    // Prepare: a runner that reports an error.
    const fake = fakeIo();
    const failing: typeof runScenario = async (scenario) => ({
      ...(await runScenario({ ...scenario, durationMinutes: 2 })),
      errors: ['boom'],
    });

    // Act
    const code = await simulateLoadShedding(['--duration', '20'], fake.io, failing);

    // Assess
    expect(code).toBe(1);
    expect(fake.stdout()).toContain('  - boom');
    expect(fake.stderr()).toBe('The run met 1 error(s); see the report.\n');
  });

  it('an unexpected error exits 1 with its stack; a thrown non-error too', async () => {
    const throwing = (thrown: unknown): CliIo => ({
      ...fakeIo().io,
      stdout: () => {
        throw thrown;
      },
      stderr: (text) => errors.push(text),
    });
    const errors: string[] = [];
    expect(await main(['--help'], throwing(new Error('stdout closed')))).toBe(1);
    expect(await main(['--help'], throwing('plain'))).toBe(1);
    expect(errors[0]).toMatch(/^opskit: unexpected error: Error: stdout closed\n\s+at /);
    expect(errors[1]).toBe('opskit: unexpected error: plain\n');
  });
});

describe('cli: process IO', () => {
  it('writes to the process streams and reads and writes files', async () => {
    // Prepare
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const dir = await mkdtemp(join(tmpdir(), 'opskit-'));
    const file = join(dir, 'x.txt');
    try {
      // Act
      processIo.stdout('to stdout');
      processIo.stderr('to stderr');
      await processIo.writeFile(file, 'content');
      const read = await processIo.readFile(file);

      // Assess
      expect(out).toHaveBeenCalledWith('to stdout');
      expect(err).toHaveBeenCalledWith('to stderr');
      expect(read).toBe('content');
    } finally {
      out.mockRestore();
      err.mockRestore();
      await rm(dir, { recursive: true });
    }
  });
});

describe('cli: bin/opskit.ts', () => {
  it('runs under tsx: --help exits 0 and prints the usage', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'bin/opskit.ts', '--help'], {
      cwd: new URL('../..', import.meta.url).pathname,
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^Usage: opskit <command>/);
  }, 60_000);
});
