import { setParam, type PyValue } from './literal-value';
import { PyFloat, pyFloatRepr, pyStrRepr } from './value';

/** DVC keeps a value JS cannot hold: complex, bytes, Ellipsis, or a string with a `\N{name}` escape. */
export const UNREPRESENTABLE = Symbol('unrepresentable');

/** A literal's Python value as the JS value DVC's params become. */
export function toJs(value: PyValue): unknown {
  switch (value.kind) {
    case 'int':
      return Number(value.value);
    case 'float':
      return Number.isInteger(value.value) ? new PyFloat(value.value) : value.value;
    case 'bool':
      return value.value;
    case 'none':
      return null;
    case 'str':
      return value.value ?? UNREPRESENTABLE;
    case 'tuple':
    case 'list':
    case 'set':
      return arrayToJs(value.items);
    case 'dict':
      return dictToJs(value.entries);
    default:
      return UNREPRESENTABLE; // complex, bytes, Ellipsis
  }
}

function arrayToJs(items: PyValue[]): unknown {
  const array = items.map(toJs);
  return array.includes(UNREPRESENTABLE) ? UNREPRESENTABLE : array;
}

function dictToJs(entries: [PyValue, PyValue][]): unknown {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const keyText = pyStr(key);
    const jsValue = toJs(value);
    if (keyText === undefined || jsValue === UNREPRESENTABLE) return UNREPRESENTABLE;
    setParam(object, keyText, jsValue);
  }
  return object;
}

/** Python's `str(key)` for the key types JS can represent. */
function pyStr(value: PyValue): string | undefined {
  if (value.kind === 'str') return value.value;
  return pyRepr(value);
}

function pyRepr(value: PyValue): string | undefined {
  switch (value.kind) {
    case 'str':
      return value.value === undefined ? undefined : pyStrRepr(value.value);
    case 'int':
      return value.value.toString();
    case 'float':
      return pyFloatRepr(value.value);
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'tuple': {
      const items = value.items.map(pyRepr);
      if (items.includes(undefined)) return undefined;
      return `(${items.join(', ')}${items.length === 1 ? ',' : ''})`;
    }
    default:
      return undefined;
  }
}
