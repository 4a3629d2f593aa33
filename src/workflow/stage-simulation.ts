/**
 * Stage handlers on the S3 simulation: the same resilient client production builds, mounted on
 * an `S3Model`, so local runs, tests and the benchmark exercise the real kit code path
 * (resilience retries included) without AWS.
 */
import * as s3Sdk from '@aws-sdk/client-s3';
import { S3Client } from '@aws-sdk/client-s3';
import type { OpsLogger } from '../observability/logger.js';
import type { Clock } from '../resilience/clock.js';
import { LimiterRegistry } from '../resilience/limiter-registry.js';
import { createResilientClient } from '../resilience/resilient-client.js';
import type { RetryConfig } from '../resilience/retry-config.js';
import type { RandomSource } from '../resilience/clock.js';
import { mountModel } from '../simulation/sdk-mount.js';
import type { ServiceModel } from '../simulation/service-model.js';
import type { StageConfig } from './contract.js';
import type { StageHandlerDeps } from './stage-handler.js';
import type { MultipartOptions } from './stage-store.js';

export interface SimulatedS3ClientOptions {
  /** The clock the model runs on; retries sleep on it. */
  readonly clock: Clock;
  /** @default 'us-east-1' */
  readonly region?: string;
  readonly retry?: Partial<RetryConfig>;
  /** Jitter source. @default Math.random */
  readonly random?: RandomSource;
  /** Receives the resilience layer's retry warnings. */
  readonly logger?: OpsLogger;
}

/** A resilient S3 client (rate limit + retry) answered by `model` (usually an `S3Model`). */
export function simulatedS3Client(
  model: ServiceModel,
  options: SimulatedS3ClientOptions,
): S3Client {
  const client = createResilientClient(
    S3Client,
    { region: options.region ?? 'us-east-1' },
    {
      clock: options.clock,
      registry: new LimiterRegistry({ clock: options.clock, env: {} }),
      env: {},
      retry: options.retry,
      random: options.random,
      logger: options.logger,
    },
  );
  mountModel(client, model, { exceptions: s3Sdk });
  return client;
}

export interface SimulatedStageDepsOptions extends SimulatedS3ClientOptions {
  readonly workflowBucket: string;
  /** @default 'workflow' */
  readonly workflowName?: string;
  readonly stageName?: string;
  readonly loggerFor?: StageHandlerDeps['loggerFor'];
  readonly multipart?: MultipartOptions;
  /** @default true */
  readonly recordResults?: boolean;
}

/** Deps for `createStageHandler` against the simulation. */
export function simulatedStageDeps(
  model: ServiceModel,
  options: SimulatedStageDepsOptions,
): StageHandlerDeps {
  const config: StageConfig = {
    workflowBucket: options.workflowBucket,
    workflowName: options.workflowName ?? 'workflow',
    stageName: options.stageName,
  };
  return {
    config,
    s3: simulatedS3Client(model, options),
    clock: options.clock,
    loggerFor: options.loggerFor,
    multipart: options.multipart,
    recordResults: options.recordResults,
  };
}
