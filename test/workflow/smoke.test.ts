/**
 * The post-deployment smoke test against the local world: the synthesized example workflow on
 * the SQS and S3 models, delivered by the simulated Pipe to the local state machine, with the
 * smoke test's SQS and S3 clients mounted on the same models. Virtual time.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedClient } from '../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';
import {
  EXAMPLE_REGION,
  EXAMPLE_STAGE_IMPLEMENTATIONS,
  exampleGlueJob,
  synthesizeExampleWorkflow,
} from '../../src/workflow/local-run/example.js';
import type { CfnTemplate } from '../../src/workflow/local-run/template.js';
import { createWorkflowWorld, type WorkflowWorld } from '../../src/workflow/local-run/world.js';
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

function start(template: CfnTemplate, pipeEnabled = true): WorkflowWorld {
  const clock = VirtualClock.install();
  world = createWorkflowWorld({
    template,
    clock,
    stages: EXAMPLE_STAGE_IMPLEMENTATIONS,
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
