/**
 * How a stage is written: a plain function of its input and context, with no S3, no paths and
 * no knowledge of which stage runs before or after it. The kit (`createStageHandler`) does the
 * rest, so a stage can be moved, reordered or tested on its own.
 *
 *   const filter = (records: Order[], ctx: StageContext) => records.filter(isValid);
 *   const scoreAll = streamingStage(async function* (records) { for await (const r of records) yield score(r); });
 */
import type { OpsLogger } from '../observability/logger.js';
import type { ExecutionContext, JsonValue } from './contract.js';

/** What a stage sees besides its input: the execution context and a logger bound to it. */
export interface StageContext extends ExecutionContext {
  /** Tagged with the execution id (correlation id) and the stage. */
  readonly logger: OpsLogger;
}

/** A stage over a whole JSON value: `(input, ctx) => output`. */
export type StageFunction<I = JsonValue, O = unknown> = (
  input: I,
  ctx: StageContext,
) => O | Promise<O>;

/** A stage over a stream of records (JSON Lines): records in, records out, one at a time. */
export type StreamingStageFunction<I = JsonValue, O = unknown> = (
  records: AsyncIterable<I>,
  ctx: StageContext,
) => AsyncIterable<O> | Iterable<O>;

/** A stage with a whole-value input, and an optional check of that input. */
export interface JsonStage<I = JsonValue, O = unknown> {
  readonly format: 'json';
  readonly process: StageFunction<I, O>;
  /** Turns the raw input into `I` or throws (e.g. `schema.parse`). @default - no check */
  readonly parseInput?: (input: JsonValue) => I;
}

/** A streaming stage: input and output are JSON Lines, never held whole in memory. */
export interface StreamingStage<I = JsonValue, O = unknown> {
  readonly format: 'jsonLines';
  readonly process: StreamingStageFunction<I, O>;
  /** Turns each raw record into `I` or throws. @default - no check */
  readonly parseRecord?: (record: JsonValue) => I;
}

export type StageDefinition<I = never, O = unknown> = JsonStage<I, O> | StreamingStage<I, O>;

/** Anything `createStageHandler` takes: a plain function, or a definition. */
export type Stage<I = never, O = unknown> = StageFunction<I, O> | StageDefinition<I, O>;

/** A whole-value stage with an input check (a zod schema's `parse` fits). */
export function jsonStage<I, O>(
  process: StageFunction<I, O>,
  options: { readonly parseInput?: (input: JsonValue) => I } = {},
): JsonStage<I, O> {
  return { format: 'json', process, ...options };
}

/** A streaming stage (JSON Lines in, JSON Lines out, multipart upload). */
export function streamingStage<I, O>(
  process: StreamingStageFunction<I, O>,
  options: { readonly parseRecord?: (record: JsonValue) => I } = {},
): StreamingStage<I, O> {
  return { format: 'jsonLines', process, ...options };
}

/** The definition behind any accepted stage form. */
export function stageDefinitionOf<I, O>(stage: Stage<I, O>): StageDefinition<I, O> {
  return typeof stage === 'function' ? { format: 'json', process: stage } : stage;
}
