import { DvcError } from '../errors';
import { drain, fileSize, HttpStatusError, saveBody, send } from './http-request';
import { MissingObjectError, type RemoteStorage } from './storage';

/**
 * DVC's `http`/`https` remote (dvc-http over fsspec): objects under the url, existence by GET,
 * uploads with the remote's `method` (POST unless set to PUT), basic or custom-header auth.
 */
export class HttpStorage implements RemoteStorage {
  private readonly method: 'POST' | 'PUT';
  private readonly authHeaders: Record<string, string>;

  constructor(private readonly base: URL, options: Record<string, string>, readonly description: string) {
    const method = (options.method ?? 'POST').toUpperCase();
    if (method !== 'POST' && method !== 'PUT') throw new DvcError(`method has to be either 'post' or 'put', not: '${options.method}' (remote ${description})`, '.dvc/config');
    this.method = method;
    this.authHeaders = authHeaders(options, description);
  }

  async has(key: string): Promise<boolean> {
    const response = await send({ method: 'GET', url: this.url(key), headers: this.authHeaders });
    response.destroy();
    return response.statusCode! < 400;
  }

  async download(key: string, toFile: string): Promise<void> {
    const response = await send({ method: 'GET', url: this.url(key), headers: this.authHeaders });
    if (response.statusCode === 404) {
      await drain(response);
      throw new MissingObjectError(key);
    }
    if (response.statusCode! >= 400) throw new HttpStatusError(response.statusCode!, `GET ${this.url(key)}`, await drain(response));
    await saveBody(response, toFile);
  }

  async upload(fromFile: string, key: string): Promise<void> {
    const headers = { ...this.authHeaders, 'Content-Length': fileSize(fromFile) };
    const response = await send({ method: this.method, url: this.url(key), headers, bodyFile: fromFile });
    const body = await drain(response);
    if (response.statusCode! >= 400) throw new HttpStatusError(response.statusCode!, `${this.method} ${this.url(key)}`, body);
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
