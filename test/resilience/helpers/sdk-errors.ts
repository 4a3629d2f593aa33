import { HttpResponse } from '@smithy/protocol-http';
import { ServiceException } from '@smithy/smithy-client';

export interface SdkErrorSpec {
  readonly name: string;
  readonly status?: number;
  readonly fault?: 'client' | 'server';
  /** Smithy `@retryable` trait as the SDK sets it on modelled exceptions. */
  readonly retryable?: { throttling?: boolean };
  /** DRS-style `retryAfterSeconds` member. */
  readonly retryAfterSeconds?: string | number;
  /** Headers of the raw response (`$response`). */
  readonly headers?: Record<string, string>;
  readonly requestId?: string;
}

/** An exception built with the SDK's own `ServiceException` class, shaped like a real one. */
export function sdkError(spec: SdkErrorSpec): ServiceException {
  const status = spec.status ?? 400;
  const error = new ServiceException({
    name: spec.name,
    $fault: spec.fault ?? (status >= 500 ? 'server' : 'client'),
    $metadata: { httpStatusCode: status, requestId: spec.requestId ?? 'req-1' },
    message: `${spec.name} (test)`,
  });
  if (spec.retryable) Object.assign(error, { $retryable: spec.retryable });
  if (spec.retryAfterSeconds !== undefined) {
    Object.assign(error, { retryAfterSeconds: spec.retryAfterSeconds });
  }
  Object.assign(error, {
    $response: new HttpResponse({ statusCode: status, headers: spec.headers ?? {} }),
  });
  return error;
}

/** A Node system error (`code`), like the HTTP handler raises for broken connections. */
export function nodeError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code} (test)`), { code });
}
