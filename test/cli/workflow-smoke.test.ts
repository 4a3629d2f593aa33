import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { CliUsageError, ExitCodes } from '../../src/cli/errors.js';
import {
  WORKFLOW_SMOKE_HELP,
  defaultWorkflowSmokeCliDeps,
  regionOfQueueUrl,
  workflowSmoke,
  type WorkflowSmokeCliDeps,
} from '../../src/cli/workflow-smoke.js';
import { createSimulatedClient } from '../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';
import {
  EXAMPLE_REGION,
  EXAMPLE_STAGE_IMPLEMENTATIONS,
  synthesizeExampleWorkflow,
} from '../../src/workflow/local-run/example.js';
import { createWorkflowWorld, type WorkflowWorld } from '../../src/workflow/local-run/world.js';
import { fakeIo } from './fake-io.js';

let world: WorkflowWorld | undefined;

afterEach(async () => {
  await world?.dispose();
  world?.clock.uninstall();
  world = undefined;
});

/** The deployed workflow, simulated; the command's clients are mounted on its models. */
function deployed(pipeEnabled = true): { w: WorkflowWorld; deps: WorkflowSmokeCliDeps } {
  const clock = VirtualClock.install();
  const w = createWorkflowWorld({
    template: synthesizeExampleWorkflow('EXPRESS'),
    clock,
    stages: EXAMPLE_STAGE_IMPLEMENTATIONS,
    pipeEnabled,
  });
  world = w;
  const regions: (string | undefined)[] = [];
  return {
    w,
    deps: {
      clock,
      clients: (region) => {
        regions.push(region);
        return {
          sqs: createSimulatedClient(SQSClient, { region: EXAMPLE_REGION }, w.sqs),
          s3: createSimulatedClient(S3Client, { region: EXAMPLE_REGION }, w.s3),
        };
      },
    },
  };
}

const Q = 'https://sqs.eu-west-1.amazonaws.com/123456789012/wf-queue';

describe('cli: opskit workflow smoke', () => {
  it('prints its help', async () => {
    const { io, stdout } = fakeIo();
    expect(await workflowSmoke(['--help'], io)).toBe(ExitCodes.ok);
    expect(stdout()).toBe(WORKFLOW_SMOKE_HELP);
  });

  it('passes against the (simulated) deployed workflow and exits 0', async () => {
    const { w, deps } = deployed();
    const { io, stdout, stderr } = fakeIo();
    const code = await w.clock.run(() =>
      workflowSmoke(['--queue-url', w.queueUrl, '--bucket', w.bucket], io, deps),
    );
    expect(stderr()).toBe('');
    expect(stdout()).toMatch(
      /^Smoke test passed: execution local-0001 wrote s3:\/\/\S+\/executions\/local-0001\/reactive\/output\.json with marker 'smoke-[0-9a-f-]{36}'/,
    );
    expect(code).toBe(ExitCodes.ok);
  });

  it('uses an --input file with the {{marker}} placeholder', async () => {
    const { w, deps } = deployed();
    const { io, stdout } = fakeIo({
      'in.json':
        '{"records":[{"customerId":"{{marker}}","type":"purchase","amount":900,"timestamp":"2025-01-01T00:00:00Z"}]}',
    });
    const code = await w.clock.run(() =>
      workflowSmoke(
        ['--queue-url', w.queueUrl, '--bucket', w.bucket, '--input', 'in.json', '--json'],
        io,
        deps,
      ),
    );
    const report = JSON.parse(stdout()) as { ok: boolean; marker: string; output: unknown };
    expect(report.ok).toBe(true);
    expect(JSON.stringify(report.output)).toContain(report.marker);
    expect(code).toBe(ExitCodes.ok);
  });

  it('exits 1 on a timeout, with the reason on stdout (and on stderr with --json)', async () => {
    const { w, deps } = deployed(false);
    const { io, stdout, stderr } = fakeIo();
    const code = await w.clock.run(() =>
      workflowSmoke(
        ['--queue-url', w.queueUrl, '--bucket', w.bucket, '--timeout', '10', '--json'],
        io,
        deps,
      ),
    );
    expect(code).toBe(ExitCodes.failure);
    const report = JSON.parse(stdout()) as { ok: boolean; elapsedMs: number };
    expect(report).toMatchObject({ ok: false, elapsedMs: 10_000 });
    expect(stderr()).toMatch(/^Smoke test failed: .* within 10 s .*Pipe is RUNNING/);
  });

  it.each([
    [[], /--queue-url is required: give the workflow queue URL/],
    [['--queue-url', Q], /--bucket is required/],
    [['--queue-url', 'wf-queue', '--bucket', 'b-1-x'], /--queue-url must be the queue's https URL/],
    [['--queue-url', Q, '--bucket', 'Bad_Bucket'], /--bucket 'Bad_Bucket' must be 3–63 lowercase/],
    [
      ['--queue-url', Q, '--bucket', 'wf-bucket', '--timeout', '0'],
      /--timeout must be a number of seconds above 0 and at most 86400, got '0'/,
    ],
    [['--queue-url', Q, '--bucket', 'wf-bucket', '--timeout', 'soon'], /got 'soon'/],
    [
      ['--queue-url', Q, '--bucket', 'wf-bucket', '--last-stage', 'a/b'],
      /--last-stage 'a\/b' contains "\/"/,
    ],
    [
      ['--queue-url', Q, '--bucket', 'wf-bucket', '--input', 'none.json'],
      /cannot read 'none.json'/,
    ],
    [['--queue-url', Q, '--bucket', 'wf-bucket', '--input', 'plain.json'], /has no \{\{marker\}\}/],
    [['--queue-url', Q, '--bucket', 'wf-bucket', '--input', 'bad.json'], /is not valid JSON/],
    [['--bogus'], /Unknown option '--bogus'\. Run 'opskit workflow smoke --help'/],
  ])('refuses %j with a clear message', async (args, message) => {
    const { io } = fakeIo({ 'plain.json': '{"a":1}', 'bad.json': '{"id":"{{marker}}"' });
    const error = await workflowSmoke(args, io, {
      clock: defaultWorkflowSmokeCliDeps.clock,
      clients: () => {
        throw new Error('no client may be made for a wrong command line');
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toMatch(message);
  });

  it('takes the region from the queue URL unless --region is given', async () => {
    expect(regionOfQueueUrl(Q)).toBe('eu-west-1');
    expect(regionOfQueueUrl('https://sqs.cn-north-1.amazonaws.com.cn/1/q')).toBe('cn-north-1');
    expect(regionOfQueueUrl('http://localhost:4566/q')).toBeUndefined();
    const { sqs, s3 } = defaultWorkflowSmokeCliDeps.clients('eu-central-1');
    expect(await sqs.config.region()).toBe('eu-central-1');
    expect(await s3.config.region()).toBe('eu-central-1');
  });
});
