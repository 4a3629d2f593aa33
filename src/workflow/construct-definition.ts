/**
 * The state machine definition of an S3Workflow: unwrap the Pipe's batch, then one task per
 * step in order, each passing only the small execution context (never the data: it lives in
 * S3 under the path convention), each with the spec's retry rule and a catch to a Fail state
 * that carries the error and cause.
 */
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { GlueJobArguments } from './contract.js';
import { PERMANENT_STAGE_ERRORS } from './errors.js';
import { EXECUTIONS_PREFIX, OUTPUT_FILE } from './paths.js';
import { STEP_RETRY } from './construct-props.js';

/** Fixed state names (stage names are lower case without spaces, so they never collide). */
export const WorkflowStateNames = Object.freeze({
  unwrap: 'UnwrapPipeBatch',
  bodyIsString: 'IsBodyAString',
  parseBody: 'ParseBody',
  keepBody: 'KeepBody',
  storeInitialData: 'StoreInitialData',
});

/** State name of the Fail state a step's errors are caught into. */
export function failStateNameOf(stage: string): string {
  return `${stage} failed`;
}

/**
 * The pseudo stage whose `output.json` holds `initialData` when a Glue job is the first step
 * (a Glue job reads only S3). Not a valid stage name (leading `_`), so it never collides.
 */
export const INITIAL_DATA_STAGE = '_initial';

/** Where `$.initialData` lives in the state after the unwrap. */
export const INITIAL_DATA_PATH = '$.initialData';
/** Where a caught error is put before the Fail state reads it. */
export const ERROR_PATH = '$.error';
/** The execution id every stage gets: the execution's name (no colons, a valid S3 segment). */
export const EXECUTION_ID_PATH = '$$.Execution.Name';

/** A step, resolved to what its task invokes. */
export type DefinitionStep =
  | { readonly kind: 'lambda'; readonly stage: string; readonly function: lambda.IFunction }
  | { readonly kind: 'glue'; readonly stage: string; readonly jobName: string };

export interface DefinitionOptions {
  readonly steps: readonly DefinitionStep[];
  /** Name of the workflow bucket (a token is fine). */
  readonly bucketName: string;
  /** ARN of `executions/*` in the bucket (for StoreInitialData's permission). */
  readonly executionObjectsArn: string;
}

/** The definition, and the state name of each step in order. */
export interface WorkflowDefinition {
  readonly chain: sfn.IChainable;
  readonly stepStates: readonly sfn.TaskStateBase[];
}

/**
 * `States.Format('executions/{}/<stage>/output.json', $$.Execution.Name)`: the key
 * `stageOutputKey(executionId, stage)` of paths.ts, computed in the state machine.
 */
export function stageOutputKeyExpression(stage: string): string {
  return sfn.JsonPath.format(
    `${EXECUTIONS_PREFIX}{}/${stage}/${OUTPUT_FILE}`,
    sfn.JsonPath.stringAt(EXECUTION_ID_PATH),
  );
}

/** Builds the states in `scope` (the state machine's parent) and chains them. */
export function buildWorkflowDefinition(
  scope: Construct,
  options: DefinitionOptions,
): WorkflowDefinition {
  const { steps } = options;
  const unwrap = unwrapPipeBatch(scope);
  const stepStates = steps.map((step, index) =>
    stepTask(scope, step, index === 0 ? undefined : steps[index - 1].stage, options),
  );
  stepStates.forEach((state, index) => {
    catchInto(scope, state, steps[index].stage);
  });

  let tail: sfn.INextable[] = unwrap.ends;
  const link = (state: sfn.State & sfn.INextable): void => {
    for (const end of tail) end.next(state);
    tail = [state];
  };
  if (steps[0]?.kind === 'glue') {
    const store = storeInitialData(scope, options);
    store.addRetry({ ...STEP_RETRY.lambda, errors: [sfn.Errors.ALL] });
    catchInto(scope, store, WorkflowStateNames.storeInitialData);
    link(store);
  }
  for (const state of stepStates) link(state);
  return { chain: unwrap.start, stepStates };
}

/** Every error of `state` (after its retries) ends the execution in a Fail state of its own. */
function catchInto(scope: Construct, state: sfn.TaskStateBase, stage: string): void {
  const fail = new sfn.Fail(scope, failStateNameOf(stage), {
    comment: `${stage} failed after its retries: the error and cause are the task's`,
    errorPath: `${ERROR_PATH}.Error`,
    causePath: `${ERROR_PATH}.Cause`,
  });
  state.addCatch(fail, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
}

/**
 * Pipes deliver a JSON array even at batch size 1: take `$[0]` (the SQS record), then make its
 * body the workflow input — parsed when it is a JSON string (as SQS bodies are), kept as is
 * when a caller already sent an object.
 */
function unwrapPipeBatch(scope: Construct): { start: sfn.State; ends: sfn.INextable[] } {
  const unwrap = new sfn.Pass(scope, WorkflowStateNames.unwrap, {
    comment: 'EventBridge Pipes deliver an array even at batch size 1: keep its only record',
    inputPath: '$[0]',
  });
  const parse = new sfn.Pass(scope, WorkflowStateNames.parseBody, {
    comment: 'The SQS body is a JSON string: parse it into the workflow input',
    parameters: { initialData: sfn.JsonPath.stringToJson(sfn.JsonPath.stringAt('$.body')) },
  });
  const keep = new sfn.Pass(scope, WorkflowStateNames.keepBody, {
    comment: 'The body is already JSON: use it as the workflow input',
    parameters: { initialData: sfn.JsonPath.objectAt('$.body') },
  });
  const choice = new sfn.Choice(scope, WorkflowStateNames.bodyIsString)
    .when(sfn.Condition.isString('$.body'), parse)
    .otherwise(keep);
  unwrap.next(choice);
  return { start: unwrap, ends: [parse, keep] };
}

/** The execution context of one stage (contract.ts `ExecutionContextInput`). */
export function executionContextPayload(
  stage: string,
  previousStage: string | undefined,
  bucketName: string,
): Record<string, unknown> {
  return {
    executionId: sfn.JsonPath.stringAt(EXECUTION_ID_PATH),
    currentStage: stage,
    // TaskInput.fromObject drops null values: the first stage gets no key at all.
    ...(previousStage === undefined ? {} : { previousStage }),
    workflowBucket: bucketName,
    initialData: sfn.JsonPath.objectAt(INITIAL_DATA_PATH),
  };
}

function stepTask(
  scope: Construct,
  step: DefinitionStep,
  previousStage: string | undefined,
  options: DefinitionOptions,
): sfn.TaskStateBase {
  if (step.kind === 'lambda') {
    const task = new tasks.LambdaInvoke(scope, step.stage, {
      comment: `Stage ${step.stage}: reads ${previousStage ?? 'initialData'}, writes its output to S3`,
      lambdaFunction: step.function,
      payload: sfn.TaskInput.fromObject(
        executionContextPayload(step.stage, previousStage, options.bucketName),
      ),
      // The stage writes its data to S3; the state keeps only the workflow input.
      resultPath: sfn.JsonPath.DISCARD,
      // Off so that the spec's rule below is the only one (CDK would add 6 attempts at 2 s).
      retryOnServiceExceptions: false,
    });
    // Rules are tried in order: the kit's permanent errors match first and are not retried.
    task.addRetry({ errors: [...PERMANENT_STAGE_ERRORS], maxAttempts: 0 });
    task.addRetry({ ...STEP_RETRY.lambda, errors: [sfn.Errors.ALL] });
    return task;
  }
  const inputStage = previousStage ?? INITIAL_DATA_STAGE;
  const task = new tasks.GlueStartJobRun(scope, step.stage, {
    comment: `Glue stage ${step.stage}: reads ${inputStage}'s output, writes its own`,
    glueJobName: step.jobName,
    integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    arguments: sfn.TaskInput.fromObject({
      [GlueJobArguments.executionId]: sfn.JsonPath.stringAt(EXECUTION_ID_PATH),
      [GlueJobArguments.inputBucket]: options.bucketName,
      [GlueJobArguments.inputKey]: stageOutputKeyExpression(inputStage),
      [GlueJobArguments.outputBucket]: options.bucketName,
      [GlueJobArguments.outputKey]: stageOutputKeyExpression(step.stage),
    }),
    resultPath: sfn.JsonPath.DISCARD,
  });
  task.addRetry({ ...STEP_RETRY.glue, errors: [sfn.Errors.ALL] });
  return task;
}

/** Writes `initialData` to S3 so that a Glue job can be the first step. */
function storeInitialData(scope: Construct, options: DefinitionOptions): tasks.CallAwsService {
  return new tasks.CallAwsService(scope, WorkflowStateNames.storeInitialData, {
    comment: 'A Glue job reads only S3: store the workflow input where the first stage reads it',
    service: 's3',
    action: 'putObject',
    parameters: {
      Bucket: options.bucketName,
      Key: stageOutputKeyExpression(INITIAL_DATA_STAGE),
      // Serialized explicitly: the object is stored as the JSON text the first stage parses.
      Body: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(INITIAL_DATA_PATH)),
      ContentType: 'application/json',
    },
    iamResources: [options.executionObjectsArn],
    resultPath: sfn.JsonPath.DISCARD,
  });
}
