import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import {
  listListenerArns,
  readForwardRules,
  rulesContaining,
  writeWeights,
  type ForwardRule,
} from '../../src/load-shedding/elb-rules.js';
import {
  ElbArnError,
  LoadSheddingError,
  RuleGroupsMismatchError,
  WeightWriteVerificationError,
  WeightsError,
} from '../../src/load-shedding/errors.js';
import { shed } from '../../src/load-shedding/weights.js';
import type { OpsLogger } from '../../src/observability/logger.js';
import { LimiterRegistry } from '../../src/resilience/limiter-registry.js';
import { createResilientClient } from '../../src/resilience/resilient-client.js';
import type { RetryEvent } from '../../src/resilience/retry.js';
import { Elbv2Model, type Elbv2ModelOptions } from '../../src/simulation/models/elbv2.js';
import { createRandom } from '../../src/simulation/random.js';
import { mountModel } from '../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';
import { addCanaryListener, forward, oidcAction } from '../helpers/elbv2.js';

// End to end: the adapter, the kit's resilient client (rate limit + retry) and the ELBv2 model,
// on virtual time.

function recordingLogger(): OpsLogger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at =
    (level: string) =>
    (message: unknown, ..._fields: unknown[]) => {
      lines.push({ level, message: String(message) });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * One ALB, two listeners, each with a default rule and three rules:
 * - listener 1: default forward p 100 / s 0; r1 cognito + forward p 80 / s 20 with stickiness;
 *   r2 fixed-response; r3 legacy forward to p.
 * - listener 2: default forward t; r4 forward p 50 / t 50; r5 redirect; r6 forward x.
 */
async function world(options: Partial<Elbv2ModelOptions> = {}) {
  const clock = VirtualClock.create();
  const model = new Elbv2Model({ clock, region: 'eu-west-1', ...options });
  const retries: RetryEvent[] = [];
  const client = createResilientClient(
    ElasticLoadBalancingV2Client,
    { region: 'eu-west-1' },
    {
      clock,
      registry: new LimiterRegistry({ clock, env: {} }),
      env: {},
      random: createRandom(7), // deterministic jitter
      onRetry: (event) => retries.push(event),
    },
  );
  mountModel(client, model, {
    exceptions: await import('@aws-sdk/client-elastic-load-balancing-v2'),
  });
  const lb = model.addLoadBalancer({ name: 'shop' });
  const [p, s, t, x] = ['primary', 'secondary', 'third', 'other'].map((name) =>
    model.addTargetGroup({ name }),
  );
  const { listener: l1, canaryRule: r1 } = addCanaryListener(model, lb, [p, s], {
    forwardOrder: 5,
    stickinessSeconds: 3600,
  });
  const r2 = model.addRule({
    listenerArn: l1.listenerArn,
    priority: 20,
    actions: [
      { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', MessageBody: 'busy' } },
    ],
  });
  const r3 = model.addRule({
    listenerArn: l1.listenerArn,
    priority: 30,
    actions: [{ Type: 'forward', TargetGroupArn: p }],
  });
  const l2 = model.addListener({
    loadBalancerArn: lb,
    port: 8443,
    defaultActions: [forward([t, 1])],
  });
  const r4 = model.addRule({
    listenerArn: l2.listenerArn,
    priority: 1,
    actions: [forward([p, 50], [t, 50])],
  });
  const r5 = model.addRule({
    listenerArn: l2.listenerArn,
    priority: 2,
    actions: [{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301', Path: '/new' } }],
  });
  const r6 = model.addRule({
    listenerArn: l2.listenerArn,
    priority: 3,
    actions: [forward([x, 1])],
  });
  model.resetStats();
  return {
    clock,
    model,
    client,
    retries,
    lb,
    tg: { p, s, t, x },
    l1,
    l2,
    rules: { r1, r2, r3, r4, r5, r6 },
  };
}

type World = Awaited<ReturnType<typeof world>>;

const read = (w: World) =>
  w.clock.run(() => readForwardRules(w.client, [w.l1.listenerArn, w.l2.listenerArn]));

const byArn = (rules: readonly ForwardRule[], arn: string): ForwardRule => {
  const rule = rules.find((r) => r.ruleArn === arn);
  if (rule === undefined) throw new Error(`rule ${arn} not read`);
  return rule;
};

describe('elb-rules: readForwardRules', () => {
  it('reads every page of both listeners and keeps only forwarding rules', async () => {
    const w = await world();

    const rules = await read(w);

    expect(rules.map((r) => [r.ruleArn, r.listenerArn, r.priority, r.isDefault])).toEqual([
      [w.rules.r1, w.l1.listenerArn, '10', false],
      [w.rules.r3, w.l1.listenerArn, '30', false],
      [w.l1.defaultRuleArn, w.l1.listenerArn, 'default', true],
      [w.rules.r4, w.l2.listenerArn, '1', false],
      [w.rules.r6, w.l2.listenerArn, '3', false],
      [w.l2.defaultRuleArn, w.l2.listenerArn, 'default', true],
    ]);
    // 4 rules per listener at the model's page size of 2: two pages each.
    expect(w.model.stats().byOperation.DescribeRules?.succeeded).toBe(4);
  });

  it('gives each rule its full actions as read and its groups in rule order', async () => {
    const w = await world();

    const rules = await read(w);

    const r1 = byArn(rules, w.rules.r1);
    expect(r1.actions).toEqual(w.model.rule(w.rules.r1).Actions);
    expect(r1.forwardActionIndex).toBe(1);
    expect(r1.groups).toEqual([
      { targetGroupArn: w.tg.p, weight: 80 },
      { targetGroupArn: w.tg.s, weight: 20 },
    ]);
    expect(byArn(rules, w.l1.defaultRuleArn).groups).toEqual([
      { targetGroupArn: w.tg.p, weight: 100 },
      { targetGroupArn: w.tg.s, weight: 0 },
    ]);
    // A legacy single-target-group forward reads as one group of weight 1.
    expect(byArn(rules, w.rules.r3).groups).toEqual([{ targetGroupArn: w.tg.p, weight: 1 }]);
  });

  it('reads a listener given twice once', async () => {
    const w = await world();

    const rules = await w.clock.run(() =>
      readForwardRules(w.client, [w.l2.listenerArn, w.l2.listenerArn]),
    );

    expect(rules).toHaveLength(3);
  });

  it('retries throttled DescribeRules through the resilience layer', async () => {
    // Prepare: a server-side Describe quota far below what two listeners need at once.
    const w = await world({ throttling: { describe: { ratePerSecond: 5, burst: 1 } } });

    // Act
    const rules = await read(w);

    // Assess
    expect(rules).toHaveLength(6);
    const stats = w.model.stats().byOperation.DescribeRules;
    expect(stats?.succeeded).toBe(4);
    expect(stats?.throttled).toBeGreaterThan(0);
    expect(w.retries).toHaveLength(stats?.throttled ?? -1);
    expect(w.retries.every((e) => e.classification.kind === 'throttling')).toBe(true);
    expect(w.clock.now()).toBeGreaterThan(Date.UTC(2025, 0, 1));
  });

  it.each([
    ['an empty list', []],
    ['a target group ARN', ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/a/1']],
    ['garbage', ['listener-1']],
  ])('refuses %s of listener ARNs before any call', async (_, arns) => {
    const w = await world();

    const error = await w.clock
      .run(() => readForwardRules(w.client, arns))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ElbArnError);
    expect(error).toBeInstanceOf(LoadSheddingError);
    expect(w.model.stats().total.calls).toBe(0);
  });

  it('lets a missing listener fail with the SDK exception', async () => {
    const w = await world();
    const missing = `${w.l1.listenerArn.slice(0, -1)}f`;

    const error = await w.clock
      .run(() => readForwardRules(w.client, [missing]))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'ListenerNotFoundException' });
  });
});

describe('elb-rules: listListenerArns', () => {
  it('lists every listener of a load balancer over several pages', async () => {
    const w = await world();
    const l3 = w.model.addListener({
      loadBalancerArn: w.lb,
      port: 9000,
      defaultActions: [forward([w.tg.x, 1])],
    });

    const arns = await w.clock.run(() => listListenerArns(w.client, w.lb));

    expect(arns).toEqual([w.l1.listenerArn, w.l2.listenerArn, l3.listenerArn]);
    expect(w.model.stats().byOperation.DescribeListeners?.succeeded).toBe(2);
  });

  it('refuses a listener ARN where a load balancer ARN is needed', async () => {
    const w = await world();

    await expect(listListenerArns(w.client, w.l1.listenerArn)).rejects.toThrow(
      /is a listener ARN, but a loadbalancer ARN is needed/,
    );
  });
});

describe('elb-rules: rulesContaining', () => {
  it('keeps the rules whose forward action includes the primary', async () => {
    const w = await world();
    const rules = await read(w);

    const containing = rulesContaining(rules, w.tg.p);

    expect(containing.map((r) => r.ruleArn)).toEqual([
      w.rules.r1,
      w.rules.r3,
      w.l1.defaultRuleArn,
      w.rules.r4,
    ]);
    expect(rulesContaining(rules, w.tg.x).map((r) => r.ruleArn)).toEqual([w.rules.r6]);
    expect(() => rulesContaining(rules, w.l1.listenerArn)).toThrow(ElbArnError);
  });
});

describe('elb-rules: writeWeights', () => {
  it('writes only the rules whose weights change, and reads each write back', async () => {
    // Prepare: shed 10 points from the primary on every rule that has it.
    const w = await world();
    const rules = rulesContaining(await read(w), w.tg.p);
    const plans = rules.map((rule) => ({
      rule,
      groups: shed(rule.groups, { primary: w.tg.p, percent: 10, maxShedPercent: 60 }),
    }));
    w.model.resetStats();

    // Act
    const results = await w.clock.run(() =>
      Promise.all(plans.map(({ rule, groups }) => writeWeights(w.client, rule, groups))),
    );

    // Assess: r3 (one group) cannot shed, so it is not written.
    expect(results.map((r) => [r.ruleArn, r.status, r.operation, r.calls])).toEqual([
      [w.rules.r1, 'written', 'ModifyRule', { writes: 1, reads: 1 }],
      [w.rules.r3, 'unchanged', 'ModifyRule', { writes: 0, reads: 0 }],
      [w.l1.defaultRuleArn, 'written', 'ModifyListener', { writes: 1, reads: 1 }],
      [w.rules.r4, 'written', 'ModifyRule', { writes: 1, reads: 1 }],
    ]);
    expect(w.model.writes().map((write) => [write.operation, write.arn, write.outcome])).toEqual([
      ['ModifyRule', w.rules.r1, 'applied'],
      ['ModifyListener', w.l1.listenerArn, 'applied'],
      ['ModifyRule', w.rules.r4, 'applied'],
    ]);
    expect(w.model.stats().byOperation.DescribeRules?.succeeded).toBe(3);
    const after = await read(w);
    expect(byArn(after, w.rules.r1).groups).toEqual([
      { targetGroupArn: w.tg.p, weight: 70 },
      { targetGroupArn: w.tg.s, weight: 30 },
    ]);
    expect(byArn(after, w.l1.defaultRuleArn).groups.map((g) => g.weight)).toEqual([90, 10]);
    expect(byArn(after, w.rules.r4).groups.map((g) => g.weight)).toEqual([40, 60]);
  });

  it('keeps stickiness, Order, the other actions and the conditions exactly', async () => {
    const w = await world();
    const before = w.model.rule(w.rules.r1);
    const rule = byArn(await read(w), w.rules.r1);

    const result = await w.clock.run(() =>
      writeWeights(w.client, rule, [
        { targetGroupArn: w.tg.s, weight: 45 }, // any order: written in the rule's order
        { targetGroupArn: w.tg.p, weight: 55 },
      ]),
    );

    const expectedActions = structuredClone(before.Actions ?? []);
    expectedActions[1].ForwardConfig = {
      TargetGroups: [
        { TargetGroupArn: w.tg.p, Weight: 55 },
        { TargetGroupArn: w.tg.s, Weight: 45 },
      ],
      TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 3600 },
    };
    expect(w.model.rule(w.rules.r1)).toEqual({ ...before, Actions: expectedActions });
    expect(result.actions).toEqual(expectedActions);
    expect(result.before.map((g) => g.weight)).toEqual([80, 20]);
    expect(result.after.map((g) => g.weight)).toEqual([55, 45]);
  });

  it('writes the default rule with ModifyListener and leaves the listener otherwise alone', async () => {
    const w = await world();
    const listenerBefore = w.model.listener(w.l1.listenerArn);
    const rule = byArn(await read(w), w.l1.defaultRuleArn);

    await w.clock.run(() =>
      writeWeights(w.client, rule, [
        { targetGroupArn: w.tg.p, weight: 75 },
        { targetGroupArn: w.tg.s, weight: 25 },
      ]),
    );

    const [write] = w.model.writes();
    expect(write.operation).toBe('ModifyListener');
    expect(Object.keys(write.input).sort()).toEqual(['DefaultActions', 'ListenerArn']);
    const listener = w.model.listener(w.l1.listenerArn);
    expect({ ...listener, DefaultActions: undefined }).toEqual({
      ...listenerBefore,
      DefaultActions: undefined,
    });
    expect(listener.DefaultActions?.[0].ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: w.tg.p, Weight: 75 },
      { TargetGroupArn: w.tg.s, Weight: 25 },
    ]);
  });

  it('keeps an OIDC action by asking ELBv2 to reuse the stored client secret', async () => {
    const w = await world();
    const oidcRule = w.model.addRule({
      listenerArn: w.l2.listenerArn,
      priority: 50,
      actions: [oidcAction('secret'), { ...forward([w.tg.p, 1], [w.tg.t, 1]), Order: 2 }],
    });
    const before = w.model.rule(oidcRule);
    const rule = byArn(await read(w), oidcRule);

    const result = await w.clock.run(() =>
      writeWeights(w.client, rule, [
        { targetGroupArn: w.tg.p, weight: 3 },
        { targetGroupArn: w.tg.t, weight: 1 },
      ]),
    );

    expect(result.status).toBe('written');
    expect(result.actions[0].AuthenticateOidcConfig?.UseExistingClientSecret).toBe(true);
    expect(w.model.rule(oidcRule).Actions?.[0]).toEqual(before.Actions?.[0]);
  });

  it('raises WeightWriteVerificationError when the rule reads back with other weights', async () => {
    // Prepare: another writer's weights land instead of ours.
    const w = await world();
    const rule = byArn(await read(w), w.rules.r4);
    w.model.interceptWrites((event) => [
      forward([w.tg.p, 1], [w.tg.t, 1]),
      ...event.actions.slice(1),
    ]);

    // Act
    const error = await w.clock
      .run(() =>
        writeWeights(w.client, rule, [
          { targetGroupArn: w.tg.p, weight: 40 },
          { targetGroupArn: w.tg.t, weight: 60 },
        ]),
      )
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(WeightWriteVerificationError);
    expect(error).toBeInstanceOf(LoadSheddingError);
    const verification = error as WeightWriteVerificationError;
    expect(verification.ruleArn).toBe(w.rules.r4);
    expect(verification.mismatches).toEqual([
      { targetGroupArn: w.tg.p, expected: 40, actual: 1 },
      { targetGroupArn: w.tg.t, expected: 60, actual: 1 },
    ]);
    expect(verification.message).toContain('read the rules again');
  });

  it('dry run: logs the planned write and writes nothing', async () => {
    const w = await world();
    const rule = byArn(await read(w), w.rules.r1);
    const logger = recordingLogger();
    w.model.resetStats();

    const result = await w.clock.run(() =>
      writeWeights(
        w.client,
        rule,
        [
          { targetGroupArn: w.tg.p, weight: 60 },
          { targetGroupArn: w.tg.s, weight: 40 },
        ],
        { dryRun: true, logger },
      ),
    );

    expect(result.status).toBe('planned');
    expect(result.calls).toEqual({ writes: 0, reads: 0 });
    expect(result.actions[1].ForwardConfig?.TargetGroups?.map((t) => t.Weight)).toEqual([60, 40]);
    expect(w.model.writes()).toEqual([]);
    expect(w.model.stats().total.calls).toBe(0);
    expect(logger.lines).toEqual([{ level: 'info', message: 'Dry run: would write weights' }]);
  });

  it('logs a real write at info and an unchanged rule at debug', async () => {
    const w = await world();
    const rule = byArn(await read(w), w.rules.r4);
    const logger = recordingLogger();

    await w.clock.run(() => writeWeights(w.client, rule, rule.groups, { logger }));
    await w.clock.run(() =>
      writeWeights(
        w.client,
        rule,
        [...rule.groups].reverse().map((g, i) => ({ ...g, weight: i })),
        {
          logger,
        },
      ),
    );

    expect(logger.lines.map((l) => `${l.level}: ${l.message}`)).toEqual([
      'debug: Weights unchanged; nothing to write',
      'info: Wrote weights',
    ]);
  });

  it.each([
    ['a group missing', (p: string) => [{ targetGroupArn: p, weight: 1 }], RuleGroupsMismatchError],
    [
      'a group the rule lacks',
      (p: string, t: string, x: string) => [
        { targetGroupArn: p, weight: 1 },
        { targetGroupArn: t, weight: 1 },
        { targetGroupArn: x, weight: 1 },
      ],
      RuleGroupsMismatchError,
    ],
    [
      'a group twice',
      (p: string) => [
        { targetGroupArn: p, weight: 1 },
        { targetGroupArn: p, weight: 2 },
      ],
      RuleGroupsMismatchError,
    ],
    [
      'a weight of 1000',
      (p: string, t: string) => [
        { targetGroupArn: p, weight: 1000 },
        { targetGroupArn: t, weight: 1 },
      ],
      WeightsError,
    ],
    [
      'a fractional weight',
      (p: string, t: string) => [
        { targetGroupArn: p, weight: 0.5 },
        { targetGroupArn: t, weight: 1 },
      ],
      WeightsError,
    ],
    ['no array', () => 'p' as unknown as [], RuleGroupsMismatchError],
  ])('refuses new weights with %s and writes nothing', async (_, groups, ErrorClass) => {
    const w = await world();
    const rule = byArn(await read(w), w.rules.r4);

    const error = await w.clock
      .run(() => writeWeights(w.client, rule, groups(w.tg.p, w.tg.t, w.tg.x)))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ErrorClass);
    expect(w.model.writes()).toEqual([]);
  });
});
