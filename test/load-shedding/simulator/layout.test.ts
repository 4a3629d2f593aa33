import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRIMARY, buildLayout } from '../../../src/load-shedding/simulator/layout.js';

describe('load-shedding simulator: layout', () => {
  it('the default: one listener, its default rule and three rules, the last an 80/20 canary', () => {
    // Act
    const layout = buildLayout({ listeners: 1, rulesPerListener: 3, secondaries: 2, canary: true });

    // Assess
    expect(layout.targetGroups).toEqual([PRIMARY, 'secondary-1', 'secondary-2']);
    expect(
      layout.rules.map((r) => [r.id, r.targets.map((t) => `${t.targetGroup}=${t.weight}`)]),
    ).toEqual([
      ['l1-default', ['primary=100', 'secondary-1=0']],
      ['l1-r1', ['primary=100', 'secondary-1=0']],
      ['l1-r2', ['primary=100', 'secondary-2=0', 'secondary-1=0']],
      ['l1-r3', ['primary=80', 'secondary-1=20']],
    ]);
  });

  it('a canary on a listener without rules goes on its default rule', () => {
    const layout = buildLayout({ listeners: 2, rulesPerListener: 0, secondaries: 1, canary: true });
    expect(layout.rules.map((r) => r.targets.map((t) => t.weight))).toEqual([
      [80, 20],
      [100, 0],
    ]);
  });

  it('every rule forwards to the primary and at most three groups, with unique priorities', () => {
    const options = fc.record({
      listeners: fc.integer({ min: 1, max: 10 }),
      rulesPerListener: fc.integer({ min: 0, max: 20 }),
      secondaries: fc.integer({ min: 1, max: 4 }),
      canary: fc.boolean(),
    });
    fc.assert(
      fc.property(options, (options) => {
        const layout = buildLayout(options);
        expect(layout.rules).toHaveLength(options.listeners * (options.rulesPerListener + 1));
        for (const rule of layout.rules) {
          expect(rule.targets[0].targetGroup).toBe(PRIMARY);
          expect(rule.targets.length).toBeLessThanOrEqual(3);
          expect(new Set(rule.targets.map((t) => t.targetGroup)).size).toBe(rule.targets.length);
        }
        const canaries = layout.rules.filter((r) => r.targets[0].weight === 80);
        expect(canaries).toHaveLength(options.canary ? 1 : 0);
      }),
    );
  });
});
