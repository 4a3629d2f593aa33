/**
 * Small synthesized state machines for the local-run tests, built with CDK's own Step Functions
 * constructs (so the definitions are what CDK renders: Fn::Join, GetAtt, Partition refs).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { CfnTemplate } from '../../../src/workflow/local-run/template.js';

export interface FixtureOptions {
  readonly type?: 'EXPRESS' | 'STANDARD';
  /** Stage names, in order; a name starting with 'glue:' is a Glue step. */
  readonly steps?: readonly string[];
  /** Wrap the first state in a Pass that unwraps the Pipe's array. @default true */
  readonly unwrap?: boolean;
  /** Add a Catch (States.ALL) on every task to a Fail state. @default false */
  readonly catchAll?: boolean;
  /** Lambda timeout in seconds. @default 30 */
  readonly lambdaTimeoutSeconds?: number;
  /** Pass state after the last step that builds a big output: bytes. @default - none */
  readonly bigOutputBytes?: number;
}

export const FIXTURE_BUCKET = 'local-run-bucket';

/** Logical id of the Lambda function of a step. */
export function functionIdOf(template: CfnTemplate, step: string): string {
  const entry = Object.entries(template.Resources ?? {}).find(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties?.FunctionName === `fn-${step}`,
  );
  if (entry === undefined) throw new Error(`no function for ${step}`);
  return entry[0];
}

export function synthFixture(options: FixtureOptions = {}): CfnTemplate {
  const app = new App();
  const stack = new Stack(app, 'LocalRunFixture', {
    env: { account: '123456789012', region: 'us-east-1' },
  });
  const steps = options.steps ?? ['etl', 'filter'];
  const type = options.type ?? 'EXPRESS';
  const fail = new sfn.Fail(stack, 'Failed', { error: 'StageFailed', cause: 'a stage failed' });
  const chainables: sfn.IChainable[] = [];
  let previous: string | null = null;
  for (const step of steps) {
    if (step.startsWith('glue:')) {
      const name = step.slice(5);
      const job = new glue.CfnJob(stack, `Job-${name}`, {
        name: `job-${name}`,
        role: 'arn:aws:iam::123456789012:role/glue',
        command: { name: 'glueetl', scriptLocation: 's3://scripts/job.py' },
      });
      const task = new tasks.GlueStartJobRun(stack, `Step-${name}`, {
        glueJobName: job.ref,
        integrationPattern: sfn.IntegrationPattern.RUN_JOB,
        arguments: sfn.TaskInput.fromObject({
          '--execution-id': sfn.JsonPath.stringAt('$.executionId'),
          '--input-bucket': FIXTURE_BUCKET,
          '--input-key': sfn.JsonPath.format(
            'executions/{}/{}/output.json',
            sfn.JsonPath.stringAt('$.executionId'),
            previous ?? 'none',
          ),
          '--output-bucket': FIXTURE_BUCKET,
          '--output-key': sfn.JsonPath.format(
            'executions/{}/{}/output.json',
            sfn.JsonPath.stringAt('$.executionId'),
            name,
          ),
        }),
        resultPath: sfn.JsonPath.DISCARD,
      });
      task.addRetry({
        errors: ['States.ALL'],
        maxAttempts: 2,
        interval: Duration.minutes(5),
        backoffRate: 2,
      });
      if (options.catchAll) task.addCatch(fail, { errors: ['States.ALL'] });
      chainables.push(task);
      previous = name;
      continue;
    }
    const fn = new lambda.Function(stack, `Fn-${step}`, {
      functionName: `fn-${step}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
      timeout: Duration.seconds(options.lambdaTimeoutSeconds ?? 30),
    });
    const task = new tasks.LambdaInvoke(stack, `Step-${step}`, {
      lambdaFunction: fn,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        executionId: sfn.JsonPath.stringAt('$.executionId'),
        currentStage: step,
        ...(previous === null ? {} : { previousStage: previous }),
        workflowBucket: FIXTURE_BUCKET,
        initialData: sfn.JsonPath.objectAt('$.initialData'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    task.addRetry({
      errors: ['States.ALL'],
      maxAttempts: 2,
      interval: Duration.seconds(20),
      backoffRate: 2,
    });
    if (options.catchAll) task.addCatch(fail, { errors: ['States.ALL'] });
    chainables.push(task);
    previous = step;
  }
  let chain: sfn.Chain;
  const unwrap = new sfn.Pass(stack, 'Unwrap', {
    parameters: {
      'executionId.$': '$$.Execution.Name',
      'initialData.$': '$[0].body',
    },
  });
  chain =
    options.unwrap === false
      ? sfn.Chain.start(chainables[0])
      : sfn.Chain.start(unwrap).next(chainables[0]);
  const rest = options.unwrap === false ? chainables.slice(1) : chainables.slice(1);
  for (const next of rest) chain = chain.next(next);
  if (options.bigOutputBytes !== undefined) {
    chain = chain.next(
      new sfn.Pass(stack, 'Big', {
        result: sfn.Result.fromObject({ blob: 'x'.repeat(options.bigOutputBytes) }),
      }),
    );
  }
  new sfn.StateMachine(stack, 'Machine', {
    stateMachineType:
      type === 'EXPRESS' ? sfn.StateMachineType.EXPRESS : sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromChainable(chain),
  });
  return Template.fromStack(stack).toJSON();
}
