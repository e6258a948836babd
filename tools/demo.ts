// The README's main job: the example pipeline through Nx, twice (the second run comes from the
// cache), then one params edit and the partial re-run. Runs in a fresh temp workspace with the
// packed plugin installed, exactly as a user would have it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createWorkspace } from '../e2e/support/workspace';

const EXAMPLE = join(__dirname, '..', 'examples', 'get-started');

function exampleFiles(dir = EXAMPLE): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(files, exampleFiles(path));
    else files[`get-started/${relative(EXAMPLE, path)}`] = readFileSync(path, 'utf8');
  }
  return files;
}

function banner(text: string): void {
  console.log(`\n\x1b[1m=== ${text}\x1b[0m`);
}

const ws = createWorkspace({ files: exampleFiles() });
try {
  console.log(`Workspace: ${ws.root}`);
  banner('The stages Nx inferred from get-started/dvc.yaml');
  console.log(ws.nxOk(['show', 'projects']).stdout.trim());

  banner('Run 1: nx run get-started:repro (every stage runs)');
  console.log(ws.nxOk(['run', 'get-started:repro', '--output-style=static']).output.trim());

  banner('Run 2: the same command again (every stage comes from the Nx cache)');
  console.log(ws.nxOk(['run', 'get-started:repro', '--output-style=static']).output.trim());

  banner('Edit params.yaml: train.shrink 0.1 -> 0.6, then run again (prepare stays cached)');
  ws.write('get-started/params.yaml', ws.read('get-started/params.yaml').replace('shrink: 0.1', 'shrink: 0.6'));
  console.log(ws.nxOk(['run', 'get-started:repro', '--output-style=static']).output.trim());
  banner('get-started/eval/metrics.json');
  console.log(ws.read('get-started/eval/metrics.json').trim());
  banner('get-started/dvc.lock, written as DVC 3 writes it (real `dvc status` and `dvc push` accept it)');
  console.log(ws.read('get-started/dvc.lock').trim());
  banner('git status: what to commit, as after `dvc repro`');
  console.log(ws.git('status', '--short').trim());
} finally {
  ws.cleanup();
}
