import { DvcError } from '../errors';
import { pyStrRepr } from '../formats/python/value';
import type { Stage } from '../stage/stage';
import { IgnoreCheck } from './check-ignore';

/** DVC's `OutputIsIgnoredError`: an output that DVC ignores (`.git`, `.dvcignore`d paths) cannot be tracked. */
export class OutputIsIgnoredError extends DvcError {
  override name = 'OutputIsIgnoredError';
}

/**
 * Refuses, as DVC does when it loads a stage (`Output._validate_output_path`), every output that
 * its ignore rules cover: DVC's built-in `.git`, `.hg`, `.dvc` and what `.dvcignore` files say.
 * Run on every load, never cached: the rules and whether a path is a directory live on disk.
 */
export function refuseIgnoredOutputs(root: string, stages: Stage[], check = new IgnoreCheck(root)): void {
  for (const stage of stages) {
    for (const out of stage.outs) {
      const rule = check.ignoringRule(out.repoPath);
      if (rule === undefined) continue;
      const wdir = stage.wdir === '.' ? root : `${root}/${stage.wdir}`;
      throw new OutputIsIgnoredError(`Path ${pyStrRepr(`${wdir}/${out.path}`)} is ignored by ${rule}`, stage.file);
    }
  }
}
