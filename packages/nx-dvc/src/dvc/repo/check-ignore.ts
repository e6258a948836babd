import { readFileSync, statSync } from 'node:fs';
import ignore, { type Ignore } from 'ignore';
import { dirName, pathParts } from '../paths';

/** One ignore rule and where it came from, as DVC's `PatternInfo` prints it. */
interface Rule {
  /** Repo-relative directory the rule applies under ('' for the root). */
  dir: string;
  negative: boolean;
  dirOnly: boolean;
  /** `.dvcignore:3:data/`, or `:.git` for DVC's built-in rules. */
  info: string;
  matcher: Ignore;
}

/** DVC always ignores these, before any `.dvcignore` (`DvcIgnoreFilter.__init__`). */
const DEFAULT_PATTERNS = ['.hg/', '.git/', '.git', '.dvc/'];

function makeRule(dir: string, pattern: string, info: string): Rule {
  const negative = pattern.startsWith('!');
  const body = negative ? pattern.slice(1) : pattern;
  return { dir, negative, dirOnly: body.endsWith('/'), info, matcher: ignore({ ignorecase: false }).add(body) };
}

/** `DvcIgnorePatterns.from_file`: stripped lines, comments and blanks skipped, numbered from 1. */
function rulesOfFile(dir: string, text: string): Rule[] {
  const name = dir ? `${dir}/.dvcignore` : '.dvcignore';
  return text
    .split(/\r\n|\n|\r/)
    .map((line, index) => [line.trim(), index + 1] as const)
    .filter(([line]) => line && !line.startsWith('#'))
    .map(([line, number]) => makeRule(dir, line, `${name}:${number}:${line}`));
}

/**
 * DVC's `dvcignore.check_ignore` for a path of the workspace: its built-in rules plus the
 * `.dvcignore` files of the path's ancestors, merged top-down. Returns the rule DVC names
 * (`PatternInfo`) when the path is ignored.
 */
export class IgnoreCheck {
  private readonly rulesByDir = new Map<string, Rule[]>();

  constructor(private readonly root: string) {}

  /** The rule that ignores `repoPath`, or undefined. `isDir` as on disk (missing: false). */
  ignoringRule(repoPath: string, isDir = this.isDirectory(repoPath)): string | undefined {
    const rules = this.rulesFor(dirName(repoPath));
    const parts = pathParts(repoPath);
    for (let i = 1; i <= parts.length; i++) {
      const last = i === parts.length;
      const found = findMatchingRule(rules, parts.slice(0, i).join('/'), isDir || !last);
      if (!last && !found?.ignored) continue;
      return found?.ignored ? found.rule.info : undefined;
    }
    return undefined;
  }

  private isDirectory(repoPath: string): boolean {
    return statSync(`${this.root}/${repoPath}`, { throwIfNoEntry: false })?.isDirectory() ?? false;
  }

  /** DVC's trie entry for a directory: the rules of every ancestor's `.dvcignore`, root first. */
  private rulesFor(dir: string): Rule[] {
    const known = this.rulesByDir.get(dir);
    if (known) return known;
    const inherited = dir ? this.rulesFor(dirName(dir)) : DEFAULT_PATTERNS.map((p) => makeRule('', p, `:${p}`));
    const file = dir ? `${dir}/.dvcignore` : '.dvcignore';
    const own = findMatchingRule(inherited, file, false)?.ignored ? [] : this.readRules(dir, file);
    const rules = own.length ? [...inherited, ...own] : inherited;
    this.rulesByDir.set(dir, rules);
    return rules;
  }

  private readRules(dir: string, file: string): Rule[] {
    try {
      return rulesOfFile(dir, readFileSync(`${this.root}/${file}`, 'utf8'));
    } catch {
      return [];
    }
  }
}

/**
 * `DvcIgnorePatterns._find_matching_pattern`: consecutive rules of the same kind (ignore or
 * negate, directory-only or not) form a group; groups are tried from the last, and inside a group
 * the first rule that matches is the one named.
 */
function findMatchingRule(rules: Rule[], path: string, isDir: boolean): { ignored: boolean; rule: Rule } | undefined {
  const groups: Rule[][] = [];
  for (const rule of rules) {
    const group = groups[groups.length - 1];
    const same = group && !rule.negative && !group[0]!.negative && group[0]!.dirOnly === rule.dirOnly;
    if (same) group.push(rule);
    else groups.push([rule]);
  }
  for (const group of groups.reverse()) {
    if (group[0]!.dirOnly && !isDir) continue;
    const rule = group.find((r) => matches(r, path, isDir));
    if (rule) return { ignored: !rule.negative, rule };
  }
  return undefined;
}

function matches(rule: Rule, path: string, isDir: boolean): boolean {
  if (rule.dir && !path.startsWith(`${rule.dir}/`)) return false;
  const relative = rule.dir ? path.slice(rule.dir.length + 1) : path;
  return rule.matcher.ignores(relative) || (isDir && rule.matcher.ignores(`${relative}/`));
}
