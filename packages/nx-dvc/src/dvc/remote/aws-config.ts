import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type Env = Record<string, string | undefined>;
export type IniSection = Record<string, string>;

/** One AWS profile as botocore reads it: its section of the shared credentials file and of the config file. */
export interface AwsProfile {
  name: string;
  /** `[name]` of `credentialpath` / AWS_SHARED_CREDENTIALS_FILE / ~/.aws/credentials. */
  credentials?: IniSection;
  /** `[profile name]` (or `[default]`) of AWS_CONFIG_FILE / `configpath` / ~/.aws/config. */
  config?: IniSection;
  /** Where `config` was read from, as messages name it. */
  configFile: string;
}

/**
 * The profile a DVC S3 remote runs with: the remote's `profile`, else AWS_PROFILE (or
 * AWS_DEFAULT_PROFILE), else `default`. DVC sets the files' variables with `setdefault`, so
 * AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE win over the remote's `credentialpath` and `configpath`.
 */
export function awsProfile(options: Record<string, string>, env: Env): AwsProfile {
  const name = options.profile ?? env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE ?? 'default';
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? options.credentialpath ?? join(homedir(), '.aws', 'credentials');
  const configFile = env.AWS_CONFIG_FILE ?? options.configpath ?? join(homedir(), '.aws', 'config');
  return {
    name,
    credentials: iniSections(readIfPresent(credentialsFile), credentialsSectionName)[name],
    config: iniSections(readIfPresent(configFile), configSectionName)[name],
    configFile,
  };
}

/** The shared credentials file names a profile plainly: `[dev]`. */
function credentialsSectionName(header: string): string {
  return header;
}

/** The config file names a profile `[profile dev]`, the default one also `[default]`; other sections (`[sso-session x]`, `[services x]`) are not profiles. */
function configSectionName(header: string): string | undefined {
  const profile = /^profile\s+(.+)$/.exec(header)?.[1];
  return profile ?? (header === 'default' ? 'default' : undefined);
}

/** INI as botocore reads it; indented lines (the nested `s3 =` settings) belong to the key above and are skipped. */
function iniSections(text: string, sectionName: (header: string) => string | undefined): Record<string, IniSection> {
  const sections: Record<string, IniSection> = {};
  let current: IniSection | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || /^\s/.test(raw)) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      const name = sectionName(header[1]!);
      current = name === undefined ? undefined : (sections[name] ??= {});
    } else if (current && line.includes('=')) {
      current[line.slice(0, line.indexOf('=')).trim()] = line.slice(line.indexOf('=') + 1).trim();
    }
  }
  return sections;
}

function readIfPresent(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
