/** Longest token accepted; anything longer is refused before it is decoded (catalogue E6). */
export const MAX_TOKEN_LENGTH = 8192;

/** Three non-empty base64url segments: a JWS in compact form with a signature. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A string of at most 8 KiB: all a token must be before it is looked up in the cache. */
export function isTokenSized(token: unknown): token is string {
  return typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH;
}

/**
 * A cheap check before any decoding: a string of at most 8 KiB shaped like a signed JWS.
 * Refuses non-strings, oversized input and unsigned (`alg: none`, empty-signature) tokens.
 */
export function hasCompactJwsShape(token: unknown): token is string {
  return isTokenSized(token) && COMPACT_JWS.test(token);
}
