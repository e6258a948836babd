/** The Python values a params module's literals evaluate to, before they become JS values. */

export type PyValue =
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  /** Complex numbers and bytes never reach the result, so their values are not kept. */
  | { kind: 'complex' }
  | { kind: 'bool'; value: boolean }
  /** `value` is undefined when the literal used a `\N{name}` escape, which we cannot resolve. */
  | { kind: 'str'; value: string | undefined }
  | { kind: 'bytes' }
  | { kind: 'none' }
  | { kind: 'ellipsis' }
  | { kind: 'tuple' | 'list' | 'set'; items: PyValue[] }
  | { kind: 'dict'; entries: [PyValue, PyValue][] };

export type PyNumber = Extract<PyValue, { kind: 'int' | 'float' | 'complex' }>;

export const NONE: PyValue = { kind: 'none' };
export const ELLIPSIS: PyValue = { kind: 'ellipsis' };

export function setParam(params: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty keeps an existing key's position and treats "__proto__" as an ordinary key.
  Object.defineProperty(params, key, { value, writable: true, enumerable: true, configurable: true });
}
