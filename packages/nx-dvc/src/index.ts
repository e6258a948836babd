import type { CreateNodes } from '@nx/devkit';
import { createDvcDependencies } from './plugin/create-dependencies';
import { createDvcNodes, PIPELINE_GLOB } from './plugin/create-nodes';
import type { NxDvcPluginOptions } from './plugin/options';
import { postDvcTasksExecution } from './plugin/post-tasks-execution';
import { preDvcTasksExecution } from './plugin/pre-tasks-execution';

export const name = 'nx-dvc';

/** Every dvc.yaml becomes a project with one target per stage; `.dvc` files join the graph. */
export const createNodes: CreateNodes<NxDvcPluginOptions> = [PIPELINE_GLOB, createDvcNodes];

/** Nx 21 looks for this name; Nx 22+ reads `createNodes` with the same signature. */
export const createNodesV2 = createNodes;

/** Project-graph edges between stages, so `nx graph` and project-level affected follow the data. */
export const createDependencies = createDvcDependencies;

/** Keeps a refused or unreachable remote cache from aborting the run: warns and runs locally. */
export const preTasksExecution = preDvcTasksExecution;

/** The single writer of dvc.lock and `.gitignore`: merges what every stage task (run or restored) recorded. */
export const postTasksExecution = postDvcTasksExecution;

export type { NxDvcPluginOptions } from './plugin/options';
