/**
 * What the demo's constructs deploy, read from the synthesized construct tree: every Lambda
 * function and whether a MonitoredFunction owns it, and every CloudWatch alarm in a form the
 * alarm audit can evaluate.
 */
import type { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { MonitoredFunction } from '../monitored-function/construct.js';
import type { TreatMissingData } from '../simulation/models/cloudwatch-alarms.js';
import type { AuditedAlarm } from './alarm-audit.js';

export interface InventoryFunction {
  /** Construct path, e.g. `Demo/LoadShedding/AlarmEvent/Function`. */
  readonly path: string;
  readonly functionName: string;
  /** The MonitoredFunction that owns it, or undefined when none does. */
  readonly monitoredBy: string | undefined;
}

export interface Inventory {
  readonly functions: readonly InventoryFunction[];
  /** Metric alarms the audit can evaluate. */
  readonly alarms: readonly AuditedAlarm[];
  /** Alarms it cannot (metric math, a period known only at deployment), by name, with the reason. */
  readonly unaudited: readonly { readonly alarmName: string; readonly reason: string }[];
}

function monitoredAncestor(node: IConstruct): MonitoredFunction | undefined {
  for (let scope = node.node.scope; scope !== undefined; scope = scope.node.scope) {
    if (scope instanceof MonitoredFunction) return scope;
  }
  return undefined;
}

/** A resolved value as a string: literals as is, `Ref` to a function as its physical name. */
function text(stack: Stack, value: unknown, names: ReadonlyMap<string, string>): string {
  const resolved: unknown = stack.resolve(value);
  if (typeof resolved === 'string' || typeof resolved === 'number') return String(resolved);
  const ref = (resolved as { Ref?: unknown } | undefined)?.Ref;
  if (typeof ref === 'string') return names.get(ref) ?? `<${ref}>`;
  return JSON.stringify(resolved);
}

/** Reads the functions and alarms of `stacks` (already fully constructed). */
export function inventoryOf(stacks: readonly Stack[]): Inventory {
  const functions: InventoryFunction[] = [];
  const alarms: AuditedAlarm[] = [];
  const unaudited: { alarmName: string; reason: string }[] = [];
  for (const stack of stacks) {
    const names = new Map<string, string>();
    const all = stack.node.findAll();
    for (const node of all) {
      if (!(node instanceof lambda.CfnFunction)) continue;
      const functionName = stack.resolve(node.functionName) as unknown;
      const name = typeof functionName === 'string' ? functionName : node.node.path;
      names.set(stack.getLogicalId(node), name);
      functions.push({
        path: node.node.path,
        functionName: name,
        monitoredBy: monitoredAncestor(node)?.node.path,
      });
    }
    for (const node of all) {
      if (!(node instanceof cloudwatch.CfnAlarm)) continue;
      const alarmName = text(stack, node.alarmName ?? node.node.path, names);
      if (node.metricName === undefined || node.namespace === undefined) {
        unaudited.push({ alarmName, reason: 'metric math' });
        continue;
      }
      const period: unknown = stack.resolve(node.period ?? 60);
      if (typeof period !== 'number') {
        // A period only deployment resolves (a parameter, an import): its periods are unknown.
        unaudited.push({ alarmName, reason: `period unknown before deployment` });
        continue;
      }
      const dimensions = (stack.resolve(node.dimensions) ?? []) as {
        name: unknown;
        value: unknown;
      }[];
      alarms.push({
        alarmName,
        namespace: text(stack, node.namespace, names),
        metricName: text(stack, node.metricName, names),
        dimensions: Object.fromEntries(
          dimensions.map((d) => [text(stack, d.name, names), text(stack, d.value, names)]),
        ),
        statistic: node.statistic ?? node.extendedStatistic ?? 'Average',
        periodSeconds: period,
        evaluationPeriods: node.evaluationPeriods ?? 1,
        datapointsToAlarm: node.datapointsToAlarm ?? node.evaluationPeriods ?? 1,
        threshold: node.threshold ?? 0,
        comparisonOperator: node.comparisonOperator as AuditedAlarm['comparisonOperator'],
        treatMissingData: (node.treatMissingData ?? 'missing') as TreatMissingData,
      });
    }
  }
  return { functions, alarms, unaudited };
}
