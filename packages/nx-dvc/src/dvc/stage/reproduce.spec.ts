import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DvcCache } from '../cache/dvc-cache';
import { WorkspaceHasher } from '../hashing/workspace-hasher';
import { loadPipelineFromDisk } from '../parsing/pipeline-file';
import { reproduceStage, type ReproduceContext, type ReproduceOptions, type Reproduction } from './reproduce';
import { CommandFailedError } from './runner';

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
async function reproduce(root: string, recorded?: Record<string, unknown>, options: ReproduceOptions = {}, name = 'copy'): Promise<Run> {
  const stage = loadPipelineFromDisk(root, 'dvc.yaml').stages.find((s) => s.name === name)!;
  const lines: string[] = [];
  const warnings: string[] = [];
  const context: ReproduceContext = {
    root,
    hasher: new WorkspaceHasher(root),
    cache: DvcCache.forWorkspace(root),
    log: { info: (line) => lines.push(line), warn: (line) => warnings.push(line) },
    recorded,
    lockFile: 'dvc.lock',
    lockExists: recorded !== undefined,
    commandOutput: { stdout: () => undefined, stderr: () => undefined },
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

  test('only the output missing: checked out from DVC cache, no command', async () => {
    const root = workspace();
    const first = await reproduce(root);
    rmSync(join(root, 'out.txt'));
    const second = await reproduce(root, first.entry);
    assert.equal(second.outcome, 'checked-out');
    assert.equal(runs(root), 1);
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), 'hello\n');
    assert.equal(second.lines[0], "Stage 'copy' is cached - skipping run, checking out outputs");
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
});
