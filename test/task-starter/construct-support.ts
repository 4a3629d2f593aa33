/**
 * Fixtures of the EcsTaskStarter construct tests: a fresh app and stack (bundling off unless
 * asked), valid props with ARNs as strings, and a synthesized template.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EcsTaskStarter } from '../../src/task-starter/construct.js';
import type { EcsTaskStarterProps } from '../../src/task-starter/construct-props.js';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const ENV = { account: ACCOUNT, region: REGION } as const;

const ELB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}`;
export const TARGET_GROUP_ARN = `${ELB}:targetgroup/web-blue/73e2d6bc24d8a067`;
export const TARGET_GROUP_ARN_2 = `${ELB}:targetgroup/web-green/0467ef3c8400ae65`;
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/apps`;
export const TASK_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/web-task`;
export const EXECUTION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/web-execution`;

export interface TestAppOptions {
  /** Bundle the handlers with esbuild (about a second per function). @default false */
  readonly bundling?: boolean;
  /** Stack environment; environment-agnostic when `null`. */
  readonly env?: { readonly account: string; readonly region: string } | null;
}

export function newStack(options: TestAppOptions = {}, stackId = 'TestStack'): Stack {
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': options.bundling ? ['**'] : [] },
  });
  const env = options.env === null ? undefined : (options.env ?? ENV);
  return new Stack(app, stackId, { env });
}

/** Minimal valid props: cluster by name, a task definition reference, two target groups. */
export function validProps(overrides: Partial<EcsTaskStarterProps> = {}): EcsTaskStarterProps {
  return {
    cluster: 'apps',
    taskDefinition: {
      family: 'web',
      taskRoleArn: TASK_ROLE_ARN,
      executionRoleArn: EXECUTION_ROLE_ARN,
    },
    targetGroups: [TARGET_GROUP_ARN, TARGET_GROUP_ARN_2],
    subnets: ['subnet-0123abcd'],
    securityGroups: ['sg-0123abcd'],
    launchType: 'FARGATE',
    monitoring: { emails: ['ops@example.com'] },
    ...overrides,
  };
}

export function synthesize(
  props: EcsTaskStarterProps,
  options: TestAppOptions = {},
): { stack: Stack; starter: EcsTaskStarter; template: Template } {
  const stack = newStack(options);
  const starter = new EcsTaskStarter(stack, 'Starter', props);
  return { stack, starter, template: Template.fromStack(stack) };
}

/** The statements of the inline policy of one function role, by Sid. */
export function policyStatements(
  template: Template,
  functionLogicalIdPrefix: string,
): Record<string, { Action: string | string[]; Resource: unknown; Condition?: unknown }> {
  const policies = template.findResources('AWS::IAM::Policy');
  const entry = Object.entries(policies).find(
    ([id, resource]) =>
      id.startsWith(`Starter${functionLogicalIdPrefix}Policy`) &&
      (resource as { Properties: { PolicyName: string } }).Properties.PolicyName ===
        'TaskStarterAccess',
  );
  if (entry === undefined)
    throw new Error(`no TaskStarterAccess policy for ${functionLogicalIdPrefix}`);
  const statements = (
    entry[1] as {
      Properties: {
        PolicyDocument: {
          Statement: {
            Sid: string;
            Action: string | string[];
            Resource: unknown;
            Condition?: unknown;
          }[];
        };
      };
    }
  ).Properties.PolicyDocument.Statement;
  return Object.fromEntries(statements.map((s) => [s.Sid, s]));
}
