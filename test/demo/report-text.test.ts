import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TIMELINE_LINES_PER_ACT, renderDemoText } from '../../src/demo/report-text.js';
import type { ActResult, DemoEvent, DemoResult } from '../../src/demo/result.js';
import { formatVirtual } from '../../src/demo/runner.js';

function act(overrides: Partial<ActResult> = {}): ActResult {
  return {
    id: 'workflow',
    title: 'An act',
    checks: [{ name: 'it worked', ok: true, detail: '3 of 3' }],
    facts: [{ label: 'things', value: '3' }],
    events: [],
    charts: [],
    functions: [],
    metrics: [],
    virtualSeconds: 90,
    wallMs: 10,
    ...overrides,
  };
}

function demoResult(acts: readonly ActResult[]): DemoResult {
  return {
    seed: 7,
    acts,
    firedAlarms: [],
    ok: acts.every((a) => a.checks.every((c) => c.ok)),
    wallMs: 2_500,
  };
}

const events = (count: number): DemoEvent[] =>
  Array.from({ length: count }, (_, i) => ({ atSeconds: i * 61, text: `event ${i + 1}` }));

/** The timeline lines of the first act. */
function timeline(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf('   timeline:');
  if (start < 0) return [];
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => !line.startsWith('     '));
  return rest.slice(0, end);
}

describe('report text: acts and summary', () => {
  it('marks a failed act and its failed check, and says the demo FAILED', () => {
    // Prepare
    const failed = act({
      title: 'Broken act',
      checks: [
        { name: 'first', ok: true, detail: 'fine' },
        { name: 'second', ok: false, detail: 'saw 0, expected 4' },
      ],
    });
    // Act
    const text = renderDemoText(demoResult([act(), failed]));
    // Assess
    expect(text).toContain('1. An act [ok]');
    expect(text).toContain('2. Broken act [FAILED]');
    expect(text).toContain('   ✔ first — fine');
    expect(text).toContain('   ✘ second — saw 0, expected 4');
    expect(text).toContain('   2/3 expected outcomes reached;');
    expect(text).toContain('Demo FAILED: see the ✘ lines above.');
    expect(text).not.toContain('Demo passed.');
    expect(text).not.toContain('report:');
  });

  it('counts the simulated time of a shared run once, and names the report', () => {
    const text = renderDemoText(
      demoResult([
        act({ id: 'load-shedding', virtualSeconds: 36 * 60 }),
        act({ id: 'task-starter', virtualSeconds: 36 * 60, sharesRunWith: 'load-shedding' }),
        act({ virtualSeconds: 30 * 60 }),
      ]),
      'out/report.html',
    );
    expect(text).toContain('3/3 expected outcomes reached; 1 h 06 min simulated in 2.5 s (seed 7)');
    expect(text).toContain('   report: out/report.html');
    expect(text).toContain('Demo passed.');
  });

  it('prints no timeline header for an act without events', () => {
    expect(renderDemoText(demoResult([act()]))).not.toContain('timeline:');
  });

  it('shows times as m:ss, and h:mm:ss past an hour', () => {
    const text = renderDemoText(
      demoResult([
        act({
          events: [
            { atSeconds: -3, text: 'before the start' },
            { atSeconds: 65.4, text: 'a minute in' },
            { atSeconds: 3_723, text: 'an hour in' },
          ],
        }),
      ]),
    );
    expect(timeline(text)).toEqual([
      '         0:00  before the start',
      '         1:05  a minute in',
      '      1:02:03  an hour in',
    ]);
  });
});

describe('report text: long timelines', () => {
  it('keeps the first and the last two lines and says how many it left out', () => {
    const lines = timeline(renderDemoText(demoResult([act({ events: events(30) })])));
    expect(lines).toHaveLength(TIMELINE_LINES_PER_ACT + 1);
    expect(lines.at(-3)).toBe('     … 18 more');
    expect(lines.at(-4)).toMatch(/event 10$/);
    expect(lines.slice(-2).map((l) => l.replace(/^.*event /, ''))).toEqual(['29', '30']);
  });

  it('shows at most the limit of events, and every event when they fit', () => {
    fc.assert(
      fc.property(fc.nat({ max: 40 }), (count) => {
        const lines = timeline(renderDemoText(demoResult([act({ events: events(count) })])));
        const shown = lines.filter((l) => / event \d+$/.test(l));
        const hidden = lines.filter((l) => l.includes('more'));
        expect(shown).toHaveLength(Math.min(count, TIMELINE_LINES_PER_ACT));
        expect(hidden).toEqual(
          count > TIMELINE_LINES_PER_ACT ? [`     … ${count - TIMELINE_LINES_PER_ACT} more`] : [],
        );
        if (count > 0) expect(shown.at(-1)).toMatch(new RegExp(` event ${count}$`));
      }),
      { numRuns: 60 },
    );
  });
});

describe('runner: formatVirtual', () => {
  it.each([
    [40.4, '40 s'],
    [60, '1 min'],
    [59 * 60, '59 min'],
    [65 * 60, '1 h 05 min'],
    [2 * 3600 + 30 * 60, '2 h 30 min'],
  ])('%s s is %s', (seconds, text) => {
    expect(formatVirtual(seconds)).toBe(text);
  });
});
