import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkoutRestoredStages, missingDataMessage } from './restore-hits';

const root = mkdtempSync(join(tmpdir(), 'nx-dvc-restore-hits-'));
after(() => rmSync(root, { recursive: true, force: true }));

const fragment = (stage: string, path: string, md5: string) => ({ dvcFile: 'dvc.yaml', stage, entry: {}, cached: [{ path, md5 }] });

test('hits whose data sits on a remote nx-dvc cannot read: one message, naming dvc pull, the cause said once', async () => {
  mkdirSync(join(root, '.dvc'));
  writeFileSync(join(root, '.dvc/config'), "[core]\n    remote = drive\n['remote \"drive\"']\n    url = gdrive://folder-id\n");
  const hits = [fragment('prepare', 'data.csv', '0123456789abcdef0123456789abcdef'), fragment('train', 'model.bin', 'fedcba9876543210fedcba9876543210')];
  const { missing, remote } = await checkoutRestoredStages(root, hits, undefined);
  assert.deepEqual(missing.map((m) => m.fragment.stage), ['prepare', 'train'], 'both stages left unrecorded');
  const message = missingDataMessage(missing, remote);
  assert.equal(message.match(/use DVC itself for 'gdrive' remotes: `dvc pull`/g)?.length, 1, message);
  assert.match(message, /^  stage 'prepare': 'data\.csv'$/m);
  assert.match(message, /^  stage 'train': 'model\.bin'$/m);
  assert.match(message, /Fetch the data with `dvc pull` and run again/);
});
