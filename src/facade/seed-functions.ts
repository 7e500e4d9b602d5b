import type { JsonWebKeySet } from '../keys/jwt-key-set';
import type { AccessTokenClaims } from '../tokens/token-claims';
import type { TokenData } from '../tokens/token-data';
import type { TokenPair } from '../tokens/token-pair';
import type { CreateTokenOptions } from '../tokens/token-service';
import type { RefreshOptions } from '../revocation/refresh-rotation-service';
import type { Security } from '../security/security';
import { securityOf } from '../security/configure-security';

/*
 * The original module's functions, by the names its users know, bound to the global TypeDI
 * container's security. With nothing configured, the first call builds it from the
 * environment (and throws `ConfigurationError` if that is bad); after that, configuring the
 * global container throws instead of being ignored. Configure first when you configure.
 */

function globalSecurity(): Security {
  return securityOf();
}

/**
 * The public verification keys as a JWKS (RFC 7517), for `GET /.well-known/jwks.json`:
 * the current and previous keys of RS*, PS* and ES*; empty for HS*, whose key is secret.
 */
export function getJwks(): JsonWebKeySet {
  return globalSecurity().tokens.jwks();
}

/** bcrypt hash of a new password. @example `await getPasswordHash('correct horse battery')` */
export async function getPasswordHash(password: string): Promise<string> {
  return globalSecurity().hasher.getPasswordHash(password);
}

/** `true` when the password matches the stored hash; `false` (never a throw) otherwise. */
export async function verifyPassword(
  password: string,
  hash: string | null | undefined,
): Promise<boolean> {
  return globalSecurity().hasher.verifyPassword(password, hash);
}

/** A signed access token. @example `createAccessToken({ sub: user.id, roles: ['user'] })` */
export function createAccessToken(data: TokenData, options?: CreateTokenOptions): string {
  return globalSecurity().tokens.createAccessToken(data, options);
}

/** A signed refresh token starting a new session. */
export function createRefreshToken(data: TokenData, options?: CreateTokenOptions): string {
  return globalSecurity().tokens.createRefreshToken(data, options);
}

/** `{access_token, refresh_token, token_type: "bearer", expires_in}` for one new session. */
export function createTokenPair(data: TokenData): TokenPair {
  return globalSecurity().tokens.createTokenPair(data);
}

/** Verifies an access token, revocation included. */
export async function verifyAccessToken(token: string): Promise<AccessTokenClaims> {
  return globalSecurity().revocation.verifyAccessToken(token);
}

/** Spends a refresh token and returns a new pair (rotation with reuse detection). */
export async function refreshAccessToken(
  refreshToken: string,
  options?: RefreshOptions,
): Promise<TokenPair> {
  return globalSecurity().rotation.refreshAccessToken(refreshToken, options);
}

/** Revokes one of our tokens until it would have expired; an expired one is a no-op. */
export async function revokeToken(token: string): Promise<void> {
  return globalSecurity().revocation.revokeToken(token);
}

/** Revokes every token the user holds now. */
export async function revokeAllUserTokens(userId: string | number): Promise<void> {
  return globalSecurity().revocation.revokeAllUserTokens(userId);
}
