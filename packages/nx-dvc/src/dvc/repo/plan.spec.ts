import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DvcError } from '../errors';
import { buildGraph } from './graph';
import type { PipelineFile } from '../parsing/pipeline-file';
import { dependentsWithin, DownstreamForce, reproPlan, stagesNamed } from './plan';
import { buildPipelineStage, type Stage } from '../stage/stage';

/** The `dvc repro` reference's picture: A1 → A2 and B1 → B2 joining into train. */
const stages: Stage[] = [
  buildPipelineStage('dvc.yaml', 'A1', { cmd: 'c', outs: ['a1'] }),
  buildPipelineStage('dvc.yaml', 'A2', { cmd: 'c', deps: ['a1'], outs: ['a2'] }),
  buildPipelineStage('dvc.yaml', 'B1', { cmd: 'c', outs: ['b1'] }),
  buildPipelineStage('dvc.yaml', 'B2', { cmd: 'c', deps: ['b1'], outs: ['b2'] }),
  buildPipelineStage('dvc.yaml', 'train', { cmd: 'c', deps: ['a2', 'b2'], outs: ['model'] }),
];
const graph = buildGraph(stages);
const named = (...names: string[]) => names.map((n) => stages.find((s) => s.name === n)!);
const names = (plan: Stage[]) => plan.map((s) => s.name);

describe('reproPlan', () => {
  test('a target with its upstream, producers first', () => {
    assert.deepEqual(names(reproPlan(graph, named('train'))), ['A1', 'A2', 'B1', 'B2', 'train']);
    assert.deepEqual(names(reproPlan(graph, named('B2'))), ['B1', 'B2']);
  });

  test('--downstream: the target and its dependents, without their other upstream', () => {
    assert.deepEqual(names(reproPlan(graph, named('B1'), { downstream: true })), ['B1', 'B2', 'train']);
    assert.deepEqual(names(reproPlan(graph, named('train'), { downstream: true })), ['train']);
  });

  test('-p: every stage connected to the target, and only those', () => {
    const lone = buildPipelineStage('dvc.yaml', 'lone', { cmd: 'c', outs: ['lone'] });
    const withLone = buildGraph([...stages, lone]);
    assert.deepEqual(names(reproPlan(withLone, named('B1'), { pipeline: true })), ['A1', 'A2', 'B1', 'B2', 'train']);
    assert.deepEqual(names(reproPlan(withLone, [lone], { pipeline: true })), ['lone']);
  });
});

describe('stagesNamed', () => {
  const pipeline = { file: 'p/dvc.yaml', stages, groups: { A1: 'A', A2: 'A' } } as unknown as PipelineFile;

  test('a stage name, a foreach/matrix group name, or every stage', () => {
    assert.deepEqual(names(stagesNamed(pipeline, ['train'])), ['train']);
    assert.deepEqual(names(stagesNamed(pipeline, ['A'])), ['A1', 'A2']);
    assert.equal(stagesNamed(pipeline, []).length, 5);
  });

  test('an unknown name names the file', () => {
    assert.throws(() => stagesNamed(pipeline, ['nope']), (e: Error) => e instanceof DvcError && e.message === "'p/dvc.yaml' does not have a stage named 'nope'");
  });
});

describe('dependentsWithin and DownstreamForce', () => {
  test("a failed or changed stage reaches its dependents in the plan, not the plan's other stages", () => {
    const plan = reproPlan(graph, named('train'));
    assert.deepEqual(names(dependentsWithin(graph, plan, named('A1'))), ['A2', 'train']);
    assert.deepEqual(names(dependentsWithin(graph, plan, named('A2', 'B1'))), ['B2', 'train']);
    assert.deepEqual(names(dependentsWithin(graph, named('A1', 'A2'), named('A1'))), ['A2'], 'only within the plan');
  });

  test('a frozen stage is cut from its upstream', () => {
    const frozen = buildPipelineStage('dvc.yaml', 'report', { cmd: 'c', deps: ['model'], outs: ['report'], frozen: true });
    const withFrozen = buildGraph([...stages, frozen]);
    assert.deepEqual(names(dependentsWithin(withFrozen, [...stages, frozen], named('train'))), []);
  });

  test('--force-downstream: a stage that runs forces its direct dependents, who pass it on when they run', () => {
    const force = new DownstreamForce(graph, true);
    force.ran(named('A1')[0]);
    assert.deepEqual(names(stages.filter((s) => force.isForced(s))), ['A2']);
    force.ran(named('A2')[0]);
    assert.deepEqual(names(stages.filter((s) => force.isForced(s))), ['A2', 'train']);
    const off = new DownstreamForce(graph, false);
    off.ran(named('A1')[0]);
    assert.equal(stages.some((s) => off.isForced(s)), false);
  });
});
