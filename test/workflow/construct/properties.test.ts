import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { S3Workflow } from '../../../src/workflow/construct.js';
import { purposeOf } from '../../../src/workflow/construct-naming.js';
import { WorkflowStep } from '../../../src/workflow/construct-props.js';
import type { WorkflowType } from '../../../src/workflow/construct-props.js';
import { invocationTypeOf } from '../../../src/workflow/construct-resources.js';
import { stageOutputKey } from '../../../src/workflow/paths.js';
import {
  ACCOUNT,
  REGION,
  STAGE_ENTRY,
  PERMANENT_ERRORS_NOT_RETRIED,
  definitionOf,
  newApp,
  taskStates,
} from './support.js';
import { aslErrors } from '../helpers/asl.js';
import type { Asl } from './support.js';

/*
 * Random workflows: 1–5 uniquely named steps of random kinds (kit Lambda, existing function,
 * and in STANDARD workflows Glue jobs at any position), random stack and environment names.
 * Synthesis takes ~0.3 s, so a fixed sample is synthesized once and every property below is
 * checked on all of it.
 */
type Kind = 'lambda' | 'function' | 'glue';
interface Sample {
  readonly type: WorkflowType;
  readonly stackName: string;
  readonly environment: string;
  readonly steps: readonly { readonly name: string; readonly kind: Kind }[];
}

const stageName = fc.stringMatching(/^[a-z][a-z0-9]{0,7}(-[a-z0-9]{1,4})?$/);
const sampleArb: fc.Arbitrary<Sample> = fc
  .record({
    type: fc.constantFrom<WorkflowType>('EXPRESS', 'STANDARD'),
    stackName: fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,11}$/),
    environment: fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/),
    names: fc.uniqueArray(stageName, { minLength: 1, maxLength: 5 }),
    kinds: fc.array(fc.constantFrom<Kind>('lambda', 'function', 'glue'), {
      minLength: 5,
      maxLength: 5,
    }),
  })
  .map(({ type, stackName, environment, names, kinds }) => ({
    type,
    stackName,
    environment,
    steps: names.map((name, i) => ({
      name,
      // EXPRESS workflows cannot hold Glue steps (validation.test.ts covers that error).
      kind: type === 'EXPRESS' && kinds[i] === 'glue' ? 'lambda' : kinds[i],
    })),
  }));

const samples = fc.sample(sampleArb, { numRuns: 10, seed: 20_261_123 });
// Make sure both types and a Glue step in first position are in the sample.
samples.push(
  {
    type: 'STANDARD',
    stackName: 'Edge',
    environment: 'prod',
    steps: [{ name: 'load', kind: 'glue' }],
  },
  {
    type: 'EXPRESS',
    stackName: 'Edge2',
    environment: 'qa',
    steps: [
      { name: 'a', kind: 'function' },
      { name: 'b', kind: 'lambda' },
    ],
  },
);

interface Built {
  readonly sample: Sample;
  readonly stack: Stack;
  readonly workflow: S3Workflow;
  readonly template: Template;
  readonly asl: Asl;
}

function build(sample: Sample): Built {
  const stack = new Stack(newApp(), sample.stackName, {
    env: { account: ACCOUNT, region: REGION },
  });
  const steps = sample.steps.map((step) => {
    if (step.kind === 'glue') return WorkflowStep.glue({ name: step.name });
    if (step.kind === 'lambda') return WorkflowStep.lambda({ name: step.name, entry: STAGE_ENTRY });
    const existing = new lambda.Function(stack, `Legacy-${step.name}`, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
    return WorkflowStep.existingFunction({ name: step.name, function: existing });
  });
  const workflow = new S3Workflow(stack, 'Workflow', {
    type: sample.type,
    environment: sample.environment,
    steps,
    functions: { monitoring: { emails: ['ops@example.com'] } },
  });
  const template = Template.fromStack(stack);
  return { sample, stack, workflow, template, asl: definitionOf(template) };
}

const built = samples.map(build);

/** Evaluates `States.Format('…{}…', $$.Execution.Name)` for one execution name. */
function evaluateKey(expression: unknown, executionName: string): string {
  const match = /^States\.Format\('([^']*)', \$\$\.Execution\.Name\)$/.exec(String(expression));
  if (match === null) throw new Error(`not a key expression: ${String(expression)}`);
  return match[1].replace('{}', executionName);
}

describe('workflow construct: properties over random step lists', () => {
  it('synthesizes valid ASL: a Glue-first, an EXPRESS and a STANDARD sample (asl-validator takes ~1.5 s a call)', () => {
    const picks = [
      built.find((b) => b.sample.steps[0].kind === 'glue'),
      built.find((b) => b.sample.type === 'EXPRESS' && b.sample.steps.length > 1),
      built.find((b) => b.sample.type === 'STANDARD' && b.sample.steps.length > 1),
    ];
    for (const pick of picks) {
      expect(pick).toBeDefined();
      expect(aslErrors((pick as Built).asl)).toEqual([]);
    }
  });

  it('Property 1: Lambda Function Name Format — {StackName}-{Environment}-{FunctionPurpose}', () => {
    for (const { sample, template } of built) {
      for (const step of sample.steps.filter((s) => s.kind === 'lambda')) {
        const name = `${sample.stackName}-${sample.environment}-${purposeOf(step.name)}`;
        template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: name });
        // Clean log group names follow from the function name.
        template.hasResourceProperties('AWS::Logs::LogGroup', {
          LogGroupName: `/aws/lambda/${name}`,
        });
      }
    }
  });

  it('Property 20: Mixed Step Type Support — one task per step, in order, of the step kind', () => {
    for (const { sample, asl } of built) {
      const tasks = taskStates(asl).filter(([name]) => name !== 'StoreInitialData');
      expect(tasks.map(([name]) => name)).toEqual(sample.steps.map((s) => s.name));
      tasks.forEach(([, state], index) => {
        expect(state.Resource).toBe(
          sample.steps[index].kind === 'glue'
            ? 'arn:aws:states:::glue:startJobRun.sync'
            : 'arn:aws:states:::lambda:invoke',
        );
      });
    }
  });

  it('Property 16 and 17: every Lambda task has permanent errors not retried, then exactly 2 × 20 s × 2, and discards its result', () => {
    for (const { asl } of built) {
      for (const [, state] of taskStates(asl)) {
        expect(state.ResultPath).toBeNull();
        if (state.Resource === 'arn:aws:states:::lambda:invoke') {
          expect(state.Retry).toEqual([
            PERMANENT_ERRORS_NOT_RETRIED,
            { ErrorEquals: ['States.ALL'], IntervalSeconds: 20, MaxAttempts: 2, BackoffRate: 2 },
          ]);
        }
      }
    }
  });

  it('Property 23: Glue Job I/O Convention — each stage reads exactly the key its predecessor writes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...built),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
        ({ sample, asl }, executionName) => {
          sample.steps.forEach((step, index) => {
            const state = asl.States[step.name];
            const previous = index === 0 ? undefined : sample.steps[index - 1].name;
            if (step.kind !== 'glue') {
              // Lambda stages: the kit derives the same keys from previousStage / currentStage.
              const payload = state.Parameters?.Payload as Record<string, unknown>;
              expect(payload.currentStage).toBe(step.name);
              expect(payload.previousStage).toBe(previous);
              return;
            }
            const args = state.Parameters?.Arguments as Record<string, unknown>;
            expect(evaluateKey(args['--output-key.$'], executionName)).toBe(
              stageOutputKey(executionName, step.name),
            );
            expect(evaluateKey(args['--input-key.$'], executionName)).toBe(
              stageOutputKey(executionName, previous ?? '_initial'),
            );
            expect(args['--input-bucket']).toBe(args['--output-bucket']);
          });
        },
      ),
      { numRuns: 30 },
    );
  });

  it('Property 28: Glue Job Positioning Flexibility — a Glue step anywhere; first, it reads the stored initialData', () => {
    const glueFirst = built.filter((b) => b.sample.steps[0].kind === 'glue');
    const glueLater = built.filter((b) => b.sample.steps.slice(1).some((s) => s.kind === 'glue'));
    expect(glueFirst.length).toBeGreaterThan(0);
    expect(glueLater.length).toBeGreaterThan(0);
    for (const { sample, asl } of glueFirst) {
      const store = asl.States.StoreInitialData;
      expect(store.Resource).toBe('arn:aws:states:::aws-sdk:s3:putObject');
      expect(store.Next).toBe(sample.steps[0].name);
      expect(store.Parameters?.['Body.$']).toBe('States.JsonToString($.initialData)');
      const args = asl.States[sample.steps[0].name].Parameters?.Arguments as Record<
        string,
        unknown
      >;
      expect(store.Parameters?.['Key.$']).toBe(args['--input-key.$']);
    }
    for (const { asl } of built.filter((b) => b.sample.steps[0].kind !== 'glue')) {
      expect(asl.States.StoreInitialData).toBeUndefined();
    }
  });

  it('Property 27: Automatic Invocation Type Configuration — the Pipe follows the workflow type', () => {
    for (const { sample, template, workflow } of built) {
      expect(workflow.invocationType).toBe(invocationTypeOf(sample.type));
      template.hasResourceProperties('AWS::Pipes::Pipe', {
        TargetParameters: {
          StepFunctionStateMachineParameters: {
            InvocationType: sample.type === 'EXPRESS' ? 'REQUEST_RESPONSE' : 'FIRE_AND_FORGET',
          },
        },
      });
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: sample.type,
      });
    }
  });

  it('Property 41: EventBridge Pipe Configuration — queue → state machine, batch size 1, its own role', () => {
    for (const { stack, template, workflow } of built) {
      const id = (c: { node: { defaultChild?: unknown } }): string =>
        stack.getLogicalId(c.node.defaultChild as lambda.CfnFunction);
      template.hasResourceProperties('AWS::Pipes::Pipe', {
        Source: { 'Fn::GetAtt': [id(workflow.queue), 'Arn'] },
        SourceParameters: { SqsQueueParameters: { BatchSize: 1 } },
        Target: { Ref: id(workflow.stateMachine) },
        RoleArn: { 'Fn::GetAtt': [id(workflow.pipeRole), 'Arn'] },
      });
    }
  });

  it('exposes each stage for local runs: state name, previous stage, function logical id or job name', () => {
    for (const { sample, workflow, template } of built) {
      const manifest = workflow.localRunManifest();
      expect(manifest.stages.map((s) => s.name)).toEqual(sample.steps.map((s) => s.name));
      for (const stage of manifest.stages) {
        if (stage.kind === 'glue') {
          template.hasResourceProperties('AWS::Glue::Job', { Name: stage.jobName });
        } else {
          expect(
            template.findResources('AWS::Lambda::Function')[stage.functionLogicalId ?? ''],
          ).toBeDefined();
        }
        expect(stage.entry !== undefined).toBe(stage.kind === 'lambda');
      }
      expect(
        template.findResources('AWS::StepFunctions::StateMachine')[manifest.stateMachineLogicalId],
      ).toBeDefined();
      expect(template.findResources('AWS::S3::Bucket')[manifest.bucketLogicalId]).toBeDefined();
    }
  });
});
