import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatBytes, hashProgress } from './progress';

describe('hashProgress', () => {
  const run = (steps: Array<[ms: number, done: number]>, total: number) => {
    let clock = 0;
    const lines: string[] = [];
    const progress = hashProgress((l) => lines.push(l), { quietMs: 1000, everyMs: 2000, now: () => clock })('data/big.bin');
    for (const [ms, done] of steps) {
      clock = ms;
      progress(done, total);
    }
    return lines;
  };
  const GiB = 1024 ** 3;

  test('a hash done within a moment prints nothing', () => {
    assert.deepEqual(run([[0, 0], [400, GiB / 2], [900, GiB]], GiB), []);
  });

  test('a long hash prints a line every interval, then the total and the time', () => {
    assert.deepEqual(
      run([[0, 0], [500, GiB / 8], [1200, GiB / 4], [2000, GiB / 3], [3300, GiB / 2], [4000, GiB]], GiB),
      [
        "Computing md5 of 'data/big.bin': 256 MiB of 1.0 GiB (25%)",
        "Computing md5 of 'data/big.bin': 512 MiB of 1.0 GiB (50%)",
        "Computing md5 of 'data/big.bin': 1.0 GiB in 4.0 s",
      ],
    );
  });

  test('sizes read like a person would write them', () => {
    assert.deepEqual([formatBytes(12), formatBytes(2048), formatBytes(5.5 * 1024 ** 2), formatBytes(300 * 1024 ** 3)], ['12 B', '2.0 KiB', '5.5 MiB', '300 GiB']);
  });
});
