import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** nx-dvc's own version: part of every stage's hash, so upgrading the plugin re-runs stages. */
export const PLUGIN_VERSION: string = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
