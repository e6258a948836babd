import type { CreateDependencies, ImplicitDependency } from '@nx/devkit';

export const STAGE_TAG = 'dvc:stage';

/**
 * Project-graph edges mirroring the stage graph, so `nx graph` draws the pipeline as `dvc dag`
 * does and project-level `nx affected` follows data downstream. They are read from the
 * `dependsOn` that createNodes inferred, so nothing is parsed twice.
 *
 * Only stage projects get edges. Stage projects own no files, and Nx's task hasher fails with
 * "project ... not found" when a target with `^` inputs (the default) reaches one through the
 * project graph; a stage target's own inputs never use `^`.
 */
export const createDvcDependencies: CreateDependencies = (_options, context) => {
  const edges: ImplicitDependency[] = [];
  const seen = new Set<string>();
  for (const [source, project] of Object.entries(context.projects)) {
    if (!project.tags?.includes(STAGE_TAG)) continue;
    for (const target of Object.values(project.targets ?? {})) {
      const technologies = (target.metadata?.technologies ?? []) as string[];
      if (!technologies.includes('dvc')) continue;
      for (const dependency of target.dependsOn ?? []) {
        const projects = typeof dependency === 'object' ? dependency.projects : undefined;
        for (const name of typeof projects === 'string' ? [projects] : projects ?? []) {
          const key = `${source}\0${name}`;
          if (name === source || seen.has(key) || !context.projects[name]) continue;
          seen.add(key);
          // the value of DependencyType.implicit: importing the enum would load all of @nx/devkit into
          // the plugin worker on every Nx command (~100 ms) for one string
          edges.push({ source, target: name, type: 'implicit' as ImplicitDependency['type'] });
        }
      }
    }
  }
  return edges;
};
