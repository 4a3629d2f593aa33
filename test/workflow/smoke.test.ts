/**
 * The post-deployment smoke test against the local world: the synthesized example workflow on
 * the SQS and S3 models, delivered by the simulated Pipe to the local state machine, with the
 * smoke test's SQS and S3 clients mounted on the same models. Virtual time.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedClient } from '../../src/simulation/sdk-mount.js';
import type { ServiceModel } from '../../src/simulation/service-model.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';
import {
  EXAMPLE_REGION,
  EXAMPLE_STAGE_IMPLEMENTATIONS,
  exampleGlueJob,
  synthesizeExampleWorkflow,
} from '../../src/workflow/local-run/example.js';
import type { CfnTemplate } from '../../src/workflow/local-run/template.js';
import {
  createWorkflowWorld,
  type WorkflowWorld,
  type WorkflowWorldOptions,
} from '../../src/workflow/local-run/world.js';
import {
  exampleSmokeInput,
  runWorkflowSmoke,
  smokeInputFromTemplate,
  type WorkflowSmokeOptions,
} from '../../src/workflow/smoke.js';

let express: CfnTemplate;
let standard: CfnTemplate;
let world: WorkflowWorld | undefined;

beforeAll(() => {
  express = synthesizeExampleWorkflow('EXPRESS');
  standard = synthesizeExampleWorkflow('STANDARD');
});

afterEach(async () => {
  await world?.dispose();
  world?.clock.uninstall();
  world = undefined;
});

function start(
  template: CfnTemplate,
  pipeEnabled = true,
  stages: WorkflowWorldOptions['stages'] = EXAMPLE_STAGE_IMPLEMENTATIONS,
): WorkflowWorld {
  const clock = VirtualClock.install();
  world = createWorkflowWorld({
    template,
    clock,
    stages,
    glueJobs: exampleGlueJob(),
    pipeEnabled,
  });
  return world;
}

function smokeOptions(
  w: WorkflowWorld,
  extra: Partial<WorkflowSmokeOptions> = {},
): WorkflowSmokeOptions {
  return {
    sqs: createSimulatedClient(SQSClient, { region: EXAMPLE_REGION }, w.sqs),
    s3: createSimulatedClient(S3Client, { region: EXAMPLE_REGION }, w.s3),
    queueUrl: w.queueUrl,
    bucket: w.bucket,
    clock: w.clock,
    ...extra,
  };
}

/** The smoke test's own S3 calls (not the stages'), as (operation, Key or Prefix). */
interface S3Call {
  readonly operation: string;
  readonly target: string;
}

/** Smoke options whose S3 client records every call it makes on the world's S3 model. */
/** Smoke options whose S3 client records every call it makes on the world's S3 model. */
function countedSmokeOptions(
  w: WorkflowWorld,
  extra: Partial<WorkflowSmokeOptions>,
  before?: (operation: string, key: string) => Promise<void>,
): { options: WorkflowSmokeOptions; calls: S3Call[] } {
  const calls: S3Call[] = [];
  const counting: ServiceModel = {
    name: w.s3.name,
    handle: async (operation, input, context) => {
      const target = input.Key ?? input.Prefix;
      calls.push({ operation, target: typeof target === 'string' ? target : '' });
      await before?.(operation, typeof input.Key === 'string' ? input.Key : '');
      return w.s3.handle(operation, input, context);
    },
  };
  const s3 = createSimulatedClient(S3Client, { region: EXAMPLE_REGION }, counting);
  return { options: smokeOptions(w, { s3, ...extra }), calls };
}

const DIRECT = { requestId: 'r', clientName: undefined, attempt: undefined };

/** Writes or deletes an object on the world's S3 model directly (not through the smoke test). */
async function s3Direct(
  w: WorkflowWorld,
  operation: 'PutObject' | 'DeleteObject',
  key: string,
  body = '',
): Promise<void> {
  await w.s3.handle(
    operation,
    { Bucket: w.bucket, Key: key, ...(operation === 'PutObject' ? { Body: body } : {}) },
    { operation, ...DIRECT },
  );
}

function count(calls: readonly S3Call[], operation: string, target: RegExp): number {
  return calls.filter((c) => c.operation === operation && target.test(c.target)).length;
}

describe('workflow smoke: S3 calls per execution', () => {
  async function deniedRun(timeoutMs: number): Promise<S3Call[]> {
    const w = start(express);
    w.s3.deny((r) => r.operation === 'GetObject' && /\/filter\/output\.json$/.test(r.key ?? ''));
    const { options, calls } = countedSmokeOptions(w, { marker: 'smoke-cost', timeoutMs });
    const report = await w.clock.run(() => runWorkflowSmoke(options));
    expect(report.ok).toBe(false);
    expect(report.executions[0]?.failures.map((f) => f.errorType)).toEqual([
      'StageAccessDeniedError',
    ]);
    await world?.dispose();
    world?.clock.uninstall();
    world = undefined;
    return calls;
  }

  it('stops reading an execution that failed for good, however long the smoke test polls', async () => {
    // Act: the same permanently failing execution, watched for 90 s and for 10 minutes.
    const short = await deniedRun(90_000);
    const long = await deniedRun(600_000);

    // Assess: its objects are read once each (etl, filter, score result.json; its last output
    // never exists), its folder is listed only until the failure is seen.
    const execution = /^executions\/local-0001\//;
    expect(count(long, 'GetObject', execution)).toBe(3);
    expect(count(long, 'GetObject', execution)).toBe(count(short, 'GetObject', execution));
    expect(count(long, 'ListObjectsV2', execution)).toBe(count(short, 'ListObjectsV2', execution));
    // Only the executions/ listing grows with the polls: one page per poll (5 s) plus the one
    // before the send.
    expect(count(long, 'ListObjectsV2', /^executions\/$/)).toBe(600_000 / 5_000 + 2);
    // The message, redelivered after each failed execution, starts more of them: each costs
    // the same few calls.
    const folders = new Set(
      long.map((c) => /^executions\/[^/]+\//.exec(c.target)?.[0]).filter((f) => f !== undefined),
    );
    expect(folders.has('executions/local-0001/')).toBe(true);
    for (const folder of folders) {
      const calls = long.filter((c) => c.target.startsWith(folder));
      expect({ folder, calls }).toEqual({
        folder,
        calls: [
          { operation: 'ListObjectsV2', target: folder },
          ...['etl', 'filter', 'score'].map((stage) => ({
            operation: 'GetObject',
            target: `${folder}${stage}/result.json`,
          })),
        ],
      });
    }
  });

  it('reads a still-failing execution’s results once per version while retries may still fix it', async () => {
    // Prepare: ETL fails with an error the state machine retries (2 × 20 s × 2), then gives up.
    const w = start(express, true, {
      ...EXAMPLE_STAGE_IMPLEMENTATIONS,
      etl: () => {
        throw new Error('upstream unavailable');
      },
    });
    const { options, calls } = countedSmokeOptions(w, {
      marker: 'smoke-retry',
      timeoutMs: 300_000,
    });

    // Act
    const report = await w.clock.run(() => runWorkflowSmoke(options));

    // Assess: the execution stays watched (a LIST per poll) but its result is fetched once: the
    // retries rewrote the same content (same ETag).
    expect(report.ok).toBe(false);
    expect(report.executions[0]?.failures).toEqual([
      { stage: 'etl', errorType: 'Error', errorMessage: 'upstream unavailable' },
    ]);
    expect(report.message).toContain(
      'local-0001: outputs of no stage; etl FAILED: Error: upstream unavailable',
    );
    expect(count(calls, 'GetObject', /^executions\/local-0001\//)).toBe(1);
    expect(count(calls, 'ListObjectsV2', /^executions\/local-0001\/$/)).toBeGreaterThan(50);
  });

  it('pages the executions/ listing, rereads a rewritten result, and skips what is not its own', async () => {
    // Prepare: 1,001 executions kept (two LIST pages), and no Pipe: the test writes the folders.
    const w = start(express, false);
    for (let i = 0; i <= 1_000; i += 1) {
      await s3Direct(
        w,
        'PutObject',
        `executions/old-${String(i).padStart(4, '0')}/etl/output.json`,
      );
    }
    // e-3's last output disappears between the listing and the GET (expired, say).
    const { options, calls } = countedSmokeOptions(
      w,
      { marker: 'smoke-x', timeoutMs: 20_000 },
      async (operation, key) => {
        if (operation === 'GetObject' && key.startsWith('executions/e-3/')) {
          await s3Direct(w, 'DeleteObject', key);
        }
      },
    );
    const result = (body: object | string): string =>
      typeof body === 'string' ? body : JSON.stringify(body);

    // Act: after the send, e-1's result says FAILED, then a retry overwrites it with SUCCEEDED;
    // e-2's result is not JSON; folders no execution could name carry the marker.
    const report = await w.clock.run(async () => {
      const smoke = runWorkflowSmoke(options);
      await w.clock.sleep(1);
      const failed = { status: 'FAILED', errorType: 'Error', errorMessage: 'flaky' };
      await s3Direct(w, 'PutObject', 'executions/e-1/etl/result.json', result(failed));
      await s3Direct(w, 'PutObject', 'executions/e-2/etl/result.json', result('not json'));
      await s3Direct(w, 'PutObject', 'executions/e-3/reactive/output.json', 'smoke-x');
      await s3Direct(w, 'PutObject', 'executions/not an id/reactive/output.json', 'smoke-x');
      await s3Direct(w, 'PutObject', 'executions//reactive/output.json', 'smoke-x');
      await w.clock.sleep(6_000);
      const succeeded = { status: 'SUCCEEDED' };
      await s3Direct(w, 'PutObject', 'executions/e-1/etl/result.json', result(succeeded));
      return smoke;
    });

    // Assess
    expect(report.ok).toBe(false);
    expect(report.executions).toEqual(
      ['e-1', 'e-2', 'e-3'].map((executionId) => ({
        executionId,
        stagesWithOutput: [],
        failures: [],
      })),
    );
    expect(count(calls, 'GetObject', /^executions\/e-1\/etl\/result\.json$/)).toBe(2);
    expect(count(calls, 'GetObject', /^executions\/e-2\//)).toBe(1);
    expect(count(calls, 'GetObject', /^executions\/e-3\//)).toBe(1);
    expect(count(calls, 'GetObject', /not an id|executions\/\//)).toBe(0);
    // Two pages per listing: before the send and at 0, 5, 10, 15 and 20 s.
    expect(count(calls, 'ListObjectsV2', /^executions\/$/)).toBe(2 * 6);
  });
});

describe('workflow smoke: against the simulated deployment', () => {
  it('EXPRESS: finds the execution its message started and its last output, ignoring older runs', async () => {
    // Prepare: an earlier execution already left its folders (it must not be taken for ours).
    const w = start(express);
    w.send(exampleSmokeInput('earlier'));
    await w.clock.advance(60_000);
    const [earlier] = await w.pipe.settled();
    expect(earlier?.status).toBe('SUCCEEDED');

    // Act
    const report = await w.clock.run(() =>
      runWorkflowSmoke(smokeOptions(w, { marker: 'smoke-1' })),
    );

    // Assess
    expect(report.message).toMatch(/^Smoke test passed: execution local-0002 wrote/);
    expect(report.ok).toBe(true);
    expect(report.executionId).toBe('local-0002');
    expect(report.outputKey).toBe('executions/local-0002/reactive/output.json');
    expect(JSON.stringify(report.output)).toContain('smoke-1-c-1');
    expect(report.elapsedMs).toBeLessThan(120_000);
    expect(report.messageId).not.toBe('');
  });

  it('STANDARD with the Glue step: waits through the 2-minute job run', async () => {
    const w = start(standard);
    const report = await w.clock.run(() =>
      runWorkflowSmoke(smokeOptions(w, { marker: 'smoke-std', timeoutMs: 600_000 })),
    );
    expect(report.ok, report.message).toBe(true);
    expect(report.elapsedMs).toBeGreaterThanOrEqual(120_000);
  });

  it('ignores a new execution whose output lacks the marker (other traffic)', async () => {
    // Prepare: another producer's message is in the queue before ours.
    const w = start(express);
    w.send(exampleSmokeInput('someone-else'));

    // Act
    const report = await w.clock.run(() => runWorkflowSmoke(smokeOptions(w, { marker: 'mine' })));

    // Assess: local-0001 is the other producer's, local-0002 ours.
    expect(report.ok).toBe(true);
    expect(report.executionId).toBe('local-0002');
  });

  it('times out with a clear message when nothing runs (the Pipe is stopped)', async () => {
    const w = start(express, false);
    const report = await w.clock.run(() =>
      runWorkflowSmoke(smokeOptions(w, { marker: 'smoke-2', timeoutMs: 30_000 })),
    );
    expect(report.ok).toBe(false);
    expect(report.elapsedMs).toBe(30_000);
    expect(report.executions).toEqual([]);
    expect(report.message).toBe(
      `Smoke test failed: no execution wrote s3://${w.bucket}/executions/{id}/reactive/output.json ` +
        `with marker 'smoke-2' within 30 s of sending it to ${w.queueUrl}. No new execution ` +
        'wrote anything: check that the Pipe is RUNNING (aws pipes describe-pipe), the ' +
        'dead-letter queue, and the state machine’s executions and log group.',
    );
    // The message is still there for the Pipe.
    expect(w.sqs.counts(w.queueUrl).visible).toBe(1);
  });

  it('times out naming the stage that failed and its error when a stage cannot read its input', async () => {
    // Prepare: Score may not read Filter's output (a missing grant).
    const w = start(express);
    w.s3.deny((r) => r.operation === 'GetObject' && /\/filter\/output\.json$/.test(r.key ?? ''));

    // Act
    const report = await w.clock.run(() =>
      runWorkflowSmoke(smokeOptions(w, { marker: 'smoke-3', timeoutMs: 90_000 })),
    );

    // Assess
    expect(report.ok).toBe(false);
    expect(report.executions.map((e) => e.executionId)).toEqual(['local-0001']);
    expect(report.executions[0]?.stagesWithOutput).toEqual(['etl', 'filter']);
    expect(report.executions[0]?.failures.map((f) => `${f.stage}:${f.errorType}`)).toEqual([
      'score:StageAccessDeniedError',
    ]);
    expect(report.message).toContain(
      'New executions: local-0001: outputs of etl, filter; score FAILED: StageAccessDeniedError: Access denied (403)',
    );
  });

  it('reports a JSON Lines last output as text, and fails on S3 errors other than a missing key', async () => {
    // Prepare: Score (streaming) taken as the last stage.
    const w = start(express);
    const report = await w.clock.run(() =>
      runWorkflowSmoke(smokeOptions(w, { marker: 'smoke-jl', lastStage: 'score' })),
    );
    expect(report.ok).toBe(true);
    expect(typeof report.output).toBe('string');
    expect(String(report.output).trim().split('\n').length).toBeGreaterThan(1);

    // Act: the smoke test's role may not read the outputs.
    w.s3.deny((r) => r.operation === 'GetObject');
    const denied = w.clock.run(() =>
      runWorkflowSmoke(smokeOptions(w, { marker: 'smoke-403', timeoutMs: 60_000 })),
    );

    // Assess
    await expect(denied).rejects.toThrow(/Access Denied/);
  });

  it('builds inputs that carry the marker', () => {
    const input = exampleSmokeInput('m-1');
    expect(input.filter((r) => String(r.customerId).startsWith('m-1-'))).toHaveLength(4);
    expect(smokeInputFromTemplate('{"id":"{{marker}}","n":[1,"{{marker}}"]}', 'x')).toEqual({
      id: 'x',
      n: [1, 'x'],
    });
  });
});
