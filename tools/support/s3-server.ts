import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

export interface S3Request {
  method: string;
  path: string;
  /** The query, the upload id replaced by `*`. */
  query: string;
  /** The Range header, when the request has one. */
  range?: string;
}

export interface S3ServerOptions {
  /** Requests this picks are answered 500 (a failing part, say). */
  fail?: (request: S3Request) => boolean;
}

type Pick = (request: S3Request) => boolean;

/** Network and server trouble on demand, for the next requests that match. */
export interface S3Faults {
  /** The next `count` requests picked are answered `status` with S3 error `code` (503 SlowDown: S3 asking to slow down). */
  answer(count: number, pick: Pick, status?: number, code?: string): void;
  /** The next `count` responses picked lose their connection after `bytes` bytes of body. */
  cutResponse(count: number, pick: Pick, bytes: number): void;
  /** The next `count` requests picked lose their connection after `bytes` bytes of their own body (an upload cut). */
  cutRequest(count: number, pick: Pick, bytes: number): void;
}

export interface S3Server {
  /** What a DVC remote's `endpointurl` says. */
  endpoint: string;
  /** Every request, in arrival order. */
  requests: S3Request[];
  faults: S3Faults;
  close(): Promise<void>;
}

interface Fault {
  kind: 'answer' | 'cutResponse' | 'cutRequest';
  left: number;
  pick: Pick;
  status?: number;
  code?: string;
  bytes?: number;
}

/** The access key s3rver knows (secret: the same). */
export const S3_ACCESS_KEY = 'S3RVER';

/**
 * An S3-compatible server on 127.0.0.1 storing bucket `bucket` under `dir` (s3rver: each object is
 * `<dir>/bucket/<key>._S3rver_object`), behind a loopback gate that records requests and refuses
 * unsigned ones as a private AWS bucket does (s3rver itself lets anonymous requests through).
 */
export async function startS3Server(dir: string, options: S3ServerOptions = {}): Promise<S3Server> {
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'bucket', configs: [] }] });
  const target = `http://127.0.0.1:${((await s3rver.run()) as AddressInfo).port}`;
  const requests: S3Request[] = [];
  const faults: Fault[] = [];
  const nextFault = (kind: Fault['kind'], recorded: S3Request) => {
    const fault = faults.find((f) => f.kind === kind && f.left > 0 && f.pick(recorded));
    if (fault) fault.left--;
    return fault;
  };
  const gate: Server = createServer((req, res) => {
    const url = new URL(req.url!, target);
    const recorded: S3Request = { method: req.method!, path: url.pathname, query: url.search.slice(1).replace(/uploadId=[^&]+/, 'uploadId=*') };
    if (req.headers.range) recorded.range = req.headers.range;
    requests.push(recorded);
    const refuse = (status: number, code: string) => {
      req.resume();
      req.on('end', () => res.writeHead(status, { 'Content-Type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code></Error>`));
    };
    if (!req.headers.authorization) return refuse(403, 'AccessDenied');
    if (options.fail?.(recorded)) return refuse(500, 'InternalError');
    const answerFault = nextFault('answer', recorded);
    if (answerFault) return refuse(answerFault.status!, answerFault.code!);
    const cutRequest = nextFault('cutRequest', recorded);
    if (cutRequest) return cutAfter(req, cutRequest.bytes!, () => req.socket.destroy());
    const cutResponse = nextFault('cutResponse', recorded);
    const forwarded = request(url, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      if (!cutResponse) return void answer.pipe(res);
      cutAfter(answer, cutResponse.bytes!, () => res.socket?.destroy(), res);
    });
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(gate.address() as AddressInfo).port}`,
    requests,
    faults: {
      answer: (count, pick, status = 503, code = 'SlowDown') => void faults.push({ kind: 'answer', left: count, pick, status, code }),
      cutResponse: (count, pick, bytes) => void faults.push({ kind: 'cutResponse', left: count, pick, bytes }),
      cutRequest: (count, pick, bytes) => void faults.push({ kind: 'cutRequest', left: count, pick, bytes }),
    },
    close: async () => {
      gate.closeAllConnections();
      await new Promise<void>((resolve) => gate.close(() => resolve()));
      await s3rver.close();
    },
  };
}

/** Passes `bytes` bytes of `stream` on to `to` (when given), then `cut`s the connection once they are flushed. */
function cutAfter(stream: NodeJS.ReadableStream, bytes: number, cut: () => void, to?: NodeJS.WritableStream): void {
  let passed = 0;
  const onData = (chunk: Buffer) => {
    const room = bytes - passed;
    if (chunk.length < room) {
      passed += chunk.length;
      to?.write(chunk);
      return;
    }
    stream.removeListener('data', onData);
    stream.pause();
    if (to) to.write(chunk.subarray(0, room), cut);
    else cut();
  };
  stream.on('data', onData);
}
