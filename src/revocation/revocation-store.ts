/**
 * Where revocation state lives. Every method is one atomic operation, so that a store over
 * a shared server (Redis: one `MGET` or one Lua script per call) gives the same guarantees
 * across processes as the memory store gives within one.
 *
 * State is kept per session, not per token: a login session (refresh family) has at most
 * one entry naming the generation of its current refresh token, however often it is
 * refreshed, so storage grows with live sessions, never with refreshes.
 *
 * Times are milliseconds since the epoch. Every entry carries the time after which it can
 * be forgotten (the longest life of a token it concerns), so storage stays bounded.
 *
 * A store that cannot answer (server down, timeout) throws `StoreUnavailableError`, and
 * then has changed nothing that a retry would see differently.
 */
export interface RevocationStore {
  /**
   * Revokes one token of `subject` until `expiresAtMs`. A time already past is a no-op. (The
   * subject lets a store keep all of a user's state together, as in one Redis Cluster slot.)
   */
  revokeToken(subject: string, jti: string, expiresAtMs: number): Promise<void>;

  /** Revokes every token of a refresh family (login session) of `subject` until `expiresAtMs`. */
  revokeFamily(subject: string, familyId: string, expiresAtMs: number): Promise<void>;

  /**
   * Ends every session of `subject` started before now, on every instance, and every token
   * outside a session issued at or before `cutoffMs`; remembered until `expiresAtMs`. "Before
   * now" is the store's own order, not a clock's: the store moves its session epoch on, and a
   * session whose epoch (`sessionEpoch()` when it started) is below the user's cutoff epoch is
   * over. A session without an epoch is judged by its start time against `cutoffMs`. A
   * cutoff only moves forward: an older one never replaces a newer one.
   */
  revokeUserTokens(subject: string, cutoffMs: number, expiresAtMs: number): Promise<void>;

  /**
   * The store's session epoch now: read when a session starts (before its credentials are
   * checked). It only grows, across every instance sharing the store, and each user cutoff
   * moves it past every value read before.
   */
  sessionEpoch(): Promise<number>;

  /** One read on the hot path: is the token, its family, or its user's cutoff revoked? */
  isRevoked(token: TokenRevocationState): Promise<boolean>;

  /**
   * Where a refresh token stands, before the refresh does its slow work: `revoked` when it is
   * revoked (as `isRevoked`, or its session's state was lost); `reused` when its generation
   * was rotated already (and then its whole family is revoked until `familyExpiresAtMs`);
   * `grace` when it is the generation just spent, within `reuseIntervalMs` of that rotation
   * (the session lives on); otherwise `current`. Changes nothing for a current or grace token.
   */
  checkRefreshToken(token: RefreshTokenState): Promise<RefreshCheckOutcome>;

  /**
   * Rotates a session from the token's generation to the next, atomically and as the last
   * step of a refresh: the same checks as `checkRefreshToken`, then `rotated`, remembering
   * the new generation until `next.expiresAtMs`. Of many concurrent calls for one token,
   * exactly one gets `rotated`; the others are reuse, or `grace` within the reuse interval
   * (which changes nothing: the caller issues a pair of the current generation). A call that
   * throws `StoreUnavailableError` has rotated nothing.
   */
  rotateRefreshToken(token: RefreshTokenState, next: NextGeneration): Promise<RefreshRotateOutcome>;

  /**
   * Optional: a store whose data can be lost behind its back (a Redis flushed, restarted
   * without persistence, or failed over to a replica that lacked writes) detects it, refuses
   * every token issued before (fail closed), and tells `listener` each time it finds a loss.
   */
  onDataLoss?(listener: (loss: StoreDataLoss) => void): void;
}

/** What a store found lost. */
export interface StoreDataLoss {
  /**
   * How many parts (Redis Cluster slots; 1 for a single Redis) had lost their marker: every
   * token of a user whose state lives there, issued before now, is refused.
   */
  parts: number;
  /** Found at the store's start (markers missing while the epoch survived), or by a check. */
  detectedBy: 'start' | 'check';
}

/** What the store needs of a token to decide whether it is revoked. */
export interface TokenRevocationState {
  jti: string;
  subject: string;
  /**
   * When the token's session started (`fam_iat_ms`), or, for a token outside a session, its
   * `iat_ms`: a user cutoff at or after it revokes the token.
   */
  startedAtMs: number;
  familyId?: string | undefined;
  /** The session's epoch (`fam_epoch`), when it started with one: it orders it against cutoffs. */
  sessionEpoch?: number | undefined;
}

/** A refresh token, as its session's rotation sees it. */
export interface RefreshTokenState extends TokenRevocationState {
  familyId: string;
  /** The token's generation in its session (`fam_gen`): 0 for the login's own token. */
  generation: number;
  /** Until when a detected reuse revokes the family. */
  familyExpiresAtMs: number;
  /**
   * The reuse interval (`REFRESH_REUSE_INTERVAL_SECONDS`) in ms: the generation just before
   * the current one, presented within this long after the rotation that spent it, is `grace`
   * instead of reuse. 0 or absent: never.
   */
  reuseIntervalMs?: number;
}

/** The rotation's new generation. */
export interface NextGeneration {
  /** Until when the new generation must be remembered (its refresh token's end). */
  expiresAtMs: number;
}

export type RefreshCheckOutcome = 'current' | 'grace' | 'reused' | 'revoked';
export type RefreshRotateOutcome = 'rotated' | 'grace' | 'reused' | 'revoked';
