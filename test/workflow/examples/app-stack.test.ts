import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { readCdkJsonContext } from '../../../app/context.js';
import {
  WORKFLOW_CONTEXT_KEY,
  WorkflowStack,
  parseWorkflowStackConfig,
  toWorkflowStackProps,
} from '../../../app/stacks/workflow-stack.js';
import { expectNoNagFindings } from '../../helpers/cdk-nag.js';
import { expectValidStateMachines } from '../helpers/asl.js';

describe('reference app: workflow stack config', () => {
  it('applies the defaults', () => {
    expect(parseWorkflowStackConfig({ type: 'STANDARD', environment: 'dev' })).toEqual({
      type: 'STANDARD',
      environment: 'dev',
      alarmEmails: [],
      iso27001: true,
      naming: 'explicit',
    });
  });

  it('names the context key when it is missing', () => {
    expect(() => parseWorkflowStackConfig(undefined)).toThrow(
      'cdk.json context "aws-ops-kit:workflow" is missing',
    );
  });

  it('names each bad field, unknown keys included', () => {
    const parse = (): unknown =>
      parseWorkflowStackConfig({ type: 'FAST', environment: 3, extra: true });
    expect(parse).toThrow(/aws-ops-kit:workflow" is invalid/);
    expect(parse).toThrow(/type/);
    expect(parse).toThrow(/environment/);
    expect(parse).toThrow(/extra/);
  });

  it('maps every setting onto the stack props', () => {
    const config = parseWorkflowStackConfig({
      type: 'EXPRESS',
      environment: 'qa',
      alarmEmails: ['a@example.com'],
      iso27001: false,
      naming: 'generated',
      bucketNamePrefix: 'orders-flow',
    });
    expect(toWorkflowStackProps(config)).toEqual({
      type: 'EXPRESS',
      environment: 'qa',
      alarmEmails: ['a@example.com'],
      iso27001: false,
      naming: 'generated',
      bucketNamePrefix: 'orders-flow',
    });
  });

  it('synthesizes environment-agnostic from the cdk.json block (or a placeholder), cdk-nag clean', () => {
    const fromCdkJson = readCdkJsonContext()[WORKFLOW_CONTEXT_KEY];
    const config = parseWorkflowStackConfig(
      fromCdkJson ?? {
        type: 'STANDARD',
        environment: 'dev',
        alarmEmails: ['ops-team@example.com'],
      },
    );
    const app = new App({
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new WorkflowStack(app, 'OpsKitWorkflow', { config });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: config.type,
    });
    // The account is a deploy-time value: the bucket name is joined with AWS::AccountId.
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: {
        'Fn::Join': [
          '',
          [
            `ceap-workflow-${config.type.toLowerCase()}-${config.environment}-`,
            { Ref: 'AWS::AccountId' },
          ],
        ],
      },
    });
    expect(expectValidStateMachines(template.toJSON())).toBe(1);
    expectNoNagFindings(stack);
  });
});
