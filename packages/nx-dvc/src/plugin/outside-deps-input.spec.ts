import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { outsideDepsInput } from './outside-deps-input';
import { outsideDepsSignature } from './outside-deps-signature';
import { statSignature } from '../dvc/hashing/stat-signature';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const HOSTILE = ["/mnt/it's here", '/tmp/$(touch pwned)', '/tmp/`touch pwned`', '../a b;touch pwned', '/tmp/x"\\$HOME', '/tmp/new\nline', "../'"];

describe("the runtime input of a stage's deps outside the workspace", () => {
  test('runs node on the signature script with each path as one argument, whatever it holds', () => {
    const ws = mkdtempSync(join(tmpdir(), 'nx-dvc-runtime-'));
    roots.push(ws);
    mkdirSync(join(ws, 'tools'));
    writeFileSync(join(ws, 'tools/echo-args.js'), 'process.stdout.write(JSON.stringify(process.argv.slice(2)))');
    const { runtime } = outsideDepsInput(HOSTILE, 'tools/echo-args.js');
    // as Nx runs it: `sh -c <cmd>` at the workspace root
    const out = execFileSync('sh', ['-c', runtime], { cwd: ws, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), HOSTILE);
    assert.equal(existsSync(join(ws, 'pwned')), false);
  });

  test('the script prints every path with its signature, `../` resolved from the workspace root', () => {
    const parent = mkdtempSync(join(tmpdir(), 'nx-dvc-runtime-'));
    roots.push(parent);
    mkdirSync(join(parent, 'ws'));
    writeFileSync(join(parent, 'shared.txt'), 'data\n');
    const printed = outsideDepsSignature(['../shared.txt', '/no/such/path'], join(parent, 'ws'));
    assert.equal(printed, `"../shared.txt"\n${statSignature(join(parent, 'shared.txt'))}\n"/no/such/path"\nmissing`);
  });
});
