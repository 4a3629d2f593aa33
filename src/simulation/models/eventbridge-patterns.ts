import { SimulationConfigError } from '../errors.js';

/**
 * EventBridge event patterns: validation and matching.
 *
 * Written by hand: no maintained npm package evaluates EventBridge patterns in-process (AWS
 * offers only the TestEventPattern API), and the subset the kit's rules use is small.
 *
 * Supported: nested objects; exact values (strings, numbers compared numerically, booleans,
 * null); `prefix` and `suffix` (also with `equals-ignore-case`); `equals-ignore-case`;
 * `anything-but` (a value, a list, `prefix`, `suffix`); `numeric` (`=`, `<`, `<=`, `>`, `>=`,
 * in pairs for ranges); `exists`; `wildcard` (`*`); `$or`. Arrays in the event match when any
 * element matches. Not supported (rejected as such): `cidr` and other operators.
 */

export type EventPattern = Readonly<Record<string, unknown>>;

type Matcher = (value: unknown, present: boolean) => boolean;

/** A compiled element of a leaf list; `exists` marks an `{ "exists": ... }` element. */
interface LeafElement {
  readonly match: Matcher;
  readonly exists?: boolean;
}

const MAX_PATTERN_LENGTH = 4096;

function invalid(path: string, message: string): SimulationConfigError {
  return new SimulationConfigError(
    `Invalid event pattern at '${path || '(root)'}': ${message} (EventBridge would answer InvalidEventPatternException).`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

function compileNumeric(path: string, spec: unknown): Matcher {
  if (!Array.isArray(spec) || spec.length === 0 || spec.length % 2 !== 0 || spec.length > 4) {
    throw invalid(path, 'numeric needs one or two [operator, number] pairs');
  }
  const checks: ((n: number) => boolean)[] = [];
  for (let i = 0; i < spec.length; i += 2) {
    const operator: unknown = spec[i];
    const bound: unknown = spec[i + 1];
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator)) {
      throw invalid(path, `numeric operator must be one of = < <= > >=, got ${String(operator)}`);
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw invalid(path, `numeric bound must be a number, got ${JSON.stringify(bound)}`);
    }
    checks.push((n) => {
      switch (operator) {
        case '=':
          return n === bound;
        case '<':
          return n < bound;
        case '<=':
          return n <= bound;
        case '>':
          return n > bound;
        default:
          return n >= bound;
      }
    });
  }
  return (value) => typeof value === 'number' && checks.every((check) => check(value));
}

/** `prefix`/`suffix` take a string, or `{ "equals-ignore-case": string }`. */
function compileAffix(path: string, kind: 'prefix' | 'suffix', spec: unknown): Matcher {
  let text: string;
  let ignoreCase = false;
  if (typeof spec === 'string') {
    text = spec;
  } else if (
    isPlainObject(spec) &&
    Object.keys(spec).length === 1 &&
    typeof spec['equals-ignore-case'] === 'string'
  ) {
    text = spec['equals-ignore-case'];
    ignoreCase = true;
  } else {
    throw invalid(path, `${kind} needs a string or { "equals-ignore-case": string }`);
  }
  const needle = ignoreCase ? text.toLowerCase() : text;
  return (value) => {
    if (typeof value !== 'string') return false;
    const hay = ignoreCase ? value.toLowerCase() : value;
    return kind === 'prefix' ? hay.startsWith(needle) : hay.endsWith(needle);
  };
}

function compileWildcard(path: string, spec: unknown): Matcher {
  if (typeof spec !== 'string') throw invalid(path, 'wildcard needs a string');
  if (spec.includes('**')) throw invalid(path, 'wildcard cannot contain consecutive *');
  const source = spec
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`, 's');
  return (value) => typeof value === 'string' && regex.test(value);
}

function sameScalar(expected: string | number | boolean | null, value: unknown): boolean {
  return expected === value;
}

function compileAnythingBut(path: string, spec: unknown): Matcher {
  if (isScalar(spec) && spec !== null) {
    return (value, present) => present && !sameScalar(spec, value);
  }
  if (Array.isArray(spec)) {
    if (spec.length === 0 || !spec.every((item) => isScalar(item) && item !== null)) {
      throw invalid(path, 'anything-but needs a non-empty list of strings or numbers');
    }
    const values = spec;
    return (value, present) => present && !values.some((item) => sameScalar(item, value));
  }
  if (isPlainObject(spec) && Object.keys(spec).length === 1) {
    const [kind] = Object.keys(spec);
    if (kind === 'prefix' || kind === 'suffix') {
      const affix = compileAffix(`${path}.anything-but`, kind, spec[kind]);
      return (value, present) => present && typeof value === 'string' && !affix(value, true);
    }
  }
  throw invalid(path, 'anything-but needs a value, a list, { prefix } or { suffix }');
}

/** One element of a leaf array: a value, or an object with one operator. */
function compileLeafElement(path: string, element: unknown): LeafElement {
  if (isScalar(element)) {
    return { match: (value, present) => present && sameScalar(element, value) };
  }
  if (!isPlainObject(element) || Object.keys(element).length !== 1) {
    throw invalid(path, `a pattern value must be a string, number, boolean, null or { operator }`);
  }
  const [operator] = Object.keys(element);
  const spec = element[operator];
  if (operator === 'exists') {
    if (typeof spec !== 'boolean') throw invalid(path, 'exists needs true or false');
    return { match: (_value, present) => present === spec, exists: spec };
  }
  return { match: compileOperator(path, operator, spec) };
}

function compileOperator(path: string, operator: string, spec: unknown): Matcher {
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      const affix = compileAffix(path, operator, spec);
      return (value, present) => present && affix(value, present);
    }
    case 'equals-ignore-case': {
      if (typeof spec !== 'string') throw invalid(path, 'equals-ignore-case needs a string');
      const lower = spec.toLowerCase();
      return (value, present) =>
        present && typeof value === 'string' && value.toLowerCase() === lower;
    }
    case 'anything-but':
      return compileAnythingBut(path, spec);
    case 'numeric': {
      const numeric = compileNumeric(path, spec);
      return (value, present) => present && numeric(value, present);
    }
    case 'wildcard': {
      const wildcard = compileWildcard(path, spec);
      return (value, present) => present && wildcard(value, present);
    }
    default:
      throw invalid(
        path,
        `operator '${operator}' is not supported by the simulation (supported: prefix, suffix, ` +
          'equals-ignore-case, anything-but, numeric, exists, wildcard)',
      );
  }
}

type ObjectMatcher = (event: unknown) => boolean;

function compileObject(path: string, pattern: unknown): ObjectMatcher {
  if (!isPlainObject(pattern) || Object.keys(pattern).length === 0) {
    throw invalid(path, 'a pattern must be a non-empty JSON object');
  }
  const fields: ObjectMatcher[] = [];
  for (const [key, sub] of Object.entries(pattern)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2) {
        throw invalid(at, '$or needs a list of at least two patterns');
      }
      const alternatives = sub.map((item, index) => compileObject(`${at}[${index}]`, item));
      fields.push((event) => alternatives.some((alternative) => alternative(event)));
    } else if (Array.isArray(sub)) {
      if (sub.length === 0) throw invalid(at, 'a pattern list cannot be empty');
      const elements = sub.map((element) => compileLeafElement(at, element));
      fields.push((event) => matchLeaf(event, key, elements));
    } else if (isPlainObject(sub)) {
      const nested = compileObject(at, sub);
      fields.push((event) => matchNested(event, key, nested));
    } else {
      throw invalid(at, `a pattern field must be a list or an object, got ${JSON.stringify(sub)}`);
    }
  }
  return (event) => fields.every((field) => field(event));
}

function matchLeaf(event: unknown, key: string, elements: LeafElement[]): boolean {
  const present = isPlainObject(event) && Object.hasOwn(event, key);
  const value = present ? event[key] : undefined;
  if (Array.isArray(value)) {
    // An array in the event matches when any of its elements matches; an empty array has no
    // value to match, so it counts as absent.
    if (value.length === 0) return elements.some((element) => element.match(undefined, false));
    return value.some((item) => matchValue(elements, item, true));
  }
  return matchValue(elements, value, present);
}

function matchValue(elements: LeafElement[], value: unknown, present: boolean): boolean {
  // Values are matched on leaves only: an object answers nothing but `exists: true`.
  if (isPlainObject(value)) return elements.some((element) => element.exists === true);
  return elements.some((element) => element.match(value, present));
}

function matchNested(event: unknown, key: string, nested: ObjectMatcher): boolean {
  if (!isPlainObject(event)) return nested(undefined);
  const value = event[key];
  if (Array.isArray(value)) return value.some((item) => nested(item));
  return nested(value);
}

/**
 * Validates `pattern` (throwing a `SimulationConfigError` that says what is wrong) and returns a
 * matcher. Compile once per rule; call the matcher for each event.
 */
export function compileEventPattern(pattern: unknown): (event: unknown) => boolean {
  const text = JSON.stringify(pattern) ?? '';
  if (text.length > MAX_PATTERN_LENGTH) {
    throw invalid('', `a pattern is at most ${MAX_PATTERN_LENGTH} characters, got ${text.length}`);
  }
  return compileObject('', pattern);
}

/** Like the TestEventPattern API: does `event` match `pattern`? */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}
