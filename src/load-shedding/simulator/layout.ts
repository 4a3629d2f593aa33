/**
 * The listener layout a scenario asks for, as plain data (pure): which rules exist and what
 * each forwards to at baseline. The deployment turns it into ELBv2 model resources.
 */
import type { Scenario } from './scenario.js';

export const PRIMARY = 'primary';

/** One target group of a forward action, by the simulator's short name. */
export interface LayoutTarget {
  readonly targetGroup: string;
  readonly weight: number;
}

export interface LayoutRule {
  /** Short id used in reports: `l1-default`, `l1-r1`, ... */
  readonly id: string;
  readonly listener: number;
  /** `undefined` for the listener's default rule. */
  readonly priority: number | undefined;
  readonly pathPattern: string | undefined;
  readonly targets: readonly LayoutTarget[];
}

export interface Layout {
  readonly targetGroups: readonly string[];
  readonly listeners: number;
  readonly rules: readonly LayoutRule[];
}

/** Secondary target group names: `secondary-1`, `secondary-2`, ... */
export function secondaryName(index: number): string {
  return `secondary-${index + 1}`;
}

/**
 * Builds the layout: per listener, a default rule (primary 100, first secondary 0) and
 * `rulesPerListener` rules; rule j forwards to the primary (100) and to one secondary at 0, or
 * two when there are several (so shedding spreads over both). With `canary`, the first
 * listener's last rule (or its default rule if it has none) starts at primary 80 / secondary 20.
 */
export function buildLayout(layout: Scenario['layout']): Layout {
  const secondaries = Array.from({ length: layout.secondaries }, (_, i) => secondaryName(i));
  const rules: LayoutRule[] = [];
  for (let l = 1; l <= layout.listeners; l++) {
    rules.push({
      id: `l${l}-default`,
      listener: l,
      priority: undefined,
      pathPattern: undefined,
      targets: [
        { targetGroup: PRIMARY, weight: 100 },
        { targetGroup: secondaries[0], weight: 0 },
      ],
    });
    for (let j = 1; j <= layout.rulesPerListener; j++) {
      const first = (j - 1) % secondaries.length;
      const spread = secondaries.length > 1 && j % 2 === 0;
      rules.push({
        id: `l${l}-r${j}`,
        listener: l,
        priority: j * 10,
        pathPattern: `/service-${j}/*`,
        targets: [
          { targetGroup: PRIMARY, weight: 100 },
          { targetGroup: secondaries[first], weight: 0 },
          ...(spread
            ? [{ targetGroup: secondaries[(first + 1) % secondaries.length], weight: 0 }]
            : []),
        ],
      });
    }
  }
  if (layout.canary) {
    const firstListener = rules.filter((rule) => rule.listener === 1);
    const index = rules.indexOf(firstListener[firstListener.length - 1]);
    const rule = rules[index];
    rules[index] = {
      ...rule,
      targets: rule.targets.map((t, i) => ({ ...t, weight: [80, 20][i] ?? 0 })),
    };
  }
  return { targetGroups: [PRIMARY, ...secondaries], listeners: layout.listeners, rules };
}
