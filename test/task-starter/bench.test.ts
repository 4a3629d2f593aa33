/**
 * The task-starter benchmark (bench/task-starter.bench.ts) as a test: it runs on virtual time
 * (about a second of wall time), so CI checks its verdict, not only the release that reruns it.
 */
import { describe, expect, it } from 'vitest';
import { runTaskStarterBench } from '../../bench/task-starter.bench.js';

/** Lambda seconds per task of a mode, read from the bench's table. */
function secondsPerTask(markdown: string, mode: string): number {
  const row = markdown.split('\n').find((line) => line.startsWith(`| ${mode} |`));
  const cells = row?.split('|').map((cell) => cell.trim()) ?? [];
  // | mode | registered | start | task-state | per task | mean |
  return Number.parseFloat(cells[5] ?? 'NaN');
}

describe('task starter bench: Lambda seconds per task', () => {
  it('passes, the event-driven mode using far fewer Lambda seconds than the synchronous one', async () => {
    // Act
    const { ok, markdown } = await runTaskStarterBench();
    // Assess
    const eventDriven = secondsPerTask(markdown, 'event-driven');
    const synchronous = secondsPerTask(markdown, 'synchronous');
    expect(ok).toBe(true);
    expect(markdown.startsWith('## ')).toBe(true);
    expect(markdown).toMatch(/\| event-driven \| 20 \|/);
    expect(markdown).toMatch(/\| synchronous \| 20 \|/);
    expect(eventDriven).toBeLessThan(1);
    expect(synchronous).toBeGreaterThan(15);
    expect(synchronous / eventDriven).toBeGreaterThanOrEqual(10);
  }, 30_000);
});
