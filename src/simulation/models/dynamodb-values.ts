import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SimulatedServiceError } from '../service-error.js';

/**
 * DynamoDB attribute values as the service treats them: validation (one type per value, valid
 * numbers, no empty or duplicate sets), equality and ordering, item size, and number
 * arithmetic on DynamoDB's decimal numbers (38 significant digits, exact: JavaScript doubles
 * would round counters and big ids).
 */

export type Item = Record<string, AttributeValue>;
export type AttributeType = 'S' | 'N' | 'B' | 'SS' | 'NS' | 'BS' | 'M' | 'L' | 'NULL' | 'BOOL';

export const ATTRIBUTE_TYPES: readonly AttributeType[] = [
  'S',
  'N',
  'B',
  'SS',
  'NS',
  'BS',
  'M',
  'L',
  'NULL',
  'BOOL',
];

/** 400 KB, the largest item DynamoDB stores. */
export const MAX_ITEM_BYTES = 409_600;
const MAX_DEPTH = 32;
const MAX_DIGITS = 38;

export function validationException(message: string): SimulatedServiceError {
  return new SimulatedServiceError({ name: 'ValidationException', httpStatusCode: 400, message });
}

export function typeOf(value: AttributeValue): AttributeType {
  const types = ATTRIBUTE_TYPES.filter(
    (type) => (value as unknown as Record<string, unknown>)[type] !== undefined,
  );
  return types[0];
}

// ---- numbers ----

/** An exact decimal: coefficient × 10^exponent, normalised (no trailing zeros). */
export interface Decimal {
  readonly coefficient: bigint;
  readonly exponent: number;
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function normalise(coefficient: bigint, exponent: number): Decimal {
  if (coefficient === 0n) return { coefficient: 0n, exponent: 0 };
  let c = coefficient;
  let e = exponent;
  while (c % 10n === 0n) {
    c /= 10n;
    e++;
  }
  return { coefficient: c, exponent: e };
}

/** Parses a DynamoDB number, or undefined if the text is not one. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = NUMBER.exec(text.trim());
  if (match === null) return undefined;
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  if (whole.length === 0 && fraction.length === 0) return undefined;
  const digits = `${whole}${fraction}`.replace(/^0+/, '') || '0';
  const coefficient = BigInt(digits) * (sign === '-' ? -1n : 1n);
  return normalise(coefficient, Number(exponent) - fraction.length);
}

function digitCount(decimal: Decimal): number {
  const abs = decimal.coefficient < 0n ? -decimal.coefficient : decimal.coefficient;
  return abs === 0n ? 1 : abs.toString().length;
}

/** Checks DynamoDB's limits: 38 significant digits, magnitude 1E-130 to below 1E+126. */
export function checkDecimal(decimal: Decimal): void {
  if (decimal.coefficient === 0n) return;
  if (digitCount(decimal) > MAX_DIGITS) {
    throw validationException('Attempting to store more than 38 significant digits in a Number');
  }
  const magnitude = digitCount(decimal) - 1 + decimal.exponent;
  if (magnitude > 125) {
    throw validationException(
      'Number overflow. Attempting to store a number with magnitude larger than supported range',
    );
  }
  if (magnitude < -130) {
    throw validationException(
      'Number underflow. Attempting to store a number with magnitude smaller than supported range',
    );
  }
}

export function compareDecimals(a: Decimal, b: Decimal): number {
  const exponent = Math.min(a.exponent, b.exponent);
  const left = a.coefficient * 10n ** BigInt(a.exponent - exponent);
  const right = b.coefficient * 10n ** BigInt(b.exponent - exponent);
  return left < right ? -1 : left > right ? 1 : 0;
}

export function addDecimals(a: Decimal, b: Decimal, sign: 1 | -1 = 1): Decimal {
  const exponent = Math.min(a.exponent, b.exponent);
  const left = a.coefficient * 10n ** BigInt(a.exponent - exponent);
  const right = b.coefficient * 10n ** BigInt(b.exponent - exponent);
  return normalise(sign === 1 ? left + right : left - right, exponent);
}

/** DynamoDB's canonical text of a number: no exponent, no trailing zeros. */
export function formatDecimal(decimal: Decimal): string {
  const negative = decimal.coefficient < 0n;
  const digits = (negative ? -decimal.coefficient : decimal.coefficient).toString();
  let text: string;
  if (decimal.exponent >= 0) {
    text = digits + '0'.repeat(decimal.exponent);
  } else {
    const point = digits.length + decimal.exponent;
    text =
      point > 0
        ? `${digits.slice(0, point)}.${digits.slice(point)}`
        : `0.${'0'.repeat(-point)}${digits}`;
  }
  return negative ? `-${text}` : text;
}

/** Parses and checks a number, answering as DynamoDB does when it is not valid. */
export function decimalOf(text: string): Decimal {
  const decimal = parseDecimal(text);
  if (decimal === undefined) {
    throw validationException(`The parameter cannot be converted to a numeric value: ${text}`);
  }
  checkDecimal(decimal);
  return decimal;
}

// ---- validation ----

function bytesKey(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/**
 * Validates a value as DynamoDB does on input (a request's items, keys and expression values)
 * and returns it with numbers in canonical form.
 */
export function checkAttributeValue(value: unknown, depth = 0): AttributeValue {
  if (depth > MAX_DEPTH) {
    throw validationException(
      `Nesting Levels have exceeded supported limits: Maximum nesting level of ${MAX_DEPTH} exceeded`,
    );
  }
  if (typeof value !== 'object' || value === null) {
    throw validationException('Supplied AttributeValue is not an object');
  }
  const record = value as Record<string, unknown>;
  const present = ATTRIBUTE_TYPES.filter((type) => record[type] !== undefined);
  if (present.length === 0) {
    throw validationException(
      'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes',
    );
  }
  if (present.length > 1) {
    throw validationException(
      'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
    );
  }
  const type = present[0];
  const raw = record[type];
  switch (type) {
    case 'S':
      if (typeof raw !== 'string') throw validationException('S must be a string');
      return { S: raw };
    case 'N':
      if (typeof raw !== 'string') throw validationException('N must be a string');
      return { N: formatDecimal(decimalOf(raw)) };
    case 'B':
      if (!(raw instanceof Uint8Array)) throw validationException('B must be binary');
      return { B: raw };
    case 'BOOL':
      if (typeof raw !== 'boolean') throw validationException('BOOL must be a boolean');
      return { BOOL: raw };
    case 'NULL':
      if (raw !== true) {
        throw validationException(
          'One or more parameter values were invalid: Null attribute value types must have the value of true',
        );
      }
      return { NULL: true };
    case 'L':
      if (!Array.isArray(raw)) throw validationException('L must be a list');
      return { L: raw.map((element) => checkAttributeValue(element, depth + 1)) };
    case 'M': {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw validationException('M must be a map');
      }
      const map: Item = {};
      for (const [key, element] of Object.entries(raw)) {
        map[key] = checkAttributeValue(element, depth + 1);
      }
      return { M: map };
    }
    default:
      return checkSet(type, raw);
  }
}

function checkSet(type: 'SS' | 'NS' | 'BS', raw: unknown): AttributeValue {
  if (!Array.isArray(raw)) throw validationException(`${type} must be a list`);
  const label = { SS: 'string', NS: 'number', BS: 'binary' }[type];
  if (raw.length === 0) {
    throw validationException(
      `One or more parameter values were invalid: An ${label} set  may not be empty`,
    );
  }
  const keys = new Set<string>();
  const values: unknown[] = [];
  for (const element of raw as unknown[]) {
    let key: string;
    let normalised: unknown;
    if (type === 'SS') {
      if (typeof element !== 'string') throw validationException('SS elements must be strings');
      key = element;
      normalised = element;
    } else if (type === 'NS') {
      if (typeof element !== 'string') throw validationException('NS elements must be strings');
      normalised = formatDecimal(decimalOf(element));
      key = normalised as string;
    } else {
      if (!(element instanceof Uint8Array)) throw validationException('BS elements must be binary');
      key = bytesKey(element);
      normalised = element;
    }
    if (keys.has(key)) {
      throw validationException(
        `One or more parameter values were invalid: Input collection [${(raw as unknown[]).map(String).join(', ')}] contains duplicates.`,
      );
    }
    keys.add(key);
    values.push(normalised);
  }
  return { [type]: values } as unknown as AttributeValue;
}

export function checkItem(item: unknown, what = 'Item'): Item {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw validationException(`${what} must be a map of attribute names to values`);
  }
  const checked: Item = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.length === 0) {
      throw validationException(
        'One or more parameter values were invalid: An AttributeValue may not contain an empty attribute name',
      );
    }
    checked[name] = checkAttributeValue(value);
  }
  return checked;
}

// ---- equality, order, size ----

/** A set's elements as comparable keys (numbers canonical, binary as base64). */
export function setElements(
  value: AttributeValue,
): { type: 'SS' | 'NS' | 'BS'; keys: string[] } | undefined {
  if (value.SS !== undefined) return { type: 'SS', keys: [...value.SS] };
  if (value.NS !== undefined) {
    return { type: 'NS', keys: value.NS.map((n) => formatDecimal(decimalOf(n))) };
  }
  if (value.BS !== undefined) return { type: 'BS', keys: value.BS.map(bytesKey) };
  return undefined;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

export function attributeEquals(a: AttributeValue, b: AttributeValue): boolean {
  if (a.S !== undefined) return a.S === b.S;
  if (a.N !== undefined) {
    return b.N !== undefined && compareDecimals(decimalOf(a.N), decimalOf(b.N)) === 0;
  }
  if (a.B !== undefined) return b.B !== undefined && bytesEqual(a.B, b.B);
  if (a.BOOL !== undefined) return a.BOOL === b.BOOL;
  if (a.NULL !== undefined) return b.NULL !== undefined;
  if (a.L !== undefined) {
    const right = b.L;
    return (
      right !== undefined &&
      a.L.length === right.length &&
      a.L.every((x, i) => attributeEquals(x, right[i]))
    );
  }
  if (a.M !== undefined) {
    const left = a.M;
    const right = b.M;
    if (right === undefined) return false;
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => right[key] !== undefined && attributeEquals(left[key], right[key]))
    );
  }
  const left = setElements(a);
  const right = setElements(b);
  if (left === undefined || right === undefined || left.type !== right.type) return false;
  const keys = new Set(left.keys);
  return keys.size === right.keys.length && right.keys.every((key) => keys.has(key));
}

/** Orders two scalars of the same type (S by UTF-8 bytes, N numerically, B by bytes). */
export function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  if (a.N !== undefined && b.N !== undefined) {
    return compareDecimals(decimalOf(a.N), decimalOf(b.N));
  }
  if (a.S !== undefined && b.S !== undefined) {
    return Buffer.compare(Buffer.from(a.S, 'utf8'), Buffer.from(b.S, 'utf8'));
  }
  if (a.B !== undefined && b.B !== undefined) {
    return Buffer.compare(Buffer.from(a.B), Buffer.from(b.B));
  }
  return undefined;
}

function numberSize(text: string): number {
  const decimal = decimalOf(text);
  return Math.ceil(digitCount(decimal) / 2) + 1;
}

/** Size of a value as DynamoDB counts it toward the 400 KB item limit. */
export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.SS !== undefined) {
    return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s, 'utf8'), 0);
  }
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.length, 0);
  if (value.L !== undefined) {
    return value.L.reduce((sum, element) => sum + 1 + valueSize(element), 3);
  }
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce(
      (sum, [key, element]) => sum + Buffer.byteLength(key, 'utf8') + 1 + valueSize(element),
      3,
    );
  }
  // BOOL and NULL.
  return 1;
}

export function itemSize(item: Item): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + valueSize(value),
    0,
  );
}
