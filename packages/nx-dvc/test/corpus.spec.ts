import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fg from 'fast-glob';
import { loadPipelineFile, readPipelineSource } from '../src/dvc/parsing/pipeline-file';
import { buildIndex } from '../src/dvc/repo/pipeline-index';
import { diskHost } from '../src/dvc/parsing/resolver';
import type { Stage } from '../src/dvc/stage/stage';
import { CORPUS_DIR, loadExpected, pipelineFilesOf, type ExpectedFile, type ExpectedStage } from './corpus';

/**
 * Every dvc.yaml of the real-world corpus must expand exactly as DVC 3.64 expanded it
 * (expected.json was produced by running DVC on these files), and fail where DVC fails.
 */
const expected = loadExpected();

/** DVC without its `dvc-gs` plugin refuses `gs://` deps; that is DVC's install, not the file. */
const ENVIRONMENT_LIMITS = new Set(['ImportError']);

function describeStage(stage: Stage): ExpectedStage {
  return {
    always_changed: stage.alwaysChanged,
    cmd: stage.cmd!,
    deps: stage.deps.map((d) => d.path),
    frozen: stage.frozen,
    outs: stage.outs.map((o) => o.path),
    params: Object.fromEntries(stage.params.map((p) => [p.path, p.keys])),
    wdir: stage.wdir,
  };
}

function load(root: string, file: string, withoutLock = false) {
  const source = readPipelineSource(root, file);
  return loadPipelineFile(diskHost(root), file, withoutLock ? { text: source.text } : source);
}

function checkStages(root: string, file: string, want: ExpectedFile, withoutLock = false) {
  const pipeline = load(root, file, withoutLock);
  assert.deepEqual(
    pipeline.stages.map((s) => s.name),
    want._order,
  );
  for (const stage of pipeline.stages) assert.deepEqual(describeStage(stage), want.stages[stage.name!], stage.name);
}

/** Python prints sets in hash order; compare the `\t- stage` lines of such messages as a set. */
function normaliseSetLines(message: string): string {
  const lines = message.split('\n');
  const listed = lines.filter((l) => l.startsWith('\t- ')).sort();
  let i = 0;
  return lines.map((l) => (l.startsWith('\t- ') ? listed[i++] : l)).join('\n');
}

let files = 0;
for (const [repo, repoExpected] of Object.entries(expected)) {
  const root = `${CORPUS_DIR}/${repo}`;
  describe(repo, () => {
    for (const file of pipelineFilesOf(repoExpected)) {
      files++;
      const want = repoExpected[file] as ExpectedFile;
      test(file, () => {
        if (!want.error) return checkStages(root, file, want);
        if (ENVIRONMENT_LIMITS.has(want.error.class)) {
          // We have no such limit: the file must load.
          return void load(root, file);
        }
        assert.throws(
          () => load(root, file),
          (error: Error & { details?: string[] }) => {
            assert.equal(error.name, want.error!.class);
            assert.equal(error.message.split('\n  ')[0], want.error!.message);
            if (want.error!.detail) assert.deepEqual(error.details, want.error!.detail);
            return true;
          },
        );
        if (want._without_lock) checkStages(root, file, want._without_lock, true);
      });
    }

    test('graph', () => {
      const dvcFiles = fg.sync('**/*.dvc', { cwd: root });
      const index = buildIndex(root, pipelineFilesOf(repoExpected), dvcFiles);
      const graphError = repoExpected._graph_error;
      if (graphError && !ENVIRONMENT_LIMITS.has(graphError.class)) {
        assert.equal(index.graphError?.name, graphError.class);
        assert.equal(normaliseSetLines(index.graphError!.message), normaliseSetLines(graphError.message));
        return;
      }
      assert.equal(index.graphError, undefined, index.graphError?.message);
      // DVC could not build this graph for lack of a plugin; we can, but have nothing to compare.
      if (graphError) return;
      const edges = [...index.graph!.upstream].flatMap(([stage, producers]) =>
        producers.map((producer) => `${stage.addressing} -> ${producer.addressing}`),
      );
      assert.deepEqual(edges.sort(), repoExpected._edges.map(([a, b]) => `${a} -> ${b}`).sort());
      for (const [file, stage] of Object.entries(repoExpected._dvc_files ?? {})) {
        const source = index.dataSources.find((r) => r.file === file)?.stage;
        assert.ok(source, file);
        assert.deepEqual({ ...describeStage(source), cmd: source.cmd ?? null }, stage);
      }
    });
  });
}

test('the corpus has all 79 dvc.yaml files', () => assert.equal(files, 79));
