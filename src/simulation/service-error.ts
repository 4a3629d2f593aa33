import { SimulationConfigError } from './errors.js';

/**
 * An AWS error answered by a model, as data. Models throw it; the SDK mount turns it into the
 * client package's own exception class (or its base ServiceException) with the same `name`,
 * `$fault` and `$metadata` that the SDK's deserializer would produce for the real answer.
 */

export type Fault = 'client' | 'server';

export interface SimulatedServiceErrorOptions {
  /**
   * The SDK exception name: the modeled class name when the service models the error
   * (`TargetGroupNotFoundException`), else the wire code (`Throttling`, `InternalFailure`).
   */
  readonly name: string;
  /** HTTP status the service answers with (400, 429, 500, 503, ...). */
  readonly httpStatusCode: number;
  readonly message: string;
  /** @default - 'server' for 5xx, else 'client' (what the SDK infers from the status) */
  readonly fault?: Fault;
  /**
   * Extra members of the exception, as the service models them (`retryAfterSeconds`,
   * `quotaCode`, `Message`...).
   */
  readonly fields?: Readonly<Record<string, unknown>>;
  /**
   * Sent as the `Retry-After` HTTP header (whole seconds), which the SDK's retry strategies read.
   * Services that model the value as a member get it in `fields` too (see the throttling model).
   * @default - no header
   */
  readonly retryAfterSeconds?: number;
  /** More HTTP response headers. @default - none */
  readonly headers?: Readonly<Record<string, string>>;
}

export class SimulatedServiceError extends Error {
  readonly httpStatusCode: number;
  readonly fault: Fault;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(options: SimulatedServiceErrorOptions) {
    super(options.message);
    if (!/^[A-Za-z][\w.]*$/.test(options.name)) {
      throw new SimulationConfigError(
        `SimulatedServiceError name must be an error code, got '${options.name}'.`,
      );
    }
    const status = options.httpStatusCode;
    if (!Number.isInteger(status) || status < 300 || status > 599) {
      throw new SimulationConfigError(
        `SimulatedServiceError httpStatusCode must be an error status (300-599), got ${status}.`,
      );
    }
    const retryAfter = options.retryAfterSeconds;
    if (retryAfter !== undefined && !(Number.isFinite(retryAfter) && retryAfter >= 0)) {
      throw new SimulationConfigError(
        `SimulatedServiceError retryAfterSeconds must be a non-negative number, got ${retryAfter}.`,
      );
    }
    this.name = options.name;
    this.httpStatusCode = status;
    this.fault = options.fault ?? (status >= 500 ? 'server' : 'client');
    this.fields = { ...options.fields };
    this.retryAfterSeconds = retryAfter;
    this.headers = { ...options.headers };
  }
}

/** The shape of an error without the message-specific parts, for presets and configuration. */
export type ServiceErrorSpec = Omit<SimulatedServiceErrorOptions, 'message'> & {
  readonly message?: string;
};

/** Builds a `SimulatedServiceError` from a preset, with a default message. */
export function serviceError(spec: ServiceErrorSpec, message?: string): SimulatedServiceError {
  return new SimulatedServiceError({
    ...spec,
    message: message ?? spec.message ?? `${spec.name} (simulated)`,
  });
}

/** Errors AWS services commonly answer with. `name`s are the SDK exception names. */
export const CommonErrors = {
  /** JSON-protocol services (DRS, ECS, Step Functions...): HTTP 429 with Retry-After. */
  throttlingException: {
    name: 'ThrottlingException',
    httpStatusCode: 429,
    message: 'Rate exceeded',
  },
  /** Query-protocol services (ELBv2, CloudWatch, SQS query compat): HTTP 400 `Throttling`. */
  queryThrottling: { name: 'Throttling', httpStatusCode: 400, message: 'Rate exceeded' },
  internalServerException: {
    name: 'InternalServerException',
    httpStatusCode: 500,
    message: 'An internal error occurred',
  },
  /** Query-protocol services' 500. */
  internalFailure: {
    name: 'InternalFailure',
    httpStatusCode: 500,
    message: 'The request processing has failed because of an unknown error.',
  },
  serviceUnavailable: {
    name: 'ServiceUnavailable',
    httpStatusCode: 503,
    message: 'The request has failed due to a temporary failure of the server.',
  },
  serviceUnavailableException: {
    name: 'ServiceUnavailableException',
    httpStatusCode: 503,
    message: 'Service is unavailable',
  },
} as const satisfies Record<string, ServiceErrorSpec>;
