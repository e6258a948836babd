import aws4 from 'aws4';
import type { OutgoingHttpHeaders } from 'node:http';
import { DvcError } from '../errors';
import { drain, fileSize, HttpStatusError, send, type HttpCall } from './http-request';
import { downloadResuming } from './resumable-download';
import { withDelays, type RetryPolicy } from './retry-policy';
import { s3Credentials, s3Region, s3RetryPolicy, type S3Credentials } from './s3-credentials';
import { DVC_MULTIPART, multipartPartSize, uploadMultipart, type MultipartPolicy } from './s3-multipart';
import type { RemoteStorage } from './storage';
import { withRetries } from './with-retries';

/**
 * DVC's `s3://bucket/prefix` remote, on AWS or on any S3-compatible server (`endpointurl`):
 * SigV4-signed requests with unsigned payloads, so bodies stream from and to files. Objects from
 * two parts' worth on go up as multipart uploads, as s3fs sends them (S3 caps a single PUT at 5 GiB).
 * A failed request is tried again as botocore would (`retry_mode`, `max_attempts`), a broken download
 * resumed where it stopped.
 */
export class S3Storage implements RemoteStorage {
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly endpoint?: URL;
  private readonly region: string;
  private readonly credentials?: S3Credentials;
  private readonly retries: RetryPolicy;

  /** `retryDelays` replaces botocore's waits between attempts (tests keep them short). */
  constructor(
    url: URL,
    options: Record<string, string>,
    readonly description: string,
    private readonly multipart: MultipartPolicy = DVC_MULTIPART,
    retryDelays?: (failed: number) => number,
  ) {
    refuseOptionsNotApplied(options, description);
    this.bucket = url.hostname;
    this.prefix = url.pathname.replace(/^\/+|\/+$/g, '');
    this.endpoint = options.endpointurl ? new URL(options.endpointurl) : undefined;
    this.region = s3Region(options);
    this.credentials = s3Credentials(options, description);
    const retries = s3RetryPolicy(options, description);
    this.retries = retryDelays ? withDelays(retries, retryDelays) : retries;
  }

  has(key: string): Promise<boolean> {
    return this.explainingRefusal(this.head(key));
  }

  download(key: string, toFile: string): Promise<void> {
    return this.explainingRefusal(this.get(key, toFile));
  }

  upload(fromFile: string, key: string): Promise<void> {
    return this.explainingRefusal(this.put(fromFile, key));
  }

  private head(key: string): Promise<boolean> {
    const what = `HEAD ${this.describe(key)}`;
    return withRetries(this.retries, what, async () => {
      const response = await send(this.signed('HEAD', key));
      await drain(response);
      if (response.statusCode === 404) return false;
      if (response.statusCode! >= 400) throw new HttpStatusError(response.statusCode!, what, '');
      return true;
    });
  }

  private get(key: string, toFile: string): Promise<void> {
    const request = (range?: string) => this.signed('GET', key, undefined, range ? { Range: range } : {});
    return downloadResuming({ request, what: `GET ${this.describe(key)}`, key, policy: this.retries }, toFile);
  }

  private async put(fromFile: string, key: string): Promise<void> {
    const size = fileSize(fromFile);
    const partSize = multipartPartSize(size, this.multipart);
    if (partSize !== undefined) return uploadMultipart(this.signed.bind(this), key, fromFile, size, partSize, this.multipart.partsAtOnce, this.retries);
    const what = `PUT ${this.describe(key)}`;
    await withRetries(this.retries, what, async () => {
      const call = this.signed('PUT', key, undefined, { 'Content-Length': size, 'Content-Type': 'application/octet-stream' });
      const response = await send({ ...call, bodyFile: fromFile });
      const body = await drain(response);
      if (response.statusCode! >= 400) throw new HttpStatusError(response.statusCode!, what, body);
    });
  }

  private signed(method: string, key: string, query?: string, headers: OutgoingHttpHeaders = {}): HttpCall {
    const objectKey = [this.prefix, key].filter(Boolean).join('/');
    const encodedKey = objectKey.split('/').map(encodeURIComponent).join('/');
    const url = this.endpoint
      ? new URL(`${this.endpoint.pathname.replace(/\/?$/, '/')}${this.bucket}/${encodedKey}`, this.endpoint)
      : new URL(`https://${this.bucket}.s3.${this.region}.amazonaws.com/${encodedKey}`);
    if (query) url.search = query;
    const allHeaders: OutgoingHttpHeaders = { ...headers, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' };
    if (!this.credentials) return { method, url, headers: allHeaders };
    const request = aws4.sign(
      { method, host: url.host, path: url.pathname + url.search, service: 's3', region: this.region, headers: allHeaders as Record<string, string> },
      this.credentials,
    );
    return { method, url, headers: request.headers as OutgoingHttpHeaders };
  }

  /** A refusal with no credentials found says where DVC reads them from. */
  private async explainingRefusal<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      if (this.credentials || !(error instanceof HttpStatusError) || (error.status !== 401 && error.status !== 403)) throw error;
      error.message += `\n${NO_CREDENTIALS_HINT}`;
      throw error;
    }
  }

  private describe(key: string): string {
    return `s3://${this.bucket}/${[this.prefix, key].filter(Boolean).join('/')}`;
  }
}

const NO_CREDENTIALS_HINT =
  'No S3 credentials were found (the requests went unsigned). Set them as DVC reads them: `dvc remote modify --local <remote> access_key_id ...` and `secret_access_key ...`, ' +
  'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials.';

/** Options that change what is stored or how it is read: ignoring them would store objects DVC would not. */
const NOT_APPLIED = /^(sse|sse_kms_key_id|sse_customer_key|sse_customer_algorithm|acl|grant_\w+)$/;

function refuseOptionsNotApplied(options: Record<string, string>, description: string): void {
  const keys = Object.keys(options).filter((key) => NOT_APPLIED.test(key));
  if (keys.length === 0) return;
  throw new DvcError(
    `remote ${description}: nx-dvc does not apply ${keys.map((k) => `'${k}'`).join(', ')} (encryption and access control of S3 objects); ` +
      'use DVC itself for this remote: `dvc pull` (and `dvc push`)',
    '.dvc/config',
  );
}
