import { Match } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectNoNagFindings } from '../../helpers/cdk-nag.js';
import {
  ACCOUNT,
  PERMANENT_ERRORS_NOT_RETRIED,
  definitionOf,
  lambdaStep,
  props,
  statePath,
  synthesize,
  taskStates,
} from './support.js';
import { aslErrors } from '../helpers/asl.js';

// One Express workflow, synthesized once, checked by every assertion below.
const express = synthesize(
  props({ steps: [lambdaStep('etl'), lambdaStep('filter'), lambdaStep('score')] }),
);
const { template, workflow } = express;
const asl = definitionOf(template);

describe('workflow construct: EXPRESS', () => {
  it('Property 12: Express Workflow Configuration — an EXPRESS state machine running the stages in order', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'EXPRESS',
    });
    expect(asl.TimeoutSeconds).toBe(300);
    expect(taskStates(asl).map(([name]) => name)).toEqual(['etl', 'filter', 'score']);
    expect(taskStates(asl).map(([, s]) => s.Resource)).toEqual(
      Array(3).fill('arn:aws:states:::lambda:invoke'),
    );
    expect(aslErrors(asl)).toEqual([]);
  });

  it('unwraps the Pipe batch first: $[0], then its body parsed when it is a string', () => {
    expect(statePath(asl).slice(0, 2)).toEqual(['UnwrapPipeBatch', 'IsBodyAString']);
    expect(asl.States.UnwrapPipeBatch.InputPath).toBe('$[0]');
    expect(asl.States.IsBodyAString.Choices).toEqual([
      { Variable: '$.body', IsString: true, Next: 'ParseBody' },
    ]);
    expect(asl.States.ParseBody.Parameters).toEqual({
      'initialData.$': 'States.StringToJson($.body)',
    });
    expect(asl.States.KeepBody.Parameters).toEqual({ 'initialData.$': '$.body' });
    expect(asl.States.ParseBody.Next).toBe('etl');
    expect(asl.States.KeepBody.Next).toBe('etl');
  });

  it('passes each stage the execution context: executionId, currentStage, previousStage (absent for the first), bucket, initialData', () => {
    const payloads = taskStates(asl).map(([, s]) => s.Parameters?.Payload);
    expect(payloads[0]).toEqual({
      'executionId.$': '$$.Execution.Name',
      currentStage: 'etl',
      workflowBucket: '<WorkflowBucketB5257CA7>',
      'initialData.$': '$.initialData',
    });
    expect(payloads[2]).toMatchObject({ currentStage: 'score', previousStage: 'filter' });
  });

  it('Property 13: Express Workflow Invocation Type — the Pipe uses REQUEST_RESPONSE', () => {
    expect(workflow.invocationType).toBe('REQUEST_RESPONSE');
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      TargetParameters: {
        StepFunctionStateMachineParameters: { InvocationType: 'REQUEST_RESPONSE' },
      },
    });
    // StartSyncExecution is what REQUEST_RESPONSE calls; StartExecution is not granted.
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'pipes.amazonaws.com' } })],
      },
      Policies: [
        {
          PolicyName: 'Pipe',
          PolicyDocument: {
            Statement: Match.arrayWith([Match.objectLike({ Action: 'states:StartSyncExecution' })]),
          },
        },
      ],
    });
  });

  it('Property 16: Lambda Retry Configuration — permanent errors not retried, then exactly 2 × 20 s × 2 (2 attempts, 20 s, backoff 2)', () => {
    for (const [, state] of taskStates(asl)) {
      expect(state.Retry).toEqual([
        PERMANENT_ERRORS_NOT_RETRIED,
        { ErrorEquals: ['States.ALL'], IntervalSeconds: 20, MaxAttempts: 2, BackoffRate: 2 },
      ]);
    }
  });

  it('Property 17: Result Path Discard — every task keeps only the workflow input', () => {
    for (const [, state] of taskStates(asl)) {
      expect(state.ResultPath).toBeNull();
    }
  });

  it('catches every stage error into a Fail state of its own that carries the error and cause', () => {
    for (const [name, state] of taskStates(asl)) {
      expect(state.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `${name} failed` },
      ]);
      expect(asl.States[`${name} failed`]).toMatchObject({
        Type: 'Fail',
        ErrorPath: '$.error.Error',
        CausePath: '$.error.Cause',
      });
    }
  });

  it('Property 32: SQS Dead Letter Queue Configuration — maxReceiveCount 3, visibility above the 5-minute limit', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': ['WorkflowDeadLetterQueue373720EB', 'Arn'] },
        maxReceiveCount: 3,
      },
      VisibilityTimeout: 360,
      SqsManagedSseEnabled: true,
    });
  });

  it('Property 35: Observability Configuration — logs level ALL with execution data, 14 days, X-Ray', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('StateMachineLogs'), 'Arn'] },
            },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.absent(),
      RetentionInDays: 14,
    });
  });

  it('Property 34 (EXPRESS side): alarms on ExecutionsFailed, ExecutionsTimedOut and the DLQ, no status-change rule', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metric,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('AlertTopic') }],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: Match.anyValue() }],
    });
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(workflow.monitoring.failureRule).toBeUndefined();
  });

  it('Property 7: S3 Lifecycle Policy — executions/ expires after 7 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `ceap-workflow-dev-${ACCOUNT}`,
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ Prefix: 'executions/', ExpirationInDays: 7, Status: 'Enabled' }),
        ],
      },
    });
  });

  it('protects the workflow bucket: SSE-S3, public access blocked, SSL only, access logs', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `ceap-workflow-dev-${ACCOUNT}`,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogsBucket') },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: 'WorkflowBucketB5257CA7' },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('sets WORKFLOW_BUCKET and WORKFLOW_STAGE_NAME on each stage function', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'WfStack-dev-Filter',
      Environment: {
        Variables: Match.objectLike({
          WORKFLOW_BUCKET: { Ref: 'WorkflowBucketB5257CA7' },
          WORKFLOW_STAGE_NAME: 'filter',
        }),
      },
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expectNoNagFindings(express.stack);
  });
});

describe('workflow construct: lifecycle', () => {
  it('Property 7: S3 Lifecycle Policy — whatever the retention, only executions/ expires, after that many days', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3650 }), (days) => {
        const { template: t } = synthesize(
          props({ bucket: { executionDataExpirationDays: days, bucketName: 'orders-flow-dev' } }),
        );
        t.hasResourceProperties('AWS::S3::Bucket', {
          BucketName: 'orders-flow-dev',
          LifecycleConfiguration: {
            Rules: [
              {
                Id: 'ExpireExecutionData',
                Prefix: 'executions/',
                ExpirationInDays: days,
                AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
                Status: 'Enabled',
              },
            ],
          },
        });
      }),
      { numRuns: 4 },
    );
  });
});
