import { HttpRequest, HttpResponse } from '@smithy/protocol-http';
import { ServiceException, decorateServiceException } from '@smithy/smithy-client';
import type {
  AwsCredentialIdentity,
  FinalizeHandlerArguments,
  FinalizeHandlerOutput,
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
  MetadataBearer,
  MiddlewareStack,
  ResponseMetadata,
} from '@smithy/types';
import { SimulationConfigError } from './errors.js';
import { sequentialUuid } from './ids.js';
import { SimulatedServiceError } from './service-error.js';
import type { ModelCallContext, ModelInput, ServiceModel } from './service-model.js';

/**
 * Plugs a model into an AWS SDK v3 client at the middleware boundary.
 *
 * Where: the `finalizeRequest` step, right after the SDK's `retryMiddleware` and before
 * `httpSigningMiddleware` (names and steps as in @smithy/core 3.41). So the SDK's retry
 * strategy, and the kit's `initialize`-step resilience middleware above it, see a model's
 * answer exactly as they would see AWS's; signing, the HTTP handler and the deserializer never
 * run. The model's errors become the same exception objects the SDK's deserializer builds for
 * a real error response: the client package's modeled class (or its base ServiceException),
 * with `name`, `$fault`, `$metadata` and a hidden `$response` carrying the status and the
 * `Retry-After` header the SDK's retry reads.
 *
 * Identity is resolved by the SDK in the `serialize` step, above retry, so the mount also
 * replaces the client's credential provider with static dummy credentials (unless told to keep
 * it): a mounted client never reads credential files, SSO caches or instance metadata.
 */

export const MODEL_MIDDLEWARE_NAME = 'simulationModelMiddleware';

/**
 * Credentials for clients that only ever talk to models. Never valid on AWS. A fresh object per
 * client: the SDK annotates the credentials object it is given.
 */
export function simulatedCredentials(): AwsCredentialIdentity {
  return {
    accessKeyId: 'ASIASIMULATIONONLY00',
    secretAccessKey: 'simulation-only-not-a-real-secret',
    sessionToken: 'simulation-only',
  };
}

export interface MountOptions {
  /**
   * The client package's exports, e.g. `import * as elbv2 from
   * '@aws-sdk/client-elastic-load-balancing-v2'`, so that an error named like one of its
   * exception classes becomes an instance of that class, and any other error an instance of its
   * base `...ServiceException` class, as the SDK's deserializer does.
   * @default - every error is a plain smithy `ServiceException`
   */
  readonly exceptions?: Readonly<Record<string, unknown>>;
  /**
   * Keep the client's own credential provider (the SDK then resolves it on the first call).
   * @default false - replaced by `simulatedCredentials()`
   */
  readonly keepCredentials?: boolean;
}

/**
 * Any SDK v3 client: the mount needs its middleware stack and its config. Only the stack method
 * the mount calls is named, so clients built on an older @smithy/types (e.g.
 * @aws-sdk/client-drs 3.523), whose full `MiddlewareStack` type differs, fit too.
 */
export interface MountableClient<Input extends object, Output extends MetadataBearer> {
  readonly middlewareStack: Pick<MiddlewareStack<Input, Output>, 'addRelativeTo'>;
  readonly config: object;
}

type ExceptionConstructor = new (options: Record<string, unknown>) => ServiceException;

const requestCounters = new WeakMap<ServiceModel, number>();

/** UUID-shaped and deterministic: the n-th request to a model always has the same id. */
function nextRequestId(model: ServiceModel): string {
  const n = (requestCounters.get(model) ?? 0) + 1;
  requestCounters.set(model, n);
  return sequentialUuid('8000', n);
}

function operationOf(context: HandlerExecutionContext, model: ServiceModel): string {
  const commandName: unknown = context.commandName;
  if (typeof commandName !== 'string' || commandName.length === 0) {
    throw new SimulationConfigError(
      `The SDK did not name the command it sends, so model '${model.name}' cannot route it. ` +
        'Send modular commands (new XxxCommand(input)) through the client.',
    );
  }
  return commandName.replace(/Command$/, '');
}

function attemptOf(request: unknown): number | undefined {
  if (!HttpRequest.isInstance(request)) return undefined;
  const header = request.headers['amz-sdk-request'];
  const match = header === undefined ? null : /attempt=(\d+)/.exec(header);
  return match === null ? undefined : Number(match[1]);
}

/**
 * A deep copy, so neither side can change the other's data later, as over the wire. Values
 * that cannot be copied (streams) pass as they are.
 */
function detach<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

function metadataFor(httpStatusCode: number, requestId: string): ResponseMetadata {
  return { httpStatusCode, requestId, extendedRequestId: undefined, cfId: undefined };
}

function isErrorClass(value: unknown): value is ExceptionConstructor {
  return (
    typeof value === 'function' &&
    typeof (value as { prototype?: unknown }).prototype === 'object' &&
    Object.prototype.isPrototypeOf.call(Error.prototype, (value as { prototype: object }).prototype)
  );
}

/** The package's base exception: the export named `<Service>ServiceException`. */
function baseExceptionOf(exceptions: Readonly<Record<string, unknown>> | undefined) {
  if (exceptions === undefined) return undefined;
  const name = Object.keys(exceptions)
    .filter((key) => /^[A-Za-z0-9]+ServiceException$/.test(key) && key !== 'ServiceException')
    .sort()[0];
  const candidate = name === undefined ? undefined : exceptions[name];
  return isErrorClass(candidate) ? candidate : undefined;
}

/**
 * The exception the SDK would raise for `error` (exported for models of non-SDK paths and for
 * tests; the mount calls it for every `SimulatedServiceError`).
 */
export function toSdkException(
  error: SimulatedServiceError,
  requestId: string,
  exceptions?: Readonly<Record<string, unknown>>,
): ServiceException {
  const $metadata = metadataFor(error.httpStatusCode, requestId);
  const modeled = exceptions?.[error.name];
  let exception: ServiceException;
  if (isErrorClass(modeled)) {
    // A modeled class fixes its own `name` and `$fault`, as the service model does for the SDK.
    exception = new modeled({ $metadata, message: error.message, ...error.fields });
  } else {
    const options = { name: error.name, $fault: error.fault, $metadata, message: error.message };
    const Base = baseExceptionOf(exceptions);
    exception = Base === undefined ? new ServiceException(options) : new Base(options);
  }
  exception = decorateServiceException(exception, { ...error.fields });
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId };
  if (error.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(error.retryAfterSeconds);
  }
  for (const [key, value] of Object.entries(error.headers)) headers[key.toLowerCase()] = value;
  // Hidden like the deserializer's: the SDK's retry reads `Retry-After` from here.
  Object.defineProperty(exception, '$response', {
    value: new HttpResponse({ statusCode: error.httpStatusCode, headers }),
    enumerable: false,
    writable: false,
    configurable: false,
  });
  return exception;
}

/**
 * Mounts `model` into `client` (see the module comment). Mounting again replaces the model.
 * Works on any SDK v3 client, including the kit's resilient clients.
 */
export function mountModel<Input extends object, Output extends MetadataBearer>(
  client: MountableClient<Input, Output>,
  model: ServiceModel,
  options: MountOptions = {},
): void {
  if (!options.keepCredentials && 'credentials' in client.config) {
    // A provider function, not the object: current clients wrap what is assigned in their
    // memoizing provider (a config setter), but older ones (@aws-sdk/client-drs 3.523 on
    // @smithy/core 1.x) have no setter and call `config.credentials` as it is. Both accept a
    // function; nothing is looked up.
    const credentials = simulatedCredentials();
    client.config.credentials = () => Promise.resolve(credentials);
  }
  const middleware: FinalizeRequestMiddleware<Input, Output> =
    (_next, context) =>
    async (args: FinalizeHandlerArguments<Input>): Promise<FinalizeHandlerOutput<Output>> => {
      const operation = operationOf(context, model);
      const requestId = nextRequestId(model);
      const callContext: ModelCallContext = {
        operation,
        requestId,
        clientName: typeof context.clientName === 'string' ? context.clientName : undefined,
        attempt: attemptOf(args.request),
      };
      let result: object;
      try {
        result = await model.handle(operation, detach(args.input) as ModelInput, callContext);
      } catch (error) {
        if (error instanceof SimulatedServiceError) {
          throw toSdkException(error, requestId, options.exceptions);
        }
        throw error;
      }
      const output = { ...detach(result), $metadata: metadataFor(200, requestId) };
      return {
        response: new HttpResponse({ statusCode: 200, headers: { 'x-amzn-requestid': requestId } }),
        // The model speaks for the service: its answer is the command's output.
        output: output as unknown as Output,
      };
    };
  client.middlewareStack.addRelativeTo(middleware, {
    name: MODEL_MIDDLEWARE_NAME,
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    override: true,
  });
  // A client built with `cacheMiddleware: true` keeps resolved handler chains; drop them so the
  // next call goes through the model.
  Reflect.deleteProperty(client, 'handlers');
}

/** A request handler for clients that must never reach the network. */
export const networkDisabledHandler = {
  handle(): Promise<never> {
    return Promise.reject(
      new SimulationConfigError(
        'A simulated client tried to send an HTTP request: the model mount was removed or ' +
          'bypassed. Nothing may leave the process in the simulation.',
      ),
    );
  },
};

/**
 * A client of `ClientCtor` with the model mounted, static dummy credentials, a region
 * (`us-east-1` unless `config.region` says otherwise) and a request handler that refuses to send
 * anything. Config values the SDK would otherwise read from env/shared config files (retry mode,
 * max attempts, FIPS/dual-stack, app id, auth preference, configured endpoints) get fixed
 * defaults so no file is read; pass your own in `config` to change them.
 */
export function createSimulatedClient<
  Ctor extends new (config: never) => MountableClient<object, MetadataBearer>,
>(
  ClientCtor: Ctor,
  config: NonNullable<ConstructorParameters<Ctor>[0]>,
  model: ServiceModel,
  options: MountOptions = {},
): InstanceType<Ctor> {
  const defaults = {
    region: 'us-east-1',
    maxAttempts: 3,
    retryMode: 'standard',
    defaultsMode: 'legacy',
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    ignoreConfiguredEndpointUrls: true,
    authSchemePreference: [],
    userAgentAppId: () => Promise.resolve(undefined),
    requestHandler: networkDisabledHandler,
  };
  const resolved = { ...defaults, ...(config as object), credentials: simulatedCredentials() };
  const client = new ClientCtor(resolved as never) as InstanceType<Ctor>;
  mountModel(client, model, { ...options, keepCredentials: true });
  return client;
}
