import type { DvcCache } from '../../dvc/cache/dvc-cache';
import { missingObjectsFetcher } from '../../dvc/remote/missing-objects';
import { dataSourceOutputs, pullDataSources } from '../../dvc/stage/data-sources';
import type { ReproduceContext } from '../../dvc/stage/reproduce';
import type { Stage } from '../../dvc/stage/stage';
import { fragmentPath, readFragment } from '../../plugin/stage-record';
import { checkoutUpstreamData } from './upstream-data';

export interface MissingDataOptions {
  /** `dvc repro --pull`. */
  pull?: boolean | string;
  /** `dvc repro --allow-missing`. */
  allowMissing?: boolean | string;
  /** Upstream stages whose DVC-cached outputs the stage reads. */
  dataFrom?: { dvcFile: string; stage: string }[];
  /** `.dvc` files whose data the stage reads. */
  dataSources?: string[];
}

/** A flag as Nx hands it over: `--pull`, `--pull=true`, or `pull: true` in a target's options. */
export function isOn(flag: boolean | string | undefined): boolean {
  return flag === true || flag === 'true';
}

/**
 * Makes the data a stage reads present, as the run's flags ask: by default (and with `--pull`)
 * before its status is judged, as DVC's plan has its upstream stages done first; with
 * `--allow-missing` only once the stage turns out to run, so that a stage skipped for missing data
 * fetches nothing. `--pull` also hands the DVC remote to the stage's own restore and pull.
 */
export async function prepareStageData(
  root: string,
  stage: Stage,
  options: MissingDataOptions,
  context: ReproduceContext,
  cache: DvcCache,
  dataDirectory: string,
): Promise<void> {
  const pull = isOn(options.pull);
  if (pull) context.fetch = missingObjectsFetcher(root, cache).fetch;
  const upstream = !stage.frozen && options.dataFrom?.length ? options.dataFrom : [];
  const sources = !stage.frozen && pull ? options.dataSources ?? [] : [];
  const makePresent = async () => {
    if (upstream.length) await checkoutUpstreamData(root, stage, upstream, { cache, hasher: context.hasher, dataDirectory });
    if (sources.length) await pullDataSources(root, stage, sources, { cache, hasher: context.hasher, fetch: context.fetch, log: context.log });
  };
  if (!isOn(options.allowMissing)) return makePresent();
  context.upstreamOuts = upstreamOutputs(root, upstream, options.dataSources ?? [], dataDirectory);
  context.beforeRun = makePresent;
}

/** What the upstream stages (by their records) and data sources hold now, for `--allow-missing`. */
function upstreamOutputs(root: string, upstream: { dvcFile: string; stage: string }[], dataSources: string[], dataDirectory: string): Map<string, string> {
  const outs = new Map<string, string>();
  for (const producer of upstream) {
    for (const out of readFragment(fragmentPath(producer.dvcFile, producer.stage, dataDirectory))?.cached ?? []) outs.set(out.path, out.md5);
  }
  for (const pointer of dataSources) {
    try {
      for (const out of dataSourceOutputs(root, pointer)) outs.set(out.path, out.md5);
    } catch {
      // a missing or broken `.dvc` file: DVC reports it when it loads the pipeline, not here
    }
  }
  return outs;
}
