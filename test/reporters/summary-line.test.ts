import type { TestModule } from 'vitest/node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import SummaryLineReporter from './summary-line.js';

type State = 'passed' | 'failed' | 'skipped';

/** The parts of a vitest TestModule the reporter reads. */
function moduleOf(moduleState: State, testStates: readonly State[]): TestModule {
  const tests = testStates.map((state) => ({ result: () => ({ state }) }));
  return {
    state: () => moduleState,
    children: { size: tests.length, allTests: () => tests[Symbol.iterator]() },
  } as unknown as TestModule;
}

function summaryOf(modules: readonly TestModule[]): string {
  let written = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written += String(chunk);
    return true;
  });
  new SummaryLineReporter().onTestRunEnd(modules);
  return written.trim();
}

describe('reporter: summary line', () => {
  afterEach(() => vi.restoreAllMocks());

  it('counts tests by their state', () => {
    expect(
      summaryOf([
        moduleOf('passed', ['passed', 'skipped']),
        moduleOf('failed', ['failed', 'passed']),
      ]),
    ).toBe('tests: 2 passed, 1 failed, 1 skipped');
  });

  it('counts a file that failed to load as a failure', () => {
    expect(summaryOf([moduleOf('failed', [])])).toBe('tests: 0 passed, 1 failed, 0 skipped');
  });

  it('counts a file whose beforeAll threw (its tests skipped) as a failure', () => {
    expect(summaryOf([moduleOf('failed', ['skipped', 'skipped'])])).toBe(
      'tests: 0 passed, 1 failed, 2 skipped',
    );
  });
});
