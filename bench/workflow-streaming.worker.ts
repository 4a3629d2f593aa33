/**
 * One measurement of the workflow-streaming benchmark, meant to run in its own process (so its
 * peak memory is its own): the example Score stage over `bytes` of input, in the streaming
 * form (JSON Lines in/out, multipart) or the plain JSON form (whole document in/out), through
 * the real stage kit against the S3 simulation (large objects spill to a temp directory).
 *
 *   node --expose-gc --import tsx bench/workflow-streaming.worker.ts <streaming|plain> <bytes>
 *
 * Prints one JSON line: a `StageRunMeasurement`.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { cleanRecordSchema, type CleanRecord } from '../examples/workflow/stages/logic/records.js';
import { scoreRecord, scoreStage } from '../examples/workflow/stages/logic/score.js';
import { silentLogger } from '../src/observability/logger.js';
import { systemClock } from '../src/resilience/clock.js';
import { S3Model } from '../src/simulation/models/s3.js';
import { StageContentTypes } from '../src/workflow/contract.js';
import { stageOutputKey } from '../src/workflow/paths.js';
import { createStageHandler } from '../src/workflow/stage-handler.js';
import { simulatedStageDeps } from '../src/workflow/stage-simulation.js';
import { jsonStage } from '../src/workflow/stage.js';

export type StageForm = 'streaming' | 'plain';

export interface StageRunMeasurement {
  readonly form: StageForm;
  readonly inputBytes: number;
  readonly records: number;
  readonly ok: boolean;
  /** Why the run failed (e.g. a string longer than V8 allows), when it did. */
  readonly error?: string;
  readonly seconds: number;
  readonly mbPerSecond: number;
  readonly recordsPerSecond: number;
  /** RSS before the stage ran (after building the input and a GC). */
  readonly baselineRssBytes: number;
  /** Highest RSS sampled while the stage ran. */
  readonly peakRssBytes: number;
  /** Highest V8 heap used sampled while the stage ran. */
  readonly peakHeapBytes: number;
  /** Highest Buffer/ArrayBuffer memory outside the heap sampled while the stage ran. */
  readonly peakExternalBytes: number;
  /** The OS's high-water RSS of the whole process (input generation included). */
  readonly processMaxRssBytes: number;
  /** Size of the state payload the stage returned (what Step Functions would carry). */
  readonly resultPayloadBytes: number;
  readonly outputBytes: number;
}

const BUCKET = 'bench-workflow-bucket';
const EXECUTION = 'bench';
const TYPES = ['purchase', 'cart', 'view', 'signup', 'subscription'] as const;
const DAY = Date.UTC(2025, 0, 1);

/** A deterministic activity record, about 200 bytes of JSON. */
function record(i: number): CleanRecord {
  return {
    id: `rec-${i.toString(36).padStart(8, '0')}`,
    customerId: `customer-${(i % 9973).toString().padStart(5, '0')}`,
    type: TYPES[i % TYPES.length],
    amountCents: (i * 7919) % 250_000,
    currency: 'USD',
    occurredAt: new Date(DAY + (i % 86_400) * 1000).toISOString(),
    problems: [],
  };
}

/** Input bytes (JSON Lines or one JSON array) of about `bytes`, streamed; counts the records. */
function* inputChunks(form: StageForm, bytes: number, counter: { records: number }) {
  let written = 0;
  let batch: string[] = [];
  let i = 0;
  if (form === 'plain') {
    yield Buffer.from('[');
    written += 1;
  }
  while (written < bytes) {
    const text = JSON.stringify(record(i));
    const line = form === 'plain' ? (i === 0 ? text : `,${text}`) : `${text}\n`;
    batch.push(line);
    written += line.length;
    i += 1;
    if (batch.length >= 2000) {
      yield Buffer.from(batch.join(''));
      batch = [];
    }
  }
  if (batch.length > 0) yield Buffer.from(batch.join(''));
  if (form === 'plain') yield Buffer.from(']');
  counter.records = i;
}

function mb(bytes: number): number {
  return bytes / (1024 * 1024);
}

/** Runs one measurement in this process. */
export async function measureStageRun(
  form: StageForm,
  bytes: number,
): Promise<StageRunMeasurement> {
  const s3 = new S3Model({ clock: systemClock, buckets: [BUCKET] });
  try {
    const deps = simulatedStageDeps(s3, {
      clock: systemClock,
      workflowBucket: BUCKET,
      loggerFor: () => silentLogger,
    });
    const client: S3Client = deps.s3;
    // The previous stage's output, streamed into the model (spilled to disk).
    const counter = { records: 0 };
    await new Upload({
      client,
      params: {
        Bucket: BUCKET,
        Key: stageOutputKey(EXECUTION, 'filter'),
        Body: Readable.from(inputChunks(form, bytes, counter)),
        ContentType: form === 'plain' ? StageContentTypes.json : StageContentTypes.jsonLines,
      },
      partSize: 8 * 1024 * 1024,
      queueSize: 1,
    }).done();
    const inputBytes = s3.info(BUCKET, stageOutputKey(EXECUTION, 'filter'))?.size ?? 0;

    // The same work per record in both forms: check the record, score it.
    const plainScore = jsonStage((records: unknown[]) =>
      records.map((r) => scoreRecord(cleanRecordSchema.parse(r))),
    );
    const handler =
      form === 'plain'
        ? createStageHandler(plainScore, deps)
        : createStageHandler(scoreStage, deps);

    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const baseline = process.memoryUsage();
    const peak = { rss: baseline.rss, heap: baseline.heapUsed, external: baseline.external };
    const sample = () => {
      const now = process.memoryUsage();
      peak.rss = Math.max(peak.rss, now.rss);
      peak.heap = Math.max(peak.heap, now.heapUsed);
      peak.external = Math.max(peak.external, now.external + now.arrayBuffers);
    };
    const sampler = setInterval(sample, 10);
    const started = performance.now();
    let ok = true;
    let error: string | undefined;
    let resultPayloadBytes = 0;
    try {
      const result = await handler({
        executionId: EXECUTION,
        currentStage: 'score',
        previousStage: 'filter',
      });
      resultPayloadBytes = Buffer.byteLength(JSON.stringify(result));
    } catch (caught) {
      ok = false;
      error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
    } finally {
      clearInterval(sampler);
      sample();
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      form,
      inputBytes,
      records: counter.records,
      ok,
      ...(error === undefined ? {} : { error }),
      seconds,
      mbPerSecond: ok ? mb(inputBytes) / seconds : 0,
      recordsPerSecond: ok ? counter.records / seconds : 0,
      baselineRssBytes: baseline.rss,
      peakRssBytes: peak.rss,
      peakHeapBytes: peak.heap,
      peakExternalBytes: peak.external,
      processMaxRssBytes: process.resourceUsage().maxRSS * 1024,
      resultPayloadBytes,
      outputBytes: s3.info(BUCKET, stageOutputKey(EXECUTION, 'score'))?.size ?? 0,
    };
  } finally {
    s3.dispose();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [form, bytes] = process.argv.slice(2);
  if ((form !== 'streaming' && form !== 'plain') || !/^\d+$/.test(bytes ?? '')) {
    process.stderr.write('usage: workflow-streaming.worker.ts <streaming|plain> <bytes>\n');
    process.exit(2);
  }
  const measurement = await measureStageRun(form, Number(bytes));
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}
