import { RESERVED_CLAIMS } from './token-claims';

/**
 * What an application puts in a token: the subject and its own claims (`roles`, …), as in
 * the original module's `create_access_token(data={"sub": ..., "user_id": ...})`.
 */
export interface TokenData {
  /** The user id; numbers become strings. */
  sub: string | number;
  [claim: string]: unknown;
}

/** Validated token data: the subject as a string and the application's claims. */
export interface NormalizedTokenData {
  sub: string;
  claims: Record<string, unknown>;
}

/**
 * Checks `data` and splits it into subject and claims.
 * @throws TypeError when `data` is not a plain object, `sub` is missing or empty, or a
 *   claim the library sets itself (`exp`, `jti`, `type`, …) is present.
 */
export function normalizeTokenData(data: unknown): NormalizedTokenData {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TypeError('token data must be an object with a "sub" claim');
  }
  const { sub, ...rest } = data as Record<string, unknown>;
  const subject = typeof sub === 'number' && Number.isSafeInteger(sub) ? String(sub) : sub;
  if (typeof subject !== 'string' || subject === '') {
    throw new TypeError('token data "sub" must be a non-empty string or an integer');
  }
  const claims: Record<string, unknown> = {};
  for (const key of Object.keys(rest)) {
    if (RESERVED_CLAIMS.has(key)) {
      throw new TypeError(`token data must not set "${key}": the library sets it`);
    }
    claims[key] = rest[key];
  }
  return { sub: subject, claims };
}

/** The application's claims of a verified token, without the library's own. */
export function applicationClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(claims)) {
    if (key !== 'sub' && !RESERVED_CLAIMS.has(key)) result[key] = claims[key];
  }
  return result;
}
