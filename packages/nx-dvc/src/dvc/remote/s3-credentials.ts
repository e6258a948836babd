import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type Env = Record<string, string | undefined>;

/**
 * The credentials DVC's S3 remote ends up with (s3fs over botocore): `access_key_id` and
 * `secret_access_key` of the remote (config.local is where DVC tells you to put them), else the
 * remote's `profile` from the shared credentials file, else the AWS_* variables, else AWS_PROFILE
 * (or `default`) from `credentialpath` / AWS_SHARED_CREDENTIALS_FILE / ~/.aws/credentials.
 * Undefined means anonymous requests, which only public buckets accept.
 */
export function s3Credentials(options: Record<string, string>, env: Env = process.env): S3Credentials | undefined {
  if (options.access_key_id && options.secret_access_key) {
    return { accessKeyId: options.access_key_id, secretAccessKey: options.secret_access_key, sessionToken: options.session_token };
  }
  const file = options.credentialpath ?? env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials');
  if (options.profile) return profileCredentials(file, options.profile);
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
  }
  return profileCredentials(file, env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE ?? 'default');
}

/** The region botocore signs for: the remote's, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. */
export function s3Region(options: Record<string, string>, env: Env = process.env): string {
  return options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

function profileCredentials(file: string, profile: string): S3Credentials | undefined {
  const section = iniSections(readIfPresent(file))[profile];
  if (!section?.aws_access_key_id || !section.aws_secret_access_key) return undefined;
  return { accessKeyId: section.aws_access_key_id, secretAccessKey: section.aws_secret_access_key, sessionToken: section.aws_session_token };
}

function iniSections(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (header) current = sections[header[1]!] ??= {};
    else if (current && line.includes('=')) current[line.slice(0, line.indexOf('=')).trim()] = line.slice(line.indexOf('=') + 1).trim();
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
