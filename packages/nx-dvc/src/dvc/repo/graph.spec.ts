import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CyclicGraphError,
  OutputDuplicationError,
  OverlappingOutputPathsError,
  StagePathAsOutputError,
} from '../errors';
import { buildGraph, buildOutputTrie, downstreamOf, OutputTrie } from './graph';
import { loadSingleStageFile } from '../parsing/single-stage-file';
import { buildPipelineStage, type Stage } from '../stage/stage';

/**
 * DVC's `dvc/repo/graph.py::build_graph` and `dvc/repo/trie.py::build_outs_trie`: the output trie
 * and its validations (in DVC's order, with DVC's messages), edges by whole path components, cycles.
 */

function stage(name: string, data: Record<string, unknown>, file = 'dvc.yaml'): Stage {
  return buildPipelineStage(file, name, { cmd: 'c', ...data });
}

/** `dependent -> producer` for every edge, in node order then dependency order. */
function edges(stages: Stage[]): string[] {
  const graph = buildGraph(stages);
  return [...graph.upstream].flatMap(([dependent, producers]) => producers.map((p) => `${dependent.addressing} -> ${p.addressing}`));
}

function graphError(stages: Stage[]): Error {
  try {
    buildGraph(stages);
  } catch (error) {
    return error as Error;
  }
  assert.fail('the graph was built');
}

/** DVC lists the stages of these two messages from a Python set: compare them as a set. */
function cycleStages(message: string): { prefix: string; stages: string[] } {
  const match = /^(Same item\(s\) are defined as both a dependency and an output in stages?: )(.*)\.$/.exec(message);
  assert.ok(match, message);
  return { prefix: match[1], stages: match[2].split(', ').sort() };
}

function duplicateLines(message: string): string[] {
  const lines = message.split('\n');
  return [...lines.filter((l) => !l.startsWith('\t- ')), ...lines.filter((l) => l.startsWith('\t- ')).sort()];
}

describe('OutputTrie', () => {
  const trie = new OutputTrie();
  const a = stage('a', {});
  const owned = (path: string) => ({ out: { path, repoPath: path, cache: true, persist: false, metric: false, plot: false, push: true }, stage: a });
  trie.set(['data'], owned('data'));
  trie.set(['models', 'a.pkl'], owned('models/a.pkl'));
  trie.set(['models', 'b', 'c.pkl'], owned('models/b/c.pkl'));

  test('exact lookups by components', () => {
    assert.equal(trie.get(['data'])?.out.path, 'data');
    assert.equal(trie.get(['models']), undefined);
    assert.equal(trie.get(['dat']), undefined);
  });

  test('prefixes: the path and its parents that are outputs, shortest first', () => {
    assert.deepEqual(trie.prefixes(['data', 'x', 'y']).map((o) => o.out.path), ['data']);
    assert.deepEqual(trie.prefixes(['data']).map((o) => o.out.path), ['data']);
    assert.deepEqual(trie.prefixes(['data2']).map((o) => o.out.path), []);
    assert.deepEqual(trie.prefixes(['models', 'a.pkl']).map((o) => o.out.path), ['models/a.pkl']);
  });

  test('below: outputs strictly inside, depth first in insertion order', () => {
    assert.deepEqual(trie.below(['models']).map((o) => o.out.path), ['models/a.pkl', 'models/b/c.pkl']);
    assert.deepEqual(trie.below([]).map((o) => o.out.path), ['data', 'models/a.pkl', 'models/b/c.pkl']);
    assert.deepEqual(trie.below(['data']).map((o) => o.out.path), []);
    assert.deepEqual(trie.below(['mod']).map((o) => o.out.path), []);
  });
});

describe('output validations', () => {
  test('the same output in two stages (golden 19-errors/02)', () => {
    const error = graphError([stage('first', { outs: ['same.txt'] }), stage('second', { outs: ['same.txt'] })]);
    assert.ok(error instanceof OutputDuplicationError);
    assert.deepEqual(
      duplicateLines(error.message),
      duplicateLines(
        "output 'same.txt' is specified in:\n\t- second\n\t- first\nUse `dvc remove` with any of the above targets to stop tracking the overlapping output.",
      ),
    );
  });

  test('the same output twice in one stage (outs and metrics)', () => {
    const error = graphError([stage('train', { outs: ['m.json'], metrics: ['m.json'] })]);
    assert.ok(error instanceof OutputDuplicationError);
    assert.equal(error.message, "output 'm.json' is already specified in stage: 'train'.\nUse `dvc remove train` to stop tracking the overlapping output.");
  });

  test('outputs are compared as repository paths, named as such', () => {
    const error = graphError([
      stage('build_model_a', { outs: ['models/model-a.joblib'] }),
      stage('train', { outs: ['../models/model-a.joblib'] }, 'model_a/dvc.yaml'),
    ]);
    assert.deepEqual(
      duplicateLines(error.message),
      duplicateLines(
        "output 'models/model-a.joblib' is specified in:\n\t- model_a/dvc.yaml:train\n\t- build_model_a\nUse `dvc remove` with any of the above targets to stop tracking the overlapping output.",
      ),
    );
  });

  const OVERLAP =
    "The output paths:\n'data'('make-dir')\n'data/b.txt'('make-file')\noverlap and are thus in the same tracked directory.\n" +
    'To keep reproducibility, outputs should be in separate tracked directories or tracked individually.';

  test('an output inside another output, in either order (golden 19-errors/03)', () => {
    const dir = () => stage('make-dir', { outs: ['data'] });
    const file = () => stage('make-file', { outs: ['data/b.txt'] });
    for (const stages of [
      [dir(), file()],
      [file(), dir()],
    ]) {
      const error = graphError(stages);
      assert.ok(error instanceof OverlappingOutputPathsError);
      assert.equal(error.message, OVERLAP);
    }
  });

  test('a new directory output names the first output already inside it', () => {
    const error = graphError([stage('x', { outs: ['d/sub/x', 'd/a'] }), stage('y', { outs: ['d'] })]);
    assert.equal(error.message.split('\n').slice(0, 3).join('\n'), "The output paths:\n'd'('y')\n'd/sub/x'('x')");
  });

  test('overlap within one stage is reported too', () => {
    const error = graphError([stage('s', { outs: ['d', 'd/x'] })]);
    assert.equal(error.message.split('\n').slice(0, 3).join('\n'), "The output paths:\n'd'('s')\n'd/x'('s')");
  });

  test('components, not string prefixes: data2 is not inside data', () => {
    assert.deepEqual(edges([stage('a', { outs: ['data'] }), stage('b', { outs: ['data2'], deps: ['data2x', 'dat'] })]), []);
  });

  test('a stage file inside an output (golden 19-errors/04)', () => {
    const error = graphError([
      stage('produce', { outs: ['../out'] }, 'producer/dvc.yaml'),
      stage('inner', {}, 'out/dvc.yaml'),
    ]);
    assert.ok(error instanceof StagePathAsOutputError);
    assert.equal(error.message, "stage: 'out/dvc.yaml:inner' is within an output 'out' of another stage");
  });

  test('also for a .dvc file, and for a stage whose own output holds its file', () => {
    const data = loadSingleStageFile('out/deep/raw.csv.dvc', 'wdir: ../..\nouts:\n- md5: abc\n  path: raw.csv\n');
    assert.equal(
      graphError([stage('produce', { outs: ['out/deep'] }), data]).message,
      "stage: 'out/deep/raw.csv.dvc' is within an output 'out/deep' of another stage",
    );
    assert.equal(
      graphError([stage('s', { outs: ['.'] }, 'sub/dvc.yaml')]).message,
      "stage: 'sub/dvc.yaml:s' is within an output 'sub' of another stage",
    );
  });

  test('validations run in order: duplicates, then stage files in outputs, then cycles', () => {
    const cyclic = [stage('a', { deps: ['b'], outs: ['a'] }), stage('b', { deps: ['a'], outs: ['b'] })];
    const inOut = [stage('produce', { outs: ['out'] }), stage('inner', {}, 'out/dvc.yaml')];
    const duplicate = [stage('x', { outs: ['same'] }), stage('y', { outs: ['same'] })];
    assert.ok(graphError([...cyclic, ...inOut, ...duplicate]) instanceof OutputDuplicationError);
    assert.ok(graphError([...cyclic, ...inOut]) instanceof StagePathAsOutputError);
    assert.ok(graphError(cyclic) instanceof CyclicGraphError);
  });

  test('buildOutputTrie holds every output by its components', () => {
    const trie = buildOutputTrie([stage('a', { outs: ['x/y'], metrics: ['m.json'] }), stage('b', { plots: ['p/q.csv'] })]);
    assert.equal(trie.get(['x', 'y'])?.stage.name, 'a');
    assert.equal(trie.get(['m.json'])?.out.metric, true);
    assert.equal(trie.get(['p', 'q.csv'])?.stage.name, 'b');
  });
});

describe('edges (dependent -> producer)', () => {
  test('a dependency equal to an output, or inside an output directory', () => {
    assert.deepEqual(
      edges([
        stage('prep', { outs: ['data'] }),
        stage('train', { deps: ['data/train.csv'], outs: ['model.pkl'] }),
        stage('eval', { deps: ['model.pkl', 'data'] }),
      ]),
      ['train -> prep', 'eval -> train', 'eval -> prep'],
    );
  });

  test('a dependency that is a directory holding outputs', () => {
    assert.deepEqual(
      edges([stage('a', { outs: ['data/a.csv'] }), stage('b', { outs: ['data/sub/b.csv'] }), stage('all', { deps: ['data'] })]),
      ['all -> a', 'all -> b'],
    );
  });

  test('params files count as dependencies, after the deps', () => {
    assert.deepEqual(
      edges([
        stage('gen-params', { outs: ['conf/params.yaml'] }),
        stage('gen-data', { outs: ['x'] }),
        stage('train', { params: [{ 'conf/params.yaml': ['lr'] }], deps: ['x'] }),
        stage('bare', { params: ['lr'], wdir: 'conf' }),
      ]),
      ['train -> gen-data', 'train -> gen-params', 'bare -> gen-params'],
    );
  });

  test('one edge per producer', () => {
    assert.deepEqual(edges([stage('a', { outs: ['x', 'y'] }), stage('b', { deps: ['x', 'y', 'x'] })]), ['b -> a']);
  });

  test('paths are resolved from each wdir, across dvc.yaml files', () => {
    assert.deepEqual(
      edges([stage('root', { outs: ['shared/input.txt'] }), stage('sub', { deps: ['../shared/input.txt'], outs: ['o'] }, 'nested/dvc.yaml'), stage('use', { deps: ['nested/o'] })]),
      ['nested/dvc.yaml:sub -> root', 'use -> nested/dvc.yaml:sub'],
    );
  });

  test('ds:// and URL dependencies add no edge', () => {
    assert.deepEqual(edges([stage('a', { outs: ['mydata'] }), stage('b', { deps: ['ds://mydata', 's3://bucket/mydata'] })]), []);
  });

  test('a .dvc data source is a producer (golden 13)', () => {
    const source = loadSingleStageFile('data/raw.csv.dvc', 'outs:\n- md5: 1ab\n  size: 4\n  hash: md5\n  path: raw.csv\n');
    assert.deepEqual(edges([stage('prepare', { deps: ['data/raw.csv'], outs: ['p.csv'] }), source]), ['prepare -> data/raw.csv.dvc']);
  });

  test('an import stage adds no edges', () => {
    const imported = loadSingleStageFile(
      'model.pkl.dvc',
      'frozen: true\ndeps:\n- path: model.pkl\n  repo:\n    url: https://example.com/repo.git\n    rev_lock: abc\nouts:\n- md5: 1ab\n  path: model.pkl\n',
    );
    assert.equal(imported.isImport, true);
    // Its dep names its own output (in the source repository): without the rule it would loop on itself.
    assert.deepEqual(edges([imported, stage('use', { deps: ['model.pkl'] })]), ['use -> model.pkl.dvc']);
  });
});

describe('cycles', () => {
  test('a stage reading its own output, or a directory holding it, loops on itself', () => {
    for (const deps of [['a.txt'], ['.'], ['out']]) {
      const error = graphError([stage('a', { deps, outs: deps[0] === 'out' ? ['out/x'] : ['a.txt'] })]);
      assert.ok(error instanceof CyclicGraphError);
      assert.equal(error.message, 'Same item(s) are defined as both a dependency and an output in stage: a.');
    }
  });

  test('two stages (golden 19-errors/01)', () => {
    const error = graphError([
      stage('a', { deps: ['b.txt'], outs: ['a.txt'] }),
      stage('b', { deps: ['a.txt'], outs: ['b.txt'] }),
    ]);
    assert.deepEqual(cycleStages(error.message), {
      prefix: 'Same item(s) are defined as both a dependency and an output in stages: ',
      stages: ['a', 'b'],
    });
  });

  test('only the stages on the cycle are named', () => {
    const error = graphError([
      stage('free', { outs: ['f'] }),
      stage('x', { deps: ['f', 'z'], outs: ['x'] }),
      stage('y', { deps: ['x'], outs: ['y'] }),
      stage('z', { deps: ['../y'], outs: ['../z'] }, 'sub/dvc.yaml'),
    ]);
    assert.deepEqual(cycleStages(error.message).stages, ['sub/dvc.yaml:z', 'x', 'y']);
  });

  test('a cycle through a params file', () => {
    const error = graphError([stage('a', { params: [{ 'b.yaml': ['k'] }], outs: ['a.yaml'] }), stage('b', { params: [{ 'a.yaml': null }], outs: ['b.yaml'] })]);
    assert.deepEqual(cycleStages(error.message).stages, ['a', 'b']);
  });
});

describe('downstream', () => {
  test('every stage that depends on a stage, directly or not', () => {
    const stages = [
      stage('a', { outs: ['a'] }),
      stage('b', { deps: ['a'], outs: ['b'] }),
      stage('c', { deps: ['b'], outs: ['c'] }),
      stage('d', { deps: ['a', 'c'] }),
      stage('e', { outs: ['e'] }),
    ];
    const graph = buildGraph(stages);
    assert.deepEqual(downstreamOf(graph, stages[0]).map((s) => s.name).sort(), ['b', 'c', 'd']);
    assert.deepEqual(downstreamOf(graph, stages[2]).map((s) => s.name), ['d']);
    assert.deepEqual(downstreamOf(graph, stages[4]), []);
  });
});
