import type { StageGraph } from './graph';
import type { Stage } from '../stage/stage';

/** A pipeline graph by stage addressing (`prepare`, `sub/dvc.yaml:train`); edges run producer -> dependent. */
export interface DagInput {
  nodes: string[];
  edges: Array<[producer: string, dependent: string]>;
}

/** The graph's stages (all, or those given) in collection order, with the edges between them. */
export function dagOf(graph: StageGraph, stages: Iterable<Stage> = graph.stages): DagInput {
  const kept = new Set(stages);
  const nodes = graph.stages.filter((s) => kept.has(s));
  const edges = nodes.flatMap((dependent) =>
    (graph.upstream.get(dependent) ?? [])
      .filter((producer) => kept.has(producer))
      .map((producer): [string, string] => [producer.addressing, dependent.addressing]),
  );
  return { nodes: nodes.map((s) => s.addressing), edges };
}

interface Links {
  /** The dag's nodes, then any node only an edge names, without repeats. */
  nodes: string[];
  /** Neighbour lists without repeats, in node order. */
  producers: Map<string, string[]>;
  dependents: Map<string, string[]>;
}

function linksOf(dag: DagInput): Links {
  const nodes = [...new Set([...dag.nodes, ...dag.edges.flat()])];
  const position = new Map(nodes.map((node, i) => [node, i]));
  const producers = new Map(nodes.map((node) => [node, new Set<string>()]));
  const dependents = new Map(nodes.map((node) => [node, new Set<string>()]));
  for (const [producer, dependent] of dag.edges) {
    producers.get(dependent)!.add(producer);
    dependents.get(producer)!.add(dependent);
  }
  const inNodeOrder = (lists: Map<string, Set<string>>) =>
    new Map([...lists].map(([node, set]) => [node, [...set].sort((a, b) => position.get(a)! - position.get(b)!)]));
  return { nodes, producers: inNodeOrder(producers), dependents: inNodeOrder(dependents) };
}

/** The nodes `keep` accepts and the edges between them, in node order (deduplicated). */
function restrictTo({ nodes, producers }: Links, keep: (node: string) => boolean): DagInput {
  const kept = nodes.filter(keep);
  const edges = kept.flatMap((dependent) =>
    producers.get(dependent)!.filter(keep).map((producer): [string, string] => [producer, dependent]),
  );
  return { nodes: kept, edges };
}

/**
 * DVC's `get_pipelines`: the weakly connected components, ordered as networkx finds them
 * (by their first node in node order).
 */
export function pipelinesOf(dag: DagInput): DagInput[] {
  const { nodes, producers, dependents } = linksOf(dag);
  const pipelineOf = new Map<string, number>();
  let count = 0;
  for (const start of nodes) {
    if (pipelineOf.has(start)) continue;
    const stack = [start];
    pipelineOf.set(start, count);
    while (stack.length) {
      const node = stack.pop()!;
      for (const next of [...producers.get(node)!, ...dependents.get(node)!]) {
        if (!pipelineOf.has(next)) (pipelineOf.set(next, count), stack.push(next));
      }
    }
    count++;
  }
  const pipelines = Array.from({ length: count }, (): DagInput => ({ nodes: [], edges: [] }));
  for (const node of nodes) {
    const pipeline = pipelines[pipelineOf.get(node)!];
    pipeline.nodes.push(node);
    for (const producer of producers.get(node)!) pipeline.edges.push([producer, node]);
  }
  return pipelines;
}

/** `dvc dag <targets>`: the targets and everything upstream of them. No targets: the whole dag. */
export function upstreamClosure(dag: DagInput, targets: string[]): DagInput {
  if (!targets.length) return dag;
  const links = linksOf(dag);
  const { producers } = links;
  const seen = new Set<string>();
  const stack = targets.map((target) => (producers.has(target) ? target : unknownNode(target)));
  while (stack.length) {
    const node = stack.pop()!;
    if (!seen.has(node)) (seen.add(node), stack.push(...producers.get(node)!));
  }
  return restrictTo(links, (node) => seen.has(node));
}

/** `dvc dag --full <targets>`: the whole pipelines the targets are in. No targets: the whole dag. */
export function pipelinesContaining(dag: DagInput, targets: string[]): DagInput {
  if (!targets.length) return dag;
  const pipelines = pipelinesOf(dag);
  const pipelineOf = new Map(pipelines.flatMap((pipeline) => pipeline.nodes.map((node) => [node, pipeline])));
  const kept = new Set<string>();
  for (const target of targets) {
    const pipeline = pipelineOf.get(target) ?? unknownNode(target);
    for (const node of pipeline.nodes) kept.add(node);
  }
  return restrictTo(linksOf(dag), (node) => kept.has(node));
}

function unknownNode(node: string): never {
  throw new Error(`'${node}' is not a stage of the dag`);
}

/** `dvc dag --mermaid` (`--md` with `markdown`), byte for byte. */
export function renderMermaid(dag: DagInput, options: { markdown?: boolean } = {}): string {
  const lines = ['flowchart TD'];
  let count = 0;
  for (const pipeline of pipelinesOf(dag)) {
    const ids = new Map<string, string>();
    for (const node of [...pipeline.nodes].sort(byCodePoints)) {
      ids.set(node, `node${++count}`);
      lines.push(`\t${ids.get(node)}["${node}"]`);
    }
    const edges = [...pipeline.edges].sort(([a, b], [c, d]) => byCodePoints(a, c) || byCodePoints(b, d));
    for (const [producer, dependent] of edges) lines.push(`\t${ids.get(producer)}-->${ids.get(dependent)}`);
  }
  const chart = lines.join('\n');
  return options.markdown ? `\`\`\`mermaid\n${chart}\n\`\`\`` : chart;
}

/** Python's string order (by code point), which differs from UTF-16 order past U+FFFF. */
function byCodePoints(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = a.codePointAt(i)! - b.codePointAt(i)!;
    if (difference) return difference;
  }
  return a.length - b.length;
}

/**
 * `dvc dag --dot`: what networkx's `write_dot` (through pydot) prints for the graph with producers
 * pointing at dependents. DVC relabels the graph in place first, which leaves every node's
 * neighbours in node order: edges come grouped by producer, in node order.
 */
export function renderDot(dag: DagInput): string {
  const { nodes, dependents } = linksOf(dag);
  const lines = [
    'strict digraph {',
    ...nodes.map((node) => `${dotLabel(node)};`),
    ...nodes.flatMap((producer) => dependents.get(producer)!.map((d) => `${dotLabel(producer)} -> ${dotLabel(d)};`)),
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/** DVC quotes every label unless it already starts or ends with a quote. */
function dotLabel(node: string): string {
  return node.startsWith('"') || node.endsWith('"') ? node : `"${node}"`;
}

/**
 * `dvc dag`'s drawing: each pipeline as layers of boxes, producers above their dependents, edges
 * drawn with `*`. DVC lays pipelines out with grandalf's Sugiyama layout; this is a simpler
 * layered layout in the same spirit (not the same bytes), deterministic for a given dag.
 */
export function renderAscii(dag: DagInput): string {
  return pipelinesOf(dag)
    .map((pipeline) => paint(placed(ordered(slotLayers(pipeline)))))
    .join('\n\n');
}

const BOX_HEIGHT = 3;
const BOX_GAP = 5;
const LINE_GAP = 2;

/** A box in a layer, or (without a name) the point where a longer edge crosses the layer. */
interface Slot {
  name?: string[];
  width: number;
  /** Left column; fractional until painted. */
  x: number;
  up: Slot[];
  down: Slot[];
}

const center = (slot: Slot) => slot.x + (slot.width >> 1);

/** Longest-path layers from the sources, with one edge point per layer an edge crosses. */
function slotLayers(dag: DagInput): Slot[][] {
  const links = linksOf(dag);
  const { nodes, producers } = links;
  const layerOf = layersOf(links);
  const layers: Slot[][] = [];
  const slotIn = (layer: number, name?: string): Slot => {
    const chars = name === undefined ? undefined : [...name];
    const slot: Slot = { name: chars, width: chars ? chars.length + 4 : 1, x: 0, up: [], down: [] };
    (layers[layer] ??= []).push(slot);
    return slot;
  };
  const boxes = new Map(nodes.map((node) => [node, slotIn(layerOf.get(node)!, node)]));
  for (const dependent of nodes) {
    for (const producer of producers.get(dependent)!) {
      let from = boxes.get(producer)!;
      for (let layer = layerOf.get(producer)! + 1; layer <= layerOf.get(dependent)!; layer++) {
        const to = layer === layerOf.get(dependent) ? boxes.get(dependent)! : slotIn(layer);
        from.down.push(to);
        to.up.push(from);
        from = to;
      }
    }
  }
  return layers;
}

/** Longest path from a source, by Kahn's topological order. */
function layersOf({ nodes, producers, dependents }: Links): Map<string, number> {
  const layerOf = new Map<string, number>();
  const waitingFor = new Map(nodes.map((node) => [node, producers.get(node)!.length]));
  const ready = nodes.filter((node) => !waitingFor.get(node));
  for (const node of ready) {
    const layer = Math.max(-1, ...producers.get(node)!.map((producer) => layerOf.get(producer)!)) + 1;
    layerOf.set(node, layer);
    for (const dependent of dependents.get(node)!) {
      waitingFor.set(dependent, waitingFor.get(dependent)! - 1);
      if (!waitingFor.get(dependent)) ready.push(dependent);
    }
  }
  if (ready.length < nodes.length) throw new Error('the dag has a cycle');
  return layerOf;
}

/** Barycenter sweeps (down, up, down) to untangle edges between neighbouring layers. */
function ordered(layers: Slot[][]): Slot[][] {
  const sortBy = (layer: Slot[], neighbours: (slot: Slot) => Slot[], reference: Slot[]) => {
    const index = new Map(reference.map((slot, i) => [slot, i]));
    const key = new Map(
      layer.map((slot, i) => {
        const near = neighbours(slot);
        return [slot, near.length ? near.reduce((sum, n) => sum + index.get(n)!, 0) / near.length : i];
      }),
    );
    layer.sort((a, b) => key.get(a)! - key.get(b)!);
  };
  const down = () => {
    for (let i = 1; i < layers.length; i++) sortBy(layers[i], (slot) => slot.up, layers[i - 1]);
  };
  const up = () => {
    for (let i = layers.length - 2; i >= 0; i--) sortBy(layers[i], (slot) => slot.down, layers[i + 1]);
  };
  down();
  up();
  down();
  return layers;
}

/** Columns: each slot centred under its producers, then each over its dependents. */
function placed(layers: Slot[][]): Slot[][] {
  for (const layer of layers) spread(layer, layer.map(() => 0));
  const follow = (layer: Slot[], neighbours: (slot: Slot) => Slot[]) =>
    spread(
      layer,
      layer.map((slot) => {
        const near = neighbours(slot);
        return near.length ? near.reduce((sum, n) => sum + center(n), 0) / near.length : center(slot);
      }),
    );
  for (const layer of layers.slice(1)) follow(layer, (slot) => slot.up);
  for (const layer of layers.slice(0, -1).reverse()) follow(layer, (slot) => slot.down);
  const left = layers.flat().reduce((min, slot) => Math.min(min, Math.round(slot.x)), Infinity);
  for (const slot of layers.flat()) slot.x = Math.round(slot.x) - left;
  return layers;
}

/**
 * Puts the slots of a layer, in order and apart, as close as possible (least squares) to the wanted
 * centres: pool-adjacent-violators over the centres minus each slot's minimal offset.
 */
function spread(layer: Slot[], wantedCenters: number[]): void {
  const offsets: number[] = [];
  let offset = 0;
  layer.forEach((slot, i) => {
    if (i) offset += layer[i - 1].width + (slot.name && layer[i - 1].name ? BOX_GAP : LINE_GAP);
    offsets.push(offset);
  });
  const pools: Array<{ sum: number; count: number }> = [];
  layer.forEach((slot, i) => {
    let pool = { sum: wantedCenters[i] - (slot.width >> 1) - offsets[i], count: 1 };
    while (pools.length && pools[pools.length - 1].sum / pools[pools.length - 1].count >= pool.sum / pool.count) {
      const last = pools.pop()!;
      pool = { sum: last.sum + pool.sum, count: last.count + pool.count };
    }
    pools.push(pool);
  });
  let i = 0;
  for (const { sum, count } of pools) {
    for (let k = 0; k < count; k++, i++) layer[i].x = sum / count + offsets[i];
  }
}

/** Rows: boxes, and between layers a band tall enough to keep edges from lying flat. */
function paint(layers: Slot[][]): string {
  const tops = [0];
  layers.slice(0, -1).forEach((layer, i) => {
    const reach = layer.reduce((max, slot) => Math.max(max, ...slot.down.map((to) => Math.abs(center(to) - center(slot)))), 0);
    tops.push(tops[i] + BOX_HEIGHT + Math.min(6, Math.max(3, Math.ceil(reach / 4))));
  });
  const width = layers.flat().reduce((max, slot) => Math.max(max, slot.x + slot.width), 0);
  const canvas = Array.from({ length: tops[tops.length - 1] + BOX_HEIGHT }, () => new Array<string>(width).fill(' '));
  layers.forEach((layer, i) => {
    for (const slot of layer) {
      if (!slot.name) line(canvas, center(slot), tops[i], center(slot), tops[i] + BOX_HEIGHT - 1);
      for (const to of slot.down) line(canvas, center(slot), tops[i] + BOX_HEIGHT, center(to), tops[i + 1] - 1);
    }
  });
  layers.forEach((layer, i) => layer.forEach((slot) => slot.name && box(canvas, slot.x, tops[i], slot.name)));
  return canvas.map((row) => row.join('').trimEnd()).join('\n');
}

function line(canvas: string[][], x0: number, y0: number, x1: number, y1: number): void {
  const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0));
  for (let step = 0; step <= steps; step++) {
    const t = steps ? step / steps : 0;
    canvas[Math.round(y0 + (y1 - y0) * t)][Math.round(x0 + (x1 - x0) * t)] = '*';
  }
}

function box(canvas: string[][], x: number, y: number, name: string[]): void {
  const border = ['+', ...'-'.repeat(name.length + 2), '+'];
  const text = ['|', ' ', ...name, ' ', '|'];
  [border, text, border].forEach((row, dy) => row.forEach((char, dx) => (canvas[y + dy][x + dx] = char)));
}
