import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createWorkspace, type Workspace } from '../tools/support/workspace';

/**
 * What DVC refuses, nx-dvc refuses before it touches anything; what DVC accepts, nx-dvc accepts.
 * One workspace, one pipeline per case.
 */
describe('outputs and dependencies DVC refuses or accepts', () => {
  let ws: Workspace;
  before(() => {
    ws = createWorkspace({
      files: {
        'danger/dvc.yaml': 'stages:\n  wipe:\n    cmd: echo ran > ran.txt\n    outs:\n    - ../.git\n',
        'tracked/dvc.yaml': 'stages:\n  write:\n    cmd: echo new > tracked.txt\n    outs:\n    - tracked.txt\n',
        'tracked/tracked.txt': 'committed\n',
      },
    });
  });
  after(() => ws.cleanup());

  test('a stage whose output is .git is refused with DVC\'s message, and .git survives', () => {
    const head = ws.git('rev-parse', 'HEAD');
    const result = ws.nx(['run', 'danger:wipe']);
    assert.notEqual(result.code, 0, result.output);
    assert.match(result.output, /ERROR: Path '.*\/danger\/\.\.\/\.git' is ignored by :\.git/);
    assert.equal(ws.git('rev-parse', 'HEAD'), head, 'the history is still there');
    assert.equal(ws.exists('danger/ran.txt'), false, 'the command never ran');
  });

  test('an output git tracks: the command runs, then the stage fails in DVC\'s words; no dvc.lock, no .gitignore line', () => {
    const result = ws.nx(['run', 'tracked:write']);
    assert.notEqual(result.code, 0, result.output);
    assert.ok(
      result.output.includes(
        "ERROR: failed to reproduce 'tracked/dvc.yaml:write':  output 'tracked/tracked.txt' is already tracked by SCM (e.g. Git).\n" +
          '    You can remove it from Git, then add to DVC.\n        To stop tracking from Git:\n' +
          "            git rm -r --cached 'tracked/tracked.txt'\n            git commit -m \"stop tracking tracked/tracked.txt\" ",
      ),
      result.output,
    );
    assert.equal(ws.read('tracked/tracked.txt'), 'new\n', 'the command ran, as in DVC');
    assert.equal(ws.exists('tracked/dvc.lock'), false);
    assert.equal(ws.exists('tracked/.gitignore'), false);
  });

  test('a broken dvc.yaml makes every README command that runs it exit non-zero', () => {
    ws.remove('danger');
    ws.remove('tracked');
    ws.write('good/dvc.yaml', 'stages:\n  hello:\n    cmd: echo hello > hello.txt\n    outs:\n    - hello.txt\n');
    ws.commitAll('only a good pipeline');
    const base = ws.git('rev-parse', 'HEAD').trim();
    const commands = [
      ['run-many', '-t', 'repro', '--projects=tag:dvc:stage'],
      ['run-many', '-t', 'repro'],
      ['run-many', '-t', 'repro', '--projects=broken/**'],
      ['affected', '-t', 'repro', `--base=${base}`, '--head=HEAD'],
    ];
    ws.nxOk(commands[0]!);
    for (const [name, text] of [
      ['broken', 'stages:\n  bad:\n    cmd: echo ${missing.key}\n  ok:\n    cmd: echo ok\n'],
      ['unreadable', 'stages: [oops\n'],
    ]) {
      ws.write(`${name}/dvc.yaml`, text!);
      ws.commitAll(`a broken ${name}/dvc.yaml`);
      for (const command of [...commands, ['run', `${name}:repro`]]) {
        if (name === 'unreadable' && command.includes('--projects=broken/**')) continue;
        const result = ws.nx(command);
        assert.notEqual(result.code, 0, `nx ${command.join(' ')} with ${name}/dvc.yaml\n${result.output}`);
      }
      ws.remove(`${name}/dvc.yaml`);
      ws.commitAll(`${name} fixed`);
    }
  });
});
