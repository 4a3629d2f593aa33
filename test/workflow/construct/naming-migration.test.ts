import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { S3Workflow } from '../../../src/workflow/construct.js';
import {
  explicitFunctionName,
  functionNameProblem,
  purposeOf,
} from '../../../src/workflow/construct-naming.js';
import { WorkflowStep } from '../../../src/workflow/construct-props.js';
import { expectNoNagFindings } from '../../helpers/cdk-nag.js';
import { expectValidStateMachines } from '../helpers/asl.js';
import {
  definitionOf,
  expectExecutionScoped,
  glueStep,
  lambdaStep,
  newStack,
  props,
  synthesize,
  taskStates,
} from './support.js';
import type { TemplateStatement } from './support.js';

/** S3 statements of the policies attached to a role. */
function s3StatementsOf(template: Template, roleLogicalId: string): TemplateStatement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .map(
      (p) =>
        p as {
          Properties: { Roles: unknown[]; PolicyDocument: { Statement: TemplateStatement[] } };
        },
    )
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleLogicalId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .filter((s) => JSON.stringify(s.Action).includes('s3:'));
}

describe('workflow construct: naming', () => {
  it('Property 1: Lambda Function Name Format — {StackName}-{Environment}-{FunctionPurpose}, pure', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/),
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,9}$/),
        fc.stringMatching(/^[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8}){0,2}$/),
        (stackName, environment, stage) => {
          const purpose = purposeOf(stage);
          const name = explicitFunctionName(stackName, environment, purpose);
          expect(name.split('-').slice(-1)[0]).toBe(purpose.split('-').slice(-1)[0]);
          expect(name).toBe(`${stackName}-${environment}-${purpose}`);
          expect(purpose).toMatch(/^[A-Z][A-Za-z0-9]*$/);
          expect(functionNameProblem(name)).toBeUndefined();
        },
      ),
      { numRuns: 100 },
    );
    expect(purposeOf('score-v2')).toBe('ScoreV2');
    expect(functionNameProblem('x'.repeat(65))).toContain('more than 64');
    expect(functionNameProblem('a b')).toContain('a-z A-Z 0-9');
  });

  it('Property 38: Dual Naming Pattern Support — explicit names by default, generated ones on request', () => {
    const steps = [lambdaStep('etl'), glueStep('spark')];
    const explicit = synthesize(props({ type: 'STANDARD', steps }), 'Orders');
    const generated = synthesize(
      props({
        type: 'STANDARD',
        steps,
        functions: { naming: 'generated', monitoring: { emails: ['ops@example.com'] } },
      }),
      'Orders',
    );
    explicit.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'Orders-dev-Etl',
    });
    explicit.template.hasResourceProperties('AWS::Glue::Job', { Name: 'Orders-dev-Spark' });

    // 'generated': no FunctionName, so CloudFormation names the function, as it did the old
    // ones; a readable path-derived name still names its log group (and alarms).
    generated.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ WORKFLOW_STAGE_NAME: 'etl' }) },
      FunctionName: Match.absent(),
    });
    const logGroups = Object.values(generated.template.findResources('AWS::Logs::LogGroup')).map(
      (r) => String((r as { Properties: { LogGroupName?: unknown } }).Properties.LogGroupName),
    );
    const etlLogGroup = logGroups.find((name) => name.endsWith('-etl'));
    expect(etlLogGroup).toMatch(/^\/aws\/lambda\/Orders.*-etl$/);
    expect(etlLogGroup).not.toBe('/aws/lambda/Orders-dev-Etl');
    expect(functionNameProblem(etlLogGroup?.slice('/aws/lambda/'.length) ?? '')).toBeUndefined();
    explicit.template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { FunctionName: Match.absent() },
      Object.keys(explicit.template.findResources('AWS::Lambda::Function')).length -
        Object.keys(explicit.workflow.functions).length,
    );
    expect(generated.workflow.glueJobs.spark.jobName).toMatch(/-GlueJob-spark$/);
    // Generated names are stable: the same tree gives the same names.
    const again = synthesize(
      props({
        type: 'STANDARD',
        steps,
        functions: { naming: 'generated', monitoring: { emails: ['ops@example.com'] } },
      }),
      'Orders',
    );
    expect(again.workflow.glueJobs.spark.jobName).toBe(generated.workflow.glueJobs.spark.jobName);
    expect(expectValidStateMachines(explicit.template.toJSON())).toBe(1);
    expect(expectValidStateMachines(generated.template.toJSON())).toBe(1);
    expectNoNagFindings(generated.stack);
  });
});

describe('workflow construct: incremental migration and S3 permissions', () => {
  const stack = newStack('Migrating');
  const legacy = new lambda.Function(stack, 'LegacyScore', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (event) => event'),
  });
  // The legacy function's own findings are its owner's; the workflow's grant to its role is not.
  Validations.of(legacy).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'legacy function under migration',
    },
    { id: 'AwsSolutions-L1', reason: 'legacy function under migration' },
  );
  const imported = lambda.Function.fromFunctionArn(
    stack,
    'Imported',
    'arn:aws:lambda:eu-west-1:123456789012:function:reactive-old',
  );
  const workflow = new S3Workflow(stack, 'Workflow', {
    ...props(),
    steps: [
      lambdaStep('etl'),
      WorkflowStep.existingFunction({ name: 'score', function: legacy }),
      WorkflowStep.existingFunction({ name: 'reactive', function: imported }),
    ],
  });
  const template = Template.fromStack(stack);
  const asl = definitionOf(template);
  const bucketId = stack.getLogicalId(workflow.bucket.node.defaultChild as iam.CfnRole);
  const roleId = (role: iam.IRole | undefined): string =>
    stack.getLogicalId(role?.node.defaultChild as iam.CfnRole);

  it('Property 39: Incremental Stage Migration — kit and existing functions in one workflow, same payload', () => {
    const tasks = taskStates(asl);
    expect(tasks.map(([n]) => n)).toEqual(['etl', 'score', 'reactive']);
    expect(tasks[1][1].Parameters?.Payload).toMatchObject({
      currentStage: 'score',
      previousStage: 'etl',
      'executionId.$': '$$.Execution.Name',
    });
    expect(tasks[2][1].Parameters?.FunctionName).toBe(
      'arn:aws:lambda:eu-west-1:123456789012:function:reactive-old',
    );
    // Only the kit stage is a MonitoredFunction of the workflow.
    expect(Object.keys(workflow.functions)).toEqual(['etl']);
    expect(workflow.localRunManifest().stages.map((s) => s.kind)).toEqual([
      'lambda',
      'function',
      'function',
    ]);
    expect(expectValidStateMachines(template.toJSON())).toBe(1);
    expectNoNagFindings(stack);
  });

  it('Property 40: S3 IAM Permissions — stage roles read and write executions/* of the workflow bucket only', () => {
    const kit = s3StatementsOf(template, roleId(workflow.functions.etl.role));
    expectExecutionScoped(kit, bucketId);
    expect(kit.flatMap((s) => s.Action)).not.toContain('s3:DeleteObject');
    expectExecutionScoped(s3StatementsOf(template, roleId(legacy.role)), bucketId);
  });

  it('grantStart lets a producer send messages to the workflow queue, and nothing else', () => {
    const other = newStack('Producer');
    const producer = new iam.Role(other, 'Producer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const w = new S3Workflow(other, 'Workflow', props());
    w.grantStart(producer);
    const policy = Object.values(Template.fromStack(other).findResources('AWS::IAM::Policy')).find(
      (p) =>
        JSON.stringify(p).includes(other.getLogicalId(producer.node.defaultChild as iam.CfnRole)),
    ) as { Properties: { PolicyDocument: { Statement: TemplateStatement[] } } };
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements.flatMap((st) => st.Action)).toEqual([
      'sqs:SendMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
    ]);
    expect(statements[0].Resource).toEqual({
      'Fn::GetAtt': [other.getLogicalId(w.queue.node.defaultChild as iam.CfnRole), 'Arn'],
    });
  });

  it('leaves existing functions alone when asked to', () => {
    const other = newStack('NoGrant');
    const fn = new lambda.Function(other, 'Legacy', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
    new S3Workflow(other, 'Workflow', {
      ...props(),
      steps: [
        WorkflowStep.existingFunction({ name: 'only', function: fn, grantBucketAccess: false }),
      ],
    });
    const t = Template.fromStack(other);
    expect(
      s3StatementsOf(t, other.getLogicalId(fn.role?.node.defaultChild as iam.CfnRole)),
    ).toEqual([]);
  });
});
