import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface CacheRequest {
  method: string;
  hash: string;
  status: number;
}

/**
 * Nx's self-hosted remote cache API (`GET`/`PUT /v1/cache/{hash}`, bearer token, 409 on
 * overwrite), storing artifacts as files. Started by the tests on 127.0.0.1, port 0.
 */
export class RemoteCacheServer {
  readonly requests: CacheRequest[] = [];
  private server: Server | undefined;

  constructor(
    private readonly storage: string,
    private readonly token?: string,
  ) {
    mkdirSync(storage, { recursive: true });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const match = /^\/v1\/cache\/([0-9A-Za-z]+)$/.exec(req.url ?? '');
      const reply = (status: number) => {
        this.requests.push({ method: req.method ?? '', hash: match?.[1] ?? '', status });
        if (status === 401) {
          // the API's error bodies are plain text; Nx refuses anything else
          res.writeHead(status, { 'Content-Type': 'text/plain' });
          res.end('Unauthorized: invalid access token');
          return;
        }
        res.writeHead(status);
        res.end();
      };
      if (!match) return reply(404);
      if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
        req.resume();
        return reply(401);
      }
      const file = join(this.storage, match[1]);
      if (req.method === 'GET') {
        if (!existsSync(file)) return reply(404);
        // streamed: artifacts can be larger than one Buffer may hold (2 GiB)
        this.requests.push({ method: 'GET', hash: match[1], status: 200 });
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': statSync(file).size });
        createReadStream(file).pipe(res);
        return;
      }
      if (req.method !== 'PUT') return reply(405);
      if (existsSync(file)) {
        req.resume();
        return reply(409);
      }
      const partial = `${file}.partial`;
      req.pipe(createWriteStream(partial)).on('finish', () => {
        renameSync(partial, file);
        reply(200);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
