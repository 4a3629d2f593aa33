/**
 * Synth-time validation of S3WorkflowProps: every problem, each naming its prop and the fix,
 * before any resource is created. Token values (known only at deploy time) are not checked.
 * Hand-written: the props hold CDK objects (Duration, IFunction) and cross-field rules
 * (workflow type against step kinds, timeouts against each other).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Token } from 'aws-cdk-lib';
import type { Duration } from 'aws-cdk-lib';
import { formatPropIssues, PropIssues, type PropIssue } from '../common/prop-issues.js';
import { GlueJobArguments, bucketNameProblem } from './contract.js';
import { WorkflowError } from './errors.js';
import {
  ENVIRONMENT_PATTERN,
  PURPOSE_PATTERN,
  STAGE_NAME_PATTERN,
  explicitFunctionName,
  functionNameProblem,
  purposeOf,
  workflowBucketName,
} from './construct-naming.js';
import {
  EXPRESS_MAX_DURATION,
  GLUE_VERSIONS,
  S3_WORKFLOW_DEFAULTS as D,
  WORKFLOW_TYPES,
} from './construct-props.js';
import type {
  GlueJobStep,
  LambdaStageStep,
  S3WorkflowProps,
  WorkflowType,
} from './construct-props.js';

export type { PropIssue };

/** One or more S3Workflow props are invalid; `issues` names each prop. */
export class S3WorkflowValidationError extends WorkflowError {
  readonly issues: readonly PropIssue[];

  constructor(constructId: string, issues: readonly PropIssue[]) {
    super(formatPropIssues('S3Workflow', constructId, issues));
    this.name = 'S3WorkflowValidationError';
    this.issues = Object.freeze([...issues]);
  }
}

/** What validation needs to know about the stack. */
export interface WorkflowValidationContext {
  /** The stack's name (for explicit function names). */
  readonly stackName: string;
  /** The account, when known at synth. */
  readonly account?: string;
}

const STATE_MACHINE_NAME = /^[a-zA-Z0-9-_]{1,80}$/;
const MAX_FUNCTION_TIMEOUT_SECONDS = 900;
const GLUE_MAX_TIMEOUT_MINUTES = 2880;
const RESERVED_GLUE_ARGUMENTS: readonly string[] = Object.values(GlueJobArguments);

/** Every problem with `props`, in prop order. */
export function validateS3WorkflowProps(
  props: S3WorkflowProps,
  context: WorkflowValidationContext,
): PropIssue[] {
  const issues = new PropIssues();
  const typeKnown = WORKFLOW_TYPES.includes(props.type);
  if (!typeKnown) {
    issues.add('type', `is '${String(props.type)}': use 'EXPRESS' or 'STANDARD'.`);
  }
  if (!ENVIRONMENT_PATTERN.test(props.environment)) {
    issues.add(
      'environment',
      `'${props.environment}' must be 1–20 of a-z 0-9 - starting with a letter or digit (it is part of bucket and function names), e.g. 'dev' or 'prod'.`,
    );
  }
  validateStateMachine(issues, props);
  validateSteps(issues, props, context);
  validateBucket(issues, props, context);
  validateQueue(issues, props);
  return issues.all();
}

function validateStateMachine(issues: PropIssues, props: S3WorkflowProps): void {
  const name = props.stateMachineName;
  if (name !== undefined && !Token.isUnresolved(name) && !STATE_MACHINE_NAME.test(name)) {
    issues.add('stateMachineName', `'${name}' must be 1–80 of a-z A-Z 0-9 - _.`);
  }
  const timeout = props.timeout;
  if (timeout !== undefined) {
    if (timeout.toSeconds() < 1) {
      issues.add('timeout', 'must be at least 1 second.');
    } else if (props.type === 'EXPRESS' && timeout.toSeconds() > EXPRESS_MAX_DURATION.toSeconds()) {
      issues.add(
        'timeout',
        `is ${timeout.toHumanString()}, but an EXPRESS workflow runs at most 5 minutes: shorten it, or use type 'STANDARD'.`,
      );
    }
  }
}

function validateSteps(
  issues: PropIssues,
  props: S3WorkflowProps,
  context: WorkflowValidationContext,
): void {
  if (props.steps.length === 0) {
    issues.add(
      'steps',
      'is empty: give at least one step (WorkflowStep.lambda/existingFunction/glue).',
    );
    return;
  }
  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  props.steps.forEach((step, index) => {
    const prop = `steps[${index}]`;
    if (!STAGE_NAME_PATTERN.test(step.name)) {
      issues.add(
        `${prop}.name`,
        `'${step.name}' must be 1–40 of a-z 0-9 - starting with a letter: it is the stage's S3 folder (executions/{id}/{name}/) and state name.`,
      );
    }
    const first = seen.get(step.name);
    if (first !== undefined) {
      issues.add(
        `${prop}.name`,
        `'${step.name}' is also the name of steps[${first}]: stage names must be unique (each writes its own S3 folder).`,
      );
    } else {
      seen.set(step.name, index);
    }
    if (step.kind === 'glue') {
      if (props.type === 'EXPRESS') {
        issues.add(
          prop,
          `('${step.name}') is a Glue job, which an EXPRESS workflow cannot run: Glue steps need startJobRun.sync (.sync), and Express workflows allow request-response integrations only. Use type 'STANDARD', or replace the step with a Lambda stage.`,
        );
      }
      validateGlueStep(issues, prop, step);
      checkName(
        issues,
        `${prop}.jobPurpose`,
        step.jobPurpose ?? purposeOf(step.name),
        props,
        context,
        names,
        'Glue job',
      );
    } else if (step.kind === 'lambda') {
      validateLambdaStep(issues, prop, step, props);
      checkName(
        issues,
        `${prop}.functionPurpose`,
        step.functionPurpose ?? purposeOf(step.name),
        props,
        context,
        names,
        'function',
      );
    }
  });
}

/** The explicit name of a function or job: valid, and not used by another step. */
function checkName(
  issues: PropIssues,
  prop: string,
  purpose: string,
  props: S3WorkflowProps,
  context: WorkflowValidationContext,
  names: Map<string, string>,
  what: string,
): void {
  if (!PURPOSE_PATTERN.test(purpose)) {
    issues.add(
      prop,
      `'${purpose}' must be 1–40 letters and digits (the {FunctionPurpose} of the ${what} name).`,
    );
    return;
  }
  if (
    (props.functions?.naming ?? D.naming) !== 'explicit' ||
    Token.isUnresolved(context.stackName)
  ) {
    return;
  }
  const name = explicitFunctionName(context.stackName, props.environment, purpose);
  const problem = functionNameProblem(name);
  if (problem !== undefined) {
    issues.add(
      prop,
      `gives the ${what} name '${name}', which ${problem}: shorten the stack name, the environment or the purpose, or set functions.naming to 'generated'.`,
    );
  }
  const other = names.get(name);
  if (other !== undefined) {
    issues.add(
      prop,
      `gives the ${what} name '${name}', which ${other} already has: give one of them another purpose.`,
    );
  }
  names.set(name, prop.replace(/\.\w+$/, ''));
}

function validateLambdaStep(
  issues: PropIssues,
  prop: string,
  step: LambdaStageStep,
  props: S3WorkflowProps,
): void {
  if (step.code !== undefined) {
    if (step.code.kind === 'python') {
      issues.add(
        `${prop}.code`,
        `is Python code: a workflow stage runs the Node.js stage kit. Give FunctionCode.nodejsBundle or FunctionCode.nodejs, or use WorkflowStep.existingFunction for a function of your own.`,
      );
    }
    // Deployment uses code; local runs still import the entry module.
    if (!existsSync(step.entry)) {
      issues.add(
        `${prop}.entry`,
        `must be an existing file (local runs import it); ${step.entry} is not one.`,
      );
    }
    if (step.code.kind === 'nodejs' && resolve(step.code.entry) !== resolve(step.entry)) {
      issues.add(
        `${prop}.code.entry`,
        `is ${step.code.entry}, but the step's entry is ${step.entry}: local runs import the ` +
          "step's entry, so the deployed code would differ from what they test. Give both the " +
          'same file, or leave code out to bundle entry with the default options.',
      );
    }
  }
  if (step.timeout !== undefined) {
    const seconds = step.timeout.toSeconds();
    const limit =
      props.type === 'EXPRESS' ? EXPRESS_MAX_DURATION.toSeconds() : MAX_FUNCTION_TIMEOUT_SECONDS;
    if (seconds < 1 || seconds > limit) {
      issues.add(
        `${prop}.timeout`,
        `is ${seconds} s: use 1–${limit} s${props.type === 'EXPRESS' ? ' (an EXPRESS workflow runs at most 5 minutes)' : ''}.`,
      );
    }
  }
}

function validateGlueStep(issues: PropIssues, prop: string, step: GlueJobStep): void {
  if (step.glueVersion !== undefined && !GLUE_VERSIONS.includes(step.glueVersion)) {
    issues.add(`${prop}.glueVersion`, `is '${String(step.glueVersion)}': use '4.0' or '5.0'.`);
  }
  const workers = step.numberOfWorkers;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 2)) {
    issues.add(
      `${prop}.numberOfWorkers`,
      `is ${workers}: Spark jobs need a whole number of at least 2 workers.`,
    );
  }
  const runs = step.maxConcurrentRuns;
  if (runs !== undefined && (!Number.isInteger(runs) || runs < 1)) {
    issues.add(`${prop}.maxConcurrentRuns`, `is ${runs}: use a whole number of at least 1.`);
  }
  validateGlueTimeout(issues, `${prop}.timeout`, step.timeout);
  for (const key of Object.keys(step.defaultArguments ?? {})) {
    if (!key.startsWith('--')) {
      issues.add(
        `${prop}.defaultArguments`,
        `key '${key}' must start with '--' (Glue's argument syntax).`,
      );
    } else if (RESERVED_GLUE_ARGUMENTS.includes(key)) {
      issues.add(
        `${prop}.defaultArguments`,
        `key '${key}' is set by the workflow for each run (the S3 path convention): remove it.`,
      );
    }
  }
}

function validateGlueTimeout(
  issues: PropIssues,
  prop: string,
  timeout: Duration | undefined,
): void {
  if (timeout === undefined) return;
  const minutes = timeout.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > GLUE_MAX_TIMEOUT_MINUTES) {
    issues.add(
      prop,
      `is ${timeout.toHumanString()}: use whole minutes from 1 to ${GLUE_MAX_TIMEOUT_MINUTES} (48 hours).`,
    );
  }
}

function validateBucket(
  issues: PropIssues,
  props: S3WorkflowProps,
  context: WorkflowValidationContext,
): void {
  const bucket = props.bucket ?? {};
  const explicit = bucket.bucketName;
  const name =
    explicit ??
    (context.account === undefined
      ? undefined
      : workflowBucketName(
          bucket.namePrefix ?? D.bucketNamePrefix,
          props.environment,
          context.account,
        ));
  if (name !== undefined && !Token.isUnresolved(name)) {
    const problem = bucketNameProblem(name);
    if (problem !== undefined) {
      issues.add(
        explicit === undefined ? 'bucket.namePrefix' : 'bucket.bucketName',
        `gives the bucket name '${name}', which ${problem}.`,
      );
    }
  }
  const days = bucket.executionDataExpirationDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 1)) {
    issues.add(
      'bucket.executionDataExpirationDays',
      `is ${days}: use a whole number of days, at least 1.`,
    );
  }
}

function validateQueue(issues: PropIssues, props: S3WorkflowProps): void {
  const queue = props.queue ?? {};
  const count = queue.maxReceiveCount;
  if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 1000)) {
    issues.add('queue.maxReceiveCount', `is ${count}: use a whole number from 1 to 1000.`);
  }
  const visibility = queue.visibilityTimeout;
  if (visibility !== undefined) {
    const seconds = visibility.toSeconds();
    const timeout = workflowTimeoutOf(props.type, props.timeout);
    if (seconds > 43_200) {
      issues.add('queue.visibilityTimeout', `is ${seconds} s: SQS allows at most 12 hours.`);
    } else if (props.type === 'EXPRESS' && seconds <= timeout.toSeconds()) {
      issues.add(
        'queue.visibilityTimeout',
        `is ${seconds} s, not more than the workflow timeout (${timeout.toSeconds()} s): the Pipe holds each message while its EXPRESS execution runs, so a shorter visibility timeout delivers it twice. Make it longer.`,
      );
    }
  }
}

/** The workflow timeout in effect. */
export function workflowTimeoutOf(type: WorkflowType, timeout: Duration | undefined): Duration {
  return timeout ?? (type === 'EXPRESS' ? D.expressTimeout : D.standardTimeout);
}
