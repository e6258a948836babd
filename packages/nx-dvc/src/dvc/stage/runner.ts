import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { RemovalGuard, removeOutputPaths } from './remove-output';
import type { Stage } from './stage';

/** A list runs item by item; a string runs line by line, each line in its own shell (not one script). */
export function commandLines(cmd: string | string[] | undefined): string[] {
  if (cmd === undefined) return [];
  if (Array.isArray(cmd)) return cmd.map(String);
  return cmd.split(/\r\n|\r|\n/).filter((line, i, all) => line !== '' || i < all.length - 1);
}

/** `$SHELL` (else /bin/sh) with the flags DVC passes to skip rc files. */
export function shellInvocation(line: string, shell = process.env.SHELL || '/bin/sh'): [string, string[]] {
  const name = basename(shell);
  const flags = name === 'bash' ? ['--noprofile', '--norc'] : name === 'zsh' ? ['--no-rcs'] : [];
  return [shell, [...flags, '-c', line]];
}

export class CommandFailedError extends Error {
  constructor(readonly line: string, readonly code: number) {
    super(`failed to run: ${line}, exited with ${code}`);
  }
}

/**
 * Deletes every output except `persist: true` ones, as DVC does before running a stage, once each
 * of them is proved safe to delete (see `RemovalGuard`); `persist` outputs are unprotected instead
 * (private writable copies of linked files), when DVC's cache is given.
 */
export function removeOutputs(root: string, stage: Stage, cache?: { unprotect(absPath: string): void }, guard = new RemovalGuard(root)): void {
  const paths = stage.outs.filter((out) => !out.persist).map((out) => out.repoPath);
  removeOutputPaths(paths, stage.addressing, guard);
  for (const out of stage.outs) if (out.persist && out.cache) cache?.unprotect(`${root}/${out.repoPath}`);
}

/**
 * Runs the stage's command lines in its wdir; the first failure stops the stage. With `pipe`, the
 * commands' output goes through this process's stdout and stderr streams instead of straight to
 * its file descriptors, so that whoever holds those streams sees it.
 */
export async function runCommands(root: string, stage: Stage, log: (line: string) => void, stdio: 'inherit' | 'pipe' = 'inherit'): Promise<void> {
  for (const line of commandLines(stage.cmd)) {
    log(`> ${line}`);
    const code = await runLine(root, stage, line, stdio);
    if (code !== 0) throw new CommandFailedError(line, code);
  }
}

function runLine(root: string, stage: Stage, line: string, stdio: 'inherit' | 'pipe'): Promise<number> {
  const [shell, args] = shellInvocation(line);
  return new Promise((resolve, reject) => {
    const child = spawn(shell, args, {
      cwd: `${root}/${stage.wdir}`,
      stdio: ['inherit', stdio, stdio],
      env: { ...process.env, DVC_ROOT: process.env.DVC_ROOT ?? root, DVC_STAGE: stage.addressing },
    });
    child.stdout?.on('data', (chunk) => process.stdout.write(chunk));
    child.stderr?.on('data', (chunk) => process.stderr.write(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
