import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CODE_DEFAULTS } from './function-code.js';
import type {
  FunctionCode,
  NodejsBundleFunctionCode,
  NodejsFunctionCode,
  PythonFunctionCode,
} from './function-code.js';
import {
  LIMITS,
  MONITORED_FUNCTION_DEFAULTS,
  RESERVED_ENVIRONMENT_KEYS,
  VALID_RETENTION_DAYS,
} from './defaults.js';
import { PropIssues, type PropIssue } from '../common/prop-issues.js';
import {
  DASHBOARD_NAME_MAX_LENGTH,
  DASHBOARD_NAME_PATTERN,
  FUNCTION_NAME_MAX_LENGTH,
  FUNCTION_NAME_PATTERN,
  TOPIC_NAME_MAX_LENGTH,
  TOPIC_NAME_PATTERN,
} from './naming.js';
import type {
  ErrorAlarmOptions,
  MonitoredFunctionAlarmOptions,
  MonitoredFunctionAsyncOptions,
  MonitoredFunctionConcurrencyOptions,
  MonitoredFunctionLogOptions,
  MonitoredFunctionProps,
  MonitoredFunctionVpcOptions,
  PercentAlarmOptions,
} from './props.js';
import { PYTHON_RUNTIMES, isPythonRuntime } from './python-runtimes.js';

/**
 * Checks every prop of a MonitoredFunction and returns every problem found (empty when valid).
 * Runs before any resource exists, so a bad prop never leaves a half-built construct. Values
 * that are tokens (resolved only at deploy time) are not range-checked.
 *
 * Hand-written rather than a zod schema: the props hold CDK objects (Duration, IVpc, IKey,
 * Runtime) and cross-field rules whose messages must name the prop and say how to fix it.
 */
export function validateMonitoredFunctionProps(props: MonitoredFunctionProps): PropIssue[] {
  const issues = new IssueCollector();
  validateFunctionName(issues, props.functionName);
  validateFunctionNaming(issues, props.functionNaming);
  validateCode(issues, props.code);
  validateArchitecture(issues, props.architecture);
  validateTimeout(issues, props.timeout);
  issues.integerInRange('memorySize', props.memorySize, LIMITS.memorySize, 'MB');
  validateEnvironment(issues, props.environment);
  validateDescription(issues, props.description);
  validateTags(issues, props.tags);
  validateAdditionalPolicies(issues, props.additionalPolicies);
  validateLogs(issues, props.logs);
  validateAlarms(issues, props.alarms);
  validateVpc(issues, props.vpc);
  validateAsync(issues, props.async);
  validateConcurrency(issues, props.concurrency);
  validateDashboard(issues, props.dashboard?.dashboardName);
  return issues.all();
}

class IssueCollector extends PropIssues {
  /** An optional whole number within [min, max]; tokens pass. */
  integerInRange(
    prop: string,
    value: number | undefined,
    range: { readonly min: number; readonly max: number },
    unit = '',
  ): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    if (!Number.isInteger(value) || value < range.min || value > range.max) {
      const suffix = unit ? ` ${unit}` : '';
      this.add(
        prop,
        `must be a whole number from ${range.min} to ${range.max}${suffix}; got ${String(value)}.`,
      );
    }
  }

  /** An optional literal string that must be non-empty. */
  nonEmptyString(prop: string, value: unknown, what: string): boolean {
    if (typeof value !== 'string' || value.trim() === '') {
      this.add(prop, `is required: ${what}.`);
      return false;
    }
    return true;
  }
}

function validateFunctionNaming(issues: IssueCollector, naming: unknown): void {
  if (naming !== undefined && naming !== 'explicit' && naming !== 'generated') {
    issues.add(
      'functionNaming',
      `must be 'explicit' (the function is named functionName) or 'generated' (CloudFormation names it); got ${JSON.stringify(naming)}.`,
    );
  }
}

function validateFunctionName(issues: IssueCollector, name: unknown): void {
  if (typeof name !== 'string' || name === '') {
    issues.add('functionName', 'is required: 1–64 characters of a-z, A-Z, 0-9, - and _.');
    return;
  }
  if (Token.isUnresolved(name)) {
    issues.add(
      'functionName',
      'must be a literal string, not a token: the log group, alarm topic and alarm names are derived from it at synth time.',
    );
    return;
  }
  if (name.length > FUNCTION_NAME_MAX_LENGTH || !FUNCTION_NAME_PATTERN.test(name)) {
    issues.add(
      'functionName',
      `must be 1–${FUNCTION_NAME_MAX_LENGTH} characters of a-z, A-Z, 0-9, - and _ (Lambda's rule); got "${name}".`,
    );
  }
}

function validateCode(issues: IssueCollector, code: FunctionCode | undefined): void {
  const kind = (code as { kind?: unknown } | undefined)?.kind;
  if (code === undefined || (kind !== 'python' && kind !== 'nodejs' && kind !== 'nodejs-bundle')) {
    issues.add(
      'code',
      'is required: use FunctionCode.python({ sourceDir, runtime }), FunctionCode.nodejs({ entry }) or FunctionCode.nodejsBundle({ directory }).',
    );
    return;
  }
  if (code.kind === 'python') {
    validatePythonCode(issues, code);
  } else if (code.kind === 'nodejs') {
    validateNodejsCode(issues, code);
  } else {
    validateNodejsBundleCode(issues, code);
  }
}

function validateNodejsBundleCode(issues: IssueCollector, code: NodejsBundleFunctionCode): void {
  validateNodejsRuntime(issues, code.runtime);
  const handler = code.handler ?? CODE_DEFAULTS.nodejsBundleHandler;
  const match = /^([^\s/]+)\.([A-Za-z_$][A-Za-z0-9_$]*)$/.exec(handler);
  if (match === null) {
    issues.add(
      'code.handler',
      `must look like "file.export" (e.g. "${CODE_DEFAULTS.nodejsBundleHandler}"); got "${handler}".`,
    );
  }
  if (
    !issues.nonEmptyString('code.directory', code.directory, 'the folder holding the bundle') ||
    match === null
  ) {
    return;
  }
  if (!existsSync(code.directory) || !statSync(code.directory).isDirectory()) {
    issues.add('code.directory', `must be an existing folder; ${code.directory} is not one.`);
    return;
  }
  const file = match[1] ?? '';
  const found = ['.mjs', '.js', '.cjs'].some((extension) =>
    existsSync(join(code.directory, file + extension)),
  );
  if (!found) {
    issues.add(
      'code.directory',
      `must hold ${file}.mjs, ${file}.js or ${file}.cjs (named by code.handler "${handler}"); ${code.directory} has none. Run the build that produces the bundle (npm run build).`,
    );
  }
}

function validateNodejsRuntime(issues: IssueCollector, runtime: lambda.Runtime | undefined): void {
  if (runtime !== undefined && nodejsMajorOf(runtime) === undefined) {
    const name = runtime instanceof lambda.Runtime ? runtime.name : String(runtime);
    issues.add(
      'code.runtime',
      `must be a pinned Node.js runtime, nodejs${CODE_DEFAULTS.minimumNodejsMajor}.x or newer (the bundle targets its version); got ${name}. Use e.g. lambda.Runtime.NODEJS_22_X.`,
    );
  }
}

function validatePythonCode(issues: IssueCollector, code: PythonFunctionCode): void {
  if (
    issues.nonEmptyString('code.sourceDir', code.sourceDir, "the folder with the handler's sources")
  ) {
    if (!existsSync(code.sourceDir) || !statSync(code.sourceDir).isDirectory()) {
      issues.add('code.sourceDir', `must be an existing folder; ${code.sourceDir} is not one.`);
    }
  }
  if (!(code.runtime instanceof lambda.Runtime) || !isPythonRuntime(code.runtime)) {
    const name = code.runtime instanceof lambda.Runtime ? code.runtime.name : String(code.runtime);
    issues.add(
      'code.runtime',
      `must be one of ${PYTHON_RUNTIMES.map((r) => r.name).join(', ')}; got ${name}.`,
    );
  }
  if (code.handler !== undefined && !isPythonHandler(code.handler)) {
    issues.add(
      'code.handler',
      `must look like "module.function" (e.g. "${CODE_DEFAULTS.pythonHandler}"), without spaces, at most ${LIMITS.handlerLength} characters; got "${code.handler}".`,
    );
  }
}

function isPythonHandler(handler: string): boolean {
  return (
    handler.length <= LIMITS.handlerLength && /^[^\s.][^\s]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(handler)
  );
}

function validateNodejsCode(issues: IssueCollector, code: NodejsFunctionCode): void {
  if (issues.nonEmptyString('code.entry', code.entry, "the handler's entry file (.ts or .js)")) {
    if (!existsSync(code.entry) || !statSync(code.entry).isFile()) {
      issues.add('code.entry', `must be an existing file; ${code.entry} is not one.`);
    }
  }
  validateNodejsRuntime(issues, code.runtime);
  if (code.handler !== undefined && !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(code.handler)) {
    issues.add(
      'code.handler',
      `must be the name of the exported handler function (a JavaScript identifier such as "handler"); got "${code.handler}".`,
    );
  }
  const format = code.bundling?.format;
  if (format !== undefined && format !== 'esm' && format !== 'cjs') {
    issues.add('code.bundling.format', `must be 'esm' or 'cjs'; got ${String(format)}.`);
  }
}

/** The Node.js major version of a pinned, still-creatable Node.js runtime; else undefined. */
export function nodejsMajorOf(runtime: lambda.Runtime): number | undefined {
  if (
    !(runtime instanceof lambda.Runtime) ||
    runtime.family !== lambda.RuntimeFamily.NODEJS ||
    runtime.isVariable
  ) {
    return undefined;
  }
  const match = /^nodejs(\d+)\.x$/.exec(runtime.name);
  const major = match ? Number(match[1]) : undefined;
  return major !== undefined && major >= CODE_DEFAULTS.minimumNodejsMajor ? major : undefined;
}

function validateArchitecture(
  issues: IssueCollector,
  architecture: lambda.Architecture | undefined,
): void {
  if (architecture === undefined) {
    return;
  }
  const names = [lambda.Architecture.ARM_64.name, lambda.Architecture.X86_64.name];
  if (!(architecture instanceof lambda.Architecture) || !names.includes(architecture.name)) {
    issues.add('architecture', 'must be lambda.Architecture.ARM_64 or lambda.Architecture.X86_64.');
  }
}

function validateTimeout(issues: IssueCollector, timeout: Duration | undefined): void {
  validateWholeSeconds(issues, 'timeout', timeout, LIMITS.timeoutSeconds);
}

function validateWholeSeconds(
  issues: IssueCollector,
  prop: string,
  value: Duration | undefined,
  range: { readonly min: number; readonly max: number },
): void {
  if (value === undefined) {
    return;
  }
  if (!(value instanceof Duration)) {
    issues.add(prop, `must be a Duration (e.g. Duration.seconds(${range.min})).`);
    return;
  }
  if (value.isUnresolved()) {
    return;
  }
  const millis = value.toMilliseconds();
  if (millis % 1000 !== 0 || millis < range.min * 1000 || millis > range.max * 1000) {
    issues.add(
      prop,
      `must be whole seconds from ${range.min} to ${range.max}; got ${value.toHumanString()}.`,
    );
  }
}

function validateEnvironment(
  issues: IssueCollector,
  environment: Readonly<Record<string, string>> | undefined,
): void {
  if (environment === undefined) {
    return;
  }
  for (const [key, value] of Object.entries(environment)) {
    if (!/^[a-zA-Z][a-zA-Z0-9_]+$/.test(key)) {
      issues.add(
        `environment.${key}`,
        'is not a valid variable name: Lambda accepts [a-zA-Z][a-zA-Z0-9_]+ (at least two characters).',
      );
    } else if (RESERVED_ENVIRONMENT_KEYS.has(key)) {
      issues.add(`environment.${key}`, 'is reserved by Lambda and cannot be set: rename it.');
    }
    if (typeof value !== 'string') {
      issues.add(`environment.${key}`, `must be a string; got ${typeof value}.`);
    }
  }
  const literal = Object.values(environment).every((v) => !Token.isUnresolved(v));
  // Lambda measures the variables as JSON text against its 4 KB limit.
  const bytes = Buffer.byteLength(JSON.stringify(environment), 'utf8');
  if (literal && bytes > LIMITS.environmentBytes) {
    issues.add(
      'environment',
      `is ${bytes} bytes as JSON; Lambda allows ${LIMITS.environmentBytes}. Move large values to SSM Parameter Store or Secrets Manager.`,
    );
  }
}

function validateDescription(issues: IssueCollector, description: string | undefined): void {
  if (description !== undefined && !Token.isUnresolved(description)) {
    if (description.length > LIMITS.descriptionLength) {
      issues.add(
        'description',
        `must be at most ${LIMITS.descriptionLength} characters; got ${description.length}.`,
      );
    }
  }
}

function validateTags(
  issues: IssueCollector,
  tags: Readonly<Record<string, string>> | undefined,
): void {
  const allowed = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (key.length === 0 || key.length > LIMITS.tagKeyLength || !allowed.test(key)) {
      issues.add(
        `tags.${key}`,
        `key must be 1–${LIMITS.tagKeyLength} letters, digits, spaces or _ . : / = + - @.`,
      );
    } else if (key.toLowerCase().startsWith('aws:')) {
      issues.add(`tags.${key}`, 'key must not start with "aws:" (reserved for AWS).');
    }
    if (typeof value !== 'string' || value.length > LIMITS.tagValueLength || !allowed.test(value)) {
      issues.add(
        `tags.${key}`,
        `value must be at most ${LIMITS.tagValueLength} letters, digits, spaces or _ . : / = + - @.`,
      );
    }
  }
}

const MANAGED_POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;

function validateAdditionalPolicies(
  issues: IssueCollector,
  policies: MonitoredFunctionProps['additionalPolicies'],
): void {
  const seen = new Set<string>();
  (policies ?? []).forEach((policy, index) => {
    const prop = `additionalPolicies[${index}]`;
    if (typeof policy !== 'string') {
      if (typeof policy !== 'object' || policy === null || !('managedPolicyArn' in policy)) {
        issues.add(prop, 'must be a managed policy ARN or an iam.IManagedPolicy.');
      }
      return;
    }
    if (Token.isUnresolved(policy)) {
      return;
    }
    if (!MANAGED_POLICY_ARN.test(policy)) {
      issues.add(
        prop,
        `must be a managed policy ARN such as arn:aws:iam::123456789012:policy/my-policy or arn:aws:iam::aws:policy/ReadOnlyAccess; got "${policy}".`,
      );
    } else if (seen.has(policy)) {
      issues.add(prop, `repeats ${policy}: list each policy once.`);
    }
    seen.add(policy);
  });
}

function validateLogs(
  issues: IssueCollector,
  options: MonitoredFunctionLogOptions | undefined,
): void {
  const retention = options?.retention;
  if (retention !== undefined && !Token.isUnresolved(retention)) {
    if (!VALID_RETENTION_DAYS.includes(retention)) {
      issues.add(
        'logs.retention',
        `must be one of the values CloudWatch Logs accepts (logs.RetentionDays: ${VALID_RETENTION_DAYS.join(', ')} days); got ${String(retention)}.`,
      );
    }
  }
  const removalPolicy = options?.removalPolicy;
  if (
    removalPolicy !== undefined &&
    !(Object.values(RemovalPolicy) as string[]).includes(removalPolicy)
  ) {
    issues.add('logs.removalPolicy', `must be a RemovalPolicy; got ${String(removalPolicy)}.`);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validateAlarms(
  issues: IssueCollector,
  options: MonitoredFunctionAlarmOptions | undefined,
): void {
  const emails = options?.emails ?? [];
  const seen = new Set<string>();
  emails.forEach((email, index) => {
    const prop = `alarms.emails[${index}]`;
    if (typeof email !== 'string' || !EMAIL.test(email)) {
      issues.add(prop, `must be an email address such as ops@example.com; got "${String(email)}".`);
      return;
    }
    const normalized = email.toLowerCase();
    if (seen.has(normalized)) {
      issues.add(prop, `repeats ${email}: list each address once.`);
    }
    seen.add(normalized);
  });
  const iso27001 = options?.iso27001 ?? true;
  if (iso27001 && emails.length === 0) {
    issues.add(
      'alarms.emails',
      'must contain at least one address when alarms.iso27001 is true (the default). Add an address or set alarms.iso27001 to false.',
    );
  }
  const topicName = options?.topicName;
  if (topicName !== undefined && !Token.isUnresolved(topicName)) {
    if (topicName.length > TOPIC_NAME_MAX_LENGTH || !TOPIC_NAME_PATTERN.test(topicName)) {
      issues.add(
        'alarms.topicName',
        `must be 1–${TOPIC_NAME_MAX_LENGTH} characters of a-z, A-Z, 0-9, - and _; got "${topicName}".`,
      );
    }
  }
  validateErrorAlarm(issues, options?.errors);
  validatePercentAlarm(issues, 'alarms.duration', options?.duration);
  validatePercentAlarm(issues, 'alarms.memory', options?.memory);
}

function validateErrorAlarm(issues: IssueCollector, options: ErrorAlarmOptions | undefined): void {
  if (options === undefined) {
    return;
  }
  const strategy: unknown = options.strategy;
  if (strategy !== 'immediate' && strategy !== 'threshold') {
    issues.add(
      'alarms.errors.strategy',
      `must be 'immediate' or 'threshold'; got ${String(strategy)}.`,
    );
    return;
  }
  if (options.strategy === 'immediate') {
    const extra = ['thresholdPercent', 'evaluationPeriods', 'datapointsToAlarm'].filter(
      (key) => (options as unknown as Record<string, unknown>)[key] !== undefined,
    );
    if (extra.length > 0) {
      issues.add(
        `alarms.errors.${extra[0]}`,
        "only applies when alarms.errors.strategy is 'threshold'; the immediate strategy alarms on the first error in one period.",
      );
    }
    return;
  }
  const percent = options.thresholdPercent;
  if (percent !== undefined && !(Number.isFinite(percent) && percent >= 0 && percent < 100)) {
    issues.add(
      'alarms.errors.thresholdPercent',
      `must be a percentage from 0 (inclusive) to 100 (exclusive): an error rate can never exceed 100%; got ${String(percent)}.`,
    );
  }
  validatePeriods(
    issues,
    'alarms.errors',
    options.evaluationPeriods,
    options.datapointsToAlarm,
    MONITORED_FUNCTION_DEFAULTS.errorEvaluationPeriods,
  );
}

function validatePercentAlarm(
  issues: IssueCollector,
  prefix: string,
  options: PercentAlarmOptions | undefined,
): void {
  if (options === undefined) {
    return;
  }
  const percent = options.thresholdPercent;
  if (percent !== undefined && !(Number.isFinite(percent) && percent > 0 && percent < 100)) {
    issues.add(
      `${prefix}.thresholdPercent`,
      `must be a percentage greater than 0 and less than 100; got ${String(percent)}.`,
    );
  }
  validatePeriods(
    issues,
    prefix,
    options.evaluationPeriods,
    options.datapointsToAlarm,
    MONITORED_FUNCTION_DEFAULTS.percentEvaluationPeriods,
  );
}

function validatePeriods(
  issues: IssueCollector,
  prefix: string,
  evaluationPeriods: number | undefined,
  datapointsToAlarm: number | undefined,
  defaultEvaluationPeriods: number,
): void {
  issues.integerInRange(`${prefix}.evaluationPeriods`, evaluationPeriods, LIMITS.evaluationPeriods);
  issues.integerInRange(`${prefix}.datapointsToAlarm`, datapointsToAlarm, LIMITS.evaluationPeriods);
  const periods = evaluationPeriods ?? defaultEvaluationPeriods;
  if (datapointsToAlarm !== undefined && datapointsToAlarm > periods) {
    const which = evaluationPeriods === undefined ? `${periods}, the default` : `${periods}`;
    issues.add(
      `${prefix}.datapointsToAlarm`,
      `(${datapointsToAlarm}) must not exceed ${prefix}.evaluationPeriods (${which}): an alarm cannot need more breaching periods than it evaluates.`,
    );
  }
}

function validateVpc(
  issues: IssueCollector,
  options: MonitoredFunctionVpcOptions | undefined,
): void {
  if (options === undefined) {
    return;
  }
  if (options.vpc === undefined) {
    issues.add('vpc.vpc', 'is required when vpc is set: pass the ec2.IVpc the subnets belong to.');
  }
  if (options.subnets === undefined) {
    issues.add(
      'vpc.subnets',
      'is required when vpc is set: select the subnets for the function, e.g. { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }.',
    );
  }
  if (options.securityGroups === undefined || options.securityGroups.length === 0) {
    issues.add(
      'vpc.securityGroups',
      'must contain at least one security group when vpc.subnets is set: the function network interfaces need one, and their permissions are scoped to it.',
    );
  }
}

function validateAsync(
  issues: IssueCollector,
  options: MonitoredFunctionAsyncOptions | undefined,
): void {
  issues.integerInRange('async.retryAttempts', options?.retryAttempts, LIMITS.retryAttempts);
  validateWholeSeconds(
    issues,
    'async.maxEventAge',
    options?.maxEventAge,
    LIMITS.maxEventAgeSeconds,
  );
}

function validateConcurrency(
  issues: IssueCollector,
  options: MonitoredFunctionConcurrencyOptions | undefined,
): void {
  const reserved = options?.reserved;
  const provisioned = options?.provisioned;
  issues.integerInRange('concurrency.reserved', reserved, { min: 0, max: Number.MAX_SAFE_INTEGER });
  issues.integerInRange('concurrency.provisioned', provisioned, {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  });
  if (
    reserved !== undefined &&
    provisioned !== undefined &&
    !Token.isUnresolved(reserved) &&
    !Token.isUnresolved(provisioned) &&
    provisioned > reserved
  ) {
    issues.add(
      'concurrency.provisioned',
      `(${provisioned}) must not exceed concurrency.reserved (${reserved}): Lambda cannot provision more environments than the function may run.`,
    );
  }
}

function validateDashboard(issues: IssueCollector, name: string | undefined): void {
  if (name !== undefined && !Token.isUnresolved(name)) {
    if (name.length > DASHBOARD_NAME_MAX_LENGTH || !DASHBOARD_NAME_PATTERN.test(name)) {
      issues.add(
        'dashboard.dashboardName',
        `must be 1–${DASHBOARD_NAME_MAX_LENGTH} characters of a-z, A-Z, 0-9, - and _; got "${name}".`,
      );
    }
  }
}
