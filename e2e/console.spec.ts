import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dvcOk, skipWithoutDvc } from '../tools/support/real-dvc';
import { createWorkspace, Workspace } from '../tools/support/workspace';

/**
 * What a run prints, next to what real DVC prints for the same pipeline (DVC's filter/count
 * example of `dvc repro`), and Nx's run summary.
 */
const FILES = {
  'pipe/dvc.yaml': `stages:
  filter:
    cmd: grep -E '[0-9]+' text.txt > numbers.txt
    deps: [text.txt]
    outs: [numbers.txt]
  count:
    cmd: wc -l < numbers.txt > count.txt
    deps: [numbers.txt]
    metrics: [count.txt]
`,
  'pipe/text.txt': 'the answer 42\nno digits\n7 dwarfs\n',
};

/** DVC's own lines (stage, command, lock file), without Nx's. */
function dvcLines(output: string): string[] {
  return output.split('\n').filter((l) => /^(Running stage|> |Stage '|Generating lock file|Updating lock file)/.test(l) && !l.startsWith('> nx run'));
}

let ws: Workspace;
let firstRun: string;

before(() => {
  ws = createWorkspace({ files: FILES });
  firstRun = ws.nxOk(['run', 'pipe:repro', '--output-style=static']).output;
});

after(() => ws.cleanup());

describe('console lines and run summary', () => {
  test('a first run prints `Generating lock file` once, where DVC prints it', { skip: skipWithoutDvc }, () => {
    const reference = new Workspace(mkdtempSync(join(tmpdir(), 'nx-dvc-console-dvc-')));
    try {
      for (const [file, content] of Object.entries(FILES)) reference.write(file, content);
      reference.git('init', '-q');
      dvcOk(reference.root, ['init', '-q']);
      const expected = dvcLines(dvcOk(reference.root, ['repro', 'pipe/dvc.yaml']).stdout);
      assert.deepEqual(dvcLines(firstRun), expected);
      assert.equal(expected.filter((l) => l.startsWith('Generating lock file')).length, 1);
    } finally {
      rmSync(reference.root, { recursive: true, force: true });
    }
    assert.equal(ws.read('pipe/dvc.lock').split('\n')[0], "schema: '2.0'");
  });

  test('a fully cached `nx run pipe:repro` reads as fully cached, the alias included', () => {
    const run = ws.nxOk(['run', 'pipe:repro']);
    assert.match(run.output, /Cache:\s+3\/3 hit \(100%\)/);
  });
});
