import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { FunctionCode, MonitoredFunction } from '../../src/monitored-function/index.js';
import type { MonitoredFunctionProps } from '../../src/monitored-function/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A folder with `main.py` (lambda_handler) and no requirements: packaging never runs pip. */
export const PYTHON_SOURCE_DIR = join(here, 'fixtures', 'python-handler');
/** A tiny TypeScript handler that imports an AWS SDK client. */
export const NODE_ENTRY = join(here, 'fixtures', 'node', 'handler.ts');

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const ENV = { account: ACCOUNT, region: REGION } as const;

export interface TestStackOptions {
  /**
   * Run CDK's built-in CloudFormation schema validation at synth, strictly (errors fail the
   * synth). Slow (seconds per synth), so only the full-stack tests turn it on.
   */
  readonly cfnValidation?: boolean;
  /** Stack environment; env-agnostic when `null`. */
  readonly env?: { readonly account: string; readonly region: string } | null;
}

/** A fresh app and stack (fixed account and region unless `env: null`). */
export function newStack(options: TestStackOptions = {}): { app: App; stack: Stack } {
  const app = new App({
    builtinCloudFormationValidation: options.cfnValidation ?? false,
    context: options.cfnValidation ? { '@aws-cdk/core:validateAgainstDefaultRules': true } : {},
  });
  const env = options.env === null ? undefined : (options.env ?? ENV);
  const stack = new Stack(app, 'TestStack', { env });
  return { app, stack };
}

/** Minimal valid props: a Python 3.13 function with one alarm email. */
export function pythonProps(
  overrides: Partial<MonitoredFunctionProps> = {},
): MonitoredFunctionProps {
  return {
    functionName: 'orders-fn',
    code: FunctionCode.python({
      sourceDir: PYTHON_SOURCE_DIR,
      runtime: lambda.Runtime.PYTHON_3_13,
    }),
    alarms: { emails: ['ops@example.com'] },
    ...overrides,
  };
}

/** Builds one MonitoredFunction in a fresh stack and synthesizes it. */
export function synthesize(
  props: MonitoredFunctionProps,
  options: TestStackOptions = {},
): { stack: Stack; fn: MonitoredFunction; template: Template } {
  const { stack } = newStack(options);
  const fn = new MonitoredFunction(stack, 'Fn', props);
  return { stack, fn, template: Template.fromStack(stack) };
}

/** `arn:aws:<service>:eu-west-1:123456789012:<resource>` with CDK's partition reference. */
export function arnOf(service: string, resource: string): unknown {
  return {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, `:${service}:${REGION}:${ACCOUNT}:${resource}`],
    ],
  };
}
