import type { Dict } from './values';

/**
 * One generated case: a folder of the workspace holding one or two dvc.yaml files, their data,
 * params and vars files. Every path is relative to the case folder. Kept as plain data so an edit
 * can change it and the case can be written again.
 */
export interface CaseModel {
  seed: number;
  /** The case folder, e.g. `c0007`. */
  name: string;
  /** Input data files (never outputs): path → content. */
  data: Record<string, string>;
  params: Record<string, ParamsFile>;
  /** dvc.yaml path → its content (`vars`, `stages`). */
  pipelines: Record<string, Dict>;
  stages: StageRecord[];
  /** What later stages may read: data files and folders, and outputs of earlier stages. */
  artifacts: Artifact[];
  /** Next free number for stage and output names. */
  counter: number;
}

export type ParamsFormat = 'yaml' | 'json' | 'toml' | 'py';

export interface ParamsFile {
  format: ParamsFormat;
  data: Dict;
  /** Key paths an edit may change without breaking the pipeline (not used in names or paths). */
  editable: string[][];
}

export interface StageRecord {
  /** The dvc.yaml holding it. */
  pipeline: string;
  /** Its key under `stages:` (a foreach/matrix group counts as one). */
  key: string;
  produces: string[];
  consumes: string[];
  /** The literal its cmd echoes; an edit of the cmd changes it. */
  salt?: string;
  /** Frozen once it has run (as `dvc freeze` would): a frozen stage that never ran cannot run. */
  freezeAfterFirstRun?: boolean;
}

export interface Artifact {
  path: string;
  dir: boolean;
}
