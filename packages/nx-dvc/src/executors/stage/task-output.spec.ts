import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TaskOutput } from './task-output';

/** What reaches process.stdout, write by write, while `fn` runs. */
function written(fn: () => void): string[] {
  const writes: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => writes.push(String(chunk)) > 0) as typeof write;
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  return writes;
}

describe("a batch task's output", () => {
  test('goes through whole lines at a time, and is kept whole', () => {
    const output = new TaskOutput();
    let text = '';
    const writes = written(() => {
      output.info("Running stage 'a':");
      output.stdout(Buffer.from('half a '));
      output.stdout(Buffer.from('line\nand the rest'));
      output.stdout(Buffer.from([0xc3])); // the first byte of "é"
      output.stdout(Buffer.from([0xa9]));
      text = output.end();
    });
    assert.deepEqual(writes, ["Running stage 'a':\n", 'half a line\n', 'and the restÃ©'.replace('Ã©', 'é')]);
    assert.equal(text, "Running stage 'a':\nhalf a line\nand the resté");
  });
});
