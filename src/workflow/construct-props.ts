import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { FunctionCode } from '../monitored-function/function-code.js';
import type {
  MonitoredFunctionAlarmOptions,
  MonitoredFunctionLogOptions,
} from '../monitored-function/props.js';

/**
 * EXPRESS: ≤ 5 minutes, at-least-once, request-response integrations only (no `.sync`), so no
 * Glue steps; the Pipe waits for the result (REQUEST_RESPONSE) and a failed execution returns
 * the message to the queue. STANDARD: up to a year, exactly-once, `.sync` allowed (Glue); the
 * Pipe starts it and moves on (FIRE_AND_FORGET); failures are reported by an EventBridge rule.
 */
export type WorkflowType = 'EXPRESS' | 'STANDARD';
export const WORKFLOW_TYPES: readonly WorkflowType[] = ['EXPRESS', 'STANDARD'];

/**
 * How stage functions (and Glue jobs) are named: `explicit` is
 * `{StackName}-{Environment}-{FunctionPurpose}`; `generated` leaves the functions'
 * `FunctionName` unset (CloudFormation generates it, as for functions created without a name)
 * and names Glue jobs, and the functions' log groups and alarms, from the construct path, for
 * a migration in two steps.
 */
export type FunctionNaming = 'explicit' | 'generated';

/** A stage Lambda built on the stage kit from an entry file, deployed as a MonitoredFunction. */
export interface LambdaStageStepOptions {
  /**
   * Stage name: the S3 folder (`executions/{id}/{name}/`), `currentStage` of the payload and the
   * state name. 1–40 of `a-z 0-9 -`, starting with a letter, unique in the workflow.
   */
  readonly name: string;
  /**
   * The handler's entry file (.ts, .mts, .js or .mjs) exporting `handler`: bundled with esbuild
   * for deployment (unless `code` is given), and the module local runs import. Required, and
   * must exist, even with `code`: local runs (`opskit workflow run`, the simulated world) import
   * this module in process and never run the deployed bundle.
   */
  readonly entry: string;
  /**
   * The deployed code, when it is not to be bundled from `entry`: a pre-built bundle of the same
   * handler (`FunctionCode.nodejsBundle`, e.g. from your CI), or `FunctionCode.nodejs` with your
   * own bundling options, whose `entry` must then be this step's `entry` (the same file, so
   * that what deploys is what local runs test). A Node.js stage either way: the stage kit runs
   * on Node.js.
   * @default FunctionCode.nodejs({ entry })
   */
  readonly code?: FunctionCode;
  /**
   * The `{FunctionPurpose}` part of the function name.
   * @default - the name in PascalCase (`score-v2` → `ScoreV2`)
   */
  readonly functionPurpose?: string;
  /**
   * Maximum run time of one invocation (≤ 5 minutes in an Express workflow).
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MB, 128–10240.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Extra environment variables (the workflow adds the bucket name itself).
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
}

/** A Lambda stage the workflow builds from an entry file. */
export interface LambdaStageStep extends LambdaStageStepOptions {
  readonly kind: 'lambda';
}

/**
 * An existing function (not built on the kit, or deployed elsewhere), invoked with the same
 * execution-context payload: lets stages move to the kit one at a time.
 */
export interface ExistingFunctionStepOptions {
  /** Stage name, as for a Lambda stage. */
  readonly name: string;
  /** The function. */
  readonly function: lambda.IFunction;
  /**
   * Grant the function's role read/write on `executions/*` of the workflow bucket (only
   * possible when the role is known, i.e. the function is defined in this app).
   * @default true
   */
  readonly grantBucketAccess?: boolean;
}

/** An existing function as a stage. */
export interface ExistingFunctionStep extends ExistingFunctionStepOptions {
  readonly kind: 'function';
}

/** AWS Glue versions the workflow deploys. */
export type GlueVersion = '4.0' | '5.0';
export const GLUE_VERSIONS: readonly GlueVersion[] = ['4.0', '5.0'];

/** A Glue ETL job (PySpark, `glueetl`) run with `startJobRun.sync`: STANDARD workflows only. */
export interface GlueJobStepOptions {
  /** Stage name, as for a Lambda stage. */
  readonly name: string;
  /**
   * The PySpark script. It receives `--execution-id`, `--input-bucket`, `--input-key`,
   * `--output-bucket`, `--output-key`.
   * @default - the kit's JSON Lines script (src/workflow/glue/workflow_glue_job.py)
   */
  readonly scriptPath?: string;
  /**
   * Folders of Python modules the script imports: each is zipped and passed with
   * `--extra-py-files` (Glue puts the zip on the import path).
   * @default - the kit's transform library when scriptPath is the default, otherwise none
   */
  readonly pythonLibraries?: readonly string[];
  /**
   * Concurrent runs of the job: one per running execution that reaches this step.
   * @default 10
   */
  readonly maxConcurrentRuns?: number;
  /**
   * The `{FunctionPurpose}` part of the job name.
   * @default - the name in PascalCase
   */
  readonly jobPurpose?: string;
  /** @default '5.0' */
  readonly glueVersion?: GlueVersion;
  /** @default 'G.1X' */
  readonly workerType?: string;
  /**
   * Workers, at least 2 (Glue's minimum for Spark jobs).
   * @default 2
   */
  readonly numberOfWorkers?: number;
  /**
   * Job run timeout, 1 minute to 48 hours (whole minutes).
   * @default Duration.minutes(60)
   */
  readonly timeout?: Duration;
  /**
   * Extra job arguments (names start with `--`; the I/O arguments are set by the workflow).
   * @default - none
   */
  readonly defaultArguments?: Readonly<Record<string, string>>;
  /**
   * Name of a Glue security configuration (KMS encryption of logs and bookmarks).
   * @default - none: logs use CloudWatch's encryption and bookmarks are disabled
   */
  readonly securityConfiguration?: string;
}

/** A Glue job step. */
export interface GlueJobStep extends GlueJobStepOptions {
  readonly kind: 'glue';
}

/** One step of a workflow; build it with `WorkflowStep.lambda/existingFunction/glue`. */
export type WorkflowStep = LambdaStageStep | ExistingFunctionStep | GlueJobStep;

/** Builders for {@link WorkflowStep}. */
export const WorkflowStep = Object.freeze({
  /** A stage built on the kit from an entry file. */
  lambda: (options: LambdaStageStepOptions): LambdaStageStep => ({ kind: 'lambda', ...options }),
  /** An existing function (incremental migration). */
  existingFunction: (options: ExistingFunctionStepOptions): ExistingFunctionStep => ({
    kind: 'function',
    ...options,
  }),
  /** A Glue ETL job (STANDARD workflows only). */
  glue: (options: GlueJobStepOptions): GlueJobStep => ({ kind: 'glue', ...options }),
});

/** The workflow bucket. */
export interface WorkflowBucketOptions {
  /**
   * Full bucket name.
   * @default `{namePrefix}-{environment}-{accountId}`
   */
  readonly bucketName?: string;
  /**
   * First part of the default bucket name.
   * @default 'ceap-workflow'
   */
  readonly namePrefix?: string;
  /**
   * Days after which `executions/` objects expire.
   * @default 7
   */
  readonly executionDataExpirationDays?: number;
  /**
   * Bucket for S3 server access logs; `undefined` creates one beside the workflow bucket.
   * @default - a dedicated access-log bucket (90-day retention)
   */
  readonly accessLogsBucket?: s3.IBucket;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** The SQS queue in front of the workflow. */
export interface WorkflowQueueOptions {
  /**
   * Visibility timeout: for EXPRESS it must exceed the workflow timeout (the Pipe holds the
   * message while the execution runs).
   * @default - EXPRESS: the workflow timeout + 1 minute; STANDARD: 60 s
   */
  readonly visibilityTimeout?: Duration;
  /**
   * Receives before a message goes to the dead-letter queue.
   * @default 3
   */
  readonly maxReceiveCount?: number;
}

/** Failure notifications. */
export interface WorkflowAlertOptions {
  /**
   * Email subscriptions of the workflow's alert topic.
   * @default - none
   */
  readonly emails?: readonly string[];
  /**
   * Existing topics that also get every alert.
   * @default - none
   */
  readonly topics?: readonly sns.ITopic[];
}

/** Settings of every stage function the workflow builds. */
export interface WorkflowFunctionOptions {
  /** @default 'explicit' */
  readonly naming?: FunctionNaming;
  /** @default lambda.Architecture.ARM_64 */
  readonly architecture?: lambda.Architecture;
  /**
   * Alarm topic, emails and alarms of each function (MonitoredFunction).
   * @default - MonitoredFunction's: ISO27001 mode, which needs at least one email
   */
  readonly monitoring?: MonitoredFunctionAlarmOptions;
  /** @default - MonitoredFunction's (365 days, retained) */
  readonly logs?: MonitoredFunctionLogOptions;
  /** @default true */
  readonly tracing?: boolean;
}

/** Props of {@link S3Workflow}. */
export interface S3WorkflowProps {
  /** EXPRESS or STANDARD (see {@link WorkflowType}). */
  readonly type: WorkflowType;
  /** Deployment environment (`dev`, `prod`): 1–20 of `a-z 0-9 -`, in bucket and function names. */
  readonly environment: string;
  /** The steps, in order: at least one. */
  readonly steps: readonly WorkflowStep[];
  /**
   * Name of the state machine.
   * @default - generated by CloudFormation
   */
  readonly stateMachineName?: string;
  /**
   * Time limit of one execution (EXPRESS: at most 5 minutes).
   * @default - EXPRESS: 5 minutes; STANDARD: 24 hours
   */
  readonly timeout?: Duration;
  /** @default - see WorkflowBucketOptions */
  readonly bucket?: WorkflowBucketOptions;
  /** @default - see WorkflowQueueOptions */
  readonly queue?: WorkflowQueueOptions;
  /** @default - see WorkflowFunctionOptions */
  readonly functions?: WorkflowFunctionOptions;
  /** @default - a topic with no subscriptions */
  readonly alerts?: WorkflowAlertOptions;
  /**
   * Retention of the state machine's log group.
   * @default logs.RetentionDays.TWO_WEEKS
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Defaults of S3WorkflowProps. */
export const S3_WORKFLOW_DEFAULTS = Object.freeze({
  bucketNamePrefix: 'ceap-workflow',
  executionDataExpirationDays: 7,
  accessLogExpirationDays: 90,
  bucketRemovalPolicy: RemovalPolicy.RETAIN,
  maxReceiveCount: 3,
  standardVisibilityTimeout: Duration.seconds(60),
  expressVisibilityMargin: Duration.minutes(1),
  expressTimeout: Duration.minutes(5),
  standardTimeout: Duration.hours(24),
  naming: 'explicit',
  architecture: lambda.Architecture.ARM_64,
  tracing: true,
  functionTimeout: Duration.seconds(60),
  functionMemorySize: 256,
  logRetention: logs.RetentionDays.TWO_WEEKS,
  glueVersion: '5.0',
  glueWorkerType: 'G.1X',
  glueNumberOfWorkers: 2,
  glueTimeout: Duration.minutes(60),
  glueMaxConcurrentRuns: 10,
});

/** Retry policy of each step, fixed by the spec (requirements 4.5, 5.7, 8.1, 8.2). */
export const STEP_RETRY = Object.freeze({
  lambda: { maxAttempts: 2, interval: Duration.seconds(20), backoffRate: 2 },
  glue: { maxAttempts: 2, interval: Duration.minutes(5), backoffRate: 2 },
});

/** Pipe batch size: one message, one execution. */
export const PIPE_BATCH_SIZE = 1;
/** Longest Express execution Step Functions allows. */
export const EXPRESS_MAX_DURATION = Duration.minutes(5);
