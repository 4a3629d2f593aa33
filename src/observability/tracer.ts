import { Tracer } from '@aws-lambda-powertools/tracer';

export interface CreateTracerOptions {
  readonly serviceName: string;
  /** @default - POWERTOOLS_TRACE_ENABLED, else enabled (it is a no-op outside Lambda) */
  readonly enabled?: boolean;
}

/** X-Ray tracer; wrap SDK clients with `tracer.captureAWSv3Client` where traces are wanted. */
export function createTracer(options: CreateTracerOptions): Tracer {
  return new Tracer({
    serviceName: options.serviceName,
    ...(options.enabled === undefined ? {} : { enabled: options.enabled }),
  });
}
