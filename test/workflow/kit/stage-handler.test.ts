import { afterEach, describe, expect, it } from 'vitest';
import { S3Errors } from '../../../src/simulation/models/s3-errors.js';
import { stageResultSchema, type JsonValue } from '../../../src/workflow/contract.js';
import {
  InvalidExecutionContextError,
  StageAccessDeniedError,
  StageInputFormatError,
  StageInputNotFoundError,
  StageOutputFormatError,
  StageStorageFailedError,
  WorkflowBucketNotFoundError,
} from '../../../src/workflow/errors.js';
import { stageOutputKey, stageResultKey } from '../../../src/workflow/paths.js';
import { createStageHandler, defaultStageDeps } from '../../../src/workflow/stage-handler.js';
import { jsonStage, streamingStage, type StageContext } from '../../../src/workflow/stage.js';
import { BUCKET, stageWorld, type World } from './world.js';

const worlds: World[] = [];
function world(options: Parameters<typeof stageWorld>[0] = {}): World {
  const w = stageWorld(options);
  worlds.push(w);
  return w;
}
afterEach(() => {
  for (const w of worlds.splice(0)) w.dispose();
});

const double = (input: number[]) => input.map((n) => n * 2);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('workflow kit: first stage and later stages', () => {
  it('first stage reads initialData, writes output.json and returns a small SUCCEEDED result', async () => {
    // Prepare
    const w = world();
    // Act
    const result = await w.run(double, {
      executionId: 'e-1',
      currentStage: 'etl',
      initialData: [1, 2, 3],
    });
    // Assess
    expect(await w.json('executions/e-1/etl/output.json')).toEqual([2, 4, 6]);
    expect(result).toEqual({
      status: 'SUCCEEDED',
      executionId: 'e-1',
      stage: 'etl',
      recordsProcessed: 3,
      recordsWritten: 3,
      input: 'initialData',
      output: { bucket: BUCKET, key: 'executions/e-1/etl/output.json' },
    });
    expect(w.s3.info(BUCKET, 'executions/e-1/etl/output.json')?.contentType).toBe(
      'application/json',
    );
    expect(await w.json(stageResultKey('e-1', 'etl'))).toEqual(result);
  });

  it('a later stage reads the previous stage output, not initialData', async () => {
    // Prepare
    const w = world();
    await w.s3.putText(BUCKET, stageOutputKey('e-1', 'etl'), '[10,20]', 'application/json');
    // Act
    const result = await w.run(double, {
      executionId: 'e-1',
      currentStage: 'score',
      previousStage: 'etl',
      initialData: [1],
    });
    // Assess
    expect(await w.json(stageOutputKey('e-1', 'score'))).toEqual([20, 40]);
    expect(result.input).toBe(`s3://${BUCKET}/executions/e-1/etl/output.json`);
  });

  it('takes the bucket from the payload when given, and a non-array value counts as one record', async () => {
    // Prepare
    const w = world();
    w.s3.createBucket('other-bucket');
    // Act
    const result = await w.run((input: { n: number }) => ({ n: input.n + 1 }), {
      executionId: 'e-2',
      currentStage: 'only',
      workflowBucket: 'other-bucket',
      initialData: { n: 1 },
    });
    // Assess
    expect(await w.s3.readText('other-bucket', stageOutputKey('e-2', 'only'))).toBe('{"n":2}');
    expect(result).toMatchObject({ recordsProcessed: 1, recordsWritten: 1 });
  });

  it('a re-run with the same input overwrites the same object (deterministic keys)', async () => {
    // Prepare
    const w = world();
    const payload = { executionId: 'e-3', currentStage: 'etl', initialData: [1] };
    // Act
    await w.run(double, payload);
    await w.run(double, payload);
    // Assess
    expect(w.s3.keys(BUCKET)).toEqual([stageOutputKey('e-3', 'etl'), stageResultKey('e-3', 'etl')]);
    expect(await w.json(stageOutputKey('e-3', 'etl'))).toEqual([2]);
  });

  it('validates the input with parseInput and records a validation failure', async () => {
    // Prepare
    const w = world();
    const stage = jsonStage(double, {
      parseInput: (input: JsonValue) => {
        const numbers = Array.isArray(input) ? input.filter((n) => typeof n === 'number') : [];
        if (!Array.isArray(input) || numbers.length !== input.length) {
          throw new TypeError('input must be an array of numbers');
        }
        return numbers;
      },
    });
    // Act
    const error = await rejection(
      w.run(stage, { executionId: 'e-4', currentStage: 'etl', initialData: ['x'] }),
    );
    // Assess
    expect(error).toBeInstanceOf(TypeError);
    expect(await w.json(stageResultKey('e-4', 'etl'))).toMatchObject({
      status: 'FAILED',
      errorType: 'TypeError',
      errorMessage: 'input must be an array of numbers',
    });
  });

  it('skips result.json when recordResults is false', async () => {
    // Prepare
    const w = world({ deps: { recordResults: false } });
    // Act
    await w.run(double, { executionId: 'e-5', currentStage: 'etl', initialData: [] });
    // Assess
    expect(w.s3.keys(BUCKET)).toEqual([stageOutputKey('e-5', 'etl')]);
  });
});

describe('workflow kit: S3 errors', () => {
  it('404 NoSuchKey on the input fails with StageInputNotFoundError, recorded in result.json', async () => {
    // Prepare
    const w = world();
    // Act
    const error = await rejection(
      w.run(double, { executionId: 'e-1', currentStage: 'score', previousStage: 'etl' }),
    );
    // Assess
    expect(error).toBeInstanceOf(StageInputNotFoundError);
    expect(error.message).toContain(`s3://${BUCKET}/executions/e-1/etl/output.json`);
    expect(error.message).toContain('404 NoSuchKey');
    const recorded = stageResultSchema.parse(await w.json(stageResultKey('e-1', 'score')));
    expect(recorded).toMatchObject({ status: 'FAILED', errorType: 'StageInputNotFoundError' });
    expect(w.s3.info(BUCKET, stageOutputKey('e-1', 'score'))).toBeUndefined();
  });

  it('403 AccessDenied on read and on write are told apart from 404', async () => {
    // Prepare
    const w = world();
    await w.s3.putText(BUCKET, stageOutputKey('e-1', 'etl'), '[1]', 'application/json');
    const remove = w.s3.deny((r) => r.action === 's3:GetObject');
    // Act
    const read = await rejection(
      w.run(double, { executionId: 'e-1', currentStage: 'score', previousStage: 'etl' }),
    );
    remove();
    w.s3.deny((r) => r.action === 's3:PutObject');
    const write = await rejection(
      w.run(double, { executionId: 'e-1', currentStage: 'score', previousStage: 'etl' }),
    );
    // Assess
    expect(read).toBeInstanceOf(StageAccessDeniedError);
    expect((read as StageAccessDeniedError).operation).toBe('read');
    expect(write).toBeInstanceOf(StageAccessDeniedError);
    expect((write as StageAccessDeniedError).operation).toBe('write');
    expect(write.message).toContain('s3:PutObject');
    // result.json could not be written either: the failure is logged, the stage error wins.
    expect(
      w.lines.some((l) => l.level === 'warn' && l.message === 'Could not record the stage result'),
    ).toBe(true);
  });

  it('503 SlowDown is retried by the resilience layer and the stage succeeds', async () => {
    // Prepare
    const w = world();
    w.s3.failNext(2, S3Errors.slowDown, { operation: 'PutObject' });
    // Act
    const result = await w.run(double, {
      executionId: 'e-1',
      currentStage: 'etl',
      initialData: [1],
    });
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(w.s3.stats().byOperation.PutObject?.faulted).toBe(2);
  });

  it('503 SlowDown past the retry budget fails with a transient StageStorageFailedError', async () => {
    // Prepare
    const w = world({ maxRetries: 1 });
    w.s3.failNext(5, S3Errors.slowDown, { operation: 'GetObject' });
    await w.s3.putText(BUCKET, stageOutputKey('e-1', 'etl'), '[1]', 'application/json');
    // Act
    const error = await rejection(
      w.run(double, { executionId: 'e-1', currentStage: 'score', previousStage: 'etl' }),
    );
    // Assess
    expect(error).toBeInstanceOf(StageStorageFailedError);
    expect((error as StageStorageFailedError).transient).toBe(true);
    expect((error as StageStorageFailedError).s3Code).toBe('SlowDown');
  });

  it('a missing bucket fails with WorkflowBucketNotFoundError', async () => {
    // Prepare
    const w = world();
    // Act
    const error = await rejection(
      w.run(double, {
        executionId: 'e-1',
        currentStage: 'etl',
        workflowBucket: 'gone-bucket',
        initialData: [],
      }),
    );
    // Assess
    expect(error).toBeInstanceOf(WorkflowBucketNotFoundError);
  });

  it('an input that is not JSON fails with StageInputFormatError', async () => {
    // Prepare
    const w = world();
    await w.s3.putText(BUCKET, stageOutputKey('e-1', 'etl'), '{oops', 'application/json');
    await w.s3.putText(
      BUCKET,
      stageOutputKey('e-2', 'etl'),
      '{"a":1}\nnot json\n',
      'application/x-ndjson',
    );
    // Act
    const json = await rejection(
      w.run(double, { executionId: 'e-1', currentStage: 's', previousStage: 'etl' }),
    );
    const lines = await rejection(
      w.run(double, { executionId: 'e-2', currentStage: 's', previousStage: 'etl' }),
    );
    // Assess
    expect(json).toBeInstanceOf(StageInputFormatError);
    expect(lines).toBeInstanceOf(StageInputFormatError);
    expect(lines.message).toContain('line 2');
  });

  it('an output with no JSON form fails with StageOutputFormatError', async () => {
    // Prepare
    const w = world();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // Act
    const undef = await rejection(
      w.run(() => undefined, { executionId: 'e-1', currentStage: 'a', initialData: 1 }),
    );
    const cycle = await rejection(
      w.run(() => cyclic, { executionId: 'e-1', currentStage: 'a', initialData: 1 }),
    );
    // Assess
    expect(undef).toBeInstanceOf(StageOutputFormatError);
    expect(cycle).toBeInstanceOf(StageOutputFormatError);
  });

  it('an invalid payload fails before any S3 call with InvalidExecutionContextError', async () => {
    // Prepare
    const w = world();
    // Act
    const error = await rejection(
      w.run(double, { executionId: 'a/b', currentStage: 'etl', initialData: [] }),
    );
    // Assess
    expect(error).toBeInstanceOf(InvalidExecutionContextError);
    expect(w.s3.stats().total.calls).toBe(0);
  });

  it('a thrown non-Error value is recorded as NonErrorThrown', async () => {
    // Prepare
    const w = world();
    const stage = () => {
      throw 'plain string'; // eslint-disable-line @typescript-eslint/only-throw-error
    };
    // Act
    const error = await rejection(
      w.run(stage, { executionId: 'e-1', currentStage: 'a', initialData: 1 }),
    );
    // Assess
    expect(error.name).toBe('NonErrorThrown');
    expect(await w.json(stageResultKey('e-1', 'a'))).toMatchObject({
      errorType: 'NonErrorThrown',
      errorMessage: 'plain string',
    });
  });
});

describe('workflow kit: streaming stages', () => {
  const addOne = streamingStage(async function* (records: AsyncIterable<{ n: number }>) {
    for await (const record of records) yield { n: record.n + 1 };
  });

  it('streams JSON Lines in and out; a plain JSON stage can read the output back', async () => {
    // Prepare
    const w = world();
    // Act
    const first = await w.run(addOne, {
      executionId: 'e-1',
      currentStage: 'a',
      initialData: [{ n: 1 }, { n: 2 }],
    });
    const second = await w.run(addOne, {
      executionId: 'e-1',
      currentStage: 'b',
      previousStage: 'a',
    });
    const plain = await w.run((all: { n: number }[]) => all.length, {
      executionId: 'e-1',
      currentStage: 'c',
      previousStage: 'b',
    });
    // Assess
    expect(await w.s3.readText(BUCKET, stageOutputKey('e-1', 'b'))).toBe('{"n":3}\n{"n":4}\n');
    expect(w.s3.info(BUCKET, stageOutputKey('e-1', 'b'))?.contentType).toBe('application/x-ndjson');
    expect(first).toMatchObject({ recordsProcessed: 2, recordsWritten: 2 });
    expect(second).toMatchObject({ recordsProcessed: 2, recordsWritten: 2 });
    expect(await w.json(stageOutputKey('e-1', 'c'))).toBe(2);
    expect(plain.recordsProcessed).toBe(2);
  });

  it('reads a plain JSON array (or single value) output record by record', async () => {
    // Prepare
    const w = world();
    await w.s3.putText(
      BUCKET,
      stageOutputKey('e-1', 'arr'),
      '[{"n":1},{"n":5}]',
      'application/json',
    );
    await w.s3.putText(BUCKET, stageOutputKey('e-1', 'one'), '{"n":7}', 'application/json');
    // Act
    await w.run(addOne, { executionId: 'e-1', currentStage: 'x', previousStage: 'arr' });
    await w.run(addOne, { executionId: 'e-1', currentStage: 'y', previousStage: 'one' });
    const single = await w.run(addOne, {
      executionId: 'e-2',
      currentStage: 'z',
      initialData: { n: 0 },
    });
    // Assess
    expect(await w.s3.readText(BUCKET, stageOutputKey('e-1', 'x'))).toBe('{"n":2}\n{"n":6}\n');
    expect(await w.s3.readText(BUCKET, stageOutputKey('e-1', 'y'))).toBe('{"n":8}\n');
    expect(single.recordsWritten).toBe(1);
  });

  it('uploads outputs larger than a part with multipart, and checks each record', async () => {
    // Prepare
    const w = world({ deps: { multipart: { partSizeBytes: 5 * 1024 * 1024, queueSize: 1 } } });
    const count = 70_000; // ~6.3 MB of lines: two parts of 5 MiB
    const stage = streamingStage(
      async function* (records: AsyncIterable<{ i: number }>) {
        for await (const r of records) yield { i: r.i, pad: 'x'.repeat(80) };
      },
      { parseRecord: (r) => r as { i: number } },
    );
    // Act
    const result = await w.run(stage, {
      executionId: 'e-1',
      currentStage: 'big',
      initialData: Array.from({ length: count }, (_, i) => ({ i })),
    });
    // Assess
    const info = w.s3.info(BUCKET, stageOutputKey('e-1', 'big'));
    expect(info?.etag).toMatch(/-2"$/);
    expect(result.recordsWritten).toBe(count);
    expect(w.s3.pendingUploads()).toEqual([]);
  });

  it('a record that fails mid-stream fails the stage with its own error and leaves no upload', async () => {
    // Prepare
    const w = world({ deps: { multipart: { partSizeBytes: 5 * 1024 * 1024 } } });
    const stage = streamingStage(async function* (records: AsyncIterable<number>) {
      for await (const r of records) {
        if (r === 60_000) throw new RangeError('record 60000 is out of range');
        yield { r, pad: 'y'.repeat(100) };
      }
    });
    // Act
    const error = await rejection(
      w.run(stage, {
        executionId: 'e-1',
        currentStage: 's',
        initialData: Array.from({ length: 70_000 }, (_, i) => i),
      }),
    );
    const bad = await rejection(
      w.run(
        streamingStage(function* () {
          yield undefined;
        }),
        { executionId: 'e-2', currentStage: 's', initialData: [1] },
      ),
    );
    // Assess
    expect(error).toBeInstanceOf(RangeError);
    expect(w.s3.pendingUploads()).toEqual([]);
    expect(await w.json(stageResultKey('e-1', 's'))).toMatchObject({
      errorType: 'RangeError',
      recordsProcessed: 60_001,
    });
    expect(bad).toBeInstanceOf(StageOutputFormatError);
  });
});

describe('workflow kit: wiring', () => {
  it('defaultStageDeps reads the environment on first use only, and fails clearly without a bucket', () => {
    // Prepare
    const broken = defaultStageDeps({});
    const ok = defaultStageDeps({ WORKFLOW_BUCKET: BUCKET, WORKFLOW_NAME: 'orders' });
    // Act
    const handler = createStageHandler(double, broken);
    // Assess
    expect(typeof handler).toBe('function');
    expect(() => broken()).toThrow(/WORKFLOW_BUCKET is not set/);
    expect(ok()).toBe(ok());
    expect(ok().config).toEqual({
      workflowBucket: BUCKET,
      workflowName: 'orders',
      stageName: undefined,
    });
  });

  it('warns when the payload names another stage than the function was deployed as', async () => {
    // Prepare
    const w = world({ stageName: 'etl' });
    // Act
    await w.run(double, { executionId: 'e-1', currentStage: 'score', initialData: [] });
    // Assess
    expect(w.lines.find((l) => l.level === 'warn')?.attributes).toMatchObject({
      stageFunction: 'etl',
      currentStage: 'score',
    });
  });

  it('passes the execution context to the stage', async () => {
    // Prepare
    const w = world();
    let seen: StageContext | undefined;
    // Act
    await w.run(
      (input: number, ctx: StageContext) => {
        seen = ctx;
        return input;
      },
      { executionId: 'e-9', currentStage: 'a', initialData: 5 },
    );
    // Assess
    expect(seen).toMatchObject({
      executionId: 'e-9',
      currentStage: 'a',
      previousStage: null,
      workflowBucket: BUCKET,
      initialData: 5,
    });
  });

  it('works with minimal deps: system clock for timing, Powertools logger by default', async () => {
    // Prepare
    const w = world();
    const handler = createStageHandler(double, { config: w.deps.config, s3: w.deps.s3 });
    // Act
    const result = await handler({ executionId: 'e-min', currentStage: 'etl', initialData: [4] });
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(await w.json(stageOutputKey('e-min', 'etl'))).toEqual([8]);
  });

  it('records an error without a name as Error', async () => {
    // Prepare
    const w = world();
    const nameless = new Error('no name');
    nameless.name = '';
    // Act
    await rejection(
      w.run(() => Promise.reject(nameless), {
        executionId: 'e-n',
        currentStage: 'a',
        initialData: 1,
      }),
    );
    // Assess
    expect(await w.json(stageResultKey('e-n', 'a'))).toMatchObject({
      errorType: 'Error',
      errorMessage: 'no name',
    });
  });

  it('takes deps as a factory, and records thrown objects and stackless errors', async () => {
    // Prepare
    const w = world();
    const stackless = new Error('no stack');
    stackless.stack = undefined;
    const viaFactory = (stage: () => unknown) =>
      w.clock.run(() =>
        createStageHandler(
          stage,
          () => w.deps,
        )({ executionId: 'e-f', currentStage: 'a', initialData: 1 }),
      );
    // Act
    const objectThrown = await rejection(viaFactory(() => Promise.reject({ code: 7 }))); // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors
    const recordedObject = await w.json(stageResultKey('e-f', 'a'));
    await rejection(viaFactory(() => Promise.reject(stackless)));
    // Assess
    expect(objectThrown.message).toBe('{"code":7}');
    expect(recordedObject).toMatchObject({
      errorType: 'NonErrorThrown',
      errorMessage: '{"code":7}',
    });
    expect(await w.json(stageResultKey('e-f', 'a'))).toMatchObject({
      errorMessage: 'no stack',
      stackTrace: [],
    });
  });

  it('a streaming stage tells a denied upload apart, and reports a non-Error it throws', async () => {
    // Prepare
    const w = world();
    w.s3.deny((r) => r.action === 's3:PutObject' && r.key?.endsWith('output.json') === true);
    const echo = streamingStage(async function* (records: AsyncIterable<number>) {
      for await (const r of records) yield r;
    });
    const throwsText = streamingStage(function* () {
      yield 1;
      throw 'not an error'; // eslint-disable-line @typescript-eslint/only-throw-error
    });
    // Act
    const denied = await rejection(
      w.run(echo, { executionId: 'e-d', currentStage: 's', initialData: [1, 2] }),
    );
    const text = await rejection(
      w.run(throwsText, { executionId: 'e-t', currentStage: 's', initialData: [1] }),
    );
    // Assess
    expect(denied).toBeInstanceOf(StageAccessDeniedError);
    expect(text.message).toBe('"not an error"');
  });
});
