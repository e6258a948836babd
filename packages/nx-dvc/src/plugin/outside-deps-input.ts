import { join } from 'node:path';

/** The compiled signature program, beside this file in the package. */
export const OUTSIDE_DEPS_SIGNATURE_SCRIPT = join(__dirname, 'outside-deps-signature.js');

/**
 * Nx's `runtime` input that lets a stage see its deps outside the workspace change. Nx runs it
 * with `sh -c` at the workspace root, so every argument is single-quoted: a path is data, never
 * shell syntax. `script` is relative to the workspace root, which keeps the target the same on
 * every machine that has the same layout.
 */
export function outsideDepsInput(paths: string[], script: string): { runtime: string } {
  return { runtime: ['node', script, ...paths].map(shellQuote).join(' ') };
}

/** POSIX sh single quotes; a `'` inside becomes `'\''`. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
