import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parallelCount } from './parallel-count';

const nx = (...args: string[]) => ['/usr/bin/node', '/ws/node_modules/.bin/nx', 'run-many', '-t', 'repro', ...args];

describe("Nx's parallel count, read from the command line as Nx reads it", () => {
  test('the flag in its forms', () => {
    assert.equal(parallelCount(nx('--parallel=2'), undefined, {}), 2);
    assert.equal(parallelCount(nx('--parallel', '5'), undefined, {}), 5);
    assert.equal(parallelCount(nx('--parallel'), undefined, {}), 3);
    assert.equal(parallelCount(nx('--parallel', '--maxParallel=7'), undefined, {}), 7);
    assert.equal(parallelCount(nx('--parallel=false'), 4, {}), 1);
    assert.equal(parallelCount(nx('--no-parallel'), 4, {}), 1);
    assert.equal(parallelCount(nx('--parallel=0'), undefined, {}), 1);
  });

  test("without the flag: NX_PARALLEL, then nx.json's parallel, then Nx's default of 3", () => {
    assert.equal(parallelCount(nx(), undefined, { NX_PARALLEL: '6' }), 6);
    assert.equal(parallelCount(nx('--parallel=2'), undefined, { NX_PARALLEL: '6' }), 2);
    assert.equal(parallelCount(nx(), 4, {}), 4);
    assert.equal(parallelCount(nx(), undefined, {}), 3);
  });
});
