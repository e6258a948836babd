import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skipWithoutDvc } from '../support/real-dvc';
import { formatDivergence, runFidelity } from './fidelity';

/**
 * The differential test in the suite: 200 generated pipelines in one pair of workspaces, run by
 * real `dvc repro -P` and by `nx run-many -t repro`, edited at random and run again; dvc.lock,
 * every .gitignore and every file must be the same after each run. A fixed seed keeps the suite
 * deterministic (NX_DVC_FIDELITY_SEED picks another); `npm run fidelity` explores further. Nx runs
 * with --batch: without it, one Node process per stage costs four times the CPU of the whole test.
 */
const CASES = 200;
const SEED = Number(process.env.NX_DVC_FIDELITY_SEED ?? 20261203);

test(`dvc repro -P and nx run-many -t repro leave the same files in ${CASES} generated pipelines, before and after an edit`, { skip: skipWithoutDvc, timeout: 15 * 60_000 }, async () => {
  const result = await runFidelity({ cases: CASES, seed: SEED, maxStages: 4, rounds: 1, perWorkspace: CASES, batch: true, keep: false, log: (line) => console.log(line) });
  assert.ok(result.stageDefinitions >= CASES, `only ${result.stageDefinitions} stages generated`);
  assert.deepEqual(result.divergences.map(formatDivergence), [], `seed ${SEED}: nx-dvc diverges from DVC`);
});
