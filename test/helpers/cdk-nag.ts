import { Stage } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** One cdk-nag finding that no acknowledgement covers. */
export interface NagFinding {
  /** e.g. `AwsSolutions-IAM5[Resource::*]` or `AwsSolutions-SQS3`. */
  readonly ruleId: string;
  /** cdk-nag's level: errors and warnings both count as findings here. */
  readonly level: 'error' | 'warning';
  /** Construct path of the offending L1 resource, e.g. `Stack/Fn/Role/Resource`. */
  readonly constructPath: string;
  /** What the rule checks. */
  readonly description: string;
}

export interface NagCheckOptions {
  /**
   * The rule pack.
   * @default new AwsSolutionsChecks()
   */
  readonly pack?: NagPack;
}

/**
 * Runs a cdk-nag pack (AwsSolutions by default) over `scope` — a stack, a stage or a whole app —
 * and returns every finding not acknowledged with `Validations.of(x).acknowledge(...)`, errors
 * and warnings alike.
 *
 * The stage that holds `scope` is synthesized first, so aspects and lazy values are final when
 * the rules read the construct tree (synthesis is cached: a later `Template.fromStack` reuses
 * it). The pack is run directly rather than registered with `Validations.of(app).addPlugins`,
 * so findings come back as data instead of a failed synthesis.
 */
export function nagFindings(scope: IConstruct, options: NagCheckOptions = {}): NagFinding[] {
  Stage.of(scope)?.synth();
  const pack = options.pack ?? new AwsSolutionsChecks();
  const report = pack.validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      ruleId: violation.ruleName,
      level: violation.severity === 'warning' ? ('warning' as const) : ('error' as const),
      constructPath: resource.constructPath ?? '(unknown construct)',
      description: violation.description,
    })),
  );
}

/** One finding per line: `[error] AwsSolutions-IAM5[...] at Stack/Fn/Role/Resource: ...`. */
export function formatNagFindings(findings: readonly NagFinding[]): string {
  return findings
    .map((f) => `[${f.level}] ${f.ruleId} at ${f.constructPath}: ${f.description}`)
    .join('\n');
}

/**
 * Throws, listing each finding on its own line, unless `scope` has no unacknowledged cdk-nag
 * error or warning. Use it as the last assertion of a stack test.
 */
export function expectNoNagFindings(scope: IConstruct, options: NagCheckOptions = {}): void {
  const findings = nagFindings(scope, options);
  if (findings.length > 0) {
    throw new Error(
      `cdk-nag reported ${findings.length} unacknowledged finding(s) in ${scope.node.path || '(app)'}:\n` +
        `${formatNagFindings(findings)}\n` +
        'Fix the resource, or acknowledge the finding on that resource with ' +
        "Validations.of(resource).acknowledge({ id: '<ruleId>', reason: '<why it is acceptable>' }).",
    );
  }
}
