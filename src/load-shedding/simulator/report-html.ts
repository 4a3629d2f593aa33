/**
 * The HTML report of a simulated run: one self-contained file (inline CSS and SVG; no script,
 * font, image or network request) with the load, the primary's weights and the alarm state
 * over time, the summary and the timeline.
 */
import type { SimulationResult } from './result.js';
import { clockTime, describeScenario, duration } from './report-text.js';
import { bandChart, escapeXml, lineChart, type LineSeries } from '../../common/svg-chart.js';

const RULE_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
];
const ALARM_COLORS = { OK: '#4caf50', ALARM: '#e53935', INSUFFICIENT_DATA: '#9e9e9e' };
const ACTION_COLORS: Readonly<Record<string, string>> = {
  shed: '#e53935',
  restore: '#1e88e5',
  bake: '#fb8c00',
  wait: '#757575',
  hold: '#8e24aa',
  end: '#000000',
};

export function renderHtml(result: SimulationResult): string {
  const { scenario, summary: s, timeline } = result;
  const title = `Load-shedding simulation: ${scenario.name}`;
  const load = lineChart({
    title: 'Offered load and the primary target group’s load',
    yLabel: 'requests / s',
    series: [
      { label: 'offered', color: '#607d8b', values: timeline.map((r) => r.offeredRps) },
      { label: 'primary', color: '#d81b60', values: timeline.map((r) => r.primaryRps) },
      {
        label: 'primary capacity',
        color: '#000000',
        dashed: true,
        values: timeline.map((r) => r.primaryCapacityRps ?? scenario.primary.capacityRps),
      },
    ],
  });
  const shown = result.rules.slice(0, RULE_COLORS.length);
  const weightSeries: LineSeries[] = shown.map((rule, i) => ({
    label: rule.id,
    color: RULE_COLORS[i],
    step: true,
    // Rules often move together: wider lines below narrower ones keep every rule visible.
    strokeWidth: 2 + 2.5 * (shown.length - 1 - i),
    values: timeline.map((r) => r.primaryWeights[rule.id]),
  }));
  const weights = lineChart({
    title: 'Primary weight share per rule (%)',
    yLabel: 'percent',
    yMax: 100,
    series: [
      ...weightSeries,
      {
        label: `floor ${s.floorPercent}%`,
        color: '#000000',
        dashed: true,
        values: timeline.map(() => s.floorPercent),
      },
    ],
  });
  const alarm = bandChart({
    title: 'Alarm state and controller steps',
    states: timeline.map((r) => r.alarm),
    colors: ALARM_COLORS,
    markers: timeline.flatMap((row) =>
      row.actions
        .filter((action) => action in ACTION_COLORS)
        .map((action) => ({ minute: row.minute, label: action, color: ACTION_COLORS[action] })),
    ),
  });

  const summaryRows: [string, string][] = [
    ['First ALARM', s.firstAlarmAtSeconds === null ? '-' : clockTime(s.firstAlarmAtSeconds)],
    ['Time to first shed', duration(s.timeToFirstShedSeconds)],
    [
      'Time to deepest shed',
      `${duration(s.timeToMaxShedSeconds)} (primary share ${s.maxShedPrimarySharePercent}%)`,
    ],
    [
      'Reached the floor',
      `${s.reachedFloor ? 'yes' : 'no'} (floor ${s.floorPercent}%, lowest rule weight ${s.minPrimaryWeightPercent}%)`,
    ],
    ['Time to restore (OK → baseline)', duration(s.timeToRestoreSeconds)],
    ['Final weights == baseline', s.finalWeightsAtBaseline ? 'yes' : 'NO'],
    ['Shed / restore steps', `${s.shedSteps} / ${s.restoreSteps}`],
    [
      'ELBv2 writes',
      `${s.totalElbv2Writes} (per step: avg ${s.writesPerStep.average}, max ${s.writesPerStep.max})`,
    ],
    [
      'ELBv2 Describe calls',
      `${s.totalElbv2Describes} (per step: avg ${s.describesPerStep.average}, max ${s.describesPerStep.max})`,
    ],
    ['Shortest gap between writes of a rule', duration(s.minSecondsBetweenWritesOfARule)],
    ['Minutes over capacity', String(s.overloadedMinutes)],
  ];
  const ruleIds = result.rules.map((r) => r.id);
  const timelineRows = timeline.map(
    (row) =>
      `<tr class="${row.alarm}"><td>${clockTime(row.minute * scenario.stepSeconds)}</td><td>${row.offeredRps.toFixed(0)}</td><td>${row.primaryRps.toFixed(0)}</td><td>${row.primarySharePercent}</td>${ruleIds
        .map((id) => `<td>${row.primaryWeights[id]}</td>`)
        .join(
          '',
        )}<td>${row.alarm}</td><td>${escapeXml(row.actions.join(', ') || '-')}</td><td>${row.elbv2Writes}</td><td>${row.elbv2Describes}</td></tr>`,
  );
  const errors =
    result.errors.length === 0
      ? '<p>Errors: none.</p>'
      : `<h2>Errors (${result.errors.length})</h2><ul>${result.errors.map((e) => `<li>${escapeXml(e)}</li>`).join('')}</ul>`;

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1000px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
pre { background: #f5f5f5; padding: 8px 12px; font-size: 12px; }
table { border-collapse: collapse; font-size: 12px; }
td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: right; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
table.summary td { text-align: left; }
tr.ALARM td { background: #fdecea; } tr.INSUFFICIENT_DATA td { background: #f1f1f1; }
svg.chart { display: block; margin: 12px 0; max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
<p>Seed ${scenario.seed}, ${scenario.durationMinutes} minutes of virtual time, one step per minute. The real load-shedding handlers ran against simulated ELBv2, CloudWatch, EventBridge, SQS and DynamoDB.</p>
<pre>${escapeXml(describeScenario(scenario).join('\n'))}</pre>
${load}
${weights}
${alarm}
<h2>Summary</h2>
<table class="summary">${summaryRows.map(([k, v]) => `<tr><td>${escapeXml(k)}</td><td>${escapeXml(v)}</td></tr>`).join('')}</table>
${errors}
<h2>Timeline</h2>
<table>
<tr><th>time</th><th>offered rps</th><th>primary rps</th><th>share %</th>${ruleIds.map((id) => `<th>${escapeXml(id)} %</th>`).join('')}<th>alarm</th><th>actions</th><th>writes</th><th>describes</th></tr>
${timelineRows.join('\n')}
</table>
</body>
</html>
`;
}
