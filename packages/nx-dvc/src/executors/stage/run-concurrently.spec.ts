import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { runConcurrently } from './run-concurrently';

/** a1 → a2 and b1 → b2, both into train; `fails` names the tasks that fail. */
async function run(limit: number, fails: string[] = []) {
  const events: string[] = [];
  let running = 0;
  let peak = 0;
  const plan = runConcurrently<string>({
    order: ['a1', 'a2', 'b1', 'b2', 'train'],
    dependencies: { a2: ['a1'], b2: ['b1', 'outside-the-batch'], train: ['a2', 'b2'] },
    limit,
    run: async (id) => {
      events.push(`start ${id}`);
      peak = Math.max(peak, ++running);
      await sleep(id.startsWith('a') ? 20 : 5);
      running--;
      return fails.includes(id) ? 'failure' : 'success';
    },
    succeeded: (result) => result === 'success',
    skipped: () => 'skipped',
  });
  const results: string[] = [];
  for await (const { id, result } of plan) results.push(`${id} ${result}`);
  return { events, results, peak };
}

describe('running a batch of stages as Nx runs tasks', () => {
  test('ready tasks run together up to the limit; a task starts only after its dependencies', async () => {
    const { events, results, peak } = await run(2);
    assert.equal(peak, 2);
    assert.deepEqual(events.slice(0, 2), ['start a1', 'start b1']);
    assert.ok(events.indexOf('start train') > events.indexOf('start a2'));
    assert.deepEqual(results.slice(-1), ['train success']);
    assert.equal(results.length, 5);
  });

  test('one at a time with a limit of one, ready tasks first come first served', async () => {
    const { results, peak } = await run(1);
    assert.equal(peak, 1);
    assert.deepEqual(results, ['a1 success', 'b1 success', 'a2 success', 'b2 success', 'train success']);
  });

  test('a failure skips what depends on it, and only that', async () => {
    const { events, results } = await run(2, ['b1']);
    assert.deepEqual(results.sort(), ['a1 success', 'a2 success', 'b1 failure', 'b2 skipped', 'train skipped']);
    assert.ok(!events.includes('start b2') && !events.includes('start train'));
  });
});
