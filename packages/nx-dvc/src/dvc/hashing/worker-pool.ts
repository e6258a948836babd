import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HashReply, HashRequest } from './worker';

/** A pool of hashing threads (`worker.ts`), started on first use and unref'd while idle. */

export interface FileToHash {
  path: string;
  size: number;
}

/** The worker thread: its compiled module in the package; from the sources (tests, tsx), through tsx's loader. */
function startWorker(): Worker {
  const compiled = join(__dirname, 'worker.js');
  if (existsSync(compiled)) return new Worker(compiled, { execArgv: [] });
  // Node 20 does not hand `--import tsx` to worker threads: register tsx's require hook in the thread
  const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(join(__dirname, 'worker.ts'))});`;
  return new Worker(bootstrap, { eval: true, execArgv: [] });
}

interface Task {
  id: number;
  paths: string[];
  sizes: number[];
  onBytes?: (n: number) => void;
  resolve(md5s: string[]): void;
  reject(error: Error): void;
}

interface PoolWorker {
  worker: Worker;
  task?: Task;
}

class HashWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  limit = 0;

  run(paths: string[], sizes: number[], onBytes?: (n: number) => void): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, paths, sizes, onBytes, resolve, reject });
      this.pump();
    });
  }

  async terminate(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length) {
      let idle = this.workers.find((w) => !w.task);
      if (!idle) {
        if (this.workers.length >= this.limit) return;
        idle = this.spawn();
      }
      const task = this.queue.shift()!;
      idle.task = task;
      idle.worker.ref();
      idle.worker.postMessage({ id: task.id, paths: task.paths, sizes: task.sizes } satisfies HashRequest);
    }
  }

  private spawn(): PoolWorker {
    const entry: PoolWorker = { worker: startWorker() };
    const { worker } = entry;
    worker.on('message', (reply: HashReply) => {
      const task = entry.task;
      if (!task || reply.id !== task.id) return;
      if (reply.progress) task.onBytes?.(reply.progress);
      if (!reply.md5s && !reply.error) return;
      entry.task = undefined;
      worker.unref();
      if (reply.md5s) task.resolve(reply.md5s);
      else {
        const error = Object.assign(new Error(reply.error!.message), { code: reply.error!.code, path: reply.error!.path });
        task.reject(error);
      }
      this.pump();
    });
    const fail = (error: Error) => {
      const index = this.workers.indexOf(entry);
      if (index >= 0) this.workers.splice(index, 1);
      const task = entry.task;
      entry.task = undefined;
      task?.reject(error);
      this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`md5 worker exited with code ${code}`)));
    worker.unref();
    this.workers.push(entry);
    return entry;
  }
}

let pool: HashWorkerPool | undefined;

/** Stops the hashing threads (they are unref'd while idle, so this is only needed for tidiness). */
export async function shutdownHashWorkers(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.terminate();
}

const BATCH_FILES = 64;
const BATCH_BYTES = 8 << 20;

/** md5s of `files` (in order), hashed by up to `threads` workers; largest files first for balance. */
export async function hashInWorkers(files: readonly FileToHash[], threads: number, onBytes?: (n: number) => void): Promise<string[]> {
  pool ??= new HashWorkerPool();
  pool.limit = Math.max(pool.limit, threads);
  const order = files.map((_, i) => i).sort((a, b) => files[b]!.size - files[a]!.size);
  const batches: number[][] = [];
  let batch: number[] = [];
  let bytes = 0;
  for (const i of order) {
    const size = files[i]!.size;
    if (batch.length && (batch.length >= BATCH_FILES || bytes + size > BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(i);
    bytes += size;
  }
  if (batch.length) batches.push(batch);

  const md5s: string[] = new Array(files.length);
  const current = pool;
  await Promise.all(
    batches.map(async (indexes) => {
      const result = await current.run(
        indexes.map((i) => files[i]!.path),
        indexes.map((i) => files[i]!.size),
        onBytes,
      );
      indexes.forEach((i, k) => (md5s[i] = result[k]!));
    }),
  );
  return md5s;
}
