/**
 * ELBv2 fixtures the load-shedding and simulation tests share: the actions they put on rules,
 * and an ELBv2 model with an SDK client mounted on it.
 */
import * as elbv2Sdk from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ElasticLoadBalancingV2Client,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  Elbv2Model,
  type AddedListener,
  type Elbv2ModelOptions,
} from '../../src/simulation/models/elbv2.js';
import { createSimulatedClient } from '../../src/simulation/sdk-mount.js';
import { VirtualClock } from '../../src/simulation/virtual-clock.js';

/** The region of every fixture (the Cognito user pool below lives there too). */
export const FIXTURE_REGION = 'eu-west-1';

/** A forward action over `groups` ([target group ARN, weight] pairs). */
export function forward(...groups: [string, number][]): Action {
  return {
    Type: 'forward',
    ForwardConfig: {
      TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })),
    },
  };
}

/** An authenticate-cognito action at Order 1. */
export const cognitoAction: Action = {
  Type: 'authenticate-cognito',
  Order: 1,
  AuthenticateCognitoConfig: {
    UserPoolArn: `arn:aws:cognito-idp:${FIXTURE_REGION}:123456789012:userpool/${FIXTURE_REGION}_abc`,
    UserPoolClientId: 'client',
    UserPoolDomain: 'login',
  },
};

/** An authenticate-oidc action at Order 1, with `clientSecret` if given (as a write sends it). */
export function oidcAction(clientSecret?: string): Action {
  return {
    Type: 'authenticate-oidc',
    Order: 1,
    AuthenticateOidcConfig: {
      Issuer: 'https://idp.example.com',
      AuthorizationEndpoint: 'https://idp.example.com/auth',
      TokenEndpoint: 'https://idp.example.com/token',
      UserInfoEndpoint: 'https://idp.example.com/user',
      ClientId: 'client',
      ...(clientSecret === undefined ? {} : { ClientSecret: clientSecret }),
    },
  };
}

/** How a canary's forward action is laid out behind its authenticate action. */
export interface CanaryLayout {
  readonly forwardOrder: number;
  readonly stickinessSeconds: number;
}

/**
 * A canary's actions: Cognito authentication, then a sticky forward over `groups` at
 * `forwardOrder` (tests pick an Order and a duration to see that writes keep them).
 */
export function authenticatedStickyForward(
  groups: [string, number][],
  layout: CanaryLayout,
): Action[] {
  return [
    structuredClone(cognitoAction),
    {
      Type: 'forward',
      Order: layout.forwardOrder,
      ForwardConfig: {
        TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })),
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: layout.stickinessSeconds },
      },
    },
  ];
}

/**
 * The listener the load-shedding fixtures start from: HTTPS 443 whose default rule forwards
 * `primary` 100 / `spare` 0, and a canary rule (priority 10, `/api/*`) that forwards
 * `primary` 80 / `spare` 20 behind Cognito authentication, with stickiness.
 */
export function addCanaryListener(
  model: Elbv2Model,
  loadBalancerArn: string,
  [primary, spare]: [string, string],
  layout: CanaryLayout,
): { readonly listener: AddedListener; readonly canaryRule: string } {
  const listener = model.addListener({
    loadBalancerArn,
    port: 443,
    protocol: 'HTTPS',
    defaultActions: [forward([primary, 100], [spare, 0])],
  });
  const canaryRule = model.addRule({
    listenerArn: listener.listenerArn,
    priority: 10,
    conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
    actions: authenticatedStickyForward(
      [
        [primary, 80],
        [spare, 20],
      ],
      layout,
    ),
  });
  return { listener, canaryRule };
}

/**
 * An ELBv2 model on its own virtual clock, and an SDK client mounted on it without SDK retries:
 * each send is exactly one model call.
 */
export function simulatedElbv2(options: Partial<Elbv2ModelOptions> = {}) {
  const clock = VirtualClock.create();
  const model = new Elbv2Model({ clock, region: FIXTURE_REGION, ...options });
  const client = createSimulatedClient(
    ElasticLoadBalancingV2Client,
    { region: FIXTURE_REGION, maxAttempts: 1 },
    model,
    { exceptions: elbv2Sdk },
  );
  return { clock, model, client };
}
