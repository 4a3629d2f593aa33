import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2ServiceException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  ModifyRuleCommand,
  OperationNotPermittedException,
  RuleNotFoundException,
  TargetGroupNotFoundException,
  paginateDescribeRules,
  type Action,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { SimulationConfigError } from '../../../src/simulation/errors.js';
import { Elbv2Model, type Elbv2ModelOptions } from '../../../src/simulation/models/elbv2.js';
import { CommonErrors } from '../../../src/simulation/service-error.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';
import {
  authenticatedStickyForward,
  cognitoAction as cognito,
  forward,
  oidcAction,
  simulatedElbv2,
} from '../../helpers/elbv2.js';

// ---- fixtures ----

/** One ALB, six target groups a–f, one listener forwarding 100/0 to a and b. */
function world(options: Partial<Elbv2ModelOptions> = {}) {
  const { clock, model, client } = simulatedElbv2(options);
  const lb = model.addLoadBalancer({ name: 'shop' });
  const [a, b, c, d, e, f] = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) =>
    model.addTargetGroup({ name }),
  );
  const { listenerArn, defaultRuleArn } = model.addListener({
    loadBalancerArn: lb,
    port: 443,
    protocol: 'HTTPS',
    defaultActions: [forward([a, 100], [b, 0])],
  });
  return { clock, model, client, lb, tg: { a, b, c, d, e, f }, listenerArn, defaultRuleArn };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function weightsOf(rule: Rule): (number | undefined)[] {
  return (rule.Actions ?? [])
    .flatMap((action) => action.ForwardConfig?.TargetGroups ?? [])
    .map((tuple) => tuple.Weight);
}

// ---- tests ----

describe('elbv2 model: ARNs', () => {
  it('builds deterministic, partition-aware ARNs from region and account', () => {
    const clock = VirtualClock.create();
    const build = () => {
      const model = new Elbv2Model({ clock, region: 'cn-north-1', accountId: '210987654321' });
      const lb = model.addLoadBalancer({ name: 'shop' });
      const tg = model.addTargetGroup({ name: 'blue' });
      const listener = model.addListener({
        loadBalancerArn: lb,
        defaultActions: [forward([tg, 1])],
      });
      const rule = model.addRule({
        listenerArn: listener.listenerArn,
        priority: 1,
        actions: [forward([tg, 1])],
      });
      return { lb, tg, ...listener, rule };
    };

    const first = build();
    const second = build();

    expect(first).toEqual(second);
    const prefix = 'arn:aws-cn:elasticloadbalancing:cn-north-1:210987654321:';
    expect(first.lb).toMatch(new RegExp(`^${prefix}loadbalancer/app/shop/[0-9a-f]{16}$`));
    expect(first.tg).toMatch(new RegExp(`^${prefix}targetgroup/blue/[0-9a-f]{16}$`));
    const lbPath = first.lb.split(':loadbalancer/')[1];
    expect(first.listenerArn).toMatch(new RegExp(`^${prefix}listener/${lbPath}/[0-9a-f]{16}$`));
    expect(first.rule.startsWith(`${prefix}listener-rule/${lbPath}/`)).toBe(true);
    expect(first.defaultRuleArn).not.toBe(first.rule);
  });

  it.each([
    ['us-gov-west-1', 'aws-us-gov'],
    ['eu-central-1', 'aws'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('puts region %s in partition %s', (region, partition) => {
    const model = new Elbv2Model({ clock: VirtualClock.create(), region });

    expect(model.partition).toBe(partition);
    expect(model.addTargetGroup({ name: 'x' })).toMatch(new RegExp(`^arn:${partition}:`));
  });
});

describe('elbv2 model: DescribeRules', () => {
  it('lists a listener rules by priority, the default rule last, as the SDK types them', async () => {
    const { model, client, tg, listenerArn, defaultRuleArn } = world();
    const r20 = model.addRule({ listenerArn, priority: 20, actions: [forward([tg.c, 1])] });
    const r10 = model.addRule({
      listenerArn,
      priority: 10,
      conditions: [{ Field: 'host-header', Values: ['api.example.com'] }],
      actions: [forward([tg.a, 80], [tg.b, 20])],
    });

    const output = await client.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: 10 }),
    );

    expect(output.NextMarker).toBeUndefined();
    expect(output.Rules).toEqual([
      {
        RuleArn: r10,
        Priority: '10',
        IsDefault: false,
        Conditions: [{ Field: 'host-header', Values: ['api.example.com'] }],
        Actions: [
          {
            Type: 'forward',
            Order: 1,
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: tg.a, Weight: 80 },
                { TargetGroupArn: tg.b, Weight: 20 },
              ],
              TargetGroupStickinessConfig: { Enabled: false },
            },
          },
        ],
      },
      expect.objectContaining({ RuleArn: r20, Priority: '20', IsDefault: false }),
      {
        RuleArn: defaultRuleArn,
        Priority: 'default',
        IsDefault: true,
        Conditions: [],
        Actions: [expect.objectContaining({ Type: 'forward', Order: 1 })],
      },
    ]);
    expect(output.$metadata.httpStatusCode).toBe(200);
  });

  it('paginates with Marker/NextMarker: the default page size is small, PageSize is honoured', async () => {
    const { model, client, tg, listenerArn, defaultRuleArn } = world();
    const ruleArns = [1, 2, 3, 4].map((priority) =>
      model.addRule({ listenerArn, priority, actions: [forward([tg.a, 1])] }),
    );

    const first = await client.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const pages = [];
    for await (const page of paginateDescribeRules({ client }, { ListenerArn: listenerArn })) {
      pages.push(page.Rules?.map((rule) => rule.RuleArn));
    }
    const big = await client.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: 4 }),
    );

    expect(first.Rules).toHaveLength(2);
    expect(first.NextMarker).toEqual(expect.any(String));
    expect(pages).toEqual([ruleArns.slice(0, 2), ruleArns.slice(2, 4), [defaultRuleArn]]);
    expect(big.Rules).toHaveLength(4);
    const last = await client.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: 4, Marker: big.NextMarker }),
    );
    expect(last.Rules?.map((rule) => rule.RuleArn)).toEqual([defaultRuleArn]);
    expect(last.NextMarker).toBeUndefined();
  });

  it('describes rules by ARN, the default rule included, in request order', async () => {
    const { model, client, tg, listenerArn, defaultRuleArn } = world();
    const rule = model.addRule({ listenerArn, priority: 5, actions: [forward([tg.c, 1])] });

    const output = await client.send(
      new DescribeRulesCommand({ RuleArns: [defaultRuleArn, rule, rule] }),
    );

    expect(output.Rules?.map((r) => [r.RuleArn, r.IsDefault])).toEqual([
      [defaultRuleArn, true],
      [rule, false],
    ]);
  });

  it.each([
    ['neither ListenerArn nor RuleArns', {}],
    ['both ListenerArn and RuleArns', { ListenerArn: 'x', RuleArns: ['y'] }],
    ['a PageSize above 400', { ListenerArn: 'x', PageSize: 401 }],
    ['a PageSize of 0', { ListenerArn: 'x', PageSize: 0 }],
    ['an empty RuleArns', { RuleArns: [] }],
  ])('answers ValidationError for %s', async (_, input) => {
    const { client } = world();

    const error = await rejection(client.send(new DescribeRulesCommand(input)));

    expect(error).toBeInstanceOf(ElasticLoadBalancingV2ServiceException);
    expect(error).toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
  });

  it('refuses a marker that is garbage or belongs to another query', async () => {
    const { model, client, tg, listenerArn, lb } = world();
    for (const priority of [1, 2]) {
      model.addRule({ listenerArn, priority, actions: [forward([tg.a, 1])] });
    }
    const other = model.addListener({ loadBalancerArn: lb, defaultActions: [forward([tg.c, 1])] });
    const page = await client.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));

    const garbage = await rejection(
      client.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: '!!not-a-marker' })),
    );
    const foreign = await rejection(
      client.send(
        new DescribeRulesCommand({ ListenerArn: other.listenerArn, Marker: page.NextMarker }),
      ),
    );

    expect(garbage.name).toBe('ValidationError');
    expect(foreign.name).toBe('ValidationError');
  });

  it('answers ListenerNotFoundException and RuleNotFoundException for unknown ARNs', async () => {
    const { client, listenerArn } = world();

    const listener = await rejection(
      client.send(new DescribeRulesCommand({ ListenerArn: `${listenerArn}0` })),
    );
    const rule = await rejection(client.send(new DescribeRulesCommand({ RuleArns: ['nope'] })));

    expect(listener).toBeInstanceOf(ListenerNotFoundException);
    expect(rule).toBeInstanceOf(RuleNotFoundException);
    expect(rule.message).toContain('nope');
  });
});

describe('elbv2 model: DescribeListeners and DescribeTargetGroups', () => {
  it('lists the listeners of a load balancer over several pages, or by ARN', async () => {
    const { model, client, lb, tg, listenerArn } = world();
    const more = [8080, 8081].map(
      (port) =>
        model.addListener({ loadBalancerArn: lb, port, defaultActions: [forward([tg.a, 1])] })
          .listenerArn,
    );

    const first = await client.send(new DescribeListenersCommand({ LoadBalancerArn: lb }));
    const second = await client.send(
      new DescribeListenersCommand({ LoadBalancerArn: lb, Marker: first.NextMarker }),
    );
    const byArn = await client.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));

    expect(first.Listeners?.map((l) => l.ListenerArn)).toEqual([listenerArn, more[0]]);
    expect(second.Listeners?.map((l) => l.ListenerArn)).toEqual([more[1]]);
    expect(second.NextMarker).toBeUndefined();
    expect(byArn.Listeners).toEqual([
      {
        ListenerArn: listenerArn,
        LoadBalancerArn: lb,
        Port: 443,
        Protocol: 'HTTPS',
        DefaultActions: [expect.objectContaining({ Type: 'forward' })],
      },
    ]);
  });

  it('answers LoadBalancerNotFound, ListenerNotFound and ValidationError like ELBv2', async () => {
    const { client, lb } = world();

    const noLb = await rejection(
      client.send(new DescribeListenersCommand({ LoadBalancerArn: `${lb}0` })),
    );
    const noListener = await rejection(
      client.send(new DescribeListenersCommand({ ListenerArns: ['nope'] })),
    );
    const neither = await rejection(client.send(new DescribeListenersCommand({})));

    expect(noLb).toBeInstanceOf(LoadBalancerNotFoundException);
    expect(noListener).toBeInstanceOf(ListenerNotFoundException);
    expect(neither.name).toBe('ValidationError');
  });

  it('describes target groups by ARN, name or load balancer, with the LBs that use them', async () => {
    const { model, client, lb, tg } = world();
    const idle = model.addTargetGroup({ name: 'idle', port: 8080, protocol: 'HTTPS' });

    const byArn = await client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [idle] }));
    const byName = await client.send(new DescribeTargetGroupsCommand({ Names: ['a', 'b'] }));
    const byLb = await client.send(
      new DescribeTargetGroupsCommand({ LoadBalancerArn: lb, PageSize: 10 }),
    );
    const all = await client.send(new DescribeTargetGroupsCommand({ PageSize: 400 }));

    expect(byArn.TargetGroups).toEqual([
      {
        TargetGroupArn: idle,
        TargetGroupName: 'idle',
        Port: 8080,
        Protocol: 'HTTPS',
        VpcId: 'vpc-0123456789abcdef0',
        TargetType: 'instance',
        LoadBalancerArns: [],
      },
    ]);
    expect(byName.TargetGroups?.map((t) => [t.TargetGroupArn, t.LoadBalancerArns])).toEqual([
      [tg.a, [lb]],
      [tg.b, [lb]],
    ]);
    expect(byLb.TargetGroups?.map((t) => t.TargetGroupArn)).toEqual([tg.a, tg.b]);
    expect(all.TargetGroups).toHaveLength(7);
  });

  it('answers TargetGroupNotFound, LoadBalancerNotFound and ValidationError like ELBv2', async () => {
    const { client, lb } = world();

    const noTg = await rejection(
      client.send(new DescribeTargetGroupsCommand({ Names: ['a', 'missing'] })),
    );
    const noLb = await rejection(
      client.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: `${lb}0` })),
    );
    const both = await rejection(
      client.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb, Names: ['a'] })),
    );

    expect(noTg).toBeInstanceOf(TargetGroupNotFoundException);
    expect(noTg.message).toContain('missing');
    expect(noLb).toBeInstanceOf(LoadBalancerNotFoundException);
    expect(both.name).toBe('ValidationError');
  });
});

describe('elbv2 model: ModifyRule validation', () => {
  it.each([0, 999])('accepts weight %i', async (weight) => {
    const { model, client, tg, listenerArn } = world();
    const rule = model.addRule({ listenerArn, priority: 1, actions: [forward([tg.a, 1])] });

    await client.send(
      new ModifyRuleCommand({ RuleArn: rule, Actions: [forward([tg.a, weight], [tg.b, 1])] }),
    );

    expect(weightsOf(model.rule(rule))).toEqual([weight, 1]);
  });

  it.each([1000, -1, 1.5])(
    'answers ValidationError for weight %d and keeps the rule',
    async (w) => {
      const { model, client, tg, listenerArn } = world();
      const rule = model.addRule({ listenerArn, priority: 1, actions: [forward([tg.a, 1])] });
      const before = model.rule(rule);

      const error = await rejection(
        client.send(new ModifyRuleCommand({ RuleArn: rule, Actions: [forward([tg.a, w])] })),
      );

      expect(error).toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
      expect(error.message).toContain('Weight');
      expect(model.rule(rule)).toEqual(before);
    },
  );

  it('accepts five target groups in a forward action and refuses six', async () => {
    const { model, client, tg, listenerArn } = world();
    const rule = model.addRule({ listenerArn, priority: 1, actions: [forward([tg.a, 1])] });
    const five: [string, number][] = [tg.a, tg.b, tg.c, tg.d, tg.e].map((arn) => [arn, 1]);

    await client.send(new ModifyRuleCommand({ RuleArn: rule, Actions: [forward(...five)] }));
    const error = await rejection(
      client.send(new ModifyRuleCommand({ RuleArn: rule, Actions: [forward(...five, [tg.f, 1])] })),
    );

    expect(weightsOf(model.rule(rule))).toHaveLength(5);
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain('TargetGroups');
  });

  it('answers TargetGroupNotFoundException for an unknown target group', async () => {
    const { model, client, tg, listenerArn } = world();
    const rule = model.addRule({ listenerArn, priority: 1, actions: [forward([tg.a, 1])] });

    const error = await rejection(
      client.send(
        new ModifyRuleCommand({ RuleArn: rule, Actions: [forward([tg.a, 1], [`${tg.b}9`, 1])] }),
      ),
    );

    expect(error).toBeInstanceOf(TargetGroupNotFoundException);
    expect(weightsOf(model.rule(rule))).toEqual([1]);
  });

  it('answers RuleNotFoundException for an unknown rule', async () => {
    const { client, tg } = world();

    const error = await rejection(
      client.send(new ModifyRuleCommand({ RuleArn: 'nope', Actions: [forward([tg.a, 1])] })),
    );

    expect(error).toBeInstanceOf(RuleNotFoundException);
  });

  it('refuses the default rule with OperationNotPermittedException', async () => {
    const { model, client, tg, defaultRuleArn, listenerArn } = world();
    const before = model.listener(listenerArn);

    const error = await rejection(
      client.send(
        new ModifyRuleCommand({ RuleArn: defaultRuleArn, Actions: [forward([tg.a, 1])] }),
      ),
    );

    expect(error).toBeInstanceOf(OperationNotPermittedException);
    expect(error.message).toContain('ModifyListener');
    expect(model.listener(listenerArn)).toEqual(before);
  });

  it('answers ValidationError when the request changes nothing', async () => {
    const { model, client, tg, listenerArn } = world();
    const rule = model.addRule({ listenerArn, priority: 1, actions: [forward([tg.a, 1])] });

    const error = await rejection(client.send(new ModifyRuleCommand({ RuleArn: rule })));

    expect(error.name).toBe('ValidationError');
  });

  it('answers ValidationError for a request without RuleArn, and logs it', async () => {
    const { model, client, tg } = world();

    const error = await rejection(
      client.send(new ModifyRuleCommand({ RuleArn: undefined, Actions: [forward([tg.a, 1])] })),
    );

    expect(error.name).toBe('ValidationError');
    expect(model.writes()).toEqual([
      expect.objectContaining({ arn: '', outcome: 'ValidationError' }),
    ]);
  });

  it('accepts a legacy TargetGroupArn alone or with a ForwardConfig that agrees', async () => {
    const { model, client, tg, listenerArn } = world();
    const rule = model.addRule({ listenerArn, priority: 1, actions: [forward([tg.a, 1])] });
    const echoed = {
      Type: 'forward',
      Order: 1,
      TargetGroupArn: tg.b,
      ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: tg.b, Weight: 1 }],
        TargetGroupStickinessConfig: { Enabled: false },
      },
    };

    await client.send(
      new ModifyRuleCommand({
        RuleArn: rule,
        Actions: [{ Type: 'forward', TargetGroupArn: tg.b }],
      }),
    );
    const legacyOnly = model.rule(rule).Actions;
    await client.send(
      new ModifyRuleCommand({
        RuleArn: rule,
        Actions: [{ ...forward([tg.b, 1]), TargetGroupArn: tg.b }],
      }),
    );

    expect(legacyOnly).toEqual([echoed]);
    expect(model.rule(rule).Actions).toEqual([echoed]);
  });

  it.each([
    ['another target group', (_a: string, b: string) => [[b, 1]] as [string, number][]],
    [
      'two target groups',
      (a: string, b: string) =>
        [
          [a, 1],
          [b, 1],
        ] as [string, number][],
    ],
  ])(
    'answers InvalidLoadBalancerActionException for a TargetGroupArn with %s in ForwardConfig',
    async (_, groups) => {
      const { model, client, tg, listenerArn } = world();
      const rule = model.addRule({ listenerArn, priority: 1, actions: [forward([tg.a, 1])] });

      const error = await rejection(
        client.send(
          new ModifyRuleCommand({
            RuleArn: rule,
            Actions: [{ ...forward(...groups(tg.a, tg.b)), TargetGroupArn: tg.a }],
          }),
        ),
      );

      expect(error).toBeInstanceOf(elbv2.InvalidLoadBalancerActionException);
    },
  );

  it.each<[string, () => Action[], string]>([
    ['a forward action without target groups', () => [{ Type: 'forward' }], 'ValidationError'],
    ['an empty actions list', () => [], 'ValidationError'],
    [
      'two actions without Order',
      () => [{ ...cognito, Order: undefined }, forward(['tg', 1])],
      'ValidationError',
    ],
    [
      'two actions with the same Order',
      () => [cognito, { ...forward(['tg', 1]), Order: 1 }],
      'ValidationError',
    ],
    [
      'a terminal action before another action',
      () => [
        { ...cognito, Order: 2 },
        { ...forward(['tg', 1]), Order: 1 },
      ],
      'InvalidLoadBalancerActionException',
    ],
    [
      'a config that does not match the type',
      () => [{ Type: 'redirect', ForwardConfig: { TargetGroups: [] } }],
      'InvalidLoadBalancerActionException',
    ],
    [
      'a TargetGroupArn on a fixed-response action',
      () => [{ Type: 'fixed-response', TargetGroupArn: 'x' }],
      'InvalidLoadBalancerActionException',
    ],
    [
      'a redirect without its RedirectConfig',
      () => [{ Type: 'redirect' }],
      'InvalidLoadBalancerActionException',
    ],
    [
      'stickiness enabled without a duration',
      () => [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [{ TargetGroupArn: 'tg' }],
            TargetGroupStickinessConfig: { Enabled: true },
          },
        },
      ],
      'ValidationError',
    ],
    [
      'a target group twice',
      () => [forward(['tg', 1], ['tg', 2])],
      'InvalidLoadBalancerActionException',
    ],
  ])('refuses %s', async (_, actions, name) => {
    const { model, client, tg, listenerArn } = world();
    const rule = model.addRule({ listenerArn, priority: 1, actions: [forward([tg.a, 1])] });
    const withRealArns = JSON.parse(JSON.stringify(actions()).replaceAll('"tg"', `"${tg.a}"`));

    const error = await rejection(
      client.send(new ModifyRuleCommand({ RuleArn: rule, Actions: withRealArns as Action[] })),
    );

    expect(error.name).toBe(name);
  });

  it('asks for the OIDC client secret unless the stored one is reused, and never echoes it', async () => {
    const { model, client, tg, listenerArn } = world();
    const rule = model.addRule({ listenerArn, priority: 1, actions: [forward([tg.a, 1])] });
    const oidc = oidcAction();
    const then = { ...forward([tg.a, 1]), Order: 2 };

    const missing = await rejection(
      client.send(new ModifyRuleCommand({ RuleArn: rule, Actions: [oidc, then] })),
    );
    await client.send(
      new ModifyRuleCommand({
        RuleArn: rule,
        Actions: [oidcAction('s'), then],
      }),
    );

    expect(missing.name).toBe('ValidationError');
    expect(model.rule(rule).Actions?.[0]).toEqual(oidc);
  });
});

describe('elbv2 model: ModifyRule replaces the whole actions list', () => {
  it('deletes stickiness, Order and other actions a write omits; keeps omitted conditions', async () => {
    const { model, client, tg, listenerArn } = world();
    const conditions = [{ Field: 'path-pattern', Values: ['/api/*'] }];
    const rule = model.addRule({
      listenerArn,
      priority: 1,
      conditions,
      actions: authenticatedStickyForward(
        [
          [tg.a, 80],
          [tg.b, 20],
        ],
        { forwardOrder: 7, stickinessSeconds: 3600 },
      ),
    });

    const output = await client.send(
      new ModifyRuleCommand({ RuleArn: rule, Actions: [forward([tg.a, 50], [tg.b, 50])] }),
    );

    const expected = {
      RuleArn: rule,
      Priority: '1',
      IsDefault: false,
      Conditions: conditions,
      Actions: [
        {
          Type: 'forward',
          Order: 1,
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: tg.a, Weight: 50 },
              { TargetGroupArn: tg.b, Weight: 50 },
            ],
            TargetGroupStickinessConfig: { Enabled: false },
          },
        },
      ],
    };
    expect(model.rule(rule)).toEqual(expected);
    expect(output.Rules).toEqual([expected]);
  });

  it('replaces conditions and transforms only when given', async () => {
    const { model, client, tg, listenerArn } = world();
    const rule = model.addRule({ listenerArn, priority: 1, actions: [forward([tg.a, 1])] });
    const conditions = [{ Field: 'host-header', Values: ['shop.example.com'] }];
    const transforms = [
      { Type: 'host-header-rewrite' as const, HostHeaderRewriteConfig: { Rewrites: [] } },
    ];

    await client.send(new ModifyRuleCommand({ RuleArn: rule, Conditions: conditions }));
    await client.send(new ModifyRuleCommand({ RuleArn: rule, Transforms: transforms }));
    const withTransforms = model.rule(rule);
    await client.send(new ModifyRuleCommand({ RuleArn: rule, ResetTransforms: true }));

    expect(withTransforms).toMatchObject({ Conditions: conditions, Transforms: transforms });
    expect(model.rule(rule).Transforms).toBeUndefined();
    expect(weightsOf(model.rule(rule))).toEqual([1]);
  });
});

describe('elbv2 model: ModifyListener', () => {
  it('replaces the default actions and keeps the members it is not given', async () => {
    const { model, client, tg, listenerArn, defaultRuleArn } = world();

    const output = await client.send(
      new ModifyListenerCommand({
        ListenerArn: listenerArn,
        DefaultActions: [forward([tg.a, 60], [tg.b, 40])],
      }),
    );

    const listener = model.listener(listenerArn);
    expect(listener).toMatchObject({ Port: 443, Protocol: 'HTTPS' });
    expect(listener.DefaultActions?.[0].ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: tg.a, Weight: 60 },
      { TargetGroupArn: tg.b, Weight: 40 },
    ]);
    expect(output.Listeners).toEqual([listener]);
    expect(model.rule(defaultRuleArn).Actions).toEqual(listener.DefaultActions);
  });

  it('changes the port without touching the default actions', async () => {
    const { model, client, listenerArn } = world();
    const before = model.listener(listenerArn).DefaultActions;

    await client.send(new ModifyListenerCommand({ ListenerArn: listenerArn, Port: 8443 }));

    expect(model.listener(listenerArn)).toMatchObject({ Port: 8443, DefaultActions: before });
  });

  it('validates default actions like rule actions', async () => {
    const { client, tg, listenerArn } = world();

    const weight = await rejection(
      client.send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: [forward([tg.a, 1000])],
        }),
      ),
    );
    const unknown = await rejection(
      client.send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: [forward(['arn:missing', 1])],
        }),
      ),
    );

    expect(weight.name).toBe('ValidationError');
    expect(weight.message).toContain('DefaultActions');
    expect(unknown).toBeInstanceOf(TargetGroupNotFoundException);
  });

  it('answers ListenerNotFoundException for an unknown listener', async () => {
    const { client, tg } = world();

    const error = await rejection(
      client.send(
        new ModifyListenerCommand({ ListenerArn: 'nope', DefaultActions: [forward([tg.a, 1])] }),
      ),
    );

    expect(error).toBeInstanceOf(ListenerNotFoundException);
  });
});

describe('elbv2 model: write log and write hook', () => {
  it('logs every Modify* call with its virtual time and outcome', async () => {
    const { model, client, clock, tg, listenerArn, defaultRuleArn } = world();
    const rule = model.addRule({ listenerArn, priority: 1, actions: [forward([tg.a, 1])] });

    await client.send(new ModifyRuleCommand({ RuleArn: rule, Actions: [forward([tg.b, 1])] }));
    await clock.advance(1_500);
    await rejection(
      client.send(
        new ModifyRuleCommand({ RuleArn: defaultRuleArn, Actions: [forward([tg.b, 1])] }),
      ),
    );
    await client.send(
      new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [forward([tg.c, 1])] }),
    );
    await client.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));

    const start = Date.UTC(2025, 0, 1);
    expect(model.writes()).toEqual([
      {
        time: start,
        operation: 'ModifyRule',
        arn: rule,
        input: { RuleArn: rule, Actions: [forward([tg.b, 1])] },
        outcome: 'applied',
      },
      expect.objectContaining({
        time: start + 1_500,
        arn: defaultRuleArn,
        outcome: 'OperationNotPermittedException',
      }),
      expect.objectContaining({
        operation: 'ModifyListener',
        arn: listenerArn,
        outcome: 'applied',
      }),
    ]);
  });

  it('lets a hook replace what a write stores (a concurrent writer), and removes it', async () => {
    const { model, client, tg, listenerArn } = world();
    const rule = model.addRule({ listenerArn, priority: 1, actions: [forward([tg.a, 1])] });
    const seen: string[] = [];
    model.interceptWrites((event) => {
      seen.push(`${event.operation} ${event.arn}`);
      return event.actions.map((action) => ({
        ...action,
        ForwardConfig: {
          ...action.ForwardConfig,
          TargetGroups: [{ TargetGroupArn: tg.a, Weight: 7 }],
        },
      }));
    });

    await client.send(new ModifyRuleCommand({ RuleArn: rule, Actions: [forward([tg.a, 3])] }));
    const hooked = weightsOf(model.rule(rule));
    model.interceptWrites(undefined);
    await client.send(new ModifyRuleCommand({ RuleArn: rule, Actions: [forward([tg.a, 3])] }));

    expect(seen).toEqual([`ModifyRule ${rule}`]);
    expect(hooked).toEqual([7]);
    expect(weightsOf(model.rule(rule))).toEqual([3]);
  });

  it('returns copies: changing what it returned does not change the model', () => {
    const { model, listenerArn } = world();
    const listener = model.listener(listenerArn);
    listener.Port = 1;

    expect(model.listener(listenerArn).Port).toBe(443);
  });
});

describe('elbv2 model: throttling and faults', () => {
  it('throttles Describe* together at 40 burst, 10/s, with Throttling HTTP 400', async () => {
    const { client, clock, listenerArn, model } = world();
    const describeOnce = (i: number) =>
      i % 2 === 0
        ? client.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))
        : client.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));

    const burst = await Promise.allSettled(Array.from({ length: 41 }, (_, i) => describeOnce(i)));
    await clock.advance(100); // one token at 10/s
    const refilled = await Promise.allSettled([describeOnce(0), describeOnce(1)]);

    const rejected = burst.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    const error: unknown = rejected[0].reason;
    expect(error).toBeInstanceOf(ElasticLoadBalancingV2ServiceException);
    expect(error).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    expect(refilled.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(model.stats().total).toMatchObject({ succeeded: 41, throttled: 2 });
  });

  it('does not throttle Modify* unless asked, and throttles them with a modify quota', async () => {
    const free = world({ throttling: { describe: false } });
    const limited = world({ throttling: { modify: { ratePerSecond: 1, burst: 2 } } });
    const write = (w: typeof free) =>
      w.client.send(
        new ModifyListenerCommand({
          ListenerArn: w.listenerArn,
          DefaultActions: [forward([w.tg.a, 1])],
        }),
      );

    const unlimited = await Promise.allSettled(Array.from({ length: 60 }, () => write(free)));
    const reads = await Promise.allSettled(
      Array.from({ length: 60 }, () =>
        free.client.send(new DescribeRulesCommand({ ListenerArn: free.listenerArn })),
      ),
    );
    const quota = await Promise.allSettled(Array.from({ length: 3 }, () => write(limited)));

    expect(unlimited.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(reads.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(quota.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(limited.model.availableTokens('ModifyRule')).toBeLessThan(1);
    expect(limited.model.writes()).toHaveLength(2); // throttled calls never reach the model
  });

  it('fails scripted calls with the given error, then answers normally', async () => {
    const { client, model, listenerArn } = world();
    model.failNext(1, CommonErrors.serviceUnavailable, { operation: 'DescribeRules' });

    const failed = await rejection(
      client.send(new DescribeRulesCommand({ ListenerArn: listenerArn })),
    );
    const next = await client.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));

    expect(failed).toMatchObject({
      name: 'ServiceUnavailable',
      $metadata: { httpStatusCode: 503 },
    });
    expect(next.Rules).toHaveLength(1);
    expect(model.stats().byOperation.DescribeRules).toMatchObject({ faulted: 1, succeeded: 1 });
    model.resetStats();
    expect(model.stats().total.calls).toBe(0);
  });

  it('injects random faults from a seed and reports every answer', async () => {
    const events: string[] = [];
    const { client, listenerArn } = world({
      faults: { probability: 1, error: CommonErrors.internalFailure },
      random: 7,
      onCall: (event) => events.push(`${event.operation}:${event.outcome}`),
    });

    const error = await rejection(
      client.send(new DescribeRulesCommand({ ListenerArn: listenerArn })),
    );

    expect(error).toMatchObject({ name: 'InternalFailure', $fault: 'server' });
    expect(events).toEqual(['DescribeRules:faulted']);
  });

  it('takes latency in virtual time', async () => {
    const { client, clock, listenerArn } = world({ latencyMs: 250 });

    await clock.run(() => client.send(new DescribeRulesCommand({ ListenerArn: listenerArn })));

    expect(clock.now()).toBe(Date.UTC(2025, 0, 1) + 250);
  });

  it('answers an operation it does not model with UnknownOperationException', async () => {
    const { client } = world();

    const error = await rejection(client.send(new elbv2.DescribeLoadBalancersCommand({})));

    expect(error.name).toBe('UnknownOperationException');
    expect(error.message).toContain('DescribeRules');
  });
});

describe('elbv2 model: setup helpers and options', () => {
  it('refuses bad setup with a SimulationConfigError that names the helper', () => {
    const { model, lb, tg, listenerArn } = world();
    model.addRule({ listenerArn, priority: 3, actions: [forward([tg.a, 1])] });

    const cases: [() => unknown, string][] = [
      [() => model.addLoadBalancer({ name: 'shop' }), 'addLoadBalancer'],
      [() => model.addLoadBalancer({ name: '-bad' }), 'addLoadBalancer'],
      [() => model.addTargetGroup({ name: 'a' }), 'addTargetGroup'],
      [() => model.addTargetGroup({ name: 'x', port: 70_000 }), 'addTargetGroup'],
      [() => model.addListener({ loadBalancerArn: 'nope', defaultActions: [] }), 'addListener'],
      [() => model.addListener({ loadBalancerArn: lb, port: 0, defaultActions: [] }), 'port'],
      [() => model.addListener({ loadBalancerArn: lb, defaultActions: [] }), 'addListener'],
      [() => model.addRule({ listenerArn: 'nope', priority: 1, actions: [] }), 'addRule'],
      [() => model.addRule({ listenerArn, priority: 0, actions: [] }), 'priority'],
      [() => model.addRule({ listenerArn, priority: 3, actions: [] }), 'priority 3'],
      [
        () => model.addRule({ listenerArn, priority: 4, actions: [forward(['arn:x', 1])] }),
        'addRule: Target group',
      ],
      [() => model.rule('nope'), 'no rule'],
      [() => model.listener('nope'), 'no listener'],
      [() => model.rulesOf('nope'), 'no listener'],
      [() => model.targetGroup('nope'), 'no target group'],
    ];

    for (const [act, text] of cases) {
      expect(act).toThrow(SimulationConfigError);
      expect(act).toThrow(text);
    }
  });

  it.each<[string, Partial<Elbv2ModelOptions>]>([
    ['region', { region: 'Europe' }],
    ['accountId', { accountId: '12' }],
    ['partition', { partition: 'azure' }],
    ['defaultPageSize', { defaultPageSize: 0 }],
    ['defaultPageSize', { defaultPageSize: 401 }],
  ])('refuses a bad %s option', (option, options) => {
    expect(() => new Elbv2Model({ clock: VirtualClock.create(), ...options })).toThrow(option);
  });

  it('reads state back: rulesOf, targetGroup', () => {
    const { model, tg, lb, listenerArn, defaultRuleArn } = world();
    const rule = model.addRule({ listenerArn, priority: 9, actions: [forward([tg.c, 1])] });

    expect(model.rulesOf(listenerArn).map((r) => r.RuleArn)).toEqual([rule, defaultRuleArn]);
    expect(model.targetGroup(tg.c)).toMatchObject({ TargetGroupName: 'c', LoadBalancerArns: [lb] });
    expect(model.name).toBe('elbv2');
  });
});
