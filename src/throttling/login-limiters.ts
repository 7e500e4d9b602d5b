import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { BaseAppSettings } from '../config/base-app-settings';

/**
 * The counters of failed logins and of registrations. Any rate-limiter-flexible back end
 * fits (memory here; Redis for an app on several instances, so that every instance sees the
 * same counts).
 *
 * - `accountAddress`: failures of one account from one client address (`LOGIN_MAX_ATTEMPTS`):
 *   the lock a guesser meets first, and the only one an honest user's typos can reach.
 * - `account`: failures of one account from all addresses (`LOGIN_MAX_ATTEMPTS_PER_ACCOUNT`,
 *   far higher): bounds a distributed guesser.
 * - `address`: failures from one address across accounts (`LOGIN_MAX_ATTEMPTS_PER_ADDRESS`):
 *   bounds password spraying.
 * - `registration`: registrations from one address per hour (`REGISTER_MAX_PER_ADDRESS`).
 * - `accountMail`, `accountMailAddress`: account mails (verification, password reset) per
 *   account or typed email, and requests for them per address, per hour
 *   (`ACCOUNT_MAIL_MAX_PER_ACCOUNT`, `ACCOUNT_MAIL_MAX_PER_ADDRESS`).
 */
export interface LoginLimiters {
  accountAddress: RateLimiterAbstract;
  account: RateLimiterAbstract;
  address: RateLimiterAbstract;
  registration: RateLimiterAbstract;
  /**
   * Addresses an account logged in from (`KNOWN_ADDRESS_DAYS`): they are not held by the
   * account-wide lock, so strangers' failures elsewhere cannot lock the owner out at home.
   * Optional: without it, the account-wide lock holds for every address.
   */
  knownAddress?: RateLimiterAbstract;
  /**
   * Optional, as `accountMailAddress`: without them the account mails are counted in this
   * process only (`memoryLoginLimiters` and `redisLoginLimiters` make both).
   */
  accountMail?: RateLimiterAbstract;
  accountMailAddress?: RateLimiterAbstract;
  /**
   * Wrong second-factor codes of one account from all addresses (`MFA_MAX_ATTEMPTS`), ended
   * only by an accepted code. Optional: without it they are counted in this process only.
   */
  secondFactor?: RateLimiterAbstract;
}

/**
 * How long an address an account logged in from stays known to it. Below 24.8 days: the
 * memory store expires entries with a timer, and Node cuts a longer one to 1 ms.
 */
export const KNOWN_ADDRESS_DAYS = 20;

/**
 * Limiter options from settings: for logins the lockout window is also the counting window;
 * registrations are counted per hour.
 */
export function loginLimiterOptions(
  settings: BaseAppSettings,
  kind: keyof LoginLimiters,
  keyPrefix = 'fastcore:login:',
): { points: number; duration: number; keyPrefix: string } {
  const points = {
    accountAddress: settings.LOGIN_MAX_ATTEMPTS,
    account: settings.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT,
    address: settings.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
    registration: settings.REGISTER_MAX_PER_ADDRESS,
    // A mark, not a count.
    knownAddress: 1,
    accountMail: settings.ACCOUNT_MAIL_MAX_PER_ACCOUNT,
    accountMailAddress: settings.ACCOUNT_MAIL_MAX_PER_ADDRESS,
    secondFactor: settings.MFA_MAX_ATTEMPTS,
  }[kind];
  const duration = {
    accountAddress: settings.LOGIN_LOCKOUT_SECONDS,
    account: settings.LOGIN_LOCKOUT_SECONDS,
    address: settings.LOGIN_LOCKOUT_SECONDS,
    registration: 3600,
    knownAddress: KNOWN_ADDRESS_DAYS * 86400,
    accountMail: 3600,
    accountMailAddress: 3600,
    secondFactor: settings.LOGIN_LOCKOUT_SECONDS,
  }[kind];
  return { points, duration, keyPrefix: `${keyPrefix}${kind}` };
}

function limitersOf(make: (kind: keyof LoginLimiters) => RateLimiterAbstract): LoginLimiters {
  return {
    accountAddress: make('accountAddress'),
    account: make('account'),
    address: make('address'),
    registration: make('registration'),
    knownAddress: make('knownAddress'),
    accountMail: make('accountMail'),
    accountMailAddress: make('accountMailAddress'),
    secondFactor: make('secondFactor'),
  };
}

/** In-process counters: the default, for one process. */
export function memoryLoginLimiters(settings: BaseAppSettings): LoginLimiters {
  return limitersOf((kind) => new RateLimiterMemory(loginLimiterOptions(settings, kind)));
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
  return limitersOf(
    (kind) =>
      new RateLimiterRedis({
        ...loginLimiterOptions(settings, kind, keyPrefix),
        storeClient: redis,
        rejectIfRedisNotReady: true,
      }),
  );
}
