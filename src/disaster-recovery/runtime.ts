/**
 * Wires the DRS layer from the configuration: per (account, region) a DRS client, a rate
 * limiter (local or shared), a quota reader and a job throttler, each created once and cached;
 * plus one escalator. Handlers build one runtime per container (at cold start) and ask it for
 * what a request needs.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { noopMetricRecorder, type MetricRecorder } from '../observability/metrics.js';
import { systemClock, type Clock, type RandomSource } from '../resilience/clock.js';
import { isThrottlingError } from '../resilience/error-classification.js';
import { attachResilience, type ResilienceOptions } from '../resilience/resilient-client.js';
import type { Environment } from '../resilience/retry-config.js';
import { TokenBucket, type Limiter } from '../resilience/token-bucket.js';
import {
  sdkClientFactory,
  assumeRoleCredentials,
  type AssumeRoleClientOptions,
  type AssumeRoleCredentials,
  type AwsClientFactory,
} from './clients.js';
import type { DisasterRecoveryConfig } from './contract.js';
import { DrsClient } from './drs-client.js';
import { DrsTargetError, type DrsTarget } from './errors.js';
import { Escalator } from './escalation.js';
import {
  DynamoDbLeaseBackend,
  InMemoryLeaseBackend,
  leaseKey,
  type LeaseBackend,
} from './lease-store.js';
import {
  DrsMetrics,
  drsMetricRecorder,
  retryLayerLogger,
  silentDrsLogger,
  type DrsLogger,
} from './observability.js';
import { DrsQuotaReader, type ResolvedQuotas } from './quotas.js';
import { SharedTokenBucket, limiterKey } from './shared-limiter.js';
import { JobThrottler } from './throttler.js';

/** What a handler knows of the invocation it runs. */
export interface InvocationFields {
  readonly correlationId: string;
  /** The wave the event names, if any. */
  readonly waveId?: string;
  /** The function's own account (the 5th field of the Lambda context's function ARN). */
  readonly ownAccountId?: string;
}

export interface DrsRuntimeDeps {
  /** @default systemClock */
  readonly clock?: Clock;
  /** Jitter of retries, lease races and the shared limiter. @default Math.random */
  readonly random?: RandomSource;
  /** Structured JSON logger with the correlation id set (Powertools). @default silent */
  readonly logger?: DrsLogger;
  /** Recorder of the `DRS/RateLimits` namespace. @default - none */
  readonly metrics?: MetricRecorder;
  /** @default sdkClientFactory */
  readonly clientFactory?: AwsClientFactory;
  /** @default - fromTemporaryCredentials with the resilience layer on STS */
  readonly assumeRole?: AssumeRoleCredentials;
  /**
   * Extra options of the default `fromTemporaryCredentials` (the simulation mounts its STS model
   * here; the resilience layer stays on). Ignored with `assumeRole`.
   */
  readonly assumeRoleClient?: AssumeRoleClientOptions;
  /** The function's own account: a target naming it needs no role. @default - unknown */
  readonly ownAccountId?: string;
  /** Region of the lease/limiter tables when configured by name. @default AWS_REGION */
  readonly homeRegion?: string;
  /** Source of `OPSKIT_RETRY_*`. @default process.env */
  readonly env?: Environment;
  /**
   * Requests per second the DynamoDB client of the lease and limiter tables may send from this
   * container (on-demand tables take far more; the bound only stops a runaway loop). @default 200
   */
  readonly tableRatePerSecond?: number;
}

/** A target after validation: `accountKey` names it in table keys and limiter names. */
export interface ResolvedTarget extends DrsTarget {
  readonly accountKey: string;
  readonly roleArn?: string;
}

/** One container's DRS layer. */
export class DrsRuntime {
  readonly escalator: Escalator;
  readonly metrics: DrsMetrics;
  readonly logger: DrsLogger;
  private readonly clock: Clock;
  private readonly factory: AwsClientFactory;
  private readonly assumeRole: AssumeRoleCredentials;
  private readonly recorder: MetricRecorder;
  private readonly homeRegion: string | undefined;
  private readonly drsClients = new Map<string, DrsClient>();
  private readonly limiters = new Map<string, Limiter>();
  private readonly quotaReaders = new Map<string, DrsQuotaReader>();
  private readonly throttlers = new Map<string, JobThrottler>();
  private tableClient: DynamoDBClient | undefined;
  private readonly leaseBackend: LeaseBackend;
  /** The function's own account: given, or learnt from the first invocation's context. */
  private ownAccountId: string | undefined;

  constructor(
    readonly config: DisasterRecoveryConfig,
    private readonly deps: DrsRuntimeDeps = {},
  ) {
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentDrsLogger;
    this.factory = deps.clientFactory ?? sdkClientFactory;
    this.recorder = drsMetricRecorder(deps.metrics ?? noopMetricRecorder);
    this.metrics = new DrsMetrics(this.recorder);
    this.homeRegion = deps.homeRegion ?? process.env.AWS_REGION;
    this.ownAccountId = deps.ownAccountId;
    this.assumeRole =
      deps.assumeRole ?? assumeRoleCredentials(this.resilience('sts'), deps.assumeRoleClient);
    this.escalator = this.createEscalator();
    this.leaseBackend =
      config.leaseTableName === undefined
        ? new InMemoryLeaseBackend()
        : new DynamoDbLeaseBackend(this.tables(config.leaseTableName), config.leaseTableName);
  }

  /**
   * The invocation now running: its correlation id and wave go into escalations, and its
   * function ARN tells the runtime its own account (a target naming it needs no role).
   */
  setInvocationContext(context: InvocationFields): void {
    this.ownAccountId ??= context.ownAccountId;
    this.escalator.setContext({
      correlationId: context.correlationId,
      ...(context.waveId === undefined ? {} : { waveId: context.waveId }),
      ...(this.ownAccountId === undefined ? {} : { ownAccountId: this.ownAccountId }),
    });
  }

  /**
   * Checks a target: a configured region, and an account that is ours or has a role.
   * @throws {DrsTargetError} naming the fix
   */
  resolve(target: DrsTarget): ResolvedTarget {
    const { region } = target;
    if (!this.config.regions.includes(region)) {
      throw new DrsTargetError(
        target,
        `Region '${region}' is not one of the configured DRS regions ` +
          `(${this.config.regions.join(', ')}): add it to DRS_REGIONS (the construct's regions).`,
      );
    }
    const accountId =
      target.accountId === undefined || target.accountId === this.ownAccountId
        ? undefined
        : target.accountId;
    if (accountId === undefined) return { region, accountKey: 'self' };
    const roleArn = this.config.crossAccountRoles[accountId];
    if (roleArn === undefined) {
      throw new DrsTargetError(
        target,
        `Account ${accountId} has no cross-account role: add it to DRS_CROSS_ACCOUNT_ROLES ` +
          "(the construct's crossAccountRoles) or leave accountId out for this account.",
      );
    }
    return { region, accountId, accountKey: accountId, roleArn };
  }

  /** The rate-limited, retried DRS client of a target (cached). */
  drs(target: DrsTarget): DrsClient {
    const resolved = this.resolve(target);
    return cached(this.drsClients, keyOf(resolved), () => {
      const resilience = {
        ...this.resilience('drs'),
        region: resolved.region,
        limiter: this.limiter(resolved),
        logFields: { accountId: resolved.accountId ?? 'self' },
      };
      const sdk = this.factory.drs(this.clientRequest(resolved));
      attachResilience(sdk, resilience);
      // StartRecovery and TerminateRecoveryInstances are not idempotent on DRS's side: a 500 or
      // a lost answer may come after DRS created the job, so only throttling (DRS refused the
      // request) is retried here; the execution handler deals with unknown outcomes.
      const writeSdk = this.factory.drs(this.clientRequest(resolved));
      attachResilience(writeSdk, { ...resilience, isRetryable: isThrottlingError });
      return new DrsClient(sdk, publicTarget(resolved), {
        logger: this.logger,
        metrics: this.metrics,
        escalator: this.escalator,
        writeSdk,
      });
    });
  }

  /** The DRS request limiter of a target: a TokenBucket, or the DynamoDB one when shared. */
  limiter(target: DrsTarget): Limiter {
    const resolved = this.resolve(target);
    return cached(this.limiters, keyOf(resolved), () => {
      const name = `drs:${resolved.accountKey}:${resolved.region}`;
      const { ratePerSecond, burst } = this.config;
      if (this.config.limiterMode === 'local' || this.config.limiterTableName === undefined) {
        return new TokenBucket({ ratePerSecond, capacity: burst, clock: this.clock, name });
      }
      return new SharedTokenBucket({
        client: this.tables(this.config.limiterTableName),
        tableName: this.config.limiterTableName,
        key: limiterKey(resolved.accountKey, resolved.region),
        ratePerSecond,
        capacity: burst,
        clock: this.clock,
        ...(this.deps.random === undefined ? {} : { random: this.deps.random }),
        name,
      });
    });
  }

  /** The DRS quotas of a target, from Service Quotas (cached) or the fallbacks. */
  quotas(target: DrsTarget): Promise<ResolvedQuotas> {
    return this.quotaReader(target).read();
  }

  /** The job throttler of a target (cached). */
  throttler(target: DrsTarget): JobThrottler {
    const resolved = this.resolve(target);
    return cached(this.throttlers, keyOf(resolved), () => {
      const seconds = (s: number) => s * 1000;
      return new JobThrottler({
        target: publicTarget(resolved),
        drs: this.drs(resolved),
        quotas: () => this.quotas(resolved),
        leases: this.leaseBackend,
        leaseKey: leaseKey(resolved.accountKey, resolved.region),
        settings: {
          jobThreshold: this.config.jobThreshold,
          timeoutMs: seconds(this.config.throttlerTimeoutSeconds),
          pollIntervalMs: seconds(this.config.pollIntervalSeconds),
          jobWindowMs: seconds(this.config.jobWindowHours * 3600),
          leaseTtlMs: seconds(this.config.leaseTtlSeconds),
        },
        clock: this.clock,
        ...(this.deps.random === undefined ? {} : { random: this.deps.random }),
        logger: this.logger,
        metrics: this.metrics,
        escalator: this.escalator,
      });
    });
  }

  private quotaReader(target: DrsTarget): DrsQuotaReader {
    const resolved = this.resolve(target);
    return cached(this.quotaReaders, keyOf(resolved), () => {
      const client: ServiceQuotasClient = this.factory.serviceQuotas(this.clientRequest(resolved));
      attachResilience(client, { ...this.resilience('service-quotas'), region: resolved.region });
      return new DrsQuotaReader({
        client,
        fallbacks: this.config.quotaFallbacks,
        cacheMs: this.config.quotaCacheSeconds * 1000,
        clock: this.clock,
        logger: this.logger,
        logFields: { region: resolved.region, accountId: resolved.accountId ?? 'self' },
      });
    });
  }

  private clientRequest(target: ResolvedTarget) {
    return {
      region: target.region,
      ...(target.accountId === undefined ? {} : { accountId: target.accountId }),
      ...(target.roleArn === undefined
        ? {}
        : { credentials: this.assumeRole(target.roleArn, target.region) }),
    };
  }

  /** Resilience options shared by every client; `service` names the limiter and metrics. */
  private resilience(service: string): ResilienceOptions {
    return {
      service,
      clock: this.clock,
      ...(this.deps.random === undefined ? {} : { random: this.deps.random }),
      logger: retryLayerLogger(this.logger),
      metrics: this.recorder,
      retry: { maxRetries: this.config.maxRetries },
      ...(this.deps.env === undefined ? {} : { env: this.deps.env }),
    };
  }

  /** One DynamoDB client for the lease and limiter tables (same account, one region). */
  private tables(tableNameOrArn: string): DynamoDBClient {
    if (this.tableClient !== undefined) return this.tableClient;
    const region = regionOfArn(tableNameOrArn) ?? this.homeRegion;
    if (region === undefined) {
      throw new DrsTargetError(
        { region: 'unknown' },
        `The region of table '${tableNameOrArn}' is unknown: give its ARN or set AWS_REGION.`,
      );
    }
    const client = this.factory.dynamoDb({ region });
    const rate = this.deps.tableRatePerSecond ?? 200;
    attachResilience(client, {
      ...this.resilience('dynamodb'),
      region,
      limiter: new TokenBucket({
        ratePerSecond: rate,
        capacity: rate,
        clock: this.clock,
        name: `dynamodb:${region}`,
      }),
    });
    this.tableClient = client;
    return client;
  }

  private createEscalator(): Escalator {
    const topicArn = this.config.alertTopicArn;
    const region = topicArn === undefined ? undefined : regionOfArn(topicArn);
    const common = {
      logger: this.logger,
      metrics: this.metrics,
      ...(this.ownAccountId === undefined ? {} : { ownAccountId: this.ownAccountId }),
    };
    if (topicArn === undefined || region === undefined) return new Escalator(common);
    const sns = this.factory.sns({ region });
    attachResilience(sns, { ...this.resilience('sns'), region });
    return new Escalator({ topicArn, sns, ...common });
  }
}

/** The runtime of a configuration; build once per container. */
export function createDrsRuntime(
  config: DisasterRecoveryConfig,
  deps: DrsRuntimeDeps = {},
): DrsRuntime {
  return new DrsRuntime(config, deps);
}

function cached<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function keyOf(target: ResolvedTarget): string {
  return `${target.accountKey}:${target.region}`;
}

function publicTarget(target: ResolvedTarget): DrsTarget {
  return target.accountId === undefined
    ? { region: target.region }
    : { region: target.region, accountId: target.accountId };
}

function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[3] !== '' ? parts[3] : undefined;
}
