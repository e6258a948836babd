import { formatFiles, readNxJson, updateNxJson, type NxJsonConfiguration, type Tree } from '@nx/devkit';
import ignore from 'ignore';
import { normalizeOptions, type NxDvcPluginOptions } from '../../plugin/options';

export interface InitGeneratorOptions extends NxDvcPluginOptions {
  skipFormat?: boolean;
}

const PLUGIN = 'nx-dvc';
/** Nx's own state: its cache and the plugin's workspace data (hash state, dvc.lock fragments). */
const NX_PATHS = ['.nx/cache', '.nx/workspace-data'];

/**
 * DVC appends each cached output to the `.gitignore` beside it when a stage runs, and Nx hashes the
 * root `.gitignore` into every task (and nested ones into their project's tasks). Listed in
 * `.nxignore`, they leave Nx's hashes; git and Nx still apply their rules.
 */
const NXIGNORE_GITIGNORES = [
  '# nx-dvc: DVC appends outputs to .gitignore files while stages run; keep them out of Nx task hashes',
  '.gitignore',
];

/**
 * `nx add nx-dvc`: registers the plugin with its options, keeps Nx's folders out of git and the
 * `.gitignore` files out of Nx's hashes. Idempotent.
 */
export default async function initGenerator(tree: Tree, options: InitGeneratorOptions): Promise<void> {
  const { skipFormat, ...pluginOptions } = options;
  registerPlugin(tree, pluginOptions);
  ignoreNxFolders(tree);
  keepGitignoresOutOfNxHashes(tree);
  if (!skipFormat) await formatFiles(tree);
}

function registerPlugin(tree: Tree, options: NxDvcPluginOptions): void {
  const nxJson: NxJsonConfiguration = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  if (plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN)) return;
  const { dvcCache: _auto, dvcPush: _off, ...defaults } = normalizeOptions(options);
  nxJson.plugins = [...plugins, { plugin: PLUGIN, options: { ...defaults, ...withoutUndefined(options) } }];
  updateNxJson(tree, nxJson);
}

function withoutUndefined(options: NxDvcPluginOptions): NxDvcPluginOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function ignoreNxFolders(tree: Tree): void {
  const current = readText(tree, '.gitignore');
  const matcher = ignore().add(current);
  const missing = NX_PATHS.filter((path) => !matcher.ignores(`${path}/x`));
  if (missing.length) appendLines(tree, '.gitignore', missing);
}

function keepGitignoresOutOfNxHashes(tree: Tree): void {
  const matcher = ignore().add(readText(tree, '.nxignore'));
  if (matcher.ignores('.gitignore') && matcher.ignores('nested/folder/.gitignore')) return;
  appendLines(tree, '.nxignore', NXIGNORE_GITIGNORES);
}

function readText(tree: Tree, path: string): string {
  return tree.exists(path) ? tree.read(path, 'utf-8')! : '';
}

function appendLines(tree: Tree, path: string, lines: string[]): void {
  const current = readText(tree, path);
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  tree.write(path, `${current}${separator}${lines.join('\n')}\n`);
}
