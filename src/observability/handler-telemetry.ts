/**
 * The logger and EMF metrics of a production handler: the capability's own metrics, and the
 * SDK clients' call/retry/throttle metrics (in the resilience namespace unless the capability
 * keeps them with its own, as DRS does).
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createLogger } from './logger.js';
import { PowertoolsMetricRecorder, createMetrics, type MetricRecorder } from './metrics.js';
import { MetricNamespaces } from './namespaces.js';

export interface HandlerTelemetryOptions {
  /** `service` of every log line and metric (Powertools adds it as a metric dimension). */
  readonly serviceName: string;
  /** Namespace of the capability's own metrics. */
  readonly namespace: string;
  /** Namespace of the SDK clients' metrics. @default MetricNamespaces.resilience */
  readonly clientNamespace?: string;
}

export interface HandlerTelemetry {
  /** The Powertools logger (`appendKeys` adds the correlation id to every later line). */
  readonly logger: Logger;
  /** The capability's own metrics. */
  readonly metrics: MetricRecorder;
  /** What `createResilientClient` records (the same recorder when the namespaces are equal). */
  readonly clientMetrics: MetricRecorder;
  /** Publishes buffered metrics; call it at the end of every invocation. */
  readonly flushMetrics: () => void;
}

export function createHandlerTelemetry(options: HandlerTelemetryOptions): HandlerTelemetry {
  const { serviceName, namespace } = options;
  const clientNamespace = options.clientNamespace ?? MetricNamespaces.resilience;
  const own = recorderFor(namespace, serviceName);
  const clients = clientNamespace === namespace ? own : recorderFor(clientNamespace, serviceName);
  const buffers = clients === own ? [own] : [own, clients];
  return {
    logger: createLogger({ serviceName }),
    metrics: own.recorder,
    clientMetrics: clients.recorder,
    flushMetrics: () => {
      // Metrics with dimensions are published as they are recorded; Powertools warns when
      // asked to publish an empty buffer, so only flush what is there.
      for (const { metrics, recorder } of buffers) {
        if (metrics.hasStoredMetrics()) recorder.flush();
      }
    },
  };
}

interface Buffer {
  readonly metrics: Metrics;
  readonly recorder: PowertoolsMetricRecorder;
}

function recorderFor(namespace: string, serviceName: string): Buffer {
  const metrics = createMetrics({ namespace, serviceName });
  return { metrics, recorder: new PowertoolsMetricRecorder(metrics) };
}
