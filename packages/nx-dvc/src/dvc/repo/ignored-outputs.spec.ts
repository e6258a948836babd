import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadPipelineFromDisk } from '../parsing/pipeline-file';
import { buildIndex } from './pipeline-index';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A repository with DVC's own folders, a `.hg`, two `.dvcignore` files and one existing folder. */
function repository(): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'nx-dvc-ignored-')));
  roots.push(root);
  for (const dir of ['.git', '.dvc', '.hg', 'sub/d', 'existing']) mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, '.dvcignore'), '# comment\n\ndata/\nsecret*\n!secret-ok\nlogs\nexisting/\n');
  writeFileSync(join(root, 'sub/.dvcignore'), 'local\n*.tmp\n');
  return root;
}

function writePipeline(root: string, file: string, outs: string, wdir?: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), `stages:\n  s:\n    cmd: echo hi\n${wdir ? `    wdir: ${wdir}\n` : ''}    outs: [${outs}]\n`);
}

/** [dvc.yaml, outs, wdir, DVC's message with `<root>` for the repository]; checked against DVC 3.64. */
const CASES: [string, string, string | undefined, string | undefined][] = [
  ['dvc.yaml', '.git', undefined, "Path '<root>/.git' is ignored by :.git"],
  ['dvc.yaml', '.git/hooks', undefined, "Path '<root>/.git/hooks' is ignored by :.git"],
  ['dvc.yaml', 'x/.git/y', undefined, "Path '<root>/x/.git/y' is ignored by :.git"],
  ['dvc.yaml', '.hg', undefined, "Path '<root>/.hg' is ignored by :.hg/"],
  ['dvc.yaml', '.hg/x', undefined, "Path '<root>/.hg/x' is ignored by :.hg/"],
  ['dvc.yaml', '.dvc/cache', undefined, "Path '<root>/.dvc/cache' is ignored by :.dvc/"],
  ['dvc.yaml', 'data/x', undefined, "Path '<root>/data/x' is ignored by .dvcignore:3:data/"],
  ['dvc.yaml', 'secret.txt', undefined, "Path '<root>/secret.txt' is ignored by .dvcignore:4:secret*"],
  ['dvc.yaml', 'logs/x', undefined, "Path '<root>/logs/x' is ignored by .dvcignore:6:logs"],
  ['dvc.yaml', 'existing', undefined, "Path '<root>/existing' is ignored by .dvcignore:7:existing/"],
  ['dvc.yaml', 'sub/d/a.tmp', undefined, "Path '<root>/sub/d/a.tmp' is ignored by sub/.dvcignore:2:*.tmp"],
  ['dvc.yaml', 'local', 'sub', "Path '<root>/sub/local' is ignored by sub/.dvcignore:1:local"],
  ['sub/dvc.yaml', 'd/../../.git', undefined, "Path '<root>/sub/d/../../.git' is ignored by :.git"],
  ['dvc.yaml', '"it\'s/.git"', undefined, `Path "<root>/it's/.git" is ignored by :.git`],
  // accepted by DVC: a dir-only rule on a missing path, a negated rule, a rule of another folder, what DVC does not ignore
  ['dvc.yaml', 'data', undefined, undefined],
  ['dvc.yaml', 'secret-ok', undefined, undefined],
  ['dvc.yaml', 'x/local', undefined, undefined],
  ['dvc.yaml', '.GIT', undefined, undefined],
  ['dvc.yaml', 'node_modules', undefined, undefined],
  ['dvc.yaml', '.nx', undefined, undefined],
];

function nxDvcMessage(root: string, file: string): string | undefined {
  try {
    loadPipelineFromDisk(root, file);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('outputs DVC ignores are refused when the pipeline loads', () => {
  test("each case with DVC's words, and the others accepted", () => {
    const root = repository();
    for (const [file, outs, wdir, expected] of CASES) {
      writePipeline(root, file, outs, wdir);
      assert.equal(nxDvcMessage(root, file), expected?.replace('<root>', root), `outs: [${outs}]`);
      rmSync(join(root, file));
    }
  });

  test('the index refuses them too, even when the loaded file comes from a cache', () => {
    const root = repository();
    writePipeline(root, 'dvc.yaml', 'result');
    const cached = loadPipelineFromDisk(root, 'dvc.yaml');
    writeFileSync(join(root, '.dvcignore'), 'result\n');
    const index = buildIndex(root, ['dvc.yaml'], [], (file) => ({ file, pipeline: cached }));
    assert.equal(index.pipelines[0]!.error?.message, `Path '${root}/result' is ignored by .dvcignore:1:result`);
    assert.equal(index.pipelines[0]!.error?.file, 'dvc.yaml');
  });

  // DVC's own loader in one Python process (a `dvc` command per case takes seconds)
  const python = process.env.NX_DVC_REAL_DVC && join(dirname(process.env.NX_DVC_REAL_DVC), 'python');
  test('real DVC says the same on every case', { skip: python ? false : 'real DVC not available' }, () => {
    const root = repository();
    rmSync(join(root, '.dvc'), { recursive: true });
    spawnSync('git', ['init', '-q'], { cwd: root });
    spawnSync(python!, ['-m', 'dvc', 'init', '-q'], { cwd: root });
    const script = `
import json, sys
from dvc.repo import Repo
out = []
for file, outs, wdir in json.load(sys.stdin):
    with open(file, "w") as f:
        f.write("stages:\\n  s:\\n    cmd: echo hi\\n" + (f"    wdir: {wdir}\\n" if wdir else "") + f"    outs: [{outs}]\\n")
    try:
        list(Repo(".").stage.collect(file))
        out.append(None)
    except Exception as e:
        out.append(str(e))
    import os; os.remove(file)
print(json.dumps(out))
`;
    const input = JSON.stringify(CASES.map(([file, outs, wdir]) => [file, outs, wdir ?? null]));
    const result = spawnSync(python!, ['-c', script], { cwd: root, input, encoding: 'utf8', env: { ...process.env, DVC_NO_ANALYTICS: '1' } });
    assert.equal(result.status, 0, result.stderr);
    const messages = JSON.parse(result.stdout) as (string | null)[];
    CASES.forEach(([, outs, , expected], i) => assert.equal(messages[i] ?? undefined, expected?.replace('<root>', root), `outs: [${outs}]`));
  });
});
