import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCdkJsonContext } from '../../app/context.js';
import { createReferenceApp } from '../../app/main.js';
import {
  LOAD_SHEDDING_CONTEXT_KEY,
  loadSheddingStackEnv,
  parseLoadSheddingStackConfig,
  toLoadSheddingProps,
} from '../../app/stacks/load-shedding-stack.js';
import type { LoadSheddingStack } from '../../app/stacks/load-shedding-stack.js';
import { LoadSheddingEnvVars as V } from '../../src/load-shedding/contract.js';
import { expectNoNagFindings } from '../helpers/cdk-nag.js';
import { ALARM_ARN, LISTENER_ARN, TARGET_GROUP_ARN } from './construct-support.js';

describe('reference app: LoadShedding stack', () => {
  let outdir: string;
  let stack: LoadSheddingStack;
  let template: Template;
  const config = readCdkJsonContext()[LOAD_SHEDDING_CONTEXT_KEY] as Record<string, unknown>;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'reference-app-'));
    const app = createReferenceApp({
      outdir,
      builtinCloudFormationValidation: false,
      // Bundling is checked by the construct tests; this one checks the wiring.
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    app.synth(); // fails on any cdk-nag finding: the app registers AwsSolutionsChecks
    stack = app.node.findChild('OpsKitLoadShedding') as LoadSheddingStack;
    template = Template.fromStack(stack);
    expectNoNagFindings(stack);
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it("deploys to the primary target group's account and region", () => {
    expect(stack.account).toBe('123456789012');
    expect(stack.region).toBe('eu-west-1');
  });

  it('is configured from cdk.json: placeholder ARNs, dry run on, alarm mail to the placeholder address', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    expect(fn.Properties.Environment.Variables).toMatchObject({
      [V.primaryTargetGroupArn]: config.primaryTargetGroupArn,
      [V.listenerArns]: JSON.stringify(config.listenerArns),
      [V.maxShedPercent]: String(config.maxShedPercent),
      [V.dryRun]: 'true',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: (config.alarmEmails as string[])[0],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'RequestCountPerTarget',
      Threshold: config.alarmThreshold,
      EvaluationPeriods: config.alarmEvaluationPeriods,
    });
  });

  it('emits the construct resources as CloudFormation outputs', () => {
    expect(Object.keys(template.toJSON().Outputs as object)).toEqual([
      'AlarmName',
      'AlarmArn',
      'AlarmStateRuleArn',
      'AlarmEventFunctionName',
      'CheckQueueFunctionName',
      'CheckQueueUrl',
      'DeadLetterQueueUrl',
      'DeadLetterQueueAlarmArn',
      'StateTableName',
    ]);
  });
});

describe('reference app: LoadShedding configuration', () => {
  const valid = {
    primaryTargetGroupArn: TARGET_GROUP_ARN,
    listenerArns: [LISTENER_ARN],
    alarmEmails: ['ops@example.com'],
    alarmThreshold: 800,
  };

  it('applies the defaults of the optional settings', () => {
    expect(parseLoadSheddingStackConfig(valid)).toEqual({
      ...valid,
      iso27001: true,
      dryRun: false,
    });
  });

  it('names the context key when it is missing', () => {
    expect(() => parseLoadSheddingStackConfig(undefined)).toThrow(
      'cdk.json context "aws-ops-kit:load-shedding" is missing',
    );
  });

  it('names each bad field and rejects unknown ones', () => {
    const act = (): unknown =>
      parseLoadSheddingStackConfig({ ...valid, shedPercent: 'five', colour: 'blue' });
    expect(act).toThrow(/expected number, received string\s+→ at shedPercent/);
    expect(act).toThrow('Unrecognized key: "colour"');
  });

  it('needs a threshold or an existing alarm', () => {
    const { alarmThreshold: _threshold, ...withoutAlarm } = valid;
    expect(() => parseLoadSheddingStackConfig(withoutAlarm)).toThrow(
      'needs alarmThreshold (for the alarm the stack creates) or alarmArn (an existing alarm)',
    );
  });

  it('maps every setting onto LoadSheddingProps', () => {
    const props = toLoadSheddingProps(
      new Stack(),
      parseLoadSheddingStackConfig({
        ...valid,
        alarmMetricName: 'TargetResponseTime',
        alarmStatistic: 'p99',
        alarmEvaluationPeriods: 5,
        alarmDatapointsToAlarm: 3,
        alarmPeriodSeconds: 300,
        shedPercent: 10,
        restorePercent: 2,
        maxShedPercent: 60,
        shedDelaySeconds: 90,
        restoreDelaySeconds: 300,
        dryRun: true,
        iso27001: false,
        namePrefix: 'shop',
        functionTimeoutSeconds: 20,
        metricsNamespace: 'Shop/Shedding',
      }),
    );
    expect(props.alarm).toMatchObject({
      threshold: 800,
      metricName: 'TargetResponseTime',
      statistic: 'p99',
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    expect((props.alarm as { period: { toSeconds(): number } }).period.toSeconds()).toBe(300);
    expect(props.policy?.shedDelay?.toSeconds()).toBe(90);
    expect(props.policy?.restoreDelay?.toSeconds()).toBe(300);
    expect(props.policy).toMatchObject({ shedPercent: 10, restorePercent: 2, maxShedPercent: 60 });
    expect(props.functions?.timeout?.toSeconds()).toBe(20);
    expect(props.functions?.namePrefix).toBe('shop');
    expect(props.monitoring).toEqual({ emails: ['ops@example.com'], iso27001: false });
    expect(props).toMatchObject({ dryRun: true, metricsNamespace: 'Shop/Shedding' });
  });

  it('imports an existing alarm by ARN', () => {
    const props = toLoadSheddingProps(
      new Stack(),
      parseLoadSheddingStackConfig({ ...valid, alarmThreshold: undefined, alarmArn: ALARM_ARN }),
    );
    const alarm = props.alarm as cloudwatch.IAlarm;
    expect(alarm.alarmArn).toBe(ALARM_ARN);
    expect(alarm.alarmName).toBe('shop-overload');
  });

  it("derives the stack's environment from the primary target group ARN", () => {
    const config = parseLoadSheddingStackConfig(valid);
    expect(loadSheddingStackEnv(config)).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(
      loadSheddingStackEnv({ ...config, primaryTargetGroupArn: 'not-an-arn' }),
    ).toBeUndefined();
  });
});
