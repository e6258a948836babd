import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, test } from 'node:test';
import fg from 'fast-glob';
import { GOLDEN_DIR } from '../packages/nx-dvc/test/corpus';
import { createWorkspace, type RunResult, type Workspace } from '../tools/support/workspace';

/**
 * Every case of ../shared/golden through the real `nx` CLI: `input/` is copied into a fresh
 * workspace, each line of `steps.sh` runs (a `dvc repro` becomes the equivalent `nx` command),
 * and every dvc.lock and .gitignore must equal, byte for byte, what DVC 3.64 wrote, after each
 * repro (`after-repro-K/`) and at the end.
 *
 * The cases without an error load the plugin in Nx's own process (NX_ISOLATE_PLUGINS=false): the
 * bytes of dvc.lock and .gitignore do not depend on which process Nx runs createNodes and the hook
 * in, and Nx's default, a worker process per plugin (Nx's three included), costs 40% of the CPU of
 * every command here. The error cases keep Nx's default, as DVC's words must cross that worker's
 * boundary intact; so does every other e2e file.
 */
const CASES = [
  ...readdirSync(GOLDEN_DIR).filter((d) => /^\d\d-/.test(d) && d !== '19-errors'),
  ...readdirSync(join(GOLDEN_DIR, '19-errors')).map((d) => `19-errors/${d}`),
].sort();

const DVC_INIT = {
  '.dvc/config': '',
  '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n',
  '.dvcignore': '# Add patterns of files dvc should ignore, which could improve\n# the performance. Learn more at\n# https://dvc.org/doc/user-guide/dvcignore\n',
};

/**
 * Data the fixtures lost when they were stored (it is gitignored by the `dvc add` that made the
 * pointer): restored here, and checked against the md5 its pointer records.
 */
const MISSING_INPUTS: Record<string, Record<string, string>> = {
  '13-dvc-add-dep': { 'data/raw.csv': 'id,score\n1,10\n2,20\n' },
};

test('restored fixture data matches the md5 its .dvc pointer records', () => {
  const pointer = readFileSync(join(GOLDEN_DIR, '13-dvc-add-dep/input/data/raw.csv.dvc'), 'utf8');
  const md5 = createHash('md5').update(MISSING_INPUTS['13-dvc-add-dep']['data/raw.csv']).digest('hex');
  assert.match(pointer, new RegExp(`md5: ${md5}`));
});

describe('golden DVC cases through nx', { concurrency: 2 }, () => {
  for (const name of CASES) test(name, () => runCase(name));
});

function runCase(name: string): void {
  const caseDir = join(GOLDEN_DIR, name);
  const expected = join(caseDir, 'expected');
  const ws = createWorkspace({ copyFrom: join(caseDir, 'input'), files: { ...DVC_INIT, ...MISSING_INPUTS[name] }, nxIgnoresInGitExclude: true, commit: false });
  try {
    const errors = expectedErrors(expected);
    const env = { SHELL: '/bin/sh', LC_ALL: 'C.UTF-8', ...(errors.size ? {} : { NX_ISOLATE_PLUGINS: 'false' }) };
    let cwd = '';
    let repro = 0;
    const reproCount = steps(caseDir).filter((s) => /(^|&& )dvc repro/.test(s)).length;
    for (const step of steps(caseDir)) {
      const cd = /^cd (\S+)$/.exec(step);
      if (cd) {
        cwd = posix.join(cwd, cd[1]);
        continue;
      }
      if (step.startsWith('dvc repro')) {
        repro++;
        const result = ws.nx(nxArgsFor(ws, step.split(/\s+/).slice(2), cwd), env);
        const header = cwd ? `cd ${cwd} && ${step}` : step;
        checkOutcome(header, result, errors.get(header));
        if (repro < reproCount) {
          const after = join(expected, `after-repro-${repro}`);
          assertLockFiles(ws, existsSync(after) ? after : expected, `after repro ${repro}`);
        }
      } else if (step === 'dvc add data/raw.csv') {
        ws.write('data/raw.csv.dvc', readFileSync(join(expected, 'files/data/raw.csv.dvc')));
      } else if (!step.startsWith('dvc ')) {
        const sh = spawnSync('sh', ['-c', step], { cwd: ws.path(cwd), encoding: 'utf8' });
        assert.equal(sh.status, 0, `${step}: ${sh.stderr}`);
      }
    }
    assertLockFiles(ws, expected, 'at the end');
    assertGitignores(ws, expected);
    assertCollectedFiles(ws, expected);
  } finally {
    ws.cleanup();
  }
}

function steps(caseDir: string): string[] {
  return readFileSync(join(caseDir, 'steps.sh'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/**
 * `dvc repro` flags the golden steps use, as nx commands: the pipeline's `repro` target, a
 * stage's alias target (stage plus upstream), `-s` without task dependencies, `-P` every stage,
 * `-f` with the executor's `--force` and no Nx cache, `--downstream` the pipeline's `dvc-repro` target.
 */
function nxArgsFor(ws: Workspace, args: string[], cwd: string): string[] {
  const flags = new Set(args.filter((a) => a.startsWith('-')));
  const targets = args.filter((a) => !a.startsWith('-'));
  const project = cwd ? cwd.replace(/\//g, '-') : 'dvc';
  const force = flags.has('-f') ? ['--force', '--skip-nx-cache'] : [];
  const common = ['--output-style=static', ...force];
  if (flags.has('-P')) return ['run-many', '-t', 'repro', ...common];
  if (targets.length === 0) return ['run', `${project}:repro`, ...common];
  const [target] = targets;
  if (flags.has('-s')) return ['run', `${project}--${target}:repro`, '--excludeTaskDependencies', ...common];
  if (flags.has('--downstream')) return ['run', `${project}:dvc-repro`, `--stages=${target}`, '--downstream', ...common];
  return ['run', `${project}:${target}`, ...common];
}

/** `### <command>` → the ERROR lines DVC printed for it (exit code lines dropped). */
function expectedErrors(expected: string): Map<string, string[]> {
  const errors = new Map<string, string[]>();
  const file = join(expected, 'error.txt');
  if (!existsSync(file)) return errors;
  let current: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const header = /^### (.*)$/.exec(line);
    if (header && !header[1].startsWith('exit code')) errors.set(header[1], (current = []));
    else if (!header && line.trim() && !line.includes('│')) current.push(line.replace(/^ERROR: /, '').trimEnd());
  }
  return errors;
}

function checkOutcome(command: string, result: RunResult, errorLines: string[] | undefined): void {
  if (!errorLines) {
    assert.equal(result.code, 0, `${command} failed through nx:\n${result.output}`);
    return;
  }
  assert.notEqual(result.code, 0, `${command} should fail as DVC did`);
  for (const line of errorLines) {
    if (line.startsWith('Running stage') || line.startsWith('>') || /^(Generating|Updating) lock/.test(line)) continue;
    assert.ok(normalize(result.output).includes(normalize(line)), `${command}: DVC's line is missing from nx's output:\n  ${line}\n--- output ---\n${result.output}`);
  }
}

/** Collapses whitespace, and sorts the stage lists DVC prints in set order. */
function normalize(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/in stages: ([^.]+)\./g, (_m, list: string) => `in stages: ${list.split(', ').sort().join(', ')}.`);
}

function assertLockFiles(ws: Workspace, expectedDir: string, when: string): void {
  const expected = fg.sync('**/dvc.lock', { cwd: expectedDir, ignore: ['after-repro-*/**', 'files/**'] }).sort();
  const actual = fg.sync('**/dvc.lock', { cwd: ws.root, ignore: ['node_modules/**', '.nx/**', '.dvc/**'] }).sort();
  assert.deepEqual(actual, expected, `dvc.lock files ${when}`);
  for (const file of expected) assert.equal(ws.read(file), readFileSync(join(expectedDir, file), 'utf8'), `${file} ${when}`);
}

function assertGitignores(ws: Workspace, expected: string): void {
  const want = fg.sync('**/.gitignore', { cwd: expected, dot: true, ignore: ['after-repro-*/**', 'files/**'] }).sort();
  const have = fg.sync('**/.gitignore', { cwd: ws.root, dot: true, ignore: ['node_modules/**', '.nx/**', '.dvc/**', '.git/**'] }).sort();
  assert.deepEqual(have, want, '.gitignore files');
  for (const file of want) assert.equal(ws.read(file), readFileSync(join(expected, file), 'utf8'), file);
}

function assertCollectedFiles(ws: Workspace, expected: string): void {
  const dir = join(expected, 'files');
  if (!existsSync(dir)) return;
  for (const file of fg.sync('**', { cwd: dir, dot: true })) {
    assert.equal(ws.read(file), readFileSync(join(dir, file), 'utf8'), `collected file ${file}`);
  }
}
