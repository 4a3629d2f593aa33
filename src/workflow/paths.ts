/**
 * The S3 path convention every stage (Lambda or Glue) follows:
 *
 *   executions/{executionId}/{stage}/output.json
 *
 * A stage's input is its previous stage's output; the first stage reads `initialData` from the
 * payload instead. Keys depend only on (executionId, stage), so a re-run of a stage (Express
 * workflows are at-least-once) overwrites the same object, and the `executions/` prefix is what
 * the bucket's 7-day lifecycle rule expires. Pure: no AWS import.
 */
import { InvalidPathSegmentError, type S3Location } from './errors.js';

/** Prefix of all execution data; the lifecycle rule and the IAM grants are scoped to it. */
export const EXECUTIONS_PREFIX = 'executions/';
/** File name of a stage's output (JSON or JSON Lines; the object's Content-Type says which). */
export const OUTPUT_FILE = 'output.json';
/** File name of a stage's `StageResult` (status, counts, error type/message/stack). */
export const RESULT_FILE = 'result.json';

/** Longest execution id / stage name: Step Functions' limit on execution and state names. */
export const MAX_SEGMENT_LENGTH = 80;

/*
 * Step Functions execution names may not contain whitespace, brackets, wildcards, these
 * specials or control characters; the same rule keeps every segment a single, URL-safe-ish
 * S3 key segment (no '/', so one segment can never reach into another execution's prefix).
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

/** Why `value` cannot be an execution id / stage name, or `undefined` when it can. */
export function segmentProblem(value: string): string | undefined {
  if (value.length === 0) return 'is empty';
  if (value.length > MAX_SEGMENT_LENGTH) {
    return `is ${value.length} characters long, more than ${MAX_SEGMENT_LENGTH}`;
  }
  if (value === '.' || value === '..') return `is '${value}', a relative path segment`;
  const bad = FORBIDDEN.exec(value);
  if (bad) return `contains ${JSON.stringify(bad[0])}, which is not allowed`;
  return undefined;
}

function checkedSegment(segment: 'executionId' | 'stage', value: string): string {
  const problem = segmentProblem(value);
  if (problem !== undefined) {
    throw new InvalidPathSegmentError(
      segment,
      value,
      `${segment} '${value}' ${problem}: use 1–${MAX_SEGMENT_LENGTH} characters without ` +
        'whitespace, brackets, wildcards, control characters or any of " # % \\ ^ | ~ ` $ & , ; : / ' +
        '(the Step Functions execution/state name rules).',
    );
  }
  return value;
}

/** `executions/{executionId}/`: everything one execution wrote. */
export function executionPrefix(executionId: string): string {
  return `${EXECUTIONS_PREFIX}${checkedSegment('executionId', executionId)}/`;
}

/** `executions/{executionId}/{stage}/`: everything one stage of one execution wrote. */
export function stagePrefix(executionId: string, stage: string): string {
  return `${executionPrefix(executionId)}${checkedSegment('stage', stage)}/`;
}

/** `executions/{executionId}/{stage}/output.json`: where `stage` writes its output. */
export function stageOutputKey(executionId: string, stage: string): string {
  return `${stagePrefix(executionId, stage)}${OUTPUT_FILE}`;
}

/** `executions/{executionId}/{stage}/result.json`: where the kit records the `StageResult`. */
export function stageResultKey(executionId: string, stage: string): string {
  return `${stagePrefix(executionId, stage)}${RESULT_FILE}`;
}

/** Where a stage's input comes from: the payload (first stage) or the previous stage's output. */
export type StageInputSource =
  { readonly kind: 'initialData' } | ({ readonly kind: 's3' } & S3Location);

/** The part of an execution context that decides the paths. */
export interface PathContext {
  readonly executionId: string;
  readonly currentStage: string;
  readonly previousStage?: string | null;
  readonly workflowBucket: string;
}

/** True when the stage has no previous stage (`previousStage` null, absent or empty). */
export function isFirstStage(ctx: Pick<PathContext, 'previousStage'>): boolean {
  return ctx.previousStage === undefined || ctx.previousStage === null || ctx.previousStage === '';
}

/** The input of the stage `ctx` describes. */
export function stageInputSource(ctx: PathContext): StageInputSource {
  if (isFirstStage(ctx)) return { kind: 'initialData' };
  return {
    kind: 's3',
    bucket: ctx.workflowBucket,
    key: stageOutputKey(ctx.executionId, ctx.previousStage as string),
  };
}

/** The output location of the stage `ctx` describes. */
export function stageOutputLocation(ctx: PathContext): S3Location {
  return { bucket: ctx.workflowBucket, key: stageOutputKey(ctx.executionId, ctx.currentStage) };
}

/** `s3://bucket/key`, as logs and Glue arguments show it. */
export function s3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** The parts of a key under `executions/`, or `undefined` when it does not follow the convention. */
export interface ParsedStageKey {
  readonly executionId: string;
  readonly stage: string;
  readonly file: string;
}

/** Inverse of `stageOutputKey` / `stageResultKey` (for tooling, listings and tests). */
export function parseStageKey(key: string): ParsedStageKey | undefined {
  if (!key.startsWith(EXECUTIONS_PREFIX)) return undefined;
  const parts = key.slice(EXECUTIONS_PREFIX.length).split('/');
  if (parts.length !== 3) return undefined;
  const [executionId, stage, file] = parts;
  if (segmentProblem(executionId) !== undefined || segmentProblem(stage) !== undefined) {
    return undefined;
  }
  if (file.length === 0) return undefined;
  return { executionId, stage, file };
}
