import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DisasterRecoveryOrchestration } from '../../src/disaster-recovery/construct.js';
import type { DisasterRecoveryOrchestrationProps } from '../../src/disaster-recovery/construct-props.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const ENV = { account: ACCOUNT, region: REGION } as const;
export const ROLE_A = 'arn:aws:iam::210987654321:role/DrsOrchestration';
export const ROLE_B = 'arn:aws:iam::345678901234:role/path/DrsOrchestration';

export interface TestAppOptions {
  /** Bundle the handlers with esbuild (slow); off by default. */
  readonly bundling?: boolean;
  /** Stack environment; environment-agnostic when `null`. */
  readonly env?: { readonly account: string; readonly region: string } | null;
}

export function newApp(options: TestAppOptions = {}): App {
  return new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': options.bundling ? ['**'] : [] },
  });
}

export function newStack(options: TestAppOptions = {}, stackId = 'DrStack'): Stack {
  const env = options.env === null ? undefined : (options.env ?? ENV);
  return new Stack(newApp(options), stackId, { env });
}

/** Minimal valid props: two regions, one alarm email for the functions. */
export function validProps(
  overrides: Partial<DisasterRecoveryOrchestrationProps> = {},
): DisasterRecoveryOrchestrationProps {
  return {
    regions: ['us-east-1', 'us-west-2'],
    monitoring: { emails: ['ops@example.com'] },
    ...overrides,
  };
}

export function synthesize(
  props: DisasterRecoveryOrchestrationProps,
  options: TestAppOptions = {},
): { stack: Stack; dr: DisasterRecoveryOrchestration; template: Template } {
  const stack = newStack(options);
  const dr = new DisasterRecoveryOrchestration(stack, 'Dr', props);
  return { stack, dr, template: Template.fromStack(stack) };
}

/** The statements of the AWS::IAM::Policy with this logical id. */
export function statementsOf(template: Template, logicalId: string): Record<string, unknown>[] {
  const resources = template.toJSON().Resources as Record<
    string,
    { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }
  >;
  return resources[logicalId].Properties.PolicyDocument.Statement;
}
