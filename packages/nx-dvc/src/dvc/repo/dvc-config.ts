import { readFileSync } from 'node:fs';
import type { ParsingConfig } from '../parsing/interpolate';

/** The `[parsing]` section of `.dvc/config` (and `.dvc/config.local`), which shapes `${dict}` in cmd. */
export function readParsingConfig(root: string): ParsingConfig {
  return readDvcConfigSection(root, 'parsing');
}

/** One value of `.dvc/config`, overridden by `.dvc/config.local`. */
export function readDvcConfigValue(root: string, section: string, key: string): string | undefined {
  return readDvcConfigSection(root, section)[key];
}

/** A whole section of `.dvc/config`, each key overridden by `.dvc/config.local`, as DVC merges them. */
export function readDvcConfigSection(root: string, section: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const file of ['.dvc/config', '.dvc/config.local']) {
    let text: string;
    try {
      text = readFileSync(`${root}/${file}`, 'utf8');
    } catch {
      continue;
    }
    Object.assign(values, iniSection(text, section));
  }
  return values;
}

function iniSection(text: string, wanted: string): Record<string, string> {
  const values: Record<string, string> = {};
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*'?([^'\]]+?)'?\s*\]$/.exec(line);
    if (header) section = header[1].trim();
    else if (section.toLowerCase() === wanted.toLowerCase()) {
      const eq = line.indexOf('=');
      if (eq > 0) values[line.slice(0, eq).trim()] = unquote(line.slice(eq + 1).trim());
    }
  }
  return values;
}

/** configobj drops the quotes around a whole value (`type = "hardlink, symlink"`). */
function unquote(value: string): string {
  const quote = value[0];
  return value.length >= 2 && (quote === '"' || quote === "'") && value.endsWith(quote) ? value.slice(1, -1) : value;
}
