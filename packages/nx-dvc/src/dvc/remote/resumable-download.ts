import { open, rm, rename, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { drain, send, statusError, type HttpCall } from './http-request';
import type { RetryPolicy } from './retry-policy';
import { MissingObjectError } from './storage';
import { BrokenBodyError, withRetries, type AttemptState } from './with-retries';

/** The received bytes are written in batches of this size: few write calls for the socket's small chunks (about a quarter less CPU than 16 KiB ones). */
const WRITE_BATCH = 1 << 20;

export interface ObjectGet {
  /** The request for the object, built afresh for each attempt (a new signature for S3); with a Range header when given one. */
  request(range?: string): HttpCall;
  /** The request as messages say it: `GET s3://bucket/key`. */
  what: string;
  /** The object's key below the remote, for `MissingObjectError`. */
  key: string;
  policy: RetryPolicy;
}

/**
 * A GET of one object into `toFile`, through a temporary name so a failed transfer leaves nothing.
 * A body that breaks off is resumed with `Range: bytes=<received>-` (as s3fs does), accepted only as
 * a 206 whose Content-Range starts there and agrees on the size; a server that answers otherwise
 * sends the whole object again, written from byte 0. A 404 is `MissingObjectError`.
 */
export async function downloadResuming(get: ObjectGet, toFile: string): Promise<void> {
  const temporary = `${toFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const progress: Progress = { received: 0 };
  try {
    await withRetries(get.policy, get.what, (state) => attempt(get, temporary, progress, state));
    await rename(temporary, toFile);
  } finally {
    await rm(temporary, { force: true });
  }
}

interface Progress {
  /** Bytes of the object already in the temporary file, from its start. */
  received: number;
  /** The object's size, once an answer said it. */
  size?: number;
}

async function attempt(get: ObjectGet, temporary: string, progress: Progress, state: AttemptState): Promise<void> {
  const resumeAt = progress.received;
  const response = await send(get.request(resumeAt > 0 ? `bytes=${resumeAt}-` : undefined));
  if (response.statusCode === 404) {
    await drain(response);
    throw new MissingObjectError(get.key);
  }
  if (response.statusCode! >= 400) throw await statusError(response, get.what);
  const start = continuesAt(response, progress);
  if (start === undefined) {
    response.destroy();
    progress.received = 0;
    throw new BrokenBodyError(`the server did not resume at byte ${resumeAt} (HTTP ${response.statusCode} ${response.headers['content-range'] ?? ''})`);
  }
  progress.received = start;
  const file = await open(temporary, start > 0 ? 'r+' : 'w');
  try {
    await writeBody(response, file, progress, state);
  } finally {
    await file.close();
  }
  if (progress.size !== undefined && progress.received !== progress.size) {
    throw new BrokenBodyError(`the body ended after ${progress.received} of ${progress.size} bytes`);
  }
}

/** Where this answer's body starts in the object: 0 for a whole object, the resume point for a fitting 206; undefined when it does not fit. */
function continuesAt(response: IncomingMessage, progress: Progress): number | undefined {
  if (response.statusCode !== 206) {
    const length = response.headers['content-length'];
    progress.size = length === undefined ? undefined : Number(length);
    return 0;
  }
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers['content-range'] ?? '');
  if (!range || Number(range[1]) !== progress.received) return undefined;
  const size = range[3] === '*' ? undefined : Number(range[3]);
  if (size !== undefined && progress.size !== undefined && size !== progress.size) return undefined;
  progress.size = size ?? progress.size;
  return progress.received;
}

/** Appends the body at `progress.received`, counting only bytes on disk, so a break leaves an exact resume point. */
async function writeBody(response: IncomingMessage, file: FileHandle, progress: Progress, state: AttemptState): Promise<void> {
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batchBytes === 0) return;
    const [buffers, bytes] = [batch, batchBytes];
    batch = [];
    batchBytes = 0;
    const { bytesWritten } = await file.writev(buffers, progress.received);
    progress.received += bytesWritten;
    if (bytesWritten !== bytes) throw new Error(`only ${bytesWritten} of ${bytes} bytes could be written (is the disk full?)`);
    state.progressed();
  };
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      batch.push(chunk);
      batchBytes += chunk.length;
      if (batchBytes >= WRITE_BATCH) await flush();
    }
  } finally {
    await flush();
  }
}
