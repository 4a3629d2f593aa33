/**
 * The IAM statements of the task starter's functions, least privilege: each function gets the
 * actions its handler calls (`TaskStarterActions` in the contract), each on the narrowest
 * resource ECS, ELBv2 and IAM accept for it. Every `*` and every ARN pattern is forced by the
 * service; the reasons below are the cdk-nag acknowledgements.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { TaskStarterActions, type TaskStarterHandlerRole } from './contract.js';

/** Name of the inline policy (per function role) that holds these statements. */
export const TASK_STARTER_POLICY_NAME = 'TaskStarterAccess';

/** What the statements are scoped to. */
export interface TaskStarterScope {
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly taskDefinitionFamily: string;
  readonly targetGroupArns: readonly string[];
  /** Task and execution role of the definition; iam:PassRole is allowed on these alone. */
  readonly passRoleArns: readonly string[];
}

/** Why each wildcard is needed; keyed by what it covers. */
export const WILDCARD_REASONS = Object.freeze({
  star: 'Resource "*" is the only value IAM accepts for ecs:DescribeTaskDefinition and for elasticloadbalancing:DescribeTargetGroups / DescribeTargetHealth (no resource-level permissions), and ecs:ListTasks is limited to the cluster by the ecs:cluster condition instead.',
  taskDefinition:
    'ecs:RunTask is allowed on every revision of the one task definition family (task-definition/<family>:*), only in this cluster (condition ecs:cluster): new revisions must run without a redeploy.',
  tasks:
    "Task ids are assigned when a task starts, so the cluster's tasks (task/<cluster>/*) are the narrowest scope for DescribeTasks/StopTask (condition ecs:cluster) and for TagResource at RunTask (condition ecs:CreateAction RunTask).",
  containerInstances:
    "Container instance ids are assigned when an instance joins, so the cluster's instances (container-instance/<cluster>/*) are the narrowest scope for DescribeContainerInstances (condition ecs:cluster).",
});

/** The ARN patterns the statements use, for the nag acknowledgements. */
export function wildcardArns(scope: Construct, s: TaskStarterScope) {
  return {
    taskDefinition: ecsArn(scope, `task-definition/${s.taskDefinitionFamily}:*`),
    tasks: ecsArn(scope, `task/${s.clusterName}/*`),
    containerInstances: ecsArn(scope, `container-instance/${s.clusterName}/*`),
  };
}

function ecsArn(scope: Construct, resource: string): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:ecs:${stack.region}:${stack.account}:${resource}`;
}

const onCluster = (s: TaskStarterScope) => ({ ArnEquals: { 'ecs:cluster': s.clusterArn } });

/**
 * The statements for one function role: only the actions of `role` in `TaskStarterActions`,
 * grouped by the resource they are scoped to.
 */
export function taskStarterStatements(
  scope: Construct,
  role: TaskStarterHandlerRole,
  s: TaskStarterScope,
): iam.PolicyStatement[] {
  const actions = new Set<string>(TaskStarterActions[role]);
  const arns = wildcardArns(scope, s);
  const pick = (...candidates: string[]) => candidates.filter((a) => actions.has(a));
  const statements: iam.PolicyStatement[] = [];
  const add = (sid: string, list: string[], resources: string[], conditions?: iam.Conditions) => {
    if (list.length === 0 || resources.length === 0) return;
    statements.push(new iam.PolicyStatement({ sid, actions: list, resources, conditions }));
  };
  add('RunTaskOfFamily', pick('ecs:RunTask'), [arns.taskDefinition], onCluster(s));
  add('TagTasksAtStart', pick('ecs:TagResource'), [arns.tasks], {
    StringEquals: { 'ecs:CreateAction': 'RunTask' },
  });
  add('ClusterTasks', pick('ecs:DescribeTasks', 'ecs:StopTask'), [arns.tasks], onCluster(s));
  add(
    'ClusterContainerInstances',
    pick('ecs:DescribeContainerInstances'),
    [arns.containerInstances],
    onCluster(s),
  );
  add('ListClusterTasks', pick('ecs:ListTasks'), ['*'], onCluster(s));
  add(
    'ReadWithoutResourceScope',
    pick(
      'ecs:DescribeTaskDefinition',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
    ),
    ['*'],
  );
  add(
    'RegisterWithTargetGroups',
    pick('elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'),
    [...s.targetGroupArns],
  );
  add('PassTaskRoles', pick('iam:PassRole'), [...s.passRoleArns], {
    StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
  });
  return statements;
}
