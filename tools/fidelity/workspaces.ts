import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DVC_ENV, realDvcPath } from '../support/real-dvc';
import { createWorkspace, gitEnv, NX_ENV, runAsync, type RunResult, type Workspace } from '../support/workspace';

/**
 * The two sibling workspaces of a fidelity run, each a git repository with `dvc init` and the
 * same files: real DVC runs one, nx (with the packed nx-dvc) the other.
 */
export interface WorkspacePair {
  dvc: string;
  nx: Workspace;
}

/** What both tools run with: stage commands in POSIX sh, a fixed locale, no colour or analytics. */
const RUN_ENV = { ...DVC_ENV, SHELL: '/bin/sh', LC_ALL: 'C.UTF-8' };
/** Nx's own folders stay out of the compared .gitignore files, in both workspaces alike. */
const GIT_EXCLUDE = 'node_modules\n.nx\n';

export async function createPair(files: Record<string, string>): Promise<WorkspacePair> {
  const nx = createWorkspace({ files, nxIgnoresInGitExclude: true, commit: false });
  const base = join(tmpdir(), 'nx-dvc-fidelity');
  mkdirSync(base, { recursive: true });
  const dvc = mkdtempSync(join(base, 'dvc-'));
  writeFiles(dvc, files);
  await run('git', ['init', '-q', '-b', 'main'], dvc);
  writeFiles(dvc, { '.git/info/exclude': GIT_EXCLUDE });
  for (const root of [dvc, nx.root]) {
    await runDvc(root, ['init', '-q']).then(failOnError('dvc init'));
    await run('git', ['add', '-A'], root);
    await run('git', ['commit', '-q', '-m', 'pipelines'], root).then(failOnError('git commit'));
  }
  return { dvc, nx };
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

export function removePair(pair: WorkspacePair): void {
  rmSync(pair.dvc, { recursive: true, force: true });
  pair.nx.cleanup();
}

/** `dvc repro -P` and `nx run-many -t repro`, side by side (one waits on the other's CPU only). */
export async function reproBoth(pair: WorkspacePair, batch: boolean): Promise<{ dvc: TimedResult; nx: TimedResult }> {
  const nxArgs = ['run-many', '-t', 'repro', '--output-style=static', ...(batch ? ['--batch'] : [])];
  const [dvc, nx] = await Promise.all([timed(runDvc(pair.dvc, ['repro', '-P'])), timed(run(pair.nx.path('node_modules/.bin/nx'), nxArgs, pair.nx.root, NX_ENV))]);
  return { dvc, nx };
}

export type TimedResult = RunResult & { seconds: number };

async function timed(running: Promise<RunResult>): Promise<TimedResult> {
  const started = Date.now();
  const result = await running;
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

function runDvc(cwd: string, args: string[]): Promise<RunResult> {
  if (!realDvcPath) throw new Error('real DVC is not available (npm test sets it up in .dvc-venv)');
  return run(realDvcPath, args, cwd);
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  return runAsync(command, args, { cwd, env: { ...gitEnv(), ...RUN_ENV, ...env } });
}

function failOnError(what: string): (result: RunResult) => RunResult {
  return (result) => {
    if (result.code !== 0) throw new Error(`${what} exited ${result.code}\n${result.output}`);
    return result;
  };
}
