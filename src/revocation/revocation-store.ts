/**
 * Where revocation state lives. Every method is one atomic operation, so that a store over
 * a shared server (Redis: one `MGET`, one `SET NX` or one Lua script per call) gives the
 * same guarantees across processes as the memory store gives within one.
 *
 * Times are milliseconds since the epoch. Every entry carries the time after which it can
 * be forgotten (the longest life of a token it concerns), so storage stays bounded.
 *
 * A store that cannot answer (server down, timeout) throws `StoreUnavailableError`.
 */
export interface RevocationStore {
  /** Revokes one token until `expiresAtMs`. A time already past is a no-op. */
  revokeToken(jti: string, expiresAtMs: number): Promise<void>;

  /** Revokes every token of a refresh family (login session) until `expiresAtMs`. */
  revokeFamily(familyId: string, expiresAtMs: number): Promise<void>;

  /**
   * Revokes every token of `subject` issued at or before `cutoffMs`, remembered until
   * `expiresAtMs`. A cutoff only moves forward: an older one never replaces a newer one.
   */
  revokeUserTokens(subject: string, cutoffMs: number, expiresAtMs: number): Promise<void>;

  /** One read on the hot path: is the token, its family, or its user's cutoff revoked? */
  isRevoked(token: TokenRevocationState): Promise<boolean>;

  /**
   * Spends a refresh token, atomically: `revoked` when it is revoked (as `isRevoked`);
   * otherwise `reused` when it was spent before (and then its whole family is revoked until
   * `familyExpiresAtMs`); otherwise `spent`, marking it spent until `expiresAtMs`. Of many
   * concurrent calls for one token, exactly one gets `spent`.
   */
  spendRefreshToken(token: RefreshSpendRequest): Promise<RefreshSpendOutcome>;
}

/** What the store needs of a token to decide whether it is revoked. */
export interface TokenRevocationState {
  jti: string;
  subject: string;
  /** The token's `iat_ms`. */
  issuedAtMs: number;
  familyId?: string | undefined;
}

export interface RefreshSpendRequest extends TokenRevocationState {
  familyId: string;
  /** When the refresh token expires: the spent mark can be forgotten then. */
  expiresAtMs: number;
  /** Until when a detected reuse revokes the family. */
  familyExpiresAtMs: number;
}

export type RefreshSpendOutcome = 'spent' | 'reused' | 'revoked';
