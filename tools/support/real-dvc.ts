import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Real DVC, as `npm test` sets it up (tools/real-dvc): the `dvc` executable, or why the tests
 * that need it are skipped. Pass `skipWithoutDvc` as a test's `skip` option.
 */
const REPO_ROOT = resolve(dirname(__filename), '../..');
const VENV_DVC = join(REPO_ROOT, '.dvc-venv/bin/dvc');

export const realDvcPath: string | undefined = process.env.NX_DVC_REAL_DVC || (existsSync(VENV_DVC) ? VENV_DVC : undefined);

export const skipWithoutDvc: string | false = realDvcPath
  ? false
  : `real DVC not available: ${process.env.NX_DVC_REAL_DVC_MISSING ?? 'run the suite with npm test, which sets it up'}`;

export interface DvcResult {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
}

/** Runs real DVC in `cwd` (no analytics, no update check, no colour). */
export function dvc(cwd: string, args: string[], env: Record<string, string> = {}): DvcResult {
  if (!realDvcPath) throw new Error(String(skipWithoutDvc));
  const result = spawnSync(realDvcPath, args, { cwd, encoding: 'utf8', env: { ...process.env, ...DVC_ENV, ...env }, timeout: 600_000 });
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  return { code: result.status ?? -1, stdout, stderr, output: stdout + stderr };
}

/**
 * Real DVC without blocking the event loop: for a test whose server (an S3 or HTTP remote) runs in
 * the test's own process. Fails the test with DVC's whole output when it exits non-zero.
 */
export function dvcOkAsync(cwd: string, args: string[], env: Record<string, string> = {}): Promise<DvcResult> {
  if (!realDvcPath) throw new Error(String(skipWithoutDvc));
  const child = spawn(realDvcPath, args, { cwd, env: { ...process.env, ...DVC_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const result = { code: code ?? -1, stdout, stderr, output: stdout + stderr };
      if (code === 0) resolvePromise(result);
      else reject(new Error(`dvc ${args.join(' ')} exited ${code}\n${result.output}`));
    });
  });
}

/** Real DVC, failing the test with its whole output when it exits non-zero. */
export function dvcOk(cwd: string, args: string[], env: Record<string, string> = {}): DvcResult {
  const result = dvc(cwd, args, env);
  if (result.code !== 0) throw new Error(`dvc ${args.join(' ')} exited ${result.code}\n${result.output}`);
  return result;
}

export const DVC_ENV = { DVC_NO_ANALYTICS: '1', DVC_NO_UPDATE_CHECK: '1', NO_COLOR: '1', TERM: 'dumb' };

/**
 * A test's `skip` option when real DVC cannot reach S3 remotes (dvc-s3, pinned in
 * tools/real-dvc/requirements.txt, missing from an older environment). Asks `dvc version` once.
 */
export function skipWithoutDvcS3(): string | false {
  if (skipWithoutDvc) return skipWithoutDvc;
  dvcS3Support ??= /\bs3 \(s3fs/.test(dvc(process.cwd(), ['version']).output);
  return dvcS3Support ? false : 'real DVC has no S3 support here (dvc-s3 is not installed)';
}
let dvcS3Support: boolean | undefined;
