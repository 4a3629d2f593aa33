/**
 * A small simulated AWS for the DRS library tests: DRS models per (account, region) via
 * `DrsFleet` (so cross-account calls go through the STS model), Service Quotas, DynamoDB with
 * the lease/limiter table, SNS with the alert topic, on one virtual clock. `runtime()` builds a
 * `DrsRuntime` (one "Lambda container") whose clients are mounted on those models.
 */
import * as drsSdk from '@aws-sdk/client-drs';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import * as serviceQuotasSdk from '@aws-sdk/client-service-quotas';
import * as snsSdk from '@aws-sdk/client-sns';
import {
  doesIdentityRequireRefresh,
  isIdentityExpired,
  memoizeIdentityProvider,
} from '@smithy/core';
import type { AwsClientFactory } from '../../src/disaster-recovery/clients.js';
import {
  DRS_TABLE_PARTITION_KEY,
  DRS_TABLE_TTL_ATTRIBUTE,
  parseDisasterRecoveryConfig,
  type DisasterRecoveryConfig,
} from '../../src/disaster-recovery/contract.js';
import { silentDrsLogger, type DrsLogger } from '../../src/disaster-recovery/observability.js';
import { createDrsRuntime, type DrsRuntime } from '../../src/disaster-recovery/runtime.js';
import { InMemoryMetricRecorder } from '../../src/observability/metrics.js';
import { DrsFleet, type DrsFleetOptions } from '../../src/simulation/models/drs-fleet.js';
import type { DrsModel } from '../../src/simulation/models/drs.js';
import { DynamoDbModel } from '../../src/simulation/models/dynamodb.js';
import { ServiceQuotasModel } from '../../src/simulation/models/service-quotas.js';
import { SnsModel } from '../../src/simulation/models/sns.js';
import { StsModel, assumeRoleClientOptions } from '../../src/simulation/models/sts.js';
import { createRandom } from '../../src/simulation/random.js';
import { createSimulatedClient } from '../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';

export const OWN_ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '210987654321';
export const OTHER_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/DrsOrchestration`;
export const TABLE = 'drs-state';
export const HOME_REGION = 'us-east-1';

export interface LibraryWorldOptions {
  readonly regions?: readonly string[];
  readonly drs?: Omit<DrsFleetOptions, 'clock' | 'accounts' | 'defaultAccountId'>;
  /** Environment overrides (on top of regions, the table and the topic). */
  readonly env?: Readonly<Record<string, string>>;
  readonly dynamoDbLatencyMs?: number;
  readonly seed?: number;
}

export interface LibraryWorld {
  readonly clock: VirtualClock;
  readonly fleet: DrsFleet;
  readonly sts: StsModel;
  readonly dynamodb: DynamoDbModel;
  readonly serviceQuotas: ServiceQuotasModel;
  readonly sns: SnsModel;
  readonly topicArn: string;
  readonly config: DisasterRecoveryConfig;
  readonly metrics: InMemoryMetricRecorder;
  readonly factory: AwsClientFactory;
  /** The model of (own account, region). */
  drs(region?: string, accountId?: string): DrsModel;
  /** A fresh "container": its own runtime, local limiters and clients. */
  runtime(options?: { logger?: DrsLogger; config?: Partial<DisasterRecoveryConfig> }): DrsRuntime;
}

export function createLibraryWorld(options: LibraryWorldOptions = {}): LibraryWorld {
  const clock = VirtualClock.create();
  const regions = options.regions ?? [HOME_REGION];
  const sts = new StsModel({ clock, region: HOME_REGION, accountId: OWN_ACCOUNT });
  sts.allowRole(OTHER_ROLE);
  const fleet = new DrsFleet({
    clock,
    accounts: sts,
    defaultAccountId: OWN_ACCOUNT,
    ...options.drs,
  });
  const common = { clock, region: HOME_REGION, accountId: OWN_ACCOUNT };
  const dynamodb = new DynamoDbModel({
    ...common,
    latencyMs: options.dynamoDbLatencyMs ?? 2,
    latencyJitterMs: 2,
    random: options.seed ?? 1,
  });
  dynamodb.createTable({
    name: TABLE,
    partitionKey: { name: DRS_TABLE_PARTITION_KEY, type: 'S' },
    ttl: { attributeName: DRS_TABLE_TTL_ATTRIBUTE },
  });
  // Service Quotas answers what the DRS models enforce.
  const serviceQuotas = new ServiceQuotasModel({
    ...common,
    ...(options.drs?.quotas === undefined ? {} : { values: options.drs.quotas }),
  });
  const sns = new SnsModel({ ...common });
  const topicArn = sns.createTopic('DRS-RateLimitAlerts');
  const config = parseDisasterRecoveryConfig({
    DRS_REGIONS: regions.join(','),
    DRS_CROSS_ACCOUNT_ROLES: JSON.stringify({ [OTHER_ACCOUNT]: OTHER_ROLE }),
    DRS_LEASE_TABLE_NAME: TABLE,
    DRS_LIMITER_TABLE_NAME: TABLE,
    DRS_ALERTS_TOPIC_ARN: topicArn,
    ...options.env,
  });
  const metrics = new InMemoryMetricRecorder();
  const factory: AwsClientFactory = {
    drs: (request) => {
      const client = createSimulatedClient(
        drsSdk.DrsClient,
        { region: request.region, maxAttempts: 1 },
        { name: 'unused', handle: () => Promise.reject(new Error('replaced by the fleet')) },
      );
      // The fleet answers from the model of the client's region and credentials' account.
      fleet.mount(client);
      if (request.credentials !== undefined) {
        // As the SDK does with credentials given to the constructor: memoized until expiry.
        const memoized = memoizeIdentityProvider(
          request.credentials,
          isIdentityExpired,
          doesIdentityRequireRefresh,
        );
        if (memoized !== undefined) client.config.credentials = memoized;
      }
      return client;
    },
    serviceQuotas: (request) =>
      createSimulatedClient(
        serviceQuotasSdk.ServiceQuotasClient,
        { region: request.region, maxAttempts: 1 },
        serviceQuotas,
        { exceptions: serviceQuotasSdk },
      ),
    dynamoDb: (request) =>
      createSimulatedClient(
        dynamodbSdk.DynamoDBClient,
        { region: request.region, maxAttempts: 1 },
        dynamodb,
        { exceptions: dynamodbSdk },
      ),
    sns: (request) =>
      createSimulatedClient(snsSdk.SNSClient, { region: request.region, maxAttempts: 1 }, sns, {
        exceptions: snsSdk,
      }),
  };
  let containers = 0;
  return {
    clock,
    fleet,
    sts,
    dynamodb,
    serviceQuotas,
    sns,
    topicArn,
    config,
    metrics,
    factory,
    drs: (region = HOME_REGION, accountId = OWN_ACCOUNT) => fleet.model(accountId, region),
    runtime: (runtimeOptions = {}) => {
      containers += 1;
      return createDrsRuntime(
        { ...config, ...runtimeOptions.config },
        {
          clock,
          random: createRandom((options.seed ?? 1) * 1000 + containers),
          logger: runtimeOptions.logger ?? silentDrsLogger,
          metrics,
          clientFactory: factory,
          assumeRoleClient: assumeRoleClientOptions(sts, { region: HOME_REGION }),
          ownAccountId: OWN_ACCOUNT,
          homeRegion: HOME_REGION,
          env: {},
        },
      );
    },
  };
}
