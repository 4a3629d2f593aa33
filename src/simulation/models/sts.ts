import type {
  AssumeRoleCommandInput,
  AssumeRoleCommandOutput,
  GetCallerIdentityCommandInput,
  GetCallerIdentityCommandOutput,
} from '@aws-sdk/client-sts';
import type { FromTemporaryCredentialsOptions } from '@aws-sdk/credential-providers';
import type { MetadataBearer, Pluggable } from '@smithy/types';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SimulationConfigError } from '../errors.js';
import {
  mountModel,
  networkDisabledHandler,
  simulatedCredentials,
  type MountOptions,
} from '../sdk-mount.js';
import { SimulatedServiceError } from '../service-error.js';
import { OperationTable, type ModelResult, type ServiceModel } from '../service-model.js';
import { validateInput } from '../validation.js';
import { ThrottledServiceModel, type CommonModelOptions } from './model-base.js';
import { ThrottleStyles, type ThrottlingApiModel } from './throttling-api.js';

/**
 * An in-memory AWS STS for cross-account code: AssumeRole hands out deterministic temporary
 * credentials for the roles it was told about (AccessDenied for any other, or for a wrong
 * ExternalId), and remembers which account each access key id belongs to, so a model serving
 * several accounts (`DrsFleet`) can answer a client as the account its credentials are for.
 * GetCallerIdentity answers as the model's own account (the model cannot see the caller's
 * keys).
 *
 * The SDK's `fromTemporaryCredentials` builds its own STS client; the supported way to point it
 * at this model is `clientPlugins: [stsModel.plugin()]` together with `masterCredentials` and a
 * `clientConfig` that needs nothing from the environment; `assumeRoleClientOptions(sts)` builds
 * exactly that, to spread next to `params`:
 *
 *   fromTemporaryCredentials({ params: { RoleArn }, ...assumeRoleClientOptions(sts) })
 *
 * Simplifications: no session policies, tags, MFA, source identity or role chaining limits;
 * credentials never stop working at `Expiration` (the SDK refreshes them before then anyway).
 */

export const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/([\w+=,.@/-]{1,128})$/;
const MIN_DURATION_SECONDS = 900;
const MAX_DURATION_SECONDS = 43_200;
const DEFAULT_DURATION_SECONDS = 3600;

export interface AllowRoleOptions {
  /** The ExternalId the role's trust policy requires. @default - none required */
  readonly externalId?: string;
}

export interface StsModelOptions extends CommonModelOptions {
  /** Role ARNs AssumeRole may assume (more with `allowRole`). @default - none */
  readonly roles?: readonly string[];
  /**
   * What `Expiration` counts from. The SDK compares it with `Date.now()`, which on an isolated
   * VirtualClock is real time: counted from the model's clock ('model'), credentials then look
   * expired to the SDK, which assumes the role again on every call. 'sdk' counts from
   * `Date.now()` (virtual under `VirtualClock.install()`), so the SDK caches them as on AWS;
   * only the `Expiration` value then differs between runs.
   * @default 'sdk'
   */
  readonly expiryClock?: 'model' | 'sdk';
  /** @default 'sts' */
  readonly name?: string;
}

/** One successful AssumeRole, for assertions. */
export interface AssumedRole {
  readonly roleArn: string;
  readonly accountId: string;
  readonly sessionName: string;
  readonly accessKeyId: string;
  readonly time: number;
  readonly expiration: number;
}

const assumeRoleInput = z.object({
  RoleArn: z.string().min(20).max(2048),
  RoleSessionName: z
    .string()
    .min(2)
    .max(64)
    .regex(/^[\w+=,.@-]*$/, 'letters, digits and +=,.@-_'),
  DurationSeconds: z.number().int().min(MIN_DURATION_SECONDS).max(MAX_DURATION_SECONDS).optional(),
  ExternalId: z.string().min(2).max(1224).optional(),
});

/** Parses a role ARN; undefined when it is not one. */
export function parseRoleArn(arn: string): { accountId: string; roleName: string } | undefined {
  const match = ROLE_ARN.exec(arn);
  if (match === null) return undefined;
  const [, accountId = '', path = ''] = match;
  return { accountId, roleName: path.split('/').at(-1) ?? path };
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

export class StsModel extends ThrottledServiceModel {
  protected readonly api: ThrottlingApiModel;
  private readonly roles = new Map<string, AllowRoleOptions>();
  private readonly keys = new Map<string, string>();
  private readonly issued: AssumedRole[] = [];
  private readonly expiryClock: 'model' | 'sdk';

  constructor(options: StsModelOptions) {
    super('StsModel', 'sts', options);
    this.expiryClock = options.expiryClock ?? 'sdk';
    for (const role of options.roles ?? []) this.allowRole(role);
    this.api = this.front(this.operationTable(), options, { throttle: ThrottleStyles.query });
  }

  /** Lets AssumeRole assume `roleArn` (an IAM role ARN). */
  allowRole(roleArn: string, options: AllowRoleOptions = {}): void {
    if (parseRoleArn(roleArn) === undefined) {
      throw new SimulationConfigError(
        `StsModel roles: '${roleArn}' is not an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>).`,
      );
    }
    this.roles.set(roleArn, options);
  }

  /** The account an access key id issued by this model belongs to, or undefined. */
  accountOfAccessKey(accessKeyId: string): string | undefined {
    return this.keys.get(accessKeyId);
  }

  /** Every successful AssumeRole, oldest first. */
  assumedRoles(): AssumedRole[] {
    return [...this.issued];
  }

  /**
   * A client plugin that mounts this model (for clients built out of reach, such as the STS
   * client inside `fromTemporaryCredentials`: pass it in `clientPlugins`).
   */
  plugin(options: Omit<MountOptions, 'keepCredentials'> = {}): Pluggable<object, MetadataBearer> {
    return simulationPlugin(this, options);
  }

  private operationTable(): OperationTable {
    return new OperationTable(this.name)
      .on<AssumeRoleCommandInput, AssumeRoleCommandOutput>('AssumeRole', (raw) =>
        this.assumeRole(raw),
      )
      .on<GetCallerIdentityCommandInput, GetCallerIdentityCommandOutput>(
        'GetCallerIdentity',
        () => ({
          Account: this.accountId,
          Arn: `arn:aws:iam::${this.accountId}:user/simulation`,
          UserId: 'AIDASIMULATIONUSER00',
        }),
      );
  }

  private assumeRole(raw: unknown): ModelResult<AssumeRoleCommandOutput> {
    const input = validateInput(assumeRoleInput, raw, { errorName: 'ValidationError' });
    const role = parseRoleArn(input.RoleArn);
    const allowed = this.roles.get(input.RoleArn);
    if (
      role === undefined ||
      allowed === undefined ||
      (allowed.externalId !== undefined && allowed.externalId !== input.ExternalId)
    ) {
      throw new SimulatedServiceError({
        name: 'AccessDenied',
        httpStatusCode: 403,
        message:
          `User: arn:aws:iam::${this.accountId}:user/simulation is not authorized to perform: ` +
          `sts:AssumeRole on resource: ${input.RoleArn}`,
      });
    }
    const now = this.clock.now();
    const n = String(this.issued.length + 1);
    const hash = digest(input.RoleArn, input.RoleSessionName, n);
    const accessKeyId = `ASIA${hash.slice(0, 16).toUpperCase()}`;
    const base = this.expiryClock === 'sdk' ? Date.now() : now;
    const expiration = base + (input.DurationSeconds ?? DEFAULT_DURATION_SECONDS) * 1000;
    this.keys.set(accessKeyId, role.accountId);
    this.issued.push({
      roleArn: input.RoleArn,
      accountId: role.accountId,
      sessionName: input.RoleSessionName,
      accessKeyId,
      time: now,
      expiration,
    });
    const roleId = `AROA${digest(input.RoleArn).slice(0, 17).toUpperCase()}`;
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: digest('secret', hash).slice(0, 40),
        SessionToken: `simulated-session-${hash.slice(16, 48)}`,
        Expiration: new Date(expiration),
      },
      AssumedRoleUser: {
        AssumedRoleId: `${roleId}:${input.RoleSessionName}`,
        Arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/${input.RoleSessionName}`,
      },
    };
  }
}

/**
 * A client plugin (`{ applyToStack }`) that mounts `model` like `mountModel` does, keeping the
 * client's credentials. For clients the caller does not construct, e.g. SDK credential providers'
 * inner clients, which accept `clientPlugins`.
 */
export function simulationPlugin(
  model: ServiceModel,
  options: Omit<MountOptions, 'keepCredentials'> = {},
): Pluggable<object, MetadataBearer> {
  return {
    applyToStack: (stack) => {
      mountModel({ middlewareStack: stack, config: {} }, model, {
        ...options,
        keepCredentials: true,
      });
    },
  };
}

/** The part of `fromTemporaryCredentials` options besides `params`. */
export type AssumeRoleClientOptions = Required<
  Pick<FromTemporaryCredentialsOptions, 'masterCredentials' | 'clientConfig' | 'clientPlugins'>
>;

/**
 * Options that make `fromTemporaryCredentials` call `sts` (see the module comment): dummy
 * master credentials, an STS client config that reads nothing from the environment or files
 * and cannot reach the network, and the plugin that mounts the model.
 */
export function assumeRoleClientOptions(
  sts: StsModel,
  options: { readonly region?: string; readonly exceptions?: MountOptions['exceptions'] } = {},
): AssumeRoleClientOptions {
  return {
    masterCredentials: simulatedCredentials(),
    clientConfig: {
      region: options.region ?? sts.region,
      requestHandler: networkDisabledHandler,
      maxAttempts: 1,
      retryMode: 'standard',
      defaultsMode: 'legacy',
      useFipsEndpoint: false,
      useDualstackEndpoint: false,
      ignoreConfiguredEndpointUrls: true,
      userAgentAppId: () => Promise.resolve(undefined),
    },
    clientPlugins: [
      sts.plugin(options.exceptions === undefined ? {} : { exceptions: options.exceptions }),
    ],
  };
}
