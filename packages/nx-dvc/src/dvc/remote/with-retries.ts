import { setTimeout as sleep } from 'node:timers/promises';
import { HttpStatusError } from './http-request';
import type { RetryPolicy } from './retry-policy';

/** What one attempt can tell the loop: that it moved the transfer on, so its failure costs no attempt. */
export interface AttemptState {
  progressed(): void;
}

/** A body that ended before its announced size, or a resumed one that did not continue where it stopped. */
export class BrokenBodyError extends Error {
  readonly code = 'EBROKENBODY';
}

/** Connection failures botocore and aiohttp count as worth a new attempt (a reset, a timeout, a hang-up, no route). */
const CONNECTION_ERRORS = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'ENETUNREACH', 'ENETDOWN', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET', 'EBROKENBODY',
]);

/**
 * Runs `attempt` until it succeeds, fails in a way another attempt cannot mend (a 4xx, a local
 * file error), or the policy's attempts are spent; then the last error, saying how often it was tried.
 * An attempt must send its request afresh (a body re-read from its file, a new signature).
 */
export async function withRetries<T>(policy: RetryPolicy, what: string, attempt: (state: AttemptState) => Promise<T>): Promise<T> {
  let failed = 0;
  for (;;) {
    let progressed = false;
    try {
      return await attempt({ progressed: () => void (progressed = true) });
    } catch (error) {
      if (!isRetryable(error, policy)) throw error;
      failed = progressed ? 1 : failed + 1;
      if (failed >= policy.maxAttempts) throw gaveUp(error, what, failed, policy);
      await sleep(policy.delaySeconds(failed) * 1000);
    }
  }
}

export function isRetryable(error: unknown, policy: RetryPolicy): boolean {
  if (error instanceof HttpStatusError) return policy.retryableAnswer(error.status, error.code);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && CONNECTION_ERRORS.has(code);
}

/** The last error, its message completed: what was sent (a connection error does not say) and how often. */
function gaveUp(error: unknown, what: string, attempts: number, policy: RetryPolicy): Error {
  const last = error as NodeJS.ErrnoException;
  if (!(error instanceof HttpStatusError)) last.message = `${what}: ${last.message} (${last.code})`;
  last.message += `\nGave up after ${attempts} attempt${attempts === 1 ? '' : 's'} (${policy.origin}).`;
  return last;
}
