import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { RESILIENCE_MIDDLEWARE_NAME } from '../../src/resilience/resilient-client.js';
import { drive } from './helpers/drive.js';
import { recordingLogger } from './helpers/recording-logger.js';
import { describeRulesOk, ScriptedHttpHandler } from './helpers/scripted-http-handler.js';
import { sdkError } from './helpers/sdk-errors.js';
import { TestClock } from './helpers/test-clock.js';

const page = new URL('../../docs/resilience.md', import.meta.url);
const examples = new URL('./docs-examples/', import.meta.url);
const MARKER = '// end of example';

/** Each ```ts block of the page. */
async function codeBlocks(): Promise<string[]> {
  const markdown = await readFile(page, 'utf8');
  return Array.from(markdown.matchAll(/```ts\n([\s\S]*?)```/g), (m) => (m[1] ?? '').trimEnd());
}

/** The part of an example file the page shows, with imports as seen from docs/. */
async function shownPart(file: string): Promise<string> {
  const text = await readFile(new URL(file, examples), 'utf8');
  const cut = text.indexOf(MARKER);
  expect(cut, `${file} lacks '${MARKER}'`).toBeGreaterThan(0);
  return text.slice(0, cut).replaceAll("'../../../src/", "'../src/").trimEnd();
}

describe('resilience: docs/resilience.md', () => {
  it('shows exactly the compiled examples, verbatim', async () => {
    // Prepare
    const files = (await readdir(examples)).filter((file) => file.endsWith('.ts'));

    // Act
    const [blocks, shown] = await Promise.all([codeBlocks(), Promise.all(files.map(shownPart))]);

    // Assess
    expect(files).toHaveLength(3);
    expect([...blocks].sort()).toEqual([...shown].sort());
  });

  it('runs the plain-wrapper example: retries, gives up typed, rethrows the rest', async () => {
    // Prepare
    const { concurrentJobQuota } = await import('./docs-examples/plain-wrapper.js');
    const clock = new TestClock();
    const logger = recordingLogger();
    let calls = 0;
    const flaky = () =>
      ++calls <= 2
        ? Promise.reject(sdkError({ name: 'TooManyRequestsException', status: 429 }))
        : Promise.resolve(20);
    const throttled = () => Promise.reject(sdkError({ name: 'ThrottlingException', status: 429 }));
    const denied = sdkError({ name: 'AccessDeniedException', status: 403 });

    // Act
    const quota = await drive(clock, concurrentJobQuota({ clock, logger, readQuota: flaky }));
    const exhausted = await drive(
      clock,
      concurrentJobQuota({ clock, logger, readQuota: throttled }),
    );
    const failure = await concurrentJobQuota({
      clock,
      logger,
      readQuota: () => Promise.reject(denied),
    }).catch((error: unknown) => error);

    // Assess
    expect(quota).toBe(20);
    expect(exhausted).toBeUndefined();
    expect(failure).toBe(denied);
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(2 + 3);
  });

  it('runs the resilient-client example against a scripted endpoint', async () => {
    // Prepare: the first answer succeeds, so nothing waits on the real clock.
    const { elb, listRules } = await import('./docs-examples/resilient-client.js');
    const handler = new ScriptedHttpHandler(() => describeRulesOk);
    Object.assign(elb.config, { requestHandler: handler });

    // Act
    const rules = await listRules('arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/a/b/c');

    // Assess
    expect(rules).toEqual([]);
    expect(handler.calls).toBe(1);
    await expect(elb.config.maxAttempts()).resolves.toBe(1);
    expect(elb.middlewareStack.identify()[0]).toBe(`${RESILIENCE_MIDDLEWARE_NAME} - initialize`);
  });

  it('builds the custom-client example with its limits', async () => {
    const { client, registry } = await import('./docs-examples/custom-client.js');

    expect(registry.limitFor('Elastic Load Balancing v2', 'eu-west-1')).toEqual({
      ratePerSecond: 5,
      capacity: 40,
    });
    expect(client.middlewareStack.identify()).toContain(
      `${RESILIENCE_MIDDLEWARE_NAME} - initialize`,
    );
  });
});
