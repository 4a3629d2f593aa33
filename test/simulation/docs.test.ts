import { readdir, readFile } from 'node:fs/promises';
import { ElasticLoadBalancingV2ServiceException } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it, vi } from 'vitest';

const docsUrl = new URL('../../docs/simulation.md', import.meta.url);
const examplesUrl = new URL('./docs-examples/', import.meta.url);
const END_MARKER = '// end of example';

/** The ```ts blocks of the page, without trailing whitespace. */
async function docBlocks(): Promise<string[]> {
  const markdown = await readFile(docsUrl, 'utf8');
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1].trimEnd());
}

/** An example as the docs show it: up to the end marker, imports relative to docs/. */
async function exampleAsDocumented(file: string): Promise<string> {
  const source = await readFile(new URL(file, examplesUrl), 'utf8');
  const end = source.indexOf(END_MARKER);
  expect(end, `${file} needs a '${END_MARKER}' line`).toBeGreaterThan(0);
  return source.slice(0, end).replaceAll("'../../../src/", "'../src/").trimEnd();
}

describe('simulation: docs/simulation.md examples', () => {
  it('shows every example verbatim, and no code that is not an example', async () => {
    // Prepare
    const files = (await readdir(examplesUrl)).filter((name) => name.endsWith('.ts'));
    const blocks = await docBlocks();

    // Act
    const examples = await Promise.all(files.map(exampleAsDocumented));

    // Assess
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) expect(blocks).toContain(example);
    for (const block of blocks) expect(examples).toContain(block);
  });

  it('runs the isolated-clock example', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { clock, granted } = await import('./docs-examples/kit-code-on-a-clock.js');
    const start = Date.UTC(2025, 0, 1);
    expect(granted.map((time) => time - start)).toEqual([0, 500, 1_000, 1_500, 2_000]);
    expect(clock.now() - start).toBe(62_000);
    expect(log).toHaveBeenCalledWith('one virtual minute has passed');
    log.mockRestore();
  });

  it('runs the SDK-retry example and restores the real timers', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const realSetTimeout = globalThis.setTimeout;
    const { model } = await import('./docs-examples/sdk-retry-in-virtual-time.js');
    const stats = model.stats().total;
    expect(stats.succeeded).toBeGreaterThanOrEqual(40);
    expect(stats.throttled).toBeGreaterThan(0);
    expect(stats.calls).toBe(stats.succeeded + stats.throttled);
    expect(globalThis.setTimeout).toBe(realSetTimeout);
    log.mockRestore();
  });

  it('runs the model-writing example', async () => {
    const { health, missing } = await import('./docs-examples/writing-a-model.js');
    expect(health.TargetHealthDescriptions).toEqual([
      { Target: { Id: '10.0.0.1', Port: 80 }, TargetHealth: { State: 'healthy' } },
    ]);
    expect(missing).toBeInstanceOf(ElasticLoadBalancingV2ServiceException);
    expect(missing).toMatchObject({ name: 'TargetGroupNotFoundException', $fault: 'client' });
  });
});
