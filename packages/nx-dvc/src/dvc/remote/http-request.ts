import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';

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

/** Streams a response body into a file through a temporary name, so a cut transfer leaves nothing behind. */
export async function saveBody(response: IncomingMessage, toFile: string): Promise<void> {
  const temporary = `${toFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    // a 1 MiB buffer lets the socket's small chunks gather into few writes (about a quarter less CPU than the 16 KiB default)
    await pipeline(response, createWriteStream(temporary, { highWaterMark: 1 << 20 }));
    renameSync(temporary, toFile);
  } finally {
    rmSync(temporary, { force: true });
  }
}

export function fileSize(path: string): number {
  return statSync(path).size;
}

export class HttpStatusError extends Error {
  constructor(readonly status: number, what: string, body: string) {
    super(`${what}: HTTP ${status}${body ? ` ${body.trim().slice(0, 300)}` : ''}`);
  }
}
