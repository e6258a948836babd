import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const EXAMPLE = join(__dirname, '..', 'examples', 'get-started');

/** The example pipeline's files, keyed by their path in a workspace (`get-started/...`). */
export function exampleFiles(dir = EXAMPLE): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(files, exampleFiles(path));
    else files[`get-started/${relative(EXAMPLE, path)}`] = readFileSync(path, 'utf8');
  }
  return files;
}
