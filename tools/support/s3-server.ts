import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

export interface S3Request {
  method: string;
  path: string;
  /** The query, the upload id replaced by `*`. */
  query: string;
}

export interface S3ServerOptions {
  /** Requests this picks are answered 500 (a failing part, say). */
  fail?: (request: S3Request) => boolean;
}

export interface S3Server {
  /** What a DVC remote's `endpointurl` says. */
  endpoint: string;
  /** Every request, in arrival order. */
  requests: S3Request[];
  close(): Promise<void>;
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
  const gate: Server = createServer((req, res) => {
    const url = new URL(req.url!, target);
    const recorded = { method: req.method!, path: url.pathname, query: url.search.slice(1).replace(/uploadId=[^&]+/, 'uploadId=*') };
    requests.push(recorded);
    const refuse = (status: number, code: string) => {
      req.resume();
      req.on('end', () => res.writeHead(status, { 'Content-Type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code></Error>`));
    };
    if (!req.headers.authorization) return refuse(403, 'AccessDenied');
    if (options.fail?.(recorded)) return refuse(500, 'InternalError');
    const forwarded = request(url, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(gate.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      gate.closeAllConnections();
      await new Promise<void>((resolve) => gate.close(() => resolve()));
      await s3rver.close();
    },
  };
}
