import { beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/load-shedding/simulator/report-html.js';
import {
  clockTime,
  duration,
  renderText,
} from '../../../src/load-shedding/simulator/report-text.js';
import type { SimulationResult } from '../../../src/load-shedding/simulator/result.js';
import { runScenario } from '../../../src/load-shedding/simulator/runner.js';
import { parseScenario } from '../../../src/load-shedding/simulator/scenario.js';
import { bandChart, escapeXml, lineChart, niceStep } from '../../../src/common/svg-chart.js';

let result: SimulationResult;
beforeAll(async () => {
  result = await runScenario(
    parseScenario({
      name: 'spike <b>&</b> "quotes"',
      durationMinutes: 20,
      traffic: { profile: { kind: 'spike', startMinute: 2, durationMinutes: 6 } },
    }),
  );
});

describe('load-shedding simulator: text report', () => {
  it('formats times and durations', () => {
    expect([clockTime(0), clockTime(660), clockTime(3725)]).toEqual(['00:00', '11:00', '1:02:05']);
    expect([duration(null), duration(0.1), duration(540.1)]).toEqual(['-', '0.1 s', '9 min 0.1 s']);
  });

  it('lists the scenario, one row per minute and the summary', () => {
    const text = renderText(result);
    const rows = text.split('\n').filter((line) => /^ {2}\d\d:\d\d /.test(line));
    expect(rows).toHaveLength(20);
    expect(text).toContain(
      'controller shed 5% every 60 s, restore 5% every 120 s, max shed 100% (floor 0%)',
    );
    expect(text).toMatch(/ELBv2 writes\s+\d+ \(per step: avg/);
    expect(text).toContain('Errors: none');
  });

  it('shows the lowest rule weight instead of one column per rule for large layouts', async () => {
    const wide = await runScenario(
      parseScenario({
        durationMinutes: 2,
        layout: { listeners: 3, rulesPerListener: 2 },
        alarm: { metric: 'latency' },
        traffic: { profile: { kind: 'points', points: [{ minute: 0, rps: 10 }] } },
      }),
    );
    const text = renderText(wide);
    expect(text).toContain('min rule %');
    expect(text).toContain('primary response time (s) Average > 1');
    expect(text).toContain('piecewise: 10 rps @0');
  });

  it('lists the errors a run met', () => {
    const text = renderText({ ...result, errors: ['boom'] });
    expect(text).toContain('Errors (1):\n  - boom');
  });
});

describe('load-shedding simulator: HTML report', () => {
  it('holds three inline SVG charts and nothing that loads from elsewhere', () => {
    const html = renderHtml(result);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('<polyline');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=/i);
  });

  it('says what did not happen', () => {
    const html = renderHtml({
      ...result,
      summary: {
        ...result.summary,
        firstAlarmAtSeconds: null,
        reachedFloor: true,
        finalWeightsAtBaseline: false,
      },
    });
    expect(html).toContain('<tr><td>First ALARM</td><td>-</td></tr>');
    expect(html).toContain('<td>Reached the floor</td><td>yes');
    expect(html).toContain('<td>Final weights == baseline</td><td>NO</td>');
    const text = renderText({
      ...result,
      summary: {
        ...result.summary,
        firstAlarmAtSeconds: null,
        reachedFloor: true,
        finalWeightsAtBaseline: false,
      },
    });
    expect(text).toMatch(/first ALARM\s+-\n/);
    expect(text).toMatch(/reached the floor\s+yes/);
    expect(text).toMatch(/final weights == baseline\s+NO/);
  });

  it('escapes the scenario name and lists errors', () => {
    const html = renderHtml({ ...result, errors: ['<oops>'] });
    expect(html).toContain('spike &lt;b&gt;&amp;&lt;/b&gt; &quot;quotes&quot;');
    expect(html).not.toContain('<b>&</b>');
    expect(html).toContain('<li>&lt;oops&gt;</li>');
  });
});

describe('load-shedding simulator: SVG charts', () => {
  it('niceStep picks 1, 2 or 5 times a power of ten', () => {
    expect([niceStep(0), niceStep(4000), niceStep(100), niceStep(90, 8), niceStep(7)]).toEqual([
      1, 1000, 20, 20, 2,
    ]);
  });

  it('escapeXml escapes the five XML characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });

  it('a line chart scales values to its height and clips at yMax', () => {
    const svg = lineChart({
      title: 't',
      yLabel: 'y',
      yMax: 100,
      width: 200,
      height: 100,
      series: [{ label: 's', color: '#000', values: [0, 100, 200] }],
    });
    // plot area: y from 36 (top) to 64 (bottom)
    expect(svg).toMatch(/points="[\d.]+,64 [\d.]+,36 [\d.]+,36"/);
  });

  it('a band chart colours each minute and stacks markers', () => {
    const svg = bandChart({
      title: 'b',
      states: ['OK', 'ALARM', 'OTHER'],
      colors: { OK: '#0f0', ALARM: '#f00' },
      markers: [
        { minute: 1, label: 'shed', color: '#f00' },
        { minute: 1, label: 'wait', color: '#777' },
      ],
    });
    expect(svg.match(/<rect [^>]*height="32"/g)).toHaveLength(3);
    expect(svg).toContain('fill="#999"');
    expect(svg.match(/<circle cx="[\d.]+" cy="(\d+)"/g)?.map((c) => c.split('cy=')[1])).toEqual([
      '"21"', // the legend's two marker kinds
      '"21"',
      '"72"', // the markers of minute 1, stacked upwards
      '"62"',
    ]);
  });
});
