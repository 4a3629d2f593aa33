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
import { EXECUTIONS_PREFIX, OUTPUT_FILE, RESULT_FILE, stageOutputKey } from './paths.js';

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

async function executionIds(s3: S3Client, bucket: string): Promise<Set<string>> {
  const ids = new Set<string>();
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
      if (id) ids.add(id);
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return ids;
}

/** The object's text, or undefined when it does not exist (yet). */
async function readText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body?.transformToString();
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

async function describeExecution(
  s3: S3Client,
  bucket: string,
  executionId: string,
): Promise<SmokeExecutionSeen> {
  const prefix = `${EXECUTIONS_PREFIX}${executionId}/`;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.NextContinuationToken;
  } while (token !== undefined);
  const stageOf = (key: string, file: string): string | undefined =>
    key.endsWith(`/${file}`) ? key.slice(prefix.length, -(file.length + 1)) : undefined;
  const stagesWithOutput = keys
    .map((key) => stageOf(key, OUTPUT_FILE))
    .filter((s) => s !== undefined);
  const failures: SmokeStageFailure[] = [];
  for (const key of keys) {
    const stage = stageOf(key, RESULT_FILE);
    if (stage === undefined) continue;
    const text = await readText(s3, bucket, key);
    try {
      const result = JSON.parse(text ?? '{}') as Record<string, unknown>;
      if (result.status === 'FAILED') {
        failures.push({
          stage,
          errorType: String(result.errorType),
          errorMessage: String(result.errorMessage),
        });
      }
    } catch {
      // Not a kit StageResult: nothing to report from it.
    }
  }
  return { executionId, stagesWithOutput, failures };
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

  const before = await executionIds(s3, bucket);
  const sent = await options.sqs.send(
    new SendMessageCommand({
      QueueUrl: options.queueUrl,
      MessageBody: JSON.stringify((options.input ?? exampleSmokeInput)(marker)),
    }),
  );
  const messageId = sent.MessageId ?? '';
  const started = clock.now();
  const foreign = new Set<string>();
  for (;;) {
    const fresh = [...(await executionIds(s3, bucket))].filter(
      (id) => !before.has(id) && !foreign.has(id),
    );
    for (const executionId of fresh) {
      const outputKey = stageOutputKey(executionId, lastStage);
      const text = await readText(s3, bucket, outputKey);
      if (text === undefined) continue;
      if (!text.includes(marker)) {
        foreign.add(executionId);
        continue;
      }
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
      const seen = await Promise.all(fresh.map((id) => describeExecution(s3, bucket, id)));
      return {
        ok: false,
        marker,
        messageId,
        elapsedMs,
        executions: seen,
        message: failureMessage(
          { queueUrl: options.queueUrl, bucket, lastStage },
          marker,
          timeoutMs,
          seen,
        ),
      };
    }
    await clock.sleep(Math.min(pollIntervalMs, timeoutMs - elapsedMs));
  }
}
