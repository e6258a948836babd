import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { dumpLockYaml } from '../dvc/formats/yaml/ruamel-emitter';
import { PyFloat } from '../dvc/formats/python/value';
import { fragmentOutput, fragmentPath, readFragment, writeFragment, type LockFragment } from './stage-record';

describe('lock fragments', () => {
  test('round-trip an entry with its Python types and directory listings', () => {
    const data = mkdtempSync(join(tmpdir(), 'nx-dvc-fragment-'));
    try {
      const fragment: LockFragment = {
        dvcFile: 'sub/dvc.yaml',
        stage: 'train@0',
        entry: { cmd: 'python train.py', params: { 'params.yaml': { lr: new PyFloat(2), seed: 12345678901234567890n, on: 'yes' } } },
        cached: [
          { path: 'sub/model.bin', md5: 'b1946ac92492d2347c6235b4d2611184', isexec: true },
          { path: 'sub/out', md5: '5369cb520f35f5d77e793cf181884a27.dir', files: [['007', 'b1946ac92492d2347c6235b4d2611184']] },
        ],
      };
      const path = fragmentPath(fragment.dvcFile, fragment.stage, data);
      writeFragment(path, fragment);
      const read = readFragment(path)!;
      assert.equal(dumpLockYaml(read.entry), dumpLockYaml(fragment.entry));
      assert.deepEqual(read.cached, fragment.cached);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  test('one file per stage, declared as an output only inside the workspace', () => {
    assert.notEqual(fragmentPath('a/dvc.yaml', 's', '/ws/.nx/workspace-data'), fragmentPath('b/dvc.yaml', 's', '/ws/.nx/workspace-data'));
    assert.match(fragmentOutput('/ws', 'dvc.yaml', 'train', '/ws/.nx/workspace-data')!, /^\{workspaceRoot\}\/\.nx\/workspace-data\/nx-dvc\/lock-entries\/train-[0-9a-f]{16}\.yaml$/);
    assert.equal(fragmentOutput('/ws', 'dvc.yaml', 'train', '/elsewhere/data'), undefined);
  });
});
