import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  dagOf,
  pipelinesContaining,
  pipelinesOf,
  renderAscii,
  renderDot,
  renderMermaid,
  upstreamClosure,
  type DagInput,
} from './dag-text';
import { buildGraph } from './graph';
import { buildPipelineStage, type Stage } from '../stage/stage';

const dag = (nodes: string[], ...edges: Array<[string, string]>): DagInput => ({ nodes, edges });
const chain = dag(['prepare', 'train', 'evaluate'], ['prepare', 'train'], ['train', 'evaluate']);
const diamond = dag(['a', 'b', 'c', 'd'], ['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd']);
/** Two pipelines; the one whose first node comes first in node order comes first, whatever the names. */
const pair = dag(['x', 'y', 'a', 'b'], ['x', 'y'], ['a', 'b']);

describe('dagOf', () => {
  const stages: Stage[] = [
    buildPipelineStage('dvc.yaml', 'A1', { cmd: 'c', outs: ['a1'] }),
    buildPipelineStage('dvc.yaml', 'B1', { cmd: 'c', outs: ['b1'] }),
    buildPipelineStage('sub/dvc.yaml', 'train', { cmd: 'c', deps: ['../b1', '../a1'], outs: ['model'] }),
    buildPipelineStage('dvc.yaml', 'lone', { cmd: 'c', outs: ['lone'] }),
  ];
  const graph = buildGraph(stages);

  test('stages by addressing in collection order, producer -> dependent in dep order', () => {
    assert.deepEqual(dagOf(graph), {
      nodes: ['A1', 'B1', 'sub/dvc.yaml:train', 'lone'],
      edges: [
        ['B1', 'sub/dvc.yaml:train'],
        ['A1', 'sub/dvc.yaml:train'],
      ],
    });
  });

  test('only the stages given, still in collection order', () => {
    assert.deepEqual(dagOf(graph, [stages[3], stages[2], stages[0]]), {
      nodes: ['A1', 'sub/dvc.yaml:train', 'lone'],
      edges: [['A1', 'sub/dvc.yaml:train']],
    });
  });
});

describe('pipelinesOf', () => {
  test('weakly connected components, by their first node in node order', () => {
    assert.deepEqual(pipelinesOf(pair), [dag(['x', 'y'], ['x', 'y']), dag(['a', 'b'], ['a', 'b'])]);
    assert.deepEqual(pipelinesOf(diamond), [dag(['a', 'b', 'c', 'd'], ['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'])]);
  });

  test('joined through a shared dependent; repeated edges once; nodes only an edge names included', () => {
    const joined = dag(['p', 'lone', 'q'], ['q', 'r'], ['p', 'r'], ['q', 'r']);
    assert.deepEqual(pipelinesOf(joined), [dag(['p', 'q', 'r'], ['p', 'r'], ['q', 'r']), dag(['lone'])]);
  });
});

describe('upstreamClosure and pipelinesContaining (dvc dag <target>, --full)', () => {
  const wide = dag(['a', 'b', 'c', 'd', 'side', 'x', 'y'], ['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['a', 'side'], ['x', 'y']);

  test('a target and its ancestors only', () => {
    assert.deepEqual(upstreamClosure(wide, ['b']), dag(['a', 'b'], ['a', 'b']));
    assert.deepEqual(upstreamClosure(wide, ['d']), diamond);
    assert.deepEqual(upstreamClosure(wide, ['c', 'y']), dag(['a', 'c', 'x', 'y'], ['a', 'c'], ['x', 'y']));
  });

  test('--full: the whole pipelines holding the targets', () => {
    assert.deepEqual(pipelinesContaining(wide, ['b']).nodes, ['a', 'b', 'c', 'd', 'side']);
    assert.deepEqual(pipelinesContaining(wide, ['y']), dag(['x', 'y'], ['x', 'y']));
  });

  test('no target: the whole dag; an unknown target is refused', () => {
    assert.equal(upstreamClosure(wide, []), wide);
    assert.equal(pipelinesContaining(wide, []), wide);
    assert.throws(() => upstreamClosure(wide, ['nope']), /'nope' is not a stage of the dag/);
    assert.throws(() => pipelinesContaining(wide, ['nope']), /'nope' is not a stage of the dag/);
  });
});

describe('renderMermaid (dvc dag --mermaid / --md)', () => {
  test('chain', () => {
    assert.equal(
      renderMermaid(chain),
      'flowchart TD\n\tnode1["evaluate"]\n\tnode2["prepare"]\n\tnode3["train"]\n\tnode2-->node3\n\tnode3-->node1',
    );
  });

  test('diamond, and --md', () => {
    const chart = 'flowchart TD\n\tnode1["a"]\n\tnode2["b"]\n\tnode3["c"]\n\tnode4["d"]\n\tnode1-->node2\n\tnode1-->node3\n\tnode2-->node4\n\tnode3-->node4';
    assert.equal(renderMermaid(diamond), chart);
    assert.equal(renderMermaid(diamond, { markdown: true }), `\`\`\`mermaid\n${chart}\n\`\`\``);
  });

  test('two pipelines: ids run on across them, each sorted inside', () => {
    assert.equal(
      renderMermaid(pair),
      'flowchart TD\n\tnode1["x"]\n\tnode2["y"]\n\tnode1-->node2\n\tnode3["a"]\n\tnode4["b"]\n\tnode3-->node4',
    );
  });

  test("sorted by code point as Python does, not by UTF-16 unit", () => {
    assert.equal(renderMermaid(dag(['🚄', '\uffff'], ['🚄', '\uffff'])), 'flowchart TD\n\tnode1["\uffff"]\n\tnode2["🚄"]\n\tnode2-->node1');
  });

  test('an empty dag', () => {
    assert.equal(renderMermaid(dag([])), 'flowchart TD');
  });
});

describe('renderDot (dvc dag --dot)', () => {
  test('chain', () => {
    assert.equal(
      renderDot(chain),
      'strict digraph {\n"prepare";\n"train";\n"evaluate";\n"prepare" -> "train";\n"train" -> "evaluate";\n}\n',
    );
  });

  test('diamond, edges grouped by producer in node order whatever the edge order', () => {
    const expected = 'strict digraph {\n"a";\n"b";\n"c";\n"d";\n"a" -> "b";\n"a" -> "c";\n"b" -> "d";\n"c" -> "d";\n}\n';
    assert.equal(renderDot(diamond), expected);
    assert.equal(renderDot(dag(diamond.nodes, ...[...diamond.edges].reverse())), expected);
  });

  test('two pipelines, and labels with a colon or already quoted', () => {
    assert.equal(renderDot(pair), 'strict digraph {\n"x";\n"y";\n"a";\n"b";\n"x" -> "y";\n"a" -> "b";\n}\n');
    assert.equal(renderDot(dag(['sub/dvc.yaml:train', '"q"'])), 'strict digraph {\n"sub/dvc.yaml:train";\n"q";\n}\n');
  });
});

describe('renderAscii (dvc dag)', () => {
  test('chain', () => {
    assert.equal(
      renderAscii(chain),
      [
        ' +---------+',
        ' | prepare |',
        ' +---------+',
        '      *',
        '      *',
        '      *',
        '  +-------+',
        '  | train |',
        '  +-------+',
        '      *',
        '      *',
        '      *',
        '+----------+',
        '| evaluate |',
        '+----------+',
      ].join('\n'),
    );
  });

  test('diamond', () => {
    assert.equal(
      renderAscii(diamond),
      [
        '     +---+',
        '     | a |',
        '     +---+',
        '      ***',
        '    **   **',
        '  **       **',
        '+---+     +---+',
        '| b |     | c |',
        '+---+     +---+',
        '  **       **',
        '    **   **',
        '      ***',
        '     +---+',
        '     | d |',
        '     +---+',
      ].join('\n'),
    );
  });

  test('pipelines one after the other, a blank line between', () => {
    const box = (name: string) => [`+---+`, `| ${name} |`, `+---+`];
    const pipeline = (from: string, to: string) => [...box(from), '  *', '  *', '  *', ...box(to)];
    assert.equal(renderAscii(pair), [...pipeline('x', 'y'), '', ...pipeline('a', 'b')].join('\n'));
  });

  const fanOut = dag(['s', 'a', 'b', 'c'], ['s', 'a'], ['s', 'b'], ['s', 'c']);
  const fanIn = dag(['a', 'b', 'c', 's'], ['a', 's'], ['b', 's'], ['c', 's']);
  const longNames = dag(
    ['data/raw/dvc.yaml:download_everything', 'featurize', 'train_a_really_long_model_name', 'evaluate'],
    ['data/raw/dvc.yaml:download_everything', 'featurize'],
    ['featurize', 'train_a_really_long_model_name'],
    ['train_a_really_long_model_name', 'evaluate'],
    ['data/raw/dvc.yaml:download_everything', 'evaluate'],
  );
  const shapes = { chain, diamond, pair, fanOut, fanIn, longNames, random60: randomDag(60, 1), random200: randomDag(200, 2) };

  for (const [name, shape] of Object.entries(shapes)) {
    test(`${name}: every node once in a box, no trailing spaces, producers above dependents`, () => {
      const text = renderAscii(shape);
      const boxes = boxesIn(text);
      assert.deepEqual([...boxes.keys()].sort(), [...shape.nodes].sort());
      assert.ok(text.split('\n').every((line) => !line.endsWith(' ')));
      for (const [producer, dependent] of shape.edges) assert.ok(boxes.get(producer)! < boxes.get(dependent)!);
    });
  }

  test('a 200-node random dag renders in well under 200 ms', () => {
    const big = randomDag(200, 3);
    renderAscii(big);
    const start = performance.now();
    renderAscii(big);
    assert.ok(performance.now() - start < 200);
  });

  test('an empty dag draws nothing; a cycle is refused', () => {
    assert.equal(renderAscii(dag([])), '');
    assert.throws(() => renderAscii(dag(['a', 'b'], ['a', 'b'], ['b', 'a'])), /cycle/);
  });
});

/** Box names with the row of their text, each box checked for its `+---+` borders. */
function boxesIn(text: string): Map<string, number> {
  const lines = text.split('\n');
  const boxes = new Map<string, number>();
  lines.forEach((line, row) => {
    for (const match of line.matchAll(/\| (\S+) \|/g)) {
      const border = `+${'-'.repeat(match[1].length + 2)}+`;
      for (const edge of [lines[row - 1], lines[row + 1]]) assert.equal(edge.slice(match.index, match.index + border.length), border);
      assert.ok(!boxes.has(match[1]), `${match[1]} drawn twice`);
      boxes.set(match[1], row);
    }
  });
  return boxes;
}

/** A dag of `n` stages, each reading up to three earlier ones (deterministic for a seed). */
function randomDag(n: number, seed: number): DagInput {
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const nodes = Array.from({ length: n }, (_, i) => `stage_${i}`);
  const edges: Array<[string, string]> = [];
  for (let i = 1; i < n; i++) {
    for (let k = 0; k < 3; k++) if (random() < 0.7) edges.push([nodes[Math.floor(random() * i)], nodes[i]]);
  }
  return { nodes, edges };
}
