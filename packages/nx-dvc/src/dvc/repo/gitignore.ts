import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';

/**
 * DVC's `scm.ignore(out)` for cached outputs: `/<name>` appended to the `.gitignore` beside the
 * output, gitignore metacharacters escaped, a newline added first when the file lacks a final one,
 * and nothing written when git already ignores the path. Outside a git repository DVC writes
 * nothing. Returns the repo paths of the `.gitignore` files written, in order.
 */
export function ignoreOutputs(root: string, repoPaths: string[]): string[] {
  // one append per file, with the lines DVC appends one by one (only the first can need a newline before it)
  const lines = new Map<string, string[]>();
  for (const path of outputsToIgnore(root, repoPaths)) {
    const gitignore = posix.join(posix.dirname(path), '.gitignore');
    if (!lines.has(gitignore)) lines.set(gitignore, []);
    lines.get(gitignore)!.push(`${escapeGitignoreEntry(`/${posix.basename(path)}`)}\n`);
  }
  for (const [gitignore, entries] of lines) {
    const abs = `${root}/${gitignore}`;
    appendFileSync(abs, (endsWithoutNewline(abs) ? '\n' : '') + entries.join(''));
  }
  return [...lines.keys()];
}

/** The outputs `ignoreOutputs` would add a `.gitignore` line for, in order: those git does not ignore yet. */
export function outputsToIgnore(root: string, repoPaths: string[]): string[] {
  if (repoPaths.length === 0) return [];
  const ignored = gitIgnoredPaths(root, repoPaths);
  if (ignored === undefined) return [];
  return repoPaths.filter((path) => !ignored.has(path));
}

/** Escapes `[ ] ! * # ?` as pathspec's `GitWildMatchPattern.escape` does. */
export function escapeGitignoreEntry(entry: string): string {
  return entry.replace(/[[\]!*#?]/g, (c) => `\\${c}`);
}

/** The paths git ignores (tracked or not), or undefined when `root` is not in a git work tree. */
function gitIgnoredPaths(root: string, paths: string[]): Set<string> | undefined {
  const result = spawnSync('git', ['check-ignore', '--no-index', '--stdin', '-z'], { cwd: root, input: paths.join('\0'), encoding: 'utf8' });
  if (result.error || (result.status !== 0 && result.status !== 1)) return undefined;
  return new Set(result.stdout.split('\0').filter(Boolean));
}

function endsWithoutNewline(abs: string): boolean {
  let text: Buffer;
  try {
    text = readFileSync(abs);
  } catch {
    return false; // no file yet
  }
  return text.length > 0 && text[text.length - 1] !== 0x0a;
}
