import { DvcError } from '../errors';
import { downstreamOf, type StageGraph } from './graph';
import type { PipelineFile } from '../parsing/pipeline-file';
import type { Stage } from '../stage/stage';

/**
 * The order `dvc repro` runs a set of stages in: networkx's `dfs_postorder_nodes` over the
 * induced subgraph, walking nodes in collection order and each stage's producers in the order of
 * its deps. Producers come before their consumers; independent stages keep file order.
 */
export function executionOrder(graph: StageGraph, selected: Iterable<Stage>): Stage[] {
  const inSubgraph = new Set(selected);
  const visited = new Set<Stage>();
  const order: Stage[] = [];
  const visit = (start: Stage) => {
    const stack: [Stage, Iterator<Stage>][] = [[start, producers(start)]];
    visited.add(start);
    while (stack.length) {
      const [stage, iterator] = stack[stack.length - 1];
      const next = iterator.next();
      if (next.done) {
        stack.pop();
        order.push(stage);
      } else if (!visited.has(next.value)) {
        visited.add(next.value);
        stack.push([next.value, producers(next.value)]);
      }
    }
  };
  const producers = (stage: Stage) => (graph.upstream.get(stage) ?? []).filter((p) => inSubgraph.has(p))[Symbol.iterator]();
  for (const stage of graph.stages) if (inSubgraph.has(stage) && !visited.has(stage)) visit(stage);
  return order;
}

/** A stage and everything it depends on, directly or not. */
export function withUpstream(graph: StageGraph, targets: Iterable<Stage>): Set<Stage> {
  return reachable(targets, (stage) => (stage.frozen ? [] : graph.upstream.get(stage) ?? []));
}

/** The targets and every stage reached from them by following `next`. */
function reachable(targets: Iterable<Stage>, next: (stage: Stage) => Stage[]): Set<Stage> {
  const found = new Set<Stage>();
  const pending = [...targets];
  while (pending.length) {
    const stage = pending.pop()!;
    if (found.has(stage)) continue;
    found.add(stage);
    pending.push(...next(stage));
  }
  return found;
}

/**
 * The stages `dvc repro <targets>` runs, in its order: each target with its upstream, with
 * `downstream` each target and everything that depends on it (without their other upstreams), with
 * `pipeline` every stage connected to a target.
 */
export function reproPlan(graph: StageGraph, targets: Stage[], options: { downstream?: boolean; pipeline?: boolean } = {}): Stage[] {
  if (options.pipeline) return executionOrder(graph, connectedTo(graph, targets));
  const selected = options.downstream ? new Set(targets.flatMap((t) => [t, ...downstreamOf(graph, t)])) : withUpstream(graph, targets);
  return executionOrder(graph, selected);
}

/** `dvc repro -p`: the whole pipelines (weakly connected components) the targets belong to. */
function connectedTo(graph: StageGraph, targets: Stage[]): Set<Stage> {
  const neighbours = new Map<Stage, Stage[]>();
  const link = (from: Stage, to: Stage) => (neighbours.get(from) ?? neighbours.set(from, []).get(from)!).push(to);
  for (const [dependent, producers] of graph.upstream) {
    for (const producer of producers) (link(dependent, producer), link(producer, dependent));
  }
  return reachable(targets, (stage) => neighbours.get(stage) ?? []);
}

/** `dvc repro <name>` inside one dvc.yaml: a stage name, or a foreach/matrix group name. */
export function stagesNamed(pipeline: PipelineFile, names: string[]): Stage[] {
  if (names.length === 0) return pipeline.stages;
  return names.flatMap((name) => {
    const found = pipeline.stages.filter((s) => s.name === name || pipeline.groups[s.name!] === name);
    if (found.length === 0) throw new DvcError(`'${pipeline.file}' does not have a stage named '${name}'`, pipeline.file);
    return found;
  });
}

/**
 * The stages of `plan` that depend, directly or not, on one of `sources`, in plan order (sources
 * excluded). Edges are DVC's active graph: a frozen stage is cut from its upstream. It is what Nx
 * skips after a failure, and what `--force-downstream` forces after a change.
 */
export function dependentsWithin(graph: StageGraph, plan: Stage[], sources: Iterable<Stage>): Stage[] {
  const dependents = activeDependents(graph);
  const starts = new Set(sources);
  const reached = reachable(starts, (stage) => dependents.get(stage) ?? []);
  return plan.filter((stage) => reached.has(stage) && !starts.has(stage));
}

/**
 * DVC's `--force-downstream` (`_reproduce` in `dvc/repo/reproduce.py`): a stage that runs, or is
 * forced, forces its direct dependents, so everything below a changed stage runs.
 */
export class DownstreamForce {
  private readonly forced = new Set<Stage>();
  private readonly dependents: Map<Stage, Stage[]>;

  constructor(graph: StageGraph, private readonly enabled: boolean) {
    this.dependents = activeDependents(graph);
  }

  isForced(stage: Stage): boolean {
    return this.forced.has(stage);
  }

  /** The stage ran (or would run): its dependents are forced. */
  ran(stage: Stage): void {
    if (this.enabled) for (const dependent of this.dependents.get(stage) ?? []) this.forced.add(dependent);
  }
}

/** producer -> the stages reading it; a frozen stage reads nothing (DVC's active graph). */
function activeDependents(graph: StageGraph): Map<Stage, Stage[]> {
  const dependents = new Map<Stage, Stage[]>();
  for (const [dependent, producers] of graph.upstream) {
    if (dependent.frozen) continue;
    for (const producer of producers) dependents.set(producer, [...(dependents.get(producer) ?? []), dependent]);
  }
  return dependents;
}
