/** The demo's console output: per act its outcome, headline numbers and timeline; then a summary. */
import type { DemoResult } from './result.js';
import { passed } from './result.js';
import { formatVirtual } from './runner.js';

/** Timeline lines shown per act on the console (the HTML report has them all). */
export const TIMELINE_LINES_PER_ACT = 12;

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(rest).padStart(2, '0')}`;
}

function sample<T>(items: readonly T[], max: number): { shown: T[]; hidden: number } {
  if (items.length <= max) return { shown: [...items], hidden: 0 };
  const head = items.slice(0, max - 2);
  const tail = items.slice(-2);
  return { shown: [...head, ...tail], hidden: items.length - max };
}

export function renderDemoText(result: DemoResult, reportPath?: string): string {
  const lines: string[] = [
    '',
    'aws-ops-kit demo — every capability, simulated in virtual time',
    '',
  ];
  for (const [index, act] of result.acts.entries()) {
    const status = passed(act) ? 'ok' : 'FAILED';
    lines.push(`${index + 1}. ${act.title} [${status}]`);
    for (const fact of act.facts) lines.push(`   ${fact.label}: ${fact.value}`);
    const { shown, hidden } = sample(act.events, TIMELINE_LINES_PER_ACT);
    if (shown.length > 0) lines.push('   timeline:');
    shown.forEach((event, i) => {
      if (hidden > 0 && i === shown.length - 2) lines.push(`     … ${hidden} more`);
      lines.push(`     ${clock(event.atSeconds).padStart(8)}  ${event.text}`);
    });
    for (const check of act.checks) {
      lines.push(`   ${check.ok ? '✔' : '✘'} ${check.name} — ${check.detail}`);
    }
    lines.push('');
  }
  lines.push('Summary');
  const simulated = result.acts
    .filter((act) => act.sharesRunWith === undefined)
    .reduce((sum, act) => sum + act.virtualSeconds, 0);
  const checks = result.acts.flatMap((act) => act.checks);
  lines.push(
    `   ${checks.filter((c) => c.ok).length}/${checks.length} expected outcomes reached; ` +
      `${formatVirtual(simulated)} simulated in ${(result.wallMs / 1000).toFixed(1)} s (seed ${result.seed})`,
  );
  if (reportPath !== undefined) lines.push(`   report: ${reportPath}`);
  lines.push(result.ok ? '   Demo passed.' : '   Demo FAILED: see the ✘ lines above.', '');
  return lines.join('\n');
}
