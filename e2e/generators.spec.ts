import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startLocalRegistry } from '../tools/support/npm-registry';
import { createWorkspace, gitEnv, installedNodeModules, NX_ENV, packedTarball, type Workspace } from '../tools/support/workspace';

const CORPUS = join(__dirname, '../../shared/corpus');

describe('nx add nx-dvc in a DVC repository without Nx (the README path)', () => {
  const repo = mkdtempSync(join(tmpdir(), 'nx-dvc-e2e-dvc-repo-'));
  after(() => rmSync(repo, { recursive: true, force: true }));

  test('`nx init` then `nx add nx-dvc` turns a corpus pipeline into Nx projects; init again changes nothing', async () => {
    cpSync(join(CORPUS, 'iterative__example-get-started'), repo, { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: gitEnv() });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-qm', 'a DVC repository');
    // `npx nx@latest init`, with the nx this repository pins instead of the newest one
    const nxBin = join(installedNodeModules(), 'nx/dist/bin/nx.js');
    const init = spawnSync(process.execPath, [nxBin, 'init', '--interactive=false'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...NX_ENV }, timeout: 240_000 });
    assert.equal(init.status, 0, init.stdout + init.stderr);

    const registry = await startLocalRegistry(packedTarball());
    try {
      const add = await runNxWrapper(repo, ['add', 'nx-dvc'], { npm_config_registry: registry.url });
      assert.equal(add.status, 0, add.output);
      assert.match(add.output, /Package nx-dvc added successfully/);
      assert.ok(registry.requests.includes('nx-dvc'), 'nx-dvc was resolved through the registry');
    } finally {
      await registry.close();
    }
    const nxJson = JSON.parse(readFileSync(join(repo, 'nx.json'), 'utf8'));
    assert.deepEqual(nxJson.plugins, [
      { plugin: 'nx-dvc', options: { stageTargetName: 'repro', pipelineTargetName: 'repro', stageProjectSeparator: '--', rootProjectName: 'dvc' } },
    ]);
    const before = readFileSync(join(repo, 'nx.json'), 'utf8') + readFileSync(join(repo, '.gitignore'), 'utf8');
    const again = await runNxWrapper(repo, ['g', 'nx-dvc:init']);
    assert.equal(again.status, 0, again.output);
    assert.equal(readFileSync(join(repo, 'nx.json'), 'utf8') + readFileSync(join(repo, '.gitignore'), 'utf8'), before);

    const projects = await runNxWrapper(repo, ['show', 'projects']);
    assert.deepEqual(projects.stdout.trim().split('\n').sort(), ['dvc', 'dvc--evaluate', 'dvc--featurize', 'dvc--prepare', 'dvc--train']);
    const status = await runNxWrapper(repo, ['run', 'dvc:dvc-status']);
    assert.equal(status.status, 0, status.output);
    assert.match(status.output, /prepare:\n\tchanged deps:\n\t\tdeleted:\s+data\/data.xml/);
  });
});

/**
 * The `./nx` wrapper `nx init` writes into a repository without package.json. Asynchronous: the
 * npm registry of the `nx add` test answers from this process.
 */
function runNxWrapper(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(cwd, 'nx'), args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...NX_ENV, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, output: stdout + stderr }));
  });
}

describe('nx g nx-dvc:init in an Nx workspace', () => {
  let workspace: Workspace;
  after(() => workspace?.cleanup());

  test('registers the plugin with its options and the Nx folders in .gitignore, once', () => {
    workspace = createWorkspace({ plugins: [], files: { '.gitignore': 'node_modules\n', 'pipe/dvc.yaml': 'stages:\n  a:\n    cmd: echo a > a\n    outs:\n    - a\n' } });
    assert.equal(workspace.nxOk(['show', 'projects']).stdout.trim(), '');
    workspace.nxOk(['g', 'nx-dvc:init', '--rootProjectName=data']);
    assert.equal(workspace.read('.gitignore'), 'node_modules\n.nx/cache\n.nx/workspace-data\n');
    const nxJson = workspace.read('nx.json');
    assert.deepEqual(JSON.parse(nxJson).plugins, [
      { plugin: 'nx-dvc', options: { stageTargetName: 'repro', pipelineTargetName: 'repro', stageProjectSeparator: '--', rootProjectName: 'data' } },
    ]);
    workspace.nxOk(['g', 'nx-dvc:init']);
    assert.equal(workspace.read('nx.json'), nxJson);
    assert.equal(workspace.read('.gitignore'), 'node_modules\n.nx/cache\n.nx/workspace-data\n');
    assert.deepEqual(workspace.nxOk(['show', 'projects']).stdout.trim().split('\n').sort(), ['pipe', 'pipe--a']);
  });
});

const COMMENTED_PIPELINE = `# Pipeline of the forecasting team.
vars:
  - config.yaml   # shared settings

stages:
  # Cleans the raw export.
  prepare:
    cmd: node prepare.js \${seed}
    deps:
      - prepare.js
      - raw.csv
    outs:
      - clean.csv   # consumed by train

# plots are drawn by the notebook
plots:
  - loss.csv
`;

describe('nx g nx-dvc:stage (dvc stage add)', () => {
  let workspace: Workspace;
  after(() => workspace?.cleanup());

  test('adds a stage as DVC would, keeping every comment and the file layout; Nx sees and runs it', () => {
    workspace = createWorkspace({
      files: {
        'forecast/dvc.yaml': COMMENTED_PIPELINE,
        'forecast/config.yaml': 'seed: 7\n',
        'forecast/params.yaml': 'train:\n  epochs: 3\n  lr: 0.1\n',
        'forecast/raw.csv': 'x\n1\n2\n',
        'forecast/prepare.js': "require('fs').writeFileSync('clean.csv', require('fs').readFileSync('raw.csv'));\n",
        'forecast/train.js': "require('fs').writeFileSync('model.txt', 'model'); require('fs').writeFileSync('metrics.json', '{\"loss\": 0.5}');\n",
      },
    });
    workspace.nxOk([
      'g', 'nx-dvc:stage', 'train', '--project=forecast', '--command=node train.js',
      '--deps=train.js', '--deps=clean.csv', '--params=train.lr,train.epochs', '--outs=model.txt', '--metricsNoCache=metrics.json', '--desc=Fits the model',
    ]);
    assert.equal(
      workspace.read('forecast/dvc.yaml'),
      COMMENTED_PIPELINE.replace(
        '\n# plots are drawn',
        [
          '  train:',
          '    desc: Fits the model',
          '    cmd: node train.js',
          '    deps:',
          '      - clean.csv',
          '      - train.js',
          '    params:',
          '      - train.epochs',
          '      - train.lr',
          '    outs:',
          '      - model.txt',
          '    metrics:',
          '      - metrics.json:',
          '          cache: false',
          '',
          '# plots are drawn',
        ].join('\n'),
      ),
    );
    assert.equal(workspace.read('forecast/.gitignore'), '/model.txt\n');
    const run = workspace.nxOk(['run', 'forecast:repro']);
    assert.match(run.output, /✔ {2}nx run forecast--train:repro/);
    assert.equal(workspace.read('forecast/model.txt'), 'model');
  });

  test("refusals carry DVC's message, no stack trace, and leave the file untouched", () => {
    const before = workspace.read('forecast/dvc.yaml');
    const cases: Array<[string[], RegExp]> = [
      [['prepare', '--command=x'], /Stage 'prepare' already exists in 'forecast\/dvc.yaml'. Use '--force' to overwrite./],
      [['other', '--command=x', '--outs=model.txt'], /output 'forecast\/model.txt' is already specified in stage: 'forecast\/dvc.yaml:train'/],
      [['other', '--command=x', '--outs=.'], /\n'forecast'\('forecast\/dvc.yaml:other'\)\n'forecast\/clean.csv'\('forecast\/dvc.yaml:prepare'\)\noverlap/],
      [['loop', '--command=x', '--deps=model.txt', '--outs=raw.csv'], /Same item\(s\) are defined as both a dependency and an output in stages: /],
      [['bad.name', '--command=x'], /Stage name cannot contain punctuation characters./],
      [['other', '--command=x', '--wdir=missing'], /stage working dir 'missing' does not exist/],
      [['other', '--command=x', '--project=forecast--train'], /'forecast--train' is the project of one stage; give the project of its dvc.yaml/],
    ];
    for (const [args, expected] of cases) {
      const where = args.some((a) => a.startsWith('--project=')) ? [] : ['--directory=forecast'];
      const result = workspace.nx(['g', 'nx-dvc:stage', ...args, ...where]);
      assert.notEqual(result.code, 0, args.join(' '));
      assert.match(result.output, expected);
      assert.doesNotMatch(result.output, /^\s+at .*\.js:\d+/m, 'no stack trace');
      assert.equal(workspace.read('forecast/dvc.yaml'), before);
    }
  });

  test('--force rewrites the stage in place, --dry-run writes nothing, a new folder gets a new dvc.yaml', () => {
    workspace.nxOk(['g', 'nx-dvc:stage', 'prepare', '--directory=forecast', '--command=node prepare.js --fast', '--deps=prepare.js', '--deps=raw.csv', '-o', 'clean.csv', '--force']);
    assert.equal(workspace.read('forecast/dvc.yaml').split('\n').slice(5, 13).join('\n'), [
      '  # Cleans the raw export.',
      '  prepare:',
      '    cmd: node prepare.js --fast',
      '    deps:',
      '      - prepare.js',
      '      - raw.csv',
      '    outs:',
      '      - clean.csv',
    ].join('\n'));
    const before = workspace.read('forecast/dvc.yaml');
    workspace.nxOk(['g', 'nx-dvc:stage', 'extra', '--directory=forecast', '--command=echo', '--dry-run']);
    assert.equal(workspace.read('forecast/dvc.yaml'), before);
    mkdirSync(workspace.path('report'));
    workspace.nxOk(['g', 'nx-dvc:stage', 'report', '--directory=report', '--command=cat ../forecast/metrics.json > report.txt', '--deps=../forecast/metrics.json', '--outs=report.txt', '--alwaysChanged']);
    assert.equal(
      workspace.read('report/dvc.yaml'),
      'stages:\n  report:\n    cmd: cat ../forecast/metrics.json > report.txt\n    deps:\n    - ../forecast/metrics.json\n    outs:\n    - report.txt\n    always_changed: true\n',
    );
    assert.ok(workspace.nxOk(['show', 'projects']).stdout.split('\n').includes('report--report'));
  });

  test('without --project or --directory, the dvc.yaml of the folder nx is run from, as `dvc stage add`', () => {
    const nx = spawnSync(workspace.path('node_modules/.bin/nx'), ['g', 'nx-dvc:stage', 'summary', '--command=wc -l clean.csv', '--deps=clean.csv'], {
      cwd: workspace.path('forecast'),
      encoding: 'utf8',
      env: { ...process.env, ...NX_ENV },
    });
    assert.equal(nx.status, 0, nx.stdout + nx.stderr);
    assert.match(workspace.read('forecast/dvc.yaml'), /\n {2}summary:\n {4}cmd: wc -l clean.csv\n {4}deps:\n {6}- clean.csv\n/);
  });
});
