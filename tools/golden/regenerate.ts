// Regenerates the golden fixtures' expected/ folders with real DVC, so anyone can check they are
// DVC's own output:
//   npm run golden:regenerate [-- <case>...] [--write]
// Copies ../shared/golden to a temporary folder, runs its tools/generate.sh there with real DVC
// (.dvc-venv, or NX_DVC_REAL_DVC), and compares every expected/ file with the committed one. Only
// with --write are the differing expected/ folders replaced in ../shared/golden. Exits 1 on a
// difference (without --write).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GOLDEN_DIR } from '../../packages/nx-dvc/test/corpus';
import { compareSnapshots, snapshot, type FileDifference } from '../fidelity/snapshot';
import { realDvcPath } from '../support/real-dvc';

const { values, positionals } = parseArgs({ options: { write: { type: 'boolean', default: false } }, allowPositionals: true });

function main(): number {
  if (!realDvcPath) {
    console.error('Real DVC is not available: run `npm test` once (it creates .dvc-venv), or set NX_DVC_REAL_DVC.');
    return 2;
  }
  const cases = positionals.length ? positionals : allCases();
  const work = mkdtempSync(join(tmpdir(), 'nx-dvc-golden-'));
  try {
    cpSync(GOLDEN_DIR, work, { recursive: true, preserveTimestamps: true });
    console.log(`Regenerating ${cases.length} golden case(s) with ${realDvcPath} in ${work}`);
    const generate = spawnSync('bash', [join(work, 'tools/generate.sh'), ...cases.map((c) => join(work, c))], {
      env: { ...process.env, DVC: realDvcPath },
      encoding: 'utf8',
    });
    process.stdout.write(generate.stdout);
    if (generate.status !== 0) {
      console.error(`tools/generate.sh exited ${generate.status}\n${generate.stderr}`);
      return 2;
    }
    return report(cases, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The case folders, as generate.sh finds them: every folder with an `input/` (19-errors/* included). */
function allCases(): string[] {
  const cases: string[] = [];
  const visit = (folder: string, depth: number) => {
    for (const entry of readdirSync(join(GOLDEN_DIR, folder), { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'tools') continue;
      const path = folder ? `${folder}/${entry.name}` : entry.name;
      if (existsSync(join(GOLDEN_DIR, path, 'input'))) cases.push(path);
      else if (depth < 2) visit(path, depth + 1);
    }
  };
  visit('', 1);
  return cases.sort();
}

function report(cases: string[], work: string): number {
  let differing = 0;
  for (const name of cases) {
    const committed = join(GOLDEN_DIR, name, 'expected');
    const regenerated = join(work, name, 'expected');
    const differences = compareSnapshots(snapshot(committed), snapshot(regenerated), ['committed', 'regenerated']);
    if (differences.length === 0) continue;
    differing++;
    for (const difference of differences) console.log(describe(name, difference));
    if (values.write) {
      rmSync(committed, { recursive: true, force: true });
      cpSync(regenerated, committed, { recursive: true });
      console.log(`${name}: expected/ rewritten`);
    }
  }
  console.log(`\n${cases.length} case(s): ${differing ? `${differing} differ from what DVC writes now` : "every expected/ file is DVC's own output, byte for byte"}`);
  return differing && !values.write ? 1 : 0;
}

function describe(name: string, d: FileDifference): string {
  const where = `${name}/expected/${d.path}`;
  if (d.kind === 'only-first') return `${where}: committed, but DVC no longer writes it`;
  if (d.kind === 'only-second') return `${where}: DVC writes it, not committed`;
  return `${where}: differs\n${d.detail}`;
}

process.exit(main());
