import { RedisRevocationStore, createRedisClient, redisLoginLimiters } from '@fastcore/security';
// The subpath, resolved by this project's tsc without `exports` (moduleResolution node10).
import type { LoginLimiters, RevocationStore } from '@fastcore/security/advanced';
import type { AppSettings } from './app-settings';
import { logLine } from './log';

/** Revocations and login counters in Redis, as the README's "More than one process" shows. */
export function redisSecurity(settings: AppSettings): {
  revocationStore: RevocationStore;
  loginLimiters: LoginLimiters;
} {
  const redis = createRedisClient(settings.REDIS_URL, {
    onError: (error) => logLine('redis_error', error.name),
  });
  return {
    revocationStore: new RedisRevocationStore(redis, {
      keyPrefix: `${settings.REDIS_KEY_PREFIX}revocation:`,
    }),
    loginLimiters: redisLoginLimiters(redis, settings, `${settings.REDIS_KEY_PREFIX}login:`),
  };
}
