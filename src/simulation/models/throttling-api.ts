import type { Clock, RandomSource } from '../../resilience/clock.js';
import { TokenBucket } from '../../resilience/token-bucket.js';
import { SimulationConfigError } from '../errors.js';
import { chance, createRandom, type Seed } from '../random.js';
import {
  CommonErrors,
  SimulatedServiceError,
  serviceError,
  type ServiceErrorSpec,
} from '../service-error.js';
import {
  unknownOperationError,
  type ModelCallContext,
  type ModelInput,
  type ServiceModel,
} from '../service-model.js';

/**
 * A generic AWS API with server-side quotas: each operation (or a group of operations sharing a
 * quota, like ELBv2's Describe* calls) is a token bucket on the virtual clock, and a call that
 * finds it empty gets the service's throttling error. On top: 5xx faults, random (seeded) or
 * scripted ("fail the next 3 calls with 503"), a fixed or computed answer per operation, and
 * counters for tests and benchmarks. Mount it on any SDK client (see `sdk-mount.ts`).
 *
 * A call goes through, in order: unknown operation (UnknownOperationException) -> quota
 * (throttled; consumes nothing) -> scripted fault -> random fault -> latency -> answer.
 */

export interface QuotaOptions {
  /** Sustained rate: tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: calls that can go through at once after a quiet period. */
  readonly burst: number;
}

export type ResponseFunction = (
  input: ModelInput,
  context: ModelCallContext,
) => object | Promise<object>;

export type OperationResponse = object | ResponseFunction;

function isResponseFunction(response: OperationResponse): response is ResponseFunction {
  return typeof response === 'function';
}

export interface ThrottledOperationOptions {
  /**
   * This operation's own quota, or the name of one in `sharedQuotas` (a bucket several
   * operations draw from).
   * @default - no quota: never throttled
   */
  readonly quota?: QuotaOptions | string;
  /**
   * The answer: an object (copied for each call by the mount), or a function of the input that
   * may also throw a `SimulatedServiceError` (e.g. a validation error).
   * @default {}
   */
  readonly response?: OperationResponse;
}

export interface ThrottleOptions {
  /** @default 'ThrottlingException' */
  readonly name?: string;
  /** @default 429 */
  readonly httpStatusCode?: number;
  /** @default 'Rate exceeded' */
  readonly message?: string;
  /**
   * The `Retry-After` header: `'auto'` (whole seconds until the quota has a token again, at
   * least 1), a fixed number of seconds, or `'none'`.
   * @default 'auto'
   */
  readonly retryAfter?: 'auto' | 'none' | number;
  /**
   * Also put that value in the exception's `retryAfterSeconds` member, as a number (most
   * services that model it) or a string (DRS), or not at all.
   * @default 'number'
   */
  readonly retryAfterMember?: 'number' | 'string' | 'none';
  /** More exception members, e.g. `{ serviceCode: 'drs', quotaCode: 'L-...' }`. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** Ready-made throttling answers. */
export const ThrottleStyles = {
  /** JSON-protocol services: `ThrottlingException`, HTTP 429, `Retry-After`. */
  json: {
    name: 'ThrottlingException',
    httpStatusCode: 429,
    message: 'Rate exceeded',
    retryAfter: 'auto',
    retryAfterMember: 'number',
  },
  /** Query-protocol services such as ELBv2: `Throttling`, HTTP 400, no retry hint. */
  query: {
    name: 'Throttling',
    httpStatusCode: 400,
    message: 'Rate exceeded',
    retryAfter: 'none',
    retryAfterMember: 'none',
  },
} as const satisfies Record<string, ThrottleOptions>;

export interface RandomFaultOptions {
  /** Chance that a call which passed its quota fails, in [0, 1]. */
  readonly probability: number;
  /** @default CommonErrors.internalServerException (HTTP 500) */
  readonly error?: ServiceErrorSpec;
  /** @default - every operation */
  readonly operations?: readonly string[];
}

export type CallOutcome = 'succeeded' | 'throttled' | 'faulted' | 'failed';

export interface CallEvent {
  /** Virtual time of the answer. */
  readonly time: number;
  readonly operation: string;
  readonly outcome: CallOutcome;
  readonly requestId: string;
  readonly attempt: number | undefined;
  /** The error's name when the outcome is not `succeeded`. */
  readonly errorName?: string;
}

export interface ThrottlingApiOptions {
  /** The virtual clock the quotas refill on (the same one that drives the run). */
  readonly clock: Clock;
  /** The operations the API has, by name without the `Command` suffix. */
  readonly operations: Readonly<Record<string, ThrottledOperationOptions>>;
  /** Quotas shared by several operations, referenced by name from `operations`. */
  readonly sharedQuotas?: Readonly<Record<string, QuotaOptions>>;
  /** How a throttled call is answered. @default ThrottleStyles.json */
  readonly throttle?: ThrottleOptions;
  /** Random faults. @default - none */
  readonly faults?: RandomFaultOptions;
  /** Source of the random faults: a seed or a RandomSource. @default - seeded with `name` */
  readonly random?: Seed | RandomSource;
  /** Virtual time each call that passes its quota takes. @default 0 */
  readonly latencyMs?: number;
  /** Called on every answer, e.g. to record a time series. */
  readonly onCall?: (event: CallEvent) => void;
  /** Names the model in errors and traces. @default 'throttling-api' */
  readonly name?: string;
}

export interface OperationCounters {
  /** Every call that arrived; always the sum of the four outcomes. */
  calls: number;
  succeeded: number;
  /** Rejected by the quota. */
  throttled: number;
  /** Failed by an injected fault (scripted or random). */
  faulted: number;
  /** Failed otherwise: unknown operation, or an error thrown by the response function. */
  failed: number;
}

export interface ThrottlingApiStats {
  readonly total: Readonly<OperationCounters>;
  readonly byOperation: Readonly<Record<string, Readonly<OperationCounters>>>;
}

export interface FailNextOptions {
  /** Only calls of this operation. @default - any operation */
  readonly operation?: string;
}

interface OperationEntry {
  readonly bucket: TokenBucket | undefined;
  response: OperationResponse;
}

interface ScriptedFault {
  remaining: number;
  readonly error: ServiceErrorSpec;
  readonly operation: string | undefined;
}

const OPERATION_NAME = /^[A-Z][A-Za-z0-9]*$/;

function emptyCounters(): OperationCounters {
  return { calls: 0, succeeded: 0, throttled: 0, faulted: 0, failed: 0 };
}

function checkQuota(where: string, quota: QuotaOptions): void {
  if (!(Number.isFinite(quota.ratePerSecond) && quota.ratePerSecond > 0)) {
    throw new SimulationConfigError(
      `${where}.ratePerSecond must be a finite number > 0, got ${String(quota.ratePerSecond)}.`,
    );
  }
  if (!(Number.isInteger(quota.burst) && quota.burst >= 1)) {
    throw new SimulationConfigError(
      `${where}.burst must be an integer >= 1 (a bucket that holds no whole call), got ${String(quota.burst)}.`,
    );
  }
}

/** Fails at configuration time, naming the option, rather than on the first faulty call. */
function checkErrorSpec(where: string, spec: ServiceErrorSpec): void {
  try {
    serviceError(spec);
  } catch (error) {
    throw new SimulationConfigError(`${where}: ${(error as Error).message}`, { cause: error });
  }
}

export class ThrottlingApiModel implements ServiceModel {
  readonly name: string;
  private readonly clock: Clock;
  private readonly operations = new Map<string, OperationEntry>();
  private readonly throttle: Required<Omit<ThrottleOptions, 'fields'>> & {
    readonly fields: Readonly<Record<string, unknown>>;
  };
  private readonly faults: RandomFaultOptions | undefined;
  private readonly random: RandomSource;
  private readonly latencyMs: number;
  private readonly onCall: ((event: CallEvent) => void) | undefined;
  private readonly scripted: ScriptedFault[] = [];
  private counters = new Map<string, OperationCounters>();

  constructor(options: ThrottlingApiOptions) {
    this.name = options.name ?? 'throttling-api';
    this.clock = options.clock;
    this.onCall = options.onCall;
    this.latencyMs = options.latencyMs ?? 0;
    if (!(Number.isFinite(this.latencyMs) && this.latencyMs >= 0)) {
      throw new SimulationConfigError(
        `latencyMs must be a finite number >= 0, got ${String(options.latencyMs)}.`,
      );
    }
    const shared = new Map<string, TokenBucket>();
    for (const [group, quota] of Object.entries(options.sharedQuotas ?? {})) {
      checkQuota(`sharedQuotas.${group}`, quota);
      shared.set(group, this.bucket(group, quota));
    }
    const names = Object.keys(options.operations);
    if (names.length === 0) {
      throw new SimulationConfigError('operations must name at least one operation.');
    }
    for (const operation of names) {
      if (!OPERATION_NAME.test(operation)) {
        throw new SimulationConfigError(
          `operations: '${operation}' is not an operation name (PascalCase, no Command suffix).`,
        );
      }
      const spec = options.operations[operation] ?? {};
      let bucket: TokenBucket | undefined;
      if (typeof spec.quota === 'string') {
        bucket = shared.get(spec.quota);
        if (bucket === undefined) {
          throw new SimulationConfigError(
            `operations.${operation}.quota names '${spec.quota}', which is not in sharedQuotas ` +
              `(${[...shared.keys()].join(', ') || 'none defined'}).`,
          );
        }
      } else if (spec.quota !== undefined) {
        checkQuota(`operations.${operation}.quota`, spec.quota);
        bucket = this.bucket(operation, spec.quota);
      }
      this.operations.set(operation, { bucket, response: spec.response ?? {} });
    }
    const throttle = { ...ThrottleStyles.json, ...options.throttle };
    checkErrorSpec('throttle', { name: throttle.name, httpStatusCode: throttle.httpStatusCode });
    if (
      typeof throttle.retryAfter === 'number' &&
      !(Number.isFinite(throttle.retryAfter) && throttle.retryAfter >= 0)
    ) {
      throw new SimulationConfigError(
        `throttle.retryAfter must be 'auto', 'none' or seconds >= 0, got ${throttle.retryAfter}.`,
      );
    }
    this.throttle = { ...throttle, fields: { ...options.throttle?.fields } };
    this.faults = options.faults;
    if (this.faults !== undefined) this.checkFaults(this.faults);
    const random = options.random ?? this.name;
    this.random = typeof random === 'function' ? random : createRandom(random);
  }

  async handle(operation: string, input: ModelInput, context: ModelCallContext): Promise<object> {
    const counters = this.countersOf(operation);
    counters.calls++;
    const entry = this.operations.get(operation);
    if (entry === undefined) {
      const error = unknownOperationError(this.name, operation, [...this.operations.keys()]);
      this.settle(counters, 'failed', operation, context, error.name);
      throw error;
    }
    if (entry.bucket !== undefined && !entry.bucket.tryAcquire()) {
      const error = this.throttleError(entry.bucket);
      this.settle(counters, 'throttled', operation, context, error.name);
      throw error;
    }
    const fault = this.takeScriptedFault(operation) ?? this.drawRandomFault(operation);
    if (this.latencyMs > 0) await this.clock.sleep(this.latencyMs);
    if (fault !== undefined) {
      const error = serviceError(fault);
      this.settle(counters, 'faulted', operation, context, error.name);
      throw error;
    }
    try {
      const response = entry.response;
      const result = isResponseFunction(response) ? await response(input, context) : response;
      this.settle(counters, 'succeeded', operation, context);
      return result;
    } catch (error) {
      this.settle(counters, 'failed', operation, context, (error as Error).name);
      throw error;
    }
  }

  /**
   * Fails the next `count` calls that pass their quota (of `options.operation`, or any) with
   * `error`. Scripts queue: a second `failNext` starts when the first is used up.
   */
  failNext(
    count: number,
    error: ServiceErrorSpec = CommonErrors.internalServerException,
    options: FailNextOptions = {},
  ): void {
    if (!(Number.isInteger(count) && count >= 1)) {
      throw new SimulationConfigError(`failNext count must be an integer >= 1, got ${count}.`);
    }
    if (options.operation !== undefined && !this.operations.has(options.operation)) {
      throw new SimulationConfigError(
        `failNext operation '${options.operation}' is not one of this model's operations.`,
      );
    }
    checkErrorSpec('failNext error', error);
    this.scripted.push({ remaining: count, error, operation: options.operation });
  }

  /** Changes an operation's answer from now on (e.g. targets turning unhealthy mid-run). */
  setResponse(operation: string, response: OperationResponse): void {
    const entry = this.operations.get(operation);
    if (entry === undefined) {
      throw new SimulationConfigError(
        `setResponse: '${operation}' is not one of this model's operations.`,
      );
    }
    entry.response = response;
  }

  /** Tokens left in the quota an operation draws from (undefined: no quota). */
  availableTokens(operation: string): number | undefined {
    return this.operations.get(operation)?.bucket?.availableTokens();
  }

  /** A snapshot of the counters, in total and by operation. */
  stats(): ThrottlingApiStats {
    const total = emptyCounters();
    const byOperation: Record<string, OperationCounters> = {};
    for (const [operation, counters] of this.counters) {
      byOperation[operation] = { ...counters };
      for (const key of Object.keys(total) as (keyof OperationCounters)[]) {
        total[key] += counters[key];
      }
    }
    return { total, byOperation };
  }

  resetStats(): void {
    this.counters = new Map();
  }

  private bucket(name: string, quota: QuotaOptions): TokenBucket {
    return new TokenBucket({
      name: `${this.name}:${name}`,
      ratePerSecond: quota.ratePerSecond,
      capacity: quota.burst,
      clock: this.clock,
    });
  }

  private checkFaults(faults: RandomFaultOptions): void {
    if (!(faults.probability >= 0 && faults.probability <= 1)) {
      throw new SimulationConfigError(
        `faults.probability must be in [0, 1], got ${String(faults.probability)}.`,
      );
    }
    for (const operation of faults.operations ?? []) {
      if (!this.operations.has(operation)) {
        throw new SimulationConfigError(
          `faults.operations: '${operation}' is not one of this model's operations.`,
        );
      }
    }
    if (faults.error !== undefined) checkErrorSpec('faults.error', faults.error);
  }

  private countersOf(operation: string): OperationCounters {
    let counters = this.counters.get(operation);
    if (counters === undefined) {
      counters = emptyCounters();
      this.counters.set(operation, counters);
    }
    return counters;
  }

  private settle(
    counters: OperationCounters,
    outcome: CallOutcome,
    operation: string,
    context: ModelCallContext,
    errorName?: string,
  ): void {
    counters[outcome]++;
    this.onCall?.({
      time: this.clock.now(),
      operation,
      outcome,
      requestId: context.requestId,
      attempt: context.attempt,
      ...(errorName === undefined ? {} : { errorName }),
    });
  }

  private throttleError(bucket: TokenBucket): SimulatedServiceError {
    const { retryAfter, retryAfterMember } = this.throttle;
    let seconds: number | undefined;
    if (retryAfter === 'auto') {
      const missing = 1 - bucket.availableTokens();
      seconds = Math.max(1, Math.ceil(missing / bucket.ratePerSecond));
    } else if (retryAfter !== 'none') {
      seconds = retryAfter;
    }
    const member =
      seconds === undefined || retryAfterMember === 'none'
        ? {}
        : { retryAfterSeconds: retryAfterMember === 'string' ? String(seconds) : seconds };
    return new SimulatedServiceError({
      name: this.throttle.name,
      httpStatusCode: this.throttle.httpStatusCode,
      message: this.throttle.message,
      retryAfterSeconds: seconds,
      fields: { ...this.throttle.fields, ...member },
    });
  }

  private takeScriptedFault(operation: string): ServiceErrorSpec | undefined {
    const index = this.scripted.findIndex(
      (script) => script.operation === undefined || script.operation === operation,
    );
    if (index < 0) return undefined;
    const script = this.scripted[index];
    script.remaining--;
    if (script.remaining === 0) this.scripted.splice(index, 1);
    return script.error;
  }

  private drawRandomFault(operation: string): ServiceErrorSpec | undefined {
    const faults = this.faults;
    if (faults === undefined || faults.probability === 0) return undefined;
    if (faults.operations !== undefined && !faults.operations.includes(operation)) {
      return undefined;
    }
    return chance(this.random, faults.probability)
      ? (faults.error ?? CommonErrors.internalServerException)
      : undefined;
  }
}
