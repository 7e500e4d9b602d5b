import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import type { Clock } from '../clock/clock';
import { systemClock } from '../clock/clock';
import { ConfigurationError, StoreUnavailableError } from '../errors/security-errors';
import {
  CHECK_REFRESH,
  MOVE_CUTOFF,
  NEXT_EPOCH,
  READ_EPOCH,
  REMEMBER_LONGEST,
  ROTATE_REFRESH,
  UNDO_ROTATION,
} from './redis-scripts';
import { RedisSessionRegistry } from '../sessions/redis-session-registry';
import type {
  NextGeneration,
  RefreshCheckOutcome,
  RefreshRotateOutcome,
  RefreshTokenState,
  RevocationStore,
  TokenRevocationState,
} from './revocation-store';

/** Options of `RedisRevocationStore`. */
export interface RedisRevocationStoreOptions {
  /** Prefix of every key. Default `fastcore:revocation:`. */
  keyPrefix?: string;
  /** The clock TTLs are computed from. Default: the wall clock. */
  clock?: Clock;
  /**
   * How long after it was sent a rotation may still take effect on the server; later (Redis
   * frozen, the client gone), it changes nothing. Must be shorter than the client's command
   * timeout by more than a reply's transit time. Default: half the client's
   * `commandTimeout` (a `createRedisClient` client: 250 ms), or 1000 ms without one.
   */
  rotationWindowMs?: number;
}

/**
 * What `RedisRevocationStore` uses of an ioredis client: its `Redis` of major 5 or 6 fits
 * (typed by shape, so the application's own client type-checks whichever major it has).
 */
export interface RedisRevocationClient {
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  mget(keys: string[]): Promise<(string | null)[]>;
  /** The server's time: `[seconds, microseconds]`. */
  time(): Promise<unknown>;
  config(subcommand: 'GET', parameter: string): Promise<unknown>;
}

/** What `checkEvictionPolicy` found: safe, or not readable (`CONFIG` disabled by the host). */
export type EvictionPolicyCheck = 'safe' | 'unknown';

/** The store's scripts, registered on the client under names that are ours. */
interface ScriptedRedis extends RedisRevocationClient {
  fastcoreRememberLongest(key: string, ttlMs: number): Promise<unknown>;
  fastcoreMoveCutoff(key: string, cutoffMs: number, epoch: number, ttlMs: number): Promise<unknown>;
  fastcoreNextEpoch(key: string): Promise<string>;
  fastcoreReadEpoch(key: string): Promise<string>;
  fastcoreCheckRefresh(...args: [...RefreshKeys, ...RefreshArgs]): Promise<RefreshCheckOutcome>;
  fastcoreRotateRefresh(
    ...args: [
      ...RefreshKeys,
      ...RefreshArgs,
      nextTtlMs: number,
      deadlineMs: number,
      attempt: string,
    ]
  ): Promise<RefreshRotateOutcome | 'late'>;
  fastcoreUndoRotation(generationKey: string, entry: string, previous: string): Promise<unknown>;
}

/** The keys of a refresh token's standing: jti, family, user cutoff, session generation. */
type RefreshKeys = [jtiKey: string, familyKey: string, userKey: string, generationKey: string];

/** The arguments of a refresh token's standing: see `STANDING` in redis-scripts. */
type RefreshArgs = [
  startedAtMs: number,
  generation: number,
  familyTtlMs: number,
  sessionEpoch: number,
  reuseIntervalMs: number,
];

/** A monotonic clock for elapsed time (never a test's faked one). */
const monotonicNow = performance.now.bind(performance);

/** Most tokens checked by one `MGET` (three keys each at most). */
const MAX_CHECK_BATCH = 256;

/**
 * Revocation state in Redis, shared by every instance of an app: a logout on one is seen by
 * all at once, and a refresh token is spent once across all of them. Every entry expires
 * with the tokens it concerns (`PX` = their remaining life, never 0 or negative); the
 * operations that must be atomic are Lua scripts.
 *
 * Checks are batched: the checks asked for within one event-loop turn go to Redis as one
 * `MGET` of all their keys, sent at the turn's end (DataLoader, scheduled with
 * `setImmediate`). A check still costs at most one round trip, and waits one turn for it.
 *
 * Durability is Redis's: without persistence (AOF or RDB) a Redis restart forgets
 * revocations, and revoked tokens live again until they expire. So is eviction: under a
 * `maxmemory` limit any policy but `noeviction` may drop revocation entries (they all have
 * a TTL, so `volatile-*` policies too). Call `checkEvictionPolicy()` at start.
 *
 * Give it a client made for failing fast (`createRedisClient`): no offline queue, a command
 * timeout. Any error of the client becomes `StoreUnavailableError` (HTTP 503).
 *
 * @example
 * ```ts
 * const redis = createRedisClient(process.env.REDIS_URL!); // or the app's ioredis 5 or 6 client
 * configureSecurity({ revocationStore: new RedisRevocationStore(redis, { keyPrefix: 'app:' }) });
 * ```
 */
export class RedisRevocationStore implements RevocationStore {
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly checks: DataLoader<TokenRevocationState, boolean>;
  private readonly rotationWindowMs: number;

  constructor(redis: RedisRevocationClient, options: RedisRevocationStoreOptions = {}) {
    this.prefix = options.keyPrefix ?? 'fastcore:revocation:';
    this.clock = options.clock ?? systemClock;
    redis.defineCommand('fastcoreRememberLongest', { numberOfKeys: 1, lua: REMEMBER_LONGEST });
    redis.defineCommand('fastcoreMoveCutoff', { numberOfKeys: 1, lua: MOVE_CUTOFF });
    redis.defineCommand('fastcoreNextEpoch', { numberOfKeys: 1, lua: NEXT_EPOCH });
    redis.defineCommand('fastcoreReadEpoch', { numberOfKeys: 1, lua: READ_EPOCH });
    redis.defineCommand('fastcoreCheckRefresh', { numberOfKeys: 4, lua: CHECK_REFRESH });
    redis.defineCommand('fastcoreRotateRefresh', { numberOfKeys: 4, lua: ROTATE_REFRESH });
    redis.defineCommand('fastcoreUndoRotation', { numberOfKeys: 1, lua: UNDO_ROTATION });
    this.redis = redis as ScriptedRedis;
    this.rotationWindowMs = options.rotationWindowMs ?? defaultRotationWindow(redis);
    this.checks = new DataLoader((tokens) => this.checkBatch(tokens), {
      cache: false,
      maxBatchSize: MAX_CHECK_BATCH,
      batchScheduleFn: (dispatch) => setImmediate(dispatch),
    });
  }

  async revokeToken(jti: string, expiresAtMs: number): Promise<void> {
    await this.remember(this.key('jti', jti), expiresAtMs);
  }

  async revokeFamily(familyId: string, expiresAtMs: number): Promise<void> {
    await this.remember(this.key('fam', familyId), expiresAtMs);
  }

  /**
   * Two steps, so that the keys need not share a Redis Cluster slot: the epoch moves on,
   * then the user's cutoff takes it. Between the two, a session of the user still works; it
   * is over when this resolves.
   */
  async revokeUserTokens(subject: string, cutoffMs: number, expiresAtMs: number): Promise<void> {
    const ttl = this.ttl(expiresAtMs);
    if (ttl === undefined) return;
    const epoch = Number(await this.call(() => this.redis.fastcoreNextEpoch(this.epochKey())));
    await this.call(() =>
      this.redis.fastcoreMoveCutoff(this.key('cut', subject), cutoffMs, epoch, ttl),
    );
  }

  async sessionEpoch(): Promise<number> {
    return Number(await this.call(() => this.redis.fastcoreReadEpoch(this.epochKey())));
  }

  isRevoked(token: TokenRevocationState): Promise<boolean> {
    return this.checks.load(token);
  }

  async checkRefreshToken(token: RefreshTokenState): Promise<RefreshCheckOutcome> {
    return this.call(() =>
      this.redis.fastcoreCheckRefresh(...this.refreshKeys(token), ...this.refreshArgs(token)),
    );
  }

  async rotateRefreshToken(
    token: RefreshTokenState,
    next: NextGeneration,
  ): Promise<RefreshRotateOutcome> {
    const nextTtl = this.ttl(next.expiresAtMs) ?? 1;
    // The deadline in the server's own time (no clock of ours is compared with Redis'):
    // its time as read, plus what has passed here since the read was sent.
    const sent = monotonicNow();
    const serverNow = serverTimeMs(await this.call(() => this.redis.time()));
    const deadline = Math.floor(serverNow + (monotonicNow() - sent) + this.rotationWindowMs);
    // Names this rotation alone: another instance's rotation of the same token writes its own.
    const attempt = randomUUID();
    let outcome: RefreshRotateOutcome | 'late';
    try {
      outcome = await this.redis.fastcoreRotateRefresh(
        ...this.refreshKeys(token),
        ...this.refreshArgs(token),
        nextTtl,
        deadline,
        attempt,
      );
    } catch {
      // No answer in time, yet Redis may have rotated (our event loop stalled past the
      // timeout while the answer waited): undo it, behind it on the same connection. The
      // refresh answers 503, so no one holds the new generation's tokens.
      await this.undoRotation(token, attempt);
      throw new StoreUnavailableError();
    }
    if (outcome === 'late') throw new StoreUnavailableError();
    return outcome;
  }

  /**
   * A session registry on the same Redis and clock, its keys under this store's prefix
   * (`<prefix>sessions:`): what the configuration uses beside this store when it is given no
   * `sessionRegistry`, so that every instance sharing the store shares the sessions too.
   */
  sessionRegistry(): RedisSessionRegistry {
    // The registry's keys carry each user's hash tag: none of the store's prefix.
    return new RedisSessionRegistry(this.redis, {
      keyPrefix: `${this.prefix.replace(/[{}]/g, '')}sessions:`,
      clock: this.clock,
    });
  }

  /**
   * Refuses a server that may evict revocation state: `maxmemory` set with any policy but
   * `noeviction` (evicted entries would bring logged-out tokens back). `unknown` when the
   * server does not let us read its configuration (managed offerings often rename `CONFIG`):
   * check the policy there by hand.
   * @throws ConfigurationError for an evicting policy; StoreUnavailableError when Redis is down.
   */
  async checkEvictionPolicy(): Promise<EvictionPolicyCheck> {
    let reply: unknown;
    try {
      reply = await this.redis.config('GET', 'maxmemory*');
    } catch (error) {
      if (error instanceof Error && error.name === 'ReplyError') return 'unknown';
      throw new StoreUnavailableError();
    }
    const values = new Map<unknown, unknown>();
    if (Array.isArray(reply))
      for (let i = 0; i + 1 < reply.length; i += 2) values.set(reply[i], reply[i + 1]);
    const maxmemory = values.get('maxmemory');
    const policy = values.get('maxmemory-policy');
    if (typeof maxmemory !== 'string' || typeof policy !== 'string') return 'unknown';
    if (Number(maxmemory) === 0 || policy === 'noeviction') return 'safe';
    throw new ConfigurationError(
      'maxmemory-policy',
      `is ${policy} under a maxmemory limit: Redis may evict revocation entries, and revoked tokens would work again; use noeviction (or a Redis of its own without maxmemory)`,
    );
  }

  /** Best effort: when it cannot be sent either, the retry of this refresh counts as reuse. */
  private async undoRotation(token: RefreshTokenState, attempt: string): Promise<void> {
    await this.redis
      .fastcoreUndoRotation(
        this.key('gen', token.familyId),
        `${token.generation + 1}:${attempt}`,
        String(token.generation),
      )
      .catch(() => undefined);
  }

  private refreshArgs(token: RefreshTokenState): RefreshArgs {
    // A token already past its life cannot get here (it failed verification); one
    // millisecond keeps the arithmetic of an edge case valid.
    const familyTtl = this.ttl(token.familyExpiresAtMs) ?? 1;
    return [
      token.startedAtMs,
      token.generation,
      familyTtl,
      token.sessionEpoch ?? -1,
      token.reuseIntervalMs ?? 0,
    ];
  }

  private epochKey(): string {
    return `${this.prefix}epoch`;
  }

  private refreshKeys(token: RefreshTokenState): RefreshKeys {
    return [
      this.key('jti', token.jti),
      this.key('fam', token.familyId),
      this.key('cut', token.subject),
      this.key('gen', token.familyId),
    ];
  }

  private async remember(key: string, expiresAtMs: number): Promise<void> {
    const ttl = this.ttl(expiresAtMs);
    if (ttl === undefined) return;
    await this.call(() => this.redis.fastcoreRememberLongest(key, ttl));
  }

  /** One `MGET` for a batch of checks: each token's jti, user cutoff and family (if any). */
  private async checkBatch(tokens: readonly TokenRevocationState[]): Promise<boolean[]> {
    const keys: string[] = [];
    for (const token of tokens) {
      keys.push(this.key('jti', token.jti), this.key('cut', token.subject));
      if (token.familyId !== undefined) keys.push(this.key('fam', token.familyId));
    }
    const values = await this.call(() => this.redis.mget(keys));
    let next = 0;
    return tokens.map((token) => {
      const jti = values[next++];
      const cutoff = values[next++];
      const family = token.familyId === undefined ? null : values[next++];
      if (jti !== null || family !== null) return true;
      return cutoff !== null && cutoff !== undefined && isCut(token, cutoff);
    });
  }

  /** Milliseconds left until `expiresAtMs`; `undefined` when none are (no entry is made). */
  private ttl(expiresAtMs: number): number | undefined {
    const ttl = Math.ceil(expiresAtMs - this.clock.now());
    return ttl > 0 ? ttl : undefined;
  }

  private key(kind: string, id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch {
      throw new StoreUnavailableError();
    }
  }
}

/** Half the client's command timeout, when it has one (ioredis keeps it in `options`). */
function defaultRotationWindow(redis: RedisRevocationClient): number {
  const timeout = (redis as { options?: { commandTimeout?: unknown } }).options?.commandTimeout;
  return typeof timeout === 'number' && timeout > 0 ? Math.max(1, Math.floor(timeout / 2)) : 1000;
}

/** Whether a user cutoff (`<ms>:<epoch>`) ends the token: by its session's epoch, or its time. */
function isCut(token: TokenRevocationState, cutoff: string): boolean {
  const [cutoffMs, cutoffEpoch] = cutoff.split(':').map(Number);
  return token.sessionEpoch !== undefined
    ? token.sessionEpoch < (cutoffEpoch ?? 0)
    : token.startedAtMs <= (cutoffMs ?? 0);
}

/** `TIME`'s `[seconds, microseconds]` in milliseconds. */
function serverTimeMs(reply: unknown): number {
  const [seconds, micros] = Array.isArray(reply) ? reply.map(Number) : [];
  if (seconds === undefined || micros === undefined || !Number.isFinite(seconds + micros)) {
    throw new StoreUnavailableError();
  }
  return seconds * 1000 + micros / 1000;
}
