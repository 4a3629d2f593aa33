/**
 * What the two disaster-recovery handlers need from the outside world, in one object: DRS per
 * (account, region) with its throttler and quotas, the idempotency records, the clock, the
 * logger and the configuration. Tests and the simulation pass their own; only `defaultDeps`
 * (in `default-deps.ts`) reads the environment.
 */
import { resolveDeps, type DepsSource as DepsSourceOf } from '../../common/deps-source.js';
import type { Clock } from '../../resilience/clock.js';
import type { DisasterRecoveryConfig, DrsQuotas } from '../contract.js';
import type { DrsClient } from '../drs-client.js';
import type { DrsTarget } from '../errors.js';
import type { DrsLogger } from '../observability.js';
import type { InvocationFields } from '../runtime.js';
import type { JobThrottler } from '../throttler.js';
import type { IdempotencyStore } from './idempotency.js';

/** DRS of one (account, region), and what guards its job starts. Cached by the provider. */
export interface DrsServices {
  /** The rate-limited, retrying DRS client of `target`. */
  drs(target: DrsTarget): DrsClient;
  /** The job throttler (leases + job counts) of `target`. */
  throttler(target: DrsTarget): JobThrottler;
  /** The four DRS quotas of `target` (Service Quotas, cached, with fallbacks). */
  quotas(target: DrsTarget): Promise<DrsQuotas>;
}

export interface DisasterRecoveryDeps {
  readonly config: DisasterRecoveryConfig;
  readonly services: DrsServices;
  readonly idempotency: IdempotencyStore;
  /** `now()` stamps claims; waits sleep on it. */
  readonly clock: Clock;
  readonly logger: DrsLogger;
  /** A fresh unique id (owner of idempotency claims). @default - the Lambda request id first */
  readonly newId: () => string;
  /**
   * Tells the library the invocation now running: its own log lines (client, throttler,
   * escalation) carry the correlation id too (Powertools `appendKeys`), and escalations name
   * the correlation id, the wave and the function's own account.
   * @default - only the handler's log lines carry the correlation id
   */
  readonly setInvocationContext?: (context: InvocationFields) => void;
  /** Publishes buffered metrics; called at the end of every invocation. @default - nothing */
  readonly flushMetrics?: () => void;
}

/** Deps, or a function that builds them on first use (so that importing never throws). */
export type DepsSource = DepsSourceOf<DisasterRecoveryDeps>;
export { resolveDeps };
export type { InvocationFields };

/** The part of the Lambda context the handlers read. */
export interface InvocationContext {
  readonly awsRequestId?: string;
  /** `arn:aws:lambda:<region>:<account>:function:<name>[:alias]`: names the own account. */
  readonly invokedFunctionArn?: string;
}

/** The account of a Lambda function ARN (its 5th field), if the ARN has one. */
export function accountOfFunctionArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

/** The invocation fields the handlers pass to `setInvocationContext`. */
export function invocationFields(
  correlationId: string,
  context: InvocationContext | undefined,
  waveId?: string,
): InvocationFields {
  const ownAccountId = accountOfFunctionArn(context?.invokedFunctionArn);
  return {
    correlationId,
    ...(waveId === undefined ? {} : { waveId }),
    ...(ownAccountId === undefined ? {} : { ownAccountId }),
  };
}
