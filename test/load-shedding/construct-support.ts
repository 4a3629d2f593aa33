import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LoadShedding } from '../../src/load-shedding/construct.js';
import type { LoadSheddingProps } from '../../src/load-shedding/construct-props.js';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const ENV = { account: ACCOUNT, region: REGION } as const;

const ELB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}`;
/** Two listeners (HTTPS, HTTP) of one load balancer, and the primary and a second group. */
export const LISTENER_ARN = `${ELB}:listener/app/shop-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`;
export const LISTENER_ARN_2 = `${ELB}:listener/app/shop-alb/50dc6c495c0c9188/0467ef3c8400ae65`;
export const TARGET_GROUP_ARN = `${ELB}:targetgroup/shop-blue/73e2d6bc24d8a067`;
export const ALARM_ARN = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:shop-overload`;

export interface TestAppOptions {
  /**
   * Bundle the handlers with esbuild (about a second per function). Off by default: CDK then
   * skips bundling (`aws:cdk:bundling-stacks`), which changes nothing in the template but the
   * asset hash.
   */
  readonly bundling?: boolean;
  /** Stack environment; environment-agnostic when `null`. */
  readonly env?: { readonly account: string; readonly region: string } | null;
}

/** A fresh app (CloudFormation schema validation off: slow, and not what these tests check). */
export function newApp(options: TestAppOptions = {}): App {
  return new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': options.bundling ? ['**'] : [] },
  });
}

/** A fresh app and stack (fixed account and region unless `env: null`). */
export function newStack(options: TestAppOptions = {}, stackId = 'TestStack'): Stack {
  const env = options.env === null ? undefined : (options.env ?? ENV);
  return new Stack(newApp(options), stackId, { env });
}

/** Minimal valid props: ARNs as strings, an alarm definition, one alarm email. */
export function validProps(overrides: Partial<LoadSheddingProps> = {}): LoadSheddingProps {
  return {
    primaryTargetGroup: TARGET_GROUP_ARN,
    listeners: [LISTENER_ARN, LISTENER_ARN_2],
    alarm: { threshold: 500 },
    monitoring: { emails: ['ops@example.com'] },
    ...overrides,
  };
}

/** Builds one LoadShedding in a fresh stack and synthesizes it. */
export function synthesize(
  props: LoadSheddingProps,
  options: TestAppOptions = {},
): { stack: Stack; shedding: LoadShedding; template: Template } {
  const stack = newStack(options);
  const shedding = new LoadShedding(stack, 'Shedding', props);
  return { stack, shedding, template: Template.fromStack(stack) };
}
