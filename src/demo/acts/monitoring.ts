/**
 * Act 5: every function the acts ran is a MonitoredFunction of the demo's constructs, and the
 * constructs' alarms are evaluated against the metrics the acts produced: the ones that would
 * have gone to ALARM are listed.
 */
import { firstFiring } from '../alarm-audit.js';
import { inventoryOf } from '../inventory.js';
import type { Stack } from 'aws-cdk-lib';
import type { ActContext, ActOutcome, DemoAct } from '../runner.js';
import type { ActResult, FiredAlarm } from '../result.js';
import { demoStacks } from './demo-constructs.js';
import { DRILL_NAME_PREFIX } from './dr-drill.js';
import { DEMO_LOAD_SHEDDING_ALARM_NAME } from './names.js';

/** The DisasterRecoveryOrchestration's rate-limit alarm in the demo (prefix + its suffix). */
export const DRILL_RATE_LIMIT_ALARM_NAME = `${DRILL_NAME_PREFIX}-drs-rate-limit-errors`;
/** The acts overload the primary and throttle DRS on purpose; nothing else should alarm. */
const EXPECTED_ALARMS = new Set([DEMO_LOAD_SHEDDING_ALARM_NAME, DRILL_RATE_LIMIT_ALARM_NAME]);

/** The time span an act's metrics cover: from the first datapoint to the last. */
function spanOf(act: ActResult): { start: number; end: number } | undefined {
  const times = act.metrics.flatMap((series) => series.points.map((point) => point.time));
  if (times.length === 0) return undefined;
  return { start: Math.min(...times), end: Math.max(...times) };
}

/**
 * The monitoring act over the deployment `stacks()` builds (tests give it one with a plain
 * `lambda.Function`, to see the act fail).
 */
export function createMonitoringAct(stacks: () => readonly Stack[] = demoStacks): DemoAct {
  return {
    id: 'monitoring',
    title: 'Every function is a MonitoredFunction; the alarms that would have fired',
    run: (context) => Promise.resolve(audit(context, stacks)),
  };
}

function audit(context: ActContext, stacks: () => readonly Stack[]): ActOutcome {
  context.progress('synthesizing the demo deployment (bundling skipped) and auditing its alarms');
  const inventory = inventoryOf(stacks());
  const byName = new Map(inventory.functions.map((fn) => [fn.functionName, fn]));
  const unmonitored = inventory.functions.filter((fn) => fn.monitoredBy === undefined);
  const used = context.previous.flatMap((act) => act.functions);
  const unknown = used.filter((use) => !byName.has(use.functionName));

  const fired: FiredAlarm[] = [];
  for (const act of context.previous) {
    const span = spanOf(act);
    if (span === undefined) continue;
    for (const alarm of inventory.alarms) {
      const firing = firstFiring(
        alarm,
        act.metrics,
        span.start,
        span.end + alarm.periodSeconds * 1000,
      );
      if (firing === undefined) continue;
      fired.push({
        alarmName: alarm.alarmName,
        act: act.id,
        atSeconds: (firing.time - span.start) / 1000,
        reason: `${alarm.namespace} ${alarm.metricName} ${alarm.statistic} reached ${firing.value} (${alarm.comparisonOperator} ${alarm.threshold}, ${alarm.datapointsToAlarm} of ${alarm.evaluationPeriods} × ${alarm.periodSeconds} s)`,
      });
    }
  }
  fired.sort((a, b) => a.act.localeCompare(b.act) || a.atSeconds - b.atSeconds);
  const invocations = used.reduce((sum, use) => sum + use.invocations, 0);
  return {
    checks: [
      {
        name: 'every Lambda function of the deployment is a MonitoredFunction',
        ok: inventory.functions.length > 0 && unmonitored.length === 0,
        detail:
          unmonitored.length === 0
            ? `${inventory.functions.length} functions, all monitored`
            : `not monitored: ${unmonitored.map((fn) => fn.path).join(', ')}`,
      },
      {
        name: 'every function the acts ran is one of them',
        ok: used.length > 0 && unknown.length === 0,
        detail:
          unknown.length === 0
            ? `${new Set(used.map((use) => use.functionName)).size} functions ran ${invocations} invocations`
            : `not in the deployment: ${unknown.map((use) => use.functionName).join(', ')}`,
      },
      {
        name: 'the overload and DRS rate-limit alarms would have fired, and no other',
        ok:
          fired.some((alarm) => alarm.alarmName === DEMO_LOAD_SHEDDING_ALARM_NAME) &&
          fired.some((alarm) => alarm.alarmName === DRILL_RATE_LIMIT_ALARM_NAME) &&
          fired.every((alarm) => EXPECTED_ALARMS.has(alarm.alarmName)),
        detail: `${fired.length} would have fired: ${fired.map((alarm) => alarm.alarmName).join(', ') || 'none'}`,
      },
    ],
    facts: [
      {
        label: 'Lambda functions (all MonitoredFunction)',
        value: String(inventory.functions.length),
      },
      {
        label: 'alarms in the deployment',
        value: String(inventory.alarms.length + inventory.unaudited.length),
      },
      {
        label: 'alarms audited / metric math (not audited)',
        value: `${inventory.alarms.length} / ${inventory.unaudited.length}`,
      },
      { label: 'alarms that would have fired', value: String(fired.length) },
    ],
    events: fired.map((alarm) => ({
      atSeconds: alarm.atSeconds,
      text: `${alarm.act}: ${alarm.alarmName} would go to ALARM — ${alarm.reason}`,
    })),
    charts: [],
    functions: [],
    metrics: [],
    virtualSeconds: 0,
    firedAlarms: fired,
  };
}

export const monitoringAct: DemoAct = createMonitoringAct();
