import { SimulatedServiceError, type ServiceErrorSpec } from '../service-error.js';

/**
 * S3's error answers, with the codes and statuses S3 sends. The SDK turns `NoSuchKey`,
 * `NoSuchBucket`, `NoSuchUpload` and `NotFound` into its modeled classes; the others become an
 * `S3ServiceException` with that `name`, as from the real deserializer.
 */
export const S3Errors = {
  /** Throttling: S3 answers 503 SlowDown (no Retry-After). */
  slowDown: { name: 'SlowDown', httpStatusCode: 503, message: 'Please reduce your request rate.' },
  accessDenied: { name: 'AccessDenied', httpStatusCode: 403, message: 'Access Denied' },
  internalError: {
    name: 'InternalError',
    httpStatusCode: 500,
    message: 'We encountered an internal error. Please try again.',
  },
} as const satisfies Record<string, ServiceErrorSpec>;

export function noSuchBucket(bucket: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'NoSuchBucket',
    httpStatusCode: 404,
    message: 'The specified bucket does not exist',
    fields: { BucketName: bucket },
  });
}

export function noSuchKey(key: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'NoSuchKey',
    httpStatusCode: 404,
    message: 'The specified key does not exist.',
    fields: { Key: key },
  });
}

/** HEAD requests carry no error body: the SDK only sees the 404 and names it `NotFound`. */
export function headNotFound(): SimulatedServiceError {
  return new SimulatedServiceError({ name: 'NotFound', httpStatusCode: 404, message: 'NotFound' });
}

export function noSuchUpload(uploadId: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'NoSuchUpload',
    httpStatusCode: 404,
    message:
      'The specified upload does not exist. The upload ID may be invalid, or the upload may ' +
      'have been aborted or completed.',
    fields: { UploadId: uploadId },
  });
}

export function accessDenied(): SimulatedServiceError {
  return new SimulatedServiceError(S3Errors.accessDenied);
}

export function badRequest(name: string, message: string): SimulatedServiceError {
  return new SimulatedServiceError({ name, httpStatusCode: 400, message });
}
