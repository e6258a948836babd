import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { createWorkspace, NX_ENV, taskStatus, type Workspace } from '../tools/support/workspace';

/**
 * `dvc repro --downstream` and `--dry`, which Nx has no flag for, through the pipeline project's
 * `dvc-repro` target; the other flags map to Nx's own (README table), exercised here where they
 * are nx-dvc's doing.
 */
const PIPELINE = `stages:
  a1:
    cmd: cat a.txt > a1.txt
    deps: [a.txt]
    outs: [a1.txt]
  a2:
    cmd: cat a1.txt > a2.txt
    deps: [a1.txt]
    outs: [a2.txt]
  b1:
    cmd: cat b.txt > b1.txt
    deps: [b.txt]
    outs: [b1.txt]
  b2:
    cmd: cat b1.txt > b2.txt
    deps: [b1.txt]
    outs: [b2.txt]
  train:
    cmd:
    - cat a2.txt b2.txt > train.txt
    - echo trained
    deps: [a2.txt, b2.txt]
    outs: [train.txt]
`;

const STAGES = ['a1', 'a2', 'b1', 'b2', 'train'];

/** A chain whose first stage keeps its output when the second line of its input changes, and fails on `fail`. */
const CHAIN = `stages:
  first:
    cmd: head -n 1 in.txt > first.txt && test "$(tail -n 1 in.txt)" != fail
    deps: [in.txt]
    outs: [first.txt]
  second:
    cmd: cat first.txt > second.txt
    deps: [first.txt]
    outs: [second.txt]
  third:
    cmd: cat second.txt > third.txt
    deps: [second.txt]
    outs: [third.txt]
`;
const CHAIN_STAGES = ['first', 'second', 'third'];
const chainStatuses = (output: string) => Object.fromEntries(CHAIN_STAGES.map((s) => [s, taskStatus(output, `chain--${s}:repro`)]));

const hasScript = spawnSync('script', ['--version']).status === 0;

let ws: Workspace;
const statuses = (output: string) => Object.fromEntries(STAGES.map((s) => [s, taskStatus(output, `pipe--${s}:repro`)]));

/** The lines nx-dvc printed for a dry run, without Nx's own. */
function dryLines(output: string): string[] {
  return output.split('\n').filter((l) => /^(Running stage|> |Stage '|WARNING)/.test(l) && !l.startsWith('> nx run'));
}

before(() => {
  ws = createWorkspace({
    files: { 'pipe/dvc.yaml': PIPELINE, 'pipe/a.txt': 'a\n', 'pipe/b.txt': 'b\n', 'chain/dvc.yaml': CHAIN, 'chain/in.txt': 'x\nok\n' },
  });
});

after(() => ws.cleanup());

describe('dvc repro flags Nx has no flag for', () => {
  test('--dry prints every stage that would run with its commands, in DVC order, and runs nothing', () => {
    const run = ws.nxOk(['run', 'pipe:dvc-repro', '--dry']);
    assert.deepEqual(dryLines(run.output), [
      "Running stage 'pipe/dvc.yaml:a1':",
      '> cat a.txt > a1.txt',
      "Running stage 'pipe/dvc.yaml:a2':",
      '> cat a1.txt > a2.txt',
      "Running stage 'pipe/dvc.yaml:b1':",
      '> cat b.txt > b1.txt',
      "Running stage 'pipe/dvc.yaml:b2':",
      '> cat b1.txt > b2.txt',
      "Running stage 'pipe/dvc.yaml:train':",
      '> cat a2.txt b2.txt > train.txt',
      '> echo trained',
    ]);
    assert.ok(!ws.exists('pipe/a1.txt') && !ws.exists('pipe/dvc.lock'), 'nothing ran, nothing was written');
  });

  test('--stages picks targets with their upstream, as `dvc repro <target>`', () => {
    const run = ws.nxOk(['run', 'pipe:dvc-repro', '--stages=b2', '--output-style=static']);
    assert.deepEqual(statuses(run.output), { a1: 'absent', a2: 'absent', b1: 'ran', b2: 'ran', train: 'absent' });
    ws.nxOk(['run', 'pipe:repro']);
  });

  test('--dry after a change lists only what changed; unchanged stages are skipped', () => {
    ws.write('pipe/b.txt', 'b, edited\n');
    const run = ws.nxOk(['run', 'pipe:dvc-repro', '--dry', '--stages=b1']);
    assert.deepEqual(dryLines(run.output), ["Running stage 'pipe/dvc.yaml:b1':", '> cat b.txt > b1.txt']);
    assert.equal(ws.read('pipe/b1.txt'), 'b\n');
  });

  test('--downstream runs the stage and everything depending on it, not their other upstream', () => {
    ws.write('pipe/a.txt', 'a, edited\n'); // a1 is now changed too, but not downstream of b1
    const run = ws.nxOk(['run', 'pipe:dvc-repro', '--stages=b1', '--downstream', '--output-style=static']);
    assert.deepEqual(statuses(run.output), { a1: 'absent', a2: 'absent', b1: 'ran', b2: 'ran', train: 'ran' });
    assert.equal(ws.read('pipe/train.txt'), 'a\nb, edited\n');
    assert.equal(ws.read('pipe/a1.txt'), 'a\n');
  });

  test('--dry --downstream: the downstream plan, with the statuses DVC would print', () => {
    const run = ws.nxOk(['run', 'pipe:dvc-repro', '--stages=a1', '--downstream', '--dry']);
    assert.deepEqual(dryLines(run.output), [
      "Running stage 'pipe/dvc.yaml:a1':",
      '> cat a.txt > a1.txt',
      "Stage 'pipe/dvc.yaml:a2' didn't change, skipping",
      "Stage 'pipe/dvc.yaml:train' didn't change, skipping",
    ]);
  });

  test('--pipeline (-p): every stage connected to the target, upstream and downstream', () => {
    const run = ws.nxOk(['run', 'pipe:dvc-repro', '--stages=b2', '--pipeline', '--dry']);
    assert.deepEqual(dryLines(run.output), [
      "Running stage 'pipe/dvc.yaml:a1':",
      '> cat a.txt > a1.txt',
      "Stage 'pipe/dvc.yaml:a2' didn't change, skipping",
      "Stage 'pipe/dvc.yaml:b1' didn't change, skipping",
      "Stage 'pipe/dvc.yaml:b2' didn't change, skipping",
      "Stage 'pipe/dvc.yaml:train' didn't change, skipping",
    ]);
  });

  test('--no-commit is --dvcCache=false, forwarded to every stage of the run', () => {
    ws.write('.dvc/config', '');
    ws.write('pipe/b.txt', 'b, edited again\n');
    assert.equal(statuses(ws.nxOk(['run', 'pipe:b1', '--dvcCache=false', '--output-style=static']).output).b1, 'ran');
    assert.ok(!ws.exists('.dvc/cache'), 'nothing went into DVC\'s cache');
    const again = ws.nxOk(['run', 'pipe:b1', '--output-style=static']).output;
    assert.match(again, /Stage 'pipe\/dvc.yaml:b1' didn't change, skipping/);
    assert.ok(ws.exists('.dvc/cache/files/md5'), 'a run without the flag commits the outputs');
  });

  test('-R <dir> is a run-many over the pipeline projects under that directory', () => {
    const run = ws.nxOk(['run-many', '-t', 'repro', "--projects=pipe/**", '--output-style=static']);
    for (const [stage, status] of Object.entries(statuses(run.output))) assert.notEqual(status, 'absent', stage);
  });

  test('an unknown stage name is a clear error', () => {
    const run = ws.nx(['run', 'pipe:dvc-repro', '--stages=nope']);
    assert.notEqual(run.code, 0);
    assert.match(run.output, /ERROR: 'pipe\/dvc.yaml' does not have a stage named 'nope'/);
    assert.doesNotMatch(run.output, /\n\s+at /);
  });
});

describe('dvc repro flags Nx has no behaviour for', () => {
  before(() => ws.nxOk(['run', 'chain:repro']));

  test('--force-downstream: the stages below a changed stage run even though their inputs did not change', () => {
    ws.write('chain/in.txt', 'x\nok too\n'); // first runs again and writes the same first.txt
    assert.deepEqual(dryLines(ws.nxOk(['run', 'chain:dvc-repro', '--dry']).output), [
      "Running stage 'chain/dvc.yaml:first':",
      '> head -n 1 in.txt > first.txt && test "$(tail -n 1 in.txt)" != fail',
      "Stage 'chain/dvc.yaml:second' didn't change, skipping",
      "Stage 'chain/dvc.yaml:third' didn't change, skipping",
    ]);
    assert.deepEqual(dryLines(ws.nxOk(['run', 'chain:dvc-repro', '--dry', '--forceDownstream']).output), [
      "Running stage 'chain/dvc.yaml:first':",
      '> head -n 1 in.txt > first.txt && test "$(tail -n 1 in.txt)" != fail',
      "Running stage 'chain/dvc.yaml:second':",
      '> cat first.txt > second.txt',
      "Running stage 'chain/dvc.yaml:third':",
      '> cat second.txt > third.txt',
    ]);
    const run = ws.nxOk(['run', 'chain:dvc-repro', '--forceDownstream', '--output-style=static']).output;
    assert.deepEqual(chainStatuses(run), { first: 'ran', second: 'ran', third: 'ran' });
    assert.match(run, /nx run chain--second:repro --force/, 'second is forced, not taken from the cache');
    assert.match(ws.nxOk(['run', 'chain:dvc-repro', '--forceDownstream', '--dry']).output, /Stage 'chain\/dvc.yaml:first' didn't change, skipping/);
  });

  test("--ignore-errors: a failed stage is DVC's warning, its dependents still run, the command succeeds", () => {
    ws.write('chain/in.txt', 'y\nfail\n'); // first writes first.txt, then fails
    const run = ws.nx(['run', 'chain:dvc-repro', '--ignoreErrors', '--output-style=static']);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /WARNING: failed to run: head -n 1 in.txt > first.txt && test "\$\(tail -n 1 in.txt\)" != fail, exited with 1 \(ignored\)/);
    assert.doesNotMatch(run.output, /ERROR: failed to reproduce/);
    assert.equal(ws.read('chain/third.txt'), 'y\n');
    const without = ws.nx(['run', 'chain:dvc-repro', '--output-style=static']);
    assert.notEqual(without.code, 0, 'without the flag a failure fails the command');
    assert.match(without.output, /ERROR: failed to reproduce 'chain\/dvc.yaml:first'/);
  });

  test('-i/--interactive asks before each stage that would run; no (or no terminal) stops with DVC\'s error', { skip: !hasScript && 'needs util-linux `script` for a terminal' }, async () => {
    ws.write('chain/in.txt', 'z\nok\n');
    const noTerminal = ws.nx(['run', 'chain:dvc-repro', '--interactive']);
    assert.notEqual(noTerminal.code, 0);
    assert.match(noTerminal.output, /ERROR: failed to reproduce 'chain\/dvc.yaml:first': reproduction aborted by the user/);
    assert.equal(ws.read('chain/first.txt'), 'y\n', 'nothing ran');
    const session = await inTerminal(ws, ['run', 'chain:dvc-repro', '-i'], ['maybe', 'y', 'n']);
    assert.notEqual(session.code, 0);
    assert.match(session.output, /Going to reproduce stage: 'chain\/dvc.yaml:first'. Are you sure you want to continue\? \[y\/n\]/);
    assert.match(session.output, /Your response must be one of: \['yes', 'no', 'y', 'n'\]. Please try again./);
    assert.match(session.output, /ERROR: failed to reproduce 'chain\/dvc.yaml:second': reproduction aborted by the user/);
    assert.equal(ws.read('chain/first.txt'), 'z\n', 'the stage the user agreed to ran');
    assert.equal(ws.read('chain/second.txt'), 'y\n', 'the one refused did not');
  });
});

/** Runs nx under `script`, a real terminal, answering each `[y/n]` question in turn. */
function inTerminal(workspace: Workspace, args: string[], answers: string[]): Promise<{ code: number; output: string }> {
  const command = [workspace.path('node_modules/.bin/nx'), ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: workspace.root, env: { ...process.env, ...NX_ENV } });
    let output = '';
    let asked = 0;
    child.stdout.on('data', (data) => {
      output += data;
      const questions = output.split('[y/n]').length - 1;
      while (asked < questions && asked < answers.length) child.stdin.write(`${answers[asked++]}\n`);
    });
    child.stderr.on('data', (data) => (output += data));
    const timer = setTimeout(() => child.kill(), 180_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output: output.replace(/\r/g, '') });
    });
  });
}
