import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import fg from 'fast-glob';

/**
 * A real Nx workspace in a temp folder: the packed nx-dvc tarball installed from npm with nx 24,
 * git initialised, the real `nx` binary driven as a child process. Nothing is mocked.
 */
// __filename, not __dirname: tsx sets only the former when an ES module (a benchmark) imports this file
const REPO_ROOT = resolve(dirname(__filename), '../..');
const PACKAGE_DIR = join(REPO_ROOT, 'packages/nx-dvc');
const NX_VERSION = '24.0.6';
// NX_DVC_E2E_BASE: the benchmark suite gives its children a private TMPDIR but shares one install
const E2E_BASE = process.env.NX_DVC_E2E_BASE || join(tmpdir(), 'nx-dvc-e2e');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
}

export class Workspace {
  constructor(readonly root: string) {}

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  write(file: string, content: string | Buffer): void {
    mkdirSync(dirname(this.path(file)), { recursive: true });
    writeFileSync(this.path(file), content);
  }

  read(file: string): string {
    return readFileSync(this.path(file), 'utf8');
  }

  exists(file: string): boolean {
    return existsSync(this.path(file));
  }

  remove(file: string): void {
    rmSync(this.path(file), { recursive: true, force: true });
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.root, encoding: 'utf8', env: gitEnv() });
  }

  commitAll(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
  }

  /** Runs the workspace's own `nx` binary. */
  nx(args: string[], env: Record<string, string> = {}): RunResult {
    const result = spawnSync(this.path('node_modules/.bin/nx'), args, {
      cwd: this.root,
      encoding: 'utf8',
      env: { ...process.env, ...NX_ENV, ...env },
      timeout: 240_000,
    });
    const stdout = result.stdout ?? '';
    const stderr = result.stderr ?? '';
    return { code: result.status ?? -1, stdout, stderr, output: stdout + stderr };
  }

  /** `nx` without blocking the event loop (for tests that serve HTTP from the test process). */
  nxAsync(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    return runAsync(this.path('node_modules/.bin/nx'), args, { cwd: this.root, env: { ...process.env, ...NX_ENV, ...env } });
  }

  /** `nx`, failing the test with the whole output when it exits non-zero. */
  nxOk(args: string[], env: Record<string, string> = {}): RunResult {
    const result = this.nx(args, env);
    if (result.code !== 0) throw new Error(`nx ${args.join(' ')} exited ${result.code}\n${result.output}`);
    return result;
  }

  showProject(name: string): ProjectJson {
    return JSON.parse(this.nxOk(['show', 'project', name, '--json']).stdout);
  }

  cleanup(): void {
    if (!process.env.NX_DVC_KEEP_E2E) rmSync(this.root, { recursive: true, force: true });
  }
}

/** A command run without blocking the event loop, its output collected. */
export function runAsync(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, output: stdout + stderr }));
  });
}

/** How every test runs nx: no daemon, no cloud, no terminal UI, plain output. */
export const NX_ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', FORCE_COLOR: '0' };

/** A `git clone` of a workspace, as a teammate's machine: committed files only, the same node_modules. */
export function cloneWorkspace(source: Workspace): Workspace {
  const workspace = new Workspace(mkdtempSync(join(E2E_BASE, 'clone-')));
  execFileSync('git', ['clone', '-q', source.root, workspace.root], { env: gitEnv() });
  symlinkSync(installedNodeModules(), workspace.path('node_modules'), 'dir');
  return workspace;
}

export interface ProjectJson {
  name: string;
  root: string;
  tags?: string[];
  targets: Record<string, { executor?: string; cache?: boolean; inputs?: unknown[]; outputs?: string[]; dependsOn?: unknown[]; options?: Record<string, unknown>; metadata?: Record<string, unknown> }>;
}

export function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_AUTHOR_NAME: 'e2e',
    GIT_AUTHOR_EMAIL: 'e2e@example.invalid',
    GIT_COMMITTER_NAME: 'e2e',
    GIT_COMMITTER_EMAIL: 'e2e@example.invalid',
  };
}

/** Hash of what `npm pack` would ship, so one install serves every test file of a run. */
function packageHash(): string {
  const hash = createHash('sha256');
  const files = fg.sync(['dist/**', 'package.json', 'executors.json', 'generators.json'], { cwd: PACKAGE_DIR }).sort();
  for (const file of files) hash.update(file).update(readFileSync(join(PACKAGE_DIR, file)));
  return hash.digest('hex').slice(0, 16);
}

/** Packs the built plugin and installs it with nx into a shared folder, once per build. */
export function installedNodeModules(): string {
  if (!existsSync(join(PACKAGE_DIR, 'dist/index.js'))) throw new Error('Build nx-dvc first: npm run build');
  const target = join(E2E_BASE, `install-${packageHash()}`);
  if (existsSync(join(target, 'node_modules/nx-dvc/package.json'))) return join(target, 'node_modules');
  mkdirSync(E2E_BASE, { recursive: true });
  const staging = mkdtempSync(join(E2E_BASE, 'staging-'));
  execFileSync('npm', ['pack', '--pack-destination', staging], { cwd: PACKAGE_DIR, stdio: 'ignore' });
  const tarball = fg.sync('nx-dvc-*.tgz', { cwd: staging, absolute: true })[0];
  writeFileSync(
    join(staging, 'package.json'),
    JSON.stringify({ name: 'nx-dvc-e2e-install', private: true, devDependencies: { nx: NX_VERSION, 'nx-dvc': `file:${tarball}` } }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: staging, stdio: 'ignore' });
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another test process won the race
  }
  return join(target, 'node_modules');
}

/** The `npm pack` tarball of the plugin, as a user would install it from the registry. */
export function packedTarball(): string {
  return fg.sync('nx-dvc-*.tgz', { cwd: dirname(installedNodeModules()), absolute: true })[0];
}

export interface WorkspaceOptions {
  files?: Record<string, string>;
  plugins?: unknown[];
  gitignore?: string[];
  /** Keep Nx's own ignores out of `.gitignore` (in `.git/info/exclude`), for byte-exact `.gitignore` checks. */
  nxIgnoresInGitExclude?: boolean;
  /** Copy this folder in (modes and symlinks kept) before the files are written. */
  copyFrom?: string;
  /** Commit everything at the end (default true). */
  commit?: boolean;
}

/** A committed Nx workspace with nx-dvc registered and the given files. */
export function createWorkspace(options: WorkspaceOptions = {}): Workspace {
  const nodeModules = installedNodeModules();
  mkdirSync(E2E_BASE, { recursive: true });
  const workspace = new Workspace(mkdtempSync(join(E2E_BASE, 'ws-')));
  symlinkSync(nodeModules, workspace.path('node_modules'), 'dir');
  workspace.write('package.json', JSON.stringify({ name: 'e2e-workspace', private: true }, null, 2));
  workspace.write('nx.json', JSON.stringify({ plugins: options.plugins ?? ['nx-dvc'], analytics: false }, null, 2));
  const nxIgnores = ['node_modules', '.nx', ...(options.gitignore ?? [])].join('\n') + '\n';
  if (!options.nxIgnoresInGitExclude) workspace.write('.gitignore', nxIgnores);
  if (options.copyFrom) copyWritable(options.copyFrom, workspace.root);
  for (const [file, content] of Object.entries(options.files ?? {})) workspace.write(file, content);
  workspace.git('init', '-q', '-b', 'main');
  if (options.nxIgnoresInGitExclude) workspace.write('.git/info/exclude', nxIgnores);
  if (options.commit ?? true) workspace.commitAll('initial');
  return workspace;
}

/** `cp -a`, then owner-writable: fixtures may be stored read-only. */
function copyWritable(from: string, to: string): void {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  for (const entry of fg.sync('**', { cwd: to, onlyFiles: false, dot: true, followSymbolicLinks: false, ignore: ['node_modules/**'] })) {
    const abs = join(to, entry);
    const st = lstatSync(abs);
    if (!st.isSymbolicLink()) chmodSync(abs, st.mode | 0o200);
  }
}

/** How a task of an `nx run`/`run-many` came out, read from Nx's own output. */
export function taskStatus(output: string, taskId: string): 'local cache' | 'remote cache' | 'ran' | 'absent' {
  const line = output.split('\n').find((l) => new RegExp(`nx run ${escapeRegExp(taskId)}(\\s|$)`).test(l));
  if (!line) return 'absent';
  if (line.includes('[local cache]') || line.includes('[existing outputs match the cache')) return 'local cache';
  if (line.includes('[remote cache]')) return 'remote cache';
  return 'ran';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export { cpSync };
