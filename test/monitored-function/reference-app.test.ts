import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CDK_JSON_PATH, readCdkJsonContext } from '../../app/context.js';
import { createReferenceApp } from '../../app/main.js';
import {
  MONITORED_FUNCTION_CONTEXT_KEY,
  parseMonitoredFunctionConfig,
} from '../../app/stacks/monitored-function-config.js';
import { toProps } from '../../app/stacks/monitored-function-stack.js';
import { expectNoNagFindings } from '../helpers/cdk-nag.js';

describe('reference app: MonitoredFunction stack', () => {
  let outdir: string;
  let stack: Stack;
  let template: Template;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'reference-app-'));
    const app = createReferenceApp({ outdir, builtinCloudFormationValidation: false });
    app.synth(); // fails on any cdk-nag finding: the app registers AwsSolutionsChecks
    stack = app.node.findChild('OpsKitMonitoredFunction') as Stack;
    template = Template.fromStack(stack);
    expectNoNagFindings(app);
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it('is configured from cdk.json (placeholder values)', () => {
    const config = readCdkJsonContext()[MONITORED_FUNCTION_CONTEXT_KEY] as Record<string, unknown>;
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: config.functionName,
      Runtime: config.pythonRuntime,
      MemorySize: config.memorySize,
      Timeout: config.timeoutSeconds,
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: (config.alarmEmails as string[])[0],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${String(config.functionName)}-errors`,
      Threshold: config.errorRateThresholdPercent,
      EvaluationPeriods: config.errorEvaluationPeriods,
      DatapointsToAlarm: config.errorDatapointsToAlarm,
    });
  });

  it('emits the construct outputs as CloudFormation outputs', () => {
    expect(Object.keys(template.toJSON().Outputs as object)).toEqual([
      'FunctionName',
      'FunctionArn',
      'RoleName',
      'RoleArn',
      'LogGroupName',
      'AlarmTopicArn',
      'ErrorsAlarmArn',
      'ThrottlesAlarmArn',
      'DurationAlarmArn',
      'DeadLetterQueueAlarmArn',
      'DeadLetterErrorsAlarmArn',
      'DeadLetterQueueUrl',
      'DashboardName',
    ]);
    template.hasOutput('RoleArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReferenceFunctionRole'), 'Arn'] },
    });
  });
});

describe('reference app: configuration', () => {
  const valid = { functionName: 'fn', alarmEmails: ['a@example.com'] };

  it('applies defaults for every optional setting', () => {
    expect(parseMonitoredFunctionConfig(valid)).toEqual({
      functionName: 'fn',
      alarmEmails: ['a@example.com'],
      iso27001: true,
      architecture: 'arm64',
      pythonRuntime: 'python3.15',
      timeoutSeconds: 60,
      memorySize: 128,
      logRetentionDays: 365,
      errorStrategy: 'immediate',
      deadLetterQueue: false,
      tracing: false,
      dashboard: false,
    });
  });

  it('names the context key when it is missing', () => {
    expect(() => parseMonitoredFunctionConfig(undefined)).toThrow(
      'cdk.json context "aws-ops-kit:monitored-function" is missing',
    );
  });

  it('names each bad field and rejects unknown ones', () => {
    const act = (): unknown =>
      parseMonitoredFunctionConfig({ ...valid, memorySize: 'big', colour: 'blue' });
    expect(act).toThrow('cdk.json context "aws-ops-kit:monitored-function" is invalid:');
    expect(act).toThrow(/expected number, received string\s+→ at memorySize/);
    expect(act).toThrow('Unrecognized key: "colour"');
  });

  it('maps the settings onto MonitoredFunctionProps', () => {
    const props = toProps(
      parseMonitoredFunctionConfig({
        ...valid,
        architecture: 'x86_64',
        memoryAlarmPercent: 90,
        durationAlarmPercent: 70,
        retryAttempts: 2,
        tracing: true,
      }),
    );
    expect(props.architecture?.name).toBe('x86_64');
    expect(props.alarms?.errors).toEqual({ strategy: 'immediate' });
    expect(props.alarms?.memory).toEqual({ thresholdPercent: 90 });
    expect(props.alarms?.duration).toEqual({ thresholdPercent: 70 });
    expect(props.async).toEqual({ retryAttempts: 2, deadLetterQueue: false });
    expect(props.tracing).toBe(true);
    expect(props.dashboard).toBeUndefined();
  });

  it('rejects a Python runtime the kit does not package for', () => {
    expect(() =>
      toProps(parseMonitoredFunctionConfig({ ...valid, pythonRuntime: 'python3.8' })),
    ).toThrow('cdk.json context pythonRuntime "python3.8" is not supported: use one of python3.9');
  });

  it('reads the context object of a cdk.json file, and nothing when there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk-json-'));
    try {
      const file = join(dir, 'cdk.json');
      expect(readCdkJsonContext(file)).toEqual({});
      writeFileSync(file, JSON.stringify({ app: 'x' }));
      expect(readCdkJsonContext(file)).toEqual({});
      writeFileSync(file, JSON.stringify({ context: { a: 1 } }));
      expect(readCdkJsonContext(file)).toEqual({ a: 1 });
      writeFileSync(file, JSON.stringify({ context: [1] }));
      expect(() => readCdkJsonContext(file)).toThrow('"context" must be an object');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(JSON.parse(readFileSync(CDK_JSON_PATH, 'utf8'))).toHaveProperty(
      'app',
      'npx tsx app/main.ts',
    );
  });
});
