import type { CaseModel, ParamsFile } from './model';
import { toJson, toPython, toToml, toYaml } from './values';

/** Every file of a case as it is written into a workspace: path (under the case folder) → text. */
export function renderCase(model: CaseModel): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [path, content] of Object.entries(model.data)) files[`${model.name}/${path}`] = content;
  for (const [path, file] of Object.entries(model.params)) files[`${model.name}/${path}`] = renderParams(file);
  for (const [path, pipeline] of Object.entries(model.pipelines)) files[`${model.name}/${path}`] = toYaml(pipeline);
  return files;
}

function renderParams(file: ParamsFile): string {
  switch (file.format) {
    case 'yaml':
      return toYaml(file.data);
    case 'json':
      return `${toJson(file.data)}\n`;
    case 'toml':
      return toToml(file.data);
    case 'py':
      return toPython(file.data);
  }
}
