import { parentPort } from 'node:worker_threads';
import { md5OfFile } from './file';

/**
 * A hashing thread of the pool (`worker-pool.ts`): receives a batch of files, answers their md5s
 * in order, and reports the bytes it has read every few MiB so progress keeps moving.
 */
export interface HashRequest {
  id: number;
  paths: string[];
  sizes: number[];
}

export interface HashReply {
  id: number;
  progress?: number;
  md5s?: string[];
  error?: { message: string; code?: string; path?: string };
}

const PROGRESS_STEP = 8 << 20;

function serve(port: NonNullable<typeof parentPort>): void {
  port.on('message', async ({ id, paths, sizes }: HashRequest) => {
    let pending = 0;
    const onBytes = (n: number) => {
      pending += n;
      if (pending < PROGRESS_STEP) return;
      port.postMessage({ id, progress: pending } satisfies HashReply);
      pending = 0;
    };
    try {
      const md5s: string[] = [];
      for (let i = 0; i < paths.length; i++) md5s.push(await md5OfFile(paths[i]!, sizes[i]!, onBytes));
      port.postMessage({ id, md5s, progress: pending } satisfies HashReply);
    } catch (e) {
      const error = e as NodeJS.ErrnoException;
      port.postMessage({ id, progress: pending, error: { message: String(error?.message), code: error?.code, path: error?.path } } satisfies HashReply);
    }
  });
}

if (parentPort) serve(parentPort);
