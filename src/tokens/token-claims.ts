/** What a token is for. Carried in the `type` claim and checked on every verification. */
export type TokenType = 'access' | 'refresh';

/** Claims of a verified token. The library's own claims are typed; the rest are the app's. */
export interface TokenClaims {
  /** Subject: the user id, as a string. */
  sub: string;
  /** Unique token id (a UUID). */
  jti: string;
  /** Issued-at, seconds since the epoch. */
  iat: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
  type: TokenType;
  /**
   * Issue time in milliseconds: makes a per-user revocation cutoff exact for tokens issued
   * within the same second as the cutoff.
   */
  iat_ms: number;
  /** Refresh family (login session) id: on refresh tokens, and on access tokens of a pair. */
  fam?: string;
  /** When the family (session) started, in milliseconds: with `fam`. */
  fam_iat_ms?: number;
  /** The revocation store's session epoch when the family started, when it had one. */
  fam_epoch?: number;
  /**
   * The session's CSRF token (random, made when the session starts, the same for all its
   * tokens): what the cookie transport's `X-CSRF-Token` must equal.
   */
  fam_csrf?: string;
  /**
   * The session is registered in the session registry (a login's): a refresh then goes on
   * only while it is registered.
   */
  fam_reg?: true;
  iss?: string;
  aud?: string | string[];
  nbf?: number;
  [claim: string]: unknown;
}

export interface AccessTokenClaims extends TokenClaims {
  type: 'access';
}

export interface RefreshTokenClaims extends TokenClaims {
  type: 'refresh';
  fam: string;
  /** End of the family's absolute lifetime, seconds since the epoch: rotation never passes it. */
  fam_exp: number;
  fam_iat_ms: number;
  /** The token's generation in its family: 0 at login, one more at each rotation. */
  fam_gen: number;
}

/** Claims the library sets itself; an application cannot pass them in `data`. */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'jti',
  'iat',
  'exp',
  'nbf',
  'type',
  'iat_ms',
  'fam',
  'fam_exp',
  'fam_iat_ms',
  'fam_gen',
  'fam_epoch',
  'fam_csrf',
  'fam_reg',
  'iss',
  'aud',
  // Not claims: keys that would reach an object's prototype when copied.
  '__proto__',
  'constructor',
  'prototype',
]);
