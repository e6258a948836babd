import { DvcError } from '../errors';
import { drain, fileSize, HttpStatusError, send } from './http-request';
import { downloadResuming } from './resumable-download';
import { DVC_HTTP_RETRY_POLICY, withDelays, type RetryPolicy } from './retry-policy';
import type { RemoteStorage } from './storage';
import { withRetries } from './with-retries';

/**
 * DVC's `http`/`https` remote (dvc-http over fsspec): objects under the url, existence by GET,
 * uploads with the remote's `method` (POST unless set to PUT), basic or custom-header auth.
 * GETs and PUTs are tried again as dvc-http tries its requests, a broken download resumed.
 */
export class HttpStorage implements RemoteStorage {
  private readonly method: 'POST' | 'PUT';
  private readonly authHeaders: Record<string, string>;
  private readonly retries: RetryPolicy;

  /** `retryDelays` replaces dvc-http's waits between attempts (tests keep them short). */
  constructor(private readonly base: URL, options: Record<string, string>, readonly description: string, retryDelays?: (failed: number) => number) {
    this.retries = retryDelays ? withDelays(DVC_HTTP_RETRY_POLICY, retryDelays) : DVC_HTTP_RETRY_POLICY;
    const method = (options.method ?? 'POST').toUpperCase();
    if (method !== 'POST' && method !== 'PUT') throw new DvcError(`method has to be either 'post' or 'put', not: '${options.method}' (remote ${description})`, '.dvc/config');
    this.method = method;
    this.authHeaders = authHeaders(options, description);
  }

  /** As fsspec's `exists`: any answer below 400 means there; a 5xx is tried again, then reported. */
  has(key: string): Promise<boolean> {
    const what = `GET ${this.url(key)}`;
    return withRetries(this.retries, what, async () => {
      const response = await send({ method: 'GET', url: this.url(key), headers: this.authHeaders });
      response.destroy();
      if (this.retries.retryableAnswer(response.statusCode!)) throw new HttpStatusError(response.statusCode!, what, '');
      return response.statusCode! < 400;
    });
  }

  download(key: string, toFile: string): Promise<void> {
    const request = (range?: string) => ({ method: 'GET', url: this.url(key), headers: range ? { ...this.authHeaders, Range: range } : this.authHeaders });
    return downloadResuming({ request, what: `GET ${this.url(key)}`, key, policy: this.retries }, toFile);
  }

  /** A PUT replaces the whole object, so it is sent again after a failure; a POST (DVC's default) is sent once, as DVC does. */
  upload(fromFile: string, key: string): Promise<void> {
    const what = `${this.method} ${this.url(key)}`;
    const once = async () => {
      const headers = { ...this.authHeaders, 'Content-Length': fileSize(fromFile) };
      const response = await send({ method: this.method, url: this.url(key), headers, bodyFile: fromFile });
      const body = await drain(response);
      if (response.statusCode! >= 400) throw new HttpStatusError(response.statusCode!, what, body);
    };
    return this.method === 'PUT' ? withRetries(this.retries, what, once) : once();
  }

  private url(key: string): URL {
    return new URL(`${this.base.pathname.replace(/\/?$/, '/')}${key}`, this.base);
  }
}

function authHeaders(options: Record<string, string>, description: string): Record<string, string> {
  if (!options.auth) return {};
  if (options.auth === 'basic') {
    if (options.user === undefined || options.password === undefined) throw new DvcError(`HTTP 'basic' authentication require both 'user' and 'password' (remote ${description})`, '.dvc/config');
    return { Authorization: `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}` };
  }
  if (options.auth === 'custom') {
    if (options.custom_auth_header === undefined || options.password === undefined) throw new DvcError(`HTTP 'custom' authentication require both 'custom_auth_header' and 'password' (remote ${description})`, '.dvc/config');
    return { [options.custom_auth_header]: options.password };
  }
  throw new DvcError(`Auth method '${options.auth}' is not supported (remote ${description})`, '.dvc/config');
}
