import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/**
 * `npm run bench` at its smoke-test sizes (`--quick`: the smallest sizes, one sample each): every benchmark of the
 * suite runs to the end, its own checks included (each chain stage ran once, then came from the
 * cache; restored bytes equal), and every row of the report gets a figure. Speed is not judged here.
 */
test('the benchmark suite runs end to end and reports every row', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'run.mjs'), '--quick'], { encoding: 'utf8', timeout: 600_000 }); // about 2.5 min idle, 4.5 min seen at load 8-11: a slow machine must not fail a smoke run
  assert.equal(result.status, 0, result.stdout + result.stderr);
  const report = readFileSync(join(__dirname, 'report-quick.md'), 'utf8');
  const rows = [/\| md5 of one .* file \|/, /\| md5 of 500 small files/, /\| re-status of an unchanged/, /\| graph: .*cold/, /\| graph: .*warm/, /\| no-op: /, /\| full run: \d+ trivial/, /\| full run against real DVC/, /\| peak RSS of the whole process tree/, /\| full run: \d+-stage `foreach` fan-out/, /\| remote cache restore/, /\| extra disk after running a stage/, /\| local restore of a .* output after deleting it/, /\| fresh clone: Nx remote hit/, /\| push of a .* output to that remote/, /\| Nx remote-cache artifact/];
  if (process.env.NX_DVC_REAL_DVC) rows.push(/\| status of an unchanged stage with a .* dep/, /\| graph of the \d+-stage workspace/);
  for (const row of rows) {
    const line = report.split('\n').find((l) => row.test(l));
    assert.ok(line, `report row ${row}`);
    assert.match(line, /\d+(\.\d+)? (ms|s|MiB\/s|KiB|MiB|GiB)\b/, `a figure in ${line}`);
  }
});
