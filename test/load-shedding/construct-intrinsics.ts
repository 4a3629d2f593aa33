/**
 * Evaluates the few CloudFormation intrinsic functions the construct derives ARNs and
 * dimensions with (Fn::Join, Fn::Select, Fn::Split, Fn::ImportValue, Ref), so that tests can
 * check what a deploy-time expression gives for a given ARN.
 */
export interface IntrinsicValues {
  /** Values of `Fn::ImportValue` exports, by name. */
  readonly imports?: Readonly<Record<string, string>>;
  /** Values of `Ref`, by logical id or pseudo parameter. */
  readonly refs?: Readonly<Record<string, string>>;
}

export function evaluateIntrinsics(node: unknown, values: IntrinsicValues): unknown {
  const visit = (value: unknown): unknown => evaluateIntrinsics(value, values);
  if (Array.isArray(node)) return node.map(visit);
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.length !== 1) {
    return Object.fromEntries(entries.map(([key, value]) => [key, visit(value)]));
  }
  const [[fn, args]] = entries;
  switch (fn) {
    case 'Fn::Join': {
      const [delimiter, items] = args as [string, unknown[]];
      return items.map((item) => String(visit(item))).join(delimiter);
    }
    case 'Fn::Select': {
      const [index, list] = args as [number | string, unknown];
      return (visit(list) as unknown[])[Number(index)];
    }
    case 'Fn::Split': {
      const [delimiter, source] = args as [string, unknown];
      return String(visit(source)).split(delimiter);
    }
    case 'Fn::ImportValue':
      return lookup(values.imports, String(visit(args)), fn);
    case 'Ref':
      return lookup(values.refs, String(args), fn);
    default:
      return { [fn]: visit(args) };
  }
}

function lookup(
  table: Readonly<Record<string, string>> | undefined,
  key: string,
  fn: string,
): string {
  const value = table?.[key];
  if (value === undefined) throw new Error(`No value for ${fn} ${key}`);
  return value;
}
