/**
 * The workflow contract: what the S3Workflow construct puts into stage Lambdas' environment and
 * into each task's payload, what a stage returns, and the Glue job's arguments. The construct,
 * the stage kit, the local runner and the Glue script all follow this module, so they cannot
 * disagree on a name or a shape.
 *
 * Pure: zod only, no AWS SDK import.
 */
import { z } from 'zod';
import { InvalidExecutionContextError, WorkflowConfigError } from './errors.js';
import { segmentProblem } from './paths.js';

// ---------------------------------------------------------------------------------------------
// Environment of a stage Lambda
// ---------------------------------------------------------------------------------------------

/** Names of the environment variables a stage Lambda reads; the construct sets them. */
export const WorkflowEnvVars = Object.freeze({
  /** Name of the workflow bucket (required): stage outputs live there. */
  workflowBucket: 'WORKFLOW_BUCKET',
  /** Name of the workflow (optional): the logger's `service`. */
  workflowName: 'WORKFLOW_NAME',
  /**
   * Stage this function was deployed as (optional). Logged; a payload naming another
   * `currentStage` is logged as a warning (a miswired task), not refused, so one function
   * may serve several positions.
   */
  stageName: 'WORKFLOW_STAGE_NAME',
} as const);

/** A stage Lambda's configuration, parsed once at cold start. */
export interface StageConfig {
  readonly workflowBucket: string;
  /** @default 'workflow' */
  readonly workflowName: string;
  readonly stageName: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;
const V = WorkflowEnvVars;

/** S3 general purpose bucket names: 3–63 lowercase letters, digits, dots and hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Why `name` is not a valid S3 bucket name, or `undefined`. */
export function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_NAME.test(name)) {
    return 'must be 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
  }
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address';
  return undefined;
}

const blankToUndefined = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/**
 * Reads a stage Lambda's environment. Throws `WorkflowConfigError` naming the variable and
 * the fix, so a misconfigured function fails its cold start instead of its first execution.
 */
export function parseStageConfig(env: Env): StageConfig {
  const bucket = blankToUndefined(env[V.workflowBucket]);
  if (bucket === undefined) {
    throw new WorkflowConfigError(
      `${V.workflowBucket} is not set: set it to the workflow bucket's name (the S3Workflow ` +
        'construct sets it on every stage function it creates).',
    );
  }
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem !== undefined) {
    throw new WorkflowConfigError(
      `${V.workflowBucket} '${bucket}' is not an S3 bucket name: it ${bucketProblem}. ` +
        'Set it to the bucket name only (no s3:// prefix, no key).',
    );
  }
  const stageName = blankToUndefined(env[V.stageName]);
  const stageProblem = stageName === undefined ? undefined : segmentProblem(stageName);
  if (stageProblem !== undefined) {
    throw new WorkflowConfigError(
      `${V.stageName} '${String(stageName)}' ${stageProblem}: set it to the stage's name as ` +
        'used in the S3 path convention, or unset it.',
    );
  }
  return {
    workflowBucket: bucket,
    workflowName: blankToUndefined(env[V.workflowName]) ?? 'workflow',
    stageName,
  };
}

// ---------------------------------------------------------------------------------------------
// Execution context: the payload of every stage task
// ---------------------------------------------------------------------------------------------

const segment = (field: string) =>
  z.string({ error: `${field} must be a string` }).superRefine((value, ctx) => {
    const problem = segmentProblem(value);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: `${field} '${value}' ${problem}` });
    }
  });

/** A value that survives JSON.stringify/JSON.parse unchanged. */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * The payload a stage task receives (spec 3.1). The construct builds it in each task:
 * `executionId` is `$$.Execution.Name`, `currentStage` / `previousStage` are fixed per task, and
 * `initialData` is the workflow's input. `previousStage` is null or absent for the first stage
 * (CDK's `TaskInput.fromObject` drops null values, so absent is what arrives). `workflowBucket`
 * may be omitted: the function's `WORKFLOW_BUCKET` fills it in.
 */
export const executionContextSchema = z.object({
  executionId: segment('executionId'),
  currentStage: segment('currentStage'),
  previousStage: segment('previousStage').nullable().optional(),
  workflowBucket: z
    .string()
    .refine((name) => bucketNameProblem(name) === undefined, {
      error: (issue) =>
        `workflowBucket '${String(issue.input)}' is not an S3 bucket name (3–63 lowercase ` +
        'letters, digits, dots and hyphens)',
    })
    .optional(),
  initialData: z.json().optional(),
});

/** The payload as Step Functions sends it. */
export type ExecutionContextInput = z.input<typeof executionContextSchema>;

/** The context a stage runs with: the payload, with the workflow bucket resolved. */
export interface ExecutionContext {
  readonly executionId: string;
  readonly currentStage: string;
  /** `null` for the first stage. */
  readonly previousStage: string | null;
  readonly workflowBucket: string;
  /** The workflow's input; the first stage's input. */
  readonly initialData?: JsonValue;
}

/**
 * Parses a task payload into an `ExecutionContext`, taking the bucket from the payload or else
 * from `defaultBucket` (the function's environment). Throws `InvalidExecutionContextError`
 * listing every problem.
 */
export function parseExecutionContext(payload: unknown, defaultBucket?: string): ExecutionContext {
  const parsed = executionContextSchema.safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.path.length > 0 && !issue.message.startsWith(String(issue.path[0]))
        ? `${issue.path.join('.')}: ${issue.message}`
        : issue.message,
    );
    throw new InvalidExecutionContextError(
      `The stage payload is not an execution context: ${problems.join('; ')}. Each task's ` +
        'payload must be {"executionId": <execution name>, "currentStage": <stage>, ' +
        '"previousStage": <stage or absent for the first>, "initialData": <workflow input>}.',
    );
  }
  const value = parsed.data;
  const workflowBucket = value.workflowBucket ?? defaultBucket;
  if (workflowBucket === undefined) {
    throw new InvalidExecutionContextError(
      `The stage payload has no workflowBucket and ${V.workflowBucket} is not set: set one of them.`,
    );
  }
  const previousStage =
    value.previousStage === undefined || value.previousStage === null ? null : value.previousStage;
  if (previousStage === null && value.initialData === undefined) {
    throw new InvalidExecutionContextError(
      `Stage '${value.currentStage}' is the first stage (no previousStage) but the payload has no ` +
        'initialData: pass the workflow input as initialData, or set previousStage to the stage ' +
        'whose output this one reads.',
    );
  }
  if (previousStage === value.currentStage) {
    throw new InvalidExecutionContextError(
      `previousStage and currentStage are both '${previousStage}': a stage cannot read its own output.`,
    );
  }
  // The workflow input as sent: zod's JSON copy drops own `__proto__` keys, which JSON.parse
  // (and so Step Functions' payload) keeps. The schema has already checked it is JSON.
  const initialData = (payload as { readonly initialData?: JsonValue }).initialData;
  return {
    executionId: value.executionId,
    currentStage: value.currentStage,
    previousStage,
    workflowBucket,
    ...(initialData === undefined ? {} : { initialData }),
  };
}

// ---------------------------------------------------------------------------------------------
// Stage result: what a stage returns (small, whatever the data size) and records in S3
// ---------------------------------------------------------------------------------------------

const s3LocationSchema = z.object({ bucket: z.string(), key: z.string() });

const resultBase = {
  executionId: z.string(),
  stage: z.string(),
  /** Records read from the input (1 for a non-array JSON input). */
  recordsProcessed: z.number().int().nonnegative(),
  /** `s3://…` of the input, or `initialData` for the first stage. */
  input: z.string(),
};

/** Spec 3.2 / 12.2: status, stage, recordsProcessed, and on failure the error's type, message and stack. */
export const stageResultSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('SUCCEEDED'),
    ...resultBase,
    /** Records written to the output. */
    recordsWritten: z.number().int().nonnegative(),
    output: s3LocationSchema,
  }),
  z.object({
    status: z.literal('FAILED'),
    ...resultBase,
    errorType: z.string().min(1),
    errorMessage: z.string(),
    stackTrace: z.array(z.string()),
  }),
]);

export type StageResult = z.infer<typeof stageResultSchema>;
export type SucceededStageResult = Extract<StageResult, { status: 'SUCCEEDED' }>;
export type FailedStageResult = Extract<StageResult, { status: 'FAILED' }>;

// ---------------------------------------------------------------------------------------------
// Formats, limits, Glue arguments
// ---------------------------------------------------------------------------------------------

/** Content-Type of stage outputs: the reader picks its parser from it. */
export const StageContentTypes = Object.freeze({
  json: 'application/json',
  jsonLines: 'application/x-ndjson',
} as const);

/** Step Functions' limit on any state's input/output (`States.DataLimitExceeded`). */
export const STATE_PAYLOAD_LIMIT_BYTES = 262_144;

/** Bytes of `value` as Step Functions counts them (UTF-8 of its JSON). */
export function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * Arguments a Glue step receives (`startJobRun.sync` `Arguments`); the script reads them with
 * `getResolvedOptions(sys.argv, ['execution-id', 'input-bucket', ...])`.
 */
export const GlueJobArguments = Object.freeze({
  executionId: '--execution-id',
  inputBucket: '--input-bucket',
  inputKey: '--input-key',
  outputBucket: '--output-bucket',
  outputKey: '--output-key',
} as const);
