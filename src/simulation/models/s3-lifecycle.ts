/**
 * S3 lifecycle rules for the S3 model: expiration of current objects and abort of incomplete
 * multipart uploads, by key prefix, after a number of days.
 *
 * Timing follows S3's documented rule: the day count is added to the object's creation time
 * (an upload's initiation) and the result is rounded UP to the next midnight UTC; e.g. created
 * 2025-01-01 10:30 with 7 days → eligible from 2025-01-09 00:00 UTC. Approximation: the model
 * removes an object the moment it becomes eligible, while S3 removes it asynchronously, usually
 * within a day or two after that (it stops billing it at once). So "gone at the eligible time"
 * here means "eligible for removal" on AWS.
 *
 * Hand-written: no library models S3 lifecycles, and the rule is a few lines of date arithmetic.
 */
import { SimulationConfigError } from '../errors.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface S3LifecycleRule {
  /** For messages. */
  readonly id?: string;
  /** Keys the rule applies to; '' = every key. */
  readonly prefix: string;
  /** Expire current objects this many days after creation. */
  readonly expirationDays?: number;
  /** Abort multipart uploads this many days after they were initiated. */
  readonly abortIncompleteMultipartUploadDays?: number;
}

/** When an object created at `createdMs` becomes eligible under an N-day rule (see the module comment). */
export function lifecycleDueTime(createdMs: number, days: number): number {
  return Math.ceil((createdMs + days * DAY_MS) / DAY_MS) * DAY_MS;
}

function checkDays(rule: S3LifecycleRule, field: keyof S3LifecycleRule, index: number): void {
  const days = rule[field];
  if (days === undefined) return;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) {
    throw new SimulationConfigError(
      `S3Model lifecycle rule ${rule.id ?? index}: ${field} must be a whole number of days ≥ 1 ` +
        `(S3's minimum), got ${JSON.stringify(days)}.`,
    );
  }
}

/** Checks rules as PutBucketLifecycleConfiguration would (days ≥ 1, at least one action). */
export function checkLifecycleRules(rules: readonly S3LifecycleRule[]): void {
  rules.forEach((rule, index) => {
    if (typeof rule.prefix !== 'string') {
      throw new SimulationConfigError(
        `S3Model lifecycle rule ${rule.id ?? index}: prefix must be a string ('' for the whole bucket).`,
      );
    }
    if (
      rule.expirationDays === undefined &&
      rule.abortIncompleteMultipartUploadDays === undefined
    ) {
      throw new SimulationConfigError(
        `S3Model lifecycle rule ${rule.id ?? index}: give expirationDays or ` +
          'abortIncompleteMultipartUploadDays (a rule needs an action).',
      );
    }
    checkDays(rule, 'expirationDays', index);
    checkDays(rule, 'abortIncompleteMultipartUploadDays', index);
  });
}

/** The earliest time any rule makes the item eligible, or undefined when none applies. */
export function earliestDue(
  rules: readonly S3LifecycleRule[],
  key: string,
  createdMs: number,
  action: 'expirationDays' | 'abortIncompleteMultipartUploadDays',
): number | undefined {
  let due: number | undefined;
  for (const rule of rules) {
    const days = rule[action];
    if (days === undefined || !key.startsWith(rule.prefix)) continue;
    const at = lifecycleDueTime(createdMs, days);
    due = due === undefined ? at : Math.min(due, at);
  }
  return due;
}
