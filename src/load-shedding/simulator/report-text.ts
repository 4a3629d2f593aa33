/** The terminal report of a simulated run: the scenario in a line, the timeline, the summary. */
import type { SimulationResult } from './result.js';
import type { Scenario } from './scenario.js';

/** `mm:ss` (or `h:mm:ss`) from the start of the run. */
export function clockTime(seconds: number): string {
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** A duration in seconds for people: `45 s`, `9 min 0 s`, or `-` when it did not happen. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round((seconds - m * 60) * 10) / 10} s`;
}

function metricText(scenario: Scenario): string {
  const { alarm } = scenario;
  const metric = alarm.metric === '5xx' ? 'primary 5xx count' : 'primary response time (s)';
  return (
    `${metric} ${alarm.statistic} > ${alarm.threshold} for ${alarm.datapointsToAlarm} of ` +
    `${alarm.evaluationPeriods} min (missing data: ${alarm.treatMissingData})`
  );
}

function trafficText(scenario: Scenario): string {
  const { traffic } = scenario;
  const { profile } = traffic;
  const base = `${traffic.baseRps} rps ±${traffic.noisePercent}%`;
  switch (profile.kind) {
    case 'spike':
      return `${base}, ${profile.multiplier}x spike at minute ${profile.startMinute} for ${profile.durationMinutes} min`;
    case 'points':
      return `piecewise: ${profile.points.map((p) => `${p.rps} rps @${p.minute}`).join(', ')} (±${traffic.noisePercent}%)`;
    case 'constant':
      return base;
  }
}

/** The scenario's settings, one line each. */
export function describeScenario(scenario: Scenario): string[] {
  const c = scenario.controller;
  const { layout } = scenario;
  return [
    `traffic    ${trafficText(scenario)}`,
    `primary    capacity ${scenario.primary.capacityRps} rps, base latency ${scenario.primary.baseLatencyMs} ms`,
    `listeners  ${layout.listeners} × (default rule + ${layout.rulesPerListener} rules), ${layout.secondaries} secondary target group(s)${layout.canary ? ', one 80/20 canary rule' : ''}`,
    `alarm      ${metricText(scenario)}`,
    `controller shed ${c.shedPercent}% every ${c.shedDelaySeconds} s, restore ${c.restorePercent}% every ${c.restoreDelaySeconds} s, max shed ${c.maxShedPercent}% (floor ${100 - c.maxShedPercent}%)${c.dryRun ? ', DRY RUN' : ''}`,
  ];
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  return rows.map((row) =>
    row
      .map((cell, col) =>
        rightAligned.has(col) ? cell.padStart(widths[col]) : cell.padEnd(widths[col]),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** Most rule columns shown; with more rules the timeline shows the lowest rule weight only. */
const MAX_RULE_COLUMNS = 8;

export function renderText(result: SimulationResult): string {
  const { scenario, summary, timeline } = result;
  const ruleIds = result.rules.map((r) => r.id);
  const perRule = ruleIds.length <= MAX_RULE_COLUMNS;
  const header = [
    'time',
    'offered rps',
    'primary rps',
    'share %',
    ...(perRule ? ruleIds : ['min rule %']),
    'alarm',
    'actions',
    'writes',
    'describes',
  ];
  const rows = timeline.map((row) => [
    clockTime(row.minute * scenario.stepSeconds),
    row.offeredRps.toFixed(0),
    row.primaryRps.toFixed(0),
    String(row.primarySharePercent),
    ...(perRule
      ? ruleIds.map((id) => String(row.primaryWeights[id]))
      : [String(Math.min(...Object.values(row.primaryWeights)))]),
    row.alarm,
    row.actions.length === 0 ? '-' : row.actions.join(','),
    String(row.elbv2Writes),
    String(row.elbv2Describes),
  ]);
  const ruleCols = perRule ? ruleIds.length : 1;
  const right = new Set([1, 2, 3, ...Array.from({ length: ruleCols }, (_, i) => 4 + i)]);
  right.add(6 + ruleCols).add(7 + ruleCols);

  const s = summary;
  const at = (seconds: number | null): string =>
    seconds === null ? '-' : `${clockTime(seconds)} (${seconds} s)`;
  const lines = [
    `Load-shedding simulation: ${scenario.name} (seed ${scenario.seed}, ${scenario.durationMinutes} min of virtual time)`,
    ...describeScenario(scenario).map((line) => `  ${line}`),
    '',
    `Timeline (one row per minute, sampled mid-minute; rule columns: the primary's weight share %)`,
    ...table([header, ...rows], right).map((line) => `  ${line}`),
    '',
    'Summary',
    ...table(
      [
        ['first ALARM', at(s.firstAlarmAtSeconds)],
        ['time to first shed', duration(s.timeToFirstShedSeconds)],
        [
          'time to deepest shed',
          `${duration(s.timeToMaxShedSeconds)} (primary share ${s.maxShedPrimarySharePercent}%)`,
        ],
        [
          'reached the floor',
          `${s.reachedFloor ? 'yes' : 'no'} (floor ${s.floorPercent}%, lowest rule weight ${s.minPrimaryWeightPercent}%)`,
        ],
        ['time to restore (OK → baseline)', duration(s.timeToRestoreSeconds)],
        ['final weights == baseline', s.finalWeightsAtBaseline ? 'yes' : 'NO'],
        ['shed / restore steps', `${s.shedSteps} / ${s.restoreSteps}`],
        [
          'ELBv2 writes',
          `${s.totalElbv2Writes} (per step: avg ${s.writesPerStep.average}, max ${s.writesPerStep.max})`,
        ],
        [
          'ELBv2 Describe calls',
          `${s.totalElbv2Describes} (per step: avg ${s.describesPerStep.average}, max ${s.describesPerStep.max})`,
        ],
        ['shortest gap between writes of a rule', duration(s.minSecondsBetweenWritesOfARule)],
        ['minutes over capacity', String(s.overloadedMinutes)],
      ],
      new Set(),
    ).map((line) => `  ${line}`),
    '',
    result.errors.length === 0
      ? 'Errors: none'
      : `Errors (${result.errors.length}):\n${result.errors.map((e) => `  - ${e}`).join('\n')}`,
  ];
  return `${lines.join('\n')}\n`;
}
