import { readFileSync } from 'node:fs';
import type { ParsingConfig } from './interpolate';

/** The `[parsing]` section of `.dvc/config` (and `.dvc/config.local`), which shapes `${dict}` in cmd. */
export function readParsingConfig(root: string): ParsingConfig {
  const config: ParsingConfig = {};
  for (const file of ['.dvc/config', '.dvc/config.local']) {
    let text: string;
    try {
      text = readFileSync(`${root}/${file}`, 'utf8');
    } catch {
      continue;
    }
    Object.assign(config, iniSection(text, 'parsing'));
  }
  return config;
}

function iniSection(text: string, wanted: string): Record<string, string> {
  const values: Record<string, string> = {};
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*'?([^'\]]+?)'?\s*\]$/.exec(line);
    if (header) section = header[1].trim();
    else if (section === wanted) {
      const eq = line.indexOf('=');
      if (eq > 0) values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
  }
  return values;
}
