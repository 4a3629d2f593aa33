import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MonitoredFunction,
  MonitoredFunctionValidationError,
} from '../../src/monitored-function/index.js';
import { arnOf, newStack, pythonProps } from './support.js';

function rolePolicyOf(template: Template, functionName: string): { Sid?: string }[] {
  const roles = template.findResources('AWS::IAM::Role', {
    Properties: { Description: `Execution role of the Lambda function ${functionName}` },
  });
  const role = Object.values(roles)[0] as {
    Properties: { Policies: { PolicyDocument: { Statement: { Sid?: string }[] } }[] };
  };
  return role.Properties.Policies[0].PolicyDocument.Statement;
}

describe('construct: IAM', () => {
  let stack: Stack;
  let template: Template;
  let permissions: MonitoredFunction;
  let vpcFn: MonitoredFunction;
  let tracedFn: MonitoredFunction;
  let invoker: iam.Role;
  let subnetIds: string[];
  let publicSubnetIds: string[];
  let securityGroups: ec2.SecurityGroup[];

  beforeAll(() => {
    ({ stack } = newStack());
    const readPolicy = new iam.ManagedPolicy(stack, 'ReadPolicy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: ['arn:aws:s3:::bucket/key'],
        }),
      ],
    });
    permissions = new MonitoredFunction(
      stack,
      'Permissions',
      pythonProps({
        functionName: 'perm-fn',
        additionalPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess', readPolicy],
      }),
    );
    permissions.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/orders'],
      }),
    );
    sqs.Queue.fromQueueArn(
      stack,
      'Orders',
      'arn:aws:sqs:eu-west-1:123456789012:orders',
    ).grantSendMessages(permissions);
    invoker = new iam.Role(stack, 'Invoker', { assumedBy: new iam.AccountRootPrincipal() });
    permissions.grantInvoke(invoker);

    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    securityGroups = [
      new ec2.SecurityGroup(stack, 'SgA', { vpc, description: 'a' }),
      new ec2.SecurityGroup(stack, 'SgB', { vpc, description: 'b' }),
    ];
    subnetIds = vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds;
    vpcFn = new MonitoredFunction(
      stack,
      'InVpc',
      pythonProps({
        functionName: 'vpc-fn',
        vpc: { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups },
      }),
    );
    publicSubnetIds = vpc.selectSubnets({ subnetType: ec2.SubnetType.PUBLIC }).subnetIds;
    new MonitoredFunction(
      stack,
      'InPublic',
      pythonProps({
        functionName: 'public-fn',
        vpc: {
          vpc,
          subnets: { subnetType: ec2.SubnetType.PUBLIC },
          securityGroups,
          allowPublicSubnet: true,
        },
      }),
    );
    tracedFn = new MonitoredFunction(
      stack,
      'Traced',
      pythonProps({ functionName: 'traced-fn', tracing: true }),
    );
    template = Template.fromStack(stack);
  });

  it('attaches the additional managed policies by ARN and by construct', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Execution role of the Lambda function perm-fn',
      ManagedPolicyArns: [
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
        { Ref: stack.getLogicalId(stack.node.findChild('ReadPolicy').node.defaultChild as never) },
      ],
    });
  });

  it('puts addToRolePolicy statements in the role default policy, apart from the base policy', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(permissions.role.node.defaultChild as never) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'dynamodb:PutItem',
            Resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
          },
        ]),
      },
    });
    expect(rolePolicyOf(template, 'perm-fn').map((s) => s.Sid)).toEqual(['WriteOwnLogGroup']);
  });

  it('grantInvoke lets the grantee invoke the function and its versions and aliases', () => {
    const fnArn = {
      'Fn::GetAtt': [stack.getLogicalId(permissions.function.node.defaultChild as never), 'Arn'],
    };
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(invoker.node.defaultChild as never) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'lambda:InvokeFunction',
            Resource: [fnArn, { 'Fn::Join': ['', [fnArn, ':*']] }],
          },
        ],
      },
    });
  });

  it('places the function in the given subnets and security groups', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'vpc-fn',
      VpcConfig: {
        SubnetIds: subnetIds.map((id) => stack.resolve(id) as unknown),
        SecurityGroupIds: securityGroups.map((sg) => stack.resolve(sg.securityGroupId) as unknown),
      },
    });
  });

  it('allows public subnets only when asked', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'public-fn',
      VpcConfig: { SubnetIds: publicSubnetIds.map((id) => stack.resolve(id) as unknown) },
    });
  });

  it('scopes the ENI permissions to those subnets and security groups', () => {
    const subnetArns = subnetIds.map((id) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ec2:eu-west-1:123456789012:subnet/',
          stack.resolve(id),
        ],
      ],
    }));
    const sgArns = securityGroups.map((sg) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ec2:eu-west-1:123456789012:security-group/',
          stack.resolve(sg.securityGroupId),
        ],
      ],
    }));
    const eniArn = arnOf('ec2', 'network-interface/*');
    expect(rolePolicyOf(template, 'vpc-fn')).toEqual([
      expect.objectContaining({ Sid: 'WriteOwnLogGroup' }),
      {
        Sid: 'CreateEniInOwnSubnets',
        Effect: 'Allow',
        Action: 'ec2:CreateNetworkInterface',
        Resource: [...subnetArns, ...sgArns, eniArn],
      },
      {
        Sid: 'ManageOwnEnis',
        Effect: 'Allow',
        Action: [
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: eniArn,
      },
      {
        Sid: 'DescribeEnis',
        Effect: 'Allow',
        Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
        Resource: '*',
      },
    ]);
    expect(JSON.stringify(template.toJSON())).not.toContain('AWSLambdaVPCAccessExecutionRole');
  });

  it('acknowledges the unavoidable wildcards on the role resource only, with reasons', () => {
    const acknowledged: Record<string, string> = Object.assign(
      {},
      ...vpcFn.role.node
        .defaultChild!.node.metadata.filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
        .map((entry) => entry.data as Record<string, string>),
    );
    expect(Object.keys(acknowledged).sort()).toEqual([
      'Annotation::AwsSolutions-IAM5[Resource::*]',
      'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:eu-west-1:123456789012:network-interface/*]',
      'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:/aws/lambda/vpc-fn:log-stream:*]',
    ]);
    expect(acknowledged['Annotation::AwsSolutions-IAM5[Resource::*]']).toContain(
      'EC2 Describe actions support no resource-level permissions',
    );
    expect(vpcFn.role.node.metadata).toEqual([]);
  });

  it('tracing: sets Active tracing and grants the X-Ray write actions in the base policy', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'traced-fn',
      TracingConfig: { Mode: 'Active' },
    });
    expect(rolePolicyOf(template, 'traced-fn')).toContainEqual({
      Sid: 'WriteXRayTraces',
      Effect: 'Allow',
      Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      Resource: '*',
    });
    const defaultPolicies = template.findResources('AWS::IAM::Policy', {
      Properties: {
        Roles: [{ Ref: stack.getLogicalId(tracedFn.role.node.defaultChild as never) }],
      },
    });
    expect(Object.keys(defaultPolicies)).toHaveLength(0);
  });

  it('rejects a subnet selection that the VPC cannot satisfy, naming vpc.subnets', () => {
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-1',
      availabilityZones: ['eu-west-1a'],
      privateSubnetIds: ['subnet-1'],
    });
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'ImportedSg', 'sg-1');
    const act = (): MonitoredFunction =>
      new MonitoredFunction(
        stack,
        'BadSubnets',
        pythonProps({
          functionName: 'bad-subnets',
          vpc: { vpc, subnets: { subnetType: ec2.SubnetType.PUBLIC }, securityGroups: [sg] },
        }),
      );
    expect(act).toThrow(MonitoredFunctionValidationError);
    expect(act).toThrow(
      /^MonitoredFunction\(BadSubnets\): vpc.subnets cannot be selected in vpc.vpc: /,
    );
  });

  it('rejects a subnet selection that selects nothing', () => {
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported2', {
      vpcId: 'vpc-2',
      availabilityZones: ['eu-west-1a'],
      privateSubnetIds: ['subnet-2'],
    });
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'ImportedSg2', 'sg-2');
    expect(
      () =>
        new MonitoredFunction(
          stack,
          'NoSubnets',
          pythonProps({
            functionName: 'no-subnets',
            vpc: { vpc, subnets: { subnets: [] }, securityGroups: [sg] },
          }),
        ),
    ).toThrow(
      'MonitoredFunction(NoSubnets): vpc.subnets selects no subnet of vpc.vpc: select at least one subnet.',
    );
  });

  it('is grantable: other constructs grant their permissions to its role', () => {
    expect(permissions.grantPrincipal).toBe(permissions.role);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(permissions.role.node.defaultChild as never) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['sqs:SendMessage']),
            Resource: 'arn:aws:sqs:eu-west-1:123456789012:orders',
          }),
        ]),
      },
    });
  });
});
