import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The shared reference material lives beside the repository clone (`../shared`). */
export const SHARED_DIR = process.env.NX_DVC_SHARED ?? resolve(__dirname, '../../../../shared');
export const CORPUS_DIR = resolve(SHARED_DIR, 'corpus');
export const GOLDEN_DIR = resolve(SHARED_DIR, 'golden');

export interface ExpectedStage {
  cmd: string | string[];
  wdir: string;
  deps: string[];
  outs: string[];
  params: Record<string, string[]>;
  frozen: boolean;
  always_changed: boolean;
}

export interface ExpectedFile {
  _order: string[];
  error: null | { class: string; message: string; detail?: string[] };
  stages: Record<string, ExpectedStage>;
  _without_lock?: ExpectedFile;
}

export interface ExpectedRepo {
  _edges: [string, string][];
  _graph_error: null | { class: string; message: string };
  _dvc_files?: Record<string, ExpectedStage>;
  [file: string]: unknown;
}

export function loadExpected(): Record<string, ExpectedRepo> {
  return JSON.parse(readFileSync(resolve(CORPUS_DIR, 'expected.json'), 'utf8'));
}

export function pipelineFilesOf(repo: ExpectedRepo): string[] {
  return Object.keys(repo).filter((key) => !key.startsWith('_'));
}
