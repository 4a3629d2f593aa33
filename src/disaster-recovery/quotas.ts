/**
 * The DRS quotas, read at runtime from Service Quotas (sources disagree on their values, and an
 * account may have raised them), with the configured fallbacks when a value cannot be read.
 */
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  type ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { systemClock, type Clock } from '../resilience/clock.js';
import { errorCodeOf } from '../resilience/error-classification.js';
import { DRS_SERVICE_CODE, DrsQuotaCodes, type DrsQuotas } from './contract.js';
import { silentDrsLogger, type DrsLogger } from './observability.js';

/** Where a quota value came from. */
export type QuotaSource = 'applied' | 'aws-default' | 'fallback';

export interface ResolvedQuotas extends DrsQuotas {
  readonly sources: Readonly<Record<keyof DrsQuotas, QuotaSource>>;
}

export interface DrsQuotaReaderOptions {
  /** Service Quotas client of the target account and region, resilience attached. */
  readonly client: ServiceQuotasClient;
  readonly fallbacks: DrsQuotas;
  /** How long values are reused. 0: read on every call. @default 300000 */
  readonly cacheMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default silentDrsLogger */
  readonly logger?: DrsLogger;
  /** Added to the log lines (region, account). */
  readonly logFields?: Readonly<Record<string, unknown>>;
}

const FIELDS = Object.keys(DrsQuotaCodes) as (keyof DrsQuotas)[];

/** Reads and caches the four DRS quotas of one account and region. */
export class DrsQuotaReader {
  private readonly clock: Clock;
  private readonly logger: DrsLogger;
  private readonly cacheMs: number;
  private cached: { readonly at: number; readonly value: Promise<ResolvedQuotas> } | undefined;

  constructor(private readonly options: DrsQuotaReaderOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentDrsLogger;
    this.cacheMs = options.cacheMs ?? 300_000;
  }

  /** The quotas; concurrent callers share one read, later ones the cached values. */
  read(): Promise<ResolvedQuotas> {
    const now = this.clock.now();
    if (this.cached !== undefined && now - this.cached.at < this.cacheMs) return this.cached.value;
    const value = this.readAll();
    this.cached = { at: now, value };
    return value;
  }

  /** Forget the cached values (e.g. after a quota increase). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async readAll(): Promise<ResolvedQuotas> {
    const entries = await Promise.all(FIELDS.map((field) => this.readOne(field)));
    const values = Object.fromEntries(entries.map(([f, v]) => [f, v])) as Record<
      keyof DrsQuotas,
      number
    >;
    const sources = Object.fromEntries(entries.map(([f, , s]) => [f, s])) as Record<
      keyof DrsQuotas,
      QuotaSource
    >;
    return { ...values, sources };
  }

  private async readOne(field: keyof DrsQuotas): Promise<[keyof DrsQuotas, number, QuotaSource]> {
    const input = { ServiceCode: DRS_SERVICE_CODE, QuotaCode: DrsQuotaCodes[field] };
    try {
      const applied = usable(
        (await this.options.client.send(new GetServiceQuotaCommand(input))).Quota?.Value,
      );
      if (applied !== undefined) return [field, applied, 'applied'];
    } catch (error) {
      // No applied value for this quota in the account: the AWS default holds.
      if (errorCodeOf(error) !== 'NoSuchResourceException') return this.fallback(field, error);
    }
    try {
      const output = await this.options.client.send(new GetAWSDefaultServiceQuotaCommand(input));
      const value = usable(output.Quota?.Value);
      if (value !== undefined) return [field, value, 'aws-default'];
      return this.fallback(field, undefined);
    } catch (error) {
      return this.fallback(field, error);
    }
  }

  private fallback(field: keyof DrsQuotas, error: unknown): [keyof DrsQuotas, number, QuotaSource] {
    const value = this.options.fallbacks[field];
    this.logger.warn('Could not read a DRS quota from Service Quotas: using the fallback', {
      ...this.options.logFields,
      quota: field,
      quotaCode: DrsQuotaCodes[field],
      fallback: value,
      errorCode: error === undefined ? 'NoValue' : errorCodeOf(error),
    });
    return [field, value, 'fallback'];
  }
}

function usable(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value >= 1
    ? Math.floor(value)
    : undefined;
}
