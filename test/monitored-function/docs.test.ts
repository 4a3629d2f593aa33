import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = process.cwd();
const DOC = 'docs/monitored-function.md';

/** The ```ts blocks of a markdown file. */
function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
}

const trimmedLines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

describe('docs: monitored-function.md', () => {
  const blocks = typescriptBlocks(readFileSync(join(ROOT, DOC), 'utf8'));

  it('has TypeScript examples', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  // Each block names the compiled file it is copied from; that file is type-checked with the
  // project and synthesized by the tests, so the documented code cannot rot.
  it.each(blocks.map((block, index) => [index, block] as const))(
    'block %d is an excerpt of compiled code',
    (_, block) => {
      const [header, ...body] = block.split('\n');
      const source = /^\/\/ ((?:examples|app|src)\/[\w./-]+\.ts)$/.exec(header ?? '')?.[1];
      expect(source, `first line must name the source file: ${header}`).toBeDefined();
      const haystack = trimmedLines(readFileSync(join(ROOT, source!), 'utf8')).join('\n');
      expect(haystack).toContain(trimmedLines(body.join('\n')).join('\n'));
    },
  );
});
