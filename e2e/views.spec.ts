import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createWorkspace, type Workspace } from '../tools/support/workspace';

const PIPELINE = `stages:
  prepare:
    cmd: node -e "require('fs').writeFileSync('clean.csv', require('fs').readFileSync('raw.csv'))"
    deps:
    - raw.csv
    outs:
    - clean.csv
  train:
    cmd: node -e "require('fs').writeFileSync('model.txt', 'm')"
    deps:
    - clean.csv
    params:
    - train.lr
    outs:
    - model.txt
  report:
    cmd: node -e "require('fs').writeFileSync('report.txt', 'r')"
    deps:
    - model.txt
    outs:
    - report.txt
  notify:
    cmd: echo done
    always_changed: true
`;

describe('the status and dag views of a pipeline project', () => {
  let workspace: Workspace;
  after(() => workspace?.cleanup());

  test("dvc status: changed stages and why, in DVC's words, without running anything", () => {
    workspace = createWorkspace({ files: { 'ml/dvc.yaml': PIPELINE, 'ml/raw.csv': 'a\n1\n', 'ml/params.yaml': 'train:\n  lr: 0.1\n' } });
    const fresh = workspace.nxOk(['run', 'ml:dvc-status']).stdout;
    assert.match(fresh, /ml\/dvc.yaml:prepare:\n\tchanged deps:\n\t\tmodified:           ml\/raw.csv\n\tchanged outs:\n\t\tdeleted:            ml\/clean.csv\n/);
    assert.ok(!workspace.exists('ml/clean.csv'), 'status runs nothing');

    workspace.nxOk(['run', 'ml:repro']);
    assert.equal(statusLines(workspace), ['ml/dvc.yaml:notify:', '\talways changed'].join('\n'));

    workspace.write('ml/raw.csv', 'a\n2\n');
    workspace.remove('ml/report.txt');
    workspace.write('ml/params.yaml', 'train:\n  lr: 0.2\n');
    workspace.write('ml/dvc.yaml', PIPELINE.replace("'m')", "'m2')"));
    assert.equal(
      statusLines(workspace),
      [
        'ml/dvc.yaml:prepare:',
        '\tchanged deps:',
        '\t\tmodified:           ml/raw.csv',
        'ml/dvc.yaml:train:',
        '\tchanged deps:',
        '\t\tml/params.yaml:',
        '\t\t\tmodified:           train.lr',
        '\tchanged command',
        'ml/dvc.yaml:report:',
        '\tchanged outs:',
        '\t\tdeleted:            ml/report.txt',
        'ml/dvc.yaml:notify:',
        '\talways changed',
      ].join('\n'),
    );
    const json = JSON.parse(lastLine(workspace.nxOk(['run', 'ml:dvc-status', '--json']).stdout));
    assert.deepEqual(json['ml/dvc.yaml:train'], [{ 'changed deps': { 'ml/params.yaml': { 'train.lr': 'modified' } } }, 'changed command']);
  });

  test('dvc dag: ASCII boxes, mermaid and dot, across dvc.yaml files', () => {
    workspace.write('serve/dvc.yaml', 'stages:\n  deploy:\n    cmd: cp ../ml/model.txt served.txt\n    deps:\n    - ../ml/model.txt\n    outs:\n    - served.txt\n');
    const mermaid = workspace.nxOk(['run', 'serve:dvc-dag', '--mermaid']).stdout;
    assert.match(
      mermaid,
      /flowchart TD\n\tnode1\["ml\/dvc.yaml:prepare"\]\n\tnode2\["ml\/dvc.yaml:train"\]\n\tnode3\["serve\/dvc.yaml:deploy"\]\n\tnode1-->node2\n\tnode2-->node3\n/,
    );
    const dot = workspace.nxOk(['run', 'serve:dvc-dag', '--dot']).stdout;
    assert.match(dot, /strict digraph \{\n"ml\/dvc.yaml:prepare";\n"ml\/dvc.yaml:train";\n"serve\/dvc.yaml:deploy";\n"ml\/dvc.yaml:prepare" -> "ml\/dvc.yaml:train";\n"ml\/dvc.yaml:train" -> "serve\/dvc.yaml:deploy";\n\}/);
    const ascii = workspace.nxOk(['run', 'ml:dvc-dag']).stdout;
    for (const name of ['ml/dvc.yaml:prepare', 'ml/dvc.yaml:train', 'ml/dvc.yaml:report', 'ml/dvc.yaml:notify']) assert.match(ascii, new RegExp(`\\| ${name} \\|`));
    assert.doesNotMatch(ascii, /deploy/, 'without --full, only the file and its upstream');
    assert.match(workspace.nxOk(['run', 'ml:dvc-dag', '--full']).stdout, /\| serve\/dvc.yaml:deploy \|/);
  });
});

/** The `dvc status` text inside Nx's framing: from the first stage line to the last status line. */
function statusLines(workspace: Workspace): string {
  const out = workspace.nxOk(['run', 'ml:dvc-status']).stdout.split('\n');
  const first = out.findIndex((l) => /^ml\/dvc.yaml:/.test(l));
  let last = first;
  while (last + 1 < out.length && /^(\t|ml\/dvc.yaml:)/.test(out[last + 1])) last++;
  return out.slice(first, last + 1).join('\n');
}

function lastLine(stdout: string): string {
  return stdout.split('\n').find((l) => l.startsWith('{'))!;
}
