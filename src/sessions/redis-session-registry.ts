import type { Clock } from '../clock/clock';
import { systemClock } from '../clock/clock';
import { StoreUnavailableError } from '../errors/security-errors';
import { userHashTag } from '../redis/cluster-hash-tags';
import {
  ADD_SESSION,
  GET_SESSION,
  LIST_SESSIONS,
  REMOVE_OTHER_SESSIONS,
  REMOVE_SESSION,
  TOUCH_SESSION,
} from './redis-session-scripts';
import {
  checkedId,
  checkedKeepId,
  checkedMaxPerUser,
  checkedSession,
  checkedTime,
} from './session-input';
import type { SessionRecord, SessionRegistry } from './session-registry';

/** Options of `RedisSessionRegistry`. */
export interface RedisSessionRegistryOptions {
  /**
   * Prefix of every key. Default `fastcore:sessions:`. It must not hold `{` or `}`: the
   * Redis Cluster hash tag of every key is the user's.
   */
  keyPrefix?: string;
  /**
   * The clock that decides which sessions are live, and that TTLs are computed from.
   * Default: the wall clock.
   */
  clock?: Clock;
}

/**
 * What `RedisSessionRegistry` uses of an ioredis client: its `Redis` of major 5 or 6 fits
 * (typed by shape, so the application's own client type-checks whichever major it has).
 */
export interface RedisSessionClient {
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
}

/** The registry's scripts, registered on the client under names that are ours. */
interface ScriptedRedis extends RedisSessionClient {
  fastcoreSessionAdd(
    ...args: [
      setKey: string,
      sessionKey: string,
      now: number,
      id: string,
      maxPerUser: number,
      createdAtMs: number,
      lastUsedAtMs: number,
      expiresAtMs: number,
      epoch: string,
      address: string,
      userAgent: string,
    ]
  ): Promise<unknown>;
  fastcoreSessionTouch(
    ...args: [setKey: string, sessionKey: string, now: number, id: string, lastUsedAtMs: number]
  ): Promise<unknown>;
  fastcoreSessionList(setKey: string, now: number): Promise<unknown>;
  fastcoreSessionGet(setKey: string, sessionKey: string, now: number, id: string): Promise<unknown>;
  fastcoreSessionRemove(
    setKey: string,
    sessionKey: string,
    now: number,
    id: string,
  ): Promise<unknown>;
  fastcoreSessionRemoveOthers(setKey: string, now: number, keepId: string): Promise<unknown>;
}

/**
 * The session registry in Redis, shared by every instance of an app: each method is one Lua
 * script, so concurrent logins of one user on several instances never leave more than
 * `maxPerUser` sessions, and each evicted session is reported to exactly one of them.
 *
 * Keys: a user's sorted set `<prefix>{<user>}:sessions` of session ids scored by
 * `createdAtMs` (the order of eviction and of `list`, without reading the sessions), and
 * one hash per session, `<prefix>{<user>}:session:<id>`. `<user>` is the user id with `%`,
 * `{` and `}` percent-encoded: one Redis Cluster hash tag per user, so all of a user's keys
 * share a slot and a script may touch them together.
 *
 * Expiry: which sessions are live is decided by the registry's clock (sent to each script);
 * each hash is given what is left of its session by that clock as its TTL, and the set the
 * TTL of its latest session, so Redis forgets them when the app's clock says the session is
 * over, whatever Redis' own clock reads. Members whose hash is gone are pruned by every
 * script that writes.
 *
 * Give it a client made for failing fast (`createRedisClient`). Any error of the client
 * becomes `StoreUnavailableError` (HTTP 503); a call that failed so may still have been
 * carried out by the server.
 *
 * @example
 * ```ts
 * const redis = createRedisClient(process.env.REDIS_URL!); // or the app's ioredis 5 or 6 client
 * const sessions = new RedisSessionRegistry(redis, { keyPrefix: 'app:sessions:' });
 * ```
 */
export class RedisSessionRegistry implements SessionRegistry {
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;
  private readonly clock: Clock;

  constructor(redis: RedisSessionClient, options: RedisSessionRegistryOptions = {}) {
    const prefix = options.keyPrefix ?? 'fastcore:sessions:';
    if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
      throw new TypeError('keyPrefix must be a string without { or }');
    }
    this.prefix = prefix;
    this.clock = options.clock ?? systemClock;
    redis.defineCommand('fastcoreSessionAdd', { numberOfKeys: 2, lua: ADD_SESSION });
    redis.defineCommand('fastcoreSessionTouch', { numberOfKeys: 2, lua: TOUCH_SESSION });
    redis.defineCommand('fastcoreSessionList', { numberOfKeys: 1, lua: LIST_SESSIONS });
    redis.defineCommand('fastcoreSessionGet', { numberOfKeys: 2, lua: GET_SESSION });
    redis.defineCommand('fastcoreSessionRemove', { numberOfKeys: 2, lua: REMOVE_SESSION });
    redis.defineCommand('fastcoreSessionRemoveOthers', {
      numberOfKeys: 1,
      lua: REMOVE_OTHER_SESSIONS,
    });
    this.redis = redis as ScriptedRedis;
  }

  async add(session: SessionRecord, maxPerUser: number): Promise<SessionRecord[]> {
    const record = checkedSession(session);
    const max = checkedMaxPerUser(maxPerUser);
    const reply = await this.call(() =>
      this.redis.fastcoreSessionAdd(
        this.setKey(record.userId),
        this.sessionKey(record.userId, record.id),
        this.clock.now(),
        record.id,
        max,
        record.createdAtMs,
        record.lastUsedAtMs,
        record.expiresAtMs,
        record.epoch === undefined ? '' : String(record.epoch),
        record.address ?? '',
        record.userAgent ?? '',
      ),
    );
    return records(record.userId, reply);
  }

  async touch(userId: string, id: string, lastUsedAtMs: number): Promise<void> {
    checkedId('userId', userId);
    checkedId('id', id);
    checkedTime('lastUsedAtMs', lastUsedAtMs);
    await this.call(() =>
      this.redis.fastcoreSessionTouch(
        this.setKey(userId),
        this.sessionKey(userId, id),
        this.clock.now(),
        id,
        lastUsedAtMs,
      ),
    );
  }

  async list(userId: string): Promise<SessionRecord[]> {
    checkedId('userId', userId);
    const reply = await this.call(() =>
      this.redis.fastcoreSessionList(this.setKey(userId), this.clock.now()),
    );
    return records(userId, reply);
  }

  async get(userId: string, id: string): Promise<SessionRecord | undefined> {
    checkedId('userId', userId);
    checkedId('id', id);
    const reply = await this.call(() =>
      this.redis.fastcoreSessionGet(
        this.setKey(userId),
        this.sessionKey(userId, id),
        this.clock.now(),
        id,
      ),
    );
    return optionalRecord(userId, reply);
  }

  async remove(userId: string, id: string): Promise<SessionRecord | undefined> {
    checkedId('userId', userId);
    checkedId('id', id);
    const reply = await this.call(() =>
      this.redis.fastcoreSessionRemove(
        this.setKey(userId),
        this.sessionKey(userId, id),
        this.clock.now(),
        id,
      ),
    );
    return optionalRecord(userId, reply);
  }

  async removeAllExcept(userId: string, keepId: string | undefined): Promise<SessionRecord[]> {
    checkedId('userId', userId);
    const keep = checkedKeepId(keepId);
    const reply = await this.call(() =>
      this.redis.fastcoreSessionRemoveOthers(this.setKey(userId), this.clock.now(), keep ?? ''),
    );
    return records(userId, reply);
  }

  /** The user's sorted set of session ids (see the class comment). */
  private setKey(userId: string): string {
    return `${this.prefix}{${userHashTag(userId)}}:sessions`;
  }

  private sessionKey(userId: string, id: string): string {
    return `${this.prefix}{${userHashTag(userId)}}:session:${id}`;
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch {
      throw new StoreUnavailableError();
    }
  }
}

function records(userId: string, reply: unknown): SessionRecord[] {
  if (!Array.isArray(reply)) throw new StoreUnavailableError();
  return reply.map((entry) => recordOf(userId, entry));
}

/** A record, or `undefined` for the empty reply of a session not found. */
function optionalRecord(userId: string, reply: unknown): SessionRecord | undefined {
  return Array.isArray(reply) && reply.length === 0 ? undefined : recordOf(userId, reply);
}

/** A script's record (see redis-session-scripts); a reply of another shape is a broken store. */
function recordOf(userId: string, entry: unknown): SessionRecord {
  if (!Array.isArray(entry) || entry.length !== 7) throw new StoreUnavailableError();
  const [id, createdAtMs, lastUsedAtMs, expiresAtMs, epoch, address, userAgent] = entry.map(
    (value: unknown) => (typeof value === 'string' ? value : undefined),
  );
  if (id === undefined) throw new StoreUnavailableError();
  const record: SessionRecord = {
    id,
    userId,
    createdAtMs: storedTime(createdAtMs),
    lastUsedAtMs: storedTime(lastUsedAtMs),
    expiresAtMs: storedTime(expiresAtMs),
  };
  if (epoch !== undefined) record.epoch = storedTime(epoch);
  if (address !== undefined) record.address = address;
  if (userAgent !== undefined) record.userAgent = userAgent;
  return record;
}

function storedTime(value: string | undefined): number {
  const time = Number(value);
  if (value === undefined || !Number.isSafeInteger(time)) throw new StoreUnavailableError();
  return time;
}
