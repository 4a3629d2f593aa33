/**
 * A post-deployment smoke test of an S3Workflow: send one message to its queue and wait for
 * the last stage's output of the execution it started.
 *
 * The execution id is the Step Functions execution's name, which the Pipe chooses (a UUID): the
 * message cannot name it. So the smoke test (1) lists the execution folders under `executions/`
 * before it sends, (2) sends an input that carries a unique marker, and (3) polls the folders
 * that appear afterwards for `executions/{id}/{lastStage}/output.json` containing the marker.
 * New folders whose output lacks the marker are other traffic and are ignored. The example
 * workflow carries the marker through every stage in its customer ids.
 *
 * Cost: every poll lists `executions/` (one LIST page per 1,000 executions kept) and each new,
 * undecided execution's folder (one LIST). An execution is decided, and never read again, once
 * its last output is read (marker: passed; no marker: other traffic) or a stage records an
 * error no retry fixes (reported on timeout); its `result.json`s are read once per version.
 *
 * Pure over injected SQS and S3 clients and a Clock: the CLI gives it resilient real clients,
 * the tests simulated ones on virtual time.
 */
import { randomUUID } from 'node:crypto';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { systemClock, type Clock } from '../resilience/clock.js';
import { EXAMPLE_INPUT } from './example-input.js';
import { PERMANENT_STAGE_ERRORS } from './errors.js';
import {
  EXECUTIONS_PREFIX,
  OUTPUT_FILE,
  RESULT_FILE,
  executionPrefix,
  segmentProblem,
  stageOutputKey,
} from './paths.js';

/** The example workflow's last stage. */
export const DEFAULT_SMOKE_LAST_STAGE = 'reactive';
export const DEFAULT_SMOKE_TIMEOUT_MS = 120_000;
export const DEFAULT_SMOKE_POLL_INTERVAL_MS = 5_000;
/** In an `--input` file, replaced by the run's marker. */
export const SMOKE_MARKER_PLACEHOLDER = '{{marker}}';

export interface WorkflowSmokeOptions {
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly queueUrl: string;
  readonly bucket: string;
  /** The stage whose output ends the workflow. @default 'reactive' (the example's) */
  readonly lastStage?: string;
  /** @default 120 000 */
  readonly timeoutMs?: number;
  /** @default 5 000 */
  readonly pollIntervalMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** A unique string the output must contain. @default `smoke-<uuid>` */
  readonly marker?: string;
  /** The message body for a marker. @default `exampleSmokeInput` */
  readonly input?: (marker: string) => unknown;
}

/** A stage of a new execution that recorded a failure in its `result.json`. */
export interface SmokeStageFailure {
  readonly stage: string;
  readonly errorType: string;
  readonly errorMessage: string;
}

/** An execution folder that appeared after the send. */
export interface SmokeExecutionSeen {
  readonly executionId: string;
  /** Stages that wrote `output.json`, in S3 key order. */
  readonly stagesWithOutput: readonly string[];
  readonly failures: readonly SmokeStageFailure[];
}

export interface WorkflowSmokeReport {
  readonly ok: boolean;
  readonly marker: string;
  readonly messageId: string;
  readonly elapsedMs: number;
  /** The execution that carried the marker (when ok). */
  readonly executionId?: string;
  readonly outputKey?: string;
  readonly output?: unknown;
  /** On failure: what the new executions got to. */
  readonly executions: readonly SmokeExecutionSeen[];
  /** One line saying what happened and, on failure, where to look. */
  readonly message: string;
}

/**
 * The example input with the marker in every customer id, so that it survives ETL, Filter,
 * Score, Store and Reactive (whose actions name the customers).
 */
export function exampleSmokeInput(marker: string): Record<string, unknown>[] {
  return EXAMPLE_INPUT.map((record) =>
    typeof record.customerId === 'string'
      ? { ...record, customerId: `${marker}-${record.customerId}` }
      : { ...record },
  );
}

/** An `--input` file's JSON text with every `{{marker}}` replaced. */
export function smokeInputFromTemplate(text: string, marker: string): unknown {
  return JSON.parse(text.split(SMOKE_MARKER_PLACEHOLDER).join(marker)) as unknown;
}

/**
 * The execution folders under `executions/`: one LIST page per 1,000 executions kept. The Pipe
 * names executions with UUIDs, so new folders sort anywhere among the old ones and StartAfter
 * cannot skip the old ones: every poll lists the whole prefix.
 */
async function executionIds(s3: S3Client, bucket: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: EXECUTIONS_PREFIX,
        Delimiter: '/',
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
    for (const prefix of page.CommonPrefixes ?? []) {
      const id = prefix.Prefix?.slice(EXECUTIONS_PREFIX.length).replace(/\/$/, '');
      if (id) ids.push(id);
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return ids;
}

/** The object's text, or undefined when it does not exist (yet, or any more). */
async function readText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body?.transformToString();
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** The keys under `prefix` with their ETags (an execution folder: one page in practice). */
async function listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ key: string; etag: string }[]> {
  const objects: { key: string; etag: string }[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key) objects.push({ key: object.Key, etag: object.ETag ?? '' });
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return objects;
}

/** The failure a `result.json` records, or undefined (succeeded, or not a kit StageResult). */
function failureOf(stage: string, text: string | undefined): SmokeStageFailure | undefined {
  try {
    const result = JSON.parse(text ?? '{}') as Record<string, unknown>;
    if (result.status !== 'FAILED') return undefined;
    return {
      stage,
      errorType: String(result.errorType),
      errorMessage: String(result.errorMessage),
    };
  } catch {
    return undefined;
  }
}

/**
 * A new execution the smoke test keeps watching until it is decided. `results` remembers each
 * `result.json` by the ETag it was read at, so an object is fetched again only when a retry
 * rewrote it.
 */
interface WatchedExecution {
  readonly executionId: string;
  stagesWithOutput: string[];
  readonly results: Map<string, { etag: string; failure: SmokeStageFailure | undefined }>;
  /** A stage failed with an error no retry fixes: the execution cannot reach its last stage. */
  failed: boolean;
}

type Inspection =
  | { readonly kind: 'pending' }
  | { readonly kind: 'foreign' }
  | { readonly kind: 'passed'; readonly outputKey: string; readonly text: string };

/**
 * One poll of one undecided execution: one LIST of its folder, then GETs only of what is new
 * since the last poll (its last output once it appears, a `result.json` whose ETag changed).
 */
async function inspect(
  s3: S3Client,
  bucket: string,
  lastStage: string,
  marker: string,
  watched: WatchedExecution,
): Promise<Inspection> {
  const prefix = executionPrefix(watched.executionId);
  const objects = await listObjects(s3, bucket, prefix);
  const stageOf = (key: string, file: string): string | undefined =>
    key.endsWith(`/${file}`) ? key.slice(prefix.length, -(file.length + 1)) : undefined;
  watched.stagesWithOutput = objects
    .map((object) => stageOf(object.key, OUTPUT_FILE))
    .filter((stage) => stage !== undefined);
  const outputKey = stageOutputKey(watched.executionId, lastStage);
  if (objects.some((object) => object.key === outputKey)) {
    const text = await readText(s3, bucket, outputKey);
    if (text !== undefined) {
      return text.includes(marker) ? { kind: 'passed', outputKey, text } : { kind: 'foreign' };
    }
  }
  for (const object of objects) {
    const stage = stageOf(object.key, RESULT_FILE);
    if (stage === undefined || watched.results.get(object.key)?.etag === object.etag) continue;
    const failure = failureOf(stage, await readText(s3, bucket, object.key));
    watched.results.set(object.key, { etag: object.etag, failure });
  }
  // Other failures may be retried by the state machine (2 × 20 s × 2), so keep watching those.
  watched.failed = [...watched.results.values()].some(
    (result) => result.failure && PERMANENT_STAGE_ERRORS.includes(result.failure.errorType),
  );
  return { kind: 'pending' };
}

function seen(watched: WatchedExecution): SmokeExecutionSeen {
  return {
    executionId: watched.executionId,
    stagesWithOutput: watched.stagesWithOutput,
    failures: [...watched.results.values()]
      .map((result) => result.failure)
      .filter((failure) => failure !== undefined),
  };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

function failureMessage(
  options: Required<Pick<WorkflowSmokeOptions, 'queueUrl' | 'bucket' | 'lastStage'>>,
  marker: string,
  timeoutMs: number,
  seen: readonly SmokeExecutionSeen[],
): string {
  const head =
    `Smoke test failed: no execution wrote s3://${options.bucket}/` +
    `${EXECUTIONS_PREFIX}{id}/${options.lastStage}/${OUTPUT_FILE} with marker '${marker}' within ` +
    `${seconds(timeoutMs)} of sending it to ${options.queueUrl}.`;
  if (seen.length === 0) {
    return (
      `${head} No new execution wrote anything: check that the Pipe is RUNNING ` +
      '(aws pipes describe-pipe), the dead-letter queue, and the state machine’s executions ' +
      'and log group.'
    );
  }
  const lines = seen.map((execution) => {
    const failures = execution.failures.map(
      (f) => `; ${f.stage} FAILED: ${f.errorType}: ${f.errorMessage}`,
    );
    return (
      `${execution.executionId}: outputs of ${execution.stagesWithOutput.join(', ') || 'no stage'}` +
      failures.join('')
    );
  });
  return `${head} New executions: ${lines.join(' | ')}. A longer --timeout helps only if they are still running.`;
}

/** Runs the smoke test (see the module comment); resolves with its report, never throws on a timeout. */
export async function runWorkflowSmoke(
  options: WorkflowSmokeOptions,
): Promise<WorkflowSmokeReport> {
  const clock = options.clock ?? systemClock;
  const lastStage = options.lastStage ?? DEFAULT_SMOKE_LAST_STAGE;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SMOKE_TIMEOUT_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_SMOKE_POLL_INTERVAL_MS;
  const marker = options.marker ?? `smoke-${randomUUID()}`;
  const { s3, bucket } = options;

  // Every execution id classified so far: those listed before the send and those whose last
  // output lacks the marker are 'foreign'; new ones are watched until decided. Each execution
  // thus costs a bounded number of GETs however long the smoke test polls.
  const classified = new Map<string, 'foreign' | WatchedExecution>();
  for (const id of await executionIds(s3, bucket)) classified.set(id, 'foreign');
  const sent = await options.sqs.send(
    new SendMessageCommand({
      QueueUrl: options.queueUrl,
      MessageBody: JSON.stringify((options.input ?? exampleSmokeInput)(marker)),
    }),
  );
  const messageId = sent.MessageId ?? '';
  const started = clock.now();
  for (;;) {
    for (const id of await executionIds(s3, bucket)) {
      if (classified.has(id)) continue;
      // A folder that no execution name could have made is not a kit execution.
      classified.set(
        id,
        segmentProblem(id) === undefined
          ? { executionId: id, stagesWithOutput: [], results: new Map(), failed: false }
          : 'foreign',
      );
    }
    for (const [executionId, watched] of classified) {
      if (watched === 'foreign' || watched.failed) continue;
      const inspection = await inspect(s3, bucket, lastStage, marker, watched);
      if (inspection.kind === 'foreign') classified.set(executionId, 'foreign');
      if (inspection.kind !== 'passed') continue;
      const { outputKey, text } = inspection;
      let output: unknown = text;
      try {
        output = JSON.parse(text) as unknown;
      } catch {
        // JSON Lines or text: report it as it is.
      }
      const elapsedMs = clock.now() - started;
      return {
        ok: true,
        marker,
        messageId,
        elapsedMs,
        executionId,
        outputKey,
        output,
        executions: [],
        message:
          `Smoke test passed: execution ${executionId} wrote s3://${bucket}/${outputKey} ` +
          `with marker '${marker}' ${seconds(elapsedMs)} after the message was sent.`,
      };
    }
    const elapsedMs = clock.now() - started;
    if (elapsedMs >= timeoutMs) {
      const executions = [...classified.values()]
        .filter((watched) => watched !== 'foreign')
        .map(seen);
      return {
        ok: false,
        marker,
        messageId,
        elapsedMs,
        executions,
        message: failureMessage(
          { queueUrl: options.queueUrl, bucket, lastStage },
          marker,
          timeoutMs,
          executions,
        ),
      };
    }
    await clock.sleep(Math.min(pollIntervalMs, timeoutMs - elapsedMs));
  }
}
