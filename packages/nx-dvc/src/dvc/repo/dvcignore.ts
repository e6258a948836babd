import ignore, { type Ignore } from 'ignore';
import { dirName } from '../paths';

/**
 * DVC's `.dvcignore`: gitignore syntax, each file applying to its own directory tree. DVC skips
 * ignored paths when it collects dvc.yaml and `.dvc` files.
 */
export class DvcIgnore {
  private readonly rules: { dir: string; matcher: Ignore }[];

  constructor(files: { path: string; text: string }[]) {
    this.rules = files.map(({ path, text }) => ({ dir: dirName(path), matcher: ignore().add(text) }));
  }

  ignores(path: string): boolean {
    return this.rules.some(({ dir, matcher }) => {
      if (dir && !path.startsWith(`${dir}/`)) return false;
      return matcher.ignores(dir ? path.slice(dir.length + 1) : path);
    });
  }
}
