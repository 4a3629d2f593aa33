/**
 * Reads a synthesized CloudFormation template the way CloudFormation would deploy it, as far as
 * a local run needs: finds the state machine, and renders its `DefinitionString` by resolving
 * the intrinsic functions CDK emits (`Fn::Join`, `Fn::GetAtt`, `Ref`, `Fn::Sub`, `Fn::Select`)
 * to deterministic fake names and ARNs, so the definition can be interpreted as is.
 *
 * Hand-written: no maintained library resolves CloudFormation intrinsics offline (cfn-resolver
 * style packages are unmaintained), and the subset CDK emits for a state machine is small.
 */
import { LocalRunConfigError } from './errors.js';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
  readonly Parameters?: Readonly<Record<string, { readonly Default?: unknown }>>;
}

export interface RenderAccount {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** @default 'LocalStack' */
  readonly stackName?: string;
}

export type WorkflowType = 'EXPRESS' | 'STANDARD';

/** A JSON state of the definition (the interpreter validates the rest). */
export type AslState = Readonly<Record<string, unknown>> & { readonly Type: string };

export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
  readonly TimeoutSeconds?: number;
  readonly [field: string]: unknown;
}

export interface RenderedStateMachine {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly type: WorkflowType;
  readonly definition: AslDefinition;
}

const STATE_MACHINE = 'AWS::StepFunctions::StateMachine';
const NO_VALUE = Symbol('AWS::NoValue');

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves intrinsic functions of one template to fake, deterministic values. */
export class TemplateResolver {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  private readonly resources: Readonly<Record<string, CfnResource>>;
  private readonly resolving = new Set<string>();

  constructor(
    private readonly template: CfnTemplate,
    account: RenderAccount = {},
  ) {
    if (!isObject(template) || !isObject(template.Resources)) {
      throw new LocalRunConfigError(
        'The template has no Resources object: pass a synthesized CloudFormation template ' +
          '(Template.fromStack(stack).toJSON() or cdk.out/<Stack>.template.json).',
      );
    }
    this.resources = template.Resources as Readonly<Record<string, CfnResource>>;
    this.region = account.region ?? 'us-east-1';
    this.accountId = account.accountId ?? '123456789012';
    this.stackName = account.stackName ?? 'LocalStack';
  }

  resource(logicalId: string): CfnResource {
    const resource = this.resources[logicalId];
    if (resource === undefined) {
      throw new LocalRunConfigError(`The template has no resource '${logicalId}'.`);
    }
    return resource;
  }

  /** Logical ids of the resources of a type, in template order. */
  logicalIdsOf(type: string): string[] {
    return Object.entries(this.resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id]) => id);
  }

  /** Resolves every intrinsic function in `value`. */
  resolve(value: unknown): unknown {
    const resolved = this.resolveValue(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** Resolves `value` and requires a string. */
  resolveString(value: unknown, where: string): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') {
      throw new LocalRunConfigError(
        `${where} does not resolve to a string: ${JSON.stringify(value)}.`,
      );
    }
    return resolved;
  }

  /** The physical name a resource gets: its name property when set, else one from its id. */
  physicalName(logicalId: string): string {
    const resource = this.resource(logicalId);
    const nameProperty = NAME_PROPERTIES[resource.Type];
    const given = nameProperty === undefined ? undefined : resource.Properties?.[nameProperty];
    if (given !== undefined)
      return this.guarded(logicalId, () =>
        this.resolveString(given, `${logicalId}.${nameProperty}`),
      );
    const base = `${this.stackName}-${logicalId}`;
    // S3 bucket names are lower case; Lambda names at most 64 characters.
    if (resource.Type === 'AWS::S3::Bucket') return base.toLowerCase().slice(0, 63);
    return base.slice(0, 64);
  }

  /** `Ref` of a resource, as CloudFormation answers it for that type. */
  ref(logicalId: string): string {
    const resource = this.resource(logicalId);
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.region}.amazonaws.com/${this.accountId}/${this.physicalName(logicalId)}`;
      case 'AWS::SNS::Topic':
      case STATE_MACHINE:
        return this.getAtt(logicalId, 'Arn');
      default:
        return NAME_PROPERTIES[resource.Type] === undefined
          ? logicalId
          : this.physicalName(logicalId);
    }
  }

  /** `Fn::GetAtt` of a resource. */
  getAtt(logicalId: string, attribute: string): string {
    const resource = this.resource(logicalId);
    const name = (): string => this.physicalName(logicalId);
    const arn = ARN_FORMATS[resource.Type];
    if (attribute === 'Arn' && arn !== undefined) {
      return arn({ region: this.region, account: this.accountId, name: name() });
    }
    if (attribute === 'Name' || attribute === 'QueueName' || attribute === 'TopicName')
      return name();
    if (attribute === 'QueueUrl') return this.ref(logicalId);
    // Anything else gets a recognisable fake value.
    return `${logicalId}.${attribute}`;
  }

  private guarded<T>(logicalId: string, body: () => T): T {
    if (this.resolving.has(logicalId)) {
      throw new LocalRunConfigError(`The name of resource '${logicalId}' refers to itself.`);
    }
    this.resolving.add(logicalId);
    try {
      return body();
    } finally {
      this.resolving.delete(logicalId);
    }
  }

  private pseudo(name: string): string | typeof NO_VALUE | undefined {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${this.stackName}/local`;
      case 'AWS::NoValue':
        return NO_VALUE;
      default:
        return undefined;
    }
  }

  private resolveRef(target: unknown): unknown {
    if (typeof target !== 'string') {
      throw new LocalRunConfigError(`Ref needs a name, got ${JSON.stringify(target)}.`);
    }
    const pseudo = this.pseudo(target);
    if (pseudo !== undefined) return pseudo;
    const parameter = this.template.Parameters?.[target];
    if (parameter !== undefined) {
      if (parameter.Default === undefined) {
        throw new LocalRunConfigError(
          `Ref to template parameter '${target}', which has no Default: a local run cannot ask for it.`,
        );
      }
      return parameter.Default;
    }
    return this.ref(target);
  }

  private resolveGetAtt(args: unknown): string {
    const parts = typeof args === 'string' ? args.split('.') : args;
    if (!Array.isArray(parts) || parts.length < 2 || typeof parts[0] !== 'string') {
      throw new LocalRunConfigError(
        `Fn::GetAtt needs [logicalId, attribute], got ${JSON.stringify(args)}.`,
      );
    }
    const [logicalId, ...rest] = parts as unknown[];
    return this.getAtt(
      logicalId as string,
      rest.map((part) => String(this.resolve(part))).join('.'),
    );
  }

  private resolveJoin(args: unknown): string {
    if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string') {
      throw new LocalRunConfigError(
        `Fn::Join needs [delimiter, [values]], got ${JSON.stringify(args)}.`,
      );
    }
    const values = this.resolve(args[1]);
    if (!Array.isArray(values)) {
      throw new LocalRunConfigError(
        `Fn::Join's values must be a list, got ${JSON.stringify(args[1])}.`,
      );
    }
    return values
      .filter((value) => value !== undefined)
      .map(String)
      .join(args[0]);
  }

  private resolveSub(args: unknown): string {
    const [text, variables] = (Array.isArray(args) ? args : [args, {}]) as unknown[];
    if (typeof text !== 'string' || !isObject(variables)) {
      throw new LocalRunConfigError(
        `Fn::Sub needs a string or [string, {variables}], got ${JSON.stringify(args)}.`,
      );
    }
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      const dot = name.indexOf('.');
      if (dot > 0) return this.getAtt(name.slice(0, dot), name.slice(dot + 1));
      return String(this.resolveRef(name));
    });
  }

  private resolveSelect(args: unknown): unknown {
    if (!Array.isArray(args) || args.length !== 2) {
      throw new LocalRunConfigError(
        `Fn::Select needs [index, [values]], got ${JSON.stringify(args)}.`,
      );
    }
    const index = Number(this.resolve(args[0]));
    const values = this.resolve(args[1]);
    if (!Array.isArray(values) || !Number.isInteger(index) || index < 0 || index >= values.length) {
      throw new LocalRunConfigError(`Fn::Select index ${index} is outside its list.`);
    }
    return values[index] as unknown;
  }

  private resolveValue(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolveValue(item)).filter((item) => item !== NO_VALUE);
    }
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const args = value[key];
      switch (key) {
        case 'Ref':
          return this.resolveRef(args);
        case 'Fn::GetAtt':
          return this.resolveGetAtt(args);
        case 'Fn::Join':
          return this.resolveJoin(args);
        case 'Fn::Sub':
          return this.resolveSub(args);
        case 'Fn::Select':
          return this.resolveSelect(args);
        default:
          if (key.startsWith('Fn::')) {
            throw new LocalRunConfigError(
              `The intrinsic function ${key} is not supported by the local run; ` +
                'it resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub and Fn::Select.',
            );
          }
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = this.resolveValue(item);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }
}

/** The property that names a resource of a type, when the template may set it. */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Glue::Job': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Pipes::Pipe': 'Name',
  [STATE_MACHINE]: 'StateMachineName',
};

type ArnFormat = (parts: { region: string; account: string; name: string }) => string;

const ARN_FORMATS: Readonly<Record<string, ArnFormat>> = {
  'AWS::Lambda::Function': (p) => `arn:aws:lambda:${p.region}:${p.account}:function:${p.name}`,
  'AWS::S3::Bucket': (p) => `arn:aws:s3:::${p.name}`,
  'AWS::SQS::Queue': (p) => `arn:aws:sqs:${p.region}:${p.account}:${p.name}`,
  'AWS::SNS::Topic': (p) => `arn:aws:sns:${p.region}:${p.account}:${p.name}`,
  'AWS::IAM::Role': (p) => `arn:aws:iam::${p.account}:role/${p.name}`,
  'AWS::Logs::LogGroup': (p) => `arn:aws:logs:${p.region}:${p.account}:log-group:${p.name}:*`,
  'AWS::Glue::Job': (p) => `arn:aws:glue:${p.region}:${p.account}:job/${p.name}`,
  [STATE_MACHINE]: (p) => `arn:aws:states:${p.region}:${p.account}:stateMachine:${p.name}`,
};

/** Picks the state machine: the one given, or the template's only one. */
export function selectStateMachine(resolver: TemplateResolver, logicalId?: string): string {
  const ids = resolver.logicalIdsOf(STATE_MACHINE);
  if (logicalId !== undefined) {
    if (!ids.includes(logicalId)) {
      throw new LocalRunConfigError(
        `'${logicalId}' is not a state machine of the template; it has: ${ids.join(', ') || 'none'}.`,
      );
    }
    return logicalId;
  }
  if (ids.length === 1) return ids[0];
  throw new LocalRunConfigError(
    ids.length === 0
      ? `The template has no ${STATE_MACHINE}: synthesize a stack that contains an S3Workflow.`
      : `The template has ${ids.length} state machines (${ids.join(', ')}): name the one to run.`,
  );
}

function parseDefinition(text: string, logicalId: string): AslDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LocalRunConfigError(
      `The DefinitionString of '${logicalId}' is not JSON once resolved: ${(error as Error).message}.`,
      { cause: error },
    );
  }
  if (!isObject(parsed) || typeof parsed.StartAt !== 'string' || !isObject(parsed.States)) {
    throw new LocalRunConfigError(
      `The definition of '${logicalId}' has no StartAt/States: it is not an ASL state machine.`,
    );
  }
  return parsed as AslDefinition;
}

/** Renders the definition of a state machine of the template (see the module comment). */
export function renderStateMachine(
  resolver: TemplateResolver,
  logicalId?: string,
): RenderedStateMachine {
  const id = selectStateMachine(resolver, logicalId);
  const properties = resolver.resource(id).Properties ?? {};
  let definition: AslDefinition;
  if (properties.DefinitionString !== undefined) {
    let text = resolver.resolveString(properties.DefinitionString, `${id}.DefinitionString`);
    const substitutions = properties.DefinitionSubstitutions;
    if (isObject(substitutions)) {
      for (const [name, value] of Object.entries(substitutions)) {
        text = text.split(`\${${name}}`).join(String(resolver.resolve(value)));
      }
    }
    definition = parseDefinition(text, id);
  } else if (isObject(properties.Definition)) {
    definition = parseDefinition(JSON.stringify(resolver.resolve(properties.Definition)), id);
  } else {
    throw new LocalRunConfigError(
      `State machine '${id}' has neither DefinitionString nor Definition (an S3 location ` +
        'cannot be read locally).',
    );
  }
  const type = properties.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
  return {
    logicalId: id,
    name: resolver.physicalName(id),
    arn: resolver.getAtt(id, 'Arn'),
    type,
    definition,
  };
}

/** The logical id of the Lambda function whose fake ARN or name is `functionName`, if any. */
export function lambdaLogicalIdOf(
  resolver: TemplateResolver,
  functionName: string,
): string | undefined {
  // Drop a version or alias qualifier: arn:aws:lambda:r:a:function:name[:qualifier].
  const parts = functionName.split(':');
  const name = parts.length >= 7 ? parts[6] : functionName;
  return resolver
    .logicalIdsOf('AWS::Lambda::Function')
    .find((id) => resolver.physicalName(id) === name);
}
