import { resolve } from 'node:path';
import { statSignature } from '../dvc/hashing/stat-signature';

/**
 * The program behind a stage's `runtime` input for deps outside the workspace, which Nx cannot
 * hash as files: `node outside-deps-signature.js <path>...` prints each path and its stat
 * signature. Nx runs it on every command (hits included), so it imports nothing but the walk.
 */
export function outsideDepsSignature(paths: string[], cwd: string): string {
  return paths.map((path) => `${JSON.stringify(path)}\n${statSignature(resolve(cwd, path))}`).join('\n');
}

if (require.main === module) process.stdout.write(`${outsideDepsSignature(process.argv.slice(2), process.cwd())}\n`);
