import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The state a user sees in a workspace: every file (relative path → its bytes, or a symlink's
 * target), without what belongs to the tools rather than the pipeline: .git, .nx, node_modules,
 * DVC's cache and tmp, and the harness's own package.json and nx.json.
 */
export type Snapshot = Map<string, Buffer>;

const SKIPPED = new Set(['.git', '.nx', 'node_modules', '.dvc/cache', '.dvc/tmp', 'package.json', 'nx.json']);

export function snapshot(root: string): Snapshot {
  const files: Snapshot = new Map();
  walk(root, '', files);
  return files;
}

function walk(root: string, folder: string, files: Snapshot): void {
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    const path = folder ? `${folder}/${entry.name}` : entry.name;
    if (SKIPPED.has(path)) continue;
    if (entry.isDirectory()) walk(root, path, files);
    else if (entry.isSymbolicLink()) files.set(path, Buffer.from(`symlink → ${readlinkSync(join(root, path))}`));
    else files.set(path, readFileSync(join(root, path)));
  }
}

export interface FileDifference {
  path: string;
  /** `only-first`: only the first snapshot has it; `only-second`: the other way; `bytes`: both, different. */
  kind: 'only-first' | 'only-second' | 'bytes';
  detail: string;
}

/** Every difference between two snapshots, text files shown line by line under the two labels. */
export function compareSnapshots(dvc: Snapshot, nx: Snapshot, labels: [string, string] = ['dvc', 'nx']): FileDifference[] {
  const differences: FileDifference[] = [];
  for (const path of [...new Set([...dvc.keys(), ...nx.keys()])].sort()) {
    const a = dvc.get(path);
    const b = nx.get(path);
    if (!b) differences.push({ path, kind: 'only-first', detail: '' });
    else if (!a) differences.push({ path, kind: 'only-second', detail: '' });
    else if (!a.equals(b)) differences.push({ path, kind: 'bytes', detail: textDiff(a, b, labels) });
  }
  return differences;
}

/** The differing middle of two texts (common first and last lines left out), or their md5s. */
function textDiff(a: Buffer, b: Buffer, [first, second]: [string, string]): string {
  if (a.includes(0) || b.includes(0)) return `md5 ${md5(a)} (${first}) vs ${md5(b)} (${second})`;
  const left = a.toString('utf8').split('\n');
  const right = b.toString('utf8').split('\n');
  let start = 0;
  while (start < left.length && start < right.length && left[start] === right[start]) start++;
  let end = 0;
  while (end < left.length - start && end < right.length - start && left[left.length - 1 - end] === right[right.length - 1 - end]) end++;
  const cut = (lines: string[]) => lines.slice(start, lines.length - end);
  const width = Math.max(first.length, second.length) + 1;
  const show = (sign: string, lines: string[]) => lines.slice(0, 15).map((l) => `      ${sign} ${l}`).concat(lines.length > 15 ? [`      ${sign} … ${lines.length - 15} more lines`] : []);
  return [`    at line ${start + 1}:`, ...show(`${first}:`.padEnd(width), cut(left)), ...show(`${second}:`.padEnd(width), cut(right))].join('\n');
}

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}
