import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandlerTelemetry } from '../../src/observability/handler-telemetry.js';
import { MetricNamespaces } from '../../src/observability/namespaces.js';

/** The EMF blobs Powertools wrote to stdout during `act`. */
function emfWritten(
  act: () => void,
): Array<{ _aws: { CloudWatchMetrics: Array<{ Namespace: string }> } }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    lines.push(String(line));
  });
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    log.mockRestore();
    write.mockRestore();
  }
  return lines
    .flatMap((line) => line.split('\n'))
    .filter((line) => line.includes('CloudWatchMetrics'))
    .map(
      (line) => JSON.parse(line) as { _aws: { CloudWatchMetrics: Array<{ Namespace: string }> } },
    );
}

const namespacesOf = (blobs: ReturnType<typeof emfWritten>): string[] =>
  blobs.flatMap((blob) => blob._aws.CloudWatchMetrics.map((m) => m.Namespace)).sort();

describe('observability: handler telemetry', () => {
  // test/setup.ts turns EMF output off; these tests read it.
  beforeEach(() => vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false'));
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it("keeps the clients' metrics in the resilience namespace and flushes both buffers", () => {
    const telemetry = createHandlerTelemetry({ serviceName: 'svc', namespace: 'Own/Space' });

    const blobs = emfWritten(() => {
      telemetry.metrics.record('Started', 'Count', 1);
      telemetry.clientMetrics.record('Calls', 'Count', 2);
      telemetry.flushMetrics();
    });

    expect(telemetry.clientMetrics).not.toBe(telemetry.metrics);
    expect(namespacesOf(blobs)).toEqual([MetricNamespaces.resilience, 'Own/Space'].sort());
  });

  it('shares one recorder when the clients use the capability namespace', () => {
    const telemetry = createHandlerTelemetry({
      serviceName: 'svc',
      namespace: 'DRS/RateLimits',
      clientNamespace: 'DRS/RateLimits',
    });

    const blobs = emfWritten(() => {
      telemetry.clientMetrics.record('Calls', 'Count', 2);
      telemetry.flushMetrics();
    });

    expect(telemetry.clientMetrics).toBe(telemetry.metrics);
    expect(namespacesOf(blobs)).toEqual(['DRS/RateLimits']);
  });

  it('publishes nothing when nothing is buffered', () => {
    const telemetry = createHandlerTelemetry({ serviceName: 'svc', namespace: 'Own/Space' });

    const blobs = emfWritten(() => telemetry.flushMetrics());

    expect(blobs).toEqual([]);
  });
});
