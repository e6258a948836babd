import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fg from 'fast-glob';
import { load } from 'js-yaml';
import { YAMLValidationError } from '../src/dvc/errors';
import { loadPipelineFile, readPipelineSource } from '../src/dvc/parsing/pipeline-file';
import { buildIndex } from '../src/dvc/repo/pipeline-index';
import { diskHost } from '../src/dvc/parsing/resolver';
import { GOLDEN_DIR } from './corpus';

/**
 * The golden fixtures were produced by real DVC 3.64. Every stage that DVC ran has its resolved
 * command in dvc.lock: our templating must give the same command for each dvc.yaml of each case's
 * input. And the parse, resolve and graph errors of 19-errors must carry DVC's messages.
 */

const cases = [
  ...readdirSync(GOLDEN_DIR).filter((d) => /^\d\d-/.test(d) && d !== '19-errors'),
  ...readdirSync(join(GOLDEN_DIR, '19-errors')).map((d) => `19-errors/${d}`),
].sort();

/**
 * The lock files as they were after each `dvc repro` of steps.sh, in order. `after-repro-K/` is
 * left out when it equals the final state. The inputs are only edited after the first repro, so
 * the first snapshot holding a stage shows the command of the unedited input.
 */
function lockSnapshots(caseDir: string, lockPath: string): Record<string, { cmd: unknown }>[] {
  const steps = readFileSync(join(caseDir, 'steps.sh'), 'utf8');
  const repros = steps.split('\n').filter((line) => /^[^#]*\bdvc repro\b/.test(line)).length;
  const dirs = [...Array.from({ length: repros - 1 }, (_, k) => `after-repro-${k + 1}`), '.'];
  return dirs.flatMap((dir) => {
    const file = [join(caseDir, 'expected', dir, lockPath), join(caseDir, 'expected', lockPath)].find(existsSync);
    if (!file) return [];
    const lock = load(readFileSync(file, 'utf8')) as { stages?: Record<string, { cmd: unknown }> };
    return [lock.stages ?? {}];
  });
}

/** What DVC printed for the failing command of an error case, without `ERROR: `. */
function dvcError(caseDir: string): string {
  const text = readFileSync(join(caseDir, 'expected', 'error.txt'), 'utf8');
  const lines = text.split('\n');
  const body = lines.slice(1, lines.findIndex((l) => l.startsWith('### exit code')));
  return body.join('\n').replace(/^ERROR: /, '');
}

/** Python prints these stage lists from a set: sort the `\t- ` lines and the `in stages:` list. */
function setOrdered(message: string): string {
  const lines = message.split('\n');
  const listed = lines.filter((l) => l.startsWith('\t- ')).sort();
  let i = 0;
  return lines
    .map((l) => (l.startsWith('\t- ') ? listed[i++] : l))
    .join('\n')
    .replace(/(in stages: )(.*)\.$/, (_, prefix: string, list: string) => `${prefix}${list.split(', ').sort().join(', ')}.`);
}

const ERROR_CASES = new Set([
  '19-errors/01-cycle',
  '19-errors/02-duplicate-output',
  '19-errors/03-overlapping-output',
  '19-errors/04-dvcyaml-in-output',
  '19-errors/06-undefined-var',
  '19-errors/07-unknown-stage-key',
  '19-errors/10-list-in-cmd',
]);

describe('resolved commands equal the cmd DVC wrote to dvc.lock', () => {
  let compared = 0;
  for (const name of cases.filter((c) => !ERROR_CASES.has(c))) {
    const caseDir = join(GOLDEN_DIR, name);
    const root = join(caseDir, 'input');
    for (const file of fg.sync('**/dvc.yaml', { cwd: root }).sort()) {
      const lockPath = join(file, '..', 'dvc.lock');
      const snapshots = lockSnapshots(caseDir, lockPath);
      if (snapshots.length === 0) continue;
      test(`${name}: ${file}`, () => {
        const pipeline = loadPipelineFile(diskHost(root), file, readPipelineSource(root, file));
        const ours = new Map(pipeline.stages.map((s) => [s.name!, s.cmd]));
        const locked = new Set(snapshots.flatMap((s) => Object.keys(s)));
        for (const stage of locked) assert.ok(ours.has(stage), `DVC ran '${stage}', which we do not have`);
        for (const [stage, cmd] of ours) {
          const entry = snapshots.find((s) => stage in s)?.[stage];
          if (!entry) continue;
          assert.deepEqual(cmd, entry.cmd, `${name}: ${file}: ${stage}`);
          compared++;
        }
      });
    }
  }
  test('every golden case with a lock was compared', () => assert.equal(compared, 83));
});

describe('19-errors: our messages are DVC\'s', () => {
  const caseRoot = (name: string) => join(GOLDEN_DIR, '19-errors', name);
  const load19 = (name: string) => {
    const root = join(caseRoot(name), 'input');
    return () => loadPipelineFile(diskHost(root), 'dvc.yaml', readPipelineSource(root, 'dvc.yaml'));
  };
  const graphError = (name: string, files: string[]) => {
    const index = buildIndex(join(caseRoot(name), 'input'), files, []);
    assert.deepEqual(
      index.pipelines.map((p) => p.error?.message),
      files.map(() => undefined),
    );
    assert.ok(index.graphError, 'no graph error');
    return index.graphError;
  };

  test('01-cycle', () => {
    const error = graphError('01-cycle', ['dvc.yaml']);
    assert.equal(error.name, 'CyclicGraphError');
    assert.equal(setOrdered(error.message), setOrdered(dvcError(caseRoot('01-cycle'))));
  });

  test('02-duplicate-output', () => {
    const error = graphError('02-duplicate-output', ['dvc.yaml']);
    assert.equal(error.name, 'OutputDuplicationError');
    assert.equal(setOrdered(error.message), setOrdered(dvcError(caseRoot('02-duplicate-output'))));
  });

  test('03-overlapping-output', () => {
    const error = graphError('03-overlapping-output', ['dvc.yaml']);
    assert.equal(error.name, 'OverlappingOutputPathsError');
    assert.equal(error.message, dvcError(caseRoot('03-overlapping-output')));
  });

  test('04-dvcyaml-in-output', () => {
    const error = graphError('04-dvcyaml-in-output', ['producer/dvc.yaml', 'out/dvc.yaml']);
    assert.equal(error.name, 'StagePathAsOutputError');
    assert.equal(error.message, dvcError(caseRoot('04-dvcyaml-in-output')));
  });

  for (const name of ['06-undefined-var', '10-list-in-cmd']) {
    test(name, () => {
      assert.throws(load19(name), { name: 'ResolveError', message: dvcError(caseRoot(name)) });
    });
  }

  test('07-unknown-stage-key', () => {
    // DVC prints the message with a final '.', a blank line, each detail and a code excerpt.
    const [headline, blank, detail] = dvcError(caseRoot('07-unknown-stage-key')).split('\n');
    assert.throws(load19('07-unknown-stage-key'), (error: unknown) => {
      assert.ok(error instanceof YAMLValidationError);
      assert.equal(`${error.message.split('\n')[0]}.`, headline);
      assert.equal(blank, '');
      assert.deepEqual(error.details, [detail]);
      return true;
    });
  });
});
