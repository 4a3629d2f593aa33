/**
 * A synthesized bucket's `LifecycleConfiguration` as S3 model lifecycle rules, so that the
 * local world expires `executions/` exactly as the deployed bucket is configured to.
 */
import type { S3LifecycleRule } from '../../simulation/models/s3-lifecycle.js';
import { LocalRunConfigError } from './errors.js';

interface CfnLifecycleRule {
  readonly Id?: unknown;
  readonly Status?: unknown;
  readonly Prefix?: unknown;
  readonly Filter?: { readonly Prefix?: unknown; readonly [other: string]: unknown };
  readonly ExpirationInDays?: unknown;
  readonly AbortIncompleteMultipartUpload?: { readonly DaysAfterInitiation?: unknown };
  readonly [other: string]: unknown;
}

/** What the model can apply: prefix filters, expiration in days, incomplete-upload abort. */
const SUPPORTED = new Set([
  'Id',
  'Status',
  'Prefix',
  'Filter',
  'ExpirationInDays',
  'AbortIncompleteMultipartUpload',
]);

/**
 * The enabled rules of a resolved `LifecycleConfiguration`. A rule the model cannot apply
 * (tag or size filters, transitions, dates, noncurrent versions) is refused rather than
 * ignored, so a local run never claims a lifecycle it did not emulate.
 */
export function lifecycleRulesOf(configuration: unknown, bucket: string): S3LifecycleRule[] {
  const rules = (configuration as { Rules?: unknown } | undefined)?.Rules;
  if (configuration === undefined) return [];
  if (!Array.isArray(rules)) {
    throw new LocalRunConfigError(
      `The LifecycleConfiguration of bucket '${bucket}' has no Rules list.`,
    );
  }
  return (rules as CfnLifecycleRule[])
    .filter((rule) => rule.Status !== 'Disabled')
    .map((rule, index) => {
      const name = typeof rule.Id === 'string' ? rule.Id : String(index);
      const unsupported = [
        ...Object.keys(rule).filter((key) => !SUPPORTED.has(key)),
        ...Object.keys(rule.Filter ?? {})
          .filter((key) => key !== 'Prefix')
          .map((key) => `Filter.${key}`),
      ];
      if (unsupported.length > 0) {
        throw new LocalRunConfigError(
          `Lifecycle rule '${name}' of bucket '${bucket}' uses ${unsupported.join(', ')}, which ` +
            'the local run cannot emulate (it applies prefix filters, ExpirationInDays and ' +
            'AbortIncompleteMultipartUpload).',
        );
      }
      const prefix = rule.Filter?.Prefix ?? rule.Prefix ?? '';
      if (typeof prefix !== 'string') {
        throw new LocalRunConfigError(
          `Lifecycle rule '${name}' of bucket '${bucket}' has a prefix that is not a string.`,
        );
      }
      const expiration = rule.ExpirationInDays;
      const abort = rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation;
      return {
        id: name,
        prefix,
        ...(expiration === undefined ? {} : { expirationDays: Number(expiration) }),
        ...(abort === undefined ? {} : { abortIncompleteMultipartUploadDays: Number(abort) }),
      };
    });
}
