/**
 * Runs a synthesized state machine locally: the rendered definition is interpreted by
 * aws-local-stepfunctions, each Task state is bound to an in-process integration (a Lambda
 * function of the simulated `LambdaRuntime` found by the function's logical id, or a simulated
 * Glue job), and what the interpreter does not enforce is added here:
 *
 * - the 256 KiB payload quota on the execution input, every task's effective input and result
 *   (checked in the task binding, raised as terminal `States.DataLimitExceeded`) and every
 *   state's input and output (read from the event log; the execution is stopped and reported
 *   FAILED with `States.DataLimitExceeded`);
 * - Express's 5-minute limit (the definition's `TimeoutSeconds`, capped at 300; TIMED_OUT);
 * - Step Functions' default task timeout (none, not the interpreter's 60 s);
 * - virtual time: the interpreter waits with global timers, so the run needs a global
 *   `VirtualClock` (retries of 20 s take no real time).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  GetObjectCommand,
  PutObjectCommand,
  type GetObjectCommandInput,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { LambdaRuntime, type SimulatedHandler } from '../../simulation/lambda-runtime.js';
import type { ModelCallContext, ModelInput, ServiceModel } from '../../simulation/service-model.js';
import type { VirtualClock } from '../../simulation/virtual-clock.js';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from './asl-engine.js';
import {
  DataLimitExceededFailure,
  LocalRunConfigError,
  MAX_PAYLOAD_BYTES,
  TaskFailure,
} from './errors.js';
import {
  ExecutionLogWriter,
  loggingConfigOf,
  type ExecutionLogEvent,
  type ExecutionLoggingConfig,
} from './execution-log.js';
import type { SimulatedGlue } from './glue.js';
import { bodyText } from './object-store.js';
import { payloadLimitViolation } from './payload-limit.js';
import {
  TemplateResolver,
  lambdaLogicalIdOf,
  renderStateMachine,
  type AslDefinition,
  type AslState,
  type CfnTemplate,
  type RenderAccount,
  type RenderedStateMachine,
  type WorkflowType,
} from './template.js';
import {
  TimelineBuilder,
  type S3WriteRecord,
  type StateRecord,
  type TimelineEvent,
} from './timeline.js';

/** Express workflows run at most five minutes. */
export const EXPRESS_MAX_SECONDS = 300;
/**
 * Step Functions' Task default is no timeout (99999999 s); the interpreter's default is 60 s and
 * timers cannot exceed 2^31-1 ms, so a Task without TimeoutSeconds gets the largest timer.
 */
export const UNBOUNDED_TASK_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionResult {
  readonly name: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly type: WorkflowType;
  readonly status: ExecutionStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly startTime: number;
  readonly stopTime: number;
  readonly durationMs: number;
  readonly states: readonly StateRecord[];
  readonly s3Writes: readonly S3WriteRecord[];
  /**
   * The execution history events Step Functions would send to the state machine's log group,
   * per its LoggingConfiguration (level, includeExecutionData); see execution-log.ts.
   */
  readonly logEvents: readonly ExecutionLogEvent[];
}

/** A Lambda function the template declares, bound to its in-process handler. */
export type LocalLambdaHandler = SimulatedHandler<unknown, unknown>;

export interface LocalStateMachineOptions {
  /** The synthesized template (`Template.fromStack(stack).toJSON()`, or cdk.out JSON). */
  readonly template: CfnTemplate;
  /** Logical id of the state machine. @default - the template's only one */
  readonly stateMachine?: string;
  /** A global (installed) VirtualClock: the interpreter waits on global timers. */
  readonly clock: VirtualClock;
  /** Handlers by the Lambda function's logical id; every function a task invokes needs one. */
  readonly lambdas: Readonly<Record<string, LocalLambdaHandler>>;
  /** An S3 client (mounted on the S3 model) for `aws-sdk:s3:putObject/getObject` tasks. */
  readonly s3?: S3Client;
  /** The simulated Glue service, for `glue:startJobRun(.sync)` tasks. */
  readonly glue?: SimulatedGlue;
  /** Region/account of the fake ARNs. */
  readonly account?: RenderAccount;
  /** Payload quota in bytes. @default 262144 (change only to test) */
  readonly maxPayloadBytes?: number;
}

export interface StartOptions {
  /** Execution name. @default - `local-<n>` */
  readonly name?: string;
}

export interface LocalExecution {
  readonly name: string;
  readonly executionArn: string;
  /** Settles when the execution ends; never rejects for an execution failure. */
  readonly done: Promise<ExecutionResult>;
  /** Stops the execution (status ABORTED). */
  abort(): void;
}

/** Definitions the interpreter has validated (by their JSON text). */
const validatedDefinitions = new Set<string>();

type TaskBinding = (input: unknown) => Promise<unknown>;

interface ExecutionScope {
  readonly name: string;
  readonly timeline: TimelineBuilder;
  readonly writes: S3WriteRecord[];
  limitFailure: DataLimitExceededFailure | undefined;
  state: string | undefined;
}

const LAMBDA_INVOKE = /^arn:aws[\w-]*:states:::lambda:invoke$/;
const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/;
const GLUE_SYNC = /^arn:aws[\w-]*:states:::glue:startJobRun\.sync$/;
const GLUE_ASYNC = /^arn:aws[\w-]*:states:::glue:startJobRun$/;
const S3_SDK = /^arn:aws[\w-]*:states:::aws-sdk:s3:(\w+)$/;

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every Task state, nested ones (Map, Parallel) included, by name. */
export function taskStatesOf(definition: AslDefinition): Map<string, AslState> {
  const tasks = new Map<string, AslState>();
  const visit = (states: Readonly<Record<string, AslState>>): void => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') tasks.set(name, state);
      const nested = [
        ...(Array.isArray(state.Branches) ? (state.Branches as unknown[]) : []),
        state.Iterator,
        state.ItemProcessor,
      ];
      for (const machine of nested) {
        if (isObject(machine) && isObject(machine.States)) {
          visit(machine.States as Readonly<Record<string, AslState>>);
        }
      }
    }
  };
  visit(definition.States);
  return tasks;
}

/** The definition as the local run interprets it (timeouts made those of Step Functions). */
export function localDefinition(rendered: RenderedStateMachine): AslDefinition {
  const withTaskTimeouts = (states: Readonly<Record<string, AslState>>): Record<string, AslState> =>
    Object.fromEntries(
      Object.entries(states).map(([name, state]) => {
        let copy: Record<string, unknown> = { ...state };
        if (
          state.Type === 'Task' &&
          state.TimeoutSeconds === undefined &&
          state.TimeoutSecondsPath === undefined
        ) {
          copy.TimeoutSeconds = UNBOUNDED_TASK_TIMEOUT_SECONDS;
        }
        if (Array.isArray(state.Branches)) {
          copy.Branches = (state.Branches as AslDefinition[]).map((branch) => ({
            ...branch,
            States: withTaskTimeouts(branch.States),
          }));
        }
        for (const field of ['Iterator', 'ItemProcessor'] as const) {
          const machine = state[field];
          if (isObject(machine) && isObject(machine.States)) {
            copy = {
              ...copy,
              [field]: {
                ...machine,
                States: withTaskTimeouts(machine.States as Record<string, AslState>),
              },
            };
          }
        }
        return [name, copy as AslState];
      }),
    );
  const definition: Record<string, unknown> = {
    ...rendered.definition,
    States: withTaskTimeouts(rendered.definition.States),
  };
  if (rendered.type === 'EXPRESS') {
    const own = rendered.definition.TimeoutSeconds;
    definition.TimeoutSeconds =
      own === undefined ? EXPRESS_MAX_SECONDS : Math.min(own, EXPRESS_MAX_SECONDS);
  }
  return definition as AslDefinition;
}

function bodyBytes(body: unknown): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  if (body instanceof Uint8Array) return body.byteLength;
  return undefined;
}

/**
 * The `aws-sdk:s3` integration for the two calls a workflow makes: a JSON Body is serialised,
 * as Step Functions does; errors become `S3.<ExceptionName>`.
 */
async function callS3(
  client: S3Client,
  action: 'putObject' | 'getObject',
  input: unknown,
): Promise<unknown> {
  const params = isObject(input) ? input : {};
  try {
    if (action === 'putObject') {
      const body = params.Body;
      const output = await client.send(
        new PutObjectCommand({
          ...(params as unknown as PutObjectCommandInput),
          Body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      );
      const { $metadata: _metadata, ...rest } = output;
      return JSON.parse(JSON.stringify(rest)) as unknown;
    }
    const output = await client.send(
      new GetObjectCommand(params as unknown as GetObjectCommandInput),
    );
    const { $metadata: _metadata, Body: stream, ...rest } = output;
    return { ...(JSON.parse(JSON.stringify(rest)) as object), Body: await bodyText(stream) };
  } catch (error) {
    if (error instanceof TaskFailure) throw error;
    const e = error as Error;
    throw new TaskFailure(`S3.${e.name}`, e.message);
  }
}

/** A state machine of a template, ready to run executions locally. */
export class LocalStateMachine {
  readonly rendered: RenderedStateMachine;
  readonly resolver: TemplateResolver;
  /** The simulated Lambda service the bound functions run in. */
  readonly runtime: LambdaRuntime;
  /** The template's LoggingConfiguration, which the executions' `logEvents` follow. */
  readonly logging: ExecutionLoggingConfig;
  private readonly machine: StateMachine;
  private readonly clock: VirtualClock;
  private readonly glue: SimulatedGlue | undefined;
  private readonly s3: S3Client | undefined;
  private readonly maxPayloadBytes: number;
  private readonly taskBindings = new Map<string, (scope: ExecutionScope) => TaskBinding>();
  private readonly scope = new AsyncLocalStorage<ExecutionScope>();
  private readonly results: ExecutionResult[] = [];
  private readonly taskResources = new Map<string, string>();
  private started = 0;

  constructor(options: LocalStateMachineOptions) {
    if (options.clock.mode !== 'global' || !options.clock.installed) {
      throw new LocalRunConfigError(
        'The local run needs an installed global VirtualClock (VirtualClock.install()): the ' +
          'ASL interpreter waits on global timers (retry intervals, timeouts).',
      );
    }
    this.clock = options.clock;
    this.glue = options.glue;
    this.s3 = options.s3;
    this.maxPayloadBytes = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
    this.resolver = new TemplateResolver(options.template, options.account);
    this.rendered = renderStateMachine(this.resolver, options.stateMachine);
    this.runtime = new LambdaRuntime({
      clock: options.clock,
      region: this.resolver.region,
      accountId: this.resolver.accountId,
    });
    this.registerLambdas(options.lambdas);
    this.logging = loggingConfigOf(this.resolver, this.rendered.logicalId);
    for (const [name, state] of taskStatesOf(this.rendered.definition)) {
      this.taskBindings.set(name, this.bindTask(name, state));
      this.taskResources.set(name, String(state.Resource));
    }
    const definition = localDefinition(this.rendered);
    const text = JSON.stringify(definition);
    try {
      this.machine = new StateMachine(definition as unknown as StateMachineDefinition, {
        // The interpreter's validation compiles its JSON schemas on every call (1-2 s); a
        // definition that passed once passes again.
        validationOptions: { noValidate: validatedDefinitions.has(text) },
      });
      validatedDefinitions.add(text);
    } catch (error) {
      throw new LocalRunConfigError(
        `The definition of '${this.rendered.logicalId}' is not valid ASL: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  get type(): WorkflowType {
    return this.rendered.type;
  }

  /** Finished executions, oldest first. */
  executions(): ExecutionResult[] {
    return [...this.results];
  }

  /**
   * Wraps an S3 model so that the objects written through it (PutObject, CompleteMultipartUpload)
   * are recorded against the state that wrote them. Mount the stages' S3 clients on the wrapper.
   */
  recordingS3Model(model: ServiceModel): ServiceModel {
    return {
      name: model.name,
      handle: async (operation: string, input: ModelInput, context: ModelCallContext) => {
        const result = await model.handle(operation, input, context);
        if (operation === 'PutObject' || operation === 'CompleteMultipartUpload') {
          this.recordWrite(
            String(input.Bucket),
            String(input.Key),
            operation === 'PutObject' ? bodyBytes(input.Body) : undefined,
          );
        }
        return result;
      },
    };
  }

  /** Records an S3 write against the running state (for writers that bypass the model). */
  recordWrite(bucket: string, key: string, bytes?: number): void {
    const scope = this.scope.getStore();
    if (scope === undefined) return;
    const write: S3WriteRecord = {
      time: this.clock.now(),
      bucket,
      key,
      ...(bytes === undefined ? {} : { bytes }),
      ...(scope.state === undefined ? {} : { state: scope.state }),
    };
    scope.writes.push(write);
    scope.timeline.addWrite(write);
  }

  /** Starts an execution; drive the clock (`clock.run`, `advance`) for it to progress. */
  start(input: unknown, options: StartOptions = {}): LocalExecution {
    this.started++;
    const name = options.name ?? `local-${String(this.started).padStart(4, '0')}`;
    const executionArn = `arn:aws:states:${this.resolver.region}:${this.resolver.accountId}:${
      this.type === 'EXPRESS' ? 'express' : 'execution'
    }:${this.rendered.name}:${name}`;
    const scope: ExecutionScope = {
      name,
      timeline: new TimelineBuilder(),
      writes: [],
      limitFailure: undefined,
      state: undefined,
    };
    const startTime = this.clock.now();
    const roleArn = `arn:aws:iam::${this.resolver.accountId}:role/local-run`;
    const log = new ExecutionLogWriter(this.logging, executionArn, this.taskResources);
    const inputViolation = payloadLimitViolation(
      input,
      'The execution input',
      this.maxPayloadBytes,
    );
    const finish = (
      status: ExecutionStatus,
      extra: { output?: unknown; error?: string; cause?: string },
    ): ExecutionResult => {
      const stopTime = this.clock.now();
      scope.timeline.close(stopTime, status === 'SUCCEEDED' ? 'succeeded' : 'failed');
      // A start that StartExecution refused (input too large) never ran: no history.
      if (inputViolation === undefined) log.finished(stopTime, status, extra);
      const result: ExecutionResult = {
        name,
        executionArn,
        stateMachineArn: this.rendered.arn,
        type: this.type,
        status,
        input,
        ...extra,
        startTime,
        stopTime,
        durationMs: stopTime - startTime,
        states: scope.timeline.states,
        s3Writes: scope.writes,
        logEvents: log.events,
      };
      this.results.push(result);
      return result;
    };
    if (inputViolation !== undefined) {
      // StartExecution refuses it: nothing runs.
      return {
        name,
        executionArn,
        done: Promise.resolve(
          finish('FAILED', { error: 'States.DataLimitExceeded', cause: inputViolation }),
        ),
        abort: () => undefined,
      };
    }
    log.started(startTime, input, roleArn);
    const overrides: Record<string, TaskBinding> = {};
    for (const [stateName, bind] of this.taskBindings) overrides[stateName] = bind(scope);
    const execution = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: overrides as never },
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          RoleArn: roleArn,
        },
        StateMachine: { Id: this.rendered.arn, Name: this.rendered.name },
      },
    });
    const watchEvents = async (): Promise<void> => {
      for await (const event of execution.eventLogs) {
        scope.timeline.add(event);
        log.add(event);
        if (scope.limitFailure !== undefined) continue;
        const state = (event as TimelineEvent).state;
        let violation: string | undefined;
        if (event.type === 'StateEntered' && state !== undefined) {
          violation = payloadLimitViolation(
            state.input,
            `The input of state '${state.name}'`,
            this.maxPayloadBytes,
          );
        } else if (event.type === 'StateExited' && state !== undefined) {
          violation = payloadLimitViolation(
            state.output,
            `The output of state '${state.name}'`,
            this.maxPayloadBytes,
          );
        }
        if (violation !== undefined) {
          scope.limitFailure = new DataLimitExceededFailure(violation);
          execution.abort();
        }
      }
    };
    const done = (async (): Promise<ExecutionResult> => {
      const watching = watchEvents();
      let outcome: { status: ExecutionStatus; output?: unknown; error?: string; cause?: string };
      try {
        const output = await execution.result;
        outcome = { status: 'SUCCEEDED', output };
      } catch (error) {
        outcome = this.failureOf(error);
      }
      await watching;
      const limit = scope.limitFailure;
      if (limit !== undefined) {
        outcome = { status: 'FAILED', error: limit.name, cause: limit.cause };
      }
      return finish(outcome.status, outcome);
    })();
    return { name, executionArn, done, abort: () => execution.abort() };
  }

  /** Runs one execution to its end (the caller drives the clock, e.g. `clock.run`). */
  run(input: unknown, options: StartOptions = {}): Promise<ExecutionResult> {
    return this.start(input, options).done;
  }

  private failureOf(error: unknown): { status: ExecutionStatus; error?: string; cause?: string } {
    if (error instanceof ExecutionTimeoutError) {
      return {
        status: 'TIMED_OUT',
        error: 'States.Timeout',
        cause: 'The execution ran longer than its TimeoutSeconds.',
      };
    }
    if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
    if (error instanceof ExecutionError) {
      const failure = (error as { cause?: unknown }).cause;
      if (failure instanceof Error) {
        const cause = (failure as { cause?: unknown }).cause;
        return {
          status: 'FAILED',
          error: failure.name,
          cause: typeof cause === 'string' ? cause : failure.message,
        };
      }
    }
    const e = error as Error;
    return { status: 'FAILED', error: e.name, cause: e.message };
  }

  private registerLambdas(lambdas: Readonly<Record<string, LocalLambdaHandler>>): void {
    for (const [logicalId, handler] of Object.entries(lambdas)) {
      const resource = this.resolver.resource(logicalId);
      if (resource.Type !== 'AWS::Lambda::Function') {
        throw new LocalRunConfigError(
          `lambdas.${logicalId} is a ${resource.Type}, not an AWS::Lambda::Function.`,
        );
      }
      const timeout = Number(this.resolver.resolve(resource.Properties?.Timeout ?? 3));
      const memory = Number(this.resolver.resolve(resource.Properties?.MemorySize ?? 128));
      this.runtime.register({
        name: this.resolver.physicalName(logicalId),
        handler,
        timeoutMs: timeout * 1000,
        memoryMb: memory,
      });
    }
  }

  private bindTask(stateName: string, state: AslState): (scope: ExecutionScope) => TaskBinding {
    const resource = String(state.Resource);
    const parameters = isObject(state.Parameters) ? state.Parameters : {};
    if (LAMBDA_INVOKE.test(resource) || LAMBDA_ARN.test(resource)) {
      const wrapped = LAMBDA_INVOKE.test(resource);
      const target = wrapped ? parameters.FunctionName : resource;
      if (typeof target === 'string') this.lambdaFunctionName(stateName, target);
      return (scope) =>
        this.guarded(scope, stateName, async (input) => {
          const params = isObject(input) ? input : {};
          const functionName = this.lambdaFunctionName(
            stateName,
            String(wrapped ? params.FunctionName : resource),
          );
          const payload = wrapped ? (params.Payload ?? null) : input;
          return this.invokeLambda(functionName, payload, wrapped);
        });
    }
    if (GLUE_SYNC.test(resource) || GLUE_ASYNC.test(resource)) {
      if (this.glue === undefined) {
        throw new LocalRunConfigError(
          `Task state '${stateName}' starts a Glue job, but no simulated Glue was given: pass ` +
            'options.glue (a SimulatedGlue with the job).',
        );
      }
      const glue = this.glue;
      const sync = GLUE_SYNC.test(resource);
      return (scope) =>
        this.guarded(scope, stateName, async (input) => {
          const params = isObject(input) ? input : {};
          const jobName = String(params.JobName);
          const args = isObject(params.Arguments)
            ? Object.fromEntries(Object.entries(params.Arguments).map(([k, v]) => [k, String(v)]))
            : {};
          if (sync) return glue.runJob(jobName, args);
          // Without .sync, Step Functions returns as soon as the run started.
          const run = this.scope.run(scope, () => glue.runJob(jobName, args));
          run.catch(() => undefined);
          return { JobRunId: `started:${jobName}` };
        });
    }
    const s3Action = S3_SDK.exec(resource)?.[1];
    if (s3Action === 'putObject' || s3Action === 'getObject') {
      if (this.s3 === undefined) {
        throw new LocalRunConfigError(
          `Task state '${stateName}' calls s3:${s3Action}, but no S3 client was given: pass ` +
            'options.s3 (an S3Client mounted on the S3 model).',
        );
      }
      const client = this.s3;
      return (scope) => this.guarded(scope, stateName, (input) => callS3(client, s3Action, input));
    }
    throw new LocalRunConfigError(
      `Task state '${stateName}' uses resource '${resource}', which the local run cannot bind ` +
        '(it runs lambda:invoke, Lambda function ARNs, glue:startJobRun[.sync] and ' +
        'aws-sdk:s3:putObject/getObject).',
    );
  }

  private lambdaFunctionName(stateName: string, target: string): string {
    const logicalId = lambdaLogicalIdOf(this.resolver, target);
    if (logicalId === undefined) {
      throw new LocalRunConfigError(
        `Task state '${stateName}' invokes '${target}', which is no Lambda function of the template.`,
      );
    }
    const name = this.resolver.physicalName(logicalId);
    if (!this.runtime.has(name)) {
      throw new LocalRunConfigError(
        `Task state '${stateName}' invokes the function with logical id '${logicalId}': bind a ` +
          `handler to it in options.lambdas['${logicalId}'].`,
      );
    }
    return name;
  }

  private async invokeLambda(
    functionName: string,
    payload: unknown,
    wrapped: boolean,
  ): Promise<unknown> {
    const invocation = await this.runtime.invoke(functionName, payload, {
      source: `states:${this.rendered.name}`,
    });
    if (invocation.outcome === 'throttled') {
      throw new TaskFailure(
        'Lambda.TooManyRequestsException',
        invocation.error?.message ?? 'Rate Exceeded.',
      );
    }
    if (invocation.outcome !== 'succeeded') {
      const thrown = invocation.thrown;
      const errorType = invocation.error?.name ?? 'Error';
      const errorMessage = invocation.error?.message ?? '';
      const trace =
        thrown instanceof Error && thrown.stack !== undefined ? thrown.stack.split('\n') : [];
      throw new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage, trace }));
    }
    const result = invocation.result === undefined ? null : invocation.result;
    if (!wrapped) return result;
    return {
      ExecutedVersion: '$LATEST',
      Payload: result,
      SdkHttpMetadata: { HttpStatusCode: 200 },
      SdkResponseMetadata: { RequestId: invocation.requestId },
      StatusCode: 200,
    };
  }

  /** The payload checks around a task's integration (see the module comment). */
  private guarded(scope: ExecutionScope, stateName: string, integration: TaskBinding): TaskBinding {
    return async (input) => {
      // A zero-delay virtual timer: the clock fires it only once every pending promise job has
      // run, so the event-log watcher has checked this state's raw input before anything runs.
      await this.clock.sleep(0);
      if (scope.limitFailure !== undefined) throw scope.limitFailure;
      const inputViolation = payloadLimitViolation(
        input,
        `The input of task '${stateName}' after Parameters`,
        this.maxPayloadBytes,
      );
      if (inputViolation !== undefined)
        throw (scope.limitFailure = new DataLimitExceededFailure(inputViolation));
      const result = await this.scope.run(scope, async () => {
        scope.state = stateName;
        try {
          return await integration(input);
        } finally {
          scope.state = undefined;
        }
      });
      const resultViolation = payloadLimitViolation(
        result,
        `The result of task '${stateName}'`,
        this.maxPayloadBytes,
      );
      if (resultViolation !== undefined)
        throw (scope.limitFailure = new DataLimitExceededFailure(resultViolation));
      return result;
    };
  }
}
