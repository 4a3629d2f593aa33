import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it, vi } from 'vitest';
import {
  InMemoryMetricRecorder,
  PowertoolsMetricRecorder,
  createMetrics,
  noopMetricRecorder,
} from '../../src/observability/metrics.js';
import { MetricNamespaces } from '../../src/observability/namespaces.js';

describe('observability: InMemoryMetricRecorder', () => {
  it('sums values by name and dimension subset', () => {
    const recorder = new InMemoryMetricRecorder();
    recorder.record('Throttles', 'Count', 1, { ErrorCode: 'ThrottlingException', Service: 'drs' });
    recorder.record('Throttles', 'Count', 2, { ErrorCode: 'SlowDown', Service: 's3' });
    recorder.record('Throttles', 'Count', 4, { ErrorCode: 'ThrottlingException', Service: 'ecs' });
    recorder.record('Calls', 'Count', 8);

    expect(recorder.sum('Throttles')).toBe(7);
    expect(recorder.sum('Throttles', { ErrorCode: 'ThrottlingException' })).toBe(5);
    expect(recorder.sum('Throttles', { Service: 's3' })).toBe(2);
    expect(recorder.sum('Calls')).toBe(8);
    expect(recorder.matching('Calls')[0]?.dimensions).toEqual({});

    recorder.clear();
    expect(recorder.sum('Throttles')).toBe(0);
  });

  it('noop recorder keeps nothing and writes nothing', () => {
    const write = vi.spyOn(process.stdout, 'write');
    try {
      noopMetricRecorder.record('X', 'Count', 1, { A: 'b' });
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });
});

describe('observability: PowertoolsMetricRecorder', () => {
  it('sends dimensioned metrics as single metrics and buffers the rest', () => {
    const metrics = createMetrics({
      namespace: MetricNamespaces.resilience,
      serviceName: 'test',
    });
    expect(metrics).toBeInstanceOf(Metrics);
    const single = { addDimensions: vi.fn(), addMetric: vi.fn() };
    const singleMetric = vi.spyOn(metrics, 'singleMetric').mockReturnValue(single as never);
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const publish = vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
    const recorder = new PowertoolsMetricRecorder(metrics);

    recorder.record('Retries', 'Count', 1, { Attempt: '2' });
    recorder.record('WaitTime', 'Milliseconds', 150);
    recorder.flush();

    expect(singleMetric).toHaveBeenCalledTimes(1);
    expect(single.addDimensions).toHaveBeenCalledWith({ Attempt: '2' });
    expect(single.addMetric).toHaveBeenCalledWith('Retries', 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith('WaitTime', 'Milliseconds', 150);
    expect(publish).toHaveBeenCalledTimes(1);
  });
});
