/**
 * How the DRS layer gets its SDK clients: a factory (injectable, so the simulation can hand out
 * clients with its models mounted) and the credentials of an assumed cross-account role.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DrsClient as SdkDrsClient } from '@aws-sdk/client-drs';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  fromTemporaryCredentials,
  type FromTemporaryCredentialsOptions,
} from '@aws-sdk/credential-providers';
import type {
  AwsCredentialIdentityProvider,
  MetadataBearer,
  MiddlewareStack,
  Pluggable,
} from '@smithy/types';
import { attachResilience, type ResilienceOptions } from '../resilience/resilient-client.js';

/** Which account and region a client is for, and the credentials to use there. */
export interface ClientRequest {
  readonly region: string;
  /** Undefined: the handler's own account. */
  readonly accountId?: string;
  /** Undefined: the default credential chain (the function's role). */
  readonly credentials?: AwsCredentialIdentityProvider;
}

/**
 * Makes plain SDK clients; the DRS layer attaches the resilience layer itself. Production uses
 * `sdkClientFactory`; the simulation returns clients with its models mounted.
 */
export interface AwsClientFactory {
  drs(request: ClientRequest): SdkDrsClient;
  serviceQuotas(request: ClientRequest): ServiceQuotasClient;
  /** The lease and shared-limiter tables (own account). */
  dynamoDb(request: ClientRequest): DynamoDBClient;
  /** The alert topic (own account). */
  sns(request: ClientRequest): SNSClient;
}

function clientConfig(request: ClientRequest) {
  // maxAttempts 1: the kit is the only retry layer.
  return {
    region: request.region,
    maxAttempts: 1,
    ...(request.credentials === undefined ? {} : { credentials: request.credentials }),
  };
}

/** Real SDK clients. */
export const sdkClientFactory: AwsClientFactory = {
  drs: (request) => new SdkDrsClient(clientConfig(request)),
  serviceQuotas: (request) => new ServiceQuotasClient(clientConfig(request)),
  dynamoDb: (request) => new DynamoDBClient(clientConfig(request)),
  sns: (request) => new SNSClient(clientConfig(request)),
};

/** Credentials of `roleArn`, assumed from `region`'s STS endpoint. */
export type AssumeRoleCredentials = (
  roleArn: string,
  region: string,
) => AwsCredentialIdentityProvider;

/** Session name in CloudTrail of the target account. */
export const ASSUME_ROLE_SESSION_NAME = 'aws-ops-kit-drs';

/**
 * A client plugin that puts the resilience layer on the STS client `fromTemporaryCredentials`
 * builds internally (not reachable otherwise), so AssumeRole is rate-limited and retried too.
 */
export function resiliencePlugin(
  service: string,
  options: ResilienceOptions,
): Pluggable<object, MetadataBearer> {
  return {
    applyToStack: (stack: MiddlewareStack<object, MetadataBearer>) => {
      attachResilience(
        { middlewareStack: stack, config: { serviceId: service } },
        { ...options, service },
      );
    },
  };
}

/** Options of `fromTemporaryCredentials` besides `params`, e.g. the simulation's STS mount. */
export type AssumeRoleClientOptions = Partial<
  Pick<FromTemporaryCredentialsOptions, 'masterCredentials' | 'clientConfig' | 'clientPlugins'>
>;

/**
 * `fromTemporaryCredentials` (refreshed by the SDK before they expire) with the resilience
 * layer on its STS client. `client` adds options (its plugins run after the resilience one).
 */
export function assumeRoleCredentials(
  resilience: ResilienceOptions,
  client: AssumeRoleClientOptions = {},
): AssumeRoleCredentials {
  return (roleArn, region) =>
    fromTemporaryCredentials({
      ...client,
      params: { RoleArn: roleArn, RoleSessionName: ASSUME_ROLE_SESSION_NAME },
      clientConfig: { region, ...client.clientConfig, maxAttempts: 1 },
      clientPlugins: [
        resiliencePlugin('sts', { ...resilience, region }),
        ...(client.clientPlugins ?? []),
      ],
    });
}
