// The README's main job: the example pipeline through Nx, twice (the second run comes from the
// cache), then one params edit and the partial re-run. Runs in a fresh temp workspace with the
// packed plugin installed, exactly as a user would have it.
import { createWorkspace } from './support/workspace';
import { exampleFiles } from './example-files';

/** A view's own lines: between Nx's task header and its run summary. */
function quiet(stdout: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('> nx run ')) + 1;
  const end = lines.findIndex((line, i) => i >= start && /^ NX {3}/.test(line));
  return lines
    .slice(start, end < 0 ? undefined : end)
    .join('\n')
    .replace(/^\n+|\s+$/g, '');
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

  banner('nx run get-started:dvc-dag: the pipeline as `dvc dag` draws it');
  console.log(quiet(ws.nxOk(['run', 'get-started:dvc-dag']).stdout));

  banner('Edit params.yaml: train.shrink 0.1 -> 0.6; nx run get-started:dvc-status says what changed, running nothing');
  ws.write('get-started/params.yaml', ws.read('get-started/params.yaml').replace('shrink: 0.1', 'shrink: 0.6'));
  console.log(quiet(ws.nxOk(['run', 'get-started:dvc-status']).stdout));
  banner('Run 3: the same command again (prepare stays cached, train and evaluate re-run)');
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
