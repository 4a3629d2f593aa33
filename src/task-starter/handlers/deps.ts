/**
 * What the task-starter handlers need from the outside world, in one object. Tests and the
 * simulation pass their own; only {@link defaultDeps} reads the environment.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  buildOnce,
  resolveDeps,
  type DepsSource as DepsSourceOf,
} from '../../common/deps-source.js';
import { createHandlerTelemetry } from '../../observability/handler-telemetry.js';
import type { OpsLogger } from '../../observability/logger.js';
import type { MetricRecorder } from '../../observability/metrics.js';
import { systemClock, type Clock, type RandomSource } from '../../resilience/clock.js';
import { createResilientClient } from '../../resilience/resilient-client.js';
import {
  TASK_STARTER_SERVICE_NAME,
  parseTaskStarterConfig,
  type TaskStarterConfig,
} from '../contract.js';
import { adaptersOf, type RuntimeClients, type TaskStarterRuntime } from '../runtime.js';
import { withCorrelationId } from '../../observability/correlation.js';

export interface TaskStarterDeps {
  readonly config: TaskStarterConfig;
  /** One client per service; build them with `createResilientClient`. */
  readonly clients: RuntimeClients;
  readonly clock: Clock;
  readonly logger: OpsLogger;
  readonly metrics: MetricRecorder;
  /** Jitter of the RunTask capacity retries. @default Math.random */
  readonly random?: RandomSource;
  /** Publishes buffered metrics; called at the end of every invocation. @default - nothing */
  readonly flushMetrics?: () => void;
}

/** Deps, or a function that builds them on first use (so that importing never throws). */
export type DepsSource = DepsSourceOf<TaskStarterDeps>;
export { resolveDeps };

/** The runtime of one invocation: the deps' adapters and a logger tagged with `correlationId`. */
export function runtimeOf(deps: TaskStarterDeps, correlationId: string): TaskStarterRuntime {
  const { ecs, elb } = adaptersOf(deps.clients);
  return {
    config: deps.config,
    ecs,
    elb,
    clock: deps.clock,
    logger: withCorrelationId(deps.logger, correlationId),
    metrics: deps.metrics,
    random: deps.random ?? Math.random,
  };
}

/** The part of the Lambda context the handlers read. */
export interface InvocationContext {
  readonly awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The production deps, built on the first invocation and kept for the container's life: the
 * configuration is parsed once, the clients are created once. A bad variable fails every
 * invocation with the `TaskStarterConfigError` that names it.
 */
export function defaultDeps(env: Env = process.env): () => TaskStarterDeps {
  return buildOnce(() => buildDefaultDeps(env));
}

function buildDefaultDeps(env: Env): TaskStarterDeps {
  const config = parseTaskStarterConfig(env);
  const telemetry = createHandlerTelemetry({
    serviceName: TASK_STARTER_SERVICE_NAME,
    namespace: config.metricsNamespace,
  });
  const { logger } = telemetry;
  const resilience = { clock: systemClock, logger, metrics: telemetry.clientMetrics, env };
  return {
    config,
    clients: {
      ecs: createResilientClient(ECSClient, {}, resilience),
      elbv2: createResilientClient(ElasticLoadBalancingV2Client, {}, resilience),
    },
    clock: systemClock,
    logger,
    metrics: telemetry.metrics,
    flushMetrics: telemetry.flushMetrics,
  };
}
