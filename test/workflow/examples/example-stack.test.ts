import { existsSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  EXAMPLE_GLUE_STAGE,
  EXAMPLE_STAGES,
  ExampleWorkflowStack,
  exampleStageEntry,
} from '../../../examples/workflow/stack.js';
import { expectNoNagFindings } from '../../helpers/cdk-nag.js';
import { ACCOUNT, REGION, definitionOf, taskStates } from '../construct/support.js';

function build(type: 'EXPRESS' | 'STANDARD'): { stack: ExampleWorkflowStack; template: Template } {
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new ExampleWorkflowStack(app, `Example${type}`, {
    env: { account: ACCOUNT, region: REGION },
    type,
    environment: 'dev',
    alarmEmails: ['ops@example.com'],
  });
  return { stack, template: Template.fromStack(stack) };
}

describe('workflow example: stack', () => {
  it('has a stage entry for each of ETL, Filter, Score, Store, Reactive', () => {
    for (const stage of EXAMPLE_STAGES) {
      expect(existsSync(exampleStageEntry(stage)), exampleStageEntry(stage)).toBe(true);
    }
  });

  it('EXPRESS variant: the five Lambda stages in order, cdk-nag clean', () => {
    const { stack, template } = build('EXPRESS');
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'EXPRESS',
    });
    expect(taskStates(definitionOf(template)).map(([name]) => name)).toEqual([...EXAMPLE_STAGES]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'ExampleEXPRESS-dev-Reactive',
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `ceap-workflow-express-dev-${ACCOUNT}`,
    });
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'AlertTopicArn',
      'BucketName',
      'DeadLetterQueueUrl',
      'QueueUrl',
      'StateMachineArn',
    ]);
    expectNoNagFindings(stack);
  });

  it('STANDARD variant: a Glue step after ETL, cdk-nag clean', () => {
    const { stack, template } = build('STANDARD');
    const tasks = taskStates(definitionOf(template));
    expect(tasks.map(([name]) => name)).toEqual([
      'etl',
      EXAMPLE_GLUE_STAGE,
      'filter',
      'score',
      'store',
      'reactive',
    ]);
    expect(tasks[1][1].Resource).toBe('arn:aws:states:::glue:startJobRun.sync');
    template.hasResourceProperties('AWS::Glue::Job', { Name: 'ExampleSTANDARD-dev-Normalize' });
    expectNoNagFindings(stack);
  });
});
