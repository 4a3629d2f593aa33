import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DrsEnvVars } from '../../src/disaster-recovery/contract.js';
import { DisasterRecoveryOrchestration } from '../../src/disaster-recovery/construct.js';
import { expectNoNagFindings } from '../helpers/cdk-nag.js';
import { ENV, ROLE_A, newApp, validProps } from './construct-support.js';

describe('DisasterRecoveryOrchestration construct: cdk-nag', () => {
  it('has no unacknowledged finding, with cross-account roles and bundled handlers', () => {
    const app = newApp({ bundling: true });
    const stack = new Stack(app, 'DrStack', { env: ENV });
    new DisasterRecoveryOrchestration(
      stack,
      'Dr',
      validProps({ crossAccountRoleArns: [ROLE_A], alerts: { emails: ['dr@example.com'] } }),
    );
    expectNoNagFindings(stack);

    // Both real handlers are bundled and read the contract's variables.
    const outdir = app.synth().directory;
    const bundles = readdirSync(outdir)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(outdir, name, 'index.mjs'))
      .filter((file) => existsSync(file));
    expect(bundles).toHaveLength(2);
    for (const bundle of bundles) {
      expect(readFileSync(bundle, 'utf8')).toContain(DrsEnvVars.limiterTableName);
    }
  });

  it('has no unacknowledged finding in an environment-agnostic stack', () => {
    const stack = new Stack(newApp(), 'AgnosticStack');
    new DisasterRecoveryOrchestration(stack, 'Dr', validProps());
    expectNoNagFindings(stack);
  });
});
