import { describe, expect, it } from 'vitest';
import { runWorkflowStreamingBench } from '../../../bench/workflow-streaming.bench.js';
import { measureStageRun } from '../../../bench/workflow-streaming.worker.js';

describe('workflow bench: smoke (tiny sizes, not the benchmark)', () => {
  it('measures both forms of the Score stage in-process', async () => {
    // Act
    const streaming = await measureStageRun('streaming', 50_000);
    const plain = await measureStageRun('plain', 50_000);
    // Assess
    for (const m of [streaming, plain]) {
      expect(m.ok).toBe(true);
      expect(m.records).toBeGreaterThan(200);
      expect(m.inputBytes).toBeGreaterThanOrEqual(50_000);
      expect(m.outputBytes).toBeGreaterThan(m.inputBytes);
      expect(m.peakRssBytes).toBeGreaterThanOrEqual(m.baselineRssBytes);
      expect(m.resultPayloadBytes).toBeGreaterThan(100);
      expect(m.resultPayloadBytes).toBeLessThan(1024);
    }
  });

  it('runs each case in a child process and writes a RESULTS.md section', async () => {
    // Act
    const { ok, markdown } = await runWorkflowStreamingBench({ sizes: [20_000] });
    // Assess
    expect(ok).toBe(true);
    expect(markdown.startsWith('## ')).toBe(true);
    expect(markdown).toMatch(/\| streaming \| 0 MiB \|/);
    expect(markdown).toMatch(/\| plain \| 0 MiB \|/);
    expect(markdown).toContain('**Verdict: pass.**');
  }, 60_000);
});
