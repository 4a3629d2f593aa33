import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { S3Workflow } from '../../../src/workflow/construct.js';
import { WorkflowStep } from '../../../src/workflow/construct-props.js';
import type {
  S3WorkflowProps,
  WorkflowStep as Step,
} from '../../../src/workflow/construct-props.js';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const STAGE_ENTRY = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'stage-handler.ts',
);

/** A fresh app without bundling (esbuild is MonitoredFunction's concern) or schema validation. */
export function newApp(): App {
  return new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
}

export function newStack(stackName = 'WfStack', env: boolean = true): Stack {
  return new Stack(newApp(), stackName, env ? { env: { account: ACCOUNT, region: REGION } } : {});
}

export const lambdaStep = (
  name: string,
  extra: Partial<Parameters<typeof WorkflowStep.lambda>[0]> = {},
): Step => WorkflowStep.lambda({ name, entry: STAGE_ENTRY, ...extra });

export const glueStep = (name: string): Step => WorkflowStep.glue({ name });

export function props(overrides: Partial<S3WorkflowProps> = {}): S3WorkflowProps {
  return {
    type: 'EXPRESS',
    environment: 'dev',
    steps: [lambdaStep('etl'), lambdaStep('filter')],
    functions: { monitoring: { emails: ['ops@example.com'] } },
    ...overrides,
  };
}

export interface Synthesized {
  readonly stack: Stack;
  readonly workflow: S3Workflow;
  readonly template: Template;
}

export function synthesize(p: S3WorkflowProps, stackName = 'WfStack'): Synthesized {
  const stack = newStack(stackName);
  const workflow = new S3Workflow(stack, 'Workflow', p);
  return { stack, workflow, template: Template.fromStack(stack) };
}

/** The state machine's definition, with CloudFormation references flattened to strings. */
export interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly ResultPath?: string | null;
  readonly InputPath?: string;
  readonly Retry?: readonly Record<string, unknown>[];
  readonly Catch?: readonly Record<string, unknown>[];
  readonly [key: string]: unknown;
}
export interface Asl {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly TimeoutSeconds?: number;
}

/**
 * Parses DefinitionString, joining Fn::Join parts: `Ref` of a resource becomes `<LogicalId>`,
 * `Fn::GetAtt` an ARN-shaped `arn:aws:lambda:...:function:<LogicalId>`, pseudo parameters
 * their test values, so that asl-validator's ARN checks see well-formed ARNs.
 */
export function definitionOf(template: Template): Asl {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const body = (machines[0] as { Properties: { DefinitionString: unknown } }).Properties
    .DefinitionString;
  return JSON.parse(flatten(body)) as Asl;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
};

function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  const value = node as Record<string, unknown>;
  if (Array.isArray(value['Fn::Join'])) {
    const [sep, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(sep);
  }
  if (typeof value.Ref === 'string') return PSEUDO[value.Ref] ?? `<${value.Ref}>`;
  if (Array.isArray(value['Fn::GetAtt'])) {
    const [logicalId] = value['Fn::GetAtt'] as string[];
    return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
  }
  throw new Error(`unexpected intrinsic in the definition: ${JSON.stringify(node)}`);
}

/**
 * The first Retry rule of every Lambda task: the kit's permanent errors, never retried. Listed
 * here by hand (not imported) so that a name dropped from PERMANENT_STAGE_ERRORS fails the test.
 */
export const PERMANENT_ERRORS_NOT_RETRIED = {
  ErrorEquals: [
    'WorkflowConfigError',
    'InvalidExecutionContextError',
    'InvalidPathSegmentError',
    'StageInputNotFoundError',
    'WorkflowBucketNotFoundError',
    'StageAccessDeniedError',
    'StageInputFormatError',
    'StageInputTooLargeError',
    'StageOutputFormatError',
  ],
  MaxAttempts: 0,
};

/** Task states in execution order. */
export function taskStates(asl: Asl): [string, AslState][] {
  return statePath(asl)
    .map((name): [string, AslState] => [name, asl.States[name]])
    .filter(([, state]) => state.Type === 'Task');
}

/** States in execution order from StartAt following Next (Choice: its Default). */
export function statePath(asl: Asl): string[] {
  const order: string[] = [];
  let name: string | undefined = asl.StartAt;
  while (name !== undefined && !order.includes(name)) {
    order.push(name);
    const state: AslState = asl.States[name];
    name = state.Next ?? (state.Default as string | undefined);
  }
  return order;
}

/** A policy statement as it appears in the template. */
export interface TemplateStatement {
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/**
 * Every S3 statement reaches the workflow bucket only: objects under `executions/*`, or the
 * bucket itself for s3:ListBucket limited to the `executions/` prefix.
 */
export function expectExecutionScoped(
  statements: readonly TemplateStatement[],
  bucketLogicalId: string,
): void {
  const bucketArn = { 'Fn::GetAtt': [bucketLogicalId, 'Arn'] };
  const objectsArn = { 'Fn::Join': ['', [bucketArn, '/executions/*']] };
  expect(statements.length).toBeGreaterThan(0);
  for (const statement of statements) {
    const actions = typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
    if (actions.includes('s3:ListBucket')) {
      expect(actions).toEqual(['s3:ListBucket']);
      expect(statement.Resource).toEqual(bucketArn);
      expect(statement.Condition).toEqual({ StringLike: { 's3:prefix': ['executions/*'] } });
    } else {
      expect(statement.Resource).toEqual(objectsArn);
      expect(
        actions.every((a) =>
          ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'].includes(
            a,
          ),
        ),
      ).toBe(true);
    }
  }
}
