import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globWithWorkspaceContext } from './nx-internals';
import { DvcIgnore } from '../dvc/repo/dvcignore';

/** DVC's `.dvcignore` rules from the given `.dvcignore` files. */
export function dvcIgnoreOf(root: string, ignoreFiles: string[]): DvcIgnore {
  return new DvcIgnore(ignoreFiles.map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') })));
}

/**
 * The `.dvc` files DVC collects as data sources: Nx's file index leaves out gitignored files, as
 * DVC does, and `.dvcignore` hides the rest.
 */
export async function pointerFilesIn(root: string, dvcignore: DvcIgnore): Promise<string[]> {
  return (await globWithWorkspaceContext(root, ['**/*.dvc'])).filter((file) => !dvcignore.ignores(file));
}

/** The same, for code outside `createNodes` (the views), which has no `.dvcignore` list at hand. */
export async function workspacePointerFiles(root: string): Promise<string[]> {
  return pointerFilesIn(root, dvcIgnoreOf(root, await globWithWorkspaceContext(root, ['**/.dvcignore'])));
}
