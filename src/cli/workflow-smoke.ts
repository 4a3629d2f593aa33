/**
 * `opskit workflow smoke`: the post-deployment smoke test of a deployed S3Workflow (see
 * src/workflow/smoke.ts). Real SQS and S3 clients, made resilient; tests inject their own.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { systemClock, type Clock } from '../resilience/clock.js';
import { createResilientClient } from '../resilience/resilient-client.js';
import { bucketNameProblem } from '../workflow/contract.js';
import { segmentProblem } from '../workflow/paths.js';
import {
  DEFAULT_SMOKE_LAST_STAGE,
  DEFAULT_SMOKE_TIMEOUT_MS,
  SMOKE_MARKER_PLACEHOLDER,
  runWorkflowSmoke,
  smokeInputFromTemplate,
} from '../workflow/smoke.js';
import { parseCommandFlags } from './flags.js';
import { CliUsageError, ExitCodes } from './errors.js';
import type { CliIo } from './io.js';

export const WORKFLOW_SMOKE_HELP = `Usage: opskit workflow smoke --queue-url <url> --bucket <name> [options]

Smoke-tests a deployed S3 workflow: sends one message with a unique marker to its queue, then
polls the workflow bucket until an execution that started after the send writes
executions/{id}/<last stage>/output.json containing the marker. Uses your AWS credentials
(sqs:SendMessage on the queue; s3:ListBucket and s3:GetObject on executions/).

Options:
  --queue-url <url>         The workflow queue (stack output QueueUrl)
  --bucket <name>           The workflow bucket (stack output BucketName)
  --timeout <seconds>       How long to wait for the output (default: ${DEFAULT_SMOKE_TIMEOUT_MS / 1000})
  --last-stage <name>       The stage whose output ends the workflow (default: ${DEFAULT_SMOKE_LAST_STAGE})
  --input <file.json>       The message body; every ${SMOKE_MARKER_PLACEHOLDER} in it is replaced by the
                            marker, which the last stage's output must contain (default: the
                            example's sample, the marker in its customer ids)
  --region <region>         AWS region (default: the queue URL's, else your AWS config)
  --json                    Print the report as JSON
  -h, --help                Show this help

Exit codes: 0 passed, 1 failed (timeout: the message says what the new executions reached),
2 wrong command line.
`;

const OPTIONS = {
  'queue-url': { type: 'string' },
  bucket: { type: 'string' },
  timeout: { type: 'string' },
  'last-stage': { type: 'string' },
  input: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP_HINT = "Run 'opskit workflow smoke --help' for the options.";
/** The longest wait the command accepts (an EXPRESS run is ≤ 5 minutes; STANDARD may be long). */
const MAX_TIMEOUT_SECONDS = 24 * 60 * 60;

/** What the command needs from outside: AWS clients and time. */
export interface WorkflowSmokeCliDeps {
  clients(region: string | undefined): { sqs: SQSClient; s3: S3Client };
  readonly clock: Clock;
}

export const defaultWorkflowSmokeCliDeps: WorkflowSmokeCliDeps = {
  clients: (region) => {
    const config = region === undefined ? {} : { region };
    return {
      sqs: createResilientClient(SQSClient, config),
      s3: createResilientClient(S3Client, config),
    };
  },
  clock: systemClock,
};

/** `https://sqs.eu-west-1.amazonaws.com/...` → `eu-west-1`. */
export function regionOfQueueUrl(url: string): string | undefined {
  return /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//.exec(url)?.[1];
}

function parseFlags(args: readonly string[]) {
  return parseCommandFlags(args, OPTIONS, 'workflow smoke');
}

function required(value: string | undefined, flag: string, what: string): string {
  if (value === undefined || value.trim() === '') {
    throw new CliUsageError(`--${flag} is required: give ${what}. ${HELP_HINT}`);
  }
  return value.trim();
}

function timeoutMs(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_SMOKE_TIMEOUT_MS;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || value <= 0 || value > MAX_TIMEOUT_SECONDS) {
    throw new CliUsageError(
      `--timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}, got '${raw}'.`,
    );
  }
  return value * 1000;
}

/** Runs the command; returns the exit code. Usage problems are thrown as CliUsageError. */
export async function workflowSmoke(
  args: readonly string[],
  io: CliIo,
  deps: WorkflowSmokeCliDeps = defaultWorkflowSmokeCliDeps,
): Promise<number> {
  const flags = parseFlags(args);
  if (flags.help === true) {
    io.stdout(WORKFLOW_SMOKE_HELP);
    return ExitCodes.ok;
  }
  const queueUrl = required(flags['queue-url'], 'queue-url', 'the workflow queue URL (QueueUrl)');
  if (!/^https:\/\/\S+$/.test(queueUrl)) {
    throw new CliUsageError(
      `--queue-url must be the queue's https URL (the stack output QueueUrl), got '${queueUrl}'.`,
    );
  }
  const bucket = required(flags.bucket, 'bucket', 'the workflow bucket name (BucketName)');
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem !== undefined) {
    throw new CliUsageError(`--bucket '${bucket}' ${bucketProblem}.`);
  }
  const lastStage = flags['last-stage'] ?? DEFAULT_SMOKE_LAST_STAGE;
  const stageProblem = segmentProblem(lastStage);
  if (stageProblem !== undefined) {
    throw new CliUsageError(`--last-stage '${lastStage}' ${stageProblem}: give a stage name.`);
  }
  const timeout = timeoutMs(flags.timeout);
  let input: ((marker: string) => unknown) | undefined;
  if (flags.input !== undefined) {
    const path = flags.input;
    let text: string;
    try {
      text = await io.readFile(path);
    } catch (error) {
      throw new CliUsageError(
        `--input: cannot read '${path}': ${(error as Error).message}. Check the path.`,
      );
    }
    if (!text.includes(SMOKE_MARKER_PLACEHOLDER)) {
      throw new CliUsageError(
        `--input: '${path}' has no ${SMOKE_MARKER_PLACEHOLDER}: put it where the last stage's ` +
          'output will repeat it (e.g. in an id), so the smoke test can find its execution.',
      );
    }
    try {
      smokeInputFromTemplate(text, 'smoke-check');
    } catch (error) {
      throw new CliUsageError(`--input: '${path}' is not valid JSON: ${(error as Error).message}.`);
    }
    input = (marker) => smokeInputFromTemplate(text, marker);
  }
  const { sqs, s3 } = deps.clients(flags.region ?? regionOfQueueUrl(queueUrl));
  const report = await runWorkflowSmoke({
    sqs,
    s3,
    queueUrl,
    bucket,
    lastStage,
    timeoutMs: timeout,
    clock: deps.clock,
    ...(input === undefined ? {} : { input }),
  });
  io.stdout(flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${report.message}\n`);
  if (!report.ok) {
    if (flags.json === true) io.stderr(`${report.message}\n`);
    return ExitCodes.failure;
  }
  return ExitCodes.ok;
}
