// Differential test of nx-dvc against real DVC:
//   npm run fidelity -- --cases N --seed S [--max-stages 30] [--rounds 1] [--per-workspace 100] [--batch] [--keep]
// Generates N pipelines (case i from seed S+i), runs them with `dvc repro -P` and with
// `nx run-many -t repro` in two sibling workspaces, edits each at random and runs both again,
// and prints every difference in dvc.lock, .gitignore and the workspace's files. Exits 1 on any.
import { parseArgs } from 'node:util';
import { realDvcPath } from '../support/real-dvc';
import { formatDivergence, runFidelity } from './fidelity';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '50' },
    seed: { type: 'string', default: String(Date.now() % 100000) },
    'max-stages': { type: 'string', default: '30' },
    rounds: { type: 'string', default: '1' },
    'per-workspace': { type: 'string', default: '100' },
    batch: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  if (!realDvcPath) {
    console.error('Real DVC is not available: run `npm test` once (it creates .dvc-venv), or set NX_DVC_REAL_DVC.');
    process.exit(2);
  }
  const options = {
    cases: Number(values.cases),
    seed: Number(values.seed),
    maxStages: Number(values['max-stages']),
    rounds: Number(values.rounds),
    perWorkspace: Number(values['per-workspace']),
    batch: values.batch,
    keep: values.keep,
    log: (line: string) => console.log(line),
  };
  console.log(`fidelity: ${options.cases} cases from seed ${options.seed}, up to ${options.maxStages} stages, ${options.rounds} edit round(s)`);
  const result = await runFidelity(options);
  for (const divergence of result.divergences) console.log(formatDivergence(divergence));
  const seeds = [...new Set(result.divergences.map((d) => d.seed))];
  console.log(
    `\n${result.cases} cases, ${result.stageDefinitions} stage definitions, ${result.seconds.toFixed(1)} s: ` +
      (seeds.length ? `${result.divergences.length} divergences in ${seeds.length} case(s); reproduce one with --cases 1 --seed <seed> (seeds: ${seeds.join(', ')})` : 'no divergence'),
  );
  process.exit(result.divergences.length ? 1 : 0);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(2);
});
