import { pathParts } from '../dvc/paths';
import type { OutputTrie } from '../dvc/repo/graph';
import type { Stage } from '../dvc/stage/stage';

/** How a stage sees the DVC-cached outputs of its upstream stages when they travel by record. */
export interface RecordedDeps {
  /** Upstream stages with a DVC-cached output this stage reads: their outs records are its inputs. */
  producers: Stage[];
  /** Deps (and params files) at or inside such an output: hashed through the record, not from disk. */
  recorded: Set<string>;
  /** Dep folders holding such outputs: hashed from disk without them. */
  excluded: Map<string, string[]>;
}

/**
 * Which of a stage's deps are another stage's DVC-cached outputs. Those bytes may not be in the
 * workspace when Nx hashes the stage (a restored upstream gets them only once the run ends), so the
 * stage hashes the upstream's outs record instead: the same content hashes, without the data.
 */
export function recordedDepsOf(stage: Stage, paths: string[], trie: OutputTrie): RecordedDeps {
  const producers = new Set<Stage>();
  const recorded = new Set<string>();
  const excluded = new Map<string, string[]>();
  const travelsByRecord = ({ out, stage: owner }: { out: { cache: boolean }; stage: Stage }) => out.cache && owner.name !== undefined && owner !== stage;
  for (const path of paths) {
    const parts = pathParts(path);
    const above = trie.prefixes(parts).filter(travelsByRecord);
    if (above.length) {
      recorded.add(path);
      above.forEach((o) => producers.add(o.stage));
      continue;
    }
    const inside = trie.below(parts).filter(travelsByRecord);
    if (inside.length) {
      excluded.set(path, inside.map((o) => o.out.repoPath));
      inside.forEach((o) => producers.add(o.stage));
    }
  }
  return { producers: [...producers], recorded, excluded };
}
