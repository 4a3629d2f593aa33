/**
 * The DRS operations the orchestration uses, on an SDK client that already goes through the
 * resilience layer (rate limit per account and region, retries of ThrottlingException and
 * InternalServerException honouring `retryAfterSeconds`, metrics). This class adds the DRS
 * error policy on top: quota and conflict errors become typed errors for the job throttler,
 * exhausted retries are escalated.
 */
import {
  DescribeJobsCommand,
  DescribeRecoveryInstancesCommand,
  DescribeSourceServersCommand,
  StartRecoveryCommand,
  TerminateRecoveryInstancesCommand,
  paginateDescribeJobs,
  paginateDescribeRecoveryInstances,
  paginateDescribeSourceServers,
  type DescribeJobsCommandInput,
  type DescribeJobsCommandOutput,
  type DescribeRecoveryInstancesCommandInput,
  type DescribeRecoveryInstancesCommandOutput,
  type DescribeSourceServersCommandInput,
  type DescribeSourceServersCommandOutput,
  type DrsClient as SdkDrsClient,
  type Job,
  type RecoveryInstance,
  type SourceServer,
  type StartRecoveryCommandInput,
  type StartRecoveryCommandOutput,
  type TerminateRecoveryInstancesCommandInput,
  type TerminateRecoveryInstancesCommandOutput,
} from '@aws-sdk/client-drs';
import { errorCodeOf } from '../resilience/error-classification.js';
import { RetryExhaustedError } from '../resilience/errors.js';
import {
  DrsConflictError,
  DrsQuotaExceededError,
  DisasterRecoveryError,
  type DrsTarget,
} from './errors.js';
import type { Escalator } from './escalation.js';
import { DrsMetrics, silentDrsLogger, type DrsLogger } from './observability.js';
import { noopMetricRecorder } from '../observability/metrics.js';

/** Operations the rate-limited paginator walks, with their input, page and item types. */
export interface DrsPaginatedOperations {
  DescribeJobs: { input: DescribeJobsCommandInput; page: DescribeJobsCommandOutput; item: Job };
  DescribeSourceServers: {
    input: DescribeSourceServersCommandInput;
    page: DescribeSourceServersCommandOutput;
    item: SourceServer;
  };
  DescribeRecoveryInstances: {
    input: DescribeRecoveryInstancesCommandInput;
    page: DescribeRecoveryInstancesCommandOutput;
    item: RecoveryInstance;
  };
}
export type DrsPaginatedOperation = keyof DrsPaginatedOperations;

export interface PaginateOptions {
  /** `maxResults` per page. @default - the service's default */
  readonly pageSize?: number;
  /**
   * Stop with an error after this many pages: a service that keeps answering a next token
   * would otherwise page (and spend rate-limit tokens) forever. @default 1000
   */
  readonly maxPages?: number;
}

export interface DrsClientOptions {
  /** @default silentDrsLogger */
  readonly logger?: DrsLogger;
  /** Records quota errors (the retry layer records the rest). @default - none */
  readonly metrics?: DrsMetrics;
  /** Told when retries run out. @default - none */
  readonly escalator?: Escalator;
  /**
   * The SDK client of the calls that create jobs (StartRecovery, TerminateRecoveryInstances),
   * resilience attached with only throttling retried: retrying a 500 could start a second
   * job. @default - `sdk`
   */
  readonly writeSdk?: SdkDrsClient;
}

/** A paginator that walked more than `maxPages` pages. */
export class DrsPaginationError extends DisasterRecoveryError {
  constructor(operation: string, maxPages: number) {
    super(
      `DRS ${operation} still had a next page after ${maxPages} pages: narrow the request ` +
        '(filters, date window) or raise maxPages.',
    );
    this.name = 'DrsPaginationError';
  }
}

const ITEMS = {
  DescribeJobs: (page: DescribeJobsCommandOutput) => page.items ?? [],
  DescribeSourceServers: (page: DescribeSourceServersCommandOutput) => page.items ?? [],
  DescribeRecoveryInstances: (page: DescribeRecoveryInstancesCommandOutput) => page.items ?? [],
} as const;

/**
 * DRS for one (account, region). Get it from `DrsRuntime.drs(target)`, which builds the SDK
 * client with the resilience layer attached; every call, and every page of a paginated call,
 * takes a token of the (account, region) limiter.
 */
export class DrsClient {
  private readonly logger: DrsLogger;
  private readonly metrics: DrsMetrics;

  constructor(
    /** The SDK client, resilience attached. */
    readonly sdk: SdkDrsClient,
    readonly target: DrsTarget,
    private readonly options: DrsClientOptions = {},
  ) {
    this.logger = options.logger ?? silentDrsLogger;
    this.metrics = options.metrics ?? new DrsMetrics(noopMetricRecorder);
  }

  describeSourceServers(
    input: DescribeSourceServersCommandInput = {},
  ): Promise<DescribeSourceServersCommandOutput> {
    return this.call('DescribeSourceServers', () =>
      this.sdk.send(new DescribeSourceServersCommand(input)),
    );
  }

  describeJobs(input: DescribeJobsCommandInput = {}): Promise<DescribeJobsCommandOutput> {
    return this.call('DescribeJobs', () => this.sdk.send(new DescribeJobsCommand(input)));
  }

  /**
   * Starts a recovery (or drill) job. Not idempotent on DRS's side: sent through `writeSdk`
   * (only throttling retried); the execution handler guards it with an idempotency key and
   * the throttler's lease.
   * @throws {DrsQuotaExceededError} on ServiceQuotaExceededException
   * @throws {DrsConflictError} on ConflictException
   * @throws {RetryExhaustedError} when throttling outlasted the retries (escalated first)
   */
  startRecovery(input: StartRecoveryCommandInput): Promise<StartRecoveryCommandOutput> {
    return this.call('StartRecovery', () =>
      (this.options.writeSdk ?? this.sdk).send(new StartRecoveryCommand(input)),
    );
  }

  describeRecoveryInstances(
    input: DescribeRecoveryInstancesCommandInput = {},
  ): Promise<DescribeRecoveryInstancesCommandOutput> {
    return this.call('DescribeRecoveryInstances', () =>
      this.sdk.send(new DescribeRecoveryInstancesCommand(input)),
    );
  }

  terminateRecoveryInstances(
    input: TerminateRecoveryInstancesCommandInput,
  ): Promise<TerminateRecoveryInstancesCommandOutput> {
    return this.call('TerminateRecoveryInstances', () =>
      (this.options.writeSdk ?? this.sdk).send(new TerminateRecoveryInstancesCommand(input)),
    );
  }

  /**
   * The pages of a paginated operation, fetched lazily: each page is one call through the
   * resilience layer, so each takes a rate-limit token and is retried on its own (a throttled
   * third page does not refetch the first two).
   */
  async *paginate<Op extends DrsPaginatedOperation>(
    operation: Op,
    input: DrsPaginatedOperations[Op]['input'] = {},
    options: PaginateOptions = {},
  ): AsyncGenerator<DrsPaginatedOperations[Op]['page'], void, undefined> {
    const maxPages = options.maxPages ?? 1000;
    const config = {
      client: this.sdk,
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    };
    // The SDK paginator writes the next token into its input: give it a copy.
    const pages = this.sdkPaginator(operation, config, { ...input });
    let count = 0;
    try {
      for await (const page of pages) {
        count += 1;
        yield page as DrsPaginatedOperations[Op]['page'];
        if (count >= maxPages && nextTokenOf(page) !== undefined) {
          throw new DrsPaginationError(operation, maxPages);
        }
      }
    } catch (error) {
      throw await this.translate(operation, error);
    }
  }

  /** Every item of a paginated operation, page by page (see `paginate`). */
  async listAll<Op extends DrsPaginatedOperation>(
    operation: Op,
    input: DrsPaginatedOperations[Op]['input'] = {},
    options: PaginateOptions = {},
  ): Promise<DrsPaginatedOperations[Op]['item'][]> {
    const items: DrsPaginatedOperations[Op]['item'][] = [];
    const itemsOf = ITEMS[operation] as (
      page: DrsPaginatedOperations[Op]['page'],
    ) => DrsPaginatedOperations[Op]['item'][];
    for await (const page of this.paginate(operation, input, options)) items.push(...itemsOf(page));
    return items;
  }

  private sdkPaginator(
    operation: DrsPaginatedOperation,
    config: { client: SdkDrsClient; pageSize?: number },
    input: object,
  ): AsyncIterable<object> {
    switch (operation) {
      case 'DescribeJobs':
        return paginateDescribeJobs(config, input);
      case 'DescribeSourceServers':
        return paginateDescribeSourceServers(config, input);
      case 'DescribeRecoveryInstances':
        return paginateDescribeRecoveryInstances(config, input);
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw await this.translate(operation, error);
    }
  }

  /** The DRS error policy for what the retry layer let through. */
  private async translate(operation: string, error: unknown): Promise<unknown> {
    const code = errorCodeOf(error);
    const fields = { operation, region: this.target.region, accountId: this.target.accountId };
    if (code === 'ServiceQuotaExceededException') {
      const quotaCode = stringField(error, 'quotaCode');
      this.metrics.rateLimitError(code);
      this.logger.warn('DRS quota exceeded: handing over to the job throttler', {
        ...fields,
        errorCode: code,
        quotaCode,
      });
      return new DrsQuotaExceededError(operation, this.target, quotaCode, error);
    }
    if (code === 'ConflictException') {
      const resourceId = stringField(error, 'resourceId');
      this.logger.warn('DRS conflict: a resource is busy in another job', {
        ...fields,
        errorCode: code,
        resourceId,
      });
      return new DrsConflictError(
        operation,
        this.target,
        resourceId === undefined ? [] : [resourceId],
        error,
      );
    }
    if (error instanceof RetryExhaustedError) {
      // The retry layer has logged it (CRITICAL, see retryLayerLogger) and counted it.
      await this.options.escalator?.escalate({
        kind: 'retries-exhausted',
        operation,
        target: this.target,
        errorCode: error.lastErrorCode,
        errorMessage: messageOf(error.cause),
        retryCount: error.attempts - 1,
        waitedMs: error.totalRetryDelayMs,
      });
    }
    return error;
  }
}

function nextTokenOf(page: object): string | undefined {
  const token = (page as { nextToken?: unknown }).nextToken;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

function stringField(error: unknown, field: string): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
