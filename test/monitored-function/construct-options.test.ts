import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEPRECATED_RUNTIME_WARNING,
  FunctionCode,
  IMPORTED_KEY_WARNING,
  MonitoredFunction,
} from '../../src/monitored-function/index.js';
import { PYTHON_SOURCE_DIR, arnOf, newStack, pythonProps } from './support.js';

interface DashboardBody {
  readonly widgets: { readonly properties: Record<string, unknown> & { readonly title: string } }[];
}

/** The dashboard's JSON body, with every CloudFormation reference replaced by TOKEN. */
function dashboardBody(template: Template, dashboardName: string): DashboardBody {
  const dashboards = Object.values(
    template.findResources('AWS::CloudWatch::Dashboard', {
      Properties: { DashboardName: dashboardName },
    }),
  );
  expect(dashboards).toHaveLength(1);
  const body = (
    dashboards[0] as { Properties: { DashboardBody: { 'Fn::Join': [string, unknown[]] } } }
  ).Properties.DashboardBody['Fn::Join'][1];
  return JSON.parse(
    body.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(''),
  ) as DashboardBody;
}

describe('construct: function, logs, tags and dashboard options', () => {
  let stack: Stack;
  let template: Template;
  let custom: MonitoredFunction;
  let dashboarded: MonitoredFunction;
  let logKey: kms.Key;

  beforeAll(() => {
    ({ stack } = newStack());
    logKey = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
    custom = new MonitoredFunction(
      stack,
      'Custom',
      pythonProps({
        functionName: 'custom-fn',
        code: FunctionCode.python({
          sourceDir: PYTHON_SOURCE_DIR,
          runtime: lambda.Runtime.PYTHON_3_12,
          handler: 'main.handle',
        }),
        architecture: lambda.Architecture.X86_64,
        timeout: Duration.minutes(15),
        memorySize: 1024,
        environment: { STAGE: 'prod', TABLE_NAME: 'orders' },
        description: 'Processes orders',
        tags: { team: 'platform', 'cost-center': '42' },
        logs: {
          retention: logs.RetentionDays.ONE_WEEK,
          removalPolicy: RemovalPolicy.DESTROY,
          encryptionKey: logKey,
        },
      }),
    );
    custom.addEnvironment('EXTRA', 'yes');
    new MonitoredFunction(
      stack,
      'ImportedLogKey',
      pythonProps({
        functionName: 'imported-log-key-fn',
        logs: {
          encryptionKey: kms.Key.fromKeyArn(
            stack,
            'ImportedKey',
            'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
          ),
        },
      }),
    );
    new MonitoredFunction(
      stack,
      'Legacy',
      pythonProps({
        functionName: 'legacy-fn',
        code: FunctionCode.python({
          sourceDir: PYTHON_SOURCE_DIR,
          runtime: lambda.Runtime.PYTHON_3_9,
        }),
      }),
    );
    dashboarded = new MonitoredFunction(
      stack,
      'Dashboarded',
      pythonProps({
        functionName: 'dash-fn',
        dashboard: {},
        insights: {},
        alarms: { emails: ['a@example.com'], duration: {} },
        async: { deadLetterQueue: true },
      }),
    );
    new MonitoredFunction(
      stack,
      'NamedDashboard',
      pythonProps({
        functionName: 'named-dash-fn',
        dashboard: { dashboardName: 'orders-overview' },
      }),
    );
    template = Template.fromStack(stack);
  });

  it('applies runtime, handler, architecture, timeout, memory, environment and description', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'custom-fn',
      Runtime: 'python3.12',
      Handler: 'main.handle',
      Architectures: ['x86_64'],
      Timeout: 900,
      MemorySize: 1024,
      Description: 'Processes orders',
      Environment: { Variables: { STAGE: 'prod', TABLE_NAME: 'orders', EXTRA: 'yes' } },
    });
  });

  it('applies log retention, removal policy and KMS key', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/aws/lambda/custom-fn',
        RetentionInDays: 7,
        KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(logKey.node.defaultChild as never), 'Arn'] },
      },
      DeletionPolicy: 'Delete',
    });
  });

  it('lets CloudWatch Logs use the key for this log group only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchLogs-custom-fn',
            Effect: 'Allow',
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Action: [
              'kms:Encrypt*',
              'kms:Decrypt*',
              'kms:ReEncrypt*',
              'kms:GenerateDataKey*',
              'kms:Describe*',
            ],
            Resource: '*',
            Condition: {
              ArnEquals: {
                'kms:EncryptionContext:aws:logs:arn': arnOf(
                  'logs',
                  'log-group:/aws/lambda/custom-fn',
                ),
              },
            },
          },
        ]),
      },
    });
  });

  it('warns that an imported log key needs the CloudWatch Logs statement added by hand', () => {
    Annotations.fromStack(stack).hasWarning(
      '/TestStack/ImportedLogKey',
      Match.stringLikeRegexp(
        `logs.encryptionKey is an imported key.*logs.eu-west-1.amazonaws.com.*${IMPORTED_KEY_WARNING}`,
      ),
    );
  });

  it('tags every taggable resource it creates', () => {
    for (const type of [
      'AWS::Lambda::Function',
      'AWS::IAM::Role',
      'AWS::Logs::LogGroup',
      'AWS::SNS::Topic',
      'AWS::CloudWatch::Alarm',
    ]) {
      const tagged = Object.values(template.findResources(type)).filter((resource) => {
        const tags =
          (resource as { Properties: { Tags?: { Key: string; Value: string }[] } }).Properties
            .Tags ?? [];
        return (
          tags.some((t) => t.Key === 'team' && t.Value === 'platform') &&
          tags.some((t) => t.Key === 'cost-center' && t.Value === '42')
        );
      });
      expect(tagged.length, type).toBeGreaterThan(0);
    }
  });

  it('warns at synth that python3.9 is deprecated, with the deprecation text', () => {
    Annotations.fromStack(stack).hasWarning(
      '/TestStack/Legacy',
      Match.stringLikeRegexp(`Runtime python3.9 is deprecated.*${DEPRECATED_RUNTIME_WARNING}`),
    );
    const warnings = Annotations.fromStack(stack).findWarning(
      '/TestStack/Custom',
      Match.stringLikeRegexp('deprecated'),
    );
    expect(warnings).toEqual([]);
  });

  it('builds a dashboard named after the function with alarms, traffic, latency, memory and DLQ', () => {
    expect(dashboarded.dashboard).toBeDefined();
    const body = dashboardBody(template, 'dash-fn');
    expect(body.widgets.map((w) => w.properties.title)).toEqual([
      'Alarms',
      'Invocations, errors and throttles (per minute)',
      'Error rate (%)',
      'Duration (ms)',
      'Concurrent executions',
      'Memory utilisation (%)',
      'Dead-letter queue depth',
    ]);
    expect(body.widgets[0].properties.alarms).toHaveLength(dashboarded.alarmList().length);
    expect(body.widgets[3].properties.annotations).toEqual({
      horizontal: [{ value: 60_000, label: 'Timeout', color: '#d62728', yAxis: 'left' }],
    });
    expect(JSON.stringify(body.widgets[2])).toContain(
      'IF(invocations > 0, 100 * errors / invocations, 0)',
    );
    expect(JSON.stringify(body.widgets[5])).toContain('memory_utilization');
    expect(JSON.stringify(body.widgets[6])).toContain('ApproximateNumberOfMessagesVisible');
  });

  it('uses the given dashboard name, without memory or DLQ graphs when those are off', () => {
    const body = dashboardBody(template, 'orders-overview');
    expect(body.widgets.map((w) => w.properties.title)).toEqual([
      'Alarms',
      'Invocations, errors and throttles (per minute)',
      'Error rate (%)',
      'Duration (ms)',
      'Concurrent executions',
    ]);
  });

  it('insights without a memory alarm adds the layer but no memory alarm', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'dash-fn',
      Layers: ['arn:aws:lambda:eu-west-1:580247275435:layer:LambdaInsightsExtension-Arm64:25'],
    });
    expect(dashboarded.alarms.memory).toBeUndefined();
  });
});

describe('construct: region-agnostic stacks', () => {
  it('picks the Insights layer from a region mapping for the function architecture', () => {
    // Prepare
    const { stack } = newStack({ env: null });

    // Act
    new MonitoredFunction(
      stack,
      'Fn',
      pythonProps({
        architecture: lambda.Architecture.X86_64,
        insights: { version: lambda.LambdaInsightsVersion.VERSION_1_0_404_0 },
      }),
    );
    const template = Template.fromStack(stack);

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Layers: [{ 'Fn::FindInMap': [Match.anyValue(), { Ref: 'AWS::Region' }, '1x0x404x0xx86x64'] }],
    });
  });
});

describe('construct: Python packaging options', () => {
  it('packages the source folder, without the excluded files', () => {
    // Prepare
    const { app, stack } = newStack();

    // Act
    const all = new MonitoredFunction(stack, 'All', pythonProps({ functionName: 'all-files' }));
    const trimmed = new MonitoredFunction(
      stack,
      'Trimmed',
      pythonProps({
        functionName: 'trimmed',
        code: FunctionCode.python({
          sourceDir: PYTHON_SOURCE_DIR,
          runtime: lambda.Runtime.PYTHON_3_13,
          exclude: ['*.md'],
        }),
      }),
    );
    app.synth();

    // Assess
    const filesOf = (fn: MonitoredFunction): string[] => {
      const key = (
        stack.resolve((fn.function.node.defaultChild as lambda.CfnFunction).code) as {
          s3Key: string;
        }
      ).s3Key;
      return readdirSync(join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`)).sort();
    };
    expect(filesOf(all)).toEqual(['NOTES.md', 'main.py']);
    expect(filesOf(trimmed)).toEqual(['main.py']);
  });
});
