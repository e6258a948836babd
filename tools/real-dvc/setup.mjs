// Real DVC for the tests and benchmarks: a project-local virtual environment (.dvc-venv, gitignored)
// with every package pinned by requirements.txt beside this file, created on first use and reused
// while that file is unchanged.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '../..');
export const VENV = join(REPO_ROOT, '.dvc-venv');
const REQUIREMENTS = join(HERE, 'requirements.txt');
const STAMP = join(VENV, '.requirements-sha256');
// Several test runs may start at once (worktrees sharing one venv): one builds, the others wait.
const LOCK = `${VENV}.lock`;
const STALE_LOCK_MS = 10 * 60 * 1000;

/** The `dvc` executable, or the one-line reason real DVC is not available here. */
export function ensureRealDvc(log = (line) => console.error(line)) {
  const wanted = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
  const dvc = join(VENV, 'bin', 'dvc');
  const ready = () => existsSync(dvc) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted;
  if (ready()) return { dvc };
  acquireLock();
  try {
    return ready() ? { dvc } : buildVenv(wanted, dvc, log);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function acquireLock() {
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      else spawnSync('sleep', ['1']);
    }
  }
}

function buildVenv(wanted, dvc, log) {
  const python = findPython();
  if (!python) return { reason: 'no python3 (3.9 or newer) with the venv module on PATH' };
  log(`Setting up real DVC in ${VENV} (pinned by tools/real-dvc/requirements.txt; about a minute, once)...`);
  rmSync(VENV, { recursive: true, force: true });
  const steps = [
    [python, ['-m', 'venv', VENV]],
    [join(VENV, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS]],
  ];
  for (const [cmd, args] of steps) {
    const result = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status !== 0) return { reason: `'${[cmd, ...args].join(' ')}' failed (exit ${result.status ?? result.signal})` };
  }
  writeFileSync(STAMP, wanted);
  return { dvc };
}

function findPython() {
  for (const candidate of ['python3', 'python']) {
    const probe = spawnSync(candidate, ['-c', 'import sys, venv; print(sys.version_info >= (3, 9))'], { encoding: 'utf8' });
    if (probe.status === 0 && probe.stdout.trim() === 'True') return candidate;
  }
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = ensureRealDvc();
  if (result.dvc) console.log(result.dvc);
  else {
    console.error(`real DVC not available: ${result.reason}`);
    process.exit(1);
  }
}
