import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createWorkspace, type Workspace } from '../tools/support/workspace';

/**
 * Every `nx …` command the README shows, run as written against a workspace shaped like its
 * examples (`pipe/dvc.yaml` with prepare, a foreach train over small and large, and evaluate).
 * Placeholders take the example's values; a command the README adds cannot go untested.
 */
const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

const PIPELINE = `stages:
  prepare:
    cmd: cp raw.txt prepared.txt
    deps:
    - raw.txt
    outs:
    - prepared.txt
  train:
    foreach: [small, large]
    do:
      cmd: cp prepared.txt model-\${item}.txt
      deps:
      - prepared.txt
      outs:
      - model-\${item}.txt
  evaluate:
    cmd: cat model-small.txt model-large.txt > metrics.txt
    deps:
    - model-small.txt
    - model-large.txt
    metrics:
    - metrics.txt:
        cache: false
`;

/** Flags the `dvc repro` table shows as additions to a run. */
const RUN_FLAGS = ['--force --skip-nx-cache', '--nxBail', '--dvcCache=false', '--skip-nx-cache', '--outputStyle=static', '--verbose'];

function readmeCommands(): string[] {
  const spans = [...README.matchAll(/`(nx (?:run|run-many|affected|show|g) [^`]+)`/g)].map((m) => m[1]);
  const flagged = RUN_FLAGS.filter((flag) => README.includes(`\`${flag}\``) || README.includes(`add \`${flag}\``)).map((flag) => `nx run pipe:repro ${flag}`);
  return [...new Set([...spans, ...flagged])].filter((command) => !command.startsWith('nx g '));
}

function asWritten(command: string): string[] {
  const concrete = command
    .replaceAll('<project>', 'pipe')
    .replaceAll('<dir>', 'pipe')
    .replaceAll('<ref>', 'HEAD~1')
    .replace(/\bml:/, 'pipe:');
  return shellWords(concrete).slice(1);
}

/**
 * Each command line once, with the README's spellings of it: `nx run <project>:dvc-dag` and
 * `nx run ml:dvc-dag` are `nx run pipe:dvc-dag` on the example, and one run of it proves them all.
 */
function distinctAsWritten(commands: string[]): Map<string[], string[]> {
  const byLine = new Map<string, { argv: string[]; shown: string[] }>();
  for (const command of commands) {
    const argv = asWritten(command);
    const key = JSON.stringify(argv);
    if (!byLine.has(key)) byLine.set(key, { argv, shown: [] });
    byLine.get(key)!.shown.push(command);
  }
  return new Map([...byLine.values()].map(({ argv, shown }) => [argv, shown]));
}

/** Words as a POSIX shell splits them: quotes group, and are removed, anywhere in a word. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/(?:'[^']*'|"[^"]*"|[^\s'"]+)+/g)) words.push(match[0].replace(/'([^']*)'|"([^"]*)"/g, '$1$2'));
  return words;
}

describe('the README commands, run as written', () => {
  let workspace: Workspace;
  after(() => workspace?.cleanup());

  test('each `nx` command shown exits 0 on the README example', () => {
    workspace = createWorkspace({ files: { 'pipe/dvc.yaml': PIPELINE, 'pipe/raw.txt': 'raw\n' } });
    workspace.write('pipe/raw.txt', 'raw, edited\n');
    workspace.commitAll('edit the data');
    const commands = readmeCommands();
    assert.ok(commands.length >= 20, `found ${commands.length} commands`);
    for (const [argv, shown] of distinctAsWritten(commands)) {
      const result = workspace.nx(argv);
      assert.equal(result.code, 0, `${shown.join(', ')}\n${result.output}`);
      assert.doesNotMatch(result.output, /^ERROR:/m, shown.join(', '));
    }
  });

  test('the stage generator line of the command table', () => {
    const command = [...README.matchAll(/`(nx g nx-dvc:stage [^`]+)`/g)].map((m) => m[1])[0];
    const ws = createWorkspace({ files: { 'pipe/dvc.yaml': 'stages:\n  prepare:\n    cmd: echo\n', 'pipe/data/x.csv': '1\n' } });
    try {
      ws.nxOk(asWritten(command));
      assert.match(ws.read('pipe/dvc.yaml'), /\n {2}train:\n {4}cmd: python train.py\n {4}deps:\n {4}- data\n {4}outs:\n {4}- model.pkl\n$/);
    } finally {
      ws.cleanup();
    }
  });
});
