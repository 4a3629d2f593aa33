/**
 * What the load-shedding handlers need from the outside world, in one object: the SDK clients,
 * the clock, the logger, the metrics recorder, the configuration and a source of fresh ids.
 * Tests and the simulation pass their own; only {@link defaultDeps} reads the environment.
 */
import { randomUUID } from 'node:crypto';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  buildOnce,
  resolveDeps,
  type DepsSource as DepsSourceOf,
} from '../../common/deps-source.js';
import { createHandlerTelemetry } from '../../observability/handler-telemetry.js';
import type { OpsLogger } from '../../observability/logger.js';
import type { MetricRecorder } from '../../observability/metrics.js';
import { systemClock, type Clock } from '../../resilience/clock.js';
import { createResilientClient } from '../../resilience/resilient-client.js';
import { parseLoadSheddingConfig, type LoadSheddingConfig } from '../contract.js';

/**
 * `service` of every log line and EMF metric of the handlers. Powertools adds it as a metric
 * dimension too, so alarms on the controller's metrics use `service` + `PrimaryTargetGroup`.
 */
export const LOAD_SHEDDING_SERVICE_NAME = 'load-shedding';

/** One client per service; build them with `createResilientClient` (rate limit + retry). */
export interface LoadSheddingClients {
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly cloudwatch: CloudWatchClient;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
}

export interface LoadSheddingDeps {
  readonly config: LoadSheddingConfig;
  readonly clients: LoadSheddingClients;
  /** `now()` dates decisions; the clients sleep on the same clock. */
  readonly clock: Clock;
  readonly logger: OpsLogger;
  /** Receives the controller's metrics (names and dimensions from the contract). */
  readonly metrics: MetricRecorder;
  /** A fresh unique id for a chain or a check (`crypto.randomUUID` in production). */
  readonly newId: () => string;
  /** Publishes buffered metrics; called at the end of every invocation. @default - nothing */
  readonly flushMetrics?: () => void;
}

/** Deps, or a function that builds them on first use (so that importing never throws). */
export type DepsSource = DepsSourceOf<LoadSheddingDeps>;
export { resolveDeps };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The production deps, built on the first invocation and then kept for the container's life:
 * the configuration is parsed once, the clients are created once. Lazy so that importing a
 * handler module never throws (tests, bundlers); a bad or missing variable fails the first
 * invocation, and every later one, with the `LoadSheddingConfigError` that names it.
 */
export function defaultDeps(env: Env = process.env): () => LoadSheddingDeps {
  return buildOnce(() => buildDefaultDeps(env));
}

function buildDefaultDeps(env: Env): LoadSheddingDeps {
  const config = parseLoadSheddingConfig(env);
  const telemetry = createHandlerTelemetry({
    serviceName: LOAD_SHEDDING_SERVICE_NAME,
    namespace: config.metricsNamespace,
  });
  const { logger } = telemetry;
  const resilience = { clock: systemClock, logger, metrics: telemetry.clientMetrics, env };
  return {
    config,
    clients: {
      elbv2: createResilientClient(ElasticLoadBalancingV2Client, {}, resilience),
      cloudwatch: createResilientClient(CloudWatchClient, {}, resilience),
      sqs: createResilientClient(SQSClient, {}, resilience),
      dynamodb: createResilientClient(DynamoDBClient, {}, resilience),
    },
    clock: systemClock,
    logger,
    metrics: telemetry.metrics,
    newId: randomUUID,
    flushMetrics: telemetry.flushMetrics,
  };
}
