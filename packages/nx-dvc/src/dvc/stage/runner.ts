import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { DvcError } from '../errors';
import { RemovalGuard, removeOutputPaths } from './remove-output';
import type { Stage } from './stage';

/** A list runs item by item; a string runs line by line, each line in its own shell (not one script). */
export function commandLines(cmd: string | string[] | undefined): string[] {
  if (cmd === undefined) return [];
  if (Array.isArray(cmd)) return cmd.map(String);
  return cmd.split(/\r\n|\r|\n/).filter((line, i, all) => line !== '' || i < all.length - 1);
}

/**
 * DVC hands each item of a `cmd` list to the shell as it is, and fails only then, after deleting
 * the outputs (`expected str, bytes or os.PathLike object, not dict`). The usual cause is YAML:
 * an unquoted line holding `: ` is a mapping. Refused before anything is touched, with the fix.
 */
export function assertCommandLines(stage: Pick<Stage, 'cmd'>): void {
  if (!Array.isArray(stage.cmd)) return;
  const index = stage.cmd.findIndex((item) => typeof item !== 'string');
  if (index < 0) return;
  const item: unknown = stage.cmd[index];
  const kind = item === null ? 'empty' : Array.isArray(item) ? 'a list' : typeof item === 'object' ? 'a mapping' : `a ${typeof item}`;
  const hint = kind === 'a mapping' ? ": YAML reads an unquoted line holding ': ' as a mapping; quote the whole line" : ': write it as a string';
  throw new DvcError(`item ${index + 1} of 'cmd' is ${kind}, not a command line${hint}`);
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

/** Where a command's output goes instead of this process's own file descriptors, chunk by chunk. */
export interface CommandOutput {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

/**
 * Runs the stage's command lines in its wdir; the first failure stops the stage. The commands
 * write straight to this process's stdout and stderr, or to `output` when given (a process running
 * several stages at once keeps each stage's output apart).
 */
export async function runCommands(root: string, stage: Stage, log: (line: string) => void, output?: CommandOutput): Promise<void> {
  for (const line of commandLines(stage.cmd)) {
    log(`> ${line}`);
    const code = await runLine(root, stage, line, output);
    if (code !== 0) throw new CommandFailedError(line, code);
  }
}

function runLine(root: string, stage: Stage, line: string, output: CommandOutput | undefined): Promise<number> {
  const [shell, args] = shellInvocation(line);
  const stdio = output ? 'pipe' : 'inherit';
  return new Promise((resolve, reject) => {
    const child = spawn(shell, args, {
      cwd: `${root}/${stage.wdir}`,
      stdio: ['inherit', stdio, stdio],
      env: { ...process.env, DVC_ROOT: process.env.DVC_ROOT ?? root, DVC_STAGE: stage.addressing },
    });
    child.stdout?.on('data', (chunk: Buffer) => output!.stdout(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output!.stderr(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
