import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorkspace, taskStatus, type Workspace } from '../tools/support/workspace';

/**
 * The `dvc repro` reference's picture: two independent branches A1 → A2 and B1 → B2 joining into
 * train. Each command logs when it starts and ends to a file outside every output.
 */
const step = (name: string, from: string | undefined) =>
  `echo "start ${name} $(date +%s%N)" >> "$RUN_LOG" && sleep 1 && ${from ? `cat ${from} > ${name}.txt` : `echo ${name} > ${name}.txt`} && echo "end ${name} $(date +%s%N)" >> "$RUN_LOG"`;

const PIPELINE = `stages:
  a1:
    cmd: ${step('a1', undefined)}
    outs: [a1.txt]
  a2:
    cmd: ${step('a2', 'a1.txt')}
    deps: [a1.txt]
    outs: [a2.txt]
  b1:
    cmd:
    - sh b1.sh
    - ${step('b1', undefined)}
    deps: [b1.sh]
    outs: [b1.txt]
  b2:
    cmd: ${step('b2', 'b1.txt')}
    deps: [b1.txt]
    outs: [b2.txt]
  train:
    cmd: ${step('train', 'a2.txt b2.txt')}
    deps: [a2.txt, b2.txt]
    outs: [train.txt]
`;

const TASKS = ['a1', 'a2', 'b1', 'b2', 'train'].map((s) => `pipe--${s}:repro`);

interface Interval {
  start: bigint;
  end: bigint;
}

describe('two branches joining into one stage', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'nx-dvc-parallel-'));
  const runLog = join(scratch, 'run.log');
  let ws: Workspace;

  const repro = () => ws.nx(['run', 'pipe:repro', '--parallel=2', '--output-style=static'], { RUN_LOG: runLog });
  const statuses = (output: string) => Object.fromEntries(TASKS.map((t) => [t.replace(/^pipe--|:repro$/g, ''), taskStatus(output, t)]));

  /** Start and end of each command in the last run, in nanoseconds. */
  function intervals(): Record<string, Interval> {
    const found: Record<string, Partial<Interval>> = {};
    for (const line of readFileSync(runLog, 'utf8').split('\n').filter(Boolean)) {
      const [edge, name, time] = line.split(' ');
      (found[name] ??= {})[edge as 'start' | 'end'] = BigInt(time);
    }
    rmSync(runLog, { force: true });
    return found as Record<string, Interval>;
  }

  before(() => {
    ws = createWorkspace({
      files: { 'pipe/dvc.yaml': PIPELINE, 'pipe/b1.sh': 'echo "b1 is broken" >&2\nexit 3\n' },
    });
  });

  after(() => {
    ws.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('a failing stage stops its branch only; the other branch finishes and is cached', () => {
    const run = repro();
    assert.notEqual(run.code, 0);
    assert.deepEqual(statuses(run.output), { a1: 'ran', a2: 'ran', b1: 'ran', b2: 'absent', train: 'absent' });
    assert.match(run.output, /ERROR: failed to reproduce 'pipe\/dvc.yaml:b1': failed to run: sh b1.sh, exited with 3/);
    assert.match(run.output, /b1 is broken/);
    assert.deepEqual(Object.keys(intervals()).sort(), ['a1', 'a2']);
    const lock = ws.read('pipe/dvc.lock');
    assert.match(lock, /^ {2}a1:$/m);
    assert.match(lock, /^ {2}a2:$/m);
    assert.doesNotMatch(lock, /^ {2}(b1|b2|train):$/m);
    assert.ok(!ws.exists('pipe/b1.txt') && !ws.exists('pipe/train.txt'));
  });

  test('the failure left no cache entry: the next run tries it again, the finished branch is a cache hit', () => {
    const run = repro();
    assert.notEqual(run.code, 0);
    assert.deepEqual(statuses(run.output), { a1: 'local cache', a2: 'local cache', b1: 'ran', b2: 'absent', train: 'absent' });
    assert.equal(existsSync(runLog), false, 'no command but the failing one ran');
  });

  test('after the fix only the failed stage and its dependents run; the join runs once, after both branches', () => {
    ws.write('pipe/b1.sh', 'true\n');
    const run = repro();
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(statuses(run.output), { a1: 'local cache', a2: 'local cache', b1: 'ran', b2: 'ran', train: 'ran' });
    const times = intervals();
    assert.deepEqual(Object.keys(times).sort(), ['b1', 'b2', 'train']);
    assert.ok(times.train.start >= times.b2.end);
    assert.equal(ws.read('pipe/train.txt'), 'a1\nb1\n');
    assert.match(ws.read('pipe/dvc.lock'), /^ {2}train:$/m);
  });

  test('from scratch at --parallel=2 the branches run at the same time and the join once, after both', () => {
    ws.remove('.nx/cache');
    for (const out of ['a1', 'a2', 'b1', 'b2', 'train']) ws.remove(`pipe/${out}.txt`);
    ws.remove('pipe/dvc.lock');
    const run = ws.nx(['run', 'pipe:repro', '--parallel=2', '--skip-nx-cache', '--output-style=static'], { RUN_LOG: runLog });
    assert.equal(run.code, 0, run.output);
    const t = intervals();
    assert.deepEqual(Object.keys(t).sort(), ['a1', 'a2', 'b1', 'b2', 'train']);
    const overlap = (x: Interval, y: Interval) => x.start < y.end && y.start < x.end;
    assert.ok(overlap(t.a1, t.b1) || overlap(t.a2, t.b2) || overlap(t.a1, t.b2) || overlap(t.a2, t.b1), 'the two branches overlapped');
    assert.ok(t.train.start >= t.a2.end && t.train.start >= t.b2.end);
    assert.equal(ws.read('pipe/train.txt'), 'a1\nb1\n');
  });
});
