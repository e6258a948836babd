import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import fg from 'fast-glob';

/** The rules of docs/architecture.md, checked on every source file's imports. */
const SRC = resolve(__dirname, '../src');
const HOOKS = ['plugin/pre-tasks-execution', 'plugin/post-tasks-execution'];

interface Import {
  file: string;
  /** Repo-relative module inside src (no extension), or the bare package name. */
  target: string;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  return specifiers.map((spec) => ({
    file,
    target: spec.startsWith('.') ? relative(SRC, resolve(dirname(join(SRC, file)), spec)).replace(/\.(ts|js)$/, '') : spec,
  }));
}

const sources = fg.sync('**/*.ts', { cwd: SRC, ignore: ['**/*.spec.ts'] }).sort();
const imports = sources.flatMap(importsOf);

test('nothing under src/dvc imports Nx or the Nx side of the plugin', () => {
  const offending = imports.filter(
    ({ file, target }) => file.startsWith('dvc/') && (/^(nx|@nx\/)/.test(target) || /^(plugin|executors|generators)\//.test(target) || target === 'index'),
  );
  assert.deepEqual(offending, []);
});

test('no executor imports a task hook', () => {
  const offending = imports.filter(({ file, target }) => file.startsWith('executors/') && HOOKS.includes(target));
  assert.deepEqual(offending, []);
});

test('the source files import each other without cycles', () => {
  const edges = new Map<string, string[]>();
  for (const { file, target } of imports) {
    const from = file.replace(/\.ts$/, '');
    const to = sources.includes(`${target}.ts`) ? target : sources.includes(`${target}/index.ts`) ? `${target}/index` : undefined;
    if (to) edges.set(from, [...(edges.get(from) ?? []), to]);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') return void cycles.push([...path.slice(path.indexOf(node)), node]);
    state.set(node, 'open');
    for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const file of sources) visit(file.replace(/\.ts$/, ''), []);
  assert.deepEqual(cycles, []);
});

test('the rules see the imports they check', () => {
  // guards the parser above: a rule over an empty import list would pass for nothing
  assert.ok(imports.some(({ file, target }) => file === 'executors/stage/executor.ts' && target.startsWith('dvc/')));
  assert.ok(imports.some(({ file, target }) => file.startsWith('plugin/') && target === '@nx/devkit'));
});
