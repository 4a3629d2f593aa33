import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TaskStarterActions } from '../../src/task-starter/contract.js';
import { EcsTaskStarter } from '../../src/task-starter/construct.js';
import { expectNoNagFindings } from '../helpers/cdk-nag.js';
import {
  EXECUTION_ROLE_ARN,
  TARGET_GROUP_ARN,
  TARGET_GROUP_ARN_2,
  TASK_ROLE_ARN,
  newStack,
  policyStatements,
  synthesize,
  validProps,
} from './construct-support.js';

const ECS = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecs:eu-west-1:123456789012:${resource}`]],
});
const ON_CLUSTER = { ArnEquals: { 'ecs:cluster': ECS('cluster/apps') } };

function actionsOf(statements: ReturnType<typeof policyStatements>): string[] {
  return Object.values(statements)
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .sort();
}

describe('task starter construct: IAM', () => {
  it('scopes RunTask to the family in the cluster and PassRole to the two roles for ECS tasks', () => {
    // Act
    const { template } = synthesize(validProps());
    const start = policyStatements(template, 'StartFunction');
    // Assess
    expect(start.RunTaskOfFamily).toMatchObject({
      Action: 'ecs:RunTask',
      Resource: ECS('task-definition/web:*'),
      Condition: ON_CLUSTER,
    });
    expect(start.PassTaskRoles).toEqual({
      Sid: 'PassTaskRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: [TASK_ROLE_ARN, EXECUTION_ROLE_ARN],
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
    expect(start.TagTasksAtStart).toMatchObject({
      Action: 'ecs:TagResource',
      Resource: ECS('task/apps/*'),
      Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
    });
  });

  it('gives each function exactly the actions its handler calls, and no more', () => {
    // Act
    const event = synthesize(validProps());
    const sync = synthesize(validProps({ mode: 'synchronous' }));
    // Assess
    expect(actionsOf(policyStatements(event.template, 'StartFunction'))).toEqual(
      [...TaskStarterActions.start].sort(),
    );
    expect(actionsOf(policyStatements(sync.template, 'StartFunction'))).toEqual(
      [...TaskStarterActions.startSync].sort(),
    );
    expect(actionsOf(policyStatements(event.template, 'TaskStateFunction'))).toEqual(
      [...TaskStarterActions.taskState].sort(),
    );
    expect(actionsOf(policyStatements(event.template, 'ReconcileFunction'))).toEqual(
      [...TaskStarterActions.reconcile].sort(),
    );
  });

  it('scopes task, container instance and target group access to the cluster and the groups', () => {
    // Act
    const { template } = synthesize(validProps());
    const state = policyStatements(template, 'TaskStateFunction');
    // Assess
    expect(state.ClusterTasks).toMatchObject({
      Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
      Resource: ECS('task/apps/*'),
      Condition: ON_CLUSTER,
    });
    expect(state.ClusterContainerInstances).toMatchObject({
      Resource: ECS('container-instance/apps/*'),
      Condition: ON_CLUSTER,
    });
    // ListTasks has no resource-level permission: the ecs:cluster condition limits it.
    expect(state.ListClusterTasks).toMatchObject({
      Action: 'ecs:ListTasks',
      Resource: '*',
      Condition: ON_CLUSTER,
    });
    expect(state.RegisterWithTargetGroups).toMatchObject({
      Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      Resource: [TARGET_GROUP_ARN, TARGET_GROUP_ARN_2],
    });
    expect(state.ReadWithoutResourceScope.Resource).toBe('*');
    expect(state.PassTaskRoles).toBeUndefined();
  });

  it('passes the roles of an ITaskDefinition and scopes RunTask to its family', () => {
    // Prepare
    const stack = newStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', {
      family: 'shop-web',
      cpu: 256,
      memoryLimitMiB: 512,
    });
    taskDefinition.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('nginx'),
      portMappings: [{ containerPort: 8080 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
    });
    // Act
    new EcsTaskStarter(stack, 'Starter', validProps({ taskDefinition }));
    const start = policyStatements(Template.fromStack(stack), 'StartFunction');
    // Assess
    expect(start.RunTaskOfFamily.Resource).toEqual(ECS('task-definition/shop-web:*'));
    const passed = start.PassTaskRoles.Resource as { 'Fn::GetAtt': [string, string] }[];
    expect(passed.map((r) => r['Fn::GetAtt'][0])).toEqual([
      expect.stringMatching(/^TaskTaskRole/),
      expect.stringMatching(/^TaskExecutionRole/),
    ]);
  });

  it('fails synthesis when the definition gains an execution role after the starter', () => {
    // Prepare
    const stack = newStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', {
      cpu: 256,
      memoryLimitMiB: 512,
    });
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('nginx') });
    new EcsTaskStarter(stack, 'Starter', validProps({ taskDefinition }));
    // Act: a log driver needs the execution role, created now.
    taskDefinition.addContainer('sidecar', {
      image: ecs.ContainerImage.fromRegistry('envoy'),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'sidecar' }),
    });
    // Assess
    expect(() => Template.fromStack(stack)).toThrow(
      /create the EcsTaskStarter after adding the containers/,
    );
  });

  it('allows no PassRole at all for a definition without roles', () => {
    // Act
    const { template } = synthesize(validProps({ taskDefinition: { family: 'plain' } }));
    // Assess
    expect(policyStatements(template, 'StartFunction').PassTaskRoles).toBeUndefined();
  });

  it('passes the roles of a definition imported with its roles', () => {
    // Prepare
    const stack = newStack();
    const taskDefinition = ecs.TaskDefinition.fromTaskDefinitionAttributes(stack, 'Imported', {
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/imported:7',
      taskRole: iam.Role.fromRoleArn(stack, 'TaskRole', TASK_ROLE_ARN),
      networkMode: ecs.NetworkMode.AWS_VPC,
      compatibility: ecs.Compatibility.FARGATE,
    });
    // Act
    new EcsTaskStarter(stack, 'Starter', validProps({ taskDefinition }));
    const start = policyStatements(Template.fromStack(stack), 'StartFunction');
    // Assess
    expect(start.RunTaskOfFamily.Resource).toEqual(ECS('task-definition/imported:*'));
    expect(start.PassTaskRoles.Resource).toBe(TASK_ROLE_ARN);
  });

  it('is cdk-nag clean, each wildcard acknowledged with its reason', () => {
    // Prepare
    const { stack } = synthesize(validProps({ mode: 'synchronous' }));
    // Act / Assess
    expectNoNagFindings(stack);
  });

  it('is cdk-nag clean with an ITaskDefinition and a cluster ARN', () => {
    // Prepare
    const stack = newStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', {
      cpu: 256,
      memoryLimitMiB: 512,
    });
    taskDefinition.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('nginx'),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
    });
    new EcsTaskStarter(
      stack,
      'Starter',
      validProps({ taskDefinition, cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/apps' }),
    );
    // Act / Assess
    expectNoNagFindings(stack);
  });
});
