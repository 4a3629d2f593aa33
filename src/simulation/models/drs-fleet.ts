import * as drsSdk from '@aws-sdk/client-drs';
import type { AwsCredentialIdentity, MetadataBearer } from '@smithy/types';
import { DEFAULT_ACCOUNT_ID, accountOf } from '../account.js';
import { SimulationConfigError } from '../errors.js';
import { mountModel, type MountableClient } from '../sdk-mount.js';
import type { ModelCallContext, ModelInput, ServiceModel } from '../service-model.js';
import { DrsModel, type DrsCounters, type DrsModelOptions } from './drs.js';

/**
 * DRS in several accounts and regions: one `DrsModel` per (account, region), created on first
 * use with the fleet's options. A client mounted with `fleet.mount(client)` is answered by the
 * model of its own region and of the account its credentials belong to: the fleet resolves the
 * client's region and credentials on each call (so a `fromTemporaryCredentials` provider runs
 * its AssumeRole against the STS model) and asks `accounts` (an `StsModel`) whose access key
 * it is; keys it did not issue (the simulation's static credentials, the test environment's)
 * belong to `defaultAccountId`.
 *
 * The credentials are resolved here because the DRS client (3.523) resolves them only when
 * signing, which the mount never reaches.
 */

export interface AccessKeyDirectory {
  accountOfAccessKey(accessKeyId: string): string | undefined;
}

export interface DrsFleetOptions extends Omit<DrsModelOptions, 'region' | 'accountId' | 'name'> {
  /** Who issued the access keys clients use (an `StsModel`). @default - every key is the default account's */
  readonly accounts?: AccessKeyDirectory;
  /** Account of keys `accounts` does not know. @default '123456789012' */
  readonly defaultAccountId?: string;
  /** Per-model options, by `<account>/<region>` (e.g. smaller quotas in one region). */
  readonly overrides?: Readonly<
    Record<string, Omit<DrsModelOptions, 'clock' | 'region' | 'accountId'>>
  >;
}

export interface FleetMountOptions {
  /**
   * The client package's exports. @default - `@aws-sdk/client-drs` (3.523), so errors are its
   * `ThrottlingException`, `ServiceQuotaExceededException`, ...
   */
  readonly exceptions?: Readonly<Record<string, unknown>>;
  /**
   * Keep the client's own credential provider (true: the account comes from it; false: it is
   * replaced by the simulation's static credentials, i.e. the default account).
   * @default true
   */
  readonly keepCredentials?: boolean;
}

interface ClientConfigView {
  readonly region?: unknown;
  readonly credentials?: unknown;
}

function key(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

async function valueOf(source: unknown): Promise<unknown> {
  return typeof source === 'function' ? await (source as () => unknown)() : source;
}

export class DrsFleet {
  readonly defaultAccountId: string;
  private readonly options: DrsFleetOptions;
  private readonly fleet = new Map<string, DrsModel>();

  constructor(options: DrsFleetOptions) {
    this.options = options;
    this.defaultAccountId = accountOf('DrsFleet', {
      clock: options.clock,
      accountId: options.defaultAccountId ?? DEFAULT_ACCOUNT_ID,
    }).accountId;
    for (const name of Object.keys(options.overrides ?? {})) {
      if (!/^\d{12}\/[a-z0-9-]+$/.test(name)) {
        throw new SimulationConfigError(
          `DrsFleet overrides: '${name}' is not '<12-digit account>/<region>'.`,
        );
      }
    }
  }

  /** The model of (account, region), created on first use. */
  model(accountId: string, region: string): DrsModel {
    const name = key(accountId, region);
    let model = this.fleet.get(name);
    if (model === undefined) {
      const {
        accounts: _accounts,
        defaultAccountId: _default,
        overrides,
        ...common
      } = this.options;
      model = new DrsModel({
        ...common,
        ...overrides?.[name],
        accountId,
        region,
        name: `drs:${name}`,
      });
      this.fleet.set(name, model);
    }
    return model;
  }

  /** The models created so far. */
  models(): DrsModel[] {
    return [...this.fleet.values()];
  }

  /** The account a client with these credentials acts as. */
  accountOf(accessKeyId: string): string {
    return this.options.accounts?.accountOfAccessKey(accessKeyId) ?? this.defaultAccountId;
  }

  /**
   * Mounts the fleet into a DRS client (see the module comment). Mounting again replaces it.
   */
  mount<Input extends object, Output extends MetadataBearer>(
    client: MountableClient<Input, Output>,
    options: FleetMountOptions = {},
  ): void {
    mountModel(client, this.routerFor(client), {
      exceptions: options.exceptions ?? drsSdk,
      keepCredentials: options.keepCredentials ?? true,
    });
  }

  /** Counters of every model: sums, and the highest peak of any one (account, region). */
  counters(): DrsCounters {
    const all = this.models().map((model) => model.counters());
    const sum = (pick: (counters: DrsCounters) => number) =>
      all.reduce((total, counters) => total + pick(counters), 0);
    const max = (pick: (counters: DrsCounters) => number) => Math.max(0, ...all.map(pick));
    const merge = (pick: (counters: DrsCounters) => Readonly<Record<string, number>>) => {
      const merged: Record<string, number> = {};
      for (const counters of all) {
        for (const [name, value] of Object.entries(pick(counters))) {
          merged[name] = (merged[name] ?? 0) + value;
        }
      }
      return merged;
    };
    return {
      throttlesByOperation: merge((c) => c.throttlesByOperation),
      throttles: sum((c) => c.throttles),
      accountThrottles: sum((c) => c.accountThrottles),
      quotaErrors: sum((c) => c.quotaErrors),
      quotaErrorsByQuota: {
        concurrentJobs: 0,
        serversPerJob: 0,
        serversInActiveJobs: 0,
        jobsPerServer: 0,
        ...merge((c) => c.quotaErrorsByQuota),
      },
      faults: sum((c) => c.faults),
      peakConcurrentJobs: max((c) => c.peakConcurrentJobs),
      peakServersInActiveJobs: max((c) => c.peakServersInActiveJobs),
      jobsStarted: sum((c) => c.jobsStarted),
      launched: sum((c) => c.launched),
      launchFailed: sum((c) => c.launchFailed),
    };
  }

  /** A model for one client that forwards each call to the model of the client's account and region. */
  routerFor(client: { readonly config: object }): ServiceModel {
    const config = client.config as ClientConfigView;
    return {
      name: 'drs-fleet',
      handle: async (operation: string, input: ModelInput, context: ModelCallContext) => {
        const region = await valueOf(config.region);
        if (typeof region !== 'string' || region === '') {
          throw new SimulationConfigError(
            'DrsFleet: the mounted client has no region; build it with a region.',
          );
        }
        const credentials = (await valueOf(config.credentials)) as
          Partial<AwsCredentialIdentity> | undefined;
        const accessKeyId = credentials?.accessKeyId;
        const accountId =
          accessKeyId === undefined ? this.defaultAccountId : this.accountOf(accessKeyId);
        return this.model(accountId, region).handle(operation, input, context);
      },
    };
  }
}
