import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  TASK_STARTER_CONTEXT_KEY,
  TaskStarterStack,
  parseTaskStarterStackConfig,
  taskStarterStackEnv,
  toTaskStarterProps,
} from '../../app/stacks/task-starter-stack.js';
import { TaskStarterEnvVars as V } from '../../src/task-starter/contract.js';
import { expectNoNagFindings } from '../helpers/cdk-nag.js';

/** The placeholder block of cdk.json (`aws-ops-kit:task-starter`). */
const PLACEHOLDER = {
  cluster: 'apps',
  taskDefinitionFamily: 'web',
  taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/web-execution',
  targetGroupArns: [
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef',
  ],
  targetGroupVpcCidrs: ['10.0.0.0/16'],
  containerName: 'app',
  containerPort: 8080,
  subnets: ['subnet-0123456789abcdef0'],
  securityGroups: ['sg-0123456789abcdef0'],
  launchType: 'FARGATE',
  mode: 'event-driven',
  reconcileIntervalMinutes: 5,
  alarmEmails: ['ops-team@example.com'],
};

function synthStack(context: unknown = PLACEHOLDER) {
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const config = parseTaskStarterStackConfig(context);
  const stack = new TaskStarterStack(app, 'OpsKitTaskStarter', {
    env: taskStarterStackEnv(config),
    config,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

describe('reference app: EcsTaskStarter stack', () => {
  it("deploys to the first target group's account and region, nag clean", () => {
    // Act
    const { stack } = synthStack();
    // Assess
    expect(stack.account).toBe('123456789012');
    expect(stack.region).toBe('eu-west-1');
    expectNoNagFindings(stack);
  });

  it('is configured from the context block', () => {
    // Act
    const { template } = synthStack();
    // Assess
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    expect(fn.Properties.Environment.Variables).toMatchObject({
      [V.cluster]: 'apps',
      [V.taskDefinition]: 'web',
      [V.containerPort]: '8080',
      [V.launchType]: 'FARGATE',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'ops-team@example.com' });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    expect(Object.keys(template.findOutputs('*'))).toContain('ReconcileFunctionName');
  });

  it('maps the optional keys onto the props', () => {
    // Act
    const props = toTaskStarterProps(
      parseTaskStarterStackConfig({
        ...PLACEHOLDER,
        startEventSource: ['shop.orders'],
        taskWaitTimeoutSeconds: 120,
        waitForHealthySeconds: 30,
        reconcileEnabled: false,
      }),
    );
    // Assess
    expect(props.startEvent?.eventPattern).toEqual({
      source: ['shop.orders'],
      detailType: undefined,
    });
    expect(props.taskWaitTimeout?.toSeconds()).toBe(120);
    expect(props.waitForHealthy?.toSeconds()).toBe(30);
    expect(props.reconcile?.enabled).toBe(false);
    expect(toTaskStarterProps(parseTaskStarterStackConfig(PLACEHOLDER)).startEvent).toBeUndefined();
  });

  it('starts tasks with a capacity provider strategy instead of a launch type', () => {
    // Prepare
    const strategy = [
      { capacityProvider: 'FARGATE', base: 1, weight: 1 },
      { capacityProvider: 'FARGATE_SPOT', weight: 3 },
    ];
    const { launchType: _launchType, ...withoutLaunchType } = PLACEHOLDER;
    // Act
    const { template } = synthStack({ ...withoutLaunchType, capacityProviderStrategy: strategy });
    // Assess
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    const variables = fn.Properties.Environment.Variables;
    expect(JSON.parse(String(variables[V.capacityProviderStrategy]))).toEqual(strategy);
    expect(variables[V.launchType]).toBeUndefined();
    expect(() =>
      parseTaskStarterStackConfig({
        ...PLACEHOLDER,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weigth: 1 }],
      }),
    ).toThrow(/capacityProviderStrategy/);
  });

  it('names the context key when the block is missing or wrong', () => {
    expect(() => parseTaskStarterStackConfig(undefined)).toThrow(
      `cdk.json context "${TASK_STARTER_CONTEXT_KEY}" is missing`,
    );
    expect(() => parseTaskStarterStackConfig({ ...PLACEHOLDER, clusterName: 'x' })).toThrow(
      /is invalid:[\s\S]*clusterName/,
    );
    expect(() => parseTaskStarterStackConfig({ ...PLACEHOLDER, targetGroupArns: [] })).toThrow(
      /targetGroupArns/,
    );
  });

  it('leaves the environment to the CLI when the target group ARN cannot be read', () => {
    expect(
      taskStarterStackEnv(parseTaskStarterStackConfig({ ...PLACEHOLDER, targetGroupArns: ['x'] })),
    ).toBeUndefined();
  });
});
