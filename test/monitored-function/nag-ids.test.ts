import { App, ArnFormat, Fn, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { wildcardResourceFindingId } from '../../src/monitored-function/nag.js';

describe('nag: wildcard finding ids', () => {
  const stack = new Stack(new App(), 'Stack');

  it('flattens Ref and Fn::Join the way cdk-nag names findings', () => {
    // Prepare
    const arn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws/lambda/fn:log-stream:*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    // Act / Assess
    expect(wildcardResourceFindingId(stack, arn)).toBe(
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda/fn:log-stream:*]',
    );
  });

  it('flattens Fn::GetAtt, Fn::Sub and Fn::ImportValue', () => {
    expect(
      wildcardResourceFindingId(stack, Fn.join('', [Fn.getAtt('Queue', 'Arn').toString(), '/*'])),
    ).toBe('AwsSolutions-IAM5[Resource::<Queue.Arn>/*]');
    expect(wildcardResourceFindingId(stack, Fn.sub('arn:${AWS::Partition}:s3:::bucket/*'))).toBe(
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::bucket/*]',
    );
    expect(wildcardResourceFindingId(stack, Fn.importValue('SharedArn'))).toBe(
      'AwsSolutions-IAM5[Resource::SharedArn]',
    );
  });

  it('keeps literal strings and renders unknown shapes as JSON', () => {
    expect(wildcardResourceFindingId(stack, '*')).toBe('AwsSolutions-IAM5[Resource::*]');
    expect(wildcardResourceFindingId(stack, Fn.select(0, ['a*', 'b']))).toBe(
      'AwsSolutions-IAM5[Resource::a*]',
    );
    expect(
      wildcardResourceFindingId(stack, Fn.select(0, Fn.split(',', Fn.importValue('List')))),
    ).toBe(
      'AwsSolutions-IAM5[Resource::{"Fn::Select":[0,{"Fn::Split":[",",{"Fn::ImportValue":"List"}]}]}]',
    );
  });
});
