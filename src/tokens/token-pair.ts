/** The OAuth2 token response (RFC 6749 §5.1) that `createTokenPair` and a refresh return. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  /** Seconds until the access token expires. */
  expires_in: number;
}

/** A refresh family: one login session, shared by every token rotation derives from it. */
export interface RefreshFamily {
  id: string;
  /** End of the family's absolute lifetime, seconds since the epoch. */
  expiresAt: number;
  /**
   * When the session started, in milliseconds, as the signer took it: before the credentials
   * were checked. A user cutoff at or after it ends every token of the family.
   */
  startedAtMs: number;
  /** The refresh token's generation in the session: 0 at login, one more at each rotation. */
  generation: number;
  /**
   * The revocation store's session epoch when the session started (`RevocationService`'s
   * `startSession()` reads it): it orders the session against user cutoffs by the store's
   * order, whatever the instances' clocks. Without it, `startedAtMs` does.
   */
  epoch?: number;
  /**
   * The session's CSRF token (`fam_csrf`): random, made by `startFamily`, carried by every
   * token of the session. Bound to the session and signed with it, so it outlives a key
   * rotation and cannot be planted.
   */
  csrf?: string;
  /**
   * Registered in the session registry (`fam_reg`): set by the login workflow once it has
   * registered the session; its refreshes then need it registered.
   */
  registered?: boolean;
}
