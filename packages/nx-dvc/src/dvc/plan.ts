import type { StageGraph } from './graph';
import type { Stage } from './stage';

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
  const found = new Set<Stage>();
  const pending = [...targets];
  while (pending.length) {
    const stage = pending.pop()!;
    if (found.has(stage)) continue;
    found.add(stage);
    if (!stage.frozen) pending.push(...(graph.upstream.get(stage) ?? []));
  }
  return found;
}
