import type { Redis } from 'ioredis';
import type { Clock } from '../clock/clock';
import { systemClock } from '../clock/clock';
import { StoreUnavailableError } from '../errors/security-errors';
import { MOVE_CUTOFF, REMEMBER_LONGEST, SPEND_REFRESH } from './redis-scripts';
import type {
  RefreshSpendOutcome,
  RefreshSpendRequest,
  RevocationStore,
  TokenRevocationState,
} from './revocation-store';

/** Options of `RedisRevocationStore`. */
export interface RedisRevocationStoreOptions {
  /** Prefix of every key. Default `fastcore:revocation:`. */
  keyPrefix?: string;
  /** The clock TTLs are computed from. Default: the wall clock. */
  clock?: Clock;
}

/** The store's scripts, registered on the client under names that are ours. */
interface ScriptedRedis extends Redis {
  fastcoreRememberLongest(key: string, ttlMs: number): Promise<unknown>;
  fastcoreMoveCutoff(key: string, cutoffMs: number, ttlMs: number): Promise<unknown>;
  fastcoreSpendRefresh(
    jtiKey: string,
    familyKey: string,
    userKey: string,
    spentKey: string,
    issuedAtMs: number,
    spentTtlMs: number,
    familyTtlMs: number,
  ): Promise<RefreshSpendOutcome>;
}

/**
 * Revocation state in Redis, shared by every instance of an app: a logout on one is seen by
 * all at once, and a refresh token is spent once across all of them. Every entry expires
 * with the tokens it concerns (`PX` = their remaining life, never 0 or negative); a check is
 * one `MGET`; the operations that must be atomic are Lua scripts.
 *
 * Durability is Redis's: without persistence (AOF or RDB) a Redis restart forgets
 * revocations, and revoked tokens live again until they expire.
 *
 * Give it a client made for failing fast (`createRedisClient`): no offline queue, a command
 * timeout. Any error of the client becomes `StoreUnavailableError` (HTTP 503).
 */
export class RedisRevocationStore implements RevocationStore {
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;
  private readonly clock: Clock;

  constructor(redis: Redis, options: RedisRevocationStoreOptions = {}) {
    this.prefix = options.keyPrefix ?? 'fastcore:revocation:';
    this.clock = options.clock ?? systemClock;
    redis.defineCommand('fastcoreRememberLongest', { numberOfKeys: 1, lua: REMEMBER_LONGEST });
    redis.defineCommand('fastcoreMoveCutoff', { numberOfKeys: 1, lua: MOVE_CUTOFF });
    redis.defineCommand('fastcoreSpendRefresh', { numberOfKeys: 4, lua: SPEND_REFRESH });
    this.redis = redis as ScriptedRedis;
  }

  async revokeToken(jti: string, expiresAtMs: number): Promise<void> {
    await this.remember(this.key('jti', jti), expiresAtMs);
  }

  async revokeFamily(familyId: string, expiresAtMs: number): Promise<void> {
    await this.remember(this.key('fam', familyId), expiresAtMs);
  }

  async revokeUserTokens(subject: string, cutoffMs: number, expiresAtMs: number): Promise<void> {
    const ttl = this.ttl(expiresAtMs);
    if (ttl === undefined) return;
    await this.call(() => this.redis.fastcoreMoveCutoff(this.key('usr', subject), cutoffMs, ttl));
  }

  async isRevoked(token: TokenRevocationState): Promise<boolean> {
    const keys = [this.key('jti', token.jti), this.key('usr', token.subject)];
    if (token.familyId !== undefined) keys.push(this.key('fam', token.familyId));
    const [jti, cutoff, family] = await this.call(() => this.redis.mget(keys));
    if (jti !== null || (family !== undefined && family !== null)) return true;
    return cutoff !== null && cutoff !== undefined && token.issuedAtMs <= Number(cutoff);
  }

  async spendRefreshToken(token: RefreshSpendRequest): Promise<RefreshSpendOutcome> {
    // A spend request for a token already past its life cannot happen (it failed
    // verification); one millisecond keeps the arithmetic of an edge case valid.
    const spentTtl = this.ttl(token.expiresAtMs) ?? 1;
    const familyTtl = this.ttl(token.familyExpiresAtMs) ?? 1;
    return this.call(() =>
      this.redis.fastcoreSpendRefresh(
        this.key('jti', token.jti),
        this.key('fam', token.familyId),
        this.key('usr', token.subject),
        this.key('spent', token.jti),
        token.issuedAtMs,
        spentTtl,
        familyTtl,
      ),
    );
  }

  private async remember(key: string, expiresAtMs: number): Promise<void> {
    const ttl = this.ttl(expiresAtMs);
    if (ttl === undefined) return;
    await this.call(() => this.redis.fastcoreRememberLongest(key, ttl));
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
