import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createWorkspace, taskStatus, type Workspace } from '../tools/support/workspace';

/** s1 → s2 → … → s6, each a `cp` of the previous file; a side stage that fails when asked to. */
function chain(failing: boolean): string {
  const stages = Array.from({ length: 6 }, (_, i) =>
    `  s${i + 1}:\n    cmd: cp f${i}.txt f${i + 1}.txt && echo copied f${i + 1}\n    deps:\n    - f${i}.txt\n    outs:\n    - f${i + 1}.txt\n`,
  );
  const side = `  side:\n    cmd: ${failing ? 'exit 4' : 'cp f2.txt side.txt'}\n    deps:\n    - f2.txt\n    outs:\n    - side.txt\n  after-side:\n    cmd: cp side.txt after.txt\n    deps:\n    - side.txt\n    outs:\n    - after.txt\n`;
  return `stages:\n${stages.join('')}${side}`;
}

describe('stages batched by default: many stages in one process', () => {
  const workspaces: Workspace[] = [];
  after(() => workspaces.forEach((w) => w.cleanup()));
  const make = (failing = false) => {
    const ws = createWorkspace({ files: { 'pipe/dvc.yaml': chain(failing), 'pipe/f0.txt': 'zero\n' } });
    workspaces.push(ws);
    return ws;
  };
  const runAll = (ws: Workspace, batch: boolean) => ws.nx(['run-many', '-t', 'repro', '--projects=tag:dvc:stage', '--outputStyle=static', ...(batch ? [] : ['--batch=false'])]);

  test('the default (one batch) leaves the same outputs, dvc.lock and .gitignore as one process per stage (--batch=false), and caches every stage', () => {
    const batched = make();
    const separate = make();
    const result = runAll(batched, true);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /Running \d+ tasks with nx-dvc:stage/, 'one batch');
    assert.match(result.output, /copied f6/, "a stage's output reaches Nx's");
    const separately = runAll(separate, false);
    assert.equal(separately.code, 0, separately.output);
    assert.doesNotMatch(separately.output, /tasks with nx-dvc:stage/, 'one process per stage');
    for (const file of ['pipe/f6.txt', 'pipe/after.txt', 'pipe/dvc.lock', 'pipe/.gitignore']) assert.equal(batched.read(file), separate.read(file), file);
    const again = runAll(batched, true);
    for (let i = 1; i <= 6; i++) assert.equal(taskStatus(again.output, `pipe--s${i}:repro`), 'local cache');
    assert.match(again.output, /> nx run pipe--s6:repro {2}\[local cache\]\n+(.*\n)*copied f6/, "a cache hit replays the stage's output");
  });

  test('a failing stage fails its task with DVC\'s message and its dependents never run; the others finish', () => {
    const ws = make(true);
    const result = runAll(ws, true);
    assert.notEqual(result.code, 0);
    assert.equal(result.output.match(/ERROR: failed to reproduce 'pipe\/dvc.yaml:side': failed to run: exit 4, exited with 4/g)?.length, 1, `printed once:\n${result.output}`);
    assert.equal(taskStatus(result.output, 'pipe--after-side:repro'), 'absent');
    assert.ok(!ws.exists('pipe/after.txt'));
    assert.equal(ws.read('pipe/f6.txt'), 'zero\n');
    assert.match(ws.read('pipe/dvc.lock'), /\n {2}s6:\n/);
    assert.doesNotMatch(ws.read('pipe/dvc.lock'), /side/);
  });
});
