import type { Clock } from '../resilience/clock.js';
import { SimulationConfigError } from './errors.js';

/**
 * The account a simulated service lives in: the clock it runs on, and the region and account id
 * its ARNs and events carry. Every model and the Lambda runtime take these, so the defaults and
 * the account id check live here once.
 */
export interface AccountOptions {
  /** The virtual clock the service runs on (the same one that drives the run). */
  readonly clock: Clock;
  /** Region in ARNs and events. @default 'us-east-1' */
  readonly region?: string;
  /** Account id in ARNs and events, 12 digits. @default '123456789012' */
  readonly accountId?: string;
}

export interface Account {
  readonly region: string;
  readonly accountId: string;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';

/** Region and account id with their defaults; `owner` (the class) is named in the error. */
export function accountOf(owner: string, options: AccountOptions): Account {
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  if (!/^\d{12}$/.test(accountId)) {
    throw new SimulationConfigError(`${owner} accountId must be 12 digits, got '${accountId}'.`);
  }
  return { region: options.region ?? DEFAULT_REGION, accountId };
}
