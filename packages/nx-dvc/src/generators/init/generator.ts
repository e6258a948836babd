import { formatFiles, readNxJson, updateNxJson, type NxJsonConfiguration, type Tree } from '@nx/devkit';
import ignore from 'ignore';
import { normalizeOptions, type NxDvcPluginOptions } from '../../plugin/options';

export interface InitGeneratorOptions extends NxDvcPluginOptions {
  skipFormat?: boolean;
}

const PLUGIN = 'nx-dvc';
/** Nx's own state: its cache and the plugin's workspace data (hash state, dvc.lock fragments). */
const NX_PATHS = ['.nx/cache', '.nx/workspace-data'];

/** `nx add nx-dvc`: registers the plugin with its options and keeps Nx's folders out of git. Idempotent. */
export default async function initGenerator(tree: Tree, options: InitGeneratorOptions): Promise<void> {
  const { skipFormat, ...pluginOptions } = options;
  registerPlugin(tree, pluginOptions);
  ignoreNxFolders(tree);
  if (!skipFormat) await formatFiles(tree);
}

function registerPlugin(tree: Tree, options: NxDvcPluginOptions): void {
  const nxJson: NxJsonConfiguration = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  if (plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN)) return;
  const { dvcCache: _auto, ...defaults } = normalizeOptions(options);
  nxJson.plugins = [...plugins, { plugin: PLUGIN, options: { ...defaults, ...withoutUndefined(options) } }];
  updateNxJson(tree, nxJson);
}

function withoutUndefined(options: NxDvcPluginOptions): NxDvcPluginOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function ignoreNxFolders(tree: Tree): void {
  const current = tree.exists('.gitignore') ? tree.read('.gitignore', 'utf-8')! : '';
  const matcher = ignore().add(current);
  const missing = NX_PATHS.filter((path) => !matcher.ignores(`${path}/x`));
  if (!missing.length) return;
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  tree.write('.gitignore', `${current}${separator}${missing.join('\n')}\n`);
}
