import type { Clock } from '../clock/clock';
import { systemClock } from '../clock/clock';
import {
  checkedId,
  checkedKeepId,
  checkedMaxPerUser,
  checkedSession,
  checkedTime,
} from './session-input';
import type { SessionRecord, SessionRegistry } from './session-registry';

/** How often, in clock time, expired entries of every user are swept out. */
const SWEEP_INTERVAL_MS = 60_000;

/** One user's sessions by id. */
type UserSessions = Map<string, SessionRecord>;

/**
 * The in-process registry: the default, correct for one process. Each method runs to the
 * end without awaiting, so every operation is atomic within the process. A user's expired
 * sessions are dropped whenever that user's sessions are used, and every user's at most
 * once a minute of clock time, on the next call, so memory stays bounded by live sessions
 * (at most `maxPerUser` per user once `add` returns).
 *
 * Not shared between processes and lost on restart: use `RedisSessionRegistry` for more
 * than one.
 *
 * @example
 * ```ts
 * const sessions = new MemorySessionRegistry();
 * const evicted = await sessions.add({ id: fam, userId, createdAtMs: now, lastUsedAtMs: now, expiresAtMs }, 10);
 * ```
 */
export class MemorySessionRegistry implements SessionRegistry {
  private readonly users = new Map<string, UserSessions>();
  private entries = 0;
  private nextSweepMs: number;

  constructor(private readonly clock: Clock = systemClock) {
    this.nextSweepMs = clock.now() + SWEEP_INTERVAL_MS;
  }

  add(session: SessionRecord, maxPerUser: number): Promise<SessionRecord[]> {
    return settle(() => {
      const record = checkedSession(session);
      const max = checkedMaxPerUser(maxPerUser);
      const now = this.tick();
      const sessions = this.liveSessions(record.userId, now);
      this.delete(record.userId, sessions, record.id);
      if (record.expiresAtMs <= now) return [];
      this.set(record.userId, record);
      const evicted: SessionRecord[] = [];
      const excess = (this.users.get(record.userId)?.size ?? 0) - max;
      if (excess > 0) {
        const oldestOthers = [...(this.users.get(record.userId)?.values() ?? [])]
          .filter((other) => other.id !== record.id)
          .sort(compareSessions)
          .slice(0, excess);
        for (const other of oldestOthers) {
          this.delete(record.userId, this.users.get(record.userId), other.id);
          evicted.push({ ...other });
        }
      }
      return evicted;
    });
  }

  touch(userId: string, id: string, lastUsedAtMs: number): Promise<void> {
    return settle(() => {
      checkedId('userId', userId);
      checkedId('id', id);
      checkedTime('lastUsedAtMs', lastUsedAtMs);
      const session = this.liveSessions(userId, this.tick())?.get(id);
      if (session !== undefined && lastUsedAtMs > session.lastUsedAtMs) {
        session.lastUsedAtMs = lastUsedAtMs;
      }
    });
  }

  list(userId: string): Promise<SessionRecord[]> {
    return settle(() => {
      checkedId('userId', userId);
      const sessions = this.liveSessions(userId, this.tick());
      return newestFirst(sessions?.values() ?? []);
    });
  }

  get(userId: string, id: string): Promise<SessionRecord | undefined> {
    return settle(() => {
      checkedId('userId', userId);
      checkedId('id', id);
      const session = this.liveSessions(userId, this.tick())?.get(id);
      return session === undefined ? undefined : { ...session };
    });
  }

  remove(userId: string, id: string): Promise<SessionRecord | undefined> {
    return settle(() => {
      checkedId('userId', userId);
      checkedId('id', id);
      const sessions = this.liveSessions(userId, this.tick());
      const session = sessions?.get(id);
      this.delete(userId, sessions, id);
      return session === undefined ? undefined : { ...session };
    });
  }

  removeAllExcept(userId: string, keepId: string | undefined): Promise<SessionRecord[]> {
    return settle(() => {
      checkedId('userId', userId);
      const keep = checkedKeepId(keepId);
      const sessions = this.liveSessions(userId, this.tick());
      const removed = [...(sessions?.values() ?? [])].filter((session) => session.id !== keep);
      for (const session of removed) this.delete(userId, this.users.get(userId), session.id);
      return newestFirst(removed);
    });
  }

  /** Entries held, live or not yet swept: for tests and the memory benchmark. */
  get size(): number {
    return this.entries;
  }

  /** Drops every expired entry now (it also happens by itself once a minute). */
  purgeExpired(): void {
    const now = this.clock.now();
    for (const userId of [...this.users.keys()]) this.liveSessions(userId, now);
    this.nextSweepMs = now + SWEEP_INTERVAL_MS;
  }

  /** The user's sessions, with the expired ones dropped first; `undefined` for none. */
  private liveSessions(userId: string, now: number): UserSessions | undefined {
    const sessions = this.users.get(userId);
    if (sessions === undefined) return undefined;
    for (const [id, session] of sessions) {
      if (session.expiresAtMs <= now) this.delete(userId, sessions, id);
    }
    return this.users.get(userId);
  }

  private set(userId: string, record: SessionRecord): void {
    let sessions = this.users.get(userId);
    if (sessions === undefined)
      this.users.set(userId, (sessions = new Map<string, SessionRecord>()));
    if (!sessions.has(record.id)) this.entries += 1;
    sessions.set(record.id, record);
  }

  private delete(userId: string, sessions: UserSessions | undefined, id: string): void {
    if (sessions === undefined || !sessions.delete(id)) return;
    this.entries -= 1;
    if (sessions.size === 0) this.users.delete(userId);
  }

  /** The current time, sweeping first when a sweep is due. */
  private tick(): number {
    const now = this.clock.now();
    if (now >= this.nextSweepMs) this.purgeExpired();
    return now;
  }
}

/**
 * Oldest first: by `createdAtMs`, then by id in code point order, which is the order of
 * their UTF-8 bytes: Redis' order of a sorted set's members of one score.
 */
function compareSessions(a: SessionRecord, b: SessionRecord): number {
  return a.createdAtMs - b.createdAtMs || compareCodePoints(a.id, b.id);
}

/** Copies, newest first (the reverse of `compareSessions`). */
function newestFirst(sessions: Iterable<SessionRecord>): SessionRecord[] {
  return [...sessions].sort((a, b) => compareSessions(b, a)).map((session) => ({ ...session }));
}

/**
 * Code point order of well-formed strings. UTF-16 order differs from it only where a
 * surrogate meets a unit of U+E000..U+FFFF: surrogates encode code points above both.
 */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointWeight(x) - codePointWeight(y);
  }
  return a.length - b.length;
}

function codePointWeight(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

/** `work`'s result as a promise, or its exception (a `TypeError` for misuse) as a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    // Only the checks throw, and only TypeErrors.
    return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
  }
}
