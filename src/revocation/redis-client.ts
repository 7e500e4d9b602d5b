import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';

/** Options of `createRedisClient`, on top of ioredis's own. */
export interface FailFastRedisOptions extends RedisOptions {
  /** Told of connection errors (ioredis emits them as events): log them, without the URL. */
  onError?: (error: Error) => void;
}

/**
 * An ioredis client that fails fast instead of queueing: with Redis down or slow, a request
 * that needs it gets a `StoreUnavailableError` (503) within about half a second, not a hang
 * and not a pile of queued commands. It reconnects by itself, so the app recovers when
 * Redis returns. The URL may hold a password: it is never logged here.
 *
 * The client is the application's ioredis (a peer dependency, major 5 or 6): the same class
 * its own code imports. `RedisRevocationStore` and `redisLoginLimiters` also take a client
 * the application made itself.
 *
 * @example
 * ```ts
 * const redis = createRedisClient(process.env.REDIS_URL!, { onError: (e) => log.warn(e.name) });
 * ```
 */
export function createRedisClient(url: string, options: FailFastRedisOptions = {}): Redis {
  const { onError, ...redisOptions } = options;
  const client = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: 500,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    ...redisOptions,
  });
  // Without a listener ioredis prints every connection error itself.
  client.on('error', (error: Error) => onError?.(error));
  return client;
}
