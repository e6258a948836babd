#!/usr/bin/env node
// Runs every test of the repository with Node's test runner: unit and corpus tests from
// TypeScript sources (through tsx), then the end-to-end tests against the packed plugin.
// Real DVC (tools/real-dvc) is set up first; without Python the suites that need it are skipped.
import { spawnSync } from 'node:child_process';
import fg from 'fast-glob';
import { ensureRealDvc } from './real-dvc/setup.mjs';

const only = process.argv.slice(2);
// Two files run at a time, started in this order: the slowest first (the benchmark smoke run and the
// fidelity run, about three minutes each, then the e2e files), the many short unit files last, so
// that they fill the end of the run instead of a long file running alone there.
const SLOWEST_FIRST = ['tools/**/*.spec.ts', 'e2e/**/*.spec.ts', 'packages/*/test/**/*.spec.ts', 'packages/*/src/**/*.spec.ts'];
const files = only.length ? only : SLOWEST_FIRST.flatMap((pattern) => fg.sync(pattern, { ignore: ['**/node_modules/**'] }).sort());

const needsBuild = files.some((f) => f.startsWith('e2e/') || f.startsWith('tools/'));
if (needsBuild) run('npm', ['run', 'build', '--silent']);
const realDvc = ensureRealDvc();
if (realDvc.dvc) process.env.NX_DVC_REAL_DVC = realDvc.dvc;
else {
  process.env.NX_DVC_REAL_DVC_MISSING = realDvc.reason;
  console.error(`Real DVC is not available (${realDvc.reason}): the tests that need it are skipped.`);
}
run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files]);

function run(cmd, args) {
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
