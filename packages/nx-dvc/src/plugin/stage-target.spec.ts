import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildPipelineStage } from '../dvc/stage/stage';
import { createStageTarget, type StageTargetContext } from './stage-target';

const CTX: StageTargetContext = {
  upstreamProjects: [],
  pointerFiles: [],
  generatedParamsFiles: new Set(),
  paramsValues: {},
  stageTargetName: 'repro',
  outsideDepsScript: 'node_modules/nx-dvc/dist/plugin/outside-deps-signature.js',
};

const inputsOf = (definition: Record<string, unknown>) =>
  createStageTarget(buildPipelineStage('pipe/dvc.yaml', 's', { cmd: 'c', outs: ['o'], ...definition }), CTX).inputs!;

describe('stage target inputs for deps outside the workspace', () => {
  test('one runtime input prints their signature; no file input points outside', () => {
    const inputs = inputsOf({ deps: ['/mnt/datasets/imagenet', '../../shared/labels.csv', 'in.txt'] });
    const runtime = inputs.filter((i) => typeof i === 'object' && 'runtime' in i);
    assert.deepEqual(runtime, [
      { runtime: "'node' 'node_modules/nx-dvc/dist/plugin/outside-deps-signature.js' '/mnt/datasets/imagenet' '../shared/labels.csv'" },
    ]);
    const files = JSON.stringify(inputs.filter((i) => !(typeof i === 'object' && 'runtime' in i)));
    assert.ok(!files.includes('imagenet') && !files.includes('shared'), files);
    assert.ok(files.includes('{workspaceRoot}/pipe/in.txt'), files);
  });

  test('none without outside deps, none for a frozen stage (it ignores its deps, as DVC does)', () => {
    const hasRuntime = (inputs: ReturnType<typeof inputsOf>) => inputs.some((i) => typeof i === 'object' && 'runtime' in i);
    assert.equal(hasRuntime(inputsOf({ deps: ['in.txt'] })), false);
    assert.equal(hasRuntime(inputsOf({ deps: ['/etc/hostname'], frozen: true })), false);
  });

  test('a stage reading only outside deps is cached (Nx decides from the signature)', () => {
    const target = createStageTarget(buildPipelineStage('dvc.yaml', 's', { cmd: 'c', deps: ['/etc/hostname'] }), CTX);
    assert.equal(target.cache, true);
  });
});
