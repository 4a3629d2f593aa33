import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp as customPermissionsApp } from '../../examples/monitored-function/custom-permissions/app.js';
import { createApp as immediateAlertsApp } from '../../examples/monitored-function/immediate-alerts/app.js';
import { createApp as thresholdAlertsApp } from '../../examples/monitored-function/threshold-alerts/app.js';
import { expectNoNagFindings } from '../helpers/cdk-nag.js';

/** Synthesizes an example app (its own cdk-nag plugin fails the synth on any finding). */
function synthExample(
  create: typeof immediateAlertsApp,
  outdir: string,
): { app: App; stack: Stack; template: Template } {
  const app = create({ outdir, builtinCloudFormationValidation: false });
  app.synth();
  const stack = app.node.children.find((child): child is Stack => 'templateFile' in child)!;
  return { app, stack, template: Template.fromStack(stack) };
}

describe('examples: monitored-function', () => {
  let outdir: string;
  let immediate: ReturnType<typeof synthExample>;
  let threshold: ReturnType<typeof synthExample>;
  let permissions: ReturnType<typeof synthExample>;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'examples-'));
    immediate = synthExample(immediateAlertsApp, join(outdir, 'immediate'));
    threshold = synthExample(thresholdAlertsApp, join(outdir, 'threshold'));
    permissions = synthExample(customPermissionsApp, join(outdir, 'permissions'));
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it('all three synthesize with zero unacknowledged cdk-nag findings', () => {
    for (const example of [immediate, threshold, permissions]) {
      expectNoNagFindings(example.app);
    }
  });

  it('immediate-alerts alarms on the first error and notifies on OK too', () => {
    immediate.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'payment-processor-errors',
      MetricName: 'Errors',
      Threshold: 0,
      EvaluationPeriods: 1,
      OKActions: Match.anyValue(),
    });
    immediate.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: process.env.ALARM_EMAIL ?? 'payments-oncall@example.com',
    });
  });

  it('threshold-alerts alarms on a 5% error rate in 2 of 2 periods and keeps failed events', () => {
    threshold.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'event-enricher-errors',
      Threshold: 5,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(invocations > 0, 100 * errors / invocations, 0)' }),
      ]),
    });
    threshold.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'event-enricher-dlq',
    });
    threshold.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(
      Object.values(threshold.template.findResources('AWS::CloudWatch::Alarm')).map(
        (alarm) => (alarm as { Properties: { AlarmName: string } }).Properties.AlarmName,
      ),
    ).toEqual([
      'event-enricher-errors',
      'event-enricher-throttles',
      'event-enricher-duration',
      'event-enricher-dlq',
      'event-enricher-dlq-errors',
    ]);
  });

  it('custom-permissions attaches S3 read and DynamoDB write policies scoped to the bucket and table', () => {
    const template = permissions.template;
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: Match.anyValue() },
          { Effect: 'Allow', Action: 's3:GetObject', Resource: Match.anyValue() },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
            Resource: Match.anyValue(),
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [
        { Ref: Match.stringLikeRegexp('^ReadOrderFiles') },
        { Ref: Match.stringLikeRegexp('^WriteOrders') },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'order-importer',
      Environment: { Variables: { BUCKET_NAME: Match.anyValue(), TABLE_NAME: Match.anyValue() } },
    });
  });

  it('every example runs the newest Python runtime aws-cdk-lib knows (cdk-nag L1)', () => {
    for (const example of [immediate, threshold, permissions]) {
      example.template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'python3.15' });
    }
  });
});
