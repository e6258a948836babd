import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { remoteCacheProblem } from './pre-tasks-execution';

describe('remote cache probe', () => {
  test('accepts a miss, reports a refused token and an unreachable server', async () => {
    const server = createServer((req, res) => {
      res.writeHead(req.headers.authorization === 'Bearer good' ? 404 : 401, { 'Content-Type': 'text/plain' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal(await remoteCacheProblem(url, 'good'), undefined);
      assert.equal(await remoteCacheProblem(`${url}/`, 'bad'), 'refused the access token (401 Unauthorized)');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    assert.match((await remoteCacheProblem(url, 'good'))!, /^cannot be reached \(/);
  });
});
