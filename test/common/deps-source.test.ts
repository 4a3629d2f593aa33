import { describe, expect, it } from 'vitest';
import { buildOnce, resolveDeps } from '../../src/common/deps-source.js';

describe('common: deps source', () => {
  it('resolves deps given as an object or as a builder', () => {
    const deps = { name: 'given' };

    expect(resolveDeps(deps)).toBe(deps);
    expect(resolveDeps(() => deps)).toBe(deps);
  });

  it('builds once, on the first call, and returns the same object after', () => {
    let builds = 0;
    const source = buildOnce(() => ({ build: ++builds }));

    expect(builds).toBe(0);
    const first = source();
    const second = source();

    expect(builds).toBe(1);
    expect(second).toBe(first);
  });

  it('builds again after a failed build, so every invocation reports the error', () => {
    let calls = 0;
    const source = buildOnce((): { ok: true } => {
      calls += 1;
      throw new Error('AWS_REGION is not set');
    });

    expect(() => source()).toThrow('AWS_REGION is not set');
    expect(() => source()).toThrow('AWS_REGION is not set');
    expect(calls).toBe(2);
  });
});
