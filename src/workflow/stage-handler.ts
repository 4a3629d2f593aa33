/**
 * The stage kit: turns a stage function into a Lambda handler that follows the S3 path
 * convention. Per invocation it
 *  1. parses the payload into an `ExecutionContext` (bucket from the payload or WORKFLOW_BUCKET);
 *  2. logs execution id, stage and both S3 paths (correlation id = execution id);
 *  3. reads the input: `initialData` for the first stage, else the previous stage's output.json;
 *  4. runs the stage and writes executions/{executionId}/{currentStage}/output.json
 *     (deterministic: a re-run overwrites the same object);
 *  5. records the `StageResult` in result.json next to it and returns it — a few hundred bytes,
 *     whatever the data size. On failure the result carries the error's type, message and stack,
 *     and the error is rethrown so the task fails and Step Functions' Retry/Catch applies.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { createLogger, type OpsLogger } from '../observability/logger.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import { createResilientClient } from '../resilience/resilient-client.js';
import {
  parseExecutionContext,
  parseStageConfig,
  type ExecutionContext,
  type FailedStageResult,
  type JsonValue,
  type StageConfig,
  type StageResult,
  type SucceededStageResult,
} from './contract.js';
import { counted } from './json-lines.js';
import {
  s3Uri,
  stageInputSource,
  stageOutputLocation,
  stageResultKey,
  type StageInputSource,
} from './paths.js';
import { stageDefinitionOf, type Stage, type StageContext, type StageDefinition } from './stage.js';
import { StageStore, type MultipartOptions } from './stage-store.js';

/** What a stage handler needs from the outside world. */
export interface StageHandlerDeps {
  readonly config: StageConfig;
  /** Build it with `createResilientClient` (rate limit + retry of SlowDown / 5xx). */
  readonly s3: S3Client;
  /**
   * A logger for one invocation, tagged with the execution id (as correlation id) and stage.
   * @default - a Powertools logger (service = workflow name)
   */
  readonly loggerFor?: (ctx: ExecutionContext) => OpsLogger;
  /** Times the stage (`durationMs` in the final log line). @default systemClock */
  readonly clock?: Clock;
  readonly multipart?: MultipartOptions;
  /**
   * Also write the `StageResult` to `executions/{id}/{stage}/result.json`.
   * @default true
   */
  readonly recordResults?: boolean;
}

/** Deps, or a function that builds them on first use (so importing an entry file never throws). */
export type StageDepsSource = StageHandlerDeps | (() => StageHandlerDeps);

/** A stage Lambda: payload in, `StageResult` out. The Lambda context is optional (local runs). */
export type StageHandler = (
  event: unknown,
  context?: { awsRequestId?: string },
) => Promise<SucceededStageResult>;

/** The production deps: config from the environment, a resilient S3 client, Powertools logs. */
export function defaultStageDeps(
  env: Readonly<Record<string, string | undefined>> = process.env,
): () => StageHandlerDeps {
  let deps: StageHandlerDeps | undefined;
  return () => {
    deps ??= (() => {
      const config = parseStageConfig(env);
      const logger = createLogger({ serviceName: config.workflowName });
      return { config, s3: createResilientClient(S3Client, {}, { logger }) };
    })();
    return deps;
  };
}

function defaultLoggerFor(config: StageConfig): (ctx: ExecutionContext) => OpsLogger {
  return (ctx) =>
    createLogger({
      serviceName: config.workflowName,
      correlationId: ctx.executionId,
      persistentKeys: { executionId: ctx.executionId, stage: ctx.currentStage },
    });
}

/** Stack trace lines without the first (the message), as the Lambda runtime reports them. */
function stackLines(error: Error): string[] {
  return (error.stack ?? '')
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const error = new Error(
    typeof thrown === 'string' ? thrown : (JSON.stringify(thrown) ?? String(thrown)),
  );
  error.name = 'NonErrorThrown';
  return error;
}

function inputLabel(source: StageInputSource): string {
  return source.kind === 'initialData' ? 'initialData' : s3Uri(source);
}

function recordCount(value: unknown): number {
  return Array.isArray(value) ? value.length : 1;
}

/**
 * Wraps `stage` (a plain function, `jsonStage(...)` or `streamingStage(...)`) into a Lambda
 * handler. `deps` may be a factory (see `defaultStageDeps`): it is called on the first event.
 */
export function createStageHandler<I, O>(stage: Stage<I, O>, deps: StageDepsSource): StageHandler {
  const definition = stageDefinitionOf(stage);
  let resolved: { deps: StageHandlerDeps; store: StageStore } | undefined;
  const resolve = () => {
    if (resolved === undefined) {
      const d = typeof deps === 'function' ? deps() : deps;
      resolved = { deps: d, store: new StageStore(d.s3, d.multipart) };
    }
    return resolved;
  };

  return async (event) => {
    const { deps: d, store } = resolve();
    const clock = d.clock ?? systemClock;
    let ctx: ExecutionContext;
    try {
      ctx = parseExecutionContext(event, d.config.workflowBucket);
    } catch (error) {
      // No execution to tag: log with what the function knows and fail the task.
      createLogger({ serviceName: d.config.workflowName }).error('Invalid stage payload', {
        error: error as Error,
        stageFunction: d.config.stageName,
      });
      throw asError(error);
    }
    const logger = (d.loggerFor ?? defaultLoggerFor(d.config))(ctx);
    const source = stageInputSource(ctx);
    const output = stageOutputLocation(ctx);
    const paths = { input: inputLabel(source), output: s3Uri(output) };
    logger.info('Stage started', {
      executionId: ctx.executionId,
      currentStage: ctx.currentStage,
      previousStage: ctx.previousStage,
      format: definition.format,
      ...paths,
    });
    if (d.config.stageName !== undefined && d.config.stageName !== ctx.currentStage) {
      logger.warn('Payload names another stage than this function was deployed as', {
        stageFunction: d.config.stageName,
        currentStage: ctx.currentStage,
      });
    }
    const stageCtx: StageContext = { ...ctx, logger };
    const started = clock.now();
    const counts = { processed: { count: 0 }, written: { count: 0 } };
    let result: SucceededStageResult;
    try {
      await runStage(definition, stageCtx, source, output, store, counts);
      result = {
        status: 'SUCCEEDED',
        executionId: ctx.executionId,
        stage: ctx.currentStage,
        recordsProcessed: counts.processed.count,
        recordsWritten: counts.written.count,
        input: paths.input,
        output,
      };
    } catch (thrown) {
      const error = asError(thrown);
      const failed: FailedStageResult = {
        status: 'FAILED',
        executionId: ctx.executionId,
        stage: ctx.currentStage,
        recordsProcessed: counts.processed.count,
        input: paths.input,
        errorType: error.name || 'Error',
        errorMessage: error.message,
        stackTrace: stackLines(error),
      };
      logger.error('Stage failed', { ...failed, ...paths, durationMs: clock.now() - started });
      await recordResult(d, store, ctx, failed, logger);
      throw error;
    }
    logger.info('Stage succeeded', { ...result, ...paths, durationMs: clock.now() - started });
    await recordResult(d, store, ctx, result, logger);
    return result;
  };
}

async function runStage<I, O>(
  definition: StageDefinition<I, O>,
  ctx: StageContext,
  source: StageInputSource,
  output: ReturnType<typeof stageOutputLocation>,
  store: StageStore,
  counts: { processed: { count: number }; written: { count: number } },
): Promise<void> {
  if (definition.format === 'json') {
    const raw: JsonValue =
      source.kind === 'initialData' ? (ctx.initialData as JsonValue) : await store.readJson(source);
    counts.processed.count = recordCount(raw);
    const input = definition.parseInput ? definition.parseInput(raw) : (raw as I);
    const value = await definition.process(input, ctx);
    await store.writeJson(output, value);
    counts.written.count = recordCount(value);
    return;
  }
  const initial = ctx.initialData as JsonValue;
  const rawRecords: AsyncIterable<JsonValue> | Iterable<JsonValue> =
    source.kind === 'initialData'
      ? Array.isArray(initial)
        ? (initial as JsonValue[])
        : [initial]
      : store.readRecords(source);
  const parse = definition.parseRecord;
  async function* inputs(): AsyncGenerator<I> {
    for await (const record of counted(rawRecords, counts.processed)) {
      yield parse ? parse(record) : (record as I);
    }
  }
  await store.writeRecords(output, counted(definition.process(inputs(), ctx), counts.written));
}

/** Best effort: a result that cannot be written must not hide the stage's own outcome. */
async function recordResult(
  deps: StageHandlerDeps,
  store: StageStore,
  ctx: ExecutionContext,
  result: StageResult,
  logger: OpsLogger,
): Promise<void> {
  if (deps.recordResults === false) return;
  const location = {
    bucket: ctx.workflowBucket,
    key: stageResultKey(ctx.executionId, ctx.currentStage),
  };
  try {
    await store.putObject(location, JSON.stringify(result), 'application/json');
  } catch (error) {
    logger.warn('Could not record the stage result', {
      result: s3Uri(location),
      error: (error as Error).message,
    });
  }
}
