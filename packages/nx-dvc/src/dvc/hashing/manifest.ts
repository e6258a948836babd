import { comparePythonStrings } from '../formats/python/value';
import { md5Hex } from './file';

/** Sorts entries by relpath (code points) and serialises them like DVC; the md5 ends in `.dir`. */
export function dirManifest<E extends { md5: string; relpath: string }>(entries: readonly E[]): { md5: string; manifest: Buffer; sorted: E[] } {
  const sorted = [...entries].sort((a, b) => comparePythonStrings(a.relpath, b.relpath));
  const parts = sorted.map((e) => `{"md5": ${pythonJsonString(e.md5)}, "relpath": ${pythonJsonString(e.relpath)}}`);
  const manifest = Buffer.from(`[${parts.join(', ')}]`, 'utf8');
  return { md5: `${md5Hex(manifest)}.dir`, manifest, sorted };
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** Python `json.dumps(s)` with `ensure_ascii=True`: everything outside space..~ is escaped. */
export function pythonJsonString(value: string): string {
  return `"${value.replace(/[^ !#-[\]-~]/g, (ch) => SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}
