import { createReadStream, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';

/** A connection silent this long is given up (and the request tried again): DVC's default `read_timeout`. */
const IDLE_TIMEOUT_MS = 60_000;

export interface HttpCall {
  method: string;
  url: URL;
  headers?: OutgoingHttpHeaders;
  /** A file streamed as the body (its length is sent unless the headers say chunked). */
  bodyFile?: string;
  /** Only these bytes of `bodyFile` (`end` inclusive): one part of a multipart upload. */
  bodyRange?: { start: number; end: number };
  /** A small body held in memory (an XML request). */
  body?: string;
}

/** One request; resolves with the response once its headers arrived (the body is left to read). */
export function send(call: HttpCall): Promise<IncomingMessage> {
  const request = call.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const req = request(call.url, { method: call.method, headers: call.headers }, resolvePromise);
    req.on('error', reject);
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error(`no answer for ${IDLE_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
    if (!call.bodyFile) {
      req.end(call.body);
      return;
    }
    pipeline(createReadStream(call.bodyFile, call.bodyRange), req).catch(reject);
  });
}

/** Reads and drops a response body (keeps the connection reusable); returns it as text for error messages. */
export async function drain(response: IncomingMessage, keep = 2048): Promise<string> {
  let text = '';
  for await (const chunk of response) if (text.length < keep) text += String(chunk);
  return text.slice(0, keep);
}

export function fileSize(path: string): number {
  return statSync(path).size;
}

export class HttpStatusError extends Error {
  /** S3's error code (`SlowDown`, `AccessDenied`...), from the XML body when there is one. */
  readonly code?: string;

  constructor(readonly status: number, what: string, body: string) {
    super(`${what}: HTTP ${status}${body ? ` ${body.trim().slice(0, 300)}` : ''}`);
    this.code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  }
}

/** An answer of 400 or more, as an error with its body's first bytes. */
export async function statusError(response: IncomingMessage, what: string): Promise<HttpStatusError> {
  return new HttpStatusError(response.statusCode!, what, await drain(response));
}
