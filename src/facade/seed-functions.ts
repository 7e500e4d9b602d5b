import type { Constructable } from 'typedi';
import type { JsonWebKeySet } from '../keys/jwt-key-set';
import type { AccessTokenClaims } from '../tokens/token-claims';
import type { TokenData } from '../tokens/token-data';
import type { TokenPair } from '../tokens/token-pair';
import type { CreateTokenOptions } from '../tokens/token-service';
import { TokenService } from '../tokens/token-service';
import { PasswordHasher } from '../password/password-hasher';
import type { RefreshOptions } from '../revocation/refresh-rotation-service';
import { RefreshRotationService } from '../revocation/refresh-rotation-service';
import { RevocationService } from '../revocation/revocation-service';
import { withSecurityDefaults } from '../container/security-container';

/*
 * The original module's functions, by the names its users know, bound to the global TypeDI
 * container. With nothing configured they read settings from the environment on first use
 * (and throw `ConfigurationError` if those are bad). `configureSecurity` changes what they
 * use.
 */

function service<T>(type: Constructable<T>): T {
  return withSecurityDefaults().get<T>(type);
}

/**
 * The public verification keys as a JWKS (RFC 7517), for `GET /.well-known/jwks.json`:
 * the current and previous keys of RS*, PS* and ES*; empty for HS*, whose key is secret.
 */
export function getJwks(): JsonWebKeySet {
  return service(TokenService).jwks();
}

/** bcrypt hash of a new password. @example `await getPasswordHash('correct horse battery')` */
export function getPasswordHash(password: string): Promise<string> {
  return service(PasswordHasher).getPasswordHash(password);
}

/** `true` when the password matches the stored hash; `false` (never a throw) otherwise. */
export function verifyPassword(
  password: string,
  hash: string | null | undefined,
): Promise<boolean> {
  return service(PasswordHasher).verifyPassword(password, hash);
}

/** A signed access token. @example `createAccessToken({ sub: user.id, roles: ['user'] })` */
export function createAccessToken(data: TokenData, options?: CreateTokenOptions): string {
  return service(TokenService).createAccessToken(data, options);
}

/** A signed refresh token starting a new session. */
export function createRefreshToken(data: TokenData, options?: CreateTokenOptions): string {
  return service(TokenService).createRefreshToken(data, options);
}

/** `{access_token, refresh_token, token_type: "bearer", expires_in}` for one new session. */
export function createTokenPair(data: TokenData): TokenPair {
  return service(TokenService).createTokenPair(data);
}

/** Verifies an access token, revocation included. */
export function verifyAccessToken(token: string): Promise<AccessTokenClaims> {
  return service(RevocationService).verifyAccessToken(token);
}

/** Spends a refresh token and returns a new pair (rotation with reuse detection). */
export function refreshAccessToken(
  refreshToken: string,
  options?: RefreshOptions,
): Promise<TokenPair> {
  return service(RefreshRotationService).refreshAccessToken(refreshToken, options);
}

/** Revokes one of our tokens until it would have expired; an expired one is a no-op. */
export function revokeToken(token: string): Promise<void> {
  return service(RevocationService).revokeToken(token);
}

/** Revokes every token the user holds now. */
export function revokeAllUserTokens(userId: string | number): Promise<void> {
  return service(RevocationService).revokeAllUserTokens(userId);
}
