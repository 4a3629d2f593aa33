/**
 * A simulated Glue job run for `glue:startJobRun(.sync)` tasks. The job follows the workflow's
 * I/O convention: it reads `--input-bucket`/`--input-key`, applies its transformation (the TS
 * twin of the PySpark script's plain functions) and writes `--output-bucket`/`--output-key`,
 * through the S3 model. Its run takes `durationMs` of virtual time and can be made to fail.
 *
 * Answers as Step Functions' Glue integration does: `.sync` returns the finished JobRun
 * (`JobRunState: SUCCEEDED`); a FAILED/TIMEOUT run fails the task with `States.TaskFailed` and
 * the JobRun as cause. Not modeled: DPUs, concurrency limits, bookmarks, job retries (MaxRetries).
 */
import type { Clock } from '../../resilience/clock.js';
import { LocalRunConfigError, TaskFailure } from './errors.js';
import type { ObjectStore } from './object-store.js';

/** What a job's transformation receives. */
export interface GlueJobContext {
  readonly jobName: string;
  readonly runId: string;
  /** The job run's arguments, e.g. `--execution-id`. */
  readonly arguments: Readonly<Record<string, string>>;
}

export interface SimulatedGlueJob {
  /**
   * The transformation, from the input object's text to the output's (the job's own format:
   * the example's job writes JSON Lines). `jsonGlueJob` adapts a JSON-to-JSON function.
   */
  readonly transform: (input: string, context: GlueJobContext) => string | Promise<string>;
  /**
   * Content type of the output object; the stage kit reads JSON Lines only when it says
   * `application/x-ndjson` (the example's job sets it when it copies its part).
   * @default 'application/json'
   */
  readonly outputContentType?: string;
  /** Arguments the job definition sets (`DefaultArguments`); a run's own override them. */
  readonly defaultArguments?: Readonly<Record<string, string>>;
  /** Virtual time a run takes. @default 60000 (one minute) */
  readonly durationMs?: number;
  /**
   * Makes run number `n` (1-based, per job) fail: return the error message, or undefined to
   * let it run. @default - no run fails
   */
  readonly failRun?: (n: number) => string | undefined;
  /** The job's timeout; a run longer than this ends TIMEOUT. @default 2880 minutes (Glue's) */
  readonly timeoutMinutes?: number;
}

/** A job whose transformation maps the parsed JSON input to a JSON-serialisable output. */
export function jsonGlueJob(
  transform: (input: unknown, context: GlueJobContext) => unknown,
  options: Omit<SimulatedGlueJob, 'transform'> = {},
): SimulatedGlueJob {
  return {
    ...options,
    transform: (text, context) => JSON.stringify(transform(JSON.parse(text), context)),
  };
}

export type JobRunState = 'SUCCEEDED' | 'FAILED' | 'TIMEOUT';

/** The JobRun fields Step Functions hands on (times in epoch ms, as in its output). */
export interface SimulatedJobRun {
  readonly Id: string;
  readonly JobName: string;
  readonly Attempt: number;
  readonly Arguments: Readonly<Record<string, string>>;
  readonly JobRunState: JobRunState;
  readonly StartedOn: number;
  readonly CompletedOn: number;
  readonly LastModifiedOn: number;
  readonly ExecutionTime: number;
  readonly Timeout: number;
  readonly ErrorMessage?: string;
}

export interface SimulatedGlueOptions {
  readonly clock: Clock;
  readonly store: ObjectStore;
  /** Jobs by name (the job's `Name` in the template, or its fake name). */
  readonly jobs: Readonly<Record<string, SimulatedGlueJob>>;
}

const DEFAULT_DURATION_MS = 60_000;
const DEFAULT_TIMEOUT_MINUTES = 2_880;
const REQUIRED_ARGUMENTS = ['--input-bucket', '--input-key', '--output-bucket', '--output-key'];

export class SimulatedGlue {
  private readonly clock: Clock;
  private readonly store: ObjectStore;
  private readonly jobs: Readonly<Record<string, SimulatedGlueJob>>;
  private readonly runsByJob = new Map<string, number>();
  private readonly log: SimulatedJobRun[] = [];
  private runs = 0;

  constructor(options: SimulatedGlueOptions) {
    this.clock = options.clock;
    this.store = options.store;
    this.jobs = options.jobs;
    for (const [name, job] of Object.entries(options.jobs)) {
      const duration = job.durationMs ?? DEFAULT_DURATION_MS;
      if (!Number.isFinite(duration) || duration < 0) {
        throw new LocalRunConfigError(
          `Glue job '${name}': durationMs must be >= 0, got ${duration}.`,
        );
      }
    }
  }

  has(jobName: string): boolean {
    return Object.hasOwn(this.jobs, jobName);
  }

  /** Finished job runs, oldest first. */
  jobRuns(): SimulatedJobRun[] {
    return this.log.map((run) => ({ ...run }));
  }

  /**
   * Runs the job to its end (what `.sync` waits for) and returns the JobRun; throws the task
   * failure Step Functions reports when the run does not succeed.
   */
  async runJob(
    jobName: string,
    runArguments: Readonly<Record<string, string>>,
  ): Promise<SimulatedJobRun> {
    const job = this.jobOf(jobName);
    const args = { ...job.defaultArguments, ...runArguments };
    const n = (this.runsByJob.get(jobName) ?? 0) + 1;
    this.runsByJob.set(jobName, n);
    this.runs++;
    const runId = `jr_${this.runs.toString(16).padStart(64, '0')}`;
    const startedOn = this.clock.now();
    const timeoutMinutes = job.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES;
    const duration = job.durationMs ?? DEFAULT_DURATION_MS;
    const timedOut = duration > timeoutMinutes * 60_000;
    await this.clock.sleep(timedOut ? timeoutMinutes * 60_000 : duration);
    let state: JobRunState = timedOut ? 'TIMEOUT' : 'SUCCEEDED';
    let errorMessage = timedOut ? `Job run timed out after ${timeoutMinutes} minutes.` : undefined;
    if (!timedOut) {
      errorMessage = job.failRun?.(n) ?? (await this.transform(jobName, job, runId, args));
      if (errorMessage !== undefined) state = 'FAILED';
    }
    const completedOn = this.clock.now();
    const run: SimulatedJobRun = {
      Id: runId,
      JobName: jobName,
      Attempt: 0,
      Arguments: { ...args },
      JobRunState: state,
      StartedOn: startedOn,
      CompletedOn: completedOn,
      LastModifiedOn: completedOn,
      ExecutionTime: Math.round((completedOn - startedOn) / 1000),
      Timeout: timeoutMinutes,
      ...(errorMessage === undefined ? {} : { ErrorMessage: errorMessage }),
    };
    this.log.push(run);
    if (state !== 'SUCCEEDED') throw new TaskFailure('States.TaskFailed', JSON.stringify(run));
    return run;
  }

  private jobOf(jobName: string): SimulatedGlueJob {
    const job = this.jobs[jobName];
    if (job === undefined || !this.has(jobName)) {
      // Glue answers EntityNotFoundException; Step Functions prefixes the service name.
      throw new TaskFailure(
        'Glue.EntityNotFoundException',
        `Job ${jobName} not found (the local run has jobs: ${Object.keys(this.jobs).join(', ') || 'none'}).`,
      );
    }
    return job;
  }

  /** Runs the I/O convention; returns an error message when the job's code would fail. */
  private async transform(
    jobName: string,
    job: SimulatedGlueJob,
    runId: string,
    args: Readonly<Record<string, string>>,
  ): Promise<string | undefined> {
    const missing = REQUIRED_ARGUMENTS.filter((name) => typeof args[name] !== 'string');
    if (missing.length > 0) {
      return `Job arguments ${missing.join(', ')} are missing (the job reads --input-bucket/--input-key and writes --output-bucket/--output-key).`;
    }
    const arg = (name: string): string => args[name];
    try {
      const text = await this.store.getText(arg('--input-bucket'), arg('--input-key'));
      const output = await job.transform(text, { jobName, runId, arguments: args });
      await this.store.putText(
        arg('--output-bucket'),
        arg('--output-key'),
        output,
        job.outputContentType ?? 'application/json',
      );
      return undefined;
    } catch (error) {
      const e = error as Error;
      return `${e.name}: ${e.message}`;
    }
  }
}
