import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { StoreUnavailableError } from '../errors/security-errors';

/**
 * Runs one operation of a rate limiter: a limit reached stays the limiter's answer (it
 * rejects with a `RateLimiterRes`); anything else (its store down or slow) is a 503, with
 * nothing of the store's error in it.
 * @throws RateLimiterRes past a limit; StoreUnavailableError for any other failure.
 */
export async function limiterCall<T>(
  limiter: RateLimiterAbstract,
  operation: (l: RateLimiterAbstract) => Promise<T>,
): Promise<T> {
  try {
    return await operation(limiter);
  } catch (error) {
    if (error instanceof RateLimiterRes) throw error;
    throw new StoreUnavailableError();
  }
}

/** A limiter's count of one more point, whether or not it is past the limit. */
export function pointCounted(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes> {
  return limiterCall(limiter, (l) => l.penalty(key)).catch((error: unknown) => {
    if (error instanceof RateLimiterRes) return error;
    throw error;
  });
}
