import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { truncateSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { createWorkspace, NX_ENV, type Workspace } from '../tools/support/workspace';

const PIPELINE = `stages:
  slow:
    cmd: node -e "console.log('tick-1'); setTimeout(() => { console.log('tick-2'); require('fs').writeFileSync('done.txt', 'x') }, 3000)"
    deps:
    - big.bin
    outs:
    - done.txt
`;

describe('a long stage as it runs', () => {
  let workspace: Workspace;
  after(() => workspace?.cleanup());

  test('its output arrives while it runs, and hashing a large dependency shows progress', async () => {
    workspace = createWorkspace({ files: { 'live/dvc.yaml': PIPELINE, 'live/.gitignore': '/big.bin\n' } });
    truncateSync(createEmpty(workspace, 'live/big.bin'), 1024 ** 3); // sparse: 1 GiB of zeros, no disk used
    const chunks: Array<{ at: number; text: string }> = [];
    const exitAt = await new Promise<number>((resolve, reject) => {
      const child = spawn(workspace.path('node_modules/.bin/nx'), ['run', 'live:repro', '--outputStyle=stream'], {
        cwd: workspace.root,
        env: { ...process.env, ...NX_ENV },
      });
      const record = (d: Buffer) => chunks.push({ at: Date.now(), text: d.toString() });
      child.stdout.on('data', record);
      child.stderr.on('data', record);
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(Date.now()) : reject(new Error(chunks.map((c) => c.text).join('')))));
    });
    const output = chunks.map((c) => c.text).join('');
    assert.match(output, /Computing md5 of 'live\/big.bin': \d+(\.\d)? (MiB|GiB) of 1\.0 GiB \(\d+%\)/);
    assert.match(output, /Computing md5 of 'live\/big.bin': 1\.0 GiB in \d+\.\d s/);
    const tick = chunks.find((c) => c.text.includes('tick-1'));
    assert.ok(tick, output);
    assert.ok(exitAt - tick.at >= 2000, `tick-1 reached us ${exitAt - tick.at} ms before the end: not live`);
  });
});

function createEmpty(workspace: Workspace, file: string): string {
  workspace.write(file, '');
  return workspace.path(file);
}
