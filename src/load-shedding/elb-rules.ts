/**
 * The ELBv2 adapter of load shedding: reads the weighted forward rules of listeners and writes
 * new weights back, through an injected `ElasticLoadBalancingV2Client` (a resilient client in
 * the handlers, a simulated one in tests). The arithmetic lives in `weights.ts`; this file only
 * moves weights between ELBv2's shapes and the algorithm's `WeightedTargetGroup[]`.
 *
 * What a write must not break, since ModifyRule and ModifyListener REPLACE the whole actions
 * list (AWS-FACTS): the new list is the list as read, with only the forward action's
 * `ForwardConfig.TargetGroups` weights changed; `TargetGroupStickinessConfig`, `Order`, the
 * other actions (authentication before the forward) and the legacy `TargetGroupArn` are sent
 * back as read. Conditions are not sent at all, so AWS keeps them. The default rule changes only
 * through ModifyListener, given only `DefaultActions`, so the listener's other settings stay.
 * Every write is read back and checked.
 */
import {
  DescribeRulesCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  paginateDescribeListeners,
  paginateDescribeRules,
  type Action,
  type ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { silentLogger, type OpsLogger } from '../observability/logger.js';
import {
  ElbArnError,
  ElbRuleShapeError,
  RuleGroupsMismatchError,
  WeightWriteVerificationError,
  WeightsError,
  type WeightMismatch,
} from './errors.js';
import type { WeightedTargetGroup } from './weights.js';

/** A rule (the default rule too) whose forward action spreads traffic over target groups. */
export interface ForwardRule {
  readonly listenerArn: string;
  readonly ruleArn: string;
  /** `'default'` for the default rule, else the priority as ELBv2 answers it (`'10'`). */
  readonly priority: string;
  readonly isDefault: boolean;
  /** The rule's whole actions list as read; a write sends it back with new weights only. */
  readonly actions: readonly Action[];
  /** Index of the forward action in `actions`. */
  readonly forwardActionIndex: number;
  /**
   * The forward action's target groups, in the rule's order. A legacy forward action (only a
   * top-level `TargetGroupArn`) reads as that one group with weight 1.
   */
  readonly groups: readonly WeightedTargetGroup[];
}

export type ElbArnResourceType = 'loadbalancer' | 'listener' | 'listener-rule' | 'targetgroup';

/** The parts of an ELBv2 ARN. */
export interface ElbArn {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly resourceType: ElbArnResourceType;
  /** What follows `<resourceType>/`, e.g. `app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`. */
  readonly resourceId: string;
}

export interface WriteWeightsOptions {
  /** Log what would be written and write nothing. @default false */
  readonly dryRun?: boolean;
  /** @default silentLogger */
  readonly logger?: OpsLogger;
}

export type WeightWriteStatus =
  /** The weights were already the new ones: nothing was sent. */
  | 'unchanged'
  /** Dry run: the write was planned, not sent. */
  | 'planned'
  /** Written and read back with the new weights. */
  | 'written';

export interface WeightWriteResult {
  readonly status: WeightWriteStatus;
  readonly listenerArn: string;
  readonly ruleArn: string;
  readonly isDefault: boolean;
  /** The call that writes (or would write) this rule. */
  readonly operation: 'ModifyRule' | 'ModifyListener';
  /** Weights as read, in the rule's order. */
  readonly before: readonly WeightedTargetGroup[];
  /** The new weights, in the rule's order. */
  readonly after: readonly WeightedTargetGroup[];
  /** The whole actions list written (or planned); the list as read when unchanged. */
  readonly actions: readonly Action[];
  /** ELBv2 calls this write made (SDK sends; the resilience layer's retries not counted). */
  readonly calls: { readonly writes: number; readonly reads: number };
}

// Written by hand: the SDK ships no ARN parser for ELBv2 (and @aws-sdk/util-arn-parser would
// only split on ':'), and the check is one regular expression.
const ELB_ARN =
  /^arn:(aws[a-z-]*):elasticloadbalancing:([a-z]{2,4}(?:-[a-z]+)+-\d+):(\d{12}):(loadbalancer|listener|listener-rule|targetgroup)\/(\S+)$/;

/**
 * Parses an ELBv2 ARN in any partition (`aws`, `aws-cn`, `aws-us-gov`, ...).
 *
 * @param expected the resource type the caller needs; another one is rejected.
 * @throws {ElbArnError} when `arn` is not an ELBv2 ARN (of the expected type).
 */
export function parseElbArn(arn: string, expected?: ElbArnResourceType): ElbArn {
  const match = typeof arn === 'string' ? ELB_ARN.exec(arn) : null;
  if (match === null) {
    throw new ElbArnError(
      String(arn),
      `${JSON.stringify(arn)} is not an ELBv2 ARN: expected ` +
        `arn:<partition>:elasticloadbalancing:<region>:<account>:${expected ?? '<type>'}/..., ` +
        'e.g. as shown by `aws elbv2 describe-listeners`.',
    );
  }
  const [, partition, region, accountId, resourceType, resourceId] = match;
  if (expected !== undefined && resourceType !== expected) {
    throw new ElbArnError(
      arn,
      `${arn} is a ${resourceType} ARN, but a ${expected} ARN is needed here: pass the ARN of ` +
        `the ${expected}.`,
    );
  }
  return {
    partition,
    region,
    accountId,
    resourceType: resourceType as ElbArnResourceType,
    resourceId,
  };
}

/** The listener ARNs of a load balancer (DescribeListeners, every page). */
export async function listListenerArns(
  client: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
): Promise<string[]> {
  parseElbArn(loadBalancerArn, 'loadbalancer');
  const arns: string[] = [];
  for await (const page of paginateDescribeListeners(
    { client },
    { LoadBalancerArn: loadBalancerArn },
  )) {
    for (const listener of page.Listeners ?? []) {
      if (listener.ListenerArn !== undefined) arns.push(listener.ListenerArn);
    }
  }
  return arns;
}

/**
 * Every rule of the listeners, the default rule included, that has a forward action, in
 * listener order then ELBv2's rule order (by priority, default last). Rules that do not forward
 * (redirect, fixed-response) are left out. Reads every page of DescribeRules; listeners are read
 * concurrently (the client's rate limiter paces them).
 *
 * @throws {ElbArnError} when a listener ARN is not one (before any call).
 * @throws {ElbRuleShapeError} when ELBv2 answers a forward action that cannot be read.
 */
export async function readForwardRules(
  client: ElasticLoadBalancingV2Client,
  listenerArns: readonly string[],
): Promise<ForwardRule[]> {
  if (!isList(listenerArns) || listenerArns.length === 0) {
    throw new ElbArnError(
      String(listenerArns),
      'listenerArns must be a non-empty array of listener ARNs: pass the listeners whose rules ' +
        'route to the target group to shed from.',
    );
  }
  const unique = [...new Set(listenerArns)];
  for (const arn of unique) parseElbArn(arn, 'listener');
  const perListener = await Promise.all(
    unique.map(async (listenerArn) => {
      const rules: ForwardRule[] = [];
      for await (const page of paginateDescribeRules({ client }, { ListenerArn: listenerArn })) {
        for (const rule of page.Rules ?? []) {
          const forward = toForwardRule(listenerArn, rule);
          if (forward !== undefined) rules.push(forward);
        }
      }
      return rules;
    }),
  );
  return perListener.flat();
}

/**
 * The rules whose forward action includes the target group `primaryArn` (exact match).
 *
 * @throws {ElbArnError} when `primaryArn` is not a target group ARN.
 */
export function rulesContaining(rules: readonly ForwardRule[], primaryArn: string): ForwardRule[] {
  parseElbArn(primaryArn, 'targetgroup');
  return rules.filter((rule) => rule.groups.some((g) => g.targetGroupArn === primaryArn));
}

/**
 * The rule's actions list with the forward action's weights set from `groups` (matched by ARN,
 * written in the rule's order) and everything else as read. Pure; used by `writeWeights`.
 *
 * @throws {RuleGroupsMismatchError} when `groups` do not list exactly the rule's target groups.
 * @throws {WeightsError} when a weight is not an integer 0–999.
 */
export function withForwardWeights(
  rule: ForwardRule,
  groups: readonly WeightedTargetGroup[],
): Action[] {
  const ordered = inRuleOrder(rule, groups);
  const actions = structuredClone([...rule.actions]);
  const forward = actions[rule.forwardActionIndex];
  actions[rule.forwardActionIndex] = {
    ...forward,
    ForwardConfig: {
      ...forward.ForwardConfig,
      TargetGroups: ordered.map((g) => ({ TargetGroupArn: g.targetGroupArn, Weight: g.weight })),
    },
  };
  return actions.map(keepOidcSecret);
}

/**
 * Writes new weights to one rule if they differ from the weights read, then reads the rule back
 * and checks them. The default rule is written with ModifyListener, any other with ModifyRule.
 *
 * @throws {RuleGroupsMismatchError} / {WeightsError} for bad `newGroups` (nothing written).
 * @throws {WeightWriteVerificationError} when the rule read back has other weights.
 * @throws the SDK's exception (or the resilience layer's) when a call fails.
 */
export async function writeWeights(
  client: ElasticLoadBalancingV2Client,
  rule: ForwardRule,
  newGroups: readonly WeightedTargetGroup[],
  options: WriteWeightsOptions = {},
): Promise<WeightWriteResult> {
  const logger = options.logger ?? silentLogger;
  const after = inRuleOrder(rule, newGroups);
  const base = {
    listenerArn: rule.listenerArn,
    ruleArn: rule.ruleArn,
    isDefault: rule.isDefault,
    operation: rule.isDefault ? ('ModifyListener' as const) : ('ModifyRule' as const),
    before: rule.groups.map(copyGroup),
    after,
  };
  const fields = {
    ruleArn: rule.ruleArn,
    listenerArn: rule.listenerArn,
    before: base.before,
    after,
  };
  if (sameWeights(rule.groups, after)) {
    logger.debug('Weights unchanged; nothing to write', fields);
    return { ...base, status: 'unchanged', actions: rule.actions, calls: { writes: 0, reads: 0 } };
  }
  const actions = withForwardWeights(rule, after);
  if (options.dryRun === true) {
    logger.info('Dry run: would write weights', { ...fields, operation: base.operation, actions });
    return { ...base, status: 'planned', actions, calls: { writes: 0, reads: 0 } };
  }
  if (rule.isDefault) {
    await client.send(
      new ModifyListenerCommand({ ListenerArn: rule.listenerArn, DefaultActions: actions }),
    );
  } else {
    await client.send(new ModifyRuleCommand({ RuleArn: rule.ruleArn, Actions: actions }));
  }
  logger.info('Wrote weights', { ...fields, operation: base.operation });
  await verifyWeights(client, rule, after);
  return { ...base, status: 'written', actions, calls: { writes: 1, reads: 1 } };
}

// ---- internals ----

function toForwardRule(listenerArn: string, rule: Rule): ForwardRule | undefined {
  const ruleArn = rule.RuleArn ?? '';
  const actions = rule.Actions ?? [];
  const forwardActionIndex = actions.findIndex((action) => action.Type === 'forward');
  if (forwardActionIndex < 0) return undefined;
  return {
    listenerArn,
    ruleArn,
    priority: rule.Priority ?? '',
    isDefault: rule.IsDefault === true,
    actions,
    forwardActionIndex,
    groups: groupsOf(ruleArn, actions[forwardActionIndex]),
  };
}

function groupsOf(ruleArn: string, forward: Action): WeightedTargetGroup[] {
  const tuples = forward.ForwardConfig?.TargetGroups ?? [];
  if (tuples.length === 0) {
    if (forward.TargetGroupArn === undefined) {
      throw new ElbRuleShapeError(
        ruleArn,
        `Rule ${ruleArn} has a forward action without target groups; ELBv2 should never answer ` +
          'that. Check the rule in the console.',
      );
    }
    return [{ targetGroupArn: forward.TargetGroupArn, weight: 1 }];
  }
  return tuples.map((tuple, i) => {
    if (tuple.TargetGroupArn === undefined) {
      throw new ElbRuleShapeError(
        ruleArn,
        `Rule ${ruleArn}: target group ${i} of the forward action has no ARN; ELBv2 should never ` +
          'answer that. Check the rule in the console.',
      );
    }
    // ELBv2 fills in the weight (1 when none was given); be as lenient as it is.
    return { targetGroupArn: tuple.TargetGroupArn, weight: tuple.Weight ?? 1 };
  });
}

/** `groups` re-ordered as the rule lists them, after checking they are the rule's groups. */
function inRuleOrder(
  rule: ForwardRule,
  groups: readonly WeightedTargetGroup[],
): WeightedTargetGroup[] {
  if (!isList(groups)) {
    throw new RuleGroupsMismatchError(
      rule.ruleArn,
      `New weights for rule ${rule.ruleArn} must be an array of { targetGroupArn, weight }.`,
    );
  }
  const byArn = new Map<string, number>();
  for (const [i, group] of groups.entries()) {
    const weight = group.weight;
    if (!Number.isInteger(weight) || weight < 0 || weight > 999) {
      throw new WeightsError(
        'groups',
        `groups[${i}].weight is ${String(weight)}, but ALB forward weights are integers from 0 ` +
          'to 999: pass a whole number in that range.',
      );
    }
    if (byArn.has(group.targetGroupArn)) {
      throw new RuleGroupsMismatchError(
        rule.ruleArn,
        `New weights for rule ${rule.ruleArn} list ${group.targetGroupArn} twice: give each ` +
          'target group of the rule exactly once.',
      );
    }
    byArn.set(group.targetGroupArn, weight);
  }
  const ruleArns = rule.groups.map((g) => g.targetGroupArn);
  const missing = ruleArns.filter((arn) => !byArn.has(arn));
  const extra = [...byArn.keys()].filter((arn) => !ruleArns.includes(arn));
  if (missing.length > 0 || extra.length > 0) {
    throw new RuleGroupsMismatchError(
      rule.ruleArn,
      `New weights for rule ${rule.ruleArn} must list exactly its target groups ` +
        `(${ruleArns.join(', ')}); missing: ${missing.join(', ') || 'none'}, not in the rule: ` +
        `${extra.join(', ') || 'none'}. Load shedding changes weights, never target groups: ` +
        'read the rule again and compute weights for its groups.',
    );
  }
  return ruleArns.map((arn) => ({ targetGroupArn: arn, weight: byArn.get(arn) as number }));
}

/**
 * DescribeRules never answers an OIDC client secret, so sending an authenticate-oidc action
 * back as read would fail; `UseExistingClientSecret` tells ELBv2 to keep the stored one.
 */
function keepOidcSecret(action: Action): Action {
  const oidc = action.AuthenticateOidcConfig;
  if (action.Type !== 'authenticate-oidc' || oidc === undefined) return action;
  if (oidc.ClientSecret !== undefined) return action;
  return { ...action, AuthenticateOidcConfig: { ...oidc, UseExistingClientSecret: true } };
}

async function verifyWeights(
  client: ElasticLoadBalancingV2Client,
  rule: ForwardRule,
  expected: readonly WeightedTargetGroup[],
): Promise<void> {
  const output = await client.send(new DescribeRulesCommand({ RuleArns: [rule.ruleArn] }));
  const readBack = (output.Rules ?? []).find((r) => r.RuleArn === rule.ruleArn);
  const actual =
    readBack === undefined ? [] : (toForwardRule(rule.listenerArn, readBack)?.groups ?? []);
  const mismatches = weightMismatches(expected, actual);
  if (mismatches.length === 0) return;
  const shown = mismatches
    .map((m) => `${m.targetGroupArn}: expected ${show(m.expected)}, read ${show(m.actual)}`)
    .join('; ');
  throw new WeightWriteVerificationError(
    rule.ruleArn,
    mismatches,
    `Rule ${rule.ruleArn} was written, but reading it back shows other weights (${shown}). ` +
      'Another writer may have changed it: read the rules again before the next step.',
  );
}

function weightMismatches(
  expected: readonly WeightedTargetGroup[],
  actual: readonly WeightedTargetGroup[],
): WeightMismatch[] {
  const actualByArn = new Map(actual.map((g) => [g.targetGroupArn, g.weight]));
  const expectedByArn = new Map(expected.map((g) => [g.targetGroupArn, g.weight]));
  const arns = [...new Set([...expectedByArn.keys(), ...actualByArn.keys()])];
  return arns
    .map((targetGroupArn) => ({
      targetGroupArn,
      expected: expectedByArn.get(targetGroupArn),
      actual: actualByArn.get(targetGroupArn),
    }))
    .filter((m) => m.expected !== m.actual);
}

function sameWeights(
  a: readonly WeightedTargetGroup[],
  b: readonly WeightedTargetGroup[],
): boolean {
  return weightMismatches(a, b).length === 0;
}

/** `Array.isArray` without its `any[]` narrowing (the arguments may come from untyped JSON). */
function isList(value: unknown): boolean {
  return Array.isArray(value);
}

function copyGroup(group: WeightedTargetGroup): WeightedTargetGroup {
  return { targetGroupArn: group.targetGroupArn, weight: group.weight };
}

function show(weight: number | undefined): string {
  return weight === undefined ? 'no entry' : String(weight);
}
