import type {
  Action,
  TargetGroupStickinessConfig,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readForwardRules, writeWeights } from '../../src/load-shedding/elb-rules.js';
import { cognitoAction, simulatedElbv2 } from '../helpers/elbv2.js';

interface Scenario {
  /** Indexes into the five target groups, in the rule's order. */
  readonly groups: number[];
  readonly weights: number[];
  readonly newWeights: number[];
  readonly stickiness: TargetGroupStickinessConfig | null;
  /** Order of the forward action behind an authenticate action, or null for no such action. */
  readonly authThenForwardAt: number | null;
  /** Write the default rule (ModifyListener) rather than a numbered rule. */
  readonly isDefault: boolean;
  readonly path: string;
}

const scenario: fc.Arbitrary<Scenario> = fc
  .shuffledSubarray([0, 1, 2, 3, 4], { minLength: 1, maxLength: 5 })
  .chain((groups) =>
    fc.record({
      groups: fc.constant(groups),
      weights: fc.array(fc.integer({ min: 0, max: 999 }), {
        minLength: groups.length,
        maxLength: groups.length,
      }),
      newWeights: fc.array(fc.integer({ min: 0, max: 999 }), {
        minLength: groups.length,
        maxLength: groups.length,
      }),
      stickiness: fc.option(
        fc.record({
          Enabled: fc.boolean(),
          DurationSeconds: fc.integer({ min: 1, max: 604_800 }),
        }),
      ),
      authThenForwardAt: fc.option(fc.integer({ min: 2, max: 50_000 })),
      isDefault: fc.boolean(),
      path: fc.stringMatching(/^\/[a-z]{1,8}\/\*$/),
    }),
  );

function actionsOf(s: Scenario, tgs: readonly string[]): Action[] {
  const forward: Action = {
    Type: 'forward',
    ForwardConfig: {
      TargetGroups: s.groups.map((g, i) => ({ TargetGroupArn: tgs[g], Weight: s.weights[i] })),
      ...(s.stickiness === null ? {} : { TargetGroupStickinessConfig: s.stickiness }),
    },
  };
  if (s.authThenForwardAt === null) return [forward];
  return [structuredClone(cognitoAction), { ...forward, Order: s.authThenForwardAt }];
}

describe('elb-rules: writeWeights then readForwardRules (property)', () => {
  it('reads back exactly the new weights, and nothing else of any rule changes', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        // Prepare: the rule under test, plus a bystander rule on the same listener.
        const { model, client } = simulatedElbv2({ throttling: { describe: false } });
        const lb = model.addLoadBalancer({ name: 'shop' });
        const tgs = ['a', 'b', 'c', 'd', 'e'].map((name) => model.addTargetGroup({ name }));
        const ruleActions = actionsOf(s, tgs);
        const bystanderActions: Action[] = [{ Type: 'forward', TargetGroupArn: tgs[s.groups[0]] }];
        const { listenerArn, defaultRuleArn } = model.addListener({
          loadBalancerArn: lb,
          defaultActions: s.isDefault ? ruleActions : bystanderActions,
        });
        const numbered = model.addRule({
          listenerArn,
          priority: 7,
          conditions: [{ Field: 'path-pattern', Values: [s.path] }],
          actions: s.isDefault ? bystanderActions : ruleActions,
        });
        const targetArn = s.isDefault ? defaultRuleArn : numbered;
        const before = model.rulesOf(listenerArn);
        const listenerBefore = model.listener(listenerArn);
        const rule = (await readForwardRules(client, [listenerArn])).find(
          (r) => r.ruleArn === targetArn,
        );
        if (rule === undefined) throw new Error('rule under test not read');
        const newGroups = rule.groups.map((g, i) => ({ ...g, weight: s.newWeights[i] }));

        // Act
        const result = await writeWeights(client, rule, newGroups);
        const after = await readForwardRules(client, [listenerArn]);

        // Assess: the new weights, exactly.
        const reread = after.find((r) => r.ruleArn === targetArn);
        expect(reread?.groups).toEqual(newGroups);
        // Everything else as before: the rule's other fields and actions, the other rule, the
        // listener's other settings.
        const expected = before.map((r) => {
          if (r.RuleArn !== targetArn) return r;
          const actions = structuredClone(r.Actions ?? []);
          actions[rule.forwardActionIndex].ForwardConfig?.TargetGroups?.forEach((t, i) => {
            t.Weight = s.newWeights[i];
          });
          return { ...r, Actions: actions };
        });
        expect(model.rulesOf(listenerArn)).toEqual(expected);
        const { DefaultActions: _ignored, ...listenerRest } = model.listener(listenerArn);
        const { DefaultActions: _before, ...listenerRestBefore } = listenerBefore;
        expect(listenerRest).toEqual(listenerRestBefore);
        // One write exactly when a weight changed, through the call ELBv2 requires.
        const changed = s.newWeights.some((w, i) => w !== rule.groups[i].weight);
        expect(result.status).toBe(changed ? 'written' : 'unchanged');
        expect(model.writes().map((w) => w.operation)).toEqual(
          changed ? [s.isDefault ? 'ModifyListener' : 'ModifyRule'] : [],
        );
      }),
      { numRuns: 150 },
    );
  });
});
