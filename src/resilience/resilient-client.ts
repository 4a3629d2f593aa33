import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { HttpRequest } from '@smithy/protocol-http';
import {
  SMITHY_CONTEXT_KEY,
  type FinalizeHandler,
  type FinalizeHandlerArguments,
  type HandlerExecutionContext,
  type InitializeHandler,
  type InitializeHandlerArguments,
  type MetadataBearer,
  type MiddlewareStack,
} from '@smithy/types';
import type { MetricDimensions, MetricRecorder } from '../observability/metrics.js';
import { noopMetricRecorder } from '../observability/metrics.js';
import { systemClock } from './clock.js';
import { ResilienceConfigError, RetryExhaustedError } from './errors.js';
import { defaultLimiterRegistry, type LimiterRegistry } from './limiter-registry.js';
import { ApiCallOutcome, ResilienceMetricNames } from './metric-names.js';
import { serviceKey } from './rate-limit-config.js';
import { createRetryPolicy, type RetryPolicy, type RetryRuntimeOptions } from './retry.js';
import { resolveRetryConfig, type Environment, type RetryConfig } from './retry-config.js';
import type { Limiter } from './token-bucket.js';

/** Options of `attachResilience` / `createResilientClient`. */
export interface ResilienceOptions extends Omit<RetryRuntimeOptions, 'signal'> {
  /** Any part of the retry config; the rest comes from `OPSKIT_RETRY_*`, then the defaults. */
  readonly retry?: Partial<RetryConfig>;
  /** Source of `OPSKIT_RETRY_*`; `{}` ignores the environment. @default process.env */
  readonly env?: Environment;
  /**
   * Where the (service, region) limiter comes from.
   * @default - defaultLimiterRegistry(clock): shared by every client in the process
   */
  readonly registry?: LimiterRegistry;
  /**
   * A specific limiter instead of the registry's: any `Limiter`, e.g. a `TokenBucket` or a
   * limiter shared across containers.
   */
  readonly limiter?: Limiter;
  /**
   * Fail an attempt with `RateLimitTimeoutError` after waiting this long for a token.
   * @default - wait as long as it takes (the Lambda timeout bounds it)
   */
  readonly acquireTimeoutMs?: number;
  /** Service key for limiter, metrics and logs. @default - from `client.config.serviceId` */
  readonly service?: string;
  /** @default - `await client.config.region()` */
  readonly region?: string;
}

/**
 * The part of an SDK v3 client this module touches; every `@aws-sdk/client-*` client has it.
 * Only `add` of the stack is named: clients built on an older @smithy/types (e.g.
 * @aws-sdk/client-drs 3.523) declare other stack members with narrower generics.
 */
export interface ResilienceCapableClient {
  readonly middlewareStack: Pick<MiddlewareStack<object, MetadataBearer>, 'add'>;
  readonly config: object;
}

/** Name of the kit's middleware in the client's stack. */
export const RESILIENCE_MIDDLEWARE_NAME = 'opskitResilienceMiddleware';
/** The SDK's retry middleware (@smithy/core 3.41 `retryMiddlewareOptions`). */
export const SDK_RETRY_MIDDLEWARE_NAME = 'retryMiddleware';

/**
 * Builds an SDK v3 client whose every call is rate-limited per (service, region), retried by
 * the kit (and only by the kit: SDK `maxAttempts` is 1) and measured.
 *
 * @example createResilientClient(ElasticLoadBalancingV2Client, { region: 'eu-west-1' }, { logger })
 */
export function createResilientClient<C extends ResilienceCapableClient, Config extends object>(
  ClientClass: new (...args: [Config] | []) => C,
  clientConfig: NoInfer<Config>,
  options: ResilienceOptions = {},
): C {
  const given = clientConfig as Record<string, unknown>;
  for (const key of ['maxAttempts', 'retryStrategy', 'retryMode'] as const) {
    if (given[key] === undefined || (key === 'maxAttempts' && given[key] === 1)) continue;
    throw new ResilienceConfigError(
      `createResilientClient: clientConfig.${key} is set, but the kit is the only retry layer ` +
        '(SDK retries would multiply its attempts). Remove it and use options.retry ' +
        '(maxRetries, baseDelayMs, maxDelayMs, jitter) instead.',
    );
  }
  const client = new ClientClass({ ...clientConfig, maxAttempts: 1 });
  return attachResilience(client, options);
}

/**
 * Makes an existing client resilient: adds the kit's retry + rate-limit middleware as the
 * outermost (`initialize`, high priority) step and replaces the SDK's `retryMiddleware` with a
 * pass-through of the same name, so its retry strategy can never run (whatever `maxAttempts`,
 * `retryMode` or `retryStrategy` the client was built with) while middleware placed relative to
 * it keeps its place. Attaching again replaces the previous options. Returns the client.
 */
export function attachResilience<C extends ResilienceCapableClient>(
  client: C,
  options: ResilienceOptions = {},
): C {
  const config = client.config as ClientConfigView;
  const serviceId = options.service ?? config.serviceId;
  if (typeof serviceId !== 'string' || serviceKey(serviceId) === '') {
    throw new ResilienceConfigError(
      'attachResilience: the client has no config.serviceId; pass options.service ' +
        "(e.g. 'drs') so calls can be rate-limited per service.",
    );
  }
  const service = serviceKey(serviceId);
  const retryConfig = resolveRetryConfig(options.retry ?? {}, options.env);
  const stack = client.middlewareStack;
  try {
    stack.add(sdkRetryNeutraliser, {
      name: SDK_RETRY_MIDDLEWARE_NAME,
      step: 'finalizeRequest',
      priority: 'high',
      tags: ['RETRY'],
      override: true,
    });
  } catch (error) {
    throw new ResilienceConfigError(
      `attachResilience: cannot replace the SDK's ${SDK_RETRY_MIDDLEWARE_NAME} in this client ` +
        `(${(error as Error).message}); build it with createResilientClient instead.`,
      { cause: error },
    );
  }
  stack.add(resilienceMiddleware(service, config, retryConfig, options), {
    name: RESILIENCE_MIDDLEWARE_NAME,
    step: 'initialize',
    priority: 'high',
    tags: ['RETRY', 'RATE_LIMIT'],
    override: true,
  });
  // With `cacheMiddleware: true` the client caches resolved handler chains; drop them so the
  // next call is built from the updated stack.
  Reflect.deleteProperty(client, 'handlers');
  return client;
}

interface ClientConfigView {
  readonly serviceId?: unknown;
  readonly region?: unknown;
}

interface AttemptInfo {
  readonly invocationId: string;
  readonly attempt: number;
  readonly maxAttempts: number;
}

// The kit's middleware tells the pass-through which attempt is running; the context object is
// the same for every attempt of one `send`.
const attemptInfo = new WeakMap<HandlerExecutionContext, AttemptInfo>();

/**
 * Same name, step and priority as the SDK's retry middleware: one attempt, no retry. It keeps
 * the SDK's informational headers (one invocation id per call, `attempt=n; max=m`) truthful.
 */
function sdkRetryNeutraliser(
  next: FinalizeHandler<object, MetadataBearer>,
  context: HandlerExecutionContext,
) {
  return (args: FinalizeHandlerArguments<object>) => {
    const info = attemptInfo.get(context);
    if (info && HttpRequest.isInstance(args.request)) {
      args.request.headers['amz-sdk-invocation-id'] = info.invocationId;
      args.request.headers['amz-sdk-request'] = `attempt=${info.attempt}; max=${info.maxAttempts}`;
    }
    return next(args);
  };
}

function resilienceMiddleware(
  service: string,
  config: ClientConfigView,
  retryConfig: RetryConfig,
  options: ResilienceOptions,
) {
  const clock = options.clock ?? systemClock;
  const metrics: MetricRecorder = options.metrics ?? noopMetricRecorder;
  const dimensions: MetricDimensions = { ...options.metricDimensions, Service: service };
  const runtime: RetryRuntimeOptions = { ...options, clock, metrics, metricDimensions: dimensions };
  const policy = createRetryPolicy(retryConfig, runtime);
  // A stream body cannot be sent twice: such calls get one attempt, like in the SDK.
  const singleAttempt = createRetryPolicy(retryConfig, { ...runtime, isRetryable: () => false });
  let region: Promise<string> | undefined;

  return (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
    async (args: InitializeHandlerArguments<object>) => {
      region ??= resolveRegion(config, options.region);
      const resolvedRegion = await region.catch((error: unknown) => {
        region = undefined; // let a later call retry the lookup
        throw error;
      });
      const operation = operationOf(context);
      const limiter = options.limiter ?? registryOf(options).get(service, resolvedRegion);
      const signal = abortSignalOf(context);
      const chosen: RetryPolicy = hasStreamingMember(args.input) ? singleAttempt : policy;
      const invocationId = randomUUID();
      const maxAttempts = chosen === policy ? retryConfig.maxRetries + 1 : 1;
      let attempts = 0;
      let totalRetryDelay = 0;
      try {
        const outcome = await chosen.run(
          operation,
          async (attempt) => {
            attempts = attempt;
            attemptInfo.set(context, { invocationId, attempt, maxAttempts });
            const waitedMs = await limiter.acquire({
              ...(signal ? { signal } : {}),
              ...(options.acquireTimeoutMs === undefined
                ? {}
                : { timeoutMs: options.acquireTimeoutMs }),
            });
            metrics.record(ResilienceMetricNames.rateLimiterWaitTime, 'Milliseconds', waitedMs, {
              ...dimensions,
            });
            return next(args);
          },
          {
            ...(signal ? { signal } : {}),
            logFields: { ...options.logFields, service, region: resolvedRegion },
            onRetry: (event) => {
              totalRetryDelay += event.delayMs;
              options.onRetry?.(event);
            },
          },
        );
        setAttempts(outcome.value.output, attempts, totalRetryDelay);
        recordCall(metrics, dimensions, operation, ApiCallOutcome.success);
        return outcome.value;
      } catch (error) {
        recordCall(metrics, dimensions, operation, ApiCallOutcome.failure);
        setAttempts(
          error instanceof RetryExhaustedError ? error.cause : error,
          attempts,
          totalRetryDelay,
        );
        throw error;
      }
    };
}

function registryOf(options: ResilienceOptions): LimiterRegistry {
  return options.registry ?? defaultLimiterRegistry(options.clock ?? systemClock);
}

async function resolveRegion(config: ClientConfigView, explicit: string | undefined) {
  if (explicit !== undefined) return explicit;
  const region: unknown =
    typeof config.region === 'function' ? await (config.region as () => unknown)() : config.region;
  if (typeof region !== 'string' || region === '') {
    throw new ResilienceConfigError(
      'Resilient client: the client has no region; set clientConfig.region or AWS_REGION, ' +
        'or pass options.region.',
    );
  }
  return region;
}

function operationOf(context: HandlerExecutionContext): string {
  const fromSmithy = context[SMITHY_CONTEXT_KEY]?.operation;
  if (typeof fromSmithy === 'string' && fromSmithy) return fromSmithy;
  const command = context.commandName;
  return typeof command === 'string' && command ? command.replace(/Command$/, '') : 'Unknown';
}

function abortSignalOf(context: HandlerExecutionContext): AbortSignal | undefined {
  const signal = context[SMITHY_CONTEXT_KEY]?.abortSignal;
  return signal instanceof AbortSignal ? signal : undefined;
}

function hasStreamingMember(input: object): boolean {
  return Object.values(input).some(
    (value) =>
      value instanceof Readable ||
      (typeof ReadableStream !== 'undefined' && value instanceof ReadableStream),
  );
}

/** Our attempt count replaces the SDK's (always 1 now) on outputs and SDK errors. */
function setAttempts(target: unknown, attempts: number, totalRetryDelay: number): void {
  if (typeof target !== 'object' || target === null) return;
  const metadata = (target as { $metadata?: unknown }).$metadata;
  if (typeof metadata !== 'object' || metadata === null) return;
  Object.assign(metadata, { attempts, totalRetryDelay });
}

function recordCall(
  metrics: MetricRecorder,
  dimensions: MetricDimensions,
  operation: string,
  outcome: string,
): void {
  metrics.record(ResilienceMetricNames.apiCalls, 'Count', 1, {
    ...dimensions,
    Operation: operation,
    Outcome: outcome,
  });
}
