import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GLUE_LIBRARY, DEFAULT_GLUE_SCRIPT } from '../../../src/workflow/construct-glue.js';
import { WorkflowStep } from '../../../src/workflow/construct-props.js';
import { expectNoNagFindings } from '../../helpers/cdk-nag.js';
import {
  PERMANENT_ERRORS_NOT_RETRIED,
  definitionOf,
  lambdaStep,
  props,
  expectExecutionScoped,
  synthesize,
  taskStates,
} from './support.js';
import { aslErrors } from '../helpers/asl.js';

// One Standard workflow (Lambda → Glue → Lambda), synthesized once for every assertion below.
const standard = synthesize(
  props({
    type: 'STANDARD',
    steps: [
      lambdaStep('etl'),
      WorkflowStep.glue({ name: 'clean', numberOfWorkers: 3, workerType: 'G.2X' }),
      lambdaStep('score'),
    ],
    alerts: { emails: ['oncall@example.com'] },
  }),
);
const { template, workflow } = standard;
const asl = definitionOf(template);
const glueTask = asl.States.clean;

interface PolicyDocument {
  readonly Statement: readonly {
    readonly Action: string | readonly string[];
    readonly Resource: unknown;
    readonly Condition?: unknown;
  }[];
}

/** Every statement of the policies attached to a role, inline or not, as resolved JSON. */
function statementsOfRole(roleLogicalId: string): PolicyDocument['Statement'][number][] {
  const role = template.findResources('AWS::IAM::Role')[roleLogicalId] as {
    Properties: { Policies?: { PolicyDocument: PolicyDocument }[] };
  };
  const inline = (role.Properties.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement);
  const attached = Object.values(template.findResources('AWS::IAM::Policy'))
    .map((p) => p as { Properties: { Roles: unknown[]; PolicyDocument: PolicyDocument } })
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleLogicalId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
  return [...inline, ...attached];
}

const actionsOf = (statement: { Action: string | readonly string[] }): string[] =>
  typeof statement.Action === 'string' ? [statement.Action] : [...statement.Action];

const logicalIdOf = (construct: { node: { defaultChild?: unknown } }): string =>
  standard.stack.getLogicalId(construct.node.defaultChild as iam.CfnRole);

describe('workflow construct: STANDARD with a Glue step', () => {
  it('Property 18: Standard Workflow Configuration — a STANDARD state machine with Lambda and Glue tasks in order', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    expect(taskStates(asl).map(([name]) => name)).toEqual(['etl', 'clean', 'score']);
    expect(asl.TimeoutSeconds).toBe(86_400);
    expect(aslErrors(asl)).toEqual([]);
  });

  it('Property 19: Standard Workflow Invocation Type — the Pipe uses FIRE_AND_FORGET and StartExecution', () => {
    expect(workflow.invocationType).toBe('FIRE_AND_FORGET');
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      TargetParameters: {
        StepFunctionStateMachineParameters: { InvocationType: 'FIRE_AND_FORGET' },
      },
    });
    const actions = statementsOfRole(logicalIdOf(workflow.pipeRole)).flatMap(actionsOf);
    expect(actions).toContain('states:StartExecution');
    expect(actions).not.toContain('states:StartSyncExecution');
  });

  it('Property 21: Glue Job Integration Pattern — startJobRun.sync (RUN_JOB)', () => {
    expect(glueTask.Resource).toBe('arn:aws:states:::glue:startJobRun.sync');
    expect(glueTask.Parameters?.JobName).toBe('WfStack-dev-Clean');
    expect(glueTask.ResultPath).toBeNull();
  });

  it('Property 22: Glue Job Arguments — execution id and input/output bucket and keys', () => {
    expect(glueTask.Parameters?.Arguments).toEqual({
      '--execution-id.$': '$$.Execution.Name',
      '--input-bucket': '<WorkflowBucketB5257CA7>',
      '--input-key.$': "States.Format('executions/{}/etl/output.json', $$.Execution.Name)",
      '--output-bucket': '<WorkflowBucketB5257CA7>',
      '--output-key.$': "States.Format('executions/{}/clean/output.json', $$.Execution.Name)",
    });
  });

  it('Property 24: Glue Job Retry Configuration — one rule, 5-minute interval; Lambda steps keep 20 s', () => {
    expect(glueTask.Retry).toEqual([
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 300, MaxAttempts: 2, BackoffRate: 2 },
    ]);
    expect(asl.States.score.Retry).toEqual([
      PERMANENT_ERRORS_NOT_RETRIED,
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 20, MaxAttempts: 2, BackoffRate: 2 },
    ]);
  });

  it('deploys the Glue job: glueetl from the script asset, the transform library, workers, no Glue retries', () => {
    template.hasResourceProperties('AWS::Glue::Job', {
      Name: 'WfStack-dev-Clean',
      Command: { Name: 'glueetl', PythonVersion: '3', ScriptLocation: Match.anyValue() },
      GlueVersion: '5.0',
      WorkerType: 'G.2X',
      NumberOfWorkers: 3,
      MaxRetries: 0,
      Timeout: 60,
      ExecutionProperty: { MaxConcurrentRuns: 10 },
      DefaultArguments: Match.objectLike({
        '--job-bookmark-option': 'job-bookmark-disable',
        '--extra-py-files': Match.anyValue(),
      }),
    });
    const job = workflow.glueJobs.clean;
    expect(job.scriptAsset.assetPath).toBeDefined();
    expect(job.libraryAssets).toHaveLength(1);
    expect(DEFAULT_GLUE_SCRIPT).toMatch(/workflow_glue_job\.py$/);
    expect(DEFAULT_GLUE_LIBRARY).toMatch(/glue[\\/]lib$/);
  });

  it('Property 34: Standard Workflow Failure Detection — FAILED, TIMED_OUT, ABORTED of this state machine → SNS', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: [{ Ref: Match.stringLikeRegexp('StateMachine') }],
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('AlertTopic') } })],
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    // Standard workflows report through events, not the Express execution alarms.
    expect(workflow.monitoring.executionsFailedAlarm).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { Namespace: 'AWS/States' }, 0);
  });

  it('Property 42: Least-Privilege IAM Roles — the state machine invokes its functions and runs its job only', () => {
    const statements = statementsOfRole(logicalIdOf(workflow.stateMachine.role));
    const invoke = statements.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    const resources = JSON.stringify(invoke.map((s) => s.Resource));
    expect(resources).toContain(logicalIdOf(workflow.functions.etl.function));
    expect(resources).toContain(logicalIdOf(workflow.functions.score.function));
    const glue = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('glue:')));
    expect(glue.flatMap(actionsOf).sort()).toEqual([
      'glue:BatchStopJobRun',
      'glue:GetJobRun',
      'glue:GetJobRuns',
      'glue:StartJobRun',
    ]);
    expect(JSON.stringify(glue.map((s) => s.Resource))).toContain(':job/WfStack-dev-Clean');
    // No action wildcard anywhere; `*` resources only for logs delivery and X-Ray.
    for (const statement of statements) {
      expect(actionsOf(statement).every((a) => !a.endsWith('*') || a.startsWith('xray:'))).toBe(
        true,
      );
      if (statement.Resource === '*') {
        expect(
          actionsOf(statement).every((a) => a.startsWith('logs:') || a.startsWith('xray:')),
        ).toBe(true);
      }
    }
  });

  it('Property 42: Least-Privilege IAM Roles — the Glue role reads its own code and works under executions/ only', () => {
    const statements = statementsOfRole(logicalIdOf(workflow.glueJobs.clean.role));
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const code = s3.find((s) => actionsOf(s).join() === 's3:GetObject');
    // The code statement names exact asset objects (no wildcard in the key).
    expect(JSON.stringify(code?.Resource)).toMatch(/\.py"|\.zip"/);
    expectExecutionScoped(
      s3.filter((s) => s !== code),
      'WorkflowBucketB5257CA7',
    );
    // Logs only in Glue's own log groups.
    const logs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    expect(JSON.stringify(logs.map((s) => s.Resource))).toContain('log-group:/aws-glue/*');
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expectNoNagFindings(standard.stack);
  });
});

describe('workflow construct: Glue step options', () => {
  it('deploys a custom script without the kit library, with a security configuration and extra arguments', () => {
    const { template, workflow: custom } = synthesize(
      props({
        type: 'STANDARD',
        steps: [
          WorkflowStep.glue({
            name: 'custom',
            scriptPath: DEFAULT_GLUE_SCRIPT,
            glueVersion: '4.0',
            timeout: Duration.hours(2),
            maxConcurrentRuns: 3,
            securityConfiguration: 'kms-everything',
            defaultArguments: { '--required-fields': 'id,amount' },
          }),
        ],
      }),
    );
    const job = Object.values(template.findResources('AWS::Glue::Job'))[0] as {
      Properties: Record<string, unknown> & { DefaultArguments: Record<string, string> };
    };
    expect(job.Properties).toMatchObject({
      GlueVersion: '4.0',
      Timeout: 120,
      SecurityConfiguration: 'kms-everything',
      ExecutionProperty: { MaxConcurrentRuns: 3 },
    });
    expect(job.Properties.DefaultArguments['--extra-py-files']).toBeUndefined();
    expect(job.Properties.DefaultArguments['--required-fields']).toBe('id,amount');
    // Nothing to acknowledge: the security configuration encrypts logs and bookmarks.
    const acknowledged = (w: typeof workflow, stage: string): number =>
      w.glueJobs[stage].job.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules')
        .length;
    expect(acknowledged(custom, 'custom')).toBe(0);
    expect(acknowledged(workflow, 'clean')).toBe(2);
  });
});
