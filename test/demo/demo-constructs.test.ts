import * as cwSdk from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  type ComparisonOperator,
  type Statistic,
} from '@aws-sdk/client-cloudwatch';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as events from 'aws-cdk-lib/aws-events';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoStacks } from '../../src/demo/acts/demo-constructs.js';
import {
  DEMO_LOAD_SHEDDING_ALARM_NAME,
  DEMO_TRAFFIC_RESOURCES as R,
  demoElbv2Arn,
} from '../../src/demo/acts/names.js';
import { startEventOfAlarm } from '../../src/demo/acts/start-on-alarm.js';
import {
  PRIMARY_TARGET_GROUP_SETTINGS,
  deployTaskStarterOnPrimary,
} from '../../src/demo/acts/task-starter-on-primary.js';
import {
  BASELINE_TARGETS,
  TASKS_PER_ALARM,
  WAIT_FOR_HEALTHY_SECONDS,
  trafficScenario,
} from '../../src/demo/acts/traffic-and-tasks-run.js';
import { InMemoryMetricRecorder } from '../../src/observability/metrics.js';
import { createLoadSheddingDeployment } from '../../src/load-shedding/simulator/deployment.js';
import { CloudWatchModel } from '../../src/simulation/models/cloudwatch.js';
import type { EventBridgeEvent } from '../../src/simulation/models/eventbridge.js';
import {
  applyInputTransformer,
  checkTargetInput,
} from '../../src/simulation/models/eventbridge-input.js';
import { matchesEventPattern } from '../../src/simulation/models/eventbridge-patterns.js';
import { createSimulatedClient } from '../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';
import { EcsTaskStarter } from '../../src/task-starter/construct.js';
import { parseStartEvent, parseTaskStarterConfig } from '../../src/task-starter/contract.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** A target's InputTransformer as CloudFormation has it. */
interface CfnInputTransformer {
  readonly InputPathsMap?: Readonly<Record<string, string>>;
  readonly InputTemplate: string;
}

/** Replaces `{ "Fn::GetAtt": [alarm, "Arn"] }` by the ARN CloudFormation gives the alarm. */
function resolveAlarmArns(value: unknown, resources: Resources): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveAlarmArns(item, resources));
  if (typeof value !== 'object' || value === null) return value;
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt !== undefined) {
    const target = resources[getAtt[0]];
    expect(target?.Type, `GetAtt of ${getAtt[0]}`).toBe('AWS::CloudWatch::Alarm');
    expect(getAtt[1]).toBe('Arn');
    return `arn:aws:cloudwatch:${R.region}:${R.account}:alarm:${String(target?.Properties.AlarmName)}`;
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, resolveAlarmArns(item, resources)]),
  );
}

describe('demo: the constructs are configured as the acts simulate them', () => {
  let stack: Stack;
  let resources: Resources;
  let starter: EcsTaskStarter;

  beforeAll(() => {
    [stack] = demoStacks();
    resources = (Template.fromStack(stack).toJSON() as { Resources: Resources }).Resources;
    const found = stack.node.findAll().find((node) => node instanceof EcsTaskStarter);
    if (found === undefined) throw new Error('the demo has no EcsTaskStarter');
    starter = found;
  }, 60_000);

  const logicalIdOf = (construct: { node: { defaultChild?: unknown } }): string =>
    stack.getLogicalId(construct.node.defaultChild as events.CfnRule);

  const startFunctionEnv = (): Record<string, string> => {
    const fn = resources[logicalIdOf(starter.startFunction.function)];
    return (fn?.Properties.Environment as { Variables: Record<string, string> }).Variables;
  };

  /** The overload alarm as synthesized, created in the simulated CloudWatch: its state events. */
  async function overloadAlarmEvents(): Promise<EventBridgeEvent[]> {
    const [, alarm] =
      Object.entries(resources).find(
        ([, r]) =>
          r.Type === 'AWS::CloudWatch::Alarm' &&
          r.Properties.AlarmName === DEMO_LOAD_SHEDDING_ALARM_NAME,
      ) ?? [];
    expect(alarm, 'the overload alarm').toBeDefined();
    const p = alarm?.Properties as Record<string, unknown>;
    const clock = VirtualClock.create();
    const published: EventBridgeEvent[] = [];
    const model = new CloudWatchModel({
      clock,
      region: R.region,
      accountId: R.account,
      events: { publish: (event) => void published.push(event) },
    });
    const client = createSimulatedClient(CloudWatchClient, {}, model, { exceptions: cwSdk });
    await clock.run(async () => {
      await client.send(
        new PutMetricAlarmCommand({
          AlarmName: p.AlarmName as string,
          Namespace: p.Namespace as string,
          MetricName: p.MetricName as string,
          Dimensions: p.Dimensions as { Name: string; Value: string }[],
          Statistic: p.Statistic as Statistic,
          Period: p.Period as number,
          EvaluationPeriods: p.EvaluationPeriods as number,
          Threshold: p.Threshold as number,
          ComparisonOperator: p.ComparisonOperator as ComparisonOperator,
        }),
      );
      for (const StateValue of ['ALARM', 'OK'] as const) {
        await client.send(
          new SetAlarmStateCommand({
            AlarmName: p.AlarmName as string,
            StateValue,
            StateReason: 'test',
          }),
        );
      }
    });
    return published;
  }

  it("the start rule matches the overload alarm's ALARM events only", async () => {
    // Prepare
    const rule = resources[logicalIdOf(starter.startRule)];
    const pattern = resolveAlarmArns(rule?.Properties.EventPattern, resources);
    // Act
    const alarmEvents = await overloadAlarmEvents();
    // Assess
    const states = alarmEvents.map((e) => (e.detail as { state: { value: string } }).state.value);
    expect(states).toEqual(['ALARM', 'OK']);
    expect(alarmEvents.map((event) => matchesEventPattern(pattern, event))).toEqual([true, false]);
    // The default start pattern (custom start events) would not have matched at all.
    expect(
      matchesEventPattern(
        { source: ['aws-ops-kit.task-starter'], 'detail-type': ['Start ECS Task'] },
        alarmEvents[0],
      ),
    ).toBe(false);
  });

  it('its input transformer makes of the ALARM event the start event the act sends', async () => {
    // Prepare
    const rule = resources[logicalIdOf(starter.startRule)];
    const [target] = rule?.Properties.Targets as { InputTransformer?: CfnInputTransformer }[];
    expect(target?.InputTransformer, 'the start target has an input transformer').toBeDefined();
    const { InputPathsMap, InputTemplate } = target?.InputTransformer as CfnInputTransformer;
    const transformer = { inputPathsMap: InputPathsMap, inputTemplate: InputTemplate };
    checkTargetInput('the start target', { inputTransformer: transformer });
    const [alarmEvent] = await overloadAlarmEvents();
    const config = parseTaskStarterConfig(startFunctionEnv());
    // Act: as the simulated EventBridge delivers it (the predefined variables are not used)
    const payload = applyInputTransformer(transformer, alarmEvent, {
      ruleName: 'start',
      ruleArn: `arn:aws:events:${R.region}:${R.account}:rule/start`,
      ingestionTime: alarmEvent.time,
    });
    expect(payload.kind, 'the transformer makes JSON').toBe('json');
    const start = payload.kind === 'json' ? payload.value : undefined;
    const request = parseStartEvent(start, config, Date.parse(alarmEvent.time));
    // Assess: the same start event the act's rule target builds, accepted by the real parser
    expect(start).toEqual(startEventOfAlarm(alarmEvent, TASKS_PER_ALARM));
    expect(request).toMatchObject({
      eventId: alarmEvent.id,
      requestedAt: Date.parse(alarmEvent.time),
      count: TASKS_PER_ALARM,
      cluster: R.cluster,
      taskDefinition: R.taskDefinitionFamily,
      targetGroupArn: demoElbv2Arn(R.primaryTargetGroup),
    });
  });

  it("the functions' configuration is the one the act gives the real handlers", async () => {
    // Prepare: the act's task starter, deployed on the traffic act's simulation
    const deployment = await createLoadSheddingDeployment(trafficScenario(1), {
      primaryTargetGroup: PRIMARY_TARGET_GROUP_SETTINGS,
    });
    const simulated = deployTaskStarterOnPrimary({
      deployment,
      seed: 1,
      tasksPerAlarm: TASKS_PER_ALARM,
      startMs: 30_000,
      baselineTargets: BASELINE_TARGETS,
      metrics: new InMemoryMetricRecorder(),
      waitForHealthySeconds: WAIT_FOR_HEALTHY_SECONDS,
    });
    // Act
    const deployed = parseTaskStarterConfig(startFunctionEnv());
    // Assess
    expect(simulated.primaryArn).toBe(demoElbv2Arn(R.primaryTargetGroup));
    expect(deployed).toEqual(simulated.config);
  });
});
