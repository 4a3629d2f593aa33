/**
 * A simulated account for the disaster-recovery handlers: DRS (one region), Service Quotas
 * answering the DRS model's quotas, DynamoDB with the lease and shared-limiter tables as the
 * construct creates them, and SNS with the alert topic, all on one virtual clock.
 *
 * `container()` builds the deps of one Lambda container exactly as `defaultDeps` does in
 * production (a `DrsRuntime` from the same configuration, a DynamoDB idempotency store), but
 * with clients mounted on the models: each container has its own local token bucket, and all
 * share the DynamoDB tables, so local and shared limiting compare as they would on AWS.
 */
import * as drsSdk from '@aws-sdk/client-drs';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import * as serviceQuotasSdk from '@aws-sdk/client-service-quotas';
import * as snsSdk from '@aws-sdk/client-sns';
import type { MetadataBearer, MiddlewareStack } from '@smithy/types';
import { InMemoryMetricRecorder } from '../../observability/metrics.js';
import { createRandom, deriveSeed, type Seed } from '../../simulation/random.js';
import { DrsModel, type DrsModelOptions } from '../../simulation/models/drs.js';
import { DynamoDbModel } from '../../simulation/models/dynamodb.js';
import { ServiceQuotasModel } from '../../simulation/models/service-quotas.js';
import { SnsModel } from '../../simulation/models/sns.js';
import { createSimulatedClient, type MountableClient } from '../../simulation/sdk-mount.js';
import { SimulationConfigError } from '../../simulation/errors.js';
import { VirtualClock } from '../../simulation/virtual-clock.js';
import type { AwsClientFactory } from '../clients.js';
import {
  DRS_TABLE_PARTITION_KEY,
  DRS_TABLE_TTL_ATTRIBUTE,
  minimumLeaseTtlSeconds,
  parseDisasterRecoveryConfig,
  toDisasterRecoveryEnvironment,
  type DisasterRecoveryConfig,
} from '../contract.js';
import { silentDrsLogger, type DrsLogger } from '../observability.js';
import { createDrsRuntime } from '../runtime.js';
import type { DisasterRecoveryDeps } from '../handlers/deps.js';
import { DynamoDbIdempotencyStore } from '../handlers/idempotency.js';

type MountableClientClass = new (config: never) => MountableClient<object, MetadataBearer>;

/** The part of an SDK client `onAwsCall` hooks into (any client version). */
interface RecordableClient {
  readonly middlewareStack: Pick<MiddlewareStack<object, MetadataBearer>, 'add'>;
}

export const SIMULATED_ACCOUNT_ID = '123456789012';
export const LIMITER_TABLE = 'drs-limiter';
export const LEASE_TABLE = 'drs-leases';
export const ALERT_TOPIC = 'DRS-RateLimitAlerts';

export interface DrsWorldOptions {
  /** The home region (tables, topic, default DRS). @default 'us-east-1' */
  readonly region?: string;
  /** More regions with DRS (each its own model, same options), for account-wide queries. */
  readonly otherRegions?: readonly string[];
  /** Seed of every random choice (jitter, latencies). @default 1 */
  readonly seed?: Seed;
  /** The DRS model: quotas, throttling, job timings, latency. @default - AWS's defaults */
  readonly drs?: Omit<DrsModelOptions, 'clock' | 'region' | 'accountId'>;
  /** Virtual latency of each DynamoDB request. @default 5 */
  readonly dynamoDbLatencyMs?: number;
  /** Configuration overrides (the construct's environment is the base). */
  readonly config?: Partial<DisasterRecoveryConfig>;
  /** @default - silent */
  readonly logger?: DrsLogger;
  /** Told of every AWS call any container makes (each attempt), e.g. to check IAM grants. */
  readonly onAwsCall?: (call: AwsCall) => void;
  /** The world's clock, for a caller that times what it records. @default a new VirtualClock */
  readonly clock?: VirtualClock;
  /** Where every container records its metrics. @default a new InMemoryMetricRecorder */
  readonly metrics?: InMemoryMetricRecorder;
}

/** One AWS call a container made: the IAM service prefix, the operation and its input. */
export interface AwsCall {
  readonly service: 'drs' | 'dynamodb' | 'servicequotas' | 'sns';
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
}

export interface DrsWorld {
  readonly clock: VirtualClock;
  readonly region: string;
  /** DRS of the home region. */
  readonly drs: DrsModel;
  /** DRS of a region (the home region or one of `otherRegions`). */
  drsIn(region: string): DrsModel;
  readonly dynamodb: DynamoDbModel;
  readonly serviceQuotas: ServiceQuotasModel;
  readonly sns: SnsModel;
  readonly alertTopicArn: string;
  readonly config: DisasterRecoveryConfig;
  /** Every container's DRS/RateLimits metrics (ApiCalls, Retries, RateLimitErrors, ...). */
  readonly metrics: InMemoryMetricRecorder;
  /** The deps of a fresh Lambda container (its own runtime, limiter and clients). */
  container(overrides?: Partial<DisasterRecoveryConfig>): DisasterRecoveryDeps;
}

/** The configuration the construct would give the functions, with the world's table names. */
function baseConfig(alertTopicArn: string, regions: readonly string[]): DisasterRecoveryConfig {
  return parseDisasterRecoveryConfig({
    DRS_REGIONS: regions.join(','),
    DRS_LIMITER_MODE: 'shared',
    DRS_LIMITER_TABLE_NAME: LIMITER_TABLE,
    DRS_LEASE_TABLE_NAME: LEASE_TABLE,
    DRS_ALERTS_TOPIC_ARN: alertTopicArn,
  });
}

export function createDrsWorld(options: DrsWorldOptions = {}): DrsWorld {
  const region = options.region ?? 'us-east-1';
  const seed = options.seed ?? 1;
  const clock = options.clock ?? VirtualClock.create();
  const common = { clock, region, accountId: SIMULATED_ACCOUNT_ID };
  const regions = [region, ...(options.otherRegions ?? [])];
  const drsModels = new Map(
    regions.map((r) => [
      r,
      new DrsModel({
        ...common,
        region: r,
        random: deriveSeed(seed, `drs-${r}`),
        name: `drs-${r}`,
        ...options.drs,
      }),
    ]),
  );
  const drsIn = (r: string): DrsModel => {
    const model = drsModels.get(r);
    if (model === undefined) {
      throw new SimulationConfigError(
        `DrsWorld: no DRS in ${r}; add it to otherRegions (${regions.join(', ')} exist).`,
      );
    }
    return model;
  };
  const drs = drsIn(region);
  const quotaModels = new Map(
    regions.map((r) => [r, new ServiceQuotasModel({ ...common, region: r, drs: drsIn(r) })]),
  );
  const dynamodb = new DynamoDbModel({
    ...common,
    random: deriveSeed(seed, 'dynamodb'),
    latencyMs: options.dynamoDbLatencyMs ?? 5,
  });
  for (const name of [LIMITER_TABLE, LEASE_TABLE]) {
    dynamodb.createTable({
      name,
      partitionKey: { name: DRS_TABLE_PARTITION_KEY, type: 'S' },
      ttl: { attributeName: DRS_TABLE_TTL_ATTRIBUTE },
    });
  }
  const serviceQuotas = quotaModels.get(region) as ServiceQuotasModel;
  const sns = new SnsModel({ ...common });
  const alertTopicArn = sns.createTopic(ALERT_TOPIC);
  // Through the environment round trip, as the construct configures the functions.
  const merged = { ...baseConfig(alertTopicArn, regions), ...options.config };
  // Like the construct: the lease TTL outlives a start unless a test sets it.
  const leaseTtlSeconds =
    options.config?.leaseTtlSeconds ??
    Math.max(
      merged.leaseTtlSeconds,
      minimumLeaseTtlSeconds(merged.throttlerTimeoutSeconds, merged.maxRetries),
    );
  const config = parseDisasterRecoveryConfig(
    toDisasterRecoveryEnvironment({ ...merged, leaseTtlSeconds }),
  );
  const metrics = options.metrics ?? new InMemoryMetricRecorder();
  const record = <C>(service: AwsCall['service'], client: C): C => {
    const { onAwsCall } = options;
    if (onAwsCall === undefined) return client;
    (client as unknown as RecordableClient).middlewareStack.add(
      (next, context) => (args) => {
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        onAwsCall({ service, operation, input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: 'initialize', name: 'recordAwsCall' },
    );
    return client;
  };
  const factory: AwsClientFactory = {
    // The DRS client (3.523) has its own older @smithy types: mount it through a cast.
    drs: (request): drsSdk.DrsClient => {
      const client: unknown = createSimulatedClient(
        drsSdk.DrsClient as unknown as MountableClientClass,
        { region: request.region, maxAttempts: 1 } as never,
        drsIn(request.region),
        { exceptions: drsSdk },
      );
      return record('drs', client as drsSdk.DrsClient);
    },
    serviceQuotas: (request) =>
      record(
        'servicequotas',
        createSimulatedClient(
          serviceQuotasSdk.ServiceQuotasClient,
          { region: request.region, maxAttempts: 1 },
          quotaModels.get(request.region) ?? serviceQuotas,
          { exceptions: serviceQuotasSdk },
        ),
      ),
    dynamoDb: (request) =>
      record(
        'dynamodb',
        createSimulatedClient(
          dynamodbSdk.DynamoDBClient,
          { region: request.region, maxAttempts: 1 },
          dynamodb,
          { exceptions: dynamodbSdk },
        ),
      ),
    sns: (request) =>
      record(
        'sns',
        createSimulatedClient(snsSdk.SNSClient, { region: request.region, maxAttempts: 1 }, sns, {
          exceptions: snsSdk,
        }),
      ),
  };
  let containers = 0;
  const logger = options.logger ?? silentDrsLogger;

  return {
    clock,
    region,
    drs,
    drsIn,
    dynamodb,
    serviceQuotas,
    sns,
    alertTopicArn,
    config,
    metrics,
    container(overrides = {}) {
      containers += 1;
      const containerConfig = { ...config, ...overrides };
      const random = createRandom(deriveSeed(seed, `container-${containers}`));
      const runtime = createDrsRuntime(containerConfig, {
        clock,
        random,
        logger,
        metrics,
        clientFactory: factory,
        ownAccountId: SIMULATED_ACCOUNT_ID,
        homeRegion: region,
        env: {},
      });
      let ids = 0;
      return {
        config: containerConfig,
        services: runtime,
        idempotency: new DynamoDbIdempotencyStore(factory.dynamoDb({ region }), LEASE_TABLE),
        clock,
        logger,
        newId: () => `container-${containers}-invocation-${(ids += 1)}`,
        setInvocationContext: (context) => runtime.setInvocationContext(context),
      };
    },
  };
}
