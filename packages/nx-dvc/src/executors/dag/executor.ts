import type { ExecutorContext } from '@nx/devkit';
import { dagOf, pipelinesContaining, renderAscii, renderDot, renderMermaid, upstreamClosure } from '../../dvc/repo/dag-text';
import { reportDvcError, workspaceIndex } from '../workspace-pipelines';

export interface DagExecutorOptions {
  dvcFile: string;
  /** The whole pipelines (connected stages) the file's stages belong to, not only their upstream. */
  full?: boolean;
  mermaid?: boolean;
  /** Mermaid wrapped in a markdown code fence. */
  md?: boolean;
  dot?: boolean;
}

/** `dvc dag <dvc.yaml>`: the file's stages and their upstream across the workspace, as text. */
export default async function dagExecutor(options: DagExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const { index, pipeline } = await workspaceIndex(context, options.dvcFile);
    const targets = pipeline.pipeline.stages.map((s) => s.addressing);
    const whole = dagOf(index.graph!);
    const dag = options.full ? pipelinesContaining(whole, targets) : upstreamClosure(whole, targets);
    if (options.dot) process.stdout.write(`${renderDot(dag)}\n`);
    else if (options.mermaid || options.md) console.log(renderMermaid(dag, { markdown: options.md }));
    else console.log(renderAscii(dag));
    return { success: true };
  } catch (error) {
    return reportDvcError(error);
  }
}
