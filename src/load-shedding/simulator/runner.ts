/**
 * Runs a load-shedding scenario on the simulation: deploys the real handlers on the models
 * (see deployment.ts), then, each minute of virtual time, reads the LIVE forward weights from
 * the ELBv2 model, derives the primary's load and the alarm's metric from them (traffic.ts),
 * puts the metric with PutMetricData and lets CloudWatch evaluate the alarm at the minute's
 * end. Everything else (alarm events, the handlers, the check queue) runs by itself on
 * virtual time. The same scenario and seed give the same result.
 *
 * A run extension (`RunOptions.extend`) adds to the deployment before the run, on the same
 * clock and models (the demo deploys a task starter whose tasks join the primary target group),
 * and may report the primary's capacity minute by minute instead of the scenario's fixed one.
 */
import type { Action, ModifyRuleCommandInput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createRandom, deriveSeed } from '../../simulation/random.js';
import {
  createLoadSheddingDeployment,
  type LoadSheddingDeployment,
  type LoadSheddingDeploymentOptions,
} from './deployment.js';
import { PRIMARY } from './layout.js';
import { runErrors, type RunRecords } from './run-errors.js';
import type { AlarmStateName, SimulationResult, TimelineRow } from './result.js';
import type { Scenario } from './scenario.js';
import {
  primaryPercent,
  round,
  summarise,
  type AppliedWrite,
  type BaselineRule,
  type WeightedGroup,
} from './summary.js';
import { offeredRps, primaryMinute, primaryShare } from './traffic.js';

/** A sampled minute, before the step outcomes and ELBv2 call counts are attributed to it. */
export type MinuteSample = Omit<TimelineRow, 'actions' | 'elbv2Writes' | 'elbv2Describes'>;

/** What a run extension adds to a run; every hook is optional. */
export interface RunExtension {
  /**
   * The primary's capacity (requests per second) now; asked once a minute, at the sample.
   * @default - the scenario's `primary.capacityRps`
   */
  capacityRps?(): number;
  /** Runs after each minute's sample, inside the virtual clock (`startTime`: epoch ms of minute 0). */
  afterMinute?(sample: MinuteSample, startTime: number): void | Promise<void>;
  /** Stops what the extension started; runs after the run, inside the virtual clock. */
  stop?(): Promise<void>;
}

export interface RunOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** How the deployment is built beyond the scenario. */
  readonly deployment?: LoadSheddingDeploymentOptions;
  /**
   * Adds to the deployment before the run (same clock, models and Lambda runtime); drive the
   * clock with `deployment.clock.run` for any API call it makes.
   */
  readonly extend?: (deployment: LoadSheddingDeployment) => RunExtension | Promise<RunExtension>;
}

function forwardGroups(actions: readonly Action[] | undefined): WeightedGroup[] {
  const groups = actions?.find((a) => a.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
  return groups.map((g) => ({ targetGroupArn: g.TargetGroupArn ?? '', weight: g.Weight ?? 1 }));
}

function liveGroups(deployment: LoadSheddingDeployment, ruleArn: string): WeightedGroup[] {
  return forwardGroups(deployment.models.elbv2.rule(ruleArn).Actions);
}

/** Runs `scenario` to its end and returns the timeline, the summary and the errors seen. */
export async function runScenario(
  scenario: Scenario,
  options: RunOptions = {},
): Promise<SimulationResult> {
  const run = options.seed === undefined ? scenario : { ...scenario, seed: options.seed };
  const deployment = await createLoadSheddingDeployment(run, options.deployment);
  const extension: RunExtension = (await options.extend?.(deployment)) ?? {};
  const { clock, rules } = deployment;
  const primaryArn = deployment.targetGroupArns[PRIMARY];
  const stepMs = run.stepSeconds * 1000;
  const startTime = clock.now();
  const noise = createRandom(deriveSeed(run.seed, 'traffic'));
  const baseline: BaselineRule[] = rules.map((rule) => ({
    id: rule.id,
    groups: liveGroups(deployment, rule.ruleArn),
  }));

  const samples: MinuteSample[] = [];
  const evaluation = deployment.startAlarmEvaluation();
  try {
    await clock.run(
      async () => {
        for (let minute = 0; minute < run.durationMinutes; minute++) {
          // Sample mid-minute: the controller steps just after the minute starts (the alarm is
          // evaluated, and checks come due, on minute boundaries).
          await clock.sleep(startTime + minute * stepMs + stepMs / 2 - clock.now());
          const weights = rules.map((rule) => ({
            id: rule.id,
            groups: liveGroups(deployment, rule.ruleArn),
          }));
          const offered = offeredRps(run, minute, noise());
          const share = primaryShare(
            weights.map((w) => ({
              ruleId: w.id,
              primaryWeight: w.groups
                .filter((g) => g.targetGroupArn === primaryArn)
                .reduce((sum, g) => sum + g.weight, 0),
              totalWeight: w.groups.reduce((sum, g) => sum + g.weight, 0),
            })),
          );
          const capacityRps = extension.capacityRps?.() ?? run.primary.capacityRps;
          const primary = primaryMinute(
            offered * share,
            { ...run.primary, capacityRps },
            run.stepSeconds,
          );
          const metricValue =
            run.alarm.metric === '5xx' ? primary.errors : round(primary.latencySeconds, 3);
          await deployment.putMetric(metricValue, clock.now());
          const sample: MinuteSample = {
            minute,
            time: new Date(clock.now()).toISOString(),
            offeredRps: round(offered, 1),
            primaryRps: round(primary.rps, 1),
            primaryCapacityRps: round(capacityRps, 1),
            primarySharePercent: round(share * 100),
            primaryWeights: Object.fromEntries(
              weights.map((w) => [w.id, round(primaryPercent(w.groups, primaryArn))]),
            ),
            metricValue,
            alarm: deployment.alarmState() as AlarmStateName,
          };
          samples.push(sample);
          await extension.afterMinute?.(sample, startTime);
        }
        await clock.sleep(startTime + run.durationMinutes * stepMs - clock.now());
      },
      { maxVirtualMs: (run.durationMinutes + 60) * stepMs },
    );
  } finally {
    evaluation.stop();
    await clock.run(async () => {
      await extension.stop?.();
      await deployment.stop();
    });
  }
  return buildResult(run, deployment, { startTime, primaryArn, baseline, samples });
}

function buildResult(
  scenario: Scenario,
  deployment: LoadSheddingDeployment,
  run: {
    startTime: number;
    primaryArn: string;
    baseline: readonly BaselineRule[];
    samples: readonly MinuteSample[];
  },
): SimulationResult {
  const { startTime, primaryArn, baseline } = run;
  const stepMs = scenario.stepSeconds * 1000;
  const minuteOf = (time: number): number => Math.floor((time - startTime) / stepMs);
  const idByArn = new Map(deployment.rules.map((rule) => [rule.ruleArn, rule.id]));
  const listenerDefault = new Map(
    deployment.rules.filter((r) => r.priority === undefined).map((r) => [r.listenerArn, r.id]),
  );
  const writes: AppliedWrite[] = deployment.models.elbv2
    .writes()
    .filter((w) => w.outcome === 'applied')
    .map((w) => {
      const input = w.input as ModifyRuleCommandInput & { DefaultActions?: Action[] };
      const ruleId =
        w.operation === 'ModifyListener' ? listenerDefault.get(w.arn) : idByArn.get(w.arn);
      return {
        time: w.time,
        ruleId: ruleId ?? w.arn,
        groups: forwardGroups(input.Actions ?? input.DefaultActions),
      };
    });

  const timeline: TimelineRow[] = run.samples.map((sample) => {
    const inMinute = (time: number): boolean => minuteOf(time) === sample.minute;
    return {
      ...sample,
      actions: deployment.steps.filter((s) => inMinute(s.time)).map((s) => s.outcome),
      elbv2Writes: deployment.elbv2Calls.filter(
        (c) => inMinute(c.time) && c.operation.startsWith('Modify'),
      ).length,
      elbv2Describes: deployment.elbv2Calls.filter(
        (c) => inMinute(c.time) && c.operation.startsWith('Describe'),
      ).length,
    };
  });

  const finalRules = Object.fromEntries(
    deployment.rules.map((rule) => [rule.id, liveGroups(deployment, rule.ruleArn)]),
  );
  const summary = summarise({
    startTime,
    primaryArn,
    floorPercent: 100 - scenario.controller.maxShedPercent,
    capacityRps: scenario.primary.capacityRps,
    timeline,
    baseline,
    writes,
    finalRules,
    steps: deployment.steps,
    elbv2Calls: deployment.elbv2Calls,
    alarmTransitions: deployment.alarmTransitions,
  });

  return {
    scenario,
    rules: baseline.map((rule) => ({
      id: rule.id,
      baselinePercent: round(primaryPercent(rule.groups, primaryArn)),
    })),
    timeline,
    alarmTransitions: deployment.alarmTransitions.map((t) => ({
      atSeconds: round((t.time - startTime) / 1000, 1),
      from: t.from,
      to: t.to,
    })),
    summary,
    errors: runErrors(errorRecords(deployment)),
  };
}

/** The deployment's records that `runErrors` reads. */
function errorRecords(deployment: LoadSheddingDeployment): RunRecords {
  return {
    errorLogs: deployment.errorLogs,
    invocations: deployment.runtime.invocations(),
    deadLetters: deployment.models.sqs.messages(deployment.dlqUrl).length,
    deliveries: deployment.models.eventBridge.deliveries(),
    mappingError: deployment.mapping.error,
  };
}
