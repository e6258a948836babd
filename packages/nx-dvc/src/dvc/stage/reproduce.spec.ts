import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { DvcCache } from '../cache/dvc-cache';
import { WorkspaceHasher } from '../hashing/workspace-hasher';
import { HashState } from '../hashing/state';
import { loadPipelineFromDisk } from '../parsing/pipeline-file';
import { loadSingleStageFile } from '../parsing/single-stage-file';
import { reproduceStage, type ReproduceContext, type ReproduceOptions, type Reproduction } from './reproduce';
import { dvcOk, skipWithoutDvc } from '../../testing/real-dvc';
import { UnsafeRemovalError } from './remove-output';
import { CommandFailedError } from './runner';
import type { Stage } from './stage';
import { stageChanges } from './status';
import { LocalStorage } from '../remote/local-storage';
import { pull, push } from '../remote/transfer';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const PIPELINE = `stages:
  copy:
    cmd: cp data.txt out.txt && echo ran >> side-effect.log
    deps:
    - data.txt
    outs:
    - out.txt
`;

function workspace(dvcYaml = PIPELINE, files: Record<string, string> = { 'data.txt': 'hello\n' }): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-reproduce-'));
  roots.push(root);
  mkdirSync(join(root, '.dvc'));
  writeFileSync(join(root, 'dvc.yaml'), dvcYaml);
  for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
  return root;
}

interface Run extends Reproduction {
  lines: string[];
  warnings: string[];
}

/** Reproduces the stage with a fresh hasher; `recorded` is the dvc.lock entry of an earlier run. */
async function reproduce(
  root: string,
  recorded?: Record<string, unknown>,
  options: ReproduceOptions = {},
  name = 'copy',
  tamper: (stage: Stage) => Stage = (stage) => stage,
  extra: Partial<ReproduceContext> = {},
): Promise<Run> {
  const stage = tamper(loadPipelineFromDisk(root, 'dvc.yaml').stages.find((s) => s.name === name)!);
  const lines: string[] = [];
  const warnings: string[] = [];
  const context: ReproduceContext = {
    root,
    hasher: new WorkspaceHasher(root),
    cache: DvcCache.forWorkspace(root),
    log: { info: (line) => lines.push(line), warn: (line) => warnings.push(line) },
    recorded,
    lockFile: 'dvc.lock',
    createsLockFile: () => recorded === undefined,
    commandOutput: { stdout: () => undefined, stderr: () => undefined },
    ...extra,
  };
  return { ...(await reproduceStage(stage, context, options)), lines, warnings };
}

const runs = (root: string) => (existsSync(join(root, 'side-effect.log')) ? readFileSync(join(root, 'side-effect.log'), 'utf8').split('\n').filter(Boolean).length : 0);

describe("DVC's reproduce of one stage", () => {
  test('a stage with no lock entry runs, and returns its entry and cached outputs', async () => {
    const root = workspace();
    const run = await reproduce(root);
    assert.equal(run.outcome, 'ran');
    assert.equal(runs(root), 1);
    assert.deepEqual(run.lines.slice(0, 2), ["Running stage 'copy':", '> cp data.txt out.txt && echo ran >> side-effect.log']);
    assert.deepEqual(run.lines.slice(-2), ["Generating lock file 'dvc.lock'", "Updating lock file 'dvc.lock'"]);
    assert.equal((run.entry!.outs as { md5: string }[])[0]!.md5, 'b1946ac92492d2347c6235b4d2611184');
    assert.deepEqual(run.cached, [{ path: 'out.txt', md5: 'b1946ac92492d2347c6235b4d2611184' }]);
    assert.ok(DvcCache.forWorkspace(root)!.has('b1946ac92492d2347c6235b4d2611184'), 'committed to DVC cache');
  });

  test('an unchanged stage is skipped: no command, the same entry', async () => {
    const root = workspace();
    const first = await reproduce(root);
    const second = await reproduce(root, first.entry);
    assert.equal(second.outcome, 'skipped');
    assert.deepEqual(second.lines, ["Stage 'copy' didn't change, skipping"]);
    assert.deepEqual(second.entry, first.entry);
    assert.equal(runs(root), 1);
  });

  test('a skipped stage leaves its outputs untouched, as DVC does, and puts only what DVC cache lacks in it', async () => {
    const root = workspace();
    const first = await reproduce(root);
    const before = statSync(join(root, 'out.txt'));
    const object = DvcCache.forWorkspace(root)!.objectPath('b1946ac92492d2347c6235b4d2611184');
    rmSync(object, { force: true });
    assert.equal((await reproduce(root, first.entry)).outcome, 'skipped');
    const after = statSync(join(root, 'out.txt'));
    assert.deepEqual([after.ino, after.mtimeMs, after.mode], [before.ino, before.mtimeMs, before.mode], 'not relinked: the same file');
    assert.equal(readFileSync(object, 'utf8'), 'hello\n', 'the object is back in DVC cache');
  });

  test('a changed dep runs the stage again and reports the lock update only', async () => {
    const root = workspace();
    const first = await reproduce(root);
    writeFileSync(join(root, 'data.txt'), 'changed\n');
    const second = await reproduce(root, first.entry);
    assert.equal(second.outcome, 'ran');
    assert.equal(runs(root), 2);
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), 'changed\n');
    assert.deepEqual(second.lines.slice(-1), ["Updating lock file 'dvc.lock'"]);
  });

  test("a cmd line YAML read as a mapping is refused before the outputs are touched (DVC deletes them, then fails on a dict)", async () => {
    const pipeline = `stages:\n  copy:\n    cmd:\n    - echo '{"loss": 0.25}' > out.txt\n    outs:\n    - out.txt\n`;
    const root = workspace(pipeline, { 'out.txt': 'keep me\n' });
    await assert.rejects(reproduce(root), (error: Error) => {
      assert.equal(error.name, 'DvcError');
      assert.match(error.message, /item 1 of 'cmd' is a mapping, not a command line: YAML reads an unquoted line holding ': ' as a mapping; quote the whole line/);
      return true;
    });
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), 'keep me\n');
  });

  test('only the output missing: checked out from DVC cache, no command', async () => {
    const root = workspace();
    const first = await reproduce(root);
    rmSync(join(root, 'out.txt'));
    const state = HashState.inMemory();
    const second = await reproduce(root, first.entry, {}, 'copy', undefined, { hasher: new WorkspaceHasher(root, state) });
    assert.equal(second.outcome, 'checked-out');
    assert.equal(runs(root), 1);
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), 'hello\n');
    assert.equal(second.lines[0], "Stage 'copy' is cached - skipping run, checking out outputs");
    const out = join(root, 'out.txt');
    assert.equal(state.get(out, statSync(out, { bigint: true })), 'b1946ac92492d2347c6235b4d2611184', 'the next command does not read it again');
  });

  test("a modified folder output is removed whole, ignored files too, before it is checked out, as dvc repro does", { skip: skipWithoutDvc }, async () => {
    const pipeline = "stages:\n  copy:\n    cmd: mkdir -p out && cp data.txt out/a.txt\n    deps:\n    - data.txt\n    outs:\n    - out\n";
    const files = { 'data.txt': 'hello\n', '.dvcignore': 'out/*.log\n' };
    const disturb = (root: string) => ['out/notes.log', 'out/extra.txt'].forEach((path) => writeFileSync(join(root, path), 'user bytes\n'));
    const theirs = workspace(pipeline, files);
    rmSync(join(theirs, '.dvc'), { recursive: true });
    dvcOk(theirs, ['init', '--no-scm', '-q']);
    dvcOk(theirs, ['repro', '-q']);
    disturb(theirs);
    assert.match(dvcOk(theirs, ['repro']).stdout, /Stage 'copy' is cached - skipping run, checking out outputs/);
    const ours = workspace(pipeline, files);
    const first = await reproduce(ours);
    disturb(ours);
    assert.equal((await reproduce(ours, first.entry)).outcome, 'checked-out');
    assert.deepEqual(readdirSync(join(ours, 'out')), ['a.txt']);
    assert.deepEqual(readdirSync(join(ours, 'out')), readdirSync(join(theirs, 'out')));
  });

  test('force runs an unchanged stage', async () => {
    const root = workspace();
    const first = await reproduce(root);
    const second = await reproduce(root, first.entry, { force: true });
    assert.equal(second.outcome, 'ran');
    assert.equal(runs(root), 2);
  });

  test('dry: says what would run and changes nothing', async () => {
    const root = workspace();
    const dry = await reproduce(root, undefined, { dry: true });
    assert.equal(dry.outcome, 'would-run');
    assert.equal(dry.entry, undefined);
    assert.deepEqual(dry.lines, ["Running stage 'copy':", '> cp data.txt out.txt && echo ran >> side-effect.log']);
    assert.equal(runs(root), 0);
    assert.equal(existsSync(join(root, 'out.txt')), false);
    const first = await reproduce(root);
    rmSync(join(root, 'out.txt'));
    const dryAgain = await reproduce(root, first.entry, { dry: true });
    assert.equal(dryAgain.outcome, 'would-run');
    assert.equal(existsSync(join(root, 'out.txt')), false, 'a dry run checks nothing out');
  });

  test('frozen: warns, never runs, verifies the outputs exist', async () => {
    const frozen = PIPELINE.replace('    cmd:', '    frozen: true\n    cmd:');
    const root = workspace(frozen, { 'data.txt': 'hello\n', 'out.txt': 'made by hand\n' });
    const run = await reproduce(root);
    assert.equal(run.outcome, 'verified');
    assert.equal(runs(root), 0);
    assert.match(run.warnings[0]!, /stage: 'copy' is frozen/);
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), 'made by hand\n', 'a frozen stage keeps its outputs');
    rmSync(join(root, 'out.txt'));
    await assert.rejects(reproduce(root), /missing data 'source': out.txt/);
  });

  test('a failing command rejects with the line and code, and leaves no entry behind', async () => {
    const root = workspace(PIPELINE.replace('cp data.txt out.txt', 'exit 3'));
    await assert.rejects(reproduce(root), (error: unknown) => error instanceof CommandFailedError && error.code === 3);
  });

  test('a command that does not write its output fails as DVC does', async () => {
    const root = workspace(PIPELINE.replace('cp data.txt out.txt && ', ''));
    await assert.rejects(reproduce(root), /output 'out.txt' does not exist/);
  });

  test('dry, a .dvc data source: "didn\'t change" in its own words when its data matches, silent when not', async () => {
    const root = workspace(PIPELINE, { 'data.txt': 'hello\n' });
    const pointer = 'outs:\n- md5: b1946ac92492d2347c6235b4d2611184\n  size: 6\n  hash: md5\n  path: data.txt\n';
    const source = loadSingleStageFile('data.txt.dvc', pointer);
    const lines: string[] = [];
    const context = (): ReproduceContext => ({
      root,
      hasher: new WorkspaceHasher(root),
      log: { info: (line) => lines.push(line), warn: (line) => lines.push(line) },
      recorded: { outs: [{ md5: 'b1946ac92492d2347c6235b4d2611184', size: 6, hash: 'md5', path: 'data.txt' }] },
      lockFile: 'dvc.lock',
      createsLockFile: () => false,
    });
    assert.equal((await reproduceStage(source, context(), { dry: true })).outcome, 'skipped');
    assert.deepEqual(lines.splice(0), ["'data.txt.dvc' didn't change, skipping"]);
    writeFileSync(join(root, 'data.txt'), 'new data\n');
    assert.equal((await reproduceStage(source, context(), { dry: true })).outcome, 'would-run');
    assert.deepEqual(lines, [], 'DVC would only verify it, which --dry does not print');
  });

  test('dry, a changed frozen stage: the warning only, no command (DVC would verify its outputs)', async () => {
    const root = workspace(PIPELINE.replace('    cmd:', '    frozen: true\n    cmd:'));
    const dry = await reproduce(root, undefined, { dry: true });
    assert.equal(dry.outcome, 'would-run');
    assert.deepEqual(dry.lines, []);
    assert.match(dry.warnings[0]!, /stage: 'copy' is frozen/);
  });
});

describe('an output git already tracks', () => {
  const git = (root: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: root, stdio: 'pipe' });

  test('the command runs, then the stage fails with DVC\'s OutputAlreadyTrackedError text and no entry', async () => {
    const root = workspace(PIPELINE, { 'data.txt': 'hello\n', 'out.txt': 'committed\n' });
    git(root, 'init', '-q');
    git(root, 'add', 'out.txt');
    git(root, 'commit', '-qm', 'out.txt in git');
    await assert.rejects(reproduce(root), {
      name: 'OutputAlreadyTrackedError',
      message:
        " output 'out.txt' is already tracked by SCM (e.g. Git).\n    You can remove it from Git, then add to DVC.\n" +
        "        To stop tracking from Git:\n            git rm -r --cached 'out.txt'\n            git commit -m \"stop tracking out.txt\" ",
    });
    assert.equal(runs(root), 1, 'DVC runs the command first');
  });

  test('an uncached output (metrics) may be tracked', async () => {
    const root = workspace(PIPELINE.replace('    - out.txt', '    - out.txt:\n        cache: false'), { 'data.txt': 'hello\n', 'out.txt': 'committed\n' });
    git(root, 'init', '-q');
    git(root, 'add', 'out.txt');
    assert.equal((await reproduce(root)).outcome, 'ran');
  });
});

describe('hostile outputs on every path that removes before a run', () => {
  /** A folder outside the workspace that must survive, and the same pipeline pointing at it through a link. */
  function hostile(): { root: string; outside: string } {
    const root = workspace();
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, '.git/HEAD'), 'ref: refs/heads/main\n');
    const outside = mkdtempSync(join(tmpdir(), 'nx-dvc-outside-'));
    roots.push(outside);
    writeFileSync(join(outside, 'out.txt'), 'precious\n');
    symlinkSync(outside, join(root, 'link'));
    return { root, outside };
  }
  const survived = ({ root, outside }: { root: string; outside: string }) => {
    assert.equal(readFileSync(join(outside, 'out.txt'), 'utf8'), 'precious\n');
    assert.equal(readFileSync(join(root, '.git/HEAD'), 'utf8'), 'ref: refs/heads/main\n');
    assert.equal(runs(root), 0, 'the command never ran');
  };
  const withOut = (repoPath: string) => (stage: Stage): Stage => ({ ...stage, outs: stage.outs.map((o) => ({ ...o, repoPath })) });

  test('templated paths that land on .git, the root or outside are refused when the file loads', () => {
    for (const [out, message] of [
      ['${dir}/../.git', /Path '.*\/sub\/\.\.\/\.git' is ignored by :\.git/],
      ['${dir}/..', /is the workspace root itself/],
      ['${dir}/../../x', /Saving cached external output sub\/\.\.\/\.\.\/x is not supported since DVC 3\.0/],
      ['/tmp/x', /Saving cached external output \/tmp\/x is not supported/],
    ] as const) {
      const w = hostile();
      writeFileSync(join(w.root, 'dvc.yaml'), PIPELINE.replace('    - out.txt', `    - ${out}`).replace('stages:', 'vars:\n  - dir: sub\nstages:'));
      assert.throws(() => loadPipelineFromDisk(w.root, 'dvc.yaml'), message, out);
      survived(w);
    }
  });

  test('a run (no lock entry, changed, forced) refuses an output behind a symlinked folder or on .git', async () => {
    for (const repoPath of ['link/out.txt', '.git', 'link/../.git']) {
      const w = hostile();
      await assert.rejects(reproduce(w.root, undefined, {}, 'copy', withOut(repoPath)), UnsafeRemovalError, repoPath);
      await assert.rejects(reproduce(w.root, undefined, { force: true }, 'copy', withOut(repoPath)), UnsafeRemovalError, repoPath);
      survived(w);
    }
  });

  test("the checkout from DVC's cache refuses them too", async () => {
    const w = hostile();
    const first = await reproduce(w.root);
    rmSync(join(w.root, 'side-effect.log'));
    rmSync(join(w.root, 'out.txt'));
    const recorded = { ...first.entry!, outs: [{ ...(first.entry!.outs as object[])[0], path: 'link/out.txt' }] };
    await assert.rejects(reproduce(w.root, recorded, {}, 'copy', withOut('link/out.txt')), UnsafeRemovalError);
    survived(w);
  });
});

describe("deps outside the workspace (DVC's external dependencies)", () => {
  /** A workspace and, beside it, a file and a folder no stage owns; the stage reads them absolute and `../`. */
  function outsideWorkspace(): { root: string; outside: string } {
    const parent = mkdtempSync(join(tmpdir(), 'nx-dvc-outside-deps-'));
    roots.push(parent);
    const outside = join(parent, 'shared');
    mkdirSync(join(outside, 'images/sub'), { recursive: true });
    writeFileSync(join(outside, 'labels.txt'), 'hello\n');
    writeFileSync(join(outside, 'images/a'), 'a\n');
    writeFileSync(join(outside, 'images/sub/b'), 'b\n');
    const root = join(parent, 'ws');
    mkdirSync(join(root, '.dvc'), { recursive: true });
    const yaml = PIPELINE.replace('    - data.txt', `    - ${outside}/labels.txt\n    - ../shared/images/`).replace('cp data.txt', `cp ${outside}/labels.txt`);
    writeFileSync(join(root, 'dvc.yaml'), yaml);
    return { root, outside };
  }

  test('they are hashed where they are and recorded as written, sorted as DVC sorts paths', async () => {
    const { root, outside } = outsideWorkspace();
    const run = await reproduce(root);
    assert.equal(run.outcome, 'ran');
    assert.deepEqual(run.entry!.deps, [
      { path: '../shared/images/', hash: 'md5', md5: '8b3662b0d460701f7734cdf533c5aa85.dir', size: 4, nfiles: 2 },
      { path: `${outside}/labels.txt`, hash: 'md5', md5: 'b1946ac92492d2347c6235b4d2611184', size: 6 },
    ]);
  });

  test('unchanged they skip the stage; a changed file or a new file in the folder runs it; a missing one fails it', async () => {
    const { root, outside } = outsideWorkspace();
    const first = await reproduce(root);
    assert.equal((await reproduce(root, first.entry)).outcome, 'skipped');
    writeFileSync(join(outside, 'images/c'), 'c\n');
    const second = await reproduce(root, first.entry);
    assert.equal(second.outcome, 'ran');
    writeFileSync(join(outside, 'labels.txt'), 'changed\n');
    assert.equal((await reproduce(root, second.entry)).outcome, 'ran');
    assert.equal(runs(root), 3);
    rmSync(join(outside, 'labels.txt'));
    await assert.rejects(reproduce(root, second.entry));
  });

  test('dvc status names them as DVC does: absolute as written, `../` resolved', async () => {
    const { root, outside } = outsideWorkspace();
    const first = await reproduce(root);
    writeFileSync(join(outside, 'labels.txt'), 'changed\n');
    writeFileSync(join(outside, 'images/a'), 'changed\n');
    const stage = loadPipelineFromDisk(root, 'dvc.yaml').stages[0]!;
    const changes = await stageChanges(stage, first.entry, new WorkspaceHasher(root));
    assert.deepEqual(
      changes.map((c) => (c.kind === 'dep' ? [c.repoPath, c.status] : c.kind)),
      [
        [`${outside}/labels.txt`, 'modified'],
        [join(outside, 'images'), 'modified'],
      ],
    );
  });
});

describe('--allow-missing and --pull (DVC 3.64 Stage.reproduce)', () => {
  const OUT_MD5 = 'b1946ac92492d2347c6235b4d2611184';

  /** A first run pushed to a local remote, then a "fresh clone": data, output and DVC's cache gone. */
  async function clonedWithoutData(): Promise<{ root: string; entry: Record<string, unknown>; remote: LocalStorage }> {
    const root = workspace();
    const first = await reproduce(root);
    const remoteDir = mkdtempSync(join(tmpdir(), 'nx-dvc-remote-'));
    roots.push(remoteDir);
    const remote = new LocalStorage(remoteDir, 'remote');
    await push(DvcCache.forWorkspace(root)!, remote, [OUT_MD5]);
    rmSync(join(root, '.dvc', 'cache'), { recursive: true, force: true });
    rmSync(join(root, 'out.txt'));
    rmSync(join(root, 'data.txt'));
    return { root, entry: first.entry!, remote };
  }

  test('--allow-missing skips a stage whose deps and outputs are only missing, fetching nothing, and records its outputs', async () => {
    const { root, entry } = await clonedWithoutData();
    let prepared = false;
    const run = await reproduce(root, entry, { allowMissing: true }, 'copy', undefined, { beforeRun: async () => void (prepared = true) });
    assert.equal(run.outcome, 'skipped');
    assert.deepEqual(run.lines, ["Stage 'copy' didn't change, skipping"]);
    assert.deepEqual(run.entry, entry);
    assert.deepEqual(run.cached, [{ path: 'out.txt', md5: OUT_MD5 }], 'an Nx hit on this record checks the output out');
    assert.equal(prepared, false, 'no data is made present for a skipped stage');
    assert.equal(runs(root), 1);
    const without = reproduce(root, entry);
    await assert.rejects(without, /data.txt/, 'without the flag the stage runs and misses its dep');
  });

  test('--allow-missing still runs a stage with another change, after making its deps present', async () => {
    const { root, entry } = await clonedWithoutData();
    const run = await reproduce(root, { ...entry, cmd: 'other' }, { allowMissing: true }, 'copy', undefined, {
      beforeRun: async () => writeFileSync(join(root, 'data.txt'), 'hello\n'),
    });
    assert.equal(run.outcome, 'ran');
    assert.equal(runs(root), 2);
  });

  test('--pull: a stage whose only change is missing data gets its outputs from the DVC remote and does not run', async () => {
    const { root, entry, remote } = await clonedWithoutData();
    const fetch = async (md5s: string[]) => void (await pull(DvcCache.forWorkspace(root)!, remote, md5s));
    const run = await reproduce(root, entry, { pull: true }, 'copy', undefined, { fetch });
    assert.equal(run.outcome, 'pulled');
    assert.deepEqual(run.lines, ["Pulling data for stage: 'copy'"]);
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), 'hello\n');
    assert.deepEqual(run.entry, entry);
    assert.equal(runs(root), 1);
  });

  test('--pull with the data nowhere: DVC\'s "Unable to pull data", then the stage runs', async () => {
    const { root, entry } = await clonedWithoutData();
    writeFileSync(join(root, 'data.txt'), 'hello\n');
    const run = await reproduce(root, entry, { pull: true }, 'copy', undefined, { fetch: async () => undefined });
    assert.deepEqual(run.lines.slice(0, 3), ["Pulling data for stage: 'copy'", "Unable to pull data for stage: 'copy'", "Running stage 'copy':"]);
    assert.equal(run.outcome, 'ran');
  });

  test('--pull restores from the lock entry with objects fetched from the remote when only outputs are modified', async () => {
    const { root, entry, remote } = await clonedWithoutData();
    writeFileSync(join(root, 'data.txt'), 'hello\n');
    writeFileSync(join(root, 'out.txt'), 'edited by hand\n');
    const fetch = async (md5s: string[]) => void (await pull(DvcCache.forWorkspace(root)!, remote, md5s));
    const run = await reproduce(root, entry, { pull: true }, 'copy', undefined, { fetch });
    assert.equal(run.outcome, 'checked-out');
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), 'hello\n');
    assert.equal(runs(root), 1);
  });
});
