import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadYaml } from '../packages/nx-dvc/src/dvc/formats/yaml/load';
import { createWorkspace, taskStatus, type Workspace } from '../tools/support/workspace';

/**
 * dvc.lock under Nx's parallelism: a 200-stage fan-out at --parallel=8, runs killed at random
 * moments, and a workspace rebuilt from the Nx cache alone.
 */
const FAN_OUT = 200;

function fanOutPipeline(): string {
  const stages = [`  seed:\n    cmd: echo seed > seed.txt\n    outs: [seed.txt]`];
  for (let i = 0; i < FAN_OUT; i++) {
    stages.push(`  leaf${i}:\n    cmd: cp seed.txt out/leaf${i}.txt && echo ${i} >> out/leaf${i}.txt\n    deps: [seed.txt]\n    outs: [out/leaf${i}.txt]`);
  }
  return `stages:\n${stages.join('\n')}\n`;
}

function lockStages(ws: Workspace, file: string): Record<string, { cmd: string; deps?: unknown[]; outs: unknown[] }> {
  const data = loadYaml(ws.read(file), file).data as { schema: string; stages: Record<string, { cmd: string; outs: unknown[] }> };
  assert.equal(data.schema, '2.0');
  return data.stages;
}

describe('a 200-stage fan-out', () => {
  let ws: Workspace;
  before(() => {
    ws = createWorkspace({ files: { 'fan/dvc.yaml': fanOutPipeline(), 'fan/out/.gitkeep': '' } });
  });
  after(() => ws.cleanup());

  test('five runs at --parallel=8 each record all 200 entries, in DVC order', () => {
    const expectedOrder = ['seed', ...Array.from({ length: FAN_OUT }, (_, i) => `leaf${i}`)];
    let first: string | undefined;
    for (let run = 1; run <= 5; run++) {
      ws.remove('fan/dvc.lock');
      // the first run executes every stage (200 finishing side by side), the others restore them
      // all from the Nx cache; either way the hook alone merges the 201 entries
      const result = ws.nxOk(['run', 'fan:repro', '--parallel=8', '--output-style=static']);
      assert.equal(taskStatus(result.output, 'fan--leaf7:repro'), run === 1 ? 'ran' : 'local cache', `run ${run}`);
      assert.deepEqual(Object.keys(lockStages(ws, 'fan/dvc.lock')), expectedOrder, `run ${run}`);
      first ??= ws.read('fan/dvc.lock');
      assert.equal(ws.read('fan/dvc.lock'), first, `run ${run} wrote the same bytes`);
    }
    const gitignore = ws.read('fan/out/.gitignore').split('\n').filter(Boolean);
    assert.deepEqual(gitignore, expectedOrder.slice(1).map((s) => `/${s}.txt`), 'one .gitignore line per output, never repeated');
  });

  test('a run killed at any moment leaves dvc.lock absent or whole, and the next run completes it', async () => {
    for (const delayMs of [1500, 3000, 4500, 6000]) {
      ws.remove('fan/dvc.lock');
      ws.remove('fan/out/leaf1.txt');
      await killedRun(ws, ['run-many', '-t', 'repro', '--projects=tag:dvc:stage', '--parallel=8', '--skip-nx-cache'], delayMs);
      if (ws.exists('fan/dvc.lock')) {
        for (const [name, entry] of Object.entries(lockStages(ws, 'fan/dvc.lock'))) {
          assert.ok(entry.cmd && entry.outs.length === 1, `entry ${name} is complete after a kill at ${delayMs} ms`);
        }
      }
      const leftovers = readdirSync(ws.path('fan')).filter((f) => f.endsWith('.tmp'));
      assert.deepEqual(leftovers, [], 'no temporary file is left beside dvc.lock');
    }
    ws.nxOk(['run', 'fan:repro', '--parallel=8', '--output-style=static']);
    assert.equal(Object.keys(lockStages(ws, 'fan/dvc.lock')).length, FAN_OUT + 1);
  });
});

/** Starts nx and SIGKILLs its whole process group after `delayMs`. */
function killedRun(ws: Workspace, args: string[], delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(ws.path('node_modules/.bin/nx'), args, {
      cwd: ws.root,
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true' },
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // it had already finished
      }
    }, delayMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('a workspace rebuilt from the Nx cache alone', () => {
  let ws: Workspace;
  before(() => {
    ws = createWorkspace({
      files: {
        'ml/dvc.yaml': [
          'stages:',
          '  prepare:',
          '    cmd: mkdir -p data/prepared && cp raw.csv data/prepared/train.csv && echo x > data/prepared/test.csv',
          '    deps: [raw.csv]',
          '    params: [prepare.split]',
          '    outs: [data/prepared]',
          '  train:',
          '    cmd: cat data/prepared/train.csv > model.bin && echo {} > metrics.json',
          '    deps: [data/prepared]',
          '    params: [train.lr]',
          '    outs: [model.bin]',
          '    metrics: [{metrics.json: {cache: false}}]',
          '',
        ].join('\n'),
        'ml/params.yaml': 'prepare:\n  split: 0.2\ntrain:\n  lr: 1.0e-3\n',
        'ml/raw.csv': 'a,b\n1,2\n',
      },
    });
  });
  after(() => ws.cleanup());

  test('outputs, dvc.lock and .gitignore come back identical, with no command run', () => {
    ws.nxOk(['run', 'ml:repro', '--output-style=static']);
    const files = ['ml/dvc.lock', 'ml/.gitignore', 'ml/data/.gitignore', 'ml/model.bin', 'ml/metrics.json', 'ml/data/prepared/train.csv', 'ml/data/prepared/test.csv'];
    const before = Object.fromEntries(files.map((f) => [f, ws.read(f)]));
    for (const f of ['ml/dvc.lock', 'ml/model.bin', 'ml/metrics.json', 'ml/data/prepared']) ws.remove(f);
    for (const entry of readdirSync(ws.path('.nx'))) if (entry !== 'cache') rmSync(ws.path('.nx', entry), { recursive: true, force: true });
    const rerun = ws.nxOk(['run', 'ml:repro', '--output-style=static']);
    assert.equal(taskStatus(rerun.output, 'ml--prepare:repro'), 'local cache');
    assert.equal(taskStatus(rerun.output, 'ml--train:repro'), 'local cache');
    for (const f of files) assert.equal(ws.read(f), before[f], f);
  });
});

describe('Nx data kept outside the workspace (NX_WORKSPACE_DATA_DIRECTORY)', () => {
  test('the executor records dvc.lock and .gitignore itself', () => {
    const ws = createWorkspace({ files: { 'p/dvc.yaml': 'stages:\n  a:\n    cmd: echo hi > a.txt\n    outs: [a.txt]\n' } });
    const data = mkdtempSync(join(tmpdir(), 'nx-dvc-outside-data-'));
    try {
      ws.nxOk(['run', 'p:repro', '--output-style=static'], { NX_WORKSPACE_DATA_DIRECTORY: data });
      assert.match(ws.read('p/dvc.lock'), /^schema: '2\.0'\nstages:\n {2}a:\n {4}cmd: echo hi > a\.txt\n/);
      assert.equal(ws.read('p/.gitignore'), '/a.txt\n');
    } finally {
      rmSync(data, { recursive: true, force: true });
      ws.cleanup();
    }
  });
});
