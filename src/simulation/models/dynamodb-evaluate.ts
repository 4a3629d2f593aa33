import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Condition, Operand, Path, SetValue, UpdateActions } from './dynamodb-expressions.js';
import { pathText } from './dynamodb-expressions.js';
import {
  addDecimals,
  attributeEquals,
  checkDecimal,
  compareScalars,
  decimalOf,
  formatDecimal,
  typeOf,
  validationException,
  type Item,
} from './dynamodb-values.js';

/**
 * Evaluates parsed DynamoDB expressions against an item: conditions (true/false, as DynamoDB
 * decides them: a comparison with a missing attribute or of different types is false, except
 * `<>`, which is true) and update actions (applied to a copy; the right-hand sides of SET are
 * computed from the item as it was before the update, as DynamoDB does).
 */

export function valueAt(item: Item | undefined, path: Path): AttributeValue | undefined {
  let current: AttributeValue | undefined = item === undefined ? undefined : { M: item };
  for (const element of path) {
    if (current === undefined) return undefined;
    if (typeof element === 'number') {
      current = current.L?.[element];
    } else {
      current = current.M?.[element];
    }
  }
  return current;
}

/** `size()`: string bytes, binary bytes, elements of sets, lists and maps; else none. */
function sizeOf(value: AttributeValue | undefined): AttributeValue | undefined {
  let size: number | undefined;
  if (value === undefined) size = undefined;
  else if (value.S !== undefined) size = Buffer.byteLength(value.S, 'utf8');
  else if (value.B !== undefined) size = value.B.length;
  else if (value.M !== undefined) size = Object.keys(value.M).length;
  else size = (value.SS ?? value.NS ?? value.BS ?? value.L)?.length;
  return size === undefined ? undefined : { N: String(size) };
}

function resolve(item: Item | undefined, operand: Operand): AttributeValue | undefined {
  switch (operand.kind) {
    case 'value':
      return operand.value;
    case 'path':
      return valueAt(item, operand.path);
    default:
      return sizeOf(valueAt(item, operand.path));
  }
}

function compare(
  op: string,
  left: AttributeValue | undefined,
  right: AttributeValue | undefined,
): boolean {
  if (op === '<>') {
    return left === undefined || right === undefined || !attributeEquals(left, right);
  }
  if (left === undefined || right === undefined) return false;
  if (op === '=') return attributeEquals(left, right);
  const order = compareScalars(left, right);
  if (order === undefined) return false;
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order >= 0;
  }
}

function callFunction(item: Item | undefined, name: string, args: readonly Operand[]): boolean {
  const subject = resolve(item, args[0]);
  switch (name) {
    case 'attribute_exists':
      return subject !== undefined;
    case 'attribute_not_exists':
      return subject === undefined;
    case 'attribute_type': {
      const type = resolve(item, args[1]);
      return subject !== undefined && typeOf(subject) === type?.S;
    }
    case 'begins_with': {
      const prefix = resolve(item, args[1]);
      if (subject === undefined || prefix === undefined) return false;
      if (subject.S !== undefined && prefix.S !== undefined) return subject.S.startsWith(prefix.S);
      if (subject.B !== undefined && prefix.B !== undefined) {
        return Buffer.from(subject.B).subarray(0, prefix.B.length).equals(Buffer.from(prefix.B));
      }
      return false;
    }
    default: {
      const operand = resolve(item, args[1]);
      if (subject === undefined || operand === undefined) return false;
      if (subject.S !== undefined) return operand.S !== undefined && subject.S.includes(operand.S);
      if (subject.B !== undefined) {
        return operand.B !== undefined && Buffer.from(subject.B).includes(Buffer.from(operand.B));
      }
      if (subject.L !== undefined) {
        return subject.L.some((element) => attributeEquals(element, operand));
      }
      const set = setMembers(subject);
      return set !== undefined && set.members.some((member) => attributeEquals(member, operand));
    }
  }
}

export function evaluateCondition(condition: Condition, item: Item | undefined): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluateCondition(condition.left, item) && evaluateCondition(condition.right, item);
    case 'or':
      return evaluateCondition(condition.left, item) || evaluateCondition(condition.right, item);
    case 'not':
      return !evaluateCondition(condition.operand, item);
    case 'compare':
      return compare(condition.op, resolve(item, condition.left), resolve(item, condition.right));
    case 'between': {
      const value = resolve(item, condition.value);
      return (
        compare('>=', value, resolve(item, condition.low)) &&
        compare('<=', value, resolve(item, condition.high))
      );
    }
    case 'in': {
      const value = resolve(item, condition.value);
      return condition.list.some((candidate) => compare('=', value, resolve(item, candidate)));
    }
    default:
      return callFunction(item, condition.name, condition.args);
  }
}

// ---- updates ----

function incorrectType(): Error {
  return validationException('An operand in the update expression has an incorrect data type');
}

function computeSetValue(value: SetValue, item: Item | undefined): AttributeValue {
  switch (value.kind) {
    case 'value':
      return value.value;
    case 'path': {
      const found = valueAt(item, value.path);
      if (found === undefined) {
        throw validationException(
          'The provided expression refers to an attribute that does not exist in the item',
        );
      }
      return found;
    }
    case 'if_not_exists':
      return valueAt(item, value.path) ?? computeSetValue(value.fallback, item);
    case 'list_append': {
      const left = computeSetValue(value.left, item);
      const right = computeSetValue(value.right, item);
      if (left.L === undefined || right.L === undefined) throw incorrectType();
      return { L: [...left.L, ...right.L] };
    }
    default: {
      const left = computeSetValue(value.left, item);
      const right = computeSetValue(value.right, item);
      if (left.N === undefined || right.N === undefined) throw incorrectType();
      const result = addDecimals(decimalOf(left.N), decimalOf(right.N), value.op === '+' ? 1 : -1);
      checkDecimal(result);
      return { N: formatDecimal(result) };
    }
  }
}

function invalidPath(): Error {
  return validationException(
    'The document path provided in the update expression is invalid for update',
  );
}

/** Sets `value` at `path` in `root` (a map value), creating only the last element. */
function assign(root: AttributeValue, path: Path, value: AttributeValue): void {
  let container = root;
  for (let i = 0; i < path.length - 1; i++) {
    const element = path[i];
    const next: AttributeValue | undefined =
      typeof element === 'number' ? container.L?.[element] : container.M?.[element];
    if (next === undefined) throw invalidPath();
    container = next;
  }
  const last = path[path.length - 1];
  if (typeof last === 'number') {
    const list = container.L;
    if (list === undefined) throw invalidPath();
    // An index past the end appends, as DynamoDB does.
    if (last >= list.length) list.push(value);
    else list[last] = value;
  } else {
    const map = container.M;
    if (map === undefined) throw invalidPath();
    map[last] = value;
  }
}

function unassign(root: AttributeValue, path: Path): void {
  const parent = valueAt(root.M, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent === undefined) return;
  if (typeof last === 'number') {
    if (parent.L !== undefined && last < parent.L.length) parent.L.splice(last, 1);
  } else if (parent.M !== undefined) {
    Reflect.deleteProperty(parent.M, last);
  }
}

type SetType = 'SS' | 'NS' | 'BS';

function setMembers(
  value: AttributeValue,
): { type: SetType; members: AttributeValue[] } | undefined {
  if (value.SS !== undefined) return { type: 'SS', members: value.SS.map((S) => ({ S })) };
  if (value.NS !== undefined) return { type: 'NS', members: value.NS.map((N) => ({ N })) };
  if (value.BS !== undefined) return { type: 'BS', members: value.BS.map((B) => ({ B })) };
  return undefined;
}

function fromMembers(type: SetType, members: AttributeValue[]): AttributeValue {
  // Members come from sets of `type`, so each holds that type's field.
  if (type === 'SS') return { SS: members.map((member) => member.S as string) };
  if (type === 'NS') return { NS: members.map((member) => member.N as string) };
  return { BS: members.map((member) => member.B as Uint8Array) };
}

/**
 * Applies update actions to (a copy of) `item`, creating the item if it is undefined, and
 * returns the new item. Key attributes in `keyNames` cannot be updated.
 */
export function applyUpdate(
  actions: UpdateActions,
  item: Item | undefined,
  keyNames: readonly string[],
): Item {
  for (const path of [
    ...actions.set.map((action) => action.path),
    ...actions.remove,
    ...actions.add.map((action) => action.path),
    ...actions.delete.map((action) => action.path),
  ]) {
    const top = path[0];
    if (typeof top === 'string' && keyNames.includes(top)) {
      throw validationException(
        `One or more parameter values were invalid: Cannot update attribute ${top}. This attribute is part of the key`,
      );
    }
  }
  // Right-hand sides see the item as it was before this update.
  const values = actions.set.map((action) => computeSetValue(action.value, item));
  const root: AttributeValue = { M: structuredClone(item ?? {}) };
  actions.set.forEach((action, index) => assign(root, action.path, values[index]));
  for (const path of actions.remove) unassign(root, path);
  for (const action of actions.add) {
    const current = valueAt(root.M, action.path);
    const added = action.value;
    if (added.N !== undefined) {
      let sum = decimalOf(added.N);
      if (current !== undefined) {
        if (current.N === undefined) throw incorrectType();
        sum = addDecimals(decimalOf(current.N), sum);
      }
      checkDecimal(sum);
      assign(root, action.path, { N: formatDecimal(sum) });
      continue;
    }
    const addition = setMembers(added);
    if (addition === undefined) {
      throw validationException(
        `Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: ${typeOf(added)}, typeSet: ALL_NUMBERS,ALL_SETS; path: ${pathText(action.path)}`,
      );
    }
    if (current === undefined) {
      assign(root, action.path, added);
      continue;
    }
    const existing = setMembers(current);
    if (existing === undefined || existing.type !== addition.type) throw incorrectType();
    const members = [...existing.members];
    for (const member of addition.members) {
      if (!members.some((other) => attributeEquals(other, member))) members.push(member);
    }
    assign(root, action.path, fromMembers(existing.type, members));
  }
  for (const action of actions.delete) {
    const removal = setMembers(action.value);
    if (removal === undefined) {
      throw validationException(
        `Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: ${typeOf(action.value)}, typeSet: ALL_SETS; path: ${pathText(action.path)}`,
      );
    }
    const current = valueAt(root.M, action.path);
    if (current === undefined) continue;
    const existing = setMembers(current);
    if (existing === undefined || existing.type !== removal.type) throw incorrectType();
    const members = existing.members.filter(
      (member) => !removal.members.some((other) => attributeEquals(other, member)),
    );
    if (members.length === 0) unassign(root, action.path);
    else assign(root, action.path, fromMembers(existing.type, members));
  }
  return root.M;
}

/** The top-level attributes an update touches (for UPDATED_OLD / UPDATED_NEW). */
export function updatedAttributes(actions: UpdateActions): string[] {
  const names = new Set<string>();
  for (const path of [
    ...actions.set.map((action) => action.path),
    ...actions.remove,
    ...actions.add.map((action) => action.path),
    ...actions.delete.map((action) => action.path),
  ]) {
    if (typeof path[0] === 'string') names.add(path[0]);
  }
  return [...names];
}
