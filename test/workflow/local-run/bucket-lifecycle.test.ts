import { describe, expect, it } from 'vitest';
import { lifecycleRulesOf } from '../../../src/workflow/local-run/bucket-lifecycle.js';
import { LocalRunConfigError } from '../../../src/workflow/local-run/errors.js';

describe('workflow local run: bucket lifecycle from the template', () => {
  it('maps enabled rules (Prefix or Filter.Prefix, expiration, upload abort); skips disabled ones', () => {
    expect(
      lifecycleRulesOf(
        {
          Rules: [
            {
              Id: 'ExpireExecutionData',
              Status: 'Enabled',
              Prefix: 'executions/',
              ExpirationInDays: 7,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
            { Status: 'Enabled', Filter: { Prefix: 'tmp/' }, ExpirationInDays: 1 },
            { Id: 'Off', Status: 'Disabled', ExpirationInDays: 1 },
          ],
        },
        'b',
      ),
    ).toEqual([
      {
        id: 'ExpireExecutionData',
        prefix: 'executions/',
        expirationDays: 7,
        abortIncompleteMultipartUploadDays: 1,
      },
      { id: '1', prefix: 'tmp/', expirationDays: 1 },
    ]);
    expect(lifecycleRulesOf(undefined, 'b')).toEqual([]);
  });

  it('refuses what it cannot emulate instead of ignoring it', () => {
    expect(() =>
      lifecycleRulesOf(
        { Rules: [{ Id: 'Cold', Status: 'Enabled', Transitions: [], ExpirationInDays: 9 }] },
        'b',
      ),
    ).toThrow(/Lifecycle rule 'Cold' of bucket 'b' uses Transitions/);
    expect(() =>
      lifecycleRulesOf(
        { Rules: [{ Status: 'Enabled', Filter: { TagFilters: [] }, ExpirationInDays: 9 }] },
        'b',
      ),
    ).toThrow(/Filter\.TagFilters/);
    expect(() => lifecycleRulesOf({}, 'b')).toThrow(LocalRunConfigError);
    expect(() =>
      lifecycleRulesOf({ Rules: [{ Id: 'P', Prefix: 3, ExpirationInDays: 1 }] }, 'b'),
    ).toThrow(/rule 'P' of bucket 'b' has a prefix that is not a string/);
  });
});
