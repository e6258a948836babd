import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PipelineProjectIdentity {
  /** The project's name: from its project.json or package.json, else derived from its path. */
  name: string;
  /** True when project.json/package.json already defines the project (we must not set `name`). */
  existing: boolean;
}

function readName(file: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    return typeof json.name === 'string' ? json.name : undefined;
  } catch {
    return undefined;
  }
}

/** The project a dvc.yaml's directory belongs to; stages join an existing project there. */
export function identifyPipelineProject(workspaceRoot: string, root: string, rootProjectName: string): PipelineProjectIdentity {
  const dir = join(workspaceRoot, root);
  const fromProjectJson = readName(join(dir, 'project.json'));
  if (fromProjectJson) return { name: fromProjectJson, existing: true };
  const fromPackageJson = root === '.' ? undefined : readName(join(dir, 'package.json'));
  if (fromPackageJson) return { name: fromPackageJson, existing: true };
  return { name: root === '.' ? rootProjectName : root.replace(/\//g, '-'), existing: false };
}
