import type { OutgoingHttpHeaders } from 'node:http';
import { drain, HttpStatusError, send, type HttpCall } from './http-request';
import { mapLimit } from './map-limit';
import type { RetryPolicy } from './retry-policy';
import { withRetries } from './with-retries';

const MiB = 1024 * 1024;
/** S3 refuses a single PUT above this. */
const MAX_SINGLE_PUT = 5 * 1024 * MiB;
const MAX_PARTS = 10_000;

export interface MultipartPolicy {
  /** The part size (s3fs, DVC's S3 filesystem: 50 MiB), grown so no object needs more than 10 000 parts. */
  partSize: number;
  /** Parts of one object in flight at once; each streams from the file, so memory does not grow with it. */
  partsAtOnce: number;
}

export const DVC_MULTIPART: MultipartPolicy = { partSize: 50 * MiB, partsAtOnce: 4 };

/** A signed request for an object key, with an optional query (`uploads`, `uploadId=...`). */
export type SignRequest = (method: string, key: string, query?: string, headers?: OutgoingHttpHeaders) => HttpCall;

/**
 * The part size for an object of `size` bytes, or undefined when one PUT carries it: s3fs's rule,
 * one PUT below two parts' worth (and below S3's 5 GiB cap), multipart from there on.
 */
export function multipartPartSize(size: number, policy: MultipartPolicy): number | undefined {
  const partSize = Math.max(policy.partSize, Math.ceil(size / MAX_PARTS));
  return size < Math.min(MAX_SINGLE_PUT, 2 * partSize) ? undefined : partSize;
}

/**
 * S3's multipart upload of one file: CreateMultipartUpload, the parts streamed from the file
 * several at a time, CompleteMultipartUpload, each request tried again as the policy says (a failed
 * part alone, its bytes read again from the file); AbortMultipartUpload when one fails for good, so
 * no stored parts are left behind to pay for.
 */
export async function uploadMultipart(sign: SignRequest, key: string, file: string, size: number, partSize: number, partsAtOnce: number, policy: RetryPolicy): Promise<void> {
  const uploadId = await createUpload(sign, key, policy);
  const query = `uploadId=${encodeURIComponent(uploadId)}`;
  try {
    const parts = Array.from({ length: Math.ceil(size / partSize) }, (_, i) => ({ number: i + 1, start: i * partSize, end: Math.min(size, (i + 1) * partSize) - 1 }));
    const etags = await mapLimit(parts, partsAtOnce, (part) => uploadPart(sign, key, `partNumber=${part.number}&${query}`, file, part, policy));
    await completeUpload(sign, key, query, etags, policy);
  } catch (error) {
    await abortUpload(sign, key, query);
    throw error;
  }
}

async function createUpload(sign: SignRequest, key: string, policy: RetryPolicy): Promise<string> {
  const call = () => sign('POST', key, 'uploads', { 'Content-Type': 'application/octet-stream' });
  const body = await request(call, 'CreateMultipartUpload', policy);
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(body)?.[1];
  if (!uploadId) throw new Error(`CreateMultipartUpload ${call().url.pathname}: no UploadId in the answer: ${body.slice(0, 300)}`);
  return uploadId;
}

async function uploadPart(sign: SignRequest, key: string, query: string, file: string, range: { start: number; end: number }, policy: RetryPolicy): Promise<string> {
  const what = `UploadPart ${sign('PUT', key, query).url.pathname}?${query}`;
  return withRetries(policy, what, async () => {
    const call = sign('PUT', key, query, { 'Content-Length': range.end - range.start + 1 });
    const response = await send({ ...call, bodyFile: file, bodyRange: range });
    const body = await drain(response);
    if (response.statusCode! >= 400) throw new HttpStatusError(response.statusCode!, what, body);
    const etag = response.headers.etag;
    if (!etag) throw new Error(`${what}: the answer has no ETag`);
    return etag;
  });
}

async function completeUpload(sign: SignRequest, key: string, query: string, etags: string[], policy: RetryPolicy): Promise<void> {
  const parts = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`).join('');
  const xml = `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts}</CompleteMultipartUpload>`;
  const call = () => ({ ...sign('POST', key, query, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml) }), body: xml });
  await request(call, 'CompleteMultipartUpload', policy);
}

/** Best effort: the error worth reporting is the one that made the upload fail. */
async function abortUpload(sign: SignRequest, key: string, query: string): Promise<void> {
  try {
    await drain(await send(sign('DELETE', key, query)));
  } catch {
    // the bucket's lifecycle rules are S3's own answer to parts left behind
  }
}

/** A request with a small body, signed afresh for every attempt; its answer's body. */
async function request(call: () => HttpCall, operation: string, policy: RetryPolicy): Promise<string> {
  const what = `${operation} ${call().url.pathname}`;
  return withRetries(policy, what, async () => {
    const response = await send(call());
    const body = await drain(response, 64 * 1024);
    if (response.statusCode! >= 400) throw new HttpStatusError(response.statusCode!, what, body);
    // S3 may answer 200 and report the failure in the body; botocore takes it for a 500 (and tries again)
    if (/<Error>/.test(body)) throw new HttpStatusError(500, `${what} (an error in a 200 answer)`, body);
    return body;
  });
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
