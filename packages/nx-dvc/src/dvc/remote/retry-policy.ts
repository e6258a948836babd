/**
 * When a failed request to a remote is worth another attempt, how many attempts in all, and how
 * long to wait between them: the policies real DVC's remotes run with.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Seconds to wait after the `failed`-th attempt (1-based) failed. */
  delaySeconds(failed: number): number;
  /** Whether an answer with this HTTP status (and S3 error code, when the body has one) may succeed if sent again. */
  retryableAnswer(status: number, code?: string): boolean;
  /** Where the number of attempts comes from and how to change it, for the message after the last one. */
  origin: string;
}

export type AwsRetryMode = 'legacy' | 'standard';

/** botocore's default (1.43, what DVC 3.64 runs): `legacy`, unless `retry_mode` / AWS_RETRY_MODE says `standard` or `adaptive`. */
export const DEFAULT_AWS_RETRY_MODE: AwsRetryMode = 'legacy';

// botocore/data/_retry.json: the `__default__` policies, plus S3's RequestTimeout and BadDigest
const LEGACY_STATUSES = new Set([429, 500, 502, 503, 504, 509]);
const LEGACY_CODES = new Set(['Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottledException', 'ProvisionedThroughputExceededException', 'RequestTimeout', 'BadDigest']);
// botocore/retries/standard.py: TransientRetryableChecker and ThrottledRetryableChecker
const STANDARD_STATUSES = new Set([500, 502, 503, 504]);
const STANDARD_CODES = new Set([
  'RequestTimeout', 'RequestTimeoutException', 'PriorRequestNotComplete',
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottledException', 'TooManyRequestsException',
  'ProvisionedThroughputExceededException', 'TransactionInProgressException', 'RequestLimitExceeded', 'BandwidthLimitExceeded',
  'LimitExceededException', 'RequestThrottled', 'SlowDown', 'EC2ThrottledException',
]);

/**
 * botocore's retries for an S3 remote. `legacy`: 5 attempts, waits of rand·2^(n-1) s (0–1 s, 0–2 s,
 * 0–4 s, 0–8 s). `standard` (and `adaptive`, whose client-side rate limiting is not reproduced):
 * 3 attempts, the same waits capped at 20 s. `max_attempts` counts every attempt, the first included.
 */
export function awsRetryPolicy(mode: AwsRetryMode, maxAttempts?: number): RetryPolicy {
  const legacy = mode === 'legacy';
  const statuses = legacy ? LEGACY_STATUSES : STANDARD_STATUSES;
  const codes = legacy ? LEGACY_CODES : STANDARD_CODES;
  const attempts = maxAttempts ?? (legacy ? 5 : 3);
  return {
    maxAttempts: Math.max(1, attempts),
    delaySeconds: (failed) => Math.random() * (legacy ? 2 ** (failed - 1) : Math.min(2 ** (failed - 1), 20)),
    retryableAnswer: (status, code) => statuses.has(status) || (code !== undefined && codes.has(code)),
    origin: `botocore's ${mode} retry mode, ${attempts} attempts; \`max_attempts\` in ~/.aws/config or AWS_MAX_ATTEMPTS changes it`,
  };
}

/**
 * dvc-http's retries (aiohttp_retry's ExponentialRetry: 5 attempts, waits of 0.1·2^n s, every
 * 5xx answer and connection error). DVC sends POST and PUT once; nx-dvc retries a PUT too (it
 * replaces the whole object, so sending it again is harmless) but not a POST.
 */
export const DVC_HTTP_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  delaySeconds: (failed) => Math.min(0.1 * 2 ** failed, 60),
  retryableAnswer: (status) => status >= 500,
  origin: "5 attempts, as DVC's HTTP remote makes",
};

/** The same policy with other waits: tests keep their backoff short this way. */
export function withDelays(policy: RetryPolicy, delaySeconds: (failed: number) => number): RetryPolicy {
  return { ...policy, delaySeconds };
}
