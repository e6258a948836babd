import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createWorkspace, taskStatus, type Workspace } from '../tools/support/workspace';

/**
 * `nx affected` on data, params and code: two committed pipelines, `model` consuming an output of
 * `data` across projects. Each test commits one change and checks that affected selects exactly
 * the stages DVC would call changed, plus everything downstream of them, and nothing else.
 */
const DATA_PIPELINE = `stages:
  clean:
    cmd: tr -d ' ' < raw/raw.csv > clean.csv
    deps: [raw/raw.csv]
    outs: [clean.csv]
  stats:
    cmd: wc -l < raw/other.csv > stats.txt
    deps: [raw/other.csv]
    outs: [stats.txt]
`;

const MODEL_PIPELINE = `stages:
  train:
    cmd: sh src/train.sh ../data/clean.csv model.txt
    deps: [../data/clean.csv, src/train.sh]
    params: [train.lr]
    outs: [model.txt]
  evaluate:
    cmd: sh src/evaluate.sh model.txt metrics.txt
    deps: [model.txt, src/evaluate.sh]
    outs: [metrics.txt]
  report:
    cmd: echo report > report.txt
    params: [report.title]
    outs: [report.txt]
`;

const ALL_STAGES = ['data--clean', 'data--stats', 'model--train', 'model--evaluate', 'model--report', 'model--plot'];

const RAW = 'id, score\n1, 10\n';

function pointer(content: string): string {
  const md5 = createHash('md5').update(content).digest('hex');
  return `outs:\n- md5: ${md5}\n  size: ${Buffer.byteLength(content)}\n  hash: md5\n  path: raw.csv\n`;
}

let ws: Workspace;

/** Projects `nx show projects --affected` lists for the last commit (task mode, Nx 24's default). */
function affectedProjects(): string[] {
  const result = ws.nxOk(['show', 'projects', '--affected', '-t', 'repro', '--base=HEAD~1', '--head=HEAD', '--json']);
  return (JSON.parse(result.stdout) as string[]).sort();
}

/** Runs `nx affected -t repro` for the last commit; returns the stages whose command ran. */
function affectedRun(): string[] {
  const output = ws.nxOk(['affected', '-t', 'repro', '--base=HEAD~1', '--head=HEAD', '--output-style=static']).output;
  for (const stage of ALL_STAGES) {
    const status = taskStatus(output, `${stage}:repro`);
    assert.ok(status !== 'remote cache', `${stage}: ${status}`);
  }
  if (process.env.DEBUG_AFFECTED) console.log(output);
  ws.commitAll('repro');
  return ALL_STAGES.filter((stage) => taskStatus(output, `${stage}:repro`) === 'ran').sort();
}

function commitChange(message: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) ws.write(file, content);
  ws.commitAll(message);
}

before(() => {
  ws = createWorkspace({
    files: {
      'data/dvc.yaml': DATA_PIPELINE,
      'data/raw/raw.csv': RAW,
      'data/raw/raw.csv.dvc': pointer(RAW),
      'data/raw/.gitignore': '/raw.csv\n',
      'data/raw/other.csv': 'a\nb\n',
      'data/.gitignore': '/clean.csv\n/stats.txt\n',
      'model/dvc.yaml': MODEL_PIPELINE,
      'model/params.yaml': 'train:\n  lr: 0.1\nreport:\n  title: first\nunused: 1\n',
      'model/src/train.sh': '{ cat "$1"; grep lr: params.yaml; } > "$2"\n',
      'model/src/evaluate.sh': 'wc -l < "$1" > "$2"\n',
      'model/.gitignore': '/model.txt\n/metrics.txt\n/report.txt\n/plot.txt\n',
    },
  });
  ws.nxOk(['run-many', '-t', 'repro', '--projects=tag:dvc:stage']);
  ws.commitAll('first run');
});

after(() => ws.cleanup());

describe('nx affected on data, params and code', () => {
  test('new data behind a .dvc pointer: its consumer and everything downstream, across projects', () => {
    const raw = 'id, score\n1, 10\n2, 20\n';
    commitChange('dvc add new data', { 'data/raw/raw.csv': raw, 'data/raw/raw.csv.dvc': pointer(raw) });
    assert.deepEqual(affectedProjects(), ['data--clean', 'model--evaluate', 'model--train']);
    assert.deepEqual(affectedRun(), ['data--clean', 'model--evaluate', 'model--train']);
  });

  test('a source file that is a dep of one stage: that stage only', () => {
    commitChange('evaluate.sh', { 'model/src/evaluate.sh': 'wc -c < "$1" > "$2"\n' });
    assert.deepEqual(affectedProjects(), ['model--evaluate']);
    assert.deepEqual(affectedRun(), ['model--evaluate']);
  });

  // Nx compares a YAML file whole, so an edit of params.yaml or dvc.yaml selects the pipeline
  // (its `repro`); the stages DVC would call changed run, every other stage is a cache hit
  test('a params key used by one stage: that stage and its downstream run', () => {
    commitChange('lr', { 'model/params.yaml': 'train:\n  lr: 0.2\nreport:\n  title: first\nunused: 1\n' });
    assert.deepEqual(affectedProjects(), ['model']);
    assert.deepEqual(affectedRun(), ['model--evaluate', 'model--train']);
  });

  test('a params key no stage uses: nothing runs', () => {
    commitChange('unused', { 'model/params.yaml': 'train:\n  lr: 0.2\nreport:\n  title: first\nunused: 2\n' });
    assert.deepEqual(affectedProjects(), ['model']);
    assert.deepEqual(affectedRun(), []);
  });

  test("a stage's cmd in dvc.yaml: that stage runs", () => {
    commitChange('stats cmd', { 'data/dvc.yaml': DATA_PIPELINE.replace('wc -l <', 'wc -c <') });
    assert.deepEqual(affectedProjects(), ['data']);
    assert.deepEqual(affectedRun(), ['data--stats']);
  });

  test('a new stage: it runs, nothing else does', () => {
    commitChange('plot stage', { 'model/dvc.yaml': MODEL_PIPELINE + '  plot:\n    cmd: cat metrics.txt > plot.txt\n    deps: [metrics.txt]\n    outs: [plot.txt]\n' });
    assert.deepEqual(affectedProjects(), ['model']);
    assert.deepEqual(affectedRun(), ['model--plot']);
  });

  test('a change outside every pipeline: nothing', () => {
    commitChange('docs', { 'docs/notes.md': '# notes\n' });
    assert.deepEqual(affectedProjects(), []);
  });
});
