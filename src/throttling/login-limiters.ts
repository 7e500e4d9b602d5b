import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { BaseAppSettings } from '../config/base-app-settings';

/**
 * The two counters of failed logins: per account, and per client address with a much
 * higher limit. Any rate-limiter-flexible back end fits (memory here; Redis for an app on
 * several instances, so that every instance sees the same counts).
 */
export interface LoginLimiters {
  account: RateLimiterAbstract;
  address: RateLimiterAbstract;
}

/** Limiter options from settings: the lockout window is also the counting window. */
export function loginLimiterOptions(
  settings: BaseAppSettings,
  kind: keyof LoginLimiters,
  keyPrefix = 'fastcore:login:',
): { points: number; duration: number; keyPrefix: string } {
  return {
    points:
      kind === 'account' ? settings.LOGIN_MAX_ATTEMPTS : settings.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
    duration: settings.LOGIN_LOCKOUT_SECONDS,
    keyPrefix: `${keyPrefix}${kind}`,
  };
}

/** In-process counters: the default, for one process. */
export function memoryLoginLimiters(settings: BaseAppSettings): LoginLimiters {
  return {
    account: new RateLimiterMemory(loginLimiterOptions(settings, 'account')),
    address: new RateLimiterMemory(loginLimiterOptions(settings, 'address')),
  };
}

/**
 * What rate-limiter-flexible's `RateLimiterRedis` uses of an ioredis client: its `Redis` of
 * major 5 or 6 fits (typed by shape, so the application's own client type-checks whichever
 * major it has). `status` is how the limiter sees that the client is not ready.
 */
export interface RedisLimiterClient {
  readonly status: string;
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  multi(): RedisLimiterTransaction;
  del(...keys: string[]): Promise<number>;
}

/** The commands the limiter chains in a `MULTI`. */
interface RedisLimiterTransaction {
  set(key: string, value: number): RedisLimiterTransaction;
  set(key: string, value: number, mode: 'EX', seconds: number): RedisLimiterTransaction;
  incrby(key: string, increment: number): RedisLimiterTransaction;
  get(key: string): RedisLimiterTransaction;
  pttl(key: string): RedisLimiterTransaction;
  exec(): Promise<unknown>;
}

/**
 * Counters in Redis, shared by every instance (a client from `createRedisClient`, or the
 * app's own ioredis 5 or 6 client). When Redis is not ready a login fails fast with
 * `StoreUnavailableError` (503), never unthrottled.
 */
export function redisLoginLimiters(
  redis: RedisLimiterClient,
  settings: BaseAppSettings,
  keyPrefix?: string,
): LoginLimiters {
  const limiter = (kind: keyof LoginLimiters) =>
    new RateLimiterRedis({
      ...loginLimiterOptions(settings, kind, keyPrefix),
      storeClient: redis,
      rejectIfRedisNotReady: true,
    });
  return { account: limiter('account'), address: limiter('address') };
}
