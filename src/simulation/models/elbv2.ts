import type {
  Action,
  DescribeListenersCommandInput,
  DescribeListenersCommandOutput,
  DescribeRulesCommandInput,
  DescribeRulesCommandOutput,
  DescribeTargetGroupsCommandInput,
  DescribeTargetGroupsCommandOutput,
  Listener,
  ModifyListenerCommandInput,
  ModifyListenerCommandOutput,
  ModifyRuleCommandInput,
  ModifyRuleCommandOutput,
  DeregisterTargetsCommandInput,
  DeregisterTargetsCommandOutput,
  DescribeTargetHealthCommandInput,
  DescribeTargetHealthCommandOutput,
  ProtocolEnum,
  RegisterTargetsCommandInput,
  RegisterTargetsCommandOutput,
  TargetHealthDescription,
  Rule,
  RuleCondition,
  RuleTransform,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DEFAULT_REGION } from '../account.js';
import { SimulationConfigError } from '../errors.js';
import { SimulatedServiceError } from '../service-error.js';
import { OperationTable } from '../service-model.js';
import { validateInput } from '../validation.js';
import { normaliseActions, withoutUndefined } from './elbv2-actions.js';
import {
  MAX_RULE_PRIORITY,
  checkName,
  checkPort,
  describeListenersInput,
  describeRulesInput,
  describeTargetGroupsInput,
  modifyListenerInput,
  modifyRuleInput,
  partitionOf,
} from './elbv2-inputs.js';
import { MAX_PAGE_SIZE, paginate } from './elbv2-pagination.js';
import { TargetRegistry, vpcCidrsOf, type ForcedHealth, type TargetType } from './elbv2-targets.js';
import { ThrottledServiceModel, type CommonModelOptions } from './model-base.js';
import { ThrottleStyles, type QuotaOptions, type ThrottlingApiModel } from './throttling-api.js';

/**
 * An in-memory ELBv2 (Application Load Balancer) API: load balancers, target groups, listeners
 * with their default actions, and listener rules, with the operations load shedding uses
 * (DescribeListeners, DescribeRules, DescribeTargetGroups, ModifyRule, ModifyListener) and the
 * target registration a task starter uses (RegisterTargets, DeregisterTargets,
 * DescribeTargetHealth; health states on the virtual clock, see `elbv2-targets.ts`).
 *
 * It behaves as AWS documents (see AWS-FACTS.md and `elbv2-actions.ts`): weights 0–999, five
 * target groups per forward action, unknown target group / listener / rule errors, ModifyRule
 * and ModifyListener replace the whole actions list, the default rule changes only through
 * ModifyListener, Describe* paginate with Marker/NextMarker/PageSize, and Describe* share one
 * token bucket per model (one account and region): 40 burst, 10/s, answered with `Throttling`
 * HTTP 400. Quotas, scripted and random faults and counters come from a `ThrottlingApiModel` in
 * front of the operations.
 */

export interface Elbv2ThrottlingOptions {
  /**
   * The quota every Describe* call draws from; `false` turns it off.
   * @default { ratePerSecond: 10, burst: 40 } (ELBv2's documented Describe* bucket)
   */
  readonly describe?: QuotaOptions | false;
  /**
   * The quota ModifyRule and ModifyListener draw from; `false` turns it off.
   * @default false - AWS documents no number we rely on
   */
  readonly modify?: QuotaOptions | false;
  /**
   * The quota RegisterTargets and DeregisterTargets draw from; `false` turns it off.
   * @default false - AWS documents no number we rely on
   */
  readonly targets?: QuotaOptions | false;
}

export interface Elbv2ModelOptions extends CommonModelOptions {
  /** Partition in ARNs. @default - from the region: aws-cn, aws-us-gov or aws */
  readonly partition?: string;
  /**
   * Page size of Describe* calls that give no PageSize. Small by default, so that callers
   * exercise pagination; AWS's own default is larger.
   * @default 2
   */
  readonly defaultPageSize?: number;
  /** Server-side quotas. @default - Describe* 40 burst, 10/s; Modify* unlimited */
  readonly throttling?: Elbv2ThrottlingOptions;
  /** @default 'elbv2' */
  readonly name?: string;
}

export interface AddLoadBalancerOptions {
  /** 1–32 letters, digits and hyphens, unique in the model. */
  readonly name: string;
}

export interface AddTargetGroupOptions {
  /** 1–32 letters, digits and hyphens, unique in the model. */
  readonly name: string;
  /** @default 80 */
  readonly port?: number;
  /** @default 'HTTP' */
  readonly protocol?: ProtocolEnum;
  /** @default 'vpc-0123456789abcdef0' */
  readonly vpcId?: string;
  /** `instance` (EC2 instance ids) or `ip` (IPv4 addresses). @default 'instance' */
  readonly targetType?: TargetType;
  /**
   * The VPC's IPv4 block(s), /16–/28: an IP target outside them needs AvailabilityZone 'all'.
   * @default '10.0.0.0/16'
   */
  readonly vpcCidr?: string | readonly string[];
  /** Time from registration to `healthy` (health check interval × healthy threshold). @default 30_000 */
  readonly healthyAfterMs?: number;
  /** How long a deregistered target drains before it is gone. @default 300_000 (ELBv2's default) */
  readonly deregistrationDelayMs?: number;
}

export interface AddListenerOptions {
  readonly loadBalancerArn: string;
  readonly defaultActions: readonly Action[];
  /** @default 80 */
  readonly port?: number;
  /** @default 'HTTP' */
  readonly protocol?: ProtocolEnum;
}

export interface AddedListener {
  readonly listenerArn: string;
  /** ARN of the listener's default rule (IsDefault, Priority 'default'). */
  readonly defaultRuleArn: string;
}

export interface AddRuleOptions {
  readonly listenerArn: string;
  /** 1–50000, unique per listener. */
  readonly priority: number;
  readonly actions: readonly Action[];
  /** @default - a path-pattern condition on `/*` */
  readonly conditions?: readonly RuleCondition[];
}

export type Elbv2WriteOperation = 'ModifyRule' | 'ModifyListener';

/** One Modify* call that reached the model (throttled or faulted calls show in `stats()`). */
export interface Elbv2WriteRecord {
  /** Virtual time of the call. */
  readonly time: number;
  readonly operation: Elbv2WriteOperation;
  /** RuleArn or ListenerArn of the request. */
  readonly arn: string;
  /** The request as received. */
  readonly input: ModifyRuleCommandInput | ModifyListenerCommandInput;
  /** `applied`, or the name of the error the call was answered with. */
  readonly outcome: string;
}

export interface Elbv2WriteHookEvent {
  readonly operation: Elbv2WriteOperation;
  readonly arn: string;
  /** The validated, normalised actions about to be stored. */
  readonly actions: Action[];
}

/**
 * Sees every write the model is about to apply; may return other actions to store instead
 * (to simulate a concurrent writer or a lost update). Its result is stored as is.
 */
export type Elbv2WriteHook = (event: Elbv2WriteHookEvent) => Action[] | undefined;

interface LoadBalancerState {
  readonly arn: string;
  readonly name: string;
  /** `app/<name>/<id>`: the part listener and rule ARNs extend. */
  readonly path: string;
}

interface TargetGroupState {
  readonly arn: string;
  readonly name: string;
  readonly port: number;
  readonly protocol: ProtocolEnum;
  readonly vpcId: string;
  readonly targetType: TargetType;
}

interface ListenerState {
  readonly arn: string;
  readonly loadBalancerArn: string;
  readonly path: string;
  readonly defaultRuleArn: string;
  /** Port, Protocol, DefaultActions and whatever else ModifyListener was given. */
  fields: Omit<Listener, 'ListenerArn' | 'LoadBalancerArn'>;
}

interface RuleState {
  readonly arn: string;
  readonly listenerArn: string;
  readonly priority: number;
  conditions: RuleCondition[];
  actions: Action[];
  transforms: RuleTransform[] | undefined;
}

const DEFAULT_DESCRIBE_QUOTA: QuotaOptions = { ratePerSecond: 10, burst: 40 };
const query = { errorName: 'ValidationError' } as const;

export class Elbv2Model extends ThrottledServiceModel {
  readonly partition: string;
  private readonly defaultPageSize: number;
  protected readonly api: ThrottlingApiModel;
  private readonly loadBalancers = new Map<string, LoadBalancerState>();
  private readonly targetGroups = new Map<string, TargetGroupState>();
  private readonly listeners = new Map<string, ListenerState>();
  private readonly rules = new Map<string, RuleState>();
  /** Default rule ARN → listener ARN. */
  private readonly defaultRules = new Map<string, string>();
  private readonly writeLog: Elbv2WriteRecord[] = [];
  private readonly targets: TargetRegistry;
  private writeHook: Elbv2WriteHook | undefined;
  private sequence = 0;

  constructor(options: Elbv2ModelOptions) {
    // The region is checked before the account id (in super), as it always was.
    const region = options.region ?? DEFAULT_REGION;
    if (!/^[a-z]{2,4}(?:-[a-z]+)+-\d+$/.test(region)) {
      throw new SimulationConfigError(
        `Elbv2Model region must look like 'eu-west-1', got '${region}'.`,
      );
    }
    super('Elbv2Model', 'elbv2', options);
    this.targets = new TargetRegistry(this.clock);
    this.partition = options.partition ?? partitionOf(this.region);
    if (!/^aws(?:-[a-z]+)*$/.test(this.partition)) {
      throw new SimulationConfigError(
        `Elbv2Model partition must be 'aws', 'aws-cn', 'aws-us-gov' or similar, got '${this.partition}'.`,
      );
    }
    this.defaultPageSize = options.defaultPageSize ?? 2;
    if (
      !Number.isInteger(this.defaultPageSize) ||
      this.defaultPageSize < 1 ||
      this.defaultPageSize > MAX_PAGE_SIZE
    ) {
      throw new SimulationConfigError(
        `Elbv2Model defaultPageSize must be an integer 1–${MAX_PAGE_SIZE}, got ${String(options.defaultPageSize)}.`,
      );
    }
    const describe = options.throttling?.describe ?? DEFAULT_DESCRIBE_QUOTA;
    const modify = options.throttling?.modify ?? false;
    const targets = options.throttling?.targets ?? false;
    const sharedQuotas: Record<string, QuotaOptions> = {};
    if (describe !== false) sharedQuotas.describe = describe;
    if (modify !== false) sharedQuotas.modify = modify;
    if (targets !== false) sharedQuotas.targets = targets;
    this.api = this.front(this.operationTable(), options, {
      throttle: ThrottleStyles.query,
      sharedQuotas,
      quotaOf: (operation) => {
        const group = operation.startsWith('Describe')
          ? 'describe'
          : operation.endsWith('Targets')
            ? 'targets'
            : 'modify';
        return group in sharedQuotas ? group : undefined;
      },
    });
  }

  // ---- setup helpers (not API) ----

  addLoadBalancer(options: AddLoadBalancerOptions): string {
    checkName('addLoadBalancer', options.name);
    if ([...this.loadBalancers.values()].some((lb) => lb.name === options.name)) {
      throw new SimulationConfigError(
        `addLoadBalancer: a load balancer named '${options.name}' already exists.`,
      );
    }
    const path = `app/${options.name}/${this.nextId()}`;
    const arn = this.arn(`loadbalancer/${path}`);
    this.loadBalancers.set(arn, { arn, name: options.name, path });
    return arn;
  }

  addTargetGroup(options: AddTargetGroupOptions): string {
    checkName('addTargetGroup', options.name);
    if ([...this.targetGroups.values()].some((tg) => tg.name === options.name)) {
      throw new SimulationConfigError(
        `addTargetGroup: a target group named '${options.name}' already exists.`,
      );
    }
    const port = options.port ?? 80;
    checkPort('addTargetGroup', port);
    const targetType = options.targetType ?? 'instance';
    if (targetType !== 'instance' && targetType !== 'ip') {
      throw new SimulationConfigError(
        `addTargetGroup: targetType must be 'instance' or 'ip', got '${String(targetType)}'.`,
      );
    }
    const vpcCidrs = vpcCidrsOf('addTargetGroup', options.vpcCidr);
    const arn = this.arn(`targetgroup/${options.name}/${this.nextId()}`);
    this.targets.addGroup(arn, {
      targetType,
      port,
      vpcCidrs,
      healthyAfterMs: options.healthyAfterMs ?? 30_000,
      deregistrationDelayMs: options.deregistrationDelayMs ?? 300_000,
    });
    this.targetGroups.set(arn, {
      arn,
      name: options.name,
      port,
      protocol: options.protocol ?? 'HTTP',
      vpcId: options.vpcId ?? 'vpc-0123456789abcdef0',
      targetType,
    });
    return arn;
  }

  addListener(options: AddListenerOptions): AddedListener {
    const lb = this.loadBalancers.get(options.loadBalancerArn);
    if (lb === undefined) {
      throw new SimulationConfigError(
        `addListener: no load balancer '${options.loadBalancerArn}'; create it with addLoadBalancer.`,
      );
    }
    const port = options.port ?? 80;
    checkPort('addListener', port);
    const actions = this.setupActions('addListener', options.defaultActions);
    const path = `${lb.path}/${this.nextId()}`;
    const listenerArn = this.arn(`listener/${path}`);
    const defaultRuleArn = this.arn(`listener-rule/${path}/${this.nextId()}`);
    this.listeners.set(listenerArn, {
      arn: listenerArn,
      loadBalancerArn: lb.arn,
      path,
      defaultRuleArn,
      fields: { Port: port, Protocol: options.protocol ?? 'HTTP', DefaultActions: actions },
    });
    this.defaultRules.set(defaultRuleArn, listenerArn);
    return { listenerArn, defaultRuleArn };
  }

  addRule(options: AddRuleOptions): string {
    const listener = this.listeners.get(options.listenerArn);
    if (listener === undefined) {
      throw new SimulationConfigError(
        `addRule: no listener '${options.listenerArn}'; create it with addListener.`,
      );
    }
    const priority = options.priority;
    if (!Number.isInteger(priority) || priority < 1 || priority > MAX_RULE_PRIORITY) {
      throw new SimulationConfigError(
        `addRule: priority must be an integer 1–${MAX_RULE_PRIORITY}, got ${String(priority)}.`,
      );
    }
    if (this.rulesOfListener(listener.arn).some((rule) => rule.priority === priority)) {
      throw new SimulationConfigError(
        `addRule: listener '${listener.arn}' already has a rule with priority ${priority}.`,
      );
    }
    const actions = this.setupActions('addRule', options.actions);
    const arn = this.arn(`listener-rule/${listener.path}/${this.nextId()}`);
    this.rules.set(arn, {
      arn,
      listenerArn: listener.arn,
      priority,
      conditions: structuredClone([
        ...(options.conditions ?? [{ Field: 'path-pattern', Values: ['/*'] }]),
      ]),
      actions,
      transforms: undefined,
    });
    return arn;
  }

  /**
   * Forces the health state of a registered target (`healthy`, `unhealthy`, `unavailable`), or
   * with `undefined` lets the clock decide again. `port` defaults to the target group's.
   */
  setTargetHealth(
    targetGroupArn: string,
    target: { readonly id: string; readonly port?: number },
    health: ForcedHealth | undefined,
  ): void {
    this.targets.setHealth(targetGroupArn, target.id, target.port, health);
  }

  /** Installs (or, with `undefined`, removes) the hook that sees every write before it lands. */
  interceptWrites(hook: Elbv2WriteHook | undefined): void {
    this.writeHook = hook;
  }

  // ---- reading state (not API) ----

  /** A listener as DescribeListeners answers it. */
  listener(listenerArn: string): Listener {
    return this.listenerOutput(this.knownListener(listenerArn));
  }

  /** A rule (also a default rule) as DescribeRules answers it. */
  rule(ruleArn: string): Rule {
    const output = this.ruleOutput(ruleArn);
    if (output === undefined) {
      throw new SimulationConfigError(`Elbv2Model has no rule '${ruleArn}'.`);
    }
    return output;
  }

  /** The rules of a listener, by priority, the default rule last. */
  rulesOf(listenerArn: string): Rule[] {
    return this.listenerRuleArns(this.knownListener(listenerArn)).map((arn) => this.rule(arn));
  }

  /** A target group as DescribeTargetGroups answers it. */
  targetGroup(targetGroupArn: string): TargetGroup {
    const tg = this.targetGroups.get(targetGroupArn);
    if (tg === undefined) {
      throw new SimulationConfigError(`Elbv2Model has no target group '${targetGroupArn}'.`);
    }
    return this.targetGroupOutput(tg);
  }

  /** The targets of a target group (registered and draining) as DescribeTargetHealth answers. */
  targetHealth(targetGroupArn: string): TargetHealthDescription[] {
    if (!this.targetGroups.has(targetGroupArn)) {
      throw new SimulationConfigError(`Elbv2Model has no target group '${targetGroupArn}'.`);
    }
    return this.targets.describe(
      { TargetGroupArn: targetGroupArn },
      this.loadBalancersUsing(targetGroupArn).length > 0,
    );
  }

  /** Every Modify* call that reached the model, oldest first. */
  writes(): Elbv2WriteRecord[] {
    return structuredClone(this.writeLog);
  }

  // ---- quotas and counters (delegated to the throttling model; failNext and stats: base) ----

  resetStats(): void {
    this.api.resetStats();
  }

  /** Tokens left in the quota `operation` draws from (undefined: no quota). */
  availableTokens(operation: string): number | undefined {
    return this.api.availableTokens(operation);
  }

  // ---- operations ----

  private operationTable(): OperationTable {
    return new OperationTable(this.name)
      .on<DescribeRulesCommandInput, DescribeRulesCommandOutput>('DescribeRules', (raw) =>
        this.describeRules(raw),
      )
      .on<DescribeListenersCommandInput, DescribeListenersCommandOutput>(
        'DescribeListeners',
        (raw) => this.describeListeners(raw),
      )
      .on<DescribeTargetGroupsCommandInput, DescribeTargetGroupsCommandOutput>(
        'DescribeTargetGroups',
        (raw) => this.describeTargetGroups(raw),
      )
      .on<ModifyRuleCommandInput, ModifyRuleCommandOutput>('ModifyRule', (raw) =>
        this.logged('ModifyRule', raw.RuleArn, raw, () => this.modifyRule(raw)),
      )
      .on<ModifyListenerCommandInput, ModifyListenerCommandOutput>('ModifyListener', (raw) =>
        this.logged('ModifyListener', raw.ListenerArn, raw, () => this.modifyListener(raw)),
      )
      .on<RegisterTargetsCommandInput, RegisterTargetsCommandOutput>('RegisterTargets', (raw) => {
        this.targets.register(raw);
        return {};
      })
      .on<DeregisterTargetsCommandInput, DeregisterTargetsCommandOutput>(
        'DeregisterTargets',
        (raw) => {
          this.targets.deregister(raw);
          return {};
        },
      )
      .on<DescribeTargetHealthCommandInput, DescribeTargetHealthCommandOutput>(
        'DescribeTargetHealth',
        (raw) => ({
          TargetHealthDescriptions: this.targets.describe(
            raw,
            this.loadBalancersUsing(raw.TargetGroupArn ?? '').length > 0,
          ),
        }),
      );
  }

  private describeRules(
    raw: DescribeRulesCommandInput,
  ): Omit<DescribeRulesCommandOutput, '$metadata'> {
    const input = validateInput(describeRulesInput, raw, query);
    let arns: string[];
    let scope: string;
    if (input.ListenerArn !== undefined) {
      arns = this.listenerRuleArns(this.knownListener(input.ListenerArn, 'api'));
      scope = `rules:${input.ListenerArn}`;
    } else {
      arns = [...new Set(input.RuleArns)];
      const missing = arns.filter((arn) => this.ruleOutput(arn) === undefined);
      if (missing.length > 0) {
        throw notFound(
          'RuleNotFoundException',
          `One or more rules not found: ${missing.join(', ')}`,
        );
      }
      scope = `rules:${arns.join(',')}`;
    }
    const page = paginate(arns, scope, input.Marker, input.PageSize ?? this.defaultPageSize);
    return withoutUndefined({
      Rules: page.items.map((arn) => this.rule(arn)),
      NextMarker: page.nextMarker,
    });
  }

  private describeListeners(
    raw: DescribeListenersCommandInput,
  ): Omit<DescribeListenersCommandOutput, '$metadata'> {
    const input = validateInput(describeListenersInput, raw, query);
    let listeners: ListenerState[];
    let scope: string;
    if (input.LoadBalancerArn !== undefined) {
      const lbArn = input.LoadBalancerArn;
      if (!this.loadBalancers.has(lbArn)) {
        throw notFound('LoadBalancerNotFoundException', `Load balancer '${lbArn}' not found`);
      }
      listeners = [...this.listeners.values()].filter((l) => l.loadBalancerArn === lbArn);
      scope = `listeners:${lbArn}`;
    } else {
      const arns = [...new Set(input.ListenerArns)];
      listeners = arns.map((arn) => this.knownListener(arn, 'api'));
      scope = `listeners:${arns.join(',')}`;
    }
    const page = paginate(listeners, scope, input.Marker, input.PageSize ?? this.defaultPageSize);
    return withoutUndefined({
      Listeners: page.items.map((listener) => this.listenerOutput(listener)),
      NextMarker: page.nextMarker,
    });
  }

  private describeTargetGroups(
    raw: DescribeTargetGroupsCommandInput,
  ): Omit<DescribeTargetGroupsCommandOutput, '$metadata'> {
    const input = validateInput(describeTargetGroupsInput, raw, query);
    let groups = [...this.targetGroups.values()];
    if (input.TargetGroupArns !== undefined || input.Names !== undefined) {
      const wanted = [...new Set(input.TargetGroupArns ?? input.Names)];
      const byKey = new Map(
        groups.map((tg) => [input.Names === undefined ? tg.arn : tg.name, tg] as const),
      );
      const missing = wanted.filter((key) => !byKey.has(key));
      if (missing.length > 0) {
        throw notFound(
          'TargetGroupNotFoundException',
          `One or more target groups not found: ${missing.join(', ')}`,
        );
      }
      groups = wanted.map((key) => byKey.get(key) as TargetGroupState);
    } else if (input.LoadBalancerArn !== undefined) {
      const lbArn = input.LoadBalancerArn;
      if (!this.loadBalancers.has(lbArn)) {
        throw notFound('LoadBalancerNotFoundException', `Load balancer '${lbArn}' not found`);
      }
      groups = groups.filter((tg) => this.loadBalancersUsing(tg.arn).includes(lbArn));
    }
    const scope = `target-groups:${JSON.stringify([input.LoadBalancerArn, input.TargetGroupArns, input.Names])}`;
    const page = paginate(groups, scope, input.Marker, input.PageSize ?? this.defaultPageSize);
    return withoutUndefined({
      TargetGroups: page.items.map((tg) => this.targetGroupOutput(tg)),
      NextMarker: page.nextMarker,
    });
  }

  private modifyRule(raw: ModifyRuleCommandInput): Omit<ModifyRuleCommandOutput, '$metadata'> {
    const input = validateInput(modifyRuleInput, raw, query);
    if (this.defaultRules.has(input.RuleArn)) {
      throw new SimulatedServiceError({
        name: 'OperationNotPermittedException',
        httpStatusCode: 400,
        message:
          'The default rule of a listener cannot be modified with ModifyRule; change the ' +
          "listener's DefaultActions with ModifyListener.",
      });
    }
    const rule = this.rules.get(input.RuleArn);
    if (rule === undefined) {
      throw notFound('RuleNotFoundException', `Rule '${input.RuleArn}' not found`);
    }
    // Validate everything before changing anything: a rejected call leaves the rule as it was.
    const actions =
      raw.Actions === undefined
        ? undefined
        : this.applyHook('ModifyRule', rule.arn, this.apiActions('Actions', raw.Actions));
    if (raw.Conditions !== undefined) rule.conditions = structuredClone(raw.Conditions);
    if (actions !== undefined) rule.actions = actions;
    if (raw.ResetTransforms === true) rule.transforms = undefined;
    if (raw.Transforms !== undefined) rule.transforms = structuredClone(raw.Transforms);
    return { Rules: [this.rule(rule.arn)] };
  }

  private modifyListener(
    raw: ModifyListenerCommandInput,
  ): Omit<ModifyListenerCommandOutput, '$metadata'> {
    const input = validateInput(modifyListenerInput, raw, query);
    const listener = this.knownListener(input.ListenerArn, 'api');
    const actions =
      raw.DefaultActions === undefined
        ? undefined
        : this.applyHook(
            'ModifyListener',
            listener.arn,
            this.apiActions('DefaultActions', raw.DefaultActions),
          );
    // ModifyListener replaces only the members it is given.
    const given = Object.fromEntries(
      Object.entries(raw).filter(([key]) => key !== 'ListenerArn' && key !== 'DefaultActions'),
    );
    listener.fields = withoutUndefined({
      ...listener.fields,
      ...given,
      ...(actions === undefined ? {} : { DefaultActions: actions }),
    });
    return { Listeners: [this.listenerOutput(listener)] };
  }

  private logged<T>(
    operation: Elbv2WriteOperation,
    arn: string | undefined,
    input: ModifyRuleCommandInput | ModifyListenerCommandInput,
    write: () => T,
  ): T {
    const record = {
      time: this.clock.now(),
      operation,
      arn: arn ?? '',
      input: structuredClone(input),
    };
    try {
      const result = write();
      this.writeLog.push({ ...record, outcome: 'applied' });
      return result;
    } catch (error) {
      this.writeLog.push({ ...record, outcome: (error as Error).name });
      throw error;
    }
  }

  private applyHook(operation: Elbv2WriteOperation, arn: string, actions: Action[]): Action[] {
    const replaced = this.writeHook?.({ operation, arn, actions: structuredClone(actions) });
    return replaced === undefined ? actions : structuredClone(replaced);
  }

  // ---- helpers ----

  private apiActions(member: string, actions: readonly Action[]): Action[] {
    return normaliseActions(actions, {
      member,
      targetGroupExists: (arn) => this.targetGroups.has(arn),
    });
  }

  /** Setup helpers validate like the API, but fail as a configuration error. */
  private setupActions(helper: string, actions: readonly Action[]): Action[] {
    try {
      return this.apiActions('actions', structuredClone([...actions]));
    } catch (error) {
      throw new SimulationConfigError(`${helper}: ${(error as Error).message}`, { cause: error });
    }
  }

  private knownListener(listenerArn: string, caller: 'api' | 'setup' = 'setup'): ListenerState {
    const listener = this.listeners.get(listenerArn);
    if (listener !== undefined) return listener;
    if (caller === 'api') {
      throw notFound('ListenerNotFoundException', `Listener '${listenerArn}' not found`);
    }
    throw new SimulationConfigError(`Elbv2Model has no listener '${listenerArn}'.`);
  }

  private rulesOfListener(listenerArn: string): RuleState[] {
    return [...this.rules.values()]
      .filter((rule) => rule.listenerArn === listenerArn)
      .sort((a, b) => a.priority - b.priority);
  }

  private listenerRuleArns(listener: ListenerState): string[] {
    return [...this.rulesOfListener(listener.arn).map((rule) => rule.arn), listener.defaultRuleArn];
  }

  private ruleOutput(ruleArn: string): Rule | undefined {
    const listenerArn = this.defaultRules.get(ruleArn);
    if (listenerArn !== undefined) {
      const listener = this.knownListener(listenerArn);
      return {
        RuleArn: ruleArn,
        Priority: 'default',
        Conditions: [],
        Actions: structuredClone(listener.fields.DefaultActions ?? []),
        IsDefault: true,
      };
    }
    const rule = this.rules.get(ruleArn);
    if (rule === undefined) return undefined;
    return withoutUndefined({
      RuleArn: rule.arn,
      Priority: String(rule.priority),
      Conditions: structuredClone(rule.conditions),
      Actions: structuredClone(rule.actions),
      IsDefault: false,
      Transforms: rule.transforms === undefined ? undefined : structuredClone(rule.transforms),
    });
  }

  private listenerOutput(listener: ListenerState): Listener {
    return {
      ListenerArn: listener.arn,
      LoadBalancerArn: listener.loadBalancerArn,
      ...structuredClone(listener.fields),
    };
  }

  private targetGroupOutput(tg: TargetGroupState): TargetGroup {
    return {
      TargetGroupArn: tg.arn,
      TargetGroupName: tg.name,
      Protocol: tg.protocol,
      Port: tg.port,
      VpcId: tg.vpcId,
      TargetType: tg.targetType,
      LoadBalancerArns: this.loadBalancersUsing(tg.arn),
    };
  }

  /** Load balancers with a listener or rule that forwards to the target group. */
  private loadBalancersUsing(targetGroupArn: string): string[] {
    const forwardsTo = (actions: readonly Action[] | undefined) =>
      (actions ?? []).some((action) =>
        (action.ForwardConfig?.TargetGroups ?? []).some((t) => t.TargetGroupArn === targetGroupArn),
      );
    const lbs = new Set<string>();
    for (const listener of this.listeners.values()) {
      const rules = this.rulesOfListener(listener.arn);
      if (forwardsTo(listener.fields.DefaultActions) || rules.some((r) => forwardsTo(r.actions))) {
        lbs.add(listener.loadBalancerArn);
      }
    }
    return [...lbs];
  }

  private arn(resource: string): string {
    return `arn:${this.partition}:elasticloadbalancing:${this.region}:${this.accountId}:${resource}`;
  }

  /** Deterministic 16-hex-digit resource ids, in creation order. */
  private nextId(): string {
    this.sequence++;
    return this.sequence.toString(16).padStart(16, '0');
  }
}

function notFound(name: string, message: string): SimulatedServiceError {
  return new SimulatedServiceError({ name, httpStatusCode: 400, message });
}
