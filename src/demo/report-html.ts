/**
 * The demo's HTML report: one self-contained file (inline CSS and SVG; no script, font, image or
 * network request) with, per act, its charts, expected outcomes and timeline, then the alarms
 * that would have fired.
 */
import { bandChart, escapeXml, lineChart } from '../common/svg-chart.js';
import type { ActResult, DemoChart, DemoResult } from './result.js';
import { passed } from './result.js';
import { formatVirtual } from './runner.js';

const PALETTE = ['#d81b60', '#1e88e5', '#43a047', '#fb8c00', '#8e24aa', '#00897b', '#6d4c41'];
const STATE_COLORS: Readonly<Record<string, string>> = {
  OK: '#4caf50',
  ALARM: '#e53935',
  INSUFFICIENT_DATA: '#9e9e9e',
};

function chart(spec: DemoChart): string {
  if (spec.kind === 'band') {
    return bandChart({
      title: spec.title,
      states: spec.states,
      colors: STATE_COLORS,
      markers: spec.markers.map((marker) => ({ ...marker, color: '#000000' })),
    });
  }
  return lineChart({
    title: spec.title,
    yLabel: spec.yLabel,
    yMax: spec.yMax,
    series: spec.series.map((series, i) => ({
      ...series,
      color: PALETTE[i % PALETTE.length],
    })),
  });
}

function actSection(act: ActResult, index: number): string {
  const status = passed(act) ? 'ok' : 'failed';
  const facts = act.facts
    .map((f) => `<tr><td>${escapeXml(f.label)}</td><td>${escapeXml(f.value)}</td></tr>`)
    .join('');
  const checks = act.checks
    .map(
      (c) =>
        `<tr class="${c.ok ? 'pass' : 'fail'}"><td>${c.ok ? '✔' : '✘'}</td><td>${escapeXml(c.name)}</td><td>${escapeXml(c.detail)}</td></tr>`,
    )
    .join('');
  const events = act.events
    .map((e) => `<tr><td>${formatVirtual(e.atSeconds)}</td><td>${escapeXml(e.text)}</td></tr>`)
    .join('');
  return `<section id="${act.id}" class="act ${status}">
<h2>${index + 1}. ${escapeXml(act.title)} <span class="badge">${status}</span></h2>
<p>${formatVirtual(act.virtualSeconds)} simulated in ${(act.wallMs / 1000).toFixed(1)} s.</p>
${act.charts.map(chart).join('\n')}
<table class="facts">${facts}</table>
<h3>Expected outcomes</h3>
<table class="checks">${checks}</table>
${events === '' ? '' : `<details><summary>Timeline (${act.events.length} events)</summary><table class="events">${events}</table></details>`}
</section>`;
}

export function renderDemoHtml(result: DemoResult): string {
  const title = 'aws-ops-kit demo';
  const alarms =
    result.firedAlarms.length === 0
      ? '<p>No alarm would have fired.</p>'
      : `<table class="alarms"><tr><th>alarm</th><th>act</th><th>at</th><th>why</th></tr>${result.firedAlarms
          .map(
            (a) =>
              `<tr><td>${escapeXml(a.alarmName)}</td><td>${escapeXml(a.act)}</td><td>${formatVirtual(a.atSeconds)}</td><td>${escapeXml(a.reason)}</td></tr>`,
          )
          .join('')}</table>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1000px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 32px; } h3 { font-size: 14px; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
tr.fail td { background: #fdecea; } tr.pass td:first-child { color: #2e7d32; }
.badge { font-size: 12px; padding: 1px 8px; border-radius: 8px; background: #e8f5e9; color: #2e7d32; }
section.failed .badge { background: #fdecea; color: #c62828; }
svg.chart { display: block; margin: 12px 0; max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>${title}: ${result.ok ? 'every act reached its expected outcome' : 'some acts FAILED'}</h1>
<p>Seed ${result.seed}. Each act ran the kit's real handlers against the in-memory AWS simulation in virtual time; ${(result.wallMs / 1000).toFixed(1)} s of wall time in all.</p>
<ol>${result.acts.map((act) => `<li><a href="#${act.id}">${escapeXml(act.title)}</a> — ${passed(act) ? 'ok' : 'FAILED'}</li>`).join('')}</ol>
${result.acts.map(actSection).join('\n')}
<h2>Alarms that would have fired</h2>
${alarms}
</body>
</html>
`;
}
