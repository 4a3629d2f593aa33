import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isReservedWord } from './dynamodb-reserved-words.js';
import {
  ATTRIBUTE_TYPES,
  checkAttributeValue,
  compareScalars,
  typeOf,
  validationException,
} from './dynamodb-values.js';

/**
 * A parser for DynamoDB expressions (condition, filter, key condition, update, projection),
 * resolving `#name` and `:value` placeholders and tracking which ones were used.
 *
 * Written by hand, as a small recursive-descent parser: no maintained library evaluates
 * DynamoDB expressions in-process (DynamoDB Local is a Java server; the SDK only passes the
 * strings through), and the grammar is small. Errors are ValidationExceptions with the
 * messages DynamoDB uses ("Invalid ConditionExpression: Syntax error; token: ...").
 *
 * Grammar (precedence from low to high: OR, AND, NOT, comparisons):
 *   condition := or ; or := and (OR and)* ; and := not (AND not)* ; not := NOT not | primary
 *   primary   := '(' condition ')' | function '(' operand, ... ')'
 *              | operand (= | <> | < | <= | > | >=) operand
 *              | operand BETWEEN operand AND operand | operand IN '(' operand, ... ')'
 *   operand   := path | :value | size '(' path ')'
 *   path      := (name | #name) ('.' (name | #name) | '[' digits ']')*
 *   update    := (SET action, ... | REMOVE path, ... | ADD path :value, ... | DELETE path :value, ...)+
 *   action    := path '=' value ; value := term (('+' | '-') term)?
 *   term      := path | :value | if_not_exists '(' path, value ')' | list_append '(' value, value ')'
 */

export type ExpressionKind =
  | 'ConditionExpression'
  | 'UpdateExpression'
  | 'KeyConditionExpression'
  | 'FilterExpression'
  | 'ProjectionExpression';

/** An attribute name, or a list index. */
export type PathElement = string | number;
export type Path = readonly PathElement[];

export type Operand =
  | { readonly kind: 'path'; readonly path: Path }
  | { readonly kind: 'value'; readonly value: AttributeValue; readonly placeholder: string }
  | { readonly kind: 'size'; readonly path: Path };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type ConditionFunction =
  'attribute_exists' | 'attribute_not_exists' | 'attribute_type' | 'begins_with' | 'contains';

export type Condition =
  | {
      readonly kind: 'compare';
      readonly op: Comparator;
      readonly left: Operand;
      readonly right: Operand;
    }
  | {
      readonly kind: 'between';
      readonly value: Operand;
      readonly low: Operand;
      readonly high: Operand;
    }
  | { readonly kind: 'in'; readonly value: Operand; readonly list: readonly Operand[] }
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly operand: Condition }
  | {
      readonly kind: 'function';
      readonly name: ConditionFunction;
      readonly args: readonly Operand[];
    };

export type SetValue =
  | Extract<Operand, { kind: 'path' | 'value' }>
  | { readonly kind: 'if_not_exists'; readonly path: Path; readonly fallback: SetValue }
  | { readonly kind: 'list_append'; readonly left: SetValue; readonly right: SetValue }
  | {
      readonly kind: 'arithmetic';
      readonly op: '+' | '-';
      readonly left: SetValue;
      readonly right: SetValue;
    };

export interface UpdateActions {
  readonly set: readonly { readonly path: Path; readonly value: SetValue }[];
  readonly remove: readonly Path[];
  readonly add: readonly { readonly path: Path; readonly value: AttributeValue }[];
  readonly delete: readonly { readonly path: Path; readonly value: AttributeValue }[];
}

const MAX_EXPRESSION_BYTES = 4096;
const MAX_IN_OPERANDS = 100;
const CONDITION_FUNCTIONS: Readonly<Record<string, number>> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
};

type TokenType = 'identifier' | 'name' | 'value' | 'number' | 'symbol' | 'eof';

interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly position: number;
}

const SYMBOLS = ['<>', '<=', '>=', '=', '<', '>', '(', ')', '[', ']', '.', ',', '+', '-'];

function tokenize(text: string, fail: (token: Token) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space !== null) {
      i += space[0].length;
      continue;
    }
    const match =
      /^#[A-Za-z0-9_]+/.exec(rest) ??
      /^:[A-Za-z0-9_]+/.exec(rest) ??
      /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest) ??
      /^\d+/.exec(rest);
    if (match !== null) {
      const word = match[0];
      const type: TokenType = word.startsWith('#')
        ? 'name'
        : word.startsWith(':')
          ? 'value'
          : /^\d/.test(word)
            ? 'number'
            : 'identifier';
      tokens.push({ type, text: word, position: i });
      i += word.length;
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => rest.startsWith(candidate));
    if (symbol === undefined) fail({ type: 'symbol', text: rest[0], position: i });
    tokens.push({ type: 'symbol', text: symbol, position: i });
    i += symbol.length;
  }
  tokens.push({ type: 'eof', text: '<EOF>', position: text.length });
  return tokens;
}

function keyword(token: Token, word: string): boolean {
  return token.type === 'identifier' && token.text.toUpperCase() === word;
}

export function pathText(path: Path): string {
  return `[${path.map((element) => (typeof element === 'number' ? `[${element}]` : element)).join(', ')}]`;
}

function describeValue(value: AttributeValue): string {
  const type = typeOf(value);
  const raw = (value as unknown as Record<string, unknown>)[type];
  return `{${type}:${Array.isArray(raw) ? `[${raw.map(String).join(', ')}]` : String(raw)}}`;
}

/**
 * Parses the expressions of one request against its ExpressionAttributeNames and
 * ExpressionAttributeValues, then `checkAllUsed()` reports placeholders that no expression used.
 */
export class ExpressionContext {
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();
  private readonly values: Readonly<Record<string, AttributeValue>>;

  constructor(
    private readonly names: Readonly<Record<string, string>> | undefined,
    values: Readonly<Record<string, AttributeValue>> | undefined,
  ) {
    if (names !== undefined && Object.keys(names).length === 0) {
      throw validationException('ExpressionAttributeNames must not be empty');
    }
    if (values !== undefined && Object.keys(values).length === 0) {
      throw validationException('ExpressionAttributeValues must not be empty');
    }
    const checked: Record<string, AttributeValue> = {};
    for (const [placeholder, value] of Object.entries(values ?? {})) {
      if (!/^:[A-Za-z0-9_]+$/.test(placeholder)) {
        throw validationException(
          `ExpressionAttributeValues contains invalid key: Syntax error; key: "${placeholder}"`,
        );
      }
      try {
        checked[placeholder] = checkAttributeValue(value);
      } catch (error) {
        throw validationException(
          `ExpressionAttributeValues contains invalid value: ${(error as Error).message} for key ${placeholder}`,
        );
      }
    }
    for (const placeholder of Object.keys(names ?? {})) {
      if (!/^#[A-Za-z0-9_]+$/.test(placeholder)) {
        throw validationException(
          `ExpressionAttributeNames contains invalid key: Syntax error; key: "${placeholder}"`,
        );
      }
    }
    this.values = checked;
  }

  parseCondition(text: string, kind: ExpressionKind): Condition {
    const parser = this.parser(text, kind);
    const condition = parser.condition();
    parser.expectEnd();
    return condition;
  }

  parseUpdate(text: string): UpdateActions {
    const parser = this.parser(text, 'UpdateExpression');
    const actions = parser.update();
    parser.expectEnd();
    return actions;
  }

  parseProjection(text: string): Path[] {
    const parser = this.parser(text, 'ProjectionExpression');
    const paths = [parser.path()];
    while (parser.accept(',')) paths.push(parser.path());
    parser.expectEnd();
    parser.checkOverlaps(paths);
    return paths;
  }

  /** Unused placeholders are an error in DynamoDB, as are maps given without any expression. */
  checkAllUsed(): void {
    const unusedNames = Object.keys(this.names ?? {}).filter((name) => !this.usedNames.has(name));
    if (unusedNames.length > 0) {
      throw validationException(
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
      );
    }
    const unusedValues = Object.keys(this.values).filter((value) => !this.usedValues.has(value));
    if (unusedValues.length > 0) {
      throw validationException(
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
      );
    }
  }

  /** @internal */
  resolveName(placeholder: string, kind: ExpressionKind): string {
    const name = this.names?.[placeholder];
    if (name === undefined) {
      throw validationException(
        `Invalid ${kind}: An expression attribute name used in the document path is not defined; attribute name: ${placeholder}`,
      );
    }
    this.usedNames.add(placeholder);
    return name;
  }

  /** @internal */
  resolveValue(placeholder: string, kind: ExpressionKind): AttributeValue {
    const value = this.values[placeholder];
    if (value === undefined) {
      throw validationException(
        `Invalid ${kind}: An expression attribute value used in expression is not defined; attribute value: ${placeholder}`,
      );
    }
    this.usedValues.add(placeholder);
    return value;
  }

  private parser(text: string, kind: ExpressionKind): Parser {
    if (text.trim().length === 0) {
      throw validationException(`Invalid ${kind}: The expression can not be empty;`);
    }
    const size = Buffer.byteLength(text, 'utf8');
    if (size > MAX_EXPRESSION_BYTES) {
      throw validationException(
        `Invalid ${kind}: Expression size has exceeded the maximum allowed size; expression size: ${size}`,
      );
    }
    return new Parser(text, kind, this);
  }
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(
    private readonly text: string,
    private readonly kind: ExpressionKind,
    private readonly context: ExpressionContext,
  ) {
    this.tokens = tokenize(text, (token) => this.syntaxError(token));
  }

  // ---- conditions ----

  condition(): Condition {
    return this.leftAssociative('OR', () => this.conjunction());
  }

  private conjunction(): Condition {
    return this.leftAssociative('AND', () => this.negation());
  }

  /** `operand (WORD operand)*`, grouped from the left: OR binds looser than AND. */
  private leftAssociative(word: 'OR' | 'AND', operand: () => Condition): Condition {
    let left = operand();
    while (keyword(this.peek(), word)) {
      this.next();
      left = { kind: word === 'OR' ? 'or' : 'and', left, right: operand() };
    }
    return left;
  }

  private negation(): Condition {
    if (keyword(this.peek(), 'NOT')) {
      this.next();
      return { kind: 'not', operand: this.negation() };
    }
    return this.primary();
  }

  private primary(): Condition {
    const token = this.peek();
    if (token.type === 'symbol' && token.text === '(') {
      this.next();
      const inner = this.condition();
      this.expect(')');
      return inner;
    }
    if (
      token.type === 'identifier' &&
      CONDITION_FUNCTIONS[token.text] !== undefined &&
      this.peek(1).text === '('
    ) {
      return this.conditionFunction();
    }
    const left = this.operand();
    const next = this.peek();
    if (next.type === 'symbol' && ['=', '<>', '<', '<=', '>', '>='].includes(next.text)) {
      this.next();
      return { kind: 'compare', op: next.text as Comparator, left, right: this.operand() };
    }
    if (keyword(next, 'BETWEEN')) {
      this.next();
      const low = this.operand();
      if (!keyword(this.peek(), 'AND')) this.syntaxError(this.peek());
      this.next();
      const high = this.operand();
      this.checkBetween(low, high);
      return { kind: 'between', value: left, low, high };
    }
    if (keyword(next, 'IN')) {
      this.next();
      const list = this.operandList();
      if (list.length > MAX_IN_OPERANDS) {
        throw validationException(
          `Invalid ${this.kind}: The IN operator is provided with too many operands; number of operands: ${list.length}`,
        );
      }
      return { kind: 'in', value: left, list };
    }
    return this.syntaxError(next);
  }

  private conditionFunction(): Condition {
    const name = this.next().text as ConditionFunction;
    const args = this.operandList();
    if (args.length !== CONDITION_FUNCTIONS[name]) {
      throw this.invalid(
        `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`,
      );
    }
    if (args[0].kind !== 'path') {
      throw this.invalid(
        `Operator or function requires a document path; operator or function: ${name}`,
      );
    }
    if (name === 'attribute_type') {
      const type = args[1];
      if (
        type.kind !== 'value' ||
        typeOf(type.value) !== 'S' ||
        !(ATTRIBUTE_TYPES as readonly string[]).includes(type.value.S ?? '')
      ) {
        throw this.invalid(
          `Invalid attribute type name found; type: ${type.kind === 'value' ? describeValue(type.value) : 'path'}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`,
        );
      }
    }
    if (name === 'begins_with' && args[1].kind === 'value') {
      const type = typeOf(args[1].value);
      if (type !== 'S' && type !== 'B') {
        throw this.invalid(
          `Incorrect operand type for operator or function; operator or function: begins_with, operand type: ${type}`,
        );
      }
    }
    return { kind: 'function', name, args };
  }

  /** `( operand (, operand)* )`: the arguments of IN and of a condition function. */
  private operandList(): [Operand, ...Operand[]] {
    this.expect('(');
    const list: [Operand, ...Operand[]] = [this.operand()];
    while (this.accept(',')) list.push(this.operand());
    this.expect(')');
    return list;
  }

  private checkBetween(low: Operand, high: Operand): void {
    if (low.kind !== 'value' || high.kind !== 'value') return;
    const order = compareScalars(low.value, high.value);
    if (typeOf(low.value) !== typeOf(high.value)) {
      throw this.invalid(
        `The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: ${describeValue(low.value)}, upper bound operand: AttributeValue: ${describeValue(high.value)}`,
      );
    }
    if (order !== undefined && order > 0) {
      throw this.invalid(
        `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: ${describeValue(low.value)}, upper bound operand: AttributeValue: ${describeValue(high.value)}`,
      );
    }
  }

  /** The `:placeholder` at the cursor, resolved: an operand of a condition or a SET value. */
  private valueOperand(): Extract<Operand, { kind: 'value' }> {
    const placeholder = this.next().text;
    return { kind: 'value', value: this.context.resolveValue(placeholder, this.kind), placeholder };
  }

  private operand(): Operand {
    const token = this.peek();
    if (token.type === 'value') return this.valueOperand();
    if (token.type === 'identifier' && this.peek(1).text === '(') {
      if (token.text !== 'size') {
        throw this.invalid(`Invalid function name; function: ${token.text}`);
      }
      this.next();
      this.expect('(');
      const argument = this.operand();
      this.expect(')');
      if (argument.kind !== 'path') {
        throw this.invalid(
          'Operator or function requires a document path; operator or function: size',
        );
      }
      return { kind: 'size', path: argument.path };
    }
    return { kind: 'path', path: this.path() };
  }

  // ---- paths ----

  path(): Path {
    const path: PathElement[] = [this.pathName()];
    for (;;) {
      if (this.accept('.')) {
        path.push(this.pathName());
      } else if (this.peek().text === '[') {
        this.next();
        const index = this.next();
        if (index.type !== 'number') this.syntaxError(index);
        this.expect(']');
        path.push(Number(index.text));
      } else {
        return path;
      }
    }
  }

  private pathName(): string {
    const token = this.next();
    if (token.type === 'name') return this.context.resolveName(token.text, this.kind);
    if (token.type !== 'identifier') return this.syntaxError(token);
    if (isReservedWord(token.text)) {
      throw this.invalid(`Attribute name is a reserved keyword; reserved keyword: ${token.text}`);
    }
    return token.text;
  }

  // ---- update expressions ----

  update(): UpdateActions {
    const set: { path: Path; value: SetValue }[] = [];
    const remove: Path[] = [];
    const add: { path: Path; value: AttributeValue }[] = [];
    const deletions: { path: Path; value: AttributeValue }[] = [];
    const seen = new Set<string>();
    do {
      const token = this.next();
      const clause = token.type === 'identifier' ? token.text.toUpperCase() : '';
      if (!['SET', 'REMOVE', 'ADD', 'DELETE'].includes(clause)) this.syntaxError(token);
      if (seen.has(clause)) {
        throw this.invalid(
          `The "${clause}" section can only be used once in an update expression;`,
        );
      }
      seen.add(clause);
      do {
        const path = this.path();
        if (clause === 'SET') {
          this.expect('=');
          set.push({ path, value: this.setValue() });
        } else if (clause === 'REMOVE') {
          remove.push(path);
        } else {
          const token = this.peek();
          if (token.type !== 'value') this.syntaxError(token);
          this.next();
          const value = this.context.resolveValue(token.text, this.kind);
          (clause === 'ADD' ? add : deletions).push({ path, value });
        }
      } while (this.accept(','));
    } while (this.peek().type !== 'eof');
    this.checkOverlaps([
      ...set.map((action) => action.path),
      ...remove,
      ...add.map((action) => action.path),
      ...deletions.map((action) => action.path),
    ]);
    return { set, remove, add, delete: deletions };
  }

  private setValue(): SetValue {
    const left = this.setTerm();
    const token = this.peek();
    if (token.type === 'symbol' && (token.text === '+' || token.text === '-')) {
      this.next();
      return { kind: 'arithmetic', op: token.text, left, right: this.setTerm() };
    }
    return left;
  }

  private setTerm(): SetValue {
    const token = this.peek();
    if (token.type === 'identifier' && this.peek(1).text === '(') {
      this.next();
      this.expect('(');
      if (token.text === 'if_not_exists') {
        const path = this.path();
        this.expect(',');
        const fallback = this.setValue();
        this.expect(')');
        return { kind: 'if_not_exists', path, fallback };
      }
      if (token.text === 'list_append') {
        const left = this.setValue();
        this.expect(',');
        const right = this.setValue();
        this.expect(')');
        return { kind: 'list_append', left, right };
      }
      throw this.invalid(`Invalid function name; function: ${token.text}`);
    }
    if (token.type === 'value') return this.valueOperand();
    return { kind: 'path', path: this.path() };
  }

  checkOverlaps(paths: readonly Path[]): void {
    for (let i = 0; i < paths.length; i++) {
      for (let j = i + 1; j < paths.length; j++) {
        const [a, b] = [paths[i], paths[j]];
        const shorter = Math.min(a.length, b.length);
        if (a.slice(0, shorter).every((element, k) => element === b[k])) {
          throw this.invalid(
            `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathText(a)}, path two: ${pathText(b)}`,
          );
        }
      }
    }
  }

  // ---- tokens ----

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  accept(symbol: string): boolean {
    const token = this.peek();
    if (token.type === 'symbol' && token.text === symbol) {
      this.next();
      return true;
    }
    return false;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.type !== 'eof') this.syntaxError(token);
  }

  private expect(symbol: string): void {
    if (!this.accept(symbol)) this.syntaxError(this.peek());
  }

  private invalid(message: string): Error {
    return validationException(`Invalid ${this.kind}: ${message}`);
  }

  private syntaxError(token: Token): never {
    const near = this.text
      .slice(Math.max(0, token.position - 10), token.position + token.text.length)
      .trim();
    throw this.invalid(`Syntax error; token: "${token.text}", near: "${near}"`);
  }
}
