import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { GOLDEN_DIR } from '../../../test/corpus';
import { buildLockEntry, orderParamsFiles, type HashInfo } from './entry';
import { comparePythonStrings } from '../formats/python/value';
import { readParamsValues, type ParamsValues } from '../params/values';
import { loadPipelineFile, readPipelineSource } from '../parsing/pipeline-file';
import { diskHost } from '../parsing/resolver';
import { loadYaml } from '../formats/yaml/load';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** Copies a golden case's input and applies the text edits its steps.sh makes before the last repro. */
function goldenWorkspace(name: string, edits: [file: string, from: string, to: string][] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-lock-entry-'));
  roots.push(root);
  cpSync(join(GOLDEN_DIR, name, 'input'), root, { recursive: true });
  for (const [file, from, to] of edits) writeFileSync(join(root, file), readFileSync(join(root, file), 'utf8').replace(from, to));
  return root;
}

function expectedLock(name: string): Record<string, Record<string, unknown>> {
  const text = readFileSync(join(GOLDEN_DIR, name, 'expected', 'dvc.lock'), 'utf8');
  return (loadYaml(text, 'dvc.lock').data as { stages: Record<string, Record<string, unknown>> }).stages;
}

/** Rebuilds each stage's lock entry from the hashes DVC recorded and the params on disk. */
function rebuild(root: string, lock: Record<string, Record<string, unknown>>) {
  const pipeline = loadPipelineFile(diskHost(root), 'dvc.yaml', readPipelineSource(root, 'dvc.yaml'));
  return pipeline.stages.map((stage) => {
    const recorded = lock[stage.name!];
    const hashes = new Map<string, HashInfo>();
    for (const entry of [...((recorded.deps as HashInfo[] & { path: string }[]) ?? []), ...((recorded.outs as { path: string }[]) ?? [])]) {
      hashes.set((entry as { path: string }).path, entry as unknown as HashInfo);
    }
    const params = new Map<string, ParamsValues>(stage.params.map((p) => [p.path, readParamsValues(root, p)!]));
    return [stage.name!, buildLockEntry(stage, hashes, params), recorded] as const;
  });
}

describe('lock entries as DVC writes them', () => {
  test('params: every declaration form, file order, sorted top-level keys (golden 03-params)', () => {
    const root = goldenWorkspace('03-params', [
      ['params.yaml', 'unused: 7', 'unused: 8'],
      ['config.json', '"width": 64', '"width": 128'],
      ['params.py', 'activation = "relu"', 'activation = "gelu"'],
    ]);
    for (const [name, built, recorded] of rebuild(root, expectedLock('03-params'))) {
      assert.equal(JSON.stringify(built), JSON.stringify(recorded), name);
    }
  });

  for (const name of ['01-linear-chain', '02-dir-output', '05-foreach', '06-matrix', '12-metrics-plots', '18-exec-and-symlink']) {
    test(`deps and outs sorted by path, keys in DVC's order (golden ${name})`, () => {
      const root = goldenWorkspace(name);
      for (const [stage, built, recorded] of rebuild(root, expectedLock(name))) {
        assert.equal(JSON.stringify(built), JSON.stringify(recorded), stage);
      }
    });
  }

  test('code-point order puts astral characters after the rest of the BMP', () => {
    assert.deepEqual(['\u{1F600}', '\uFFFD', 'a'].sort(comparePythonStrings), ['a', '\uFFFD', '\u{1F600}']);
    assert.deepEqual(['a/b', 'a-b', 'a0'].sort(comparePythonStrings), ['a-b', 'a/b', 'a0']);
  });

  test('params.yaml comes first, the other files by path', () => {
    assert.deepEqual(orderParamsFiles(['z.json', 'params.yaml', 'a.toml']), ['params.yaml', 'a.toml', 'z.json']);
  });
});
