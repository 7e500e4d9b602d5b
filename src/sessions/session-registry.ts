/**
 * The index of each user's live sessions, for "where am I logged in" and "end that device".
 * A session is one login: its id is its refresh family id (the `fam` claim). The registry
 * only lists sessions; the revocation store stays the truth of what is revoked, so ending a
 * session means revoking its family there and removing it here.
 *
 * Every method is one atomic operation, so that a registry over a shared server (Redis: one
 * Lua script per call) gives the same guarantees across processes as the memory registry
 * gives within one.
 *
 * Times are integer milliseconds since the epoch, on the registry's clock. An entry is live
 * until its `expiresAtMs` (excluded) and is forgotten then, so storage stays bounded by live
 * sessions; `add` bounds them per user.
 *
 * Misuse (an empty id, a time that is not a safe integer) rejects with a `TypeError` before
 * anything is changed. A registry that cannot answer (server down, timeout) rejects with
 * `StoreUnavailableError`.
 */
export interface SessionRegistry {
  /**
   * Registers a session, then removes the user's oldest other sessions (by `createdAtMs`,
   * then id) beyond `maxPerUser` live ones, in the same atomic step; resolves to the removed
   * ones, oldest first. The session added is never among them: it stays even when it is
   * older than the others (a re-added session, two instances' clocks apart), so a login is
   * never undone by its own registration.
   *
   * Re-adding an id the user has replaces its entry. A session already over (`expiresAtMs`
   * at or before now) is not registered: the entry of its id, if any, is gone, and nothing
   * is evicted.
   */
  add(session: SessionRecord, maxPerUser: number): Promise<SessionRecord[]>;

  /**
   * Moves `lastUsedAtMs` of a live session forward, never back. A no-op for an unknown or
   * expired session, or another user's: it never creates an entry.
   */
  touch(userId: string, id: string, lastUsedAtMs: number): Promise<void>;

  /** The user's live sessions, newest first (`createdAtMs` descending, then id descending). */
  list(userId: string): Promise<SessionRecord[]>;

  /** The user's live session `id`, or `undefined` (another user's id: `undefined` too). */
  get(userId: string, id: string): Promise<SessionRecord | undefined>;

  /**
   * Removes one of the user's sessions: resolves to the removed record, or `undefined` when
   * the user has no such live session (another user's id: `undefined`, and it stays).
   */
  remove(userId: string, id: string): Promise<SessionRecord | undefined>;

  /**
   * Removes every live session of the user but `keepId` (all of them when `undefined`, or
   * when the user has no session `keepId`); resolves to the removed ones, newest first.
   */
  removeAllExcept(userId: string, keepId: string | undefined): Promise<SessionRecord[]>;
}

/**
 * One session, as the registry keeps it. Optional fields are absent (not `undefined`) in
 * the records a registry returns when they were not given or nothing of them was kept.
 */
export interface SessionRecord {
  /** The session's refresh family id (`fam`). */
  id: string;
  userId: string;
  createdAtMs: number;
  /** At or after `createdAtMs`; `touch` moves it forward. */
  lastUsedAtMs: number;
  /** The session's absolute end (after `createdAtMs`): the entry is forgotten then. */
  expiresAtMs: number;
  /** The revocation store's session epoch when the session started (`fam_epoch`), if any. */
  epoch?: number;
  /**
   * The client's address as the app sees it (Koa's `ctx.ip`). Kept without control
   * characters, cut to `MAX_ADDRESS_LENGTH`.
   */
  address?: string;
  /**
   * The client's `User-Agent`. Kept without control characters, cut to
   * `MAX_USER_AGENT_LENGTH` UTF-16 code units without splitting a surrogate pair.
   */
  userAgent?: string;
}

/** The longest address kept: an IPv6 address with a zone fits; longer text is cut. */
export const MAX_ADDRESS_LENGTH = 64;

/** The longest user agent kept: enough to name a browser and device; longer text is cut. */
export const MAX_USER_AGENT_LENGTH = 256;
