import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createWorkspace, type Workspace } from './support/workspace';

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
});
