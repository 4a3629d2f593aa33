import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '../../src/cli/demo.js';
import type { CliIo } from '../../src/cli/io.js';
import { DEMO_ACTS } from '../../src/demo/acts/index.js';
import { renderDemoHtml } from '../../src/demo/report-html.js';
import { renderDemoText } from '../../src/demo/report-text.js';
import type { ActId, ActResult, DemoResult } from '../../src/demo/result.js';
import { runDemo } from '../../src/demo/runner.js';

const CHROMIUM = '/usr/bin/chromium';

/** The DOM members the chart check reads (the tests compile without the DOM library). */
interface SvgElement {
  getBoundingClientRect(): { readonly width: number; readonly height: number };
  querySelector(selector: string): { readonly textContent: string | null } | null;
  querySelectorAll(selector: string): { readonly length: number };
}

interface ChartSeen {
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly marks: number;
}
let result: DemoResult;

beforeAll(async () => {
  result = await runDemo(DEMO_ACTS);
}, 120_000);

function act(id: ActId): ActResult {
  const found = result.acts.find((a) => a.id === id);
  if (found === undefined) throw new Error(`act ${id} did not run`);
  return found;
}

describe('demo: the scenario', () => {
  it('runs the five steps in order and every expected outcome is reached', () => {
    expect(result.acts.map((a) => a.id)).toEqual([
      'load-shedding',
      'task-starter',
      'workflow',
      'dr-drill',
      'monitoring',
    ]);
    const failed = result.acts.flatMap((a) =>
      a.checks.filter((c) => !c.ok).map((c) => `${a.id}: ${c.name} — ${c.detail}`),
    );
    expect(failed).toEqual([]);
    expect(result.ok).toBe(true);
    for (const a of result.acts) expect(a.checks.length).toBeGreaterThanOrEqual(3);
  });

  // Every check of every step, by name: deleting or renaming one fails here.
  it.each([
    [
      'load-shedding',
      [
        'the spike drives the primary’s alarm to ALARM',
        'load shedding moves weight to the secondaries step by step',
        'no rule goes below the floor',
        'no handler error and no check in the dead-letter queue',
      ],
    ],
    [
      'task-starter',
      [
        'the alarm’s event starts extra tasks through the task starter',
        'every started task registers in the primary target group',
        'every registered task becomes healthy and adds capacity',
        'the alarm clears',
        'the weights return exactly to their baseline',
        'after the spike, the stopped tasks are deregistered',
        'no handler error, no event in the dead-letter queue, reconcile clean',
      ],
    ],
    [
      'workflow',
      [
        'the execution succeeded',
        'every stage wrote executions/{executionId}/{stage}/output.json',
        "the stages' outputs went through S3, never into the state payload",
      ],
    ],
    [
      'dr-drill',
      [
        'every source server launched a recovery instance',
        'DRS throttled the drill and every throttled call was retried',
        'the handlers recorded RateLimitErrors for every throttle (the DR alarm watches it)',
        'no DRS quota was ever exceeded',
        'each job started exactly once, redeliveries included',
      ],
    ],
    [
      'monitoring',
      [
        'every Lambda function of the deployment is a MonitoredFunction',
        'every function the acts ran is one of them',
        'the overload and DRS rate-limit alarms would have fired, and no other',
      ],
    ],
  ] as const)('step %s reaches each of its expected outcomes', (id, names) => {
    const checks = act(id).checks;
    expect(checks.map((check) => check.name)).toEqual(names);
    for (const check of checks) expect(check.ok, `${check.name} — ${check.detail}`).toBe(true);
  });

  it('lists the alarms that would have fired: the overload and the DRS rate-limit alarms', () => {
    const names = result.firedAlarms.map((alarm) => alarm.alarmName);
    expect(names).toContain('opskit-demo-shedding-overload');
    expect(names).toContain('opskit-demo-dr-drs-rate-limit-errors');
    expect(result.firedAlarms.find((a) => a.act === 'load-shedding')?.atSeconds).toBeGreaterThan(0);
  });

  it('the same seed gives the same outcome', async () => {
    const again = await runDemo(DEMO_ACTS.filter((a) => a.id === 'dr-drill'));
    expect(again.acts[0]?.facts).toEqual(act('dr-drill').facts);
  }, 60_000);

  it('the text report has a timeline per act and the summary', () => {
    const text = renderDemoText(result, 'report.html');
    expect(text).toMatch(/^1\. .*\[ok\]$/m);
    expect(text).toMatch(/^5\. .*\[ok\]$/m);
    expect(text).toContain('22/22 expected outcomes reached');
    expect(text).toContain('report: report.html');
    expect(text).toContain('Demo passed.');
  });
});

describe('demo: opskit demo', () => {
  it('exits 1 and says FAILED when a step misses its outcome; --json keeps stdout JSON', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const written = new Map<string, string>();
    const io: CliIo = {
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      readFile: () => Promise.reject(new Error('unused')),
      writeFile: (path, text) => {
        written.set(path, text);
        return Promise.resolve();
      },
    };
    const failing = [
      {
        id: 'workflow' as const,
        title: 'a step that fails',
        run: () => Promise.reject(new Error('boom')),
      },
    ];
    const code = await demo(['--json', '--html', 'r.html'], io, failing);
    expect(code).toBe(1);
    const parsed = JSON.parse(out.join('')) as DemoResult;
    expect(parsed.ok).toBe(false);
    expect(parsed.acts[0]?.checks[0]?.detail).toBe('Error: boom');
    expect(err.join('')).toContain('[1/1] a step that fails');
    expect(written.get('r.html')).toMatch(/some acts FAILED/);
  });
});

describe('demo: the HTML report in headless Chromium', () => {
  let browser: Browser | undefined;
  let file: string;

  beforeAll(async () => {
    file = join(mkdtempSync(join(tmpdir(), 'opskit-demo-')), 'report.html');
    writeFileSync(file, renderDemoHtml(result));
    if (existsSync(CHROMIUM)) {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('renders every chart with data, with no console error and no network request', async () => {
    // .ci/run installs Debian's chromium; without it this check cannot run.
    expect(browser, `${CHROMIUM} is missing: apt-get install chromium`).toBeDefined();
    const page = await (browser as Browser).newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(file).href);
    const charts: ChartSeen[] = await page.$$eval('svg.chart', (svgs) =>
      svgs.map((element) => {
        // Runs in the page; the project compiles without the DOM library, so name what it uses.
        const svg = element as unknown as SvgElement;
        const box = svg.getBoundingClientRect();
        return {
          title: svg.querySelector('title')?.textContent ?? '',
          width: box.width,
          height: box.height,
          marks: svg.querySelectorAll('polyline, rect').length,
        };
      }),
    );
    const chartCount = result.acts.reduce((sum, a) => sum + a.charts.length, 0);
    expect(chartCount).toBeGreaterThanOrEqual(6);
    expect(charts).toHaveLength(chartCount);
    for (const chart of charts) {
      expect(chart.width, chart.title).toBeGreaterThan(100);
      expect(chart.height, chart.title).toBeGreaterThan(50);
      expect(chart.marks, chart.title).toBeGreaterThan(0);
    }
    const titles = charts.map((chart) => chart.title).join(' | ');
    for (const subject of [/load/i, /weight/i, /alarm/i, /task/i, /throttl/i]) {
      expect(titles).toMatch(subject);
    }
    expect(await page.locator('section.act').count()).toBe(5);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  }, 60_000);
});
