import {
  RedisRevocationStore,
  createRedisClient,
  createRedisClusterClient,
  createRedisSentinelClient,
  redisLoginLimiters,
} from '@fastcore/security';
// The subpath, resolved by this project's tsc without `exports` (moduleResolution node10).
import type { LoginLimiters, RevocationStore } from '@fastcore/security/advanced';
import type { AppSettings } from './app-settings';
import { logLine } from './log';

/** How long the start waits for Redis before serving anyway (its requests then 503s). */
const READY_WAIT_MS = 10_000;

/** The clients made so far, for `untilRedisReady`. */
const clients: { status: string; once(event: 'ready', listener: () => void): unknown }[] = [];

/**
 * Revocations and login counters in Redis, on one server, a Redis Cluster or through
 * Sentinel, as the README's "More than one process" and "Redis Cluster and Sentinel" show.
 */
export function redisSecurity(settings: AppSettings): {
  revocationStore: RevocationStore;
  loginLimiters: LoginLimiters;
} {
  const onError = (error: Error): void => logLine('redis_error', error.name);
  const target = settings.REDIS;
  const redis =
    target.kind === 'cluster'
      ? createRedisClusterClient(target.nodes, { onError })
      : target.kind === 'sentinel'
        ? createRedisSentinelClient(target, { onError })
        : createRedisClient(target.url, { onError });
  clients.push(redis);
  return {
    revocationStore: new RedisRevocationStore(redis, {
      keyPrefix: `${settings.REDIS_KEY_PREFIX}revocation:`,
    }),
    loginLimiters: redisLoginLimiters(redis, settings, `${settings.REDIS_KEY_PREFIX}login:`),
  };
}

/** Resolves once every client made is ready (the README: wait for `ready` before serving). */
export async function untilRedisReady(): Promise<void> {
  await Promise.all(
    clients.map((redis) =>
      redis.status === 'ready'
        ? undefined
        : new Promise<void>((ready) => {
            const timer = setTimeout(ready, READY_WAIT_MS);
            redis.once('ready', () => {
              clearTimeout(timer);
              ready();
            });
          }),
    ),
  );
}
