import type { Clock, RandomSource } from '../../resilience/clock.js';
import { accountOf, type AccountOptions } from '../account.js';
import type { Seed } from '../random.js';
import type { ServiceErrorSpec } from '../service-error.js';
import type {
  ModelCallContext,
  ModelInput,
  OperationTable,
  ServiceModel,
} from '../service-model.js';
import {
  ThrottlingApiModel,
  type CallEvent,
  type FailNextOptions,
  type QuotaOptions,
  type RandomFaultOptions,
  type ThrottleOptions,
  type ThrottlingApiStats,
} from './throttling-api.js';

/** The options every service model takes, besides its own. */
export interface CommonModelOptions extends AccountOptions {
  /** Random faults on SDK calls, as in `ThrottlingApiModel`. @default - none */
  readonly faults?: RandomFaultOptions;
  /** Source of the random faults: a seed or a RandomSource. @default - seeded with `name` */
  readonly random?: Seed | RandomSource;
  /** Virtual time every SDK call takes. @default 0 */
  readonly latencyMs?: number;
  /** Called on every answer (also throttled and faulted ones). */
  readonly onCall?: (event: CallEvent) => void;
  /** Names the model in errors, traces and request ids. @default - the service, e.g. 'sqs' */
  readonly name?: string;
}

/** How a model's front differs from the defaults `front()` takes from the common options. */
export interface FrontOptions {
  /** @default ThrottleStyles.json */
  readonly throttle?: ThrottleOptions;
  readonly sharedQuotas?: Readonly<Record<string, QuotaOptions>>;
  /** The `sharedQuotas` entry an operation draws from. @default - none: never throttled */
  readonly quotaOf?: (operation: string) => string | undefined;
  /** @default - the options' `random`, else seeded with `name` */
  readonly random?: Seed | RandomSource;
  /** @default - the options' `latencyMs` */
  readonly latencyMs?: number;
}

/**
 * A service model whose SDK calls pass through a `ThrottlingApiModel` (quotas, scripted and
 * random faults, latency, counters) before they reach its operation table. Holds what every
 * such model shares: name, clock, region and account, and the calls it delegates to the front.
 */
export abstract class ThrottledServiceModel implements ServiceModel {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  protected readonly clock: Clock;
  /** Built by the subclass with `front()` once its own options are checked. */
  protected abstract readonly api: ThrottlingApiModel;

  /** `owner` (the class) is named in configuration errors; `defaultName` when none is given. */
  protected constructor(owner: string, defaultName: string, options: CommonModelOptions) {
    this.name = options.name ?? defaultName;
    this.clock = options.clock;
    const account = accountOf(owner, options);
    this.region = account.region;
    this.accountId = account.accountId;
  }

  handle(operation: string, input: ModelInput, context: ModelCallContext): Promise<object> {
    return this.api.handle(operation, input, context);
  }

  /** Fails the next `count` calls that pass their quota; see `ThrottlingApiModel.failNext`. */
  failNext(count: number, error?: ServiceErrorSpec, options?: FailNextOptions): void {
    this.api.failNext(count, error, options);
  }

  stats(): ThrottlingApiStats {
    return this.api.stats();
  }

  /** A `ThrottlingApiModel` that answers each operation of `table` through the table. */
  protected front(
    table: OperationTable,
    options: CommonModelOptions,
    front: FrontOptions = {},
  ): ThrottlingApiModel {
    return new ThrottlingApiModel({
      clock: this.clock,
      name: this.name,
      throttle: front.throttle,
      sharedQuotas: front.sharedQuotas,
      operations: Object.fromEntries(
        table.operations().map((operation) => {
          const quota = front.quotaOf?.(operation);
          return [
            operation,
            {
              ...(quota === undefined ? {} : { quota }),
              response: (input: ModelInput, context: ModelCallContext) =>
                table.dispatch(operation, input, context),
            },
          ];
        }),
      ),
      faults: options.faults,
      random: front.random ?? options.random ?? this.name,
      latencyMs: front.latencyMs ?? options.latencyMs,
      onCall: options.onCall,
    });
  }
}
