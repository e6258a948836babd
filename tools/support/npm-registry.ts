import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

const UPSTREAM = process.env.NX_DVC_E2E_UPSTREAM_REGISTRY ?? 'https://registry.npmjs.org';

export interface LocalRegistry {
  url: string;
  /** Package names asked for, in order (metadata requests only). */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A loopback npm registry that publishes one package from a tarball and passes every other
 * metadata request to the public registry (tarball URLs in that metadata stay absolute, so npm
 * downloads them from upstream or its own cache). It lets `nx add nx-dvc` resolve the unpublished
 * package exactly as it will resolve the published one.
 */
export async function startLocalRegistry(tarball: string): Promise<LocalRegistry> {
  const bytes = readFileSync(tarball);
  const manifest = JSON.parse(readPackageJson(bytes)) as { name: string; version: string };
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\/+/, '');
    if (path === `${manifest.name}/-/${manifest.name}-${manifest.version}.tgz`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
      return;
    }
    requests.push(path);
    if (path === manifest.name) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument(manifest, bytes, baseUrl())));
      return;
    }
    fetch(`${UPSTREAM}/${path.replace('/', '%2f')}`, { headers: { accept: req.headers.accept ?? 'application/json' } })
      .then(async (upstream) => {
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await upstream.arrayBuffer()));
      })
      .catch((error: Error) => res.writeHead(502).end(error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${baseUrl()}/`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function packument(manifest: Record<string, unknown> & { name: string; version: string }, bytes: Buffer, base: string) {
  const dist = {
    tarball: `${base}/${manifest.name}/-/${manifest.name}-${manifest.version}.tgz`,
    shasum: createHash('sha1').update(bytes).digest('hex'),
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
  };
  return {
    name: manifest.name,
    'dist-tags': { latest: manifest.version },
    versions: { [manifest.version]: { ...manifest, dist } },
  };
}

/** package/package.json out of the gzipped tar, without a tar library. */
function readPackageJson(tgz: Buffer): string {
  const tar = gunzipSync(tgz);
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const name = tar.subarray(offset, offset + 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(tar.subarray(offset + 124, offset + 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    if (name === 'package/package.json') return tar.subarray(offset + 512, offset + 512 + size).toString('utf8');
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error('package/package.json not found in the tarball');
}
