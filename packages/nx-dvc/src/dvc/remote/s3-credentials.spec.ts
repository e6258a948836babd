import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DvcError } from '../errors';
import { s3Credentials, s3Region, s3RetryPolicy } from './s3-credentials';

const dir = mkdtempSync(join(tmpdir(), 'nx-dvc-aws-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An environment whose AWS files are these texts (and nothing of the machine's own ~/.aws). */
function aws(files: { config?: string; credentials?: string }, extra: Record<string, string> = {}): Record<string, string> {
  const name = Math.random().toString(36).slice(2);
  const config = join(dir, `${name}.config`);
  const credentials = join(dir, `${name}.credentials`);
  if (files.config !== undefined) writeFileSync(config, files.config);
  if (files.credentials !== undefined) writeFileSync(credentials, files.credentials);
  return { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, ...extra };
}

const CONFIG = [
  '[default]',
  'region = eu-west-3',
  '[profile dev]',
  'region = ap-south-1',
  'aws_access_key_id = DEV_CONFIG_KEY',
  'aws_secret_access_key = dev-config-secret',
  'max_attempts = 8',
  'retry_mode = standard',
  's3 =',
  '  max_concurrency = 20',
  '  region = nested-is-not-the-profile',
  '[ci]',
  'aws_access_key_id = NOT_A_PROFILE_IN_THE_CONFIG_FILE',
  'aws_secret_access_key = x',
  '[profile assumed]',
  'role_arn = arn:aws:iam::123456789012:role/data',
  'source_profile = default',
  '[profile sso]',
  'sso_session = corp',
  'sso_account_id = 123456789012',
  '[profile process]',
  'credential_process = /usr/bin/get-creds',
  '',
].join('\n');

describe('S3 settings from ~/.aws/config, as botocore reads them', () => {
  test("region: the remote's, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's in the config file, else us-east-1", () => {
    assert.equal(s3Region({}, aws({ config: CONFIG })), 'eu-west-3');
    assert.equal(s3Region({ profile: 'dev' }, aws({ config: CONFIG })), 'ap-south-1', 'a nested s3 setting is not the profile region');
    assert.equal(s3Region({}, aws({ config: CONFIG }, { AWS_PROFILE: 'dev' })), 'ap-south-1');
    assert.equal(s3Region({ profile: 'dev' }, aws({ config: CONFIG }, { AWS_DEFAULT_REGION: 'us-west-2' })), 'us-west-2');
    assert.equal(s3Region({ region: 'ca-central-1', profile: 'dev' }, aws({ config: CONFIG }, { AWS_REGION: 'us-west-2' })), 'ca-central-1');
    assert.equal(s3Region({}, aws({})), 'us-east-1');
  });

  test('retries: botocore legacy (5 attempts) by default; retry_mode and max_attempts of the profile; AWS_RETRY_MODE and AWS_MAX_ATTEMPTS over them', () => {
    const legacy = s3RetryPolicy({}, "'s3'", aws({ config: CONFIG }));
    assert.equal(legacy.maxAttempts, 5);
    assert.match(legacy.origin, /legacy/);
    const dev = s3RetryPolicy({ profile: 'dev' }, "'s3'", aws({ config: CONFIG }));
    assert.equal(dev.maxAttempts, 8);
    assert.match(dev.origin, /standard/);
    assert.equal(s3RetryPolicy({ profile: 'dev' }, "'s3'", aws({ config: CONFIG }, { AWS_MAX_ATTEMPTS: '2' })).maxAttempts, 2);
    assert.equal(s3RetryPolicy({}, "'s3'", aws({ config: CONFIG }, { AWS_RETRY_MODE: 'adaptive' })).maxAttempts, 3, 'adaptive retries as standard does');
    assert.throws(() => s3RetryPolicy({}, "'s3'", aws({}, { AWS_MAX_ATTEMPTS: 'many' })), (e: unknown) => e instanceof DvcError && /remote 's3': max_attempts has to be a whole number from 1 on, not 'many'/.test(e.message));
    assert.throws(() => s3RetryPolicy({}, "'s3'", aws({ config: '[default]\nretry_mode = eager\n' })), (e: unknown) => e instanceof DvcError && /invalid retry_mode 'eager'/.test(e.message));
  });

  test("credentials: the remote's, the AWS variables, the credentials file, then the profile's keys in the config file", () => {
    const env = aws({ config: CONFIG, credentials: '[default]\naws_access_key_id = FILE_KEY\naws_secret_access_key = file-secret\n' });
    assert.equal(s3Credentials({ access_key_id: 'REMOTE', secret_access_key: 's' }, "'s3'", env)?.accessKeyId, 'REMOTE');
    assert.equal(s3Credentials({}, "'s3'", { ...env, AWS_ACCESS_KEY_ID: 'ENV', AWS_SECRET_ACCESS_KEY: 's' })?.accessKeyId, 'ENV');
    assert.equal(s3Credentials({}, "'s3'", env)?.accessKeyId, 'FILE_KEY');
    assert.deepEqual(s3Credentials({ profile: 'dev' }, "'s3'", { ...env, AWS_ACCESS_KEY_ID: 'ENV', AWS_SECRET_ACCESS_KEY: 's' }), { accessKeyId: 'DEV_CONFIG_KEY', secretAccessKey: 'dev-config-secret', sessionToken: undefined }, "a remote's profile passes over the variables; its keys may sit in the config file");
    assert.equal(s3Credentials({ profile: 'ci' }, "'s3'", env), undefined, 'in the config file, a profile section is [profile ci]');
    const both = aws({ config: CONFIG, credentials: '[dev]\naws_access_key_id = DEV_FILE_KEY\naws_secret_access_key = s\n' });
    assert.equal(s3Credentials({ profile: 'dev' }, "'s3'", both)?.accessKeyId, 'DEV_FILE_KEY', 'the credentials file first');
    assert.equal(s3Credentials({}, "'s3'", aws({})), undefined, 'nothing anywhere: anonymous');
  });

  test('a profile that gets credentials from role assumption, SSO or credential_process: one message naming dvc pull / dvc push, unless keys come first', () => {
    const env = aws({ config: CONFIG });
    const refused = (profile: string, provider: RegExp) =>
      assert.throws(
        () => s3Credentials({ profile }, "'storage' (s3://bucket/x)", env),
        (e: unknown) => e instanceof DvcError && provider.test(e.message) && /^remote 'storage' \(s3:\/\/bucket\/x\): the AWS profile '\w+' .*which nx-dvc does not support\. Use DVC itself for this remote: `dvc pull` \(and `dvc push`\)/.test(e.message),
      );
    refused('assumed', /role assumption \(role_arn\)/);
    refused('sso', /SSO/);
    refused('process', /credential_process/);
    assert.throws(() => s3Credentials({}, "'s3'", { ...env, AWS_PROFILE: 'assumed' }), /role_arn/, 'AWS_PROFILE chooses the profile too');
    assert.equal(s3Credentials({}, "'s3'", { ...env, AWS_PROFILE: 'assumed', AWS_ACCESS_KEY_ID: 'ENV', AWS_SECRET_ACCESS_KEY: 's' })?.accessKeyId, 'ENV', 'keys in the variables come first in the chain');
    assert.equal(s3Credentials({ profile: 'assumed', access_key_id: 'REMOTE', secret_access_key: 's' }, "'s3'", env)?.accessKeyId, 'REMOTE');
  });
});
