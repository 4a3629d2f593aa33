import { ActionTypeEnum, type Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { z } from 'zod';
import { SimulatedServiceError } from '../service-error.js';
import { validateInput, validationError } from '../validation.js';

/**
 * Validation and normalisation of ELBv2 listener/rule actions, as AWS applies them on
 * ModifyRule / ModifyListener (and on the model's setup helpers).
 *
 * Error codes: shape and range problems (a weight of 1000, six target groups, an Order of 0) are
 * `ValidationError`, as the query protocol answers constraint violations; actions that are well
 * formed but do not make sense together (a TargetGroupArn that contradicts the ForwardConfig, two
 * terminal actions) are `InvalidLoadBalancerActionException`; an unknown target group is
 * `TargetGroupNotFoundException`.
 *
 * Normalisation is what DescribeRules echoes back, so code that reads, edits and writes back an
 * actions list sees the same round trip as on AWS: actions sorted by Order (a lone action gets
 * Order 1); a forward action always has a ForwardConfig (weight 1 where none was given,
 * stickiness `{ Enabled: false }` where none was given) and the top-level TargetGroupArn exactly
 * when it forwards to a single target group.
 */

/** Forward weights are relative integers 0–999 (AWS-FACTS). */
export const MAX_FORWARD_WEIGHT = 999;
/** At most five target groups per forward action (AWS-FACTS). */
export const MAX_TARGET_GROUPS_PER_FORWARD = 5;
const MAX_ORDER = 50_000;
const MAX_STICKINESS_SECONDS = 604_800; // 7 days
const TERMINAL_TYPES: ReadonlySet<string> = new Set(['forward', 'redirect', 'fixed-response']);

const configOf = z.record(z.string(), z.unknown());

const actionSchema = z.object({
  Type: z.enum(ActionTypeEnum),
  TargetGroupArn: z.string().min(1).optional(),
  Order: z.number().int().min(1).max(MAX_ORDER).optional(),
  ForwardConfig: z
    .object({
      TargetGroups: z
        .array(
          z.object({
            TargetGroupArn: z.string().min(1),
            Weight: z.number().int().min(0).max(MAX_FORWARD_WEIGHT).optional(),
          }),
        )
        .max(MAX_TARGET_GROUPS_PER_FORWARD)
        .optional(),
      TargetGroupStickinessConfig: z
        .object({
          Enabled: z.boolean().optional(),
          DurationSeconds: z.number().int().min(1).max(MAX_STICKINESS_SECONDS).optional(),
        })
        .optional(),
    })
    .optional(),
  RedirectConfig: configOf.optional(),
  FixedResponseConfig: configOf.optional(),
  AuthenticateOidcConfig: configOf.optional(),
  AuthenticateCognitoConfig: configOf.optional(),
  JwtValidationConfig: configOf.optional(),
});

/** The schema of an actions list (`Actions` of ModifyRule, `DefaultActions` of ModifyListener). */
export const actionsSchema = z.array(actionSchema).min(1);

export interface NormaliseActionsOptions {
  /** Where the actions came from, for messages: `Actions` or `DefaultActions`. */
  readonly member: string;
  /** Whether a target group ARN names an existing target group. */
  readonly targetGroupExists: (arn: string) => boolean;
}

/**
 * Validates an actions list the way AWS does and returns it in the form DescribeRules answers.
 *
 * @throws {SimulatedServiceError} ValidationError, InvalidLoadBalancerActionException or
 *   TargetGroupNotFoundException.
 */
export function normaliseActions(
  actions: readonly Action[],
  options: NormaliseActionsOptions,
): Action[] {
  validateInput(
    z.object({ [options.member]: actionsSchema }),
    { [options.member]: actions },
    {
      errorName: 'ValidationError',
    },
  );
  checkOrders(actions, options.member);
  const sorted = [...actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
  checkTerminalAction(sorted);
  return sorted.map((action, index) => {
    checkConfigMatchesType(action);
    const normalised =
      action.Type === 'forward'
        ? normaliseForward(action, options)
        : action.Type === 'authenticate-oidc'
          ? withoutClientSecret(action)
          : action;
    return withoutUndefined({ ...normalised, Order: action.Order ?? index + 1 });
  });
}

function checkOrders(actions: readonly Action[], member: string): void {
  if (actions.length < 2) return;
  const orders = actions.map((action) => action.Order);
  if (orders.some((order) => order === undefined)) {
    throw validationError(
      `${member}: Order is required for every action when a rule has more than one action.`,
      { errorName: 'ValidationError' },
    );
  }
  if (new Set(orders).size !== orders.length) {
    throw validationError(`${member}: the Order of each action must be unique.`, {
      errorName: 'ValidationError',
    });
  }
}

function checkTerminalAction(sorted: readonly Action[]): void {
  const terminal = sorted.filter((action) => TERMINAL_TYPES.has(action.Type ?? ''));
  const last = sorted[sorted.length - 1];
  if (terminal.length !== 1 || terminal[0] !== last) {
    throw invalidAction(
      'A rule needs exactly one forward, redirect or fixed-response action, and it must come ' +
        'last (highest Order).',
    );
  }
}

const CONFIG_OF_TYPE: Readonly<Record<string, keyof Action>> = {
  forward: 'ForwardConfig',
  redirect: 'RedirectConfig',
  'fixed-response': 'FixedResponseConfig',
  'authenticate-oidc': 'AuthenticateOidcConfig',
  'authenticate-cognito': 'AuthenticateCognitoConfig',
  'jwt-validation': 'JwtValidationConfig',
};

function checkConfigMatchesType(action: Action): void {
  const own = CONFIG_OF_TYPE[action.Type ?? ''];
  for (const key of Object.values(CONFIG_OF_TYPE)) {
    if (key !== own && action[key] !== undefined) {
      throw invalidAction(`An action of type '${String(action.Type)}' cannot have ${key}.`);
    }
  }
  if (action.Type !== 'forward' && action.TargetGroupArn !== undefined) {
    throw invalidAction(`An action of type '${String(action.Type)}' cannot have TargetGroupArn.`);
  }
  if (action.Type !== 'forward' && action[own] === undefined) {
    throw invalidAction(`An action of type '${String(action.Type)}' needs its ${own}.`);
  }
}

function normaliseForward(action: Action, options: NormaliseActionsOptions): Action {
  const tuples = action.ForwardConfig?.TargetGroups ?? [];
  const legacy = action.TargetGroupArn;
  if (tuples.length === 0 && legacy === undefined) {
    throw validationError(
      'A forward action needs a TargetGroupArn or ForwardConfig.TargetGroups with at least one ' +
        'target group.',
      { errorName: 'ValidationError' },
    );
  }
  // Both forms together are allowed only when they say the same thing (API reference, Action).
  if (legacy !== undefined && tuples.length > 0) {
    if (tuples.length !== 1 || tuples[0].TargetGroupArn !== legacy) {
      throw invalidAction(
        'If you specify both ForwardConfig and TargetGroupArn, ForwardConfig can hold only one ' +
          'target group and it must be the one in TargetGroupArn.',
      );
    }
  }
  const groups =
    tuples.length > 0
      ? tuples.map((tuple) => ({ TargetGroupArn: tuple.TargetGroupArn, Weight: tuple.Weight ?? 1 }))
      : [{ TargetGroupArn: legacy, Weight: 1 }];
  const arns = groups.map((group) => group.TargetGroupArn ?? '');
  if (new Set(arns).size !== arns.length) {
    throw invalidAction('A target group can appear only once in a forward action.');
  }
  for (const arn of arns) {
    if (!options.targetGroupExists(arn)) {
      throw new SimulatedServiceError({
        name: 'TargetGroupNotFoundException',
        httpStatusCode: 400,
        message: `Target group '${arn}' not found`,
      });
    }
  }
  const stickiness = action.ForwardConfig?.TargetGroupStickinessConfig;
  if (stickiness?.Enabled === true && stickiness.DurationSeconds === undefined) {
    throw validationError(
      'TargetGroupStickinessConfig.DurationSeconds is required when stickiness is enabled.',
      { errorName: 'ValidationError' },
    );
  }
  return {
    ...action,
    TargetGroupArn: groups.length === 1 ? arns[0] : undefined,
    ForwardConfig: {
      TargetGroups: groups,
      TargetGroupStickinessConfig: withoutUndefined({
        ...stickiness,
        Enabled: stickiness?.Enabled ?? false,
      }),
    },
  };
}

/**
 * AWS never answers the OIDC client secret, so a write must either give it or ask to keep the
 * stored one (`UseExistingClientSecret`); what is stored and echoed has neither.
 */
function withoutClientSecret(action: Action): Action {
  const config = action.AuthenticateOidcConfig;
  if (
    config === undefined ||
    (config.ClientSecret === undefined && config.UseExistingClientSecret !== true)
  ) {
    throw validationError(
      'AuthenticateOidcConfig.ClientSecret is required unless UseExistingClientSecret is true.',
      { errorName: 'ValidationError' },
    );
  }
  const { ClientSecret: _secret, UseExistingClientSecret: _reuse, ...kept } = config;
  return { ...action, AuthenticateOidcConfig: kept };
}

function invalidAction(message: string): SimulatedServiceError {
  return new SimulatedServiceError({
    name: 'InvalidLoadBalancerActionException',
    httpStatusCode: 400,
    message,
  });
}

/** Drops keys whose value is `undefined`, as a round trip over the wire does. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
