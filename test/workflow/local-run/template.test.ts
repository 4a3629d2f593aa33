import { describe, expect, it } from 'vitest';
import { LocalRunConfigError } from '../../../src/workflow/local-run/errors.js';
import {
  TemplateResolver,
  lambdaLogicalIdOf,
  renderStateMachine,
  selectStateMachine,
  type CfnTemplate,
} from '../../../src/workflow/local-run/template.js';

const definitionString = {
  'Fn::Join': [
    '',
    [
      '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:',
      { Ref: 'AWS::Partition' },
      ':states:::lambda:invoke","Parameters":{"FunctionName":"',
      { 'Fn::GetAtt': ['Fn1', 'Arn'] },
      '","Payload":{"bucket":"',
      { Ref: 'Bucket' },
      '","job":"${JobName}"}},"End":true}}}',
    ],
  ],
};

const template: CfnTemplate = {
  Parameters: { Env: { Default: 'dev' }, NoDefault: {} },
  Resources: {
    Fn1: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: { 'Fn::Sub': 'stage-${Env}-etl' }, Timeout: 10 },
    },
    Fn2: { Type: 'AWS::Lambda::Function', Properties: {} },
    Bucket: {
      Type: 'AWS::S3::Bucket',
      Properties: { BucketName: { 'Fn::Join': ['-', ['wf', { Ref: 'AWS::AccountId' }]] } },
    },
    Unnamed: { Type: 'AWS::S3::Bucket' },
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } },
    Topic: { Type: 'AWS::SNS::Topic' },
    Job: { Type: 'AWS::Glue::Job', Properties: { Name: 'normalize-job' } },
    Role: { Type: 'AWS::IAM::Role' },
    Other: { Type: 'AWS::Custom::Thing' },
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        StateMachineType: 'EXPRESS',
        StateMachineName: 'wf-machine',
        DefinitionString: definitionString,
        DefinitionSubstitutions: { JobName: { Ref: 'Job' } },
      },
    },
  },
};

describe('local-run: TemplateResolver', () => {
  const resolver = new TemplateResolver(template, {
    region: 'eu-west-1',
    accountId: '111122223333',
    stackName: 'S',
  });

  it('resolves pseudo parameters and template parameter defaults', () => {
    expect(resolver.resolve({ Ref: 'AWS::Region' })).toBe('eu-west-1');
    expect(resolver.resolve({ Ref: 'AWS::AccountId' })).toBe('111122223333');
    expect(resolver.resolve({ Ref: 'AWS::Partition' })).toBe('aws');
    expect(resolver.resolve({ Ref: 'AWS::URLSuffix' })).toBe('amazonaws.com');
    expect(resolver.resolve({ Ref: 'AWS::StackName' })).toBe('S');
    expect(resolver.resolve({ Ref: 'AWS::StackId' })).toMatch(
      /^arn:aws:cloudformation:eu-west-1:111122223333:stack\/S\//,
    );
    expect(resolver.resolve({ Ref: 'Env' })).toBe('dev');
    expect(
      resolver.resolve({ a: { Ref: 'AWS::NoValue' }, b: [1, { Ref: 'AWS::NoValue' }] }),
    ).toEqual({ b: [1] });
    expect(resolver.resolve({ Ref: 'AWS::NoValue' })).toBeUndefined();
  });

  it('gives resources the names and ARNs CloudFormation would, deterministically', () => {
    expect(resolver.resolve({ Ref: 'Fn1' })).toBe('stage-dev-etl');
    expect(resolver.resolve({ 'Fn::GetAtt': ['Fn1', 'Arn'] })).toBe(
      'arn:aws:lambda:eu-west-1:111122223333:function:stage-dev-etl',
    );
    expect(resolver.resolve({ 'Fn::GetAtt': 'Fn2.Arn' })).toBe(
      'arn:aws:lambda:eu-west-1:111122223333:function:S-Fn2',
    );
    expect(resolver.resolve({ Ref: 'Bucket' })).toBe('wf-111122223333');
    expect(resolver.resolve({ Ref: 'Unnamed' })).toBe('s-unnamed');
    expect(resolver.resolve({ 'Fn::GetAtt': ['Bucket', 'Arn'] })).toBe(
      'arn:aws:s3:::wf-111122223333',
    );
    expect(resolver.resolve({ Ref: 'Queue' })).toBe(
      'https://sqs.eu-west-1.amazonaws.com/111122223333/q',
    );
    expect(resolver.resolve({ 'Fn::GetAtt': ['Queue', 'QueueUrl'] })).toBe(
      'https://sqs.eu-west-1.amazonaws.com/111122223333/q',
    );
    expect(resolver.resolve({ 'Fn::GetAtt': ['Queue', 'QueueName'] })).toBe('q');
    expect(resolver.resolve({ Ref: 'Topic' })).toBe('arn:aws:sns:eu-west-1:111122223333:S-Topic');
    expect(resolver.resolve({ Ref: 'Job' })).toBe('normalize-job');
    expect(resolver.resolve({ 'Fn::GetAtt': ['Role', 'Arn'] })).toBe(
      'arn:aws:iam::111122223333:role/S-Role',
    );
    expect(resolver.resolve({ Ref: 'Other' })).toBe('Other');
    expect(resolver.resolve({ 'Fn::GetAtt': ['Other', 'Endpoint'] })).toBe('Other.Endpoint');
    expect(resolver.resolve({ Ref: 'Machine' })).toBe(
      'arn:aws:states:eu-west-1:111122223333:stateMachine:wf-machine',
    );
  });

  it('resolves Fn::Sub (with variables and attributes) and Fn::Select', () => {
    expect(
      resolver.resolve({ 'Fn::Sub': ['${A}-${Fn1.Arn}-${AWS::Region}', { A: { Ref: 'Env' } }] }),
    ).toBe('dev-arn:aws:lambda:eu-west-1:111122223333:function:stage-dev-etl-eu-west-1');
    expect(resolver.resolve({ 'Fn::Select': [1, ['a', { Ref: 'Env' }]] })).toBe('dev');
  });

  it('explains what it cannot resolve', () => {
    expect(() => resolver.resolve({ 'Fn::ImportValue': 'x' })).toThrow(
      /Fn::ImportValue is not supported/,
    );
    expect(() => resolver.resolve({ Ref: 'NoDefault' })).toThrow(/has no Default/);
    expect(() => resolver.resolve({ Ref: 'Missing' })).toThrow(/no resource 'Missing'/);
    expect(() => resolver.resolve({ Ref: 1 })).toThrow(/Ref needs a name/);
    expect(() => resolver.resolve({ 'Fn::GetAtt': ['Fn1'] })).toThrow(/Fn::GetAtt needs/);
    expect(() => resolver.resolve({ 'Fn::Join': ['-'] })).toThrow(/Fn::Join needs/);
    expect(() => resolver.resolve({ 'Fn::Join': ['-', 'x'] })).toThrow(/must be a list/);
    expect(() => resolver.resolve({ 'Fn::Sub': 3 })).toThrow(/Fn::Sub needs/);
    expect(() => resolver.resolve({ 'Fn::Select': [5, ['a']] })).toThrow(/outside its list/);
    expect(() => resolver.resolve({ 'Fn::Select': [0] })).toThrow(/Fn::Select needs/);
    expect(() => resolver.resolveString({ 'Fn::Select': [0, [1]] }, 'X.Y')).toThrow(
      /X.Y does not resolve to a string/,
    );
  });

  it('refuses a name that refers to itself', () => {
    const loop = new TemplateResolver({
      Resources: {
        F: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: { Ref: 'F' } } },
      },
    });
    expect(() => loop.resolve({ Ref: 'F' })).toThrow(/refers to itself/);
  });

  it('refuses something that is not a template', () => {
    expect(() => new TemplateResolver({})).toThrow(LocalRunConfigError);
  });

  it('finds the function of a fake ARN, with or without a qualifier', () => {
    const arn = 'arn:aws:lambda:eu-west-1:111122223333:function:stage-dev-etl';
    expect(lambdaLogicalIdOf(resolver, arn)).toBe('Fn1');
    expect(lambdaLogicalIdOf(resolver, `${arn}:$LATEST`)).toBe('Fn1');
    expect(lambdaLogicalIdOf(resolver, 'S-Fn2')).toBe('Fn2');
    expect(lambdaLogicalIdOf(resolver, 'nope')).toBeUndefined();
  });
});

describe('local-run: renderStateMachine', () => {
  it('renders the DefinitionString with fake ARNs and DefinitionSubstitutions', () => {
    const rendered = renderStateMachine(new TemplateResolver(template));
    expect(rendered).toMatchObject({ logicalId: 'Machine', name: 'wf-machine', type: 'EXPRESS' });
    expect(rendered.arn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:wf-machine');
    expect(rendered.definition.States.A).toEqual({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:stage-dev-etl',
        Payload: { bucket: 'wf-123456789012', job: 'normalize-job' },
      },
      End: true,
    });
  });

  it('reads an inline Definition object and defaults to STANDARD', () => {
    const rendered = renderStateMachine(
      new TemplateResolver({
        Resources: {
          M: {
            Type: 'AWS::StepFunctions::StateMachine',
            Properties: {
              Definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            },
          },
        },
      }),
    );
    expect(rendered.type).toBe('STANDARD');
    expect(rendered.definition.StartAt).toBe('P');
  });

  it('says which state machine it needs when there are none, several or a wrong one', () => {
    const machine = template.Resources?.Machine;
    const two = new TemplateResolver({ Resources: { M1: machine!, M2: machine! } });
    expect(() => selectStateMachine(two)).toThrow(/2 state machines \(M1, M2\)/);
    expect(selectStateMachine(two, 'M2')).toBe('M2');
    expect(() => selectStateMachine(two, 'Fn')).toThrow(
      /'Fn' is not a state machine of the template; it has: M1, M2/,
    );
    const none = new TemplateResolver({ Resources: {} });
    expect(() => selectStateMachine(none)).toThrow(/has no AWS::StepFunctions::StateMachine/);
  });

  it('refuses definitions it cannot read', () => {
    const machineWith = (properties: Record<string, unknown>): TemplateResolver =>
      new TemplateResolver({
        Resources: { M: { Type: 'AWS::StepFunctions::StateMachine', Properties: properties } },
      });
    expect(() => renderStateMachine(machineWith({ DefinitionString: '{nope' }))).toThrow(
      /is not JSON once resolved/,
    );
    expect(() => renderStateMachine(machineWith({ DefinitionString: '{"States":{}}' }))).toThrow(
      /no StartAt\/States/,
    );
    expect(() => renderStateMachine(machineWith({ DefinitionS3Location: {} }))).toThrow(
      /neither DefinitionString nor Definition/,
    );
  });
});
