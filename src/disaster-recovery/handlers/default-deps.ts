/**
 * The production deps of both handlers, built on the first invocation and kept for the
 * container's life: the environment is parsed once (a bad variable fails every invocation with
 * the `DrsConfigError` that names it), the DRS runtime, the logger, the EMF metrics and the
 * idempotency store are created once. Lazy so that importing a handler never throws.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildOnce } from '../../common/deps-source.js';
import { createHandlerTelemetry } from '../../observability/handler-telemetry.js';
import { systemClock } from '../../resilience/clock.js';
import { createResilientClient } from '../../resilience/resilient-client.js';
import { DRS_METRICS_NAMESPACE, parseDisasterRecoveryConfig } from '../contract.js';
import { retryLayerLogger } from '../observability.js';
import { createDrsRuntime } from '../runtime.js';
import type { DisasterRecoveryDeps } from './deps.js';
import { DynamoDbIdempotencyStore, InMemoryIdempotencyStore } from './idempotency.js';
import { DISASTER_RECOVERY_SERVICE_NAME } from './service.js';

type Env = Readonly<Record<string, string | undefined>>;

export function defaultDeps(env: Env = process.env): () => DisasterRecoveryDeps {
  return buildOnce(() => buildDefaultDeps(env));
}

function buildDefaultDeps(env: Env): DisasterRecoveryDeps {
  const config = parseDisasterRecoveryConfig(env);
  // Every DRS metric, the clients' included, lives in the one DRS/RateLimits namespace.
  const telemetry = createHandlerTelemetry({
    serviceName: DISASTER_RECOVERY_SERVICE_NAME,
    namespace: DRS_METRICS_NAMESPACE,
    clientNamespace: DRS_METRICS_NAMESPACE,
  });
  const { logger } = telemetry;
  const recorder = telemetry.metrics;
  const runtime = createDrsRuntime(config, { logger, metrics: recorder, env });
  const region = env.AWS_REGION;
  const idempotency =
    config.leaseTableName === undefined
      ? new InMemoryIdempotencyStore()
      : new DynamoDbIdempotencyStore(
          createResilientClient(
            DynamoDBClient,
            { region },
            {
              service: 'dynamodb',
              clock: systemClock,
              logger: retryLayerLogger(logger),
              metrics: recorder,
              env,
            },
          ),
          config.leaseTableName,
        );
  return {
    config,
    services: runtime,
    idempotency,
    clock: systemClock,
    logger,
    newId: randomUUID,
    setInvocationContext: (context) => {
      logger.appendKeys({ correlationId: context.correlationId });
      runtime.setInvocationContext(context);
    },
    flushMetrics: telemetry.flushMetrics,
  };
}
