import { DvcError } from '../errors';
import { awsProfile, type AwsProfile, type Env, type IniSection } from './aws-config';
import { awsRetryPolicy, DEFAULT_AWS_RETRY_MODE, type RetryPolicy } from './retry-policy';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * The credentials DVC's S3 remote ends up with (s3fs over botocore): `access_key_id` and
 * `secret_access_key` of the remote (config.local is where DVC tells you to put them), else the
 * AWS_* variables (unless the remote names a `profile`), else the profile's keys in the shared
 * credentials file, else in the config file. Undefined means anonymous requests, which only public
 * buckets accept. A profile whose credentials come from a provider nx-dvc lacks (role assumption,
 * SSO, `credential_process`) is refused with a message naming `dvc pull`/`dvc push`.
 */
export function s3Credentials(options: Record<string, string>, description: string, env: Env = process.env): S3Credentials | undefined {
  if (options.access_key_id && options.secret_access_key) {
    return { accessKeyId: options.access_key_id, secretAccessKey: options.secret_access_key, sessionToken: options.session_token };
  }
  if (!options.profile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
  }
  const profile = awsProfile(options, env);
  // botocore's chain asks role assumption and SSO before the shared credentials file, credential_process after it
  refuseProvider(profile, profile.config, ['role_arn', 'web_identity_token_file', 'sso_session', 'sso_start_url', 'sso_account_id'], description);
  const fromCredentialsFile = keysOf(profile.credentials);
  if (fromCredentialsFile) return fromCredentialsFile;
  refuseProvider(profile, profile.credentials, ['credential_process'], description);
  refuseProvider(profile, profile.config, ['credential_process'], description);
  return keysOf(profile.config);
}

/** The region botocore signs for: the remote's, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's `region` in ~/.aws/config, else us-east-1. */
export function s3Region(options: Record<string, string>, env: Env = process.env): string {
  return options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? awsProfile(options, env).config?.region ?? 'us-east-1';
}

/** botocore's retries for the remote's profile: AWS_RETRY_MODE / AWS_MAX_ATTEMPTS over `retry_mode` / `max_attempts` in ~/.aws/config. */
export function s3RetryPolicy(options: Record<string, string>, description: string, env: Env = process.env): RetryPolicy {
  const profile = awsProfile(options, env);
  const modeText = env.AWS_RETRY_MODE ?? profile.config?.retry_mode ?? DEFAULT_AWS_RETRY_MODE;
  const attemptsText = env.AWS_MAX_ATTEMPTS ?? profile.config?.max_attempts;
  if (!['legacy', 'standard', 'adaptive'].includes(modeText)) {
    throw new DvcError(`remote ${description}: invalid retry_mode '${modeText}' (AWS_RETRY_MODE or ${profile.configFile}); valid values: legacy, standard, adaptive`, profile.configFile);
  }
  const attempts = attemptsText === undefined ? undefined : Number(attemptsText);
  if (attempts !== undefined && !(Number.isInteger(attempts) && attempts >= 1)) {
    throw new DvcError(`remote ${description}: max_attempts has to be a whole number from 1 on, not '${attemptsText}' (AWS_MAX_ATTEMPTS or ${profile.configFile})`, profile.configFile);
  }
  return awsRetryPolicy(modeText === 'legacy' ? 'legacy' : 'standard', attempts);
}

function keysOf(section: IniSection | undefined): S3Credentials | undefined {
  if (!section?.aws_access_key_id || !section.aws_secret_access_key) return undefined;
  return { accessKeyId: section.aws_access_key_id, secretAccessKey: section.aws_secret_access_key, sessionToken: section.aws_session_token };
}

const PROVIDERS: Record<string, string> = {
  role_arn: 'role assumption (role_arn)',
  web_identity_token_file: 'role assumption with a web identity (web_identity_token_file)',
  sso_session: 'AWS IAM Identity Center (SSO)',
  sso_start_url: 'AWS IAM Identity Center (SSO)',
  sso_account_id: 'AWS IAM Identity Center (SSO)',
  credential_process: 'an external process (credential_process)',
};

function refuseProvider(profile: AwsProfile, section: IniSection | undefined, keys: string[], description: string): void {
  const key = keys.find((k) => section?.[k] !== undefined);
  if (key === undefined) return;
  throw new DvcError(
    `remote ${description}: the AWS profile '${profile.name}' gets its credentials through ${PROVIDERS[key]}, which nx-dvc does not support. ` +
      'Use DVC itself for this remote: `dvc pull` (and `dvc push`); or give nx-dvc access keys: `dvc remote modify --local <remote> access_key_id ...` and `secret_access_key ...`, ' +
      'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (temporary ones with AWS_SESSION_TOKEN, e.g. from `aws configure export-credentials`).',
    '.dvc/config',
  );
}
