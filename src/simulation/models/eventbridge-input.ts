/**
 * What an EventBridge rule target receives: the event, or what the target's `input`,
 * `inputPath` or `inputTransformer` makes of it (pure functions; the model applies them).
 *
 * - `input`: constant JSON text, delivered instead of the event.
 * - `inputPath`: the part of the event at a path (`$.detail`); `null` when nothing is there.
 * - `inputTransformer`: `inputPathsMap` names parts of the event, `inputTemplate` places them as
 *   `<name>`. Outside a JSON string a placeholder becomes the value as JSON (a string gets its
 *   quotes); inside one, the value's text (escaped; an object or array loses its inner quotes).
 *   A path that matches nothing gives `null` outside a string and nothing inside one. The
 *   predefined `aws.events.rule-name`, `aws.events.rule-arn`, `aws.events.event.ingestion-time`
 *   (strings), `aws.events.event` (the event without `detail`) and `aws.events.event.json` (the
 *   whole event; both usable only outside strings) need no path. A result that is JSON is
 *   delivered minified; any other text (EventBridge allows text templates) as it is.
 *
 * Paths are EventBridge's JSONPath subset: dot notation (`$.detail.instance-id`), array
 * indices (`$.resources[0]`) and wildcards (`.*`, `[*]`, giving the list of matches). It is
 * hand-written: the one JSONPath library in node_modules (jsonpath-plus) is only a transitive
 * dependency here, and it accepts far more syntax than EventBridge does.
 */
import { SimulationConfigError } from '../errors.js';

export interface InputTransformer {
  /** Up to 100 names (letters, digits, `_`, `-`) of event paths. @default - none */
  readonly inputPathsMap?: Readonly<Record<string, string>>;
  /** 1–8192 characters; a JSON template or text, with `<name>` placeholders. */
  readonly inputTemplate: string;
}

/** A rule target's input options: at most one of them (EventBridge's own rule). */
export interface TargetInputOptions {
  /** Constant JSON text (1–8192 characters) the target gets instead of the event. */
  readonly input?: string;
  /** Path (at most 256 characters) of the part of the event the target gets. */
  readonly inputPath?: string;
  readonly inputTransformer?: InputTransformer;
}

/** Values of the predefined placeholders. */
export interface TransformContext {
  readonly ruleName: string;
  readonly ruleArn: string;
  /** When EventBridge received the event (ISO 8601). */
  readonly ingestionTime: string;
}

/** What a target gets: a JSON value (with its minified text), or text that is not JSON. */
export type TargetPayload =
  | { readonly kind: 'json'; readonly value: unknown; readonly text: string }
  | { readonly kind: 'text'; readonly text: string };

export type PathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

export const MAX_INPUT_PATHS = 100;
export const MAX_INPUT_LENGTH = 8192;
export const MAX_PATH_LENGTH = 256;
const STRING_VARIABLES = [
  'aws.events.rule-name',
  'aws.events.rule-arn',
  'aws.events.event.ingestion-time',
] as const;
const JSON_VARIABLES = ['aws.events.event', 'aws.events.event.json'] as const;
export const PREDEFINED_VARIABLES: readonly string[] = [...STRING_VARIABLES, ...JSON_VARIABLES];
const VARIABLE_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const PATH_KEY = /^(?:[A-Za-z0-9_\-/]+|\*)/;
// Sticky: matched at a position of the template, without slicing it.
const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/y;

// ---- paths ----

/** The segments of an EventBridge path; throws a message saying what is wrong. */
export function parseEventPath(path: string): PathSegment[] {
  const fail = (why: string): never => {
    throw new SimulationConfigError(
      `'${path}' is not an EventBridge JSON path: ${why} (use dot notation from '$', e.g. '$.detail.state', '$.resources[0]', '$.detail.items[*].id').`,
    );
  };
  if (path.length > MAX_PATH_LENGTH) fail(`longer than ${MAX_PATH_LENGTH} characters`);
  if (!path.startsWith('$')) fail("it must start with '$'");
  const segments: PathSegment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    if (rest.startsWith('.')) {
      const key = PATH_KEY.exec(rest.slice(1))?.[0];
      if (key === undefined) fail(`no name after '.' at '${rest}'`);
      else {
        segments.push(key === '*' ? { kind: 'wildcard' } : { kind: 'key', key });
        rest = rest.slice(1 + key.length);
      }
      continue;
    }
    const bracket = /^\[(\d+|\*)\]/.exec(rest);
    if (bracket === null) {
      fail(
        rest.startsWith('[')
          ? `only an index or '*' may stand in brackets, at '${rest}'`
          : `unexpected '${rest}'`,
      );
    } else {
      segments.push(
        bracket[1] === '*' ? { kind: 'wildcard' } : { kind: 'index', index: Number(bracket[1]) },
      );
      rest = rest.slice(bracket[0].length);
    }
  }
  return segments;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function step(node: unknown, segment: PathSegment): unknown[] {
  switch (segment.kind) {
    case 'key':
      return isRecord(node) && Object.hasOwn(node, segment.key) ? [node[segment.key]] : [];
    case 'index':
      return Array.isArray(node) && segment.index < node.length ? [node[segment.index]] : [];
    default:
      if (Array.isArray(node)) return [...(node as unknown[])];
      return isRecord(node) ? Object.values(node) : [];
  }
}

/**
 * The value at a path, or `undefined` when nothing is there. With a wildcard, the list of
 * everything that matched (`undefined` when nothing did).
 */
export function valueAtPath(document: unknown, path: string | readonly PathSegment[]): unknown {
  const segments = typeof path === 'string' ? parseEventPath(path) : path;
  let nodes: unknown[] = [document];
  for (const segment of segments) nodes = nodes.flatMap((node) => step(node, segment));
  if (segments.some((segment) => segment.kind === 'wildcard')) {
    return nodes.length > 0 ? nodes : undefined;
  }
  return nodes[0];
}

// ---- templates ----

type Piece =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'placeholder'; readonly name: string; readonly inString: boolean };

/**
 * Splits a template into literal text and the placeholders of known variables (other `<...>`
 * text stays literal: text templates may hold angle brackets), noting which stand inside a
 * JSON string. Reports placeholders used as object keys and JSON-only variables in strings.
 */
function scanTemplate(
  template: string,
  known: (name: string) => boolean,
): { pieces: Piece[]; problems: string[] } {
  const pieces: Piece[] = [];
  const problems: string[] = [];
  const objectTemplate = template.trimStart().startsWith('{');
  let literal = '';
  let inString = false;
  let stringHasPlaceholder = false;
  // Whether the last token outside strings holds a placeholder (then a ':' makes it a key).
  let lastTokenHasPlaceholder = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    PLACEHOLDER.lastIndex = i;
    const placeholder = PLACEHOLDER.exec(template);
    if (placeholder !== null && known(placeholder[1])) {
      const name = placeholder[1];
      if (inString && (JSON_VARIABLES as readonly string[]).includes(name)) {
        problems.push(`<${name}> can only be a JSON value, not part of a string`);
      }
      if (literal !== '') pieces.push({ kind: 'literal', text: literal });
      literal = '';
      pieces.push({ kind: 'placeholder', name, inString });
      if (inString) stringHasPlaceholder = true;
      else lastTokenHasPlaceholder = true;
      i += placeholder[0].length - 1;
      continue;
    }
    literal += char;
    if (inString) {
      if (char === '\\' && i + 1 < template.length) {
        literal += template[i + 1];
        i++;
      } else if (char === '"') {
        inString = false;
        lastTokenHasPlaceholder = stringHasPlaceholder;
      }
    } else if (char === '"') {
      inString = true;
      stringHasPlaceholder = false;
    } else if (char === ':' && objectTemplate && lastTokenHasPlaceholder) {
      problems.push('a placeholder cannot be (part of) an object key');
      lastTokenHasPlaceholder = false;
    } else if (!/\s/.test(char)) {
      lastTokenHasPlaceholder = false;
    }
  }
  if (literal !== '') pieces.push({ kind: 'literal', text: literal });
  return { pieces, problems };
}

function textInString(value: unknown): string {
  let text = '';
  if (typeof value === 'string') text = value;
  // Numbers, booleans and null as written; an object or array loses its inner quotes (as
  // EventBridge does, so that the string stays valid).
  else if (value !== undefined) text = JSON.stringify(value).replaceAll('"', '');
  return JSON.stringify(text).slice(1, -1);
}

function payloadOf(text: string): TargetPayload {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'text', text };
  }
  return { kind: 'json', value, text: minifyJson(text) };
}

/**
 * Valid JSON `text` without the whitespace between tokens, its numbers and strings as written:
 * re-encoding the parsed value would turn `1.50` into `1.5` and round large integers, which an
 * SQS body (text) must not do.
 */
export function minifyJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      out += char;
      if (char === '\\') {
        out += text[i + 1] ?? '';
        i += 1;
      } else if (char === '"') {
        inString = false;
      }
    } else if (char === '"') {
      inString = true;
      out += char;
    } else if (!/\s/.test(char)) {
      out += char;
    }
  }
  return out;
}

function predefinedValues(event: unknown, context: TransformContext): Map<string, unknown> {
  const withoutDetail = isRecord(event)
    ? Object.fromEntries(Object.entries(event).filter(([key]) => key !== 'detail'))
    : event;
  return new Map<string, unknown>([
    ['aws.events.rule-name', context.ruleName],
    ['aws.events.rule-arn', context.ruleArn],
    ['aws.events.event.ingestion-time', context.ingestionTime],
    ['aws.events.event', withoutDetail],
    ['aws.events.event.json', event],
  ]);
}

// ---- validation ----

function pathProblem(what: string, path: unknown): string | undefined {
  if (typeof path !== 'string') return `${what} must be a string path such as '$.detail'`;
  try {
    parseEventPath(path);
    return undefined;
  } catch (error) {
    return `${what}: ${(error as Error).message}`;
  }
}

function transformerProblems(transformer: InputTransformer): string[] {
  const problems: string[] = [];
  const map = transformer.inputPathsMap ?? {};
  const entries = Object.entries(map);
  if (entries.length > MAX_INPUT_PATHS) {
    problems.push(
      `inputTransformer.inputPathsMap has ${entries.length} entries, at most ${MAX_INPUT_PATHS} are allowed`,
    );
  }
  for (const [name, path] of entries) {
    if (name.toLowerCase().startsWith('aws.')) {
      problems.push(
        `inputTransformer.inputPathsMap: '${name}' is reserved (names starting with 'AWS.' are EventBridge's predefined variables)`,
      );
    } else if (!VARIABLE_NAME.test(name)) {
      problems.push(
        `inputTransformer.inputPathsMap: the name '${name}' must be 1–256 letters, digits, '_' or '-'`,
      );
    }
    const problem = pathProblem(`inputTransformer.inputPathsMap.${name}`, path);
    if (problem !== undefined) problems.push(problem);
  }
  const template: unknown = transformer.inputTemplate;
  if (typeof template !== 'string' || template.length === 0 || template.length > MAX_INPUT_LENGTH) {
    problems.push(`inputTransformer.inputTemplate must be 1–${MAX_INPUT_LENGTH} characters`);
  } else {
    const names = new Set([...Object.keys(map), ...PREDEFINED_VARIABLES]);
    for (const problem of scanTemplate(template, (name) => names.has(name)).problems) {
      problems.push(`inputTransformer.inputTemplate: ${problem}`);
    }
  }
  return problems;
}

/** What is wrong with a target's input options (empty when nothing is). */
export function targetInputProblems(options: TargetInputOptions): string[] {
  const given = (['input', 'inputPath', 'inputTransformer'] as const).filter(
    (key) => options[key] !== undefined,
  );
  if (given.length > 1) {
    return [`only one of input, inputPath or inputTransformer may be set, got ${given.join(', ')}`];
  }
  const { input, inputPath, inputTransformer } = options;
  if (input !== undefined) {
    if (typeof input !== 'string' || input.length === 0 || input.length > MAX_INPUT_LENGTH) {
      return [`input must be JSON text of 1–${MAX_INPUT_LENGTH} characters`];
    }
    return payloadOf(input).kind === 'text'
      ? [`input must be valid JSON text, got '${input.slice(0, 80)}'`]
      : [];
  }
  if (inputPath !== undefined) {
    const problem = pathProblem('inputPath', inputPath);
    return problem === undefined ? [] : [problem];
  }
  return inputTransformer === undefined ? [] : transformerProblems(inputTransformer);
}

/** Throws a `SimulationConfigError` naming `where` and every problem of the options. */
export function checkTargetInput(where: string, options: TargetInputOptions): void {
  const problems = targetInputProblems(options);
  if (problems.length > 0) {
    throw new SimulationConfigError(`${where}: ${problems.join('; ')}.`);
  }
}

// ---- applying ----

/** Fills a template with `values` (absent names are paths that matched nothing). */
export function renderTemplate(template: string, values: ReadonlyMap<string, unknown>): string {
  const { pieces } = scanTemplate(template, (name) => values.has(name));
  return pieces
    .map((piece) => {
      if (piece.kind === 'literal') return piece.text;
      const value = values.get(piece.name);
      if (piece.inString) return textInString(value);
      return value === undefined ? 'null' : JSON.stringify(value);
    })
    .join('');
}

/** Applies an input transformer to an event (validate it first with `checkTargetInput`). */
export function applyInputTransformer(
  transformer: InputTransformer,
  event: unknown,
  context: TransformContext,
): TargetPayload {
  const values = predefinedValues(event, context);
  for (const [name, path] of Object.entries(transformer.inputPathsMap ?? {})) {
    values.set(name, valueAtPath(event, path));
  }
  return payloadOf(renderTemplate(transformer.inputTemplate, values));
}

/**
 * What a target with these options gets for an event, or `undefined` when it gets the event
 * itself (no option set). Validate the options first with `checkTargetInput` (the model does,
 * in putTargets), so that deliveries do not repeat it.
 */
export function targetPayload(
  options: TargetInputOptions,
  event: unknown,
  context: TransformContext,
): TargetPayload | undefined {
  if (options.input !== undefined) {
    // The constant is passed as written (validated as JSON by checkTargetInput).
    return { kind: 'json', value: JSON.parse(options.input) as unknown, text: options.input };
  }
  if (options.inputPath !== undefined) {
    const value = valueAtPath(event, options.inputPath) ?? null;
    return { kind: 'json', value, text: JSON.stringify(value) };
  }
  if (options.inputTransformer !== undefined) {
    return applyInputTransformer(options.inputTransformer, event, context);
  }
  return undefined;
}
