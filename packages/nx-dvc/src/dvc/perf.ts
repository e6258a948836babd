import { performance } from 'node:perf_hooks';

/**
 * Runs `fn` as a performance measure called `name`: Nx prints it with NX_PERF_LOGGING=true and the
 * benchmarks read it (tools/bench/process-hook.cjs), so the data's journey is timed apart from Nx's own start-up.
 */
export async function measured<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    performance.measure(name, { start, end: performance.now() });
  }
}
