import {
  CyclicGraphError,
  OutputDuplicationError,
  OverlappingOutputPathsError,
  StagePathAsOutputError,
} from '../errors';
import { pathParts } from '../paths';
import type { Output, Stage } from '../stage/stage';
import { pyStrRepr } from '../formats/python/value';

interface OwnedOutput {
  out: Output;
  stage: Stage;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  value?: OwnedOutput;
}

/** Outputs keyed by path components, so `data2` never matches `data` (DVC's outs trie). */
export class OutputTrie {
  private readonly root: TrieNode = { children: new Map() };

  private node(parts: string[], create: boolean): TrieNode | undefined {
    let node: TrieNode | undefined = this.root;
    for (const part of parts) {
      let next: TrieNode | undefined = node.children.get(part);
      if (!next) {
        if (!create) return undefined;
        next = { children: new Map() };
        node.children.set(part, next);
      }
      node = next;
    }
    return node;
  }

  get(parts: string[]): OwnedOutput | undefined {
    return this.node(parts, false)?.value;
  }

  set(parts: string[], value: OwnedOutput): void {
    this.node(parts, true)!.value = value;
  }

  /** Outputs that are `parts` or one of its parent directories, shortest first. */
  prefixes(parts: string[]): OwnedOutput[] {
    const found: OwnedOutput[] = [];
    let node: TrieNode | undefined = this.root;
    if (node.value) found.push(node.value);
    for (const part of parts) {
      node = node.children.get(part);
      if (!node) break;
      if (node.value) found.push(node.value);
    }
    return found;
  }

  /** Outputs strictly inside `parts`, depth first. */
  below(parts: string[]): OwnedOutput[] {
    const start = this.node(parts, false);
    if (!start) return [];
    const found: OwnedOutput[] = [];
    const walk = (node: TrieNode) => {
      for (const child of node.children.values()) {
        if (child.value) found.push(child.value);
        walk(child);
      }
    };
    walk(start);
    return found;
  }
}

/** DVC's `build_outs_trie`: refuses duplicate and overlapping outputs, first problem first. */
export function buildOutputTrie(stages: Stage[]): OutputTrie {
  const trie = new OutputTrie();
  for (const stage of stages) {
    for (const out of stage.outs) {
      const parts = pathParts(out.repoPath);
      const existing = trie.get(parts);
      if (existing) throw duplicateOutput(out.repoPath, stage, existing.stage);
      const inside = trie.below(parts)[0];
      const parent = inside ? { out, stage } : trie.prefixes(parts)[0];
      const child = inside ?? { out, stage };
      if (parent && parent !== child) {
        throw new OverlappingOutputPathsError(
          `The output paths:\n'${parent.out.repoPath}'('${parent.stage.addressing}')\n` +
            `'${child.out.repoPath}'('${child.stage.addressing}')\n` +
            'overlap and are thus in the same tracked directory.\n' +
            'To keep reproducibility, outputs should be in separate tracked directories or tracked individually.',
          involved(stage, parent.stage, child.stage),
        );
      }
      trie.set(parts, { out, stage });
    }
  }
  return trie;
}

function duplicateOutput(path: string, stage: Stage, other: Stage): OutputDuplicationError {
  if (stage === other) {
    return new OutputDuplicationError(
      `output '${path}' is already specified in stage: '${stage.addressing}'.\n` +
        `Use \`dvc remove ${stage.addressing}\` to stop tracking the overlapping output.`,
      involved(stage),
    );
  }
  return new OutputDuplicationError(
    `output '${path}' is specified in:\n\t- ${stage.addressing}\n\t- ${other.addressing}\n` +
      'Use `dvc remove` with any of the above targets to stop tracking the overlapping output.',
    involved(stage, other),
  );
}

/** The files of the stages a graph error names, first the one DVC reports it in. */
function involved(...stages: Stage[]): string[] {
  return [...new Set(stages.map((s) => s.file))];
}

export interface StageGraph {
  /** Nodes in collection order. */
  stages: Stage[];
  /** dependent -> the stages producing what it reads, in the order of its deps. */
  upstream: Map<Stage, Stage[]>;
  trie: OutputTrie;
}

/** DVC's `build_graph`: validations, then edges from each dep to the outputs it overlaps. */
export function buildGraph(stages: Stage[]): StageGraph {
  const trie = buildOutputTrie(stages);
  for (const stage of stages) {
    const covering = trie.prefixes(pathParts(stage.file))[0];
    if (covering) {
      throw new StagePathAsOutputError(
        `stage: '${stage.addressing}' is within an output ${pyStrRepr(covering.out.repoPath)} of another stage`,
        involved(stage, covering.stage),
      );
    }
  }
  const upstream = new Map<Stage, Stage[]>();
  for (const stage of stages) upstream.set(stage, stage.isImport ? [] : producersOf(stage, trie));
  checkAcyclic(stages, upstream);
  return { stages, upstream, trie };
}

function producersOf(stage: Stage, trie: OutputTrie): Stage[] {
  const producers = new Set<Stage>();
  const paths = [...stage.deps.map((d) => d.repoPath), ...stage.params.map((p) => p.repoPath)];
  for (const path of paths) {
    if (path === undefined) continue;
    const parts = pathParts(path);
    for (const { stage: producer } of [...trie.prefixes(parts), ...trie.below(parts)]) producers.add(producer);
  }
  return [...producers];
}

/** Finds the first cycle in node order, as networkx's `find_cycle` does. */
function checkAcyclic(stages: Stage[], upstream: Map<Stage, Stage[]>): void {
  const state = new Map<Stage, 'open' | 'done'>();
  for (const start of stages) {
    if (state.has(start)) continue;
    const path: Stage[] = [];
    const iterators: Iterator<Stage>[] = [];
    const enter = (stage: Stage) => {
      state.set(stage, 'open');
      path.push(stage);
      iterators.push(upstream.get(stage)![Symbol.iterator]());
    };
    enter(start);
    while (iterators.length) {
      const next = iterators[iterators.length - 1].next();
      if (next.done) {
        state.set(path.pop()!, 'done');
        iterators.pop();
        continue;
      }
      const target = next.value;
      if (state.get(target) === 'open') {
        const cycle = path.slice(path.indexOf(target));
        const noun = cycle.length === 1 ? 'stage' : 'stages';
        throw new CyclicGraphError(
          `Same item(s) are defined as both a dependency and an output in ${noun}: ${cycle.map((s) => s.addressing).join(', ')}.`,
          involved(...cycle),
        );
      }
      if (!state.has(target)) enter(target);
    }
  }
}

/** Every stage that depends, directly or not, on `stage`. */
export function downstreamOf(graph: StageGraph, stage: Stage): Stage[] {
  const dependents = new Map<Stage, Stage[]>();
  for (const [dependent, producers] of graph.upstream) {
    for (const producer of producers) dependents.set(producer, [...(dependents.get(producer) ?? []), dependent]);
  }
  const seen = new Set<Stage>();
  const visit = (s: Stage) => {
    for (const d of dependents.get(s) ?? []) if (!seen.has(d)) (seen.add(d), visit(d));
  };
  visit(stage);
  return [...seen];
}
