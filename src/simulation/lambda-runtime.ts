import type { Clock } from '../resilience/clock.js';
import { accountOf, type AccountOptions } from './account.js';
import { checkInteger } from './config-checks.js';
import { SimulationConfigError } from './errors.js';
import { sequentialUuid } from './ids.js';
import { invocationErrorOf } from './invocation-error.js';

/**
 * Simulated Lambda functions: register a handler under a name, invoke it with a Lambda-like
 * context on the virtual clock, and keep a log of what ran (time, duration, outcome) for the
 * demo and the tests. EventBridge targets and SQS event source mappings invoke through it.
 *
 * What it models: the function timeout (the invocation fails with `Sandbox.Timedout` when the
 * handler has not settled after `timeoutMs` of virtual time; the concurrency slot stays taken
 * until then, as the sandbox does), reserved concurrency and the account's unreserved pool
 * (an invocation over the limit is throttled with `TooManyRequestsException`), deterministic
 * request ids, and `getRemainingTimeInMillis()` from the virtual clock.
 * Not modeled: cold starts and init duration, memory, the callback handler style, payload size
 * limits, versions and aliases. A timed-out handler keeps running in the background (Lambda
 * would freeze it); its late result is ignored.
 */

/** Lambda's default timeout (3 s) and maximum (900 s). */
export const DEFAULT_FUNCTION_TIMEOUT_MS = 3_000;
export const MAX_FUNCTION_TIMEOUT_MS = 900_000;
/** The default per-Region account concurrency quota. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1_000;

/**
 * The context object a Node.js handler receives, structurally compatible with
 * `Context` from `@types/aws-lambda` (the deprecated callback methods throw).
 */
export interface SimulatedLambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  getRemainingTimeInMillis(): number;
  done(error?: Error, result?: unknown): void;
  fail(error: Error | string): void;
  succeed(messageOrObject: unknown): void;
}

export type SimulatedHandler<Event = never, Result = unknown> = (
  event: Event,
  context: SimulatedLambdaContext,
) => Promise<Result>;

export interface FunctionOptions<Event = never, Result = unknown> {
  /** 1–64 letters, digits, hyphens and underscores, unique in the runtime. */
  readonly name: string;
  readonly handler: SimulatedHandler<Event, Result>;
  /** @default 3000 (Lambda's default 3 s); at most 900000 */
  readonly timeoutMs?: number;
  /**
   * Reserved concurrency: at most this many invocations run at once (0 throttles every one).
   * @default - none: the function shares the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
  /** Reported in the context. @default 128 */
  readonly memoryMb?: number;
}

export interface LambdaRuntimeOptions extends AccountOptions {
  /** The account's concurrency quota, shared by functions without reserved concurrency. @default 1000 */
  readonly accountConcurrency?: number;
  /** Called with every finished invocation record. */
  readonly onInvocation?: (record: InvocationRecord) => void;
}

export type InvocationOutcome = 'succeeded' | 'failed' | 'timedOut' | 'throttled';

export interface InvocationError {
  /** The error's `name` (Lambda's `errorType`): `Error`, `Sandbox.Timedout`, `TooManyRequestsException`... */
  readonly name: string;
  readonly message: string;
}

export interface InvocationRecord {
  readonly functionName: string;
  readonly requestId: string;
  /** Who invoked: `direct`, or the caller's label (`eventbridge:<rule>`, `sqs:<queue>`). */
  readonly source: string;
  /** Virtual times; a throttled invocation starts and ends at once. */
  readonly startTime: number;
  readonly endTime: number;
  readonly durationMs: number;
  readonly outcome: InvocationOutcome;
  readonly error?: InvocationError;
}

export interface InvocationResult<Result = unknown> extends InvocationRecord {
  /** The handler's return value when `outcome` is `succeeded`. */
  readonly result?: Result;
  /** The value the handler threw when `outcome` is `failed`. */
  readonly thrown?: unknown;
}

export interface InvokeOptions {
  /** Labels the invocation in the log. @default 'direct' */
  readonly source?: string;
}

interface FunctionState {
  readonly name: string;
  readonly arn: string;
  readonly handler: SimulatedHandler<unknown, unknown>;
  readonly timeoutMs: number;
  readonly reservedConcurrency: number | undefined;
  readonly memoryMb: number;
  running: number;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function deprecatedCallback(method: string): never {
  throw new SimulationConfigError(
    `context.${method}() belongs to the callback handler style, which Node.js 22 Lambda ` +
      'runtimes do not support: return (or throw) from an async handler instead.',
  );
}

export class LambdaRuntime {
  readonly region: string;
  readonly accountId: string;
  private readonly clock: Clock;
  private readonly accountConcurrency: number;
  private readonly onInvocation: ((record: InvocationRecord) => void) | undefined;
  private readonly functions = new Map<string, FunctionState>();
  private readonly log: InvocationRecord[] = [];
  private requests = 0;

  constructor(options: LambdaRuntimeOptions) {
    this.clock = options.clock;
    ({ region: this.region, accountId: this.accountId } = accountOf('LambdaRuntime', options));
    this.accountConcurrency = checkInteger(
      'LambdaRuntime accountConcurrency',
      options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY,
      1,
      Number.MAX_SAFE_INTEGER,
    );
    this.onInvocation = options.onInvocation;
  }

  /** Registers a function; returns its ARN. */
  register<Event, Result>(options: FunctionOptions<Event, Result>): string {
    if (!FUNCTION_NAME.test(options.name)) {
      throw new SimulationConfigError(
        `register: function name must be 1–64 letters, digits, hyphens or underscores, got '${options.name}'.`,
      );
    }
    if (this.functions.has(options.name)) {
      throw new SimulationConfigError(`register: a function named '${options.name}' exists.`);
    }
    const timeoutMs = checkInteger(
      `register(${options.name}): timeoutMs`,
      options.timeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS,
      1,
      MAX_FUNCTION_TIMEOUT_MS,
    );
    const reserved = options.reservedConcurrency;
    if (reserved !== undefined) {
      checkInteger(
        `register(${options.name}): reservedConcurrency`,
        reserved,
        0,
        this.accountConcurrency,
      );
    }
    const memoryMb = checkInteger(
      `register(${options.name}): memoryMb`,
      options.memoryMb ?? 128,
      128,
      10_240,
    );
    const arn = `arn:aws:lambda:${this.region}:${this.accountId}:function:${options.name}`;
    this.functions.set(options.name, {
      name: options.name,
      arn,
      // The runtime hands each handler the events its callers build for it.
      handler: options.handler as SimulatedHandler<unknown, unknown>,
      timeoutMs,
      reservedConcurrency: reserved,
      memoryMb,
      running: 0,
    });
    return arn;
  }

  /** Virtual time of the runtime's clock. */
  now(): number {
    return this.clock.now();
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  arnOf(name: string): string {
    return this.known(name).arn;
  }

  /** Invocations in progress for a function (or all functions). */
  running(name?: string): number {
    if (name !== undefined) return this.known(name).running;
    let total = 0;
    for (const fn of this.functions.values()) total += fn.running;
    return total;
  }

  /**
   * Invokes a function synchronously (RequestResponse) and resolves with the outcome; it never
   * rejects for a function error, a timeout or a throttle (see `outcome`), only for an unknown
   * function name, which is a mistake in the scenario.
   */
  async invoke<Result = unknown>(
    name: string,
    event: unknown,
    options: InvokeOptions = {},
  ): Promise<InvocationResult<Result>> {
    const fn = this.known(name);
    const source = options.source ?? 'direct';
    const requestId = this.nextRequestId();
    const startTime = this.clock.now();
    const throttle = this.throttleReason(fn);
    if (throttle !== undefined) {
      return this.finish({
        functionName: fn.name,
        requestId,
        source,
        startTime,
        endTime: startTime,
        durationMs: 0,
        outcome: 'throttled',
        error: { name: 'TooManyRequestsException', message: `Rate Exceeded. (${throttle})` },
      });
    }
    fn.running++;
    const deadline = startTime + fn.timeoutMs;
    const context = this.contextFor(fn, requestId, deadline);
    const timeout = new AbortController();
    type Settled = { kind: 'ok'; value: unknown } | { kind: 'error'; error: unknown };
    const handled: Promise<Settled> = Promise.resolve()
      // The event is copied, as Lambda serialises it: the handler cannot change the caller's.
      .then(() => fn.handler(structuredClone(event), context))
      .then(
        (value): Settled => ({ kind: 'ok', value }),
        (error: unknown): Settled => ({ kind: 'error', error }),
      );
    // Aborted once the handler settles first: then it never resolves and loses the race.
    const timedOut = this.clock.sleep(fn.timeoutMs, timeout.signal).then(
      () => ({ kind: 'timeout' }) as const,
      () => new Promise<never>(() => undefined),
    );
    const first = await Promise.race([handled, timedOut]);
    if (first.kind === 'timeout') {
      fn.running--;
      return this.finish({
        functionName: fn.name,
        requestId,
        source,
        startTime,
        endTime: this.clock.now(),
        durationMs: this.clock.now() - startTime,
        outcome: 'timedOut',
        error: {
          name: 'Sandbox.Timedout',
          message: `Task timed out after ${(fn.timeoutMs / 1000).toFixed(2)} seconds`,
        },
      });
    }
    timeout.abort();
    fn.running--;
    const endTime = this.clock.now();
    const base = {
      functionName: fn.name,
      requestId,
      source,
      startTime,
      endTime,
      durationMs: endTime - startTime,
    };
    if (first.kind === 'ok') {
      return this.finish({ ...base, outcome: 'succeeded' }, { result: first.value as Result });
    }
    return this.finish(
      { ...base, outcome: 'failed', error: invocationErrorOf(first.error) },
      { thrown: first.error },
    );
  }

  /** Finished invocations, oldest first, optionally of one function. */
  invocations(functionName?: string): InvocationRecord[] {
    const records =
      functionName === undefined
        ? this.log
        : this.log.filter((record) => record.functionName === functionName);
    return records.map((record) => ({ ...record }));
  }

  private known(name: string): FunctionState {
    const fn = this.functions.get(name);
    if (fn === undefined) {
      throw new SimulationConfigError(
        `LambdaRuntime has no function '${name}' (registered: ${
          [...this.functions.keys()].join(', ') || 'none'
        }); register it first.`,
      );
    }
    return fn;
  }

  private throttleReason(fn: FunctionState): string | undefined {
    if (fn.reservedConcurrency !== undefined) {
      return fn.running >= fn.reservedConcurrency
        ? 'ReservedFunctionConcurrentInvocationLimitExceeded'
        : undefined;
    }
    let reserved = 0;
    let unreservedRunning = 0;
    for (const other of this.functions.values()) {
      if (other.reservedConcurrency === undefined) unreservedRunning += other.running;
      else reserved += other.reservedConcurrency;
    }
    return unreservedRunning >= this.accountConcurrency - reserved
      ? 'ConcurrentInvocationLimitExceeded'
      : undefined;
  }

  private contextFor(
    fn: FunctionState,
    requestId: string,
    deadline: number,
  ): SimulatedLambdaContext {
    const day = new Date(this.clock.now()).toISOString().slice(0, 10).replaceAll('-', '/');
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: String(fn.memoryMb),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: `${day}/[$LATEST]${requestId.replaceAll('-', '').slice(0, 32)}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - this.clock.now()),
      done: () => deprecatedCallback('done'),
      fail: () => deprecatedCallback('fail'),
      succeed: () => deprecatedCallback('succeed'),
    };
  }

  /** UUID-shaped and deterministic: the n-th invocation of a runtime always has the same id. */
  private nextRequestId(): string {
    this.requests++;
    return sequentialUuid('a000', this.requests);
  }

  private finish<Result>(
    record: InvocationRecord,
    extra: { result?: Result; thrown?: unknown } = {},
  ): InvocationResult<Result> {
    this.log.push(record);
    this.onInvocation?.({ ...record });
    return { ...record, ...extra };
  }
}
